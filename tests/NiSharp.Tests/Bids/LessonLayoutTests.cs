using NiSharp.Bids;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

/// <summary>
/// The queries of the lesson's episodes 02, 04, 05 and 07 on an empty-file copy of its fMRIPrep folder;
/// expected lists are the outputs the lesson prints (paths relative to derivatives/fmriprep).
/// </summary>
public sealed class LessonLayoutTests : IDisposable
{
    private const string Mni = "MNI152NLin2009cAsym";
    private readonly TempDir _dir = new();
    private readonly string _root;
    private readonly BidsLayout _layout;

    public LessonLayoutTests()
    {
        _root = BidsTree.CreateLessonDataset(_dir);
        _layout = BidsLayout.Index(_root);
    }

    public void Dispose() => _dir.Dispose();

    private string[] Rel(IEnumerable<BidsFile> files) => BidsTree.Relative(_root, files.Paths());

    [Fact]
    public void Subjects_and_tasks_are_the_lessons()
    {
        Assert.Equal(["10438", "10788", "11108", "50052"], _layout.GetSubjects());
        Assert.Equal(["rest"], _layout.GetTasks());
        Assert.Empty(_layout.Problems);
        Assert.Empty(_layout.Warnings);
    }

    [Fact]
    public void Preprocessed_T1w_in_all_spaces_matches_episode_02()
    {
        var preprocT1 = _layout.Get(datatype: "anat", desc: "preproc", extension: ".nii.gz");
        Assert.Equal(
        [
            "sub-10438/anat/sub-10438_desc-preproc_T1w.nii.gz",
            "sub-10438/anat/sub-10438_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz",
            "sub-10788/anat/sub-10788_desc-preproc_T1w.nii.gz",
            "sub-10788/anat/sub-10788_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz",
            "sub-11108/anat/sub-11108_desc-preproc_T1w.nii.gz",
            "sub-11108/anat/sub-11108_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz",
            "sub-50052/anat/sub-50052_desc-preproc_T1w.nii.gz",
            "sub-50052/anat/sub-50052_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz",
        ], Rel(preprocT1));
    }

    [Fact]
    public void Preprocessed_T1w_in_MNI_space_only_matches_episode_02()
    {
        var mni = _layout.Get(datatype: "anat", desc: "preproc", extension: ".nii.gz", space: Mni);
        Assert.Equal(
        [
            "sub-10438/anat/sub-10438_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz",
            "sub-10788/anat/sub-10788_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz",
            "sub-11108/anat/sub-11108_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz",
            "sub-50052/anat/sub-50052_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz",
        ], Rel(mni));
    }

    [Fact]
    public void Native_T1w_is_the_absent_space_filter_and_equals_the_lessons_set_difference()
    {
        // The lesson: "Unfortunately this isn't directly possible using layout.get" and filters in Python.
        var native = _layout.Get(datatype: "anat", desc: "preproc", extension: ".nii.gz", space: BidsQuery.None);
        Assert.Equal(
        [
            "sub-10438/anat/sub-10438_desc-preproc_T1w.nii.gz",
            "sub-10788/anat/sub-10788_desc-preproc_T1w.nii.gz",
            "sub-11108/anat/sub-11108_desc-preproc_T1w.nii.gz",
            "sub-50052/anat/sub-50052_desc-preproc_T1w.nii.gz",
        ], Rel(native));
        var all = _layout.Get(datatype: "anat", desc: "preproc", extension: ".nii.gz");
        var mni = _layout.Get(datatype: "anat", desc: "preproc", extension: ".nii.gz", space: Mni);
        Assert.Equal(all.Where(f => !mni.Contains(f)).Paths(), native.Paths());
    }

    [Fact]
    public void All_preprocessed_functional_data_matches_episode_02_including_sidecars()
    {
        var func = _layout.Get(datatype: "func", desc: "preproc");
        Assert.Equal(
        [
            "sub-10438/func/sub-10438_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.json",
            "sub-10438/func/sub-10438_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
            "sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.json",
            "sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
            "sub-10788/func/sub-10788_task-rest_space-T1w_desc-preproc_bold.json",
            "sub-10788/func/sub-10788_task-rest_space-T1w_desc-preproc_bold.nii.gz",
            "sub-11108/func/sub-11108_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.json",
            "sub-11108/func/sub-11108_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
            "sub-50052/func/sub-50052_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.json",
            "sub-50052/func/sub-50052_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
            "sub-50052/func/sub-50052_task-rest_space-T1w_desc-preproc_bold.json",
            "sub-50052/func/sub-50052_task-rest_space-T1w_desc-preproc_bold.nii.gz",
        ], Rel(func));
    }

