using CsCheck;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary>The top page's index (<see cref="TopPageIndex"/>): a page written from it is the page written from every
/// subject's files again, whatever was run before; its exact sums do not depend on the order of the matrices.</summary>
[Collection(PipelineCollection.Name)]
public class TopPageIndexTests(DemoCohorts cohorts)
{
    private static string IndexPath(string output) => Path.Combine(output, "logs", "top-page-index.bin");

    // The page as the index leaves it, and the page made again from the files alone (the index removed first).
    private static (string FromIndex, string FromFiles) Pages(string data, string output, string id)
    {
        var fromIndex = File.ReadAllText(Path.Combine(output, "report.html"));
        File.Delete(IndexPath(output));
        var again = ParticipantLevel.Run(DemoCohorts.Options(data, output) with { ParticipantLabels = [id], Jobs = 1 });
        Assert.Equal(0, again.ExitCode);
        return (fromIndex, File.ReadAllText(Path.Combine(output, "report.html")));
    }

    [Fact]
    public void Subjects_run_one_at_a_time_give_the_page_made_from_all_their_files()
    {
        var data = cohorts.Planted.DataDirectory;
        var output = cohorts.NewFolder("top-index");
        var ids = cohorts.Planted.Participants.Take(3).Select(p => p.Id).ToArray();
        foreach (var id in ids)
        {
            var run = ParticipantLevel.Run(DemoCohorts.Options(data, output) with { ParticipantLabels = [id], Jobs = 1 });
            Assert.Equal(0, run.ExitCode);
            // The index has every subject of the dataset, the complete ones' matrices in its sums.
            var index = TopPageIndex.Load(output, File.Exists(IndexPath(output)) ? ReadKey(output) : "none");
            Assert.Equal(cohorts.Planted.Participants.Count, index.Rows.Count);
            Assert.Equal(Array.IndexOf(ids, id) + 1, index.Rows.Values.Count(r => r.Done));
            Assert.Equal(Array.IndexOf(ids, id) + 1, index.Sums!.Matrices);
            var (fromIndex, fromFiles) = Pages(data, output, id);
            Assert.Equal(fromFiles, fromIndex);
            Assert.Contains($"{Array.IndexOf(ids, id) + 1} complete", fromIndex);
        }

        // A complete subject made incomplete by hand (a matrix deleted): its row and the mean follow, as from the files.
        var relmat = Directory.GetFiles(Path.Combine(output, $"sub-{ids[1]}"), "*_relmat.tsv", SearchOption.AllDirectories).First();
        File.Delete(relmat);
        var rerun = ParticipantLevel.Run(DemoCohorts.Options(data, output) with { ParticipantLabels = [ids[0]], Jobs = 1 });
        Assert.Equal(0, rerun.ExitCode);
        var (before, made) = Pages(data, output, ids[0]);
        Assert.Equal(made, before);
        Assert.Contains("2 complete", before);
    }

    [Fact]
    public void A_subject_whose_matrix_the_exact_sums_cannot_hold_gives_the_page_made_from_all_files_as_doubles()
    {
        var data = cohorts.Planted.DataDirectory;
        var output = cohorts.NewFolder("top-index-inexact");
        var ids = cohorts.Planted.Participants.Take(3).Select(p => p.Id).ToArray();
        var options = DemoCohorts.Options(data, output) with { ParticipantLabels = ids, Jobs = 1 };
        Assert.Equal(0, ParticipantLevel.Run(options).ExitCode);
        // The third subject incomplete for a page (its sidecar away): the index sums the first two.
        var sidecar = Directory.GetFiles(Path.Combine(output, $"sub-{ids[2]}"), "*_timeseries.json", SearchOption.AllDirectories).Single();
        File.Move(sidecar, sidecar + ".away");
        Assert.Equal(0, ParticipantLevel.Run(options with { ParticipantLabels = [ids[0]] }).ExitCode);
        Assert.Equal(2, TopPageIndex.Load(output, ReadKey(output)).Sums!.Matrices);
        // Back, with a value below what the fixed point holds in its matrix: added to the sums, which then fail over to
        // averaging every matrix as doubles.
        File.Move(sidecar + ".away", sidecar);
        var relmat = Directory.GetFiles(Path.Combine(output, $"sub-{ids[2]}"), "*_relmat.tsv", SearchOption.AllDirectories).Single();
        var lines = File.ReadAllLines(relmat);
        var cells = lines[1].Split('\t');
        cells[1] = "1.0000000000000002E-50";
        lines[1] = string.Join('\t', cells);
        File.WriteAllLines(relmat, lines);
        Assert.Equal(0, ParticipantLevel.Run(options with { ParticipantLabels = [ids[0]] }).ExitCode);
        Assert.Null(TopPageIndex.Load(output, ReadKey(output)).Sums);
        var (fromIndex, fromFiles) = Pages(data, output, ids[0]);
        Assert.Equal(fromFiles, fromIndex);
        Assert.Contains("over the 3 run(s) of the complete subjects", fromIndex);
    }

