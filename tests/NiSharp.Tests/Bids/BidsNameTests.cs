using CsCheck;
using NiSharp.Bids;

namespace NiSharp.Tests.Bids;

public class BidsNameTests
{
    private static (string Key, string Value)[] Pairs(BidsName n) => n.Entities.Select(e => (e.Key, e.Value)).ToArray();

    [Fact]
    public void Every_listed_entity_is_read_with_its_label()
    {
        var n = BidsName.Parse("sub-01_ses-2_task-rest_acq-mb4_ce-gad_rec-norm_dir-AP_run-03_echo-1_part-mag_space-MNI152NLin6Asym_res-2_den-91k_label-GM_desc-preproc_bold.nii.gz");
        Assert.Equal(
        [
            ("sub", "01"), ("ses", "2"), ("task", "rest"), ("acq", "mb4"), ("ce", "gad"), ("rec", "norm"), ("dir", "AP"),
            ("run", "03"), ("echo", "1"), ("part", "mag"), ("space", "MNI152NLin6Asym"), ("res", "2"), ("den", "91k"),
            ("label", "GM"), ("desc", "preproc"),
        ], Pairs(n));
        Assert.Equal("bold", n.Suffix);
        Assert.Equal(".nii.gz", n.Extension);
        Assert.False(n.IsLegacy);

        var xfm = BidsName.Parse("sub-01_from-T1w_to-MNI152NLin2009cAsym_mode-image_xfm.h5");
        Assert.Equal([("sub", "01"), ("from", "T1w"), ("to", "MNI152NLin2009cAsym"), ("mode", "image")], Pairs(xfm));
        Assert.Equal("xfm", xfm.Suffix);

        var atlas = BidsName.Parse("sub-01_hemi-L_atlas-Schaefer2018_seg-7n_roi-V1_stat-mean_meas-thickness_relmat.tsv");
        Assert.Equal([("sub", "01"), ("hemi", "L"), ("atlas", "Schaefer2018"), ("seg", "7n"), ("roi", "V1"), ("stat", "mean"), ("meas", "thickness")], Pairs(atlas));
        Assert.Equal("relmat", atlas.Suffix);
    }

    [Fact]
    public void Unknown_key_value_pairs_are_custom_entities()
    {
        var n = BidsName.Parse("sub-01_run-02_fmapid-auto00000_desc-preproc_fieldmap.nii.gz");
        Assert.Equal([("sub", "01"), ("run", "02"), ("fmapid", "auto00000"), ("desc", "preproc")], Pairs(n));
        Assert.Equal("auto00000", n.Entities["fmapid"]);
        Assert.Equal("fmapid", n.Entities[2].Name);
        Assert.Equal("subject", n.Entities[0].Name);
    }

    [Theory]
    [InlineData("sub-01_task-rest_bold.nii.gz", ".nii.gz", "bold")]
    [InlineData("sub-01_task-rest_space-fsLR_den-91k_bold.dtseries.nii", ".dtseries.nii", "bold")]
    [InlineData("sub-01_hemi-L_midthickness.surf.gii", ".surf.gii", "midthickness")]
    [InlineData("sub-01_task-rest_physio.tsv.gz", ".tsv.gz", "physio")]
    [InlineData("sub-01_T1w.nii", ".nii", "T1w")]
    [InlineData("sub-01_scans.tsv", ".tsv", "scans")]
    [InlineData("README", "", "README")]
    [InlineData("participants.tsv", ".tsv", "participants")]
    [InlineData("dataset_description.json", ".json", "dataset_description")]
    public void Extension_is_everything_from_the_first_dot(string name, string extension, string suffix)
    {
        var n = BidsName.Parse(name);
        Assert.Equal(extension, n.Extension);
        Assert.Equal(suffix, n.Suffix);
    }

    [Fact]
    public void A_path_is_parsed_by_its_file_name()
    {
        var n = BidsName.Parse("/data/ds000030/derivatives/fmriprep/sub-10788/func/sub-10788_task-rest_desc-confounds_timeseries.tsv");
        Assert.Equal([("sub", "10788"), ("task", "rest"), ("desc", "confounds")], Pairs(n));
        Assert.Equal("timeseries", n.Suffix);
    }

    [Fact]
    public void A_name_ending_with_a_key_value_pair_has_no_suffix()
    {
        var n = BidsName.Parse("sub-10788.html");
        Assert.Null(n.Suffix);
        Assert.Equal("10788", n.Entities["subject"]);
    }

    [Fact]
    public void Top_level_sidecar_without_subject_parses()
    {
        var n = BidsName.Parse("task-rest_acq-mb4_bold.json");
        Assert.Equal([("task", "rest"), ("acq", "mb4")], Pairs(n));
        Assert.Equal("bold", n.Suffix);
    }