    [Fact]
    public void Functional_data_in_MNI_and_in_T1w_space_match_episode_02()
    {
        var mni = _layout.Get(datatype: "func", desc: "preproc", space: Mni);
        Assert.Equal(
        [
            "sub-10438/func/sub-10438_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.json",
            "sub-10438/func/sub-10438_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
            "sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.json",
            "sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
            "sub-11108/func/sub-11108_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.json",
            "sub-11108/func/sub-11108_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
            "sub-50052/func/sub-50052_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.json",
            "sub-50052/func/sub-50052_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
        ], Rel(mni));
        var t1w = _layout.Get(datatype: "func", desc: "preproc", space: "T1w");
        Assert.Equal(
        [
            "sub-10788/func/sub-10788_task-rest_space-T1w_desc-preproc_bold.json",
            "sub-10788/func/sub-10788_task-rest_space-T1w_desc-preproc_bold.nii.gz",
            "sub-50052/func/sub-50052_task-rest_space-T1w_desc-preproc_bold.json",
            "sub-50052/func/sub-50052_task-rest_space-T1w_desc-preproc_bold.nii.gz",
        ], Rel(t1w));
    }

    [Fact]
    public void Episode_03_subject_T1w_and_brain_masks()
    {
        var t1w = _layout.Get(subject: "10788", datatype: "anat", desc: "preproc", suffix: "T1w", extension: ".nii.gz");
        Assert.Equal(
        [
            "sub-10788/anat/sub-10788_desc-preproc_T1w.nii.gz",
            "sub-10788/anat/sub-10788_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz",
        ], Rel(t1w));
        var masks = _layout.Get(subject: "10788", datatype: "anat", suffix: "mask", desc: "brain", extension: ".nii.gz");
        Assert.Equal(
        [
            "sub-10788/anat/sub-10788_desc-brain_mask.nii.gz",
            "sub-10788/anat/sub-10788_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz",
        ], Rel(masks));
    }

    [Fact]
    public void Episode_04_queries_take_extensions_without_the_dot()
    {
        // Episode 04 writes extension="nii.gz"; pyBIDS accepts it.
        var funcMask = _layout.Get(subject: "10788", datatype: "func", suffix: "mask", desc: "brain", space: Mni, extension: "nii.gz");
        Assert.Equal(["sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz"], Rel(funcMask));
        var anatMask = _layout.Get(subject: "10788", datatype: "anat", suffix: "mask", desc: "brain", space: Mni, extension: "nii.gz");
        Assert.Equal(["sub-10788/anat/sub-10788_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz"], Rel(anatMask));
    }

    [Fact]
    public void Episode_05_confounds_by_desc_and_tsv_extension()
    {
        var confounds = _layout.Get(subject: "10788", datatype: "func", task: "rest", desc: "confounds", extension: "tsv");
        Assert.Equal(["sub-10788/func/sub-10788_task-rest_desc-confounds_timeseries.tsv"], Rel(confounds));
        var all = _layout.Get(datatype: "func", task: "rest", desc: "confounds", extension: ".tsv");
        Assert.Equal(BidsTree.LessonSubjects.Select(s => $"sub-{s}/func/sub-{s}_task-rest_desc-confounds_timeseries.tsv"), Rel(all));
    }

    [Fact]
    public void Episode_07_loop_over_subjects_finds_one_bold_and_one_confounds_each()
    {
        foreach (var sub in _layout.GetSubjects())
        {
            var func = _layout.Get(subject: sub, datatype: "func", task: "rest", desc: "preproc", space: Mni, extension: "nii.gz");
            var conf = _layout.Get(subject: sub, datatype: "func", task: "rest", desc: "confounds", extension: "tsv");
            Assert.Equal([$"sub-{sub}/func/sub-{sub}_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz"], Rel(func));
            Assert.Equal([$"sub-{sub}/func/sub-{sub}_task-rest_desc-confounds_timeseries.tsv"], Rel(conf));
        }
    }

