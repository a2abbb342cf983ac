using System.Globalization;
using System.Text.Json.Nodes;
using NiSharp.Connectome;
using NiSharp.Group;
using NiSharp.IO;
using NiSharp.Tests.Connectome;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Group;

/// <summary>
/// <c>nisharp compare</c> on the lesson's real connectivity matrices. The lesson's time-series files
/// do not record their subjects, so the tests name the twelve outputs after the lesson's subject
/// list (six 1xxxx controls, six 5xxxx patients) in file order: an arbitrary assignment that only
/// exercises the bookkeeping, not a scientific result.
/// </summary>
public class CompareCliTests
{
    private static readonly string[] Ids =
        ["10171", "10292", "10365", "10438", "10565", "10788", "50010", "50035", "50047", "50048", "50052", "50067"];

    /// <summary>Correlation matrices named sub-&lt;id&gt;_relmat.tsv, plus the group mean, in <paramref name="dir"/>.</summary>
    private static string[] Matrices(TempDir dir)
    {
        var ts = LessonConnectivityTests.Files();
        var named = new List<string>();
        for (int k = 0; k < ts.Length; k++)
        {
            var p = dir.File($"sub-{Ids[k]}_task-rest_timeseries.tsv");
            File.Copy(ts[k], p);
            named.Add(p);
        }
        var r = CliRunner.Run([.. new[] { "connectivity" }, .. named, "--kind", "correlation", "-o", dir.File("conn")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return Directory.GetFiles(dir.File("conn"), "*_relmat.tsv").Order(StringComparer.Ordinal).ToArray();
    }

    private static TsvTable Stats(string path) => TsvTable.Read(path);

    [Fact]
    public void Dmn_edge_44_46_by_participants_diagnosis_matches_hand_computation()
    {
        using var dir = new TempDir();
        var matrices = Matrices(dir);
        Assert.Contains(matrices, m => m.EndsWith("group_mean_relmat.tsv"));
        var r = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--participants", TestPaths.Fixture("lesson", "participants.tsv"),
            "--column", "diagnosis", "--groups", "CONTROL", "SCHZ", "--edges", "44-46", "--permutations", "10000", "--seed", "3", "-o", dir.File("stats.tsv")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("skipped group mean", r.Stdout);
        Assert.Contains("CONTROL: 6 subjects, SCHZ: 6 subjects", r.Stdout);

        var stats = Stats(dir.File("stats.tsv"));
        Assert.Equal(1, stats.RowCount);
        Assert.Equal("44-46", stats.GetStrings("feature")[0]);
        Assert.Equal("label_44", stats.GetStrings("region_a")[0]);

        // By hand from the matrices: label 44 is column 41, label 46 column 43 in every file.
        var subjects = matrices.Where(m => !m.EndsWith("group_mean_relmat.tsv")).Select(ConnectivityMatrix.Read).ToArray();
        var ctrl = subjects.Take(6).Select(m => m.Values[41, 43]).ToArray();
        var schz = subjects.Skip(6).Select(m => m.Values[41, 43]).ToArray();
        Assert.Equal(ctrl.Average(), stats.GetNumbers("mean1")[0], 1e-15);
        Assert.Equal(schz.Average(), stats.GetNumbers("mean2")[0], 1e-15);
        Assert.Equal(ctrl.Average() - schz.Average(), stats.GetNumbers("difference")[0], 1e-15);
        double v1 = ctrl.Sum(x => (x - ctrl.Average()) * (x - ctrl.Average())) / 5;
        double v2 = schz.Sum(x => (x - schz.Average()) * (x - schz.Average())) / 5;
        Assert.Equal((ctrl.Average() - schz.Average()) / Math.Sqrt((v1 + v2) / 2), stats.GetNumbers("cohens_d")[0], 1e-12);
        Assert.Equal((ctrl.Average() - schz.Average()) / Math.Sqrt(v1 / 6 + v2 / 6), stats.GetNumbers("t")[0], 1e-12);
        // 6 vs 6 has C(12,6) = 924 splits < 10000: the permutation p is exact, a multiple of 1/924.
        double pPerm = stats.GetNumbers("p_permutation")[0];
        Assert.Equal(Math.Round(pPerm * 924), pPerm * 924, 1e-9);
        // One edge: FDR adjustment changes nothing.
        Assert.Equal(stats.GetNumbers("p")[0], stats.GetNumbers("p_fdr")[0]);
        Assert.Contains("\"ExactPermutation\": true", File.ReadAllText(dir.File("stats.json")));
        // --group-column, the name run and plot groups use, is the same option as --column.
        var unified = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--participants", TestPaths.Fixture("lesson", "participants.tsv"),
            "--group-column", "diagnosis", "--groups", "CONTROL", "SCHZ", "--edges", "44-46", "--permutations", "10000", "--seed", "3", "-o", dir.File("stats2.tsv")]);
        Assert.True(unified.ExitCode == 0, unified.Stderr);
        Assert.Equal(File.ReadAllText(dir.File("stats.tsv")), File.ReadAllText(dir.File("stats2.tsv")));
    }

