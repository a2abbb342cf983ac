using NiSharp.Bids;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

/// <summary>A raw dataset and its fMRIPrep derivatives with two sessions and two runs per session.</summary>
public sealed class SessionsAndRunsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IEnumerable<string> RawFiles()
    {
        yield return "dataset_description.json";
        yield return "participants.tsv";
        yield return "task-rest_bold.json";
        foreach (var s in new[] { "01", "02" })
        {
            yield return $"sub-{s}/ses-pre/anat/sub-{s}_ses-pre_T1w.nii.gz";
            foreach (var ses in new[] { "pre", "post" })
            foreach (var run in new[] { "01", "02" })
            {
                yield return $"sub-{s}/ses-{ses}/func/sub-{s}_ses-{ses}_task-rest_run-{run}_bold.nii.gz";
                yield return $"sub-{s}/ses-{ses}/func/sub-{s}_ses-{ses}_task-rest_run-{run}_events.tsv";
            }
            yield return $"sub-{s}/ses-post/func/sub-{s}_ses-post_task-nback_bold.nii.gz";
        }
        // A derivatives folder inside the raw dataset is left to its own index, as pyBIDS does by default.
        yield return "derivatives/fmriprep/sub-01/func/sub-01_task-rest_desc-preproc_bold.nii.gz";
    }

    private static IEnumerable<string> FmriprepFiles()
    {
        yield return "dataset_description.json";
        foreach (var s in new[] { "01", "02" })
        {
            yield return $"sub-{s}/anat/sub-{s}_desc-preproc_T1w.nii.gz";
            yield return $"sub-{s}/anat/sub-{s}_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz";
            foreach (var ses in new[] { "pre", "post" })
            foreach (var run in new[] { "1", "2" })
            {
                var stem = $"sub-{s}/ses-{ses}/func/sub-{s}_ses-{ses}_task-rest_run-{run}";
                foreach (var space in new[] { "MNI152NLin2009cAsym", "T1w" })
                {
                    yield return $"{stem}_space-{space}_desc-preproc_bold.nii.gz";
                    yield return $"{stem}_space-{space}_desc-preproc_bold.json";
                    yield return $"{stem}_space-{space}_desc-brain_mask.nii.gz";
                    yield return $"{stem}_space-{space}_boldref.nii.gz";
                }
                yield return $"{stem}_desc-confounds_timeseries.tsv";
                yield return $"{stem}_desc-confounds_timeseries.json";
            }
        }
    }

    private string Raw()
    {
        var root = Path.Combine(_dir.Path, "raw");
        BidsTree.Create(root, RawFiles(), new Dictionary<string, string>
        {
            ["dataset_description.json"] = """{"Name": "two sessions", "BIDSVersion": "1.8.0"}""",
            ["participants.tsv"] = "participant_id\tage\tdiagnosis\nsub-01\t30\tCONTROL\nsub-02\tn/a\tSCHZ\n",
            ["task-rest_bold.json"] = """{"RepetitionTime": 2.0, "TaskName": "rest"}""",
        });
        return root;
    }

    private string Fmriprep()
    {
        var root = Path.Combine(_dir.Path, "fmriprep");
        BidsTree.Create(root, FmriprepFiles(), new Dictionary<string, string>
        {
            ["dataset_description.json"] = """{"Name": "fMRIPrep", "BIDSVersion": "1.4.0", "PipelineDescription": {"Name": "fMRIPrep", "Version": "1.5.0"}}""",
        });
        return root;
    }

    [Fact]
    public void Raw_dataset_lists_sessions_runs_and_tasks()
    {
        var layout = BidsLayout.Index(Raw());
        Assert.Equal(["01", "02"], layout.GetSubjects());
        Assert.Equal(["post", "pre"], layout.GetSessions());
        Assert.Equal(["nback", "rest"], layout.GetTasks());
        Assert.Equal(["01", "02"], layout.GetRuns());
        Assert.Equal(["post"], layout.GetSessions(BidsLayout.Query(task: "nback")));
        Assert.False(layout.Description!.IsDerivative);
        Assert.DoesNotContain(layout.Files, f => f.RelativePath.StartsWith("derivatives/"));
    }

    [Fact]
    public void Run_filter_compares_indices_as_numbers()
    {
        var layout = BidsLayout.Index(Raw());
        var one = layout.Get(subject: "01", session: "pre", run: "1", suffix: "bold");
        var zeroOne = layout.Get(subject: "01", session: "pre", run: "01", suffix: "bold");
        Assert.Equal(["sub-01/ses-pre/func/sub-01_ses-pre_task-rest_run-01_bold.nii.gz"], one.Select(f => f.RelativePath));
        Assert.Equal(one.Paths(), zeroOne.Paths());
    }

    [Fact]
    public void Absent_run_selects_the_runless_task()
    {
        var layout = BidsLayout.Index(Raw());
        var noRun = layout.Get(suffix: "bold", run: BidsQuery.None, extension: ".nii.gz");
        Assert.Equal(
        [
            "sub-01/ses-post/func/sub-01_ses-post_task-nback_bold.nii.gz",
            "sub-02/ses-post/func/sub-02_ses-post_task-nback_bold.nii.gz",
        ], noRun.Select(f => f.RelativePath));
        var anyRun = layout.Get(suffix: "bold", run: BidsQuery.Any, extension: ".nii.gz");
        Assert.Equal(8, anyRun.Count);
    }

    [Fact]
    public void Session_comes_from_the_folder_and_anat_datatype_from_its_folder()
    {
        var layout = BidsLayout.Index(Raw());
        var t1 = Assert.Single(layout.Get(subject: "02", suffix: "T1w"));
        Assert.Equal("pre", t1.Session);
        Assert.Equal("anat", t1.Datatype);
    }

    [Fact]
    public void Derivatives_runs_each_get_their_own_mask_boldref_and_confounds()
    {
        var layout = BidsLayout.Index(Fmriprep());
        Assert.True(layout.Description!.IsDerivative);
        Assert.Equal("1.5.0", layout.Description.GeneratedBy[0].Version);
        var runs = layout.GetBoldRuns(space: "MNI152NLin2009cAsym");
        Assert.Equal(8, runs.Count);
        foreach (var r in runs)
        {
            var stem = $"sub-{r.Subject}_ses-{r.Session}_task-rest_run-{r.Run}";
            Assert.Equal($"{stem}_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz", r.Mask!.Filename);
            Assert.Equal($"{stem}_space-MNI152NLin2009cAsym_boldref.nii.gz", r.Boldref!.Filename);
            Assert.Equal($"{stem}_desc-confounds_timeseries.tsv", r.Confounds!.Filename);
            Assert.Equal($"{stem}_desc-confounds_timeseries.json", r.ConfoundsJson!.Filename);
            Assert.Equal($"{stem}_space-MNI152NLin2009cAsym", r.OutputPrefix);
        }
        var one = Assert.Single(layout.GetBoldRuns(subject: "02", session: "post", run: "2", space: "T1w"));
        Assert.Equal("sub-02_ses-post_task-rest_run-2_space-T1w_desc-brain_mask.nii.gz", one.Mask!.Filename);
        // The anatomical MNI mask sits in another folder and never passes for a run's mask.
        Assert.All(layout.GetBoldRuns(), r => Assert.Equal("func", r.Mask!.Datatype));
    }

    [Fact]
    public void Participants_tsv_reads_ids_without_prefix_and_n_a_as_missing()
    {
        var layout = BidsLayout.Index(Raw());
        var p = layout.Participants!;
        Assert.Equal(["01", "02"], p.Ids);
        Assert.Equal("SCHZ", p["02", "diagnosis"]);
        Assert.Equal("CONTROL", p["sub-01", "diagnosis"]);
        Assert.Null(p["02", "age"]);
        Assert.Equal(30.0, p.Number("01", "age"));
        Assert.True(double.IsNaN(p.Number("02", "age")));
        Assert.Equal(new Dictionary<string, string?> { ["01"] = "CONTROL", ["02"] = "SCHZ" }, p.Column("diagnosis"));
        var e = Assert.Throws<NiSharpException>(() => p.Column("sex"));
        Assert.Contains("participants.tsv: no column 'sex'", e.Message);
    }
}
