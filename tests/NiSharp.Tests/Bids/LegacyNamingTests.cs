using NiSharp.Bids;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

/// <summary>fMRIPrep output before 1.2 (<c>_bold_space-X_preproc</c>) and from 1.2 to 20.1 (<c>_desc-confounds_regressors</c>).</summary>
public sealed class LegacyNamingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Pre_1_2_output_answers_the_current_queries_and_finds_companions()
    {
        var root = Path.Combine(_dir.Path, "fmriprep");
        BidsTree.Create(root,
        [
            "sub-01/anat/sub-01_T1w_preproc.nii.gz",
            "sub-01/anat/sub-01_T1w_brainmask.nii.gz",
            "sub-01/anat/sub-01_T1w_space-MNI152NLin2009cAsym_preproc.nii.gz",
            "sub-01/anat/sub-01_T1w_space-MNI152NLin2009cAsym_class-CSF_probtissue.nii.gz",
            "sub-01/func/sub-01_task-rest_bold_space-MNI152NLin2009cAsym_preproc.nii.gz",
            "sub-01/func/sub-01_task-rest_bold_space-MNI152NLin2009cAsym_brainmask.nii.gz",
            "sub-01/func/sub-01_task-rest_bold_space-T1w_preproc.nii.gz",
            "sub-01/func/sub-01_task-rest_bold_space-T1w_brainmask.nii.gz",
            "sub-01/func/sub-01_task-rest_bold_confounds.tsv",
            "sub-01/func/sub-01_task-rest_bold_AROMAnoiseICs.csv",
            "sub-01.html",
        ], new Dictionary<string, string>
        {
            ["dataset_description.json"] = """{"Name": "fMRIPrep output", "BIDSVersion": "1.1.0", "PipelineDescription": {"Name": "fMRIPrep", "Version": "1.1.8"}}""",
        });
        var layout = BidsLayout.Index(root);
        Assert.Empty(layout.Problems);

        var t1 = layout.Get(datatype: "anat", desc: "preproc", suffix: "T1w", space: BidsQuery.None);
        Assert.Equal(["sub-01_T1w_preproc.nii.gz"], t1.Select(f => f.Filename));
        Assert.True(t1[0].IsLegacyName);

        var mni = layout.Get(datatype: "func", desc: "preproc", space: "MNI152NLin2009cAsym", extension: ".nii.gz");
        Assert.Equal(["sub-01_task-rest_bold_space-MNI152NLin2009cAsym_preproc.nii.gz"], mni.Select(f => f.Filename));

        var confounds = layout.Get(desc: "confounds", extension: "tsv");
        Assert.Equal(["sub-01_task-rest_bold_confounds.tsv"], confounds.Select(f => f.Filename));

        var run = Assert.Single(layout.GetBoldRuns(space: "T1w"));
        Assert.Equal("sub-01_task-rest_bold_space-T1w_brainmask.nii.gz", run.Mask!.Filename);
        Assert.Equal("sub-01_task-rest_bold_confounds.tsv", run.Confounds!.Filename);
        Assert.Null(run.ConfoundsJson);
        Assert.Equal(("01", "rest", "T1w"), (run.Subject, run.Task, run.Space));

        Assert.Equal("CSF", Assert.Single(layout.Get(suffix: "probseg")).Entities["label"]);
        Assert.Equal("fMRIPrep", layout.Description!.GeneratedBy[0].Name);
        Assert.True(layout.Description.IsDerivative);
    }

    [Fact]
    public void Confounds_regressors_of_1_2_to_20_1_are_found_and_timeseries_preferred_when_both_exist()
    {
        var root = Path.Combine(_dir.Path, "fmriprep");
        BidsTree.Create(root,
        [
            "dataset_description.json",
            "sub-01/func/sub-01_task-rest_run-1_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
            "sub-01/func/sub-01_task-rest_run-1_desc-confounds_regressors.tsv",
            "sub-01/func/sub-01_task-rest_run-1_desc-confounds_regressors.json",
            "sub-01/func/sub-01_task-rest_run-2_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
            "sub-01/func/sub-01_task-rest_run-2_desc-confounds_regressors.tsv",
            "sub-01/func/sub-01_task-rest_run-2_desc-confounds_timeseries.tsv",
        ], new Dictionary<string, string> { ["dataset_description.json"] = "{}" });
        var layout = BidsLayout.Index(root);
        var runs = layout.GetBoldRuns();
        Assert.Equal("sub-01_task-rest_run-1_desc-confounds_regressors.tsv", runs[0].Confounds!.Filename);
        Assert.Equal("sub-01_task-rest_run-1_desc-confounds_regressors.json", runs[0].ConfoundsJson!.Filename);
        Assert.Equal("sub-01_task-rest_run-2_desc-confounds_timeseries.tsv", runs[1].Confounds!.Filename);
    }

    [Fact]
    public void Native_space_bold_of_fMRIPrep_23_gets_the_native_mask_and_boldref_not_desc_coreg()
    {
        var root = Path.Combine(_dir.Path, "fmriprep");
        BidsTree.Create(root,
        [
            "dataset_description.json",
            "sub-01/func/sub-01_task-rest_desc-preproc_bold.nii.gz",
            "sub-01/func/sub-01_task-rest_desc-brain_mask.nii.gz",
            "sub-01/func/sub-01_task-rest_desc-coreg_boldref.nii.gz",
            "sub-01/func/sub-01_task-rest_desc-hmc_boldref.nii.gz",
            "sub-01/func/sub-01_task-rest_boldref.nii.gz",
            "sub-01/func/sub-01_task-rest_space-MNI152NLin2009cAsym_res-2_desc-preproc_bold.nii.gz",
            "sub-01/func/sub-01_task-rest_space-MNI152NLin2009cAsym_res-2_desc-brain_mask.nii.gz",
            "sub-01/func/sub-01_task-rest_space-MNI152NLin2009cAsym_res-2_boldref.nii.gz",
            "sub-01/func/sub-01_task-rest_desc-confounds_timeseries.tsv",
        ], new Dictionary<string, string> { ["dataset_description.json"] = "{}" });
        var layout = BidsLayout.Index(root);
        var native = Assert.Single(layout.GetBoldRuns(space: BidsQuery.None));
        Assert.Equal("sub-01_task-rest_desc-brain_mask.nii.gz", native.Mask!.Filename);
        Assert.Equal("sub-01_task-rest_boldref.nii.gz", native.Boldref!.Filename);
        var mni = Assert.Single(layout.GetBoldRuns(space: "MNI152NLin2009cAsym", res: "2"));
        Assert.Equal("sub-01_task-rest_space-MNI152NLin2009cAsym_res-2_desc-brain_mask.nii.gz", mni.Mask!.Filename);
        Assert.Equal("sub-01_task-rest_space-MNI152NLin2009cAsym_res-2_boldref.nii.gz", mni.Boldref!.Filename);
        Assert.Equal("sub-01_task-rest_desc-confounds_timeseries.tsv", mni.Confounds!.Filename);
    }
}
