using System.Text.Json.Nodes;
using NiSharp.Atlases;
using NiSharp.IO;
using NiSharp.Tests.Atlases;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary><c>nisharp run</c> with an atlas from a TemplateFlow home: found in the runs' space, named by its dseg.tsv in
/// every output, recorded with its origin, and its unusual names escaped in the HTML report.</summary>
[Collection(PipelineCollection.Name)]
public class RunAtlasSourceTests(DemoCohorts cohorts)
{
    private static JsonObject Json(string path) => (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;

    [Fact]
    public void Participant_level_takes_a_templateflow_atlas_with_its_dseg_names_escaped_in_the_report()
    {
        var data = cohorts.Planted.DataDirectory;
        var id = cohorts.Planted.Participants[0].Id;
        var output = cohorts.NewFolder("templateflow");
        // Names as a user's table may have them: markup, ampersands, quotes, non-ASCII.
        var names = AtlasHomes.Names(n => n.StartsWith("LH Default", StringComparison.Ordinal) ? $"<b>{n}</b> & \"ü\"" : n);
        var home = AtlasHomes.TemplateFlow(cohorts.NewFolder("tf"), TemplateSpace.MNI152NLin2009cAsym, names);
        string[] args = ["run", data, output, "participant", "--participant-label", id, "--atlas", AtlasHomes.Spec, "--templateflow-home", home];
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.DoesNotContain("warning: atlas", r.Stdout); // the atlas is in the runs' space

        var prefix = Path.Combine(output, $"sub-{id}", "func", $"sub-{id}_task-rest_space-MNI152NLin2009cAsym_atlas-Schaefer2018100Parcels7Networks");
        var ts = TsvTable.Read(prefix + "_stat-mean_timeseries.tsv");
        Assert.Equal(names.Select(l => l.Name), ts.Columns);
        var relmat = TsvTable.Read(prefix + "_stat-pearsoncorrelation_relmat.tsv");
        Assert.Contains("<b>LH Default Temp 1</b> & \"ü\"", relmat.Columns);
        var atlas = Json(prefix + "_stat-mean_timeseries.json")["Atlas"]!;
        Assert.Equal("templateflow", atlas["Origin"]!.GetValue<string>());
        Assert.Equal("MNI152NLin2009cAsym", atlas["Space"]!.GetValue<string>());
        Assert.Equal("Schaefer2018100Parcels7Networks", atlas["Label"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{16}$", atlas["ContentHash"]!.GetValue<string>());
        Assert.Null(atlas["SpaceWarning"]);

        // The report's tables carry the names escaped: no markup of the table reaches the page.
        var page = File.ReadAllText(Path.Combine(output, $"sub-{id}", "figures", $"sub-{id}_task-rest_space-MNI152NLin2009cAsym_atlas-Schaefer2018100Parcels7Networks_report.html"));
        Assert.Contains("&lt;b&gt;LH Default Temp 1&lt;/b&gt; &amp; &quot;&#252;&quot;", page); // ü as a character reference
        Assert.DoesNotContain("<b>LH Default", page);
        Assert.DoesNotContain("</b> & ", page);

        // The same atlas again: complete, nothing redone (its content hash is part of the parameters).
        var again = CliRunner.Run(args);
        Assert.Contains("0 done, 1 already complete", again.Stdout);
    }

    [Fact]
    public void A_bundled_atlas_in_another_space_is_said_once()
    {
        var data = cohorts.Planted.DataDirectory;
        var ids = cohorts.Planted.Participants.Take(2).Select(p => p.Id).ToArray();
        var output = cohorts.NewFolder("space-warning");
        var r = CliRunner.Run("run", data, output, "participant", "--participant-label", ids[0], ids[1], "--atlas", "schaefer100-7", "--no-reports", "--jobs", "1");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var warning = Assert.Single(r.Stdout.Split('\n'), l => l.Contains("warning: atlas"));
        Assert.Contains("schaefer100-7 is in MNI152NLin6Asym but the BOLD is in MNI152NLin2009cAsym", warning);
        var sidecar = Json(Path.Combine(output, $"sub-{ids[0]}", "func", $"sub-{ids[0]}_task-rest_space-MNI152NLin2009cAsym_atlas-Schaefer100n7_stat-mean_timeseries.json"));
        Assert.Equal("MNI152NLin6Asym", sidecar["Atlas"]!["Space"]!.GetValue<string>());
        Assert.Contains("resampled", sidecar["Atlas"]!["SpaceWarning"]!.GetValue<string>());
    }
}