    [Fact]
    public void Id_rule_gives_the_same_split_as_participants()
    {
        using var dir = new TempDir();
        var matrices = Matrices(dir);
        var a = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--permutations", "0", "-o", dir.File("a.tsv")]);
        var b = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--participants", TestPaths.Fixture("lesson", "participants.tsv"),
            "--groups", "CONTROL", "SCHZ", "--permutations", "0", "-o", dir.File("b.tsv")]);
        Assert.True(a.ExitCode == 0, a.Stderr);
        Assert.True(b.ExitCode == 0, b.Stderr);
        var sa = Stats(dir.File("a.tsv"));
        var sb = Stats(dir.File("b.tsv"));
        Assert.Equal(46 * 45 / 2, sa.RowCount);
        Assert.Equal(sa.GetNumbers("t"), sb.GetNumbers("t"));
        // Every edge is tested, and FDR is applied across all of them.
        var p = sa.GetNumbers("p");
        Assert.Equal(GroupStatistics.BenjaminiHochberg(p), sa.GetNumbers("p_fdr"));
    }

    [Fact]
    public void Network_mean_finds_the_networks_the_time_series_sidecars_record_through_connectivity()
    {
        using var dir = new TempDir();
        // Time series whose sidecars say (as nisharp extract/run write them) that labels 44, 46 and 47 form 'Default'.
        var ts = LessonConnectivityTests.Files();
        var named = new List<string>();
        for (int k = 0; k < ts.Length; k++)
        {
            var p = dir.File($"sub-{Ids[k]}_task-rest_timeseries.tsv");
            File.Copy(ts[k], p);
            var columns = TsvTable.Read(p).Columns;
            var ids = columns.Select(c => Region.FromName(c).LabelId).ToArray();
            var networks = ids.Select(id => id is 44 or 46 or 47 ? "Default" : "Other").ToArray();
            File.WriteAllText(Path.ChangeExtension(p, ".json"), new JsonObject
            {
                ["RegionLabelIds"] = new JsonArray(ids.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
                ["RegionNetworks"] = new JsonArray(networks.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            }.ToJsonString());
            named.Add(p);
        }
        var r = CliRunner.Run([.. new[] { "connectivity" }, .. named, "--kind", "correlation", "-o", dir.File("conn")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var matrices = Directory.GetFiles(dir.File("conn"), "*_relmat.tsv").Order(StringComparer.Ordinal).ToArray();
        r = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--network", "default", "--permutations", "0", "-o", dir.File("net.tsv")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var stats = Stats(dir.File("net.tsv"));
        // The usual abbreviation names Yeo's network (issue 18): the same numbers, under the regions' name.
        var dmn = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--network", "DMN", "--permutations", "0", "-o", dir.File("dmn.tsv")]);
        Assert.True(dmn.ExitCode == 0, dmn.Stderr);
        Assert.Equal("Default", Stats(dir.File("dmn.tsv")).GetStrings("feature")[0]);
        Assert.Equal(stats.GetNumbers("t"), Stats(dir.File("dmn.tsv")).GetNumbers("t"));
        // An unknown network: one line listing the networks there are, the abbreviations, and the nearest spelling.
        var bad = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--network", "Defualt", "-o", dir.File("bad.tsv")]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Single(bad.Stderr.Trim().Split('\n'));
        Assert.Contains("--network Defualt: not among the regions' networks (did you mean Default?): Other, Default (abbreviations: DMN = Default, FPN = Cont", bad.Stderr);
        var subjects = matrices.Where(m => !m.EndsWith("group_mean_relmat.tsv")).Select(ConnectivityMatrix.Read).ToArray();
        double Mean3(ConnectivityMatrix m)
        {
            int a = m.IndexOfLabel(44), b = m.IndexOfLabel(46), c = m.IndexOfLabel(47);
            return (m.Values[a, b] + m.Values[a, c] + m.Values[b, c]) / 3;
        }
        Assert.Equal(subjects.Take(6).Average(Mean3), stats.GetNumbers("mean1")[0], 1e-14);
        Assert.Equal(subjects.Skip(6).Average(Mean3), stats.GetNumbers("mean2")[0], 1e-14);
    }

    [Fact]
    public void Network_mean_uses_the_networks_table()
    {
        using var dir = new TempDir();
        var matrices = Matrices(dir);
        // A made-up network of labels 44, 46 and 47, only to check the averaging.
        File.WriteAllText(dir.File("networks.tsv"), "label\tnetwork\n44\ttest\n46\ttest\n47\ttest\n1\tother\n");
        var r = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--network", "test", "--networks", dir.File("networks.tsv"),
            "--permutations", "0", "-o", dir.File("net.tsv")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var stats = Stats(dir.File("net.tsv"));
        Assert.Equal("network_mean", stats.GetStrings("type")[0]);
        var subjects = matrices.Where(m => !m.EndsWith("group_mean_relmat.tsv")).Select(ConnectivityMatrix.Read).ToArray();
        double Mean3(ConnectivityMatrix m) => (m.Values[41, 43] + m.Values[41, 44] + m.Values[43, 44]) / 3;
        Assert.Equal(subjects.Take(6).Average(Mean3), stats.GetNumbers("mean1")[0], 1e-14);
        Assert.Equal(subjects.Skip(6).Average(Mean3), stats.GetNumbers("mean2")[0], 1e-14);
    }

    [Fact]
    public void Absent_label_and_bad_options_fail_with_one_line()
    {
        using var dir = new TempDir();
        var matrices = Matrices(dir);
        var r = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--edges", "44-48", "-o", dir.File("s.tsv")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("label 48 is in none of the 12 matrices", r.Stderr);
        Assert.False(File.Exists(dir.File("s.tsv")));

        r = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--edges", "44-46", "--network", "x", "-o", dir.File("s.tsv")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("either --edges or --network", r.Stderr);

        // label_N regions carry no network in their names: the error says how to give one.
        r = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--network", "Default", "-o", dir.File("s.tsv")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--network Default: no region of the matrices belongs to it", r.Stderr);
        Assert.Contains("--labels-out", r.Stderr);
        Assert.False(File.Exists(dir.File("s.tsv")));

        r = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--edges", "44:46", "-o", dir.File("s.tsv")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'44:46' is not a pair of label ids", r.Stderr);

        File.WriteAllText(dir.File("p.tsv"), "participant_id\tdiagnosis\nsub-10171\tCONTROL\n");
        r = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--participants", dir.File("p.tsv"), "--groups", "CONTROL", "SCHZ", "-o", dir.File("s.tsv")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    /// <summary>Six subjects' matrices over labels 44–48 where label 48 has no signal (an n/a row and column, as nisharp
    /// run writes an empty atlas label), and, when <paramref name="partly"/>, label 47 is empty for the first subject only.</summary>
    private static string[] MatricesWithAnEmptyRegion(TempDir dir, bool partly = false)
    {
        var regions = new[] { 44, 45, 46, 47, 48 }.Select(l => new Region($"label_{l}", l)).ToArray();
        var rng = new Random(5);
        var paths = new List<string>();
        foreach (var id in new[] { "10001", "10002", "10003", "50001", "50002", "50003" })
        {
            var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(5, 5, (i, j) => i == j ? 1 : 0);
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < i; j++) m[i, j] = m[j, i] = 0.2 + 0.5 * rng.NextDouble();
            bool emptyHere(int i) => i == 4 || (partly && i == 3 && id == "10001");
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 5; j++)
                    if (emptyHere(i) || emptyHere(j)) m[i, j] = double.NaN;
            var path = dir.File($"sub-{id}_relmat.tsv");
            new ConnectivityMatrix(regions, m).Write(path);
            paths.Add(path);
        }
        return paths.ToArray();
    }

    [Fact]
    public void An_edge_of_an_empty_region_warns_naming_the_region_instead_of_printing_nan_silently()
    {
        using var dir = new TempDir();
        var matrices = MatricesWithAnEmptyRegion(dir, partly: true);
        var r = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--edges", "44-48,44-47,44-46", "--permutations", "0", "-o", dir.File("stats.tsv")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("nisharp: warning: region 48 (label_48) has no signal in any of the 6 matrices (an empty atlas label): 44-48 is n/a", r.Stderr);
        Assert.Contains("nisharp: warning: region 47 (label_47) has no signal in 1 of the 6 matrices: that subject is left out of 44-47", r.Stderr);
        Assert.DoesNotContain("label_44", r.Stderr); // regions with signal are not mentioned
        Assert.DoesNotContain("label_46", r.Stderr);
        // Every edge (no --edges): the empty region's edges are listed once, shortened.
        var all = CliRunner.Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--permutations", "0", "-o", dir.File("all.tsv")]);
        Assert.True(all.ExitCode == 0, all.Stderr);
        Assert.Contains("region 48 (label_48) has no signal in any of the 6 matrices (an empty atlas label): 44-48, 45-48, 46-48, 47-48 are n/a", all.Stderr);
    }
}
