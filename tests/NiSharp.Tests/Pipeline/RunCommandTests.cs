using System.Text.Json.Nodes;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary><c>nisharp run</c> end to end through the command line on a small demo cohort.</summary>
[Collection(PipelineCollection.Name)]
public class RunCommandTests(DemoCohorts cohorts)
{
    private const string Prefix = "task-rest_space-MNI152NLin2009cAsym_atlas-Yeo7relabeled";

    private static string Sub(string id) => $"sub-{id}/func/sub-{id}_{Prefix}";

    [Fact]
    public void Participant_level_writes_the_issue_names_readable_as_tsv_with_full_sidecars()
    {
        var data = cohorts.Planted.DataDirectory;
        var ids = cohorts.Planted.Participants.Take(2).Select(p => p.Id).ToArray();
        var output = _lastOutput = cohorts.NewFolder("names");
        var r = CliRunner.Run("run", data, output, "participant", "--participant-label", ids[0], "sub-" + ids[1],
            "--kind", "correlation", "partial-correlation", "covariance", "precision");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("2 done, 0 already complete, 0 failed", r.Stdout);

        foreach (var id in ids)
        {
            var ts = Path.Combine(output, Sub(id) + "_stat-mean_timeseries.tsv");
            var table = TsvTable.Read(ts);
            Assert.Equal(49, table.Columns.Count); // every label of the atlas, empty ones as n/a columns
            Assert.Equal(148, table.RowCount);    // 152 volumes minus the 4 non-steady-state ones, none censored by yeo2011
            Assert.Contains("label_44", table.Columns);
            Assert.True(table.Columns.All(c => table.IsNumeric(table.IndexOf(c))));
            var statuses = coverageStatus(id);
            foreach (var c in table.Columns)
            {
                bool empty = table.GetNumbers(c).All(double.IsNaN);
                Assert.Equal(statuses[c] != "extracted", empty);
            }
            var series = RegionTimeSeries.Read(ts);
            Assert.Equal(44, series.Regions.Single(x => x.Name == "label_44").LabelId);

            var coverage = TsvTable.Read(Path.Combine(output, Sub(id) + "_stat-coverage_bold.tsv"));
            Assert.Equal(["index", "name", "network", "atlas_voxels", "grid_voxels", "mask_voxels", "coverage", "status"], coverage.Columns);
            Assert.Equal(49, coverage.RowCount);

            foreach (var stat in new[] { "pearsoncorrelation", "partialcorrelation", "covariance", "precision" })
            {
                var relmat = Path.Combine(output, Sub(id) + $"_stat-{stat}_relmat.tsv");
                var m = TsvTable.Read(relmat);
                Assert.Equal(49, m.Columns.Count);
                Assert.Equal(49, m.RowCount);
                var matrix = ConnectivityMatrix.Read(relmat);
                int i = matrix.IndexOfLabel(44), j = matrix.IndexOfLabel(46);
                Assert.Equal(matrix.Values[i, j], matrix.Values[j, i]);
                var meta = Json(Path.ChangeExtension(relmat, ".json"));
                Assert.NotNull(meta["ParametersHash"]);
                Assert.NotNull(meta["Sources"]);
            }
            var corr = ConnectivityMatrix.Read(Path.Combine(output, Sub(id) + "_stat-pearsoncorrelation_relmat.tsv"));
            int a = corr.IndexOfLabel(44);
            Assert.Equal(1.0, corr.Values[a, a], 12);

            var sidecar = Json(Path.Combine(output, Sub(id) + "_stat-mean_timeseries.json"));
            Assert.Equal(2.0, sidecar["RepetitionTime"]!.GetValue<double>());
            var sources = sidecar["Sources"]!.AsArray().Select(s => s!.GetValue<string>()).ToList();
            Assert.Contains($"bids:preprocessed:sub-{id}/func/sub-{id}_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz", sources);
            Assert.Contains($"bids:preprocessed:sub-{id}/func/sub-{id}_task-rest_desc-confounds_timeseries.tsv", sources);
            Assert.Equal(4, sidecar["DummyVolumes"]!.GetValue<int>());
            Assert.Empty(sidecar["CensoredVolumes"]!.AsArray());
            Assert.Equal(18, sidecar["SelectedConfounds"]!.AsArray().Count); // the lesson's Yeo 2011 set
            Assert.Equal("yeo2011", sidecar["confounds"]!["denoise_strategy"]!.GetValue<string>());
            Assert.Equal(0.08, sidecar["clean"]!["low_pass"]!.GetValue<double>());
            Assert.Equal(0.009, sidecar["clean"]!["high_pass"]!.GetValue<double>());
            Assert.Equal("zscore_sample", sidecar["clean"]!["standardize"]!.GetValue<string>());
            Assert.Equal("yeo7-relabeled", sidecar["Atlas"]!["Name"]!.GetValue<string>());
            Assert.NotNull(sidecar["ParametersHash"]);
            Assert.NotNull(sidecar["InputsHash"]);
            Assert.True(File.Exists(Path.Combine(output, "logs", $"sub-{id}.log")));
        }
        var description = Json(Path.Combine(output, "dataset_description.json"));
        Assert.Equal("derivative", description["DatasetType"]!.GetValue<string>());
        Assert.Equal("NiSharp", description["GeneratedBy"]![0]!["Name"]!.GetValue<string>());
        Assert.NotNull(description["SourceDatasets"]![0]!["URL"]);
        Assert.Equal(new Uri(data + "/").AbsoluteUri, description["DatasetLinks"]!["preprocessed"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(output, "report.html")));
        // The run's page: FD trace with censored volumes, coverage table, atlas over the reference EPI, the matrix.
        var page = File.ReadAllText(Path.Combine(output, $"sub-{ids[0]}", "figures", $"sub-{ids[0]}_{Prefix}_report.html"));
        foreach (var section in new[] { "id=\"motion\"", "id=\"coverage\"", "id=\"atlas\"", "id=\"matrix\"" })
            Assert.Contains(section, page);
        Assert.Contains("<figure><svg ", page);          // vector figures, their pictures embedded
        Assert.Contains("href=\"data:image/png;base64,", page);
    }

