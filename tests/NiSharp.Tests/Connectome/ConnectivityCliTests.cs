using System.Globalization;
using System.Text;
using NiSharp.Connectome;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Connectome;

/// <summary><c>nisharp connectivity</c>: outputs, their region labels, parity through files, errors.</summary>
public class ConnectivityCliTests
{
    [Fact]
    public void Writes_one_relmat_per_input_and_the_group_mean_with_label_ids()
    {
        using var dir = new TempDir();
        var files = LessonConnectivityTests.Files();
        var r = CliRunner.Run([.. new[] { "connectivity" }, .. files, "--kind", "correlation", "--vectorize", "-o", dir.File("out")]);
        Assert.True(r.ExitCode == 0, r.Stderr);

        var expected = GroupConnectivity.Compute(LessonConnectivityTests.Runs(), new ConnectivityOptions { Kind = ConnectivityKind.Correlation });
        for (int k = 0; k < files.Length; k++)
        {
            var stem = Path.GetFileNameWithoutExtension(files[k]);
            var m = ConnectivityMatrix.Read(dir.File($"out/{stem}_relmat.tsv"));
            Assert.False(m.IsGroupMean);
            Assert.Equal(expected.Subjects[k].Regions, m.Regions);
            Assert.Equal(44, m.Regions[41].LabelId);
            // Numbers are written with round-trip precision.
            Assert.Equal(expected.Subjects[k].Values, m.Values);
            Assert.Contains("\"RegionLabelIds\"", File.ReadAllText(dir.File($"out/{stem}_relmat.json")));
        }
        var mean = ConnectivityMatrix.Read(dir.File("out/group_mean_relmat.tsv"));
        Assert.True(mean.IsGroupMean);
        Assert.Equal(expected.Mean.Values, mean.Values);

        var edges = File.ReadAllLines(dir.File("out/edges.tsv"));
        Assert.Equal(13, edges.Length);
        var header = edges[0].Split('\t');
        Assert.Equal(1 + 46 * 47 / 2, header.Length);
        Assert.Equal("label_1~label_1", header[1]);
        Assert.Equal("label_2~label_1", header[2]);
        // The diagonal is divided by √2, as nilearn's vectorize.
        Assert.Equal(1 / Math.Sqrt(2), double.Parse(edges[1].Split('\t')[1], CultureInfo.InvariantCulture), 1e-15);
    }

    [Theory]
    [InlineData("tangent")]
    [InlineData("partial-correlation")]
    public void Matches_nilearn_through_tsv_files(string kind)
    {
        // The fixtures' float32 subjects written as TSVs, as a masker would.
        using var dir = new TempDir();
        var subjects = ConnectivityParityTests.Subjects();
        var paths = new List<string>();
        for (int k = 0; k < subjects.Length; k++)
        {
            var sb = new StringBuilder(string.Join('\t', Enumerable.Range(1, 7).Select(i => $"label_{i}")) + "\n");
            for (int t = 0; t < subjects[k].RowCount; t++)
                sb.AppendJoin('\t', Enumerable.Range(0, 7).Select(j => ((double)subjects[k][t, j]).ToString("R", CultureInfo.InvariantCulture))).Append('\n');
            var p = dir.File($"sub-0{k + 1}_timeseries.tsv");
            File.WriteAllText(p, sb.ToString());
            paths.Add(p);
        }
        var r = CliRunner.Run([.. new[] { "connectivity" }, .. paths, "--kind", kind, "-o", dir.File("out")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var name = kind.Replace('-', '_');
        var expected = NpyArray.Load(TestPaths.Nilearn($"out_conn_{name}.npy"));
        for (int k = 0; k < 3; k++)
        {
            var m = ConnectivityMatrix.Read(dir.File($"out/sub-0{k + 1}_timeseries_relmat.tsv"));
            var actual = Enumerable.Range(0, 49).Select(i => m.Values[i / 7, i % 7]).ToArray();
            Approx.Equal(expected.Data.AsSpan(k * 49, 49), actual, 1e-5, 1e-5, $"{kind} subject {k + 1}");
        }
    }

    [Fact]
    public void Fisher_z_is_refused_for_a_kind_that_is_not_a_correlation()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("connectivity", LessonConnectivityTests.Files()[0], LessonConnectivityTests.Files()[1], "--kind", "covariance", "--fisher-z", "-o", dir.File("out"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Fisher z", r.Stderr);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Fisher_z_writes_artanh_with_zero_diagonal()
    {
        using var dir = new TempDir();
        var files = LessonConnectivityTests.Files().Take(3).ToArray();
        Assert.Equal(0, CliRunner.Run([.. new[] { "connectivity" }, .. files, "--kind", "correlation", "-o", dir.File("r")]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. new[] { "connectivity" }, .. files, "--kind", "correlation", "--fisher-z", "-o", dir.File("z")]).ExitCode);
        var stem = Path.GetFileNameWithoutExtension(files[0]);
        var r = ConnectivityMatrix.Read(dir.File($"r/{stem}_relmat.tsv")).Values;
        var z = ConnectivityMatrix.Read(dir.File($"z/{stem}_relmat.tsv")).Values;
        Assert.Equal(0.0, z[5, 5]);
        Assert.Equal(Math.Atanh(r[41, 43]), z[41, 43], 1e-15);
    }

    [Fact]
    public void A_missing_value_fails_naming_the_file_and_writes_nothing()
    {
        using var dir = new TempDir();
        var good = LessonConnectivityTests.Files()[0];
        var lines = File.ReadAllLines(good);
        var cells = lines[5].Split('\t');
        cells[3] = "n/a";
        lines[5] = string.Join('\t', cells);
        var bad = dir.File("bad_timeseries.tsv");
        File.WriteAllLines(bad, lines);
        var r = CliRunner.Run("connectivity", good, bad, "--kind", "correlation", "-o", dir.File("out"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("bad_timeseries.tsv", r.Stderr);
        Assert.Contains("row 6", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Runs_with_different_regions_are_refused()
    {
        using var dir = new TempDir();
        var good = LessonConnectivityTests.Files()[0];
        var lines = File.ReadAllLines(good).Select(l => string.Join('\t', l.Split('\t')[1..])).ToArray();
        var fewer = dir.File("fewer_timeseries.tsv");
        File.WriteAllLines(fewer, lines);
        var r = CliRunner.Run("connectivity", good, fewer, "--kind", "tangent", "-o", dir.File("out"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("fewer_timeseries.tsv", r.Stderr);
        Assert.Contains("missing: label_1", r.Stderr);
    }

    [Fact]
    public void Empirical_precision_of_a_singular_covariance_is_a_clear_error()
    {
        using var dir = new TempDir();
        // 5 time points for 46 regions: the empirical covariance has rank 4.
        var lines = File.ReadAllLines(LessonConnectivityTests.Files()[0]).Take(6);
        var p = dir.File("short_timeseries.tsv");
        File.WriteAllLines(p, lines);
        var r = CliRunner.Run("connectivity", p, "--kind", "precision", "--estimator", "empirical", "-o", dir.File("out"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("short_timeseries.tsv", r.Stderr);
        Assert.Contains("singular", r.Stderr);
        // Ledoit-Wolf shrinkage makes it invertible.
        Assert.Equal(0, CliRunner.Run("connectivity", p, "--kind", "precision", "-o", dir.File("out")).ExitCode);
    }
}