    // The key written in the index file (the second string after the format's).
    private static string ReadKey(string output)
    {
        using var reader = new BinaryReader(File.OpenRead(IndexPath(output)));
        reader.ReadString();
        return reader.ReadString();
    }

    [Fact]
    public void An_unreadable_index_is_ignored_and_made_again()
    {
        var data = cohorts.Planted.DataDirectory;
        var output = cohorts.NewFolder("top-index-corrupt");
        var id = cohorts.Planted.Participants[0].Id;
        Assert.Equal(0, ParticipantLevel.Run(DemoCohorts.Options(data, output) with { ParticipantLabels = [id], Jobs = 1 }).ExitCode);
        var page = File.ReadAllText(Path.Combine(output, "report.html"));
        var bytes = File.ReadAllBytes(IndexPath(output));
        File.WriteAllBytes(IndexPath(output), bytes[..(bytes.Length / 2)]); // torn
        Assert.Equal(0, ParticipantLevel.Run(DemoCohorts.Options(data, output) with { ParticipantLabels = [id], Jobs = 1 }).ExitCode);
        Assert.Equal(page, File.ReadAllText(Path.Combine(output, "report.html")));
        Assert.Equal(bytes, File.ReadAllBytes(IndexPath(output)));
    }

    [Fact]
    public void A_value_held_in_fixed_point_comes_back_exactly_or_is_refused()
    {
        Gen.Double.Sample(v =>
        {
            if (MeanSums.TryFixed(v, out var f))
                Assert.Equal(v == 0 ? 0 : v, Math.ScaleB((double)f, -96));
            else
                Assert.True(!double.IsFinite(v) || Math.Abs(v) >= 1024 || Math.Abs(v) < Math.ScaleB(1.0, -43), $"{v:R} refused");
        });
        // Every correlation-sized value with a full mantissa down to 2^-43 is held.
        Gen.Double[-1, 1].Sample(v =>
        {
            if (Math.Abs(v) >= Math.ScaleB(1.0, -43)) Assert.True(MeanSums.TryFixed(v, out _), $"{v:R}");
        });
        // A value the fixed point cannot hold leaves the sums inexact (the page then averages as doubles).
        var sums = new MeanSums(1);
        sums.Add(Matrix<double>.Build.Dense(1, 1, [Math.ScaleB(1.0 + Math.ScaleB(1.0, -52), -60)]));
        Assert.False(sums.Exact);
    }

    [Fact]
    public void Exact_sums_are_the_same_in_any_order_and_their_mean_is_the_mean()
    {
        Gen.Select(Gen.Int[1, 5], Gen.Int[1, 6]).SelectMany((n, k) => Gen.Double[-1, 1].Select(v => Math.Abs(v) < 1e-12 ? 0 : v).Array[n * n].Array[k].Select(m => (n, m))).Sample(x =>
        {
            var (n, ms) = x;
            var matrices = ms.Select((v, i) => Matrix<double>.Build.Dense(n, n, v.Select((e, j) => (i + j) % 7 == 3 ? double.NaN : e).ToArray())).ToArray();
            var forward = new MeanSums(n);
            foreach (var m in matrices) forward.Add(m);
            var backward = new MeanSums(n);
            foreach (var m in matrices.Reverse()) backward.Add(m);
            Assert.True(forward.Exact && backward.Exact);
            var a = forward.Mean();
            var b = backward.Mean();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(a[i, j]), BitConverter.DoubleToInt64Bits(b[i, j]));
                    var present = matrices.Select(m => m[i, j]).Where(v => !double.IsNaN(v)).ToArray();
                    if (present.Length == 0) Assert.True(double.IsNaN(a[i, j]));
                    else Assert.Equal(present.Average(), a[i, j], 1e-15);
                }
        });
    }
}