    [Fact]
    public void A_second_run_into_a_new_folder_gives_identical_matrices()
    {
        var first = cohorts.PlantedResults;
        var second = cohorts.NewFolder("second");
        var r = CliRunner.Run("run", cohorts.Planted.DataDirectory, second, "participant", "--no-reports");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var a = DemoCohorts.Contents(first, p => p.StartsWith("sub-", StringComparison.Ordinal));
        var b = DemoCohorts.Contents(second, p => p.StartsWith("sub-", StringComparison.Ordinal));
        Assert.Equal(a.Keys, b.Keys);
        Assert.Equal(16 * 7, a.Count); // timeseries tsv+json, coverage, relmat tsv+json, motion QC tsv+json per subject
        foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs");
    }

    [Fact]
    public void A_rerun_skips_subjects_whose_outputs_are_complete_and_redoes_changed_parameters()
    {
        var data = cohorts.Planted.DataDirectory;
        var ids = cohorts.Planted.Participants.Take(2).Select(p => p.Id).ToArray();
        var output = cohorts.NewFolder("rerun");
        Assert.Equal(0, CliRunner.Run("run", data, output, "participant", "--participant-label", ids[0], ids[1], "--no-reports").ExitCode);
        var sidecar = Path.Combine(output, Sub(ids[0]) + "_stat-mean_timeseries.json");
        var written = File.GetLastWriteTimeUtc(sidecar);

        var again = CliRunner.Run("run", data, output, "participant", "--participant-label", ids[0], ids[1], "--no-reports");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("0 done, 2 already complete", again.Stdout);
        Assert.Equal(written, File.GetLastWriteTimeUtc(sidecar));

        // Other parameters make the outputs stale: the subject is processed again.
        var other = CliRunner.Run("run", data, output, "participant", "--participant-label", ids[0], "--strategy", "simple", "--no-reports");
        Assert.Equal(0, other.ExitCode);
        Assert.Contains("1 done, 0 already complete", other.Stdout);
        Assert.Equal("simple", Json(sidecar)["confounds"]!["denoise_strategy"]!.GetValue<string>());
    }

