using NiSharp.Bids;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

/// <summary>BIDS inheritance: root, subject, session and file-level sidecars, most specific wins.</summary>
public sealed class MetadataTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _root;

    public MetadataTests()
    {
        _root = Path.Combine(_dir.Path, "ds");
        BidsTree.Create(_root,
        [
            "sub-01/func/sub-01_task-rest_bold.nii.gz",
            "sub-01/func/sub-01_task-rest_acq-fast_bold.nii.gz",
            "sub-01/func/sub-01_task-nback_bold.nii.gz",
            "sub-02/func/sub-02_task-rest_bold.nii.gz",
            "sub-02/func/sub-02_task-rest_acq-fast_bold.nii.gz",
            "sub-03/ses-1/func/sub-03_ses-1_task-rest_run-1_bold.nii.gz",
            "sub-03/ses-1/func/sub-03_ses-1_task-rest_run-2_bold.nii.gz",
            "sub-04/func/sub-04_task-rest_bold.nii.gz",
            "sub-05/func/sub-05_task-rest_bold.nii.gz",
        ], new Dictionary<string, string>
        {
            ["dataset_description.json"] = """{"Name": "inheritance", "BIDSVersion": "1.8.0"}""",
            // Dataset level: applies to every rest BOLD.
            ["task-rest_bold.json"] = """{"RepetitionTime": 2.0, "TaskName": "rest", "EchoTime": 0.03}""",
            // A more specific top-level sidecar: only for acq-fast.
            ["task-rest_acq-fast_bold.json"] = """{"RepetitionTime": 0.72}""",
            // File level override.
            ["sub-01/func/sub-01_task-rest_bold.json"] = """{"RepetitionTime": 2.5, "SliceTiming": [0, 0.5, 1.0, 1.5]}""",
            // Subject level (no datatype folder).
            ["sub-02/sub-02_task-rest_bold.json"] = """{"EchoTime": 0.025}""",
            // Session-level sidecar for one run only; the other run inherits from the root.
            ["sub-03/ses-1/sub-03_ses-1_task-rest_run-2_bold.json"] = """{"RepetitionTime": 3.0}""",
            // Not JSON: only asking for sub-04's metadata fails.
            ["sub-04/func/sub-04_task-rest_bold.json"] = """{"RepetitionTime": 2.0,, }""",
            // Not an object.
            ["sub-05/func/sub-05_task-rest_bold.json"] = """[1, 2]""",
        });
    }

    public void Dispose() => _dir.Dispose();

    private BidsMetadata Meta(BidsLayout layout, string rel) => layout.GetMetadata(Path.Combine(_root, rel));

    [Fact]
    public void Top_level_sidecar_gives_RepetitionTime_to_every_matching_file()
    {
        var layout = BidsLayout.Index(_root);
        var m = Meta(layout, "sub-03/ses-1/func/sub-03_ses-1_task-rest_run-1_bold.nii.gz");
        Assert.Equal(2.0, m.GetDouble("RepetitionTime"));
        Assert.Equal("rest", m.GetString("TaskName"));
        Assert.Equal([Path.Combine(_root, "task-rest_bold.json")], m.Sources);
    }

    [Fact]
    public void File_level_sidecar_overrides_and_adds_keys()
    {
        var layout = BidsLayout.Index(_root);
        var m = Meta(layout, "sub-01/func/sub-01_task-rest_bold.nii.gz");
        Assert.Equal(2.5, m.GetDouble("RepetitionTime"));
        Assert.Equal(0.03, m.GetDouble("EchoTime"));
        Assert.Equal([0, 0.5, 1.0, 1.5], m.GetDoubles("SliceTiming")!);
        Assert.Equal(
        [
            Path.Combine(_root, "task-rest_bold.json"),
            Path.Combine(_root, "sub-01/func/sub-01_task-rest_bold.json"),
        ], m.Sources);
    }

    [Fact]
    public void Sidecar_with_more_entities_at_the_same_level_wins_and_others_do_not_apply()
    {
        var layout = BidsLayout.Index(_root);
        var fast = Meta(layout, "sub-02/func/sub-02_task-rest_acq-fast_bold.nii.gz");
        Assert.Equal(0.72, fast.GetDouble("RepetitionTime"));
        Assert.Equal(0.025, fast.GetDouble("EchoTime"));
        Assert.Equal(
        [
            Path.Combine(_root, "task-rest_bold.json"),
            Path.Combine(_root, "task-rest_acq-fast_bold.json"),
            Path.Combine(_root, "sub-02/sub-02_task-rest_bold.json"),
        ], fast.Sources);
        // Deeper beats more entities: sub-01's func-level sidecar (no acq) applies to acq-fast too and wins.
        Assert.Equal(2.5, Meta(layout, "sub-01/func/sub-01_task-rest_acq-fast_bold.nii.gz").GetDouble("RepetitionTime"));
        // task-nback has no sidecar at all: none of the rest ones apply.
        var nback = Meta(layout, "sub-01/func/sub-01_task-nback_bold.nii.gz");
        Assert.Equal(0, nback.Count);
        Assert.Null(nback.GetDouble("RepetitionTime"));
    }

    [Fact]
    public void Subject_and_session_level_sidecars_apply_below_them()
    {
        var layout = BidsLayout.Index(_root);
        var s2 = Meta(layout, "sub-02/func/sub-02_task-rest_bold.nii.gz");
        Assert.Equal(0.025, s2.GetDouble("EchoTime"));
        Assert.Equal(2.0, s2.GetDouble("RepetitionTime"));
        Assert.Equal(3.0, Meta(layout, "sub-03/ses-1/func/sub-03_ses-1_task-rest_run-2_bold.nii.gz").GetDouble("RepetitionTime"));
        Assert.Equal(2.0, Meta(layout, "sub-03/ses-1/func/sub-03_ses-1_task-rest_run-1_bold.nii.gz").GetDouble("RepetitionTime"));
    }

    [Fact]
    public void Bold_run_repetition_time_comes_from_inheritance()
    {
        var layout = BidsLayout.Index(_root);
        var run = layout.GetBoldRun(Path.Combine(_root, "sub-01/func/sub-01_task-rest_bold.nii.gz"));
        Assert.Equal(2.5, run.RepetitionTime);
        Assert.Null(run.Mask);
        var e = Assert.Throws<NiSharpException>(() => run.RequireMask());
        Assert.Contains("sub-01_task-rest_bold.nii.gz: no brain mask", e.Message);
        Assert.Null(layout.GetBoldRun(Path.Combine(_root, "sub-01/func/sub-01_task-nback_bold.nii.gz")).RepetitionTime);
    }

    [Fact]
    public void Invalid_JSON_fails_naming_the_sidecar_only_when_its_metadata_is_asked_for()
    {
        var layout = BidsLayout.Index(_root);
        Assert.Empty(layout.Problems);
        var e = Assert.Throws<NiSharpException>(() => Meta(layout, "sub-04/func/sub-04_task-rest_bold.nii.gz"));
        Assert.StartsWith(Path.Combine(_root, "sub-04/func/sub-04_task-rest_bold.json") + ": invalid JSON", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        var notObject = Assert.Throws<NiSharpException>(() => Meta(layout, "sub-05/func/sub-05_task-rest_bold.nii.gz"));
        Assert.Contains("sub-05_task-rest_bold.json: expected a JSON object", notObject.Message);
        // Other files are unaffected.
        Assert.Equal(2.0, Meta(layout, "sub-02/func/sub-02_task-rest_bold.nii.gz").GetDouble("RepetitionTime"));
    }

    [Fact]
    public void Metadata_of_a_file_outside_the_layout_is_a_clear_error()
    {
        var layout = BidsLayout.Index(_root);
        var e = Assert.Throws<NiSharpException>(() => layout.GetMetadata(Path.Combine(_dir.Path, "elsewhere_bold.nii.gz")));
        Assert.Contains("not a file of the dataset", e.Message);
    }
}
