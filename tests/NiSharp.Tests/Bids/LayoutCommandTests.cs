using System.Text.Json.Nodes;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

public sealed class LayoutCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _root;

    public LayoutCommandTests() => _root = BidsTree.CreateLessonDataset(_dir);

    public void Dispose() => _dir.Dispose();

    private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Return_subjects_prints_labels_without_prefix_one_per_line()
    {
        var r = CliRunner.Run("layout", _root, "--return", "subjects");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("10438\n10788\n11108\n50052\n", r.Stdout);
        Assert.Equal("", r.Stderr);
        Assert.Equal("rest\n", CliRunner.Run("layout", _root, "--return", "tasks").Stdout);
        Assert.Equal("MNI152NLin2009cAsym\nT1w\n", CliRunner.Run("layout", _root, "--return", "spaces").Stdout);
        Assert.Equal("", CliRunner.Run("layout", _root, "--return", "sessions").Stdout);
        Assert.Equal("", CliRunner.Run("layout", _root, "--return", "runs").Stdout);
    }

    [Fact]
    public void Files_are_full_paths_sorted_and_filters_take_several_values()
    {
        var r = CliRunner.Run("layout", _root, "--subject", "10788", "sub-50052", "--datatype", "func", "--desc", "preproc",
            "--space", "T1w", "--extension", "nii.gz");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
        [
            Path.Combine(_root, "sub-10788/func/sub-10788_task-rest_space-T1w_desc-preproc_bold.nii.gz"),
            Path.Combine(_root, "sub-50052/func/sub-50052_task-rest_space-T1w_desc-preproc_bold.nii.gz"),
        ], Lines(r.Stdout));
    }

    [Fact]
    public void Empty_value_selects_files_without_the_entity()
    {
        var r = CliRunner.Run("layout", _root, "--datatype", "anat", "--desc", "preproc", "--suffix", "T1w", "--extension", ".nii.gz", "--space", "");
        Assert.Equal(BidsTree.LessonSubjects.Select(s => Path.Combine(_root, $"sub-{s}/anat/sub-{s}_desc-preproc_T1w.nii.gz")), Lines(r.Stdout));
    }

    [Fact]
    public void Json_lists_files_with_their_entities()
    {
        var r = CliRunner.Run("layout", _root, "--subject", "10788", "--desc", "confounds", "--extension", ".tsv", "--json");
        Assert.Equal(0, r.ExitCode);
        var arr = JsonNode.Parse(r.Stdout)!.AsArray();
        var f = Assert.Single(arr)!;
        Assert.Equal(Path.Combine(_root, "sub-10788/func/sub-10788_task-rest_desc-confounds_timeseries.tsv"), (string)f["path"]!);
        var e = f["entities"]!.AsObject();
        Assert.Equal(["subject", "task", "desc", "suffix", "datatype", "extension"], e.Select(p => p.Key));
        Assert.Equal(["10788", "rest", "confounds", "timeseries", "func", ".tsv"], e.Select(p => (string)p.Value!));

        var labels = JsonNode.Parse(CliRunner.Run("layout", _root, "--return", "subjects", "--json").Stdout)!.AsArray();
        Assert.Equal(BidsTree.LessonSubjects, labels.Select(n => (string)n!));
    }

    [Fact]
    public void Missing_folder_exits_2_with_one_line()
    {
        var missing = Path.Combine(_dir.Path, "nope");
        var r = CliRunner.Run("layout", missing);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"nisharp: error: {missing}: dataset folder does not exist\n", r.Stderr.Replace("\r", ""));
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Unknown_return_value_is_a_usage_error()
    {
        var r = CliRunner.Run("layout", _root, "--return", "echoes");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("echoes", r.Stderr);
    }

    [Fact]
    public void Warnings_and_unparsed_names_go_to_stderr_once()
    {
        var root = Path.Combine(_dir.Path, "raw");
        BidsTree.Create(root, ["sub-01/anat/sub-01_T1w.nii.gz", "sub-01/anat/sub-01_T1w copy.nii.gz"]);
        var r = CliRunner.Run("layout", root, "--return", "subjects");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("01\n", r.Stdout);
        var err = Lines(r.Stderr.Replace("\r", ""));
        Assert.Single(err, l => l.Contains("no dataset_description.json"));
        Assert.Contains("1 entry was left out of the index", err[1]);
        Assert.Contains("sub-01_T1w copy.nii.gz: suffix 'T1w copy' must be letters and digits", err[2]);
    }

    [Fact]
    public void A_query_that_matches_nothing_says_why_and_lists_what_exists()
    {
        var r = CliRunner.Run("layout", _root, "--subject", "99999");
        Assert.Equal(0, r.ExitCode); // an empty answer is an answer, as pyBIDS's []
        Assert.Equal("", r.Stdout);
        Assert.Equal($"nisharp: nothing matched: no subject 99999 in {_root} (subjects: 10438, 10788, 11108, 50052)\n", r.Stderr);
        // Labels that exist but never together.
        var together = CliRunner.Run("layout", _root, "--subject", "10438", "--datatype", "anat", "--suffix", "bold");
        Assert.Equal("", together.Stdout);
        Assert.Contains("nothing matched: no file of", together.Stderr);
        Assert.Contains("subject=10438", together.Stderr);
        // Labels of an entity no file has.
        var sessions = CliRunner.Run("layout", _root, "--return", "sessions");
        Assert.Equal("", sessions.Stdout);
        Assert.Contains("nothing matched: no file of", sessions.Stderr);
        Assert.Contains("has a session entity", sessions.Stderr);
        // A query with answers says nothing more.
        Assert.Equal("", CliRunner.Run("layout", _root, "--subject", "10438").Stderr);
    }
}