    [Fact]
    public void Group_level_compares_diagnosis_groups_and_writes_tables_under_group()
    {
        var output = cohorts.PlantedResults;
        var r = CliRunner.Run("run", cohorts.Planted.DataDirectory, output, "group", "--no-reports");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("CONTROL vs SCHZ", r.Stdout);
        var group = Path.Combine(output, "group");
        var stats = TsvTable.Read(Path.Combine(group, $"{Prefix}_stat-pearsoncorrelation_desc-groupcomparison_statistics.tsv"));
        var features = stats.GetStrings("feature");
        Assert.Contains("44-46", features);
        // Every default feature is a pair of default-mode regions of the atlas's label table.
        var atlas = NiSharp.Atlases.Atlas.Load("yeo7-relabeled");
        foreach (var (a, b) in stats.GetNumbers("label_a").Zip(stats.GetNumbers("label_b")))
        {
            Assert.Equal("Default", atlas.Labels[(int)a]!.Network);
            Assert.Equal("Default", atlas.Labels[(int)b]!.Network);
        }
        Assert.Equal(["CONTROL"], stats.GetStrings("group1").Distinct());
        var values = TsvTable.Read(Path.Combine(group, $"{Prefix}_stat-pearsoncorrelation_desc-edges_values.tsv"));
        Assert.Equal(16, values.RowCount);
        Assert.Equal(8, values.GetStrings("group").Count(g => g == "SCHZ"));
        Assert.True(File.Exists(Path.Combine(group, $"{Prefix}_stat-pearsoncorrelation_desc-mean_relmat.tsv")));
        Assert.Equal(1, TsvTable.Read(Path.Combine(group, "failed_subjects.tsv")).Columns.Count(c => c == "reason"));
    }

    [Fact]
    public void Group_level_takes_an_id_rule_and_explicit_edges()
    {
        var output = cohorts.PlantedResults;
        var r = CliRunner.Run("run", cohorts.Planted.DataDirectory, output, "group", "--groups", "1*", "5*", "--edges", "44-46,41-49", "--no-reports", "--permutations", "500");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var stats = TsvTable.Read(Path.Combine(output, "group", $"{Prefix}_stat-pearsoncorrelation_desc-groupcomparison_statistics.tsv"));
        Assert.Equal(["44-46", "41-49"], stats.GetStrings("feature"));
        Assert.Equal(["1*"], stats.GetStrings("group1").Distinct());
        Assert.Equal([8.0], stats.GetNumbers("n1").Distinct());
    }

    [Fact]
    public void Tangent_is_fitted_by_the_group_level_and_written_beside_each_run()
    {
        var data = cohorts.Planted.DataDirectory;
        var output = cohorts.NewFolder("tangent");
        Assert.Equal(0, CliRunner.Run("run", data, output, "participant", "--kind", "correlation", "tangent", "--no-reports").ExitCode);
        var id = cohorts.Planted.Participants[0].Id;
        Assert.False(File.Exists(Path.Combine(output, Sub(id) + "_stat-tangent_relmat.tsv")));
        var g = CliRunner.Run("run", data, output, "group", "--kind", "correlation", "tangent", "--no-reports", "--permutations", "200");
        Assert.True(g.ExitCode == 0, g.Stdout + g.Stderr);
        var tangent = ConnectivityMatrix.Read(Path.Combine(output, Sub(id) + "_stat-tangent_relmat.tsv"));
        int i = tangent.IndexOfLabel(44), j = tangent.IndexOfLabel(46);
        Assert.True(double.IsFinite(tangent.Values[i, j]));
        Assert.Equal(tangent.Values[i, j], tangent.Values[j, i], 12);
        Assert.True(File.Exists(Path.Combine(output, "group", $"{Prefix}_stat-tangent_desc-groupcomparison_statistics.tsv")));
    }

    private Dictionary<string, string> coverageStatus(string id)
    {
        var t = TsvTable.Read(Directory.GetFiles(Path.Combine(_lastOutput!, $"sub-{id}", "func"), "*_stat-coverage_bold.tsv").Single());
        return t.GetStrings("name").Zip(t.GetStrings("status")).ToDictionary(x => x.First, x => x.Second);
    }

    private string? _lastOutput;

    private static JsonObject Json(string path) => (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
}