    [Fact]
    public void Several_labels_in_one_filter_match_any_of_them()
    {
        var both = _layout.Get(subject: new[] { "10788", "50052" }, datatype: "func", desc: "preproc", space: "T1w", extension: ".nii.gz");
        Assert.Equal(
        [
            "sub-10788/func/sub-10788_task-rest_space-T1w_desc-preproc_bold.nii.gz",
            "sub-50052/func/sub-50052_task-rest_space-T1w_desc-preproc_bold.nii.gz",
        ], Rel(both));
        Assert.Equal(both.Paths(), _layout.Get(subject: new[] { "sub-10788", "sub-50052" }, datatype: "func", desc: "preproc", space: "T1w", extension: ".nii.gz").Paths());
        Assert.Equal(["MNI152NLin2009cAsym", "T1w"], _layout.GetSpaces());
        Assert.Equal(["MNI152NLin2009cAsym"], _layout.GetSpaces(BidsLayout.Query(subject: "10438")));
    }

    [Fact]
    public void Files_carry_their_entities_datatype_suffix_and_extension()
    {
        var f = Assert.Single(_layout.Get(subject: "10788", datatype: "func", desc: "preproc", space: "T1w", extension: ".nii.gz"));
        Assert.Equal("10788", f.Subject);
        Assert.Equal("rest", f.Task);
        Assert.Equal("T1w", f.Space);
        Assert.Equal("preproc", f.Desc);
        Assert.Equal("bold", f.Suffix);
        Assert.Equal("func", f.Datatype);
        Assert.Equal(".nii.gz", f.Extension);
        Assert.Null(f.Session);
        Assert.Equal("sub-10788_task-rest_space-T1w_desc-preproc_bold.nii.gz", f.Filename);
        Assert.Equal(["subject", "task", "space", "desc"], f.Entities.Select(e => e.Name));
        Assert.Equal("10788", f.Entities["subject"]);
        Assert.Equal("10788", f.Entities["sub"]);
        // fMRIPrep's figures/ and log/ are not datatype folders: unlike pyBIDS, the index does not descend into them
        // (it goes only where BIDS puts data, so that links and loops cannot take it elsewhere).
        Assert.Empty(_layout.Get(subject: "10788", desc: "carpetplot"));
        Assert.Empty(_layout.Get(subject: "10788", extension: ".toml"));
    }

    [Fact]
    public void Dataset_description_says_derivative_generated_by_fMRIPrep()
    {
        var d = _layout.Description;
        Assert.NotNull(d);
        Assert.True(d.IsDerivative);
        Assert.Equal("fMRIPrep", Assert.Single(d.GeneratedBy).Name);
        Assert.Equal("20.2.1", d.GeneratedBy[0].Version);
        Assert.Equal("1.4.0", d.BidsVersion);
    }

    [Fact]
    public void Bold_run_companions_of_sub_10788_in_MNI_space()
    {
        var run = Assert.Single(_layout.GetBoldRuns(subject: "10788", space: Mni));
        Assert.Equal("sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz", Rel([run.Bold])[0]);
        Assert.Equal("sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz", Rel([run.Mask!])[0]);
        Assert.Equal("sub-10788/func/sub-10788_task-rest_desc-confounds_timeseries.tsv", Rel([run.Confounds!])[0]);
        Assert.Equal("sub-10788/func/sub-10788_task-rest_desc-confounds_timeseries.json", Rel([run.ConfoundsJson!])[0]);
        Assert.Equal("sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_boldref.nii.gz", Rel([run.Boldref!])[0]);
        Assert.Equal(2.0, run.RepetitionTime);
        Assert.Equal(("10788", (string?)null, "rest", (string?)null, Mni), (run.Subject, run.Session, run.Task, run.Run, run.Space));
        Assert.Equal("sub-10788_task-rest_space-MNI152NLin2009cAsym", run.OutputPrefix);
    }

    [Fact]
    public void Bold_runs_in_T1w_space_get_the_T1w_mask_and_boldref()
    {
        var runs = _layout.GetBoldRuns(space: "T1w");
        Assert.Equal(["10788", "50052"], runs.Select(r => r.Subject));
        foreach (var r in runs)
        {
            Assert.Equal($"sub-{r.Subject}_task-rest_space-T1w_desc-brain_mask.nii.gz", r.RequireMask().Filename);
            Assert.Equal($"sub-{r.Subject}_task-rest_space-T1w_boldref.nii.gz", r.Boldref!.Filename);
            Assert.Equal($"sub-{r.Subject}_task-rest_desc-confounds_timeseries.tsv", r.RequireConfounds().Filename);
        }
        Assert.Equal(6, _layout.GetBoldRuns().Count);
    }
}
