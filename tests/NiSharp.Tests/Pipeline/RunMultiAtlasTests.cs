using System.Text.Json.Nodes;
using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary><c>nisharp run … --atlas A B</c>: one read of each BOLD, one complete set of outputs per atlas — the same
/// files, byte for byte, as each atlas alone —, resumable per atlas set.</summary>
[Collection(PipelineCollection.Name)]
public class RunMultiAtlasTests(DemoCohorts cohorts)
{
    private const string Space = "task-rest_space-MNI152NLin2009cAsym";

    private static JsonNode Json(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    // The subject's outputs: everything under sub-*/ (time series and sidecars, coverage, matrices, motion QC, report
    // pages). Outside them, the logs and status, the summary report.html and dataset_description.json record the
    // invocation (times, the atlas set's parameters hash) and are not compared.
    private static SortedDictionary<string, byte[]> SubjectFiles(string output) =>
        DemoCohorts.Contents(output, p => p.StartsWith("sub-", StringComparison.Ordinal));

    [Fact]
    public void Two_atlases_in_one_run_write_what_each_atlas_writes_alone_byte_for_byte()
    {
        var data = cohorts.Planted.DataDirectory;
        var id = cohorts.Planted.Participants[0].Id;
        string[] common = ["--participant-label", id, "--kind", "correlation", "covariance", "--jobs", "1"];
        var both = cohorts.NewFolder("multi-both");
        var yeo = cohorts.NewFolder("multi-yeo");
        var schaefer = cohorts.NewFolder("multi-schaefer");
        var r = CliRunner.Run(["run", data, both, "participant", "--atlas", "yeo7-relabeled", "schaefer100-7", .. common]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal(0, CliRunner.Run(["run", data, yeo, "participant", "--atlas", "yeo7-relabeled", .. common]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["run", data, schaefer, "participant", "--atlas", "schaefer100-7", .. common]).ExitCode);

        var multi = SubjectFiles(both);
        var alone = SubjectFiles(yeo);
        foreach (var (name, bytes) in SubjectFiles(schaefer)) alone.Add(name, bytes);
        Assert.Equal(alone.Keys, multi.Keys);
        // per atlas: time series tsv+json, coverage, 2 × relmat tsv+json, motion QC tsv+json, the report page
        Assert.Equal(2 * 10, multi.Count);
        Assert.Contains($"sub-{id}/func/sub-{id}_{Space}_atlas-Schaefer100n7_stat-mean_timeseries.tsv", multi.Keys);
        Assert.Contains($"sub-{id}/figures/sub-{id}_{Space}_atlas-Yeo7relabeled_report.html", multi.Keys);
        foreach (var (name, bytes) in alone) Assert.True(bytes.AsSpan().SequenceEqual(multi[name]), $"{name} differs");

        // The log and status record the atlas set: its own hash, and each atlas's.
        var yeoHash = Json(Path.Combine(yeo, $"sub-{id}", "func", $"sub-{id}_{Space}_atlas-Yeo7relabeled_stat-mean_timeseries.json"))["ParametersHash"]!.GetValue<string>();
        var setHash = Json(Path.Combine(both, "logs", $"sub-{id}_status.json"))["ParametersHash"]!.GetValue<string>();
        Assert.NotEqual(yeoHash, setHash);
        Assert.Equal(yeoHash, Json(Path.Combine(yeo, "logs", $"sub-{id}_status.json"))["ParametersHash"]!.GetValue<string>());
        var log = File.ReadAllText(Path.Combine(both, "logs", $"sub-{id}.log"));
        Assert.Contains($"parameters {setHash} (2 atlases: atlas-Yeo7relabeled {yeoHash}, atlas-Schaefer100n7 ", log);
        Assert.Contains("atlas-Schaefer100n7: 100 regions", log);
    }

    [Fact]
    public void A_rerun_skips_the_same_atlas_set_and_redoes_a_subject_when_an_atlas_is_added()
    {
        var data = cohorts.Planted.DataDirectory;
        var id = cohorts.Planted.Participants[1].Id;
        var output = cohorts.NewFolder("multi-resume");
        string[] common = ["--participant-label", id, "--no-reports"];
        Assert.Equal(0, CliRunner.Run(["run", data, output, "participant", "--atlas", "yeo7-relabeled", .. common]).ExitCode);
        var yeoSidecar = Path.Combine(output, $"sub-{id}", "func", $"sub-{id}_{Space}_atlas-Yeo7relabeled_stat-mean_timeseries.json");
        var schaeferSidecar = Path.Combine(output, $"sub-{id}", "func", $"sub-{id}_{Space}_atlas-Schaefer100n7_stat-mean_timeseries.json");
        Assert.False(File.Exists(schaeferSidecar));

        // An atlas added: the subject is not complete for the new set, and is processed again with both.
        var added = CliRunner.Run(["run", data, output, "participant", "--atlas", "yeo7-relabeled", "schaefer100-7", .. common]);
        Assert.True(added.ExitCode == 0, added.Stdout + added.Stderr);
        Assert.Contains("1 done, 0 already complete", added.Stdout);
        Assert.True(File.Exists(schaeferSidecar));
        var written = (File.GetLastWriteTimeUtc(yeoSidecar), File.GetLastWriteTimeUtc(schaeferSidecar));

        // The same set again, in either order, and either atlas alone: complete, nothing rewritten.
        foreach (var atlases in new[] { new[] { "yeo7-relabeled", "schaefer100-7" }, ["schaefer100-7", "yeo7-relabeled"], ["schaefer100-7"], ["yeo7-relabeled"] })
        {
            var again = CliRunner.Run(["run", data, output, "participant", "--atlas", .. atlases, .. common]);
            Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
            Assert.Contains("0 done, 1 already complete", again.Stdout);
        }
        Assert.Equal(written, (File.GetLastWriteTimeUtc(yeoSidecar), File.GetLastWriteTimeUtc(schaeferSidecar)));
    }

    [Fact]
    public void A_bad_atlas_among_several_fails_in_one_line_naming_it_before_anything_is_written()
    {
        var data = cohorts.Planted.DataDirectory;
        var id = cohorts.Planted.Participants[0].Id;
        var output = cohorts.NewFolder("multi-bad");
        var r = CliRunner.Run("run", data, output, "participant", "--participant-label", id, "--atlas", "yeo7-relabeled", "no-such-atlas", "schaefer100-7");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no-such-atlas", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(output, $"sub-{id}")));

        // The same atlas twice under two spellings has one atlas- label: refused.
        var twice = CliRunner.Run("run", data, output, "participant", "--participant-label", id, "--atlas", "yeo7-relabeled", "yeo7_relabeled");
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("atlas-Yeo7relabeled", twice.Stderr);
    }

    [Fact]
    public void Atlas_labels_and_grayordinate_runs_take_one_atlas()
    {
        var data = cohorts.Planted.DataDirectory;
        var output = cohorts.NewFolder("multi-refused");
        var table = Path.Combine(cohorts.NewFolder("multi-labels"), "labels.tsv");
        File.WriteAllText(table, "index\tname\n1\tA\n");
        var labels = CliRunner.Run("run", data, output, "participant", "--atlas", "yeo7-relabeled", "schaefer100-7", "--atlas-labels", table);
        Assert.Equal(2, labels.ExitCode);
        Assert.Contains("--atlas-labels names the labels of one atlas", labels.Stderr);
        Assert.Single(labels.Stderr.Trim().Split('\n'));

        var fsLR = CliRunner.Run("run", data, output, "participant", "--space", "fsLR", "--atlas", "conte69-composite", "conte69-brodmann");
        Assert.Equal(2, fsLR.ExitCode);
        Assert.Contains("--atlas: a run on fsLR grayordinates takes one atlas", fsLR.Stderr);
        Assert.Single(fsLR.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void The_group_level_of_several_atlases_compares_each_as_it_would_alone()
    {
        var data = cohorts.Planted.DataDirectory;
        var controls = cohorts.Planted.Participants.Where(p => !p.IsPatient).Take(3).Select(p => p.Id);
        var patients = cohorts.Planted.Participants.Where(p => p.IsPatient).Take(3).Select(p => p.Id);
        string[] labels = ["--participant-label", .. controls, .. patients];
        var both = cohorts.NewFolder("multi-group");
        var r = CliRunner.Run(["run", data, both, "participant", "--atlas", "yeo7-relabeled", "schaefer100-7", "--no-reports", .. labels]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var yeo = cohorts.NewFolder("multi-group-yeo");
        DemoCohorts.Copy(both, yeo);

        string[] group = ["group", "--permutations", "200", .. labels];
        var g = CliRunner.Run(["run", data, both, .. group, "--atlas", "yeo7-relabeled", "schaefer100-7"]);
        Assert.True(g.ExitCode == 0, g.Stdout + g.Stderr);
        Assert.Contains("atlas-Yeo7relabeled:", g.Stdout);
        Assert.Contains("atlas-Schaefer100n7:", g.Stdout);
        var alone = CliRunner.Run(["run", data, yeo, .. group, "--atlas", "yeo7-relabeled"]);
        Assert.True(alone.ExitCode == 0, alone.Stdout + alone.Stderr);

        // Each atlas's tables under group/, told apart by atlas-; the failed list and the page per atlas.
        var multi = DemoCohorts.Contents(Path.Combine(both, "group"));
        Assert.Contains("atlas-Yeo7relabeled_failed_subjects.tsv", multi.Keys);
        Assert.Contains("atlas-Schaefer100n7_failed_subjects.tsv", multi.Keys);
        Assert.Contains($"{Space}_atlas-Schaefer100n7_stat-pearsoncorrelation_desc-groupcomparison_statistics.tsv", multi.Keys);
        Assert.Contains("atlas-Schaefer100n7_report.html", multi.Keys);
        Assert.Contains("atlas-Yeo7relabeled_report.html", multi.Keys);
        // The top page shows each atlas's group level, linking its page.
        var top = File.ReadAllText(Path.Combine(both, "report.html"));
        Assert.Contains("href=\"group/atlas-Schaefer100n7_report.html\"", top);
        Assert.Contains("href=\"group/atlas-Yeo7relabeled_report.html\"", top);
        var single = DemoCohorts.Contents(Path.Combine(yeo, "group"));
        Assert.Equal(single["failed_subjects.tsv"], multi["atlas-Yeo7relabeled_failed_subjects.tsv"]);
        var yeoTables = single.Keys.Where(k => k.Contains("atlas-Yeo7relabeled", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(yeoTables);
        foreach (var name in yeoTables) Assert.True(single[name].AsSpan().SequenceEqual(multi[name]), $"{name} differs");
    }
}