    [Theory]
    [InlineData("sub-01_task-rest_bold_space-MNI152NLin2009cAsym_preproc.nii.gz", "sub-01_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz")]
    [InlineData("sub-01_task-rest_bold_space-MNI152NLin2009cAsym_brainmask.nii.gz", "sub-01_task-rest_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz")]
    [InlineData("sub-01_task-rest_run-1_bold_confounds.tsv", "sub-01_task-rest_run-1_desc-confounds_regressors.tsv")]
    [InlineData("sub-01_task-rest_bold_space-MNI152NLin2009cAsym_variant-smoothAROMAnonaggr_preproc.nii.gz", "sub-01_task-rest_space-MNI152NLin2009cAsym_desc-smoothAROMAnonaggr_bold.nii.gz")]
    [InlineData("sub-01_T1w_preproc.nii.gz", "sub-01_desc-preproc_T1w.nii.gz")]
    [InlineData("sub-01_T1w_space-MNI152NLin2009cAsym_brainmask.nii.gz", "sub-01_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz")]
    [InlineData("sub-01_T1w_class-CSF_probtissue.nii.gz", "sub-01_label-CSF_probseg.nii.gz")]
    [InlineData("sub-01_T1w_dtissue.nii.gz", "sub-01_dseg.nii.gz")]
    [InlineData("sub-01_task-rest_bold_AROMAnoiseICs.csv", "sub-01_task-rest_AROMAnoiseICs.csv")]
    public void Pre_1_2_fMRIPrep_names_read_as_their_current_equivalent(string legacy, string current)
    {
        var n = BidsName.Parse(legacy);
        Assert.True(n.IsLegacy);
        Assert.Equal(current, n.ToString());
    }

    [Theory]
    [InlineData("sub-01__bold.nii.gz", "empty part")]
    [InlineData("sub-01_task-_bold.nii.gz", "no label")]
    [InlineData("sub-01_-rest_bold.nii.gz", "no entity key")]
    [InlineData("sub-01_task-rest-2_bold.nii.gz", "letters and digits")]
    [InlineData("sub-01_sub-02_bold.nii.gz", "appears twice")]
    [InlineData("sub-01_task-rest_bold_extra_preproc.nii.gz", "more than one part")]
    [InlineData("task-rest_bold_space-T1w_preproc.json", "not a key-value pair")]
    [InlineData("sub-01_task-rest_bo ld.nii.gz", "suffix")]
    [InlineData("bad name.txt", "not a BIDS name")]
    [InlineData("sub-01_task-rest_bold_.nii.gz", "empty part")]
    public void Names_that_are_not_BIDS_are_reported_with_the_reason(string name, string reason)
    {
        Assert.False(BidsName.TryParse(name, out var parsed, out var problem));
        Assert.Null(parsed);
        Assert.Contains(reason, problem);
        var e = Assert.Throws<NiSharpException>(() => BidsName.Parse(name));
        Assert.StartsWith(name + ": ", e.Message);
    }

    private static readonly string[] KeyPool = ["sub", "ses", "task", "acq", "run", "echo", "space", "res", "den", "label", "desc", "hemi", "atlas", "foo", "xyz1"];

    [Fact]
    public void Formatting_then_parsing_gives_back_the_entities_suffix_and_extension()
    {
        var label = Gen.String[Gen.Char.AlphaNumeric, 1, 10];
        var gen =
            from keys in Gen.Shuffle(KeyPool, 1, 8)
            from values in label.Array[keys.Length]
            from suffix in Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"], 1, 12]
            from ext in Gen.OneOfConst("", ".nii.gz", ".json", ".tsv", ".dtseries.nii", ".surf.gii")
            select (keys, values, suffix, ext);
        gen.Sample(t =>
        {
            var (keys, values, suffix, ext) = t;
            var name = string.Join('_', keys.Zip(values, (k, v) => $"{k}-{v}")) + "_" + suffix + ext;
            var n = BidsName.Parse(name);
            Assert.Equal(keys, n.Entities.Select(e => e.Key));
            Assert.Equal(values, n.Entities.Select(e => e.Value));
            Assert.Equal(suffix, n.Suffix);
            Assert.Equal(ext, n.Extension);
            Assert.Equal(name, n.ToString());
        });
    }

    [Fact]
    public void Arbitrary_file_names_never_crash_the_parser()
    {
        Gen.String[Gen.Char["ab-_.01 \t/é"], 0, 30].Sample(name =>
        {
            bool ok = BidsName.TryParse(name, out var n, out var problem);
            Assert.True(ok ? n is not null && problem is null : n is null && !string.IsNullOrEmpty(problem));
        });
    }
}
