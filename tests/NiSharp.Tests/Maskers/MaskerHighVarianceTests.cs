using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Maskers;

/// <summary>nilearn's masker <c>high_variance_confounds=True</c>: the image's confounds (reference from the fixtures,
/// not from the code under test) stacked before the user's, then the masker's cleaning.</summary>
public class MaskerHighVarianceTests
{
    private static string F(string name) => HighVarianceConfoundsTests.F(name);

    private static LabelsMasker Labels(bool hv, Image<byte>? mask = null) => new(new LabelsMaskerOptions
    {
        Atlas = Atlas.FromImage(Regions.LoadLabelImage(F("labels.nii.gz")), name: "labels"),
        HighVarianceConfounds = hv,
        MaskImg = mask,
        Clean = MaskerOptions.DefaultCleaning with { Detrend = true, Standardize = StandardizeMethod.ZScore },
    });

    private static SignalMatrix<double> Reference(string name)
    {
        var x = NpyArray.Load(F(name));
        return new SignalMatrix<double>(x.Rows, x.Cols, x.Data);
    }

    private static SignalMatrix<double> UserConfounds(int n)
    {
        var c = new SignalMatrix<double>(n, 2);
        for (int t = 0; t < n; t++) { c[t, 0] = Math.Sin(t * 0.4); c[t, 1] = Math.Cos(t * 0.15) + 0.01 * t * t; }
        return c;
    }

    private static SignalMatrix<double> Stack(SignalMatrix<double> a, SignalMatrix<double> b)
    {
        var s = new SignalMatrix<double>(a.Timepoints, a.Features + b.Features);
        for (int t = 0; t < a.Timepoints; t++) { a.Row(t).CopyTo(s.Row(t)); b.Row(t).CopyTo(s.Row(t)[a.Features..]); }
        return s;
    }

    [Fact]
    public void Labels_masker_with_high_variance_confounds_equals_passing_them_explicitly()
    {
        var hv = Labels(true).FitTransform(F("img_f64.nii.gz"));
        var explicitly = Labels(false).FitTransform(F("img_f64.nii.gz"), new MaskerInputs { Confounds = Reference("img_nomask_ref.npy") });
        Approx.Equal(explicitly.Values.Data, hv.Values.Data, 0, 1e-8, "region signals");
        // and they do something
        var without = Labels(false).FitTransform(F("img_f64.nii.gz"));
        Assert.NotEqual(without.Values.Data, hv.Values.Data);
        var clean = (Dictionary<string, object?>)hv.Parameters["clean"]!;
        Assert.Equal(5, clean["n_confounds"]);
    }

    [Fact]
    public void Maskers_on_one_pass_share_the_cleaning_and_each_equals_itself_alone()
    {
        // Several maskers that clean alike share one cleaning plan (planned again after the pass with the image's high
        // variance confounds); one that cleans otherwise gets its own. Each result, warnings included, is its own alone.
        var other = new LabelsMasker(new LabelsMaskerOptions
        {
            Atlas = Atlas.FromImage(Regions.LoadLabelImage(F("labels.nii.gz")), name: "labels"),
            HighVarianceConfounds = true,
            Clean = MaskerOptions.DefaultCleaning with { Detrend = false, Standardize = StandardizeMethod.Psc },
        });
        RegionMasker[] maskers = [Labels(true), other, Labels(true)];
        using var bold = NiftiFile.Open(F("img_f64.nii.gz"));
        var inputs = new MaskerInputs { Confounds = UserConfounds((int)bold.Header.Dim[4]) };
        var warnings = maskers.Select(_ => new List<string>()).ToArray();
        var together = RegionMasker.FitTransformEach(bold, maskers, inputs, warnings);
        for (int k = 0; k < maskers.Length; k++)
        {
            var alone = new List<string>();
            var single = maskers[k].FitTransform(F("img_f64.nii.gz"), inputs, alone);
            Assert.Equal(single.Values.Data, together[k].Values.Data);
            Assert.Equal(alone, warnings[k]);
            Assert.Equal(NiSharp.IO.ParameterJson.Serialize(single.Parameters), NiSharp.IO.ParameterJson.Serialize(together[k].Parameters));
        }
        Assert.NotEqual(together[0].Values.Data, together[1].Values.Data);
    }

    [Fact]
    public void High_variance_confounds_come_first_and_ignore_the_masker_mask()
    {
        // nilearn's transform computes them on the whole image (not within mask_img) and stacks them before the user's
        var mask = Image.Load<byte>(F("mask.nii.gz"));
        var user = UserConfounds(30);
        var hv = Labels(true, mask).FitTransform(F("img_f64.nii.gz"), new MaskerInputs { Confounds = user, ConfoundNames = ["a", "b"] });
        var explicitly = Labels(false, mask).FitTransform(F("img_f64.nii.gz"), new MaskerInputs { Confounds = Stack(Reference("img_nomask_ref.npy"), user) });
        Approx.Equal(explicitly.Values.Data, hv.Values.Data, 0, 1e-8, "region signals");
        var names = (string[])((Dictionary<string, object?>)hv.Parameters["clean"]!)["confounds"]!;
        Assert.Equal(["high_variance_confound_1", "high_variance_confound_2", "high_variance_confound_3", "high_variance_confound_4", "high_variance_confound_5", "a", "b"], names);
    }

    [Fact]
    public void Dummy_volumes_are_dropped_before_and_the_sample_mask_censors_after()
    {
        // the image nilearn's transform sees is the one after dropping the dummy volumes; the sample mask is applied
        // to signals and confounds together inside signal.clean
        int[] keep = [.. Enumerable.Range(0, 27).Where(t => t % 5 != 2)];
        var inputs = new MaskerInputs { DummyScans = 3, SampleMask = keep };
        var hv = Labels(true).FitTransform(F("img_f64.nii.gz"), inputs);
        var explicitly = Labels(false).FitTransform(F("img_f64.nii.gz"), inputs with { Confounds = Reference("img_drop3_ref.npy") });
        Assert.Equal(keep.Length, hv.Timepoints);
        Approx.Equal(explicitly.Values.Data, hv.Values.Data, 0, 1e-8, "region signals");
    }

    [Fact]
    public void Float32_data_agree_to_float32_precision()
    {
        // nilearn keeps float32 data in float32 here; NiSharp computes the confounds in float64 from the float32 values
        var img = Image.Load<double>(F("img_f64.nii.gz"));
        var single = new Image<float>(img.Shape, img.Affine, img.Data.Select(v => (float)v).ToArray());
        var hv = Labels(true).FitTransform(single);
        Assert.Equal("float32", hv.DataType);
        // against the same float32 extraction with the float64 reference confounds: only the confounds differ, by the
        // rounding of the data to float32 (values near 500: steps of 3e-5, on voxel fluctuations of order 1)
        HighVarianceConfoundsTests.EqualUpToSign(NpyArray.Load(F("img_nomask_ref.npy")), HighVarianceImageConfounds.Compute(single), 1e-4);
        var explicitly = Labels(false).FitTransform(single, new MaskerInputs { Confounds = Reference("img_nomask_ref.npy") });
        Approx.Equal(explicitly.Values.Data, hv.Values.Data, 0, 1e-4, "region signals");
    }

    [Fact]
    public void A_mask_on_another_grid_or_too_few_voxels_is_an_error_naming_the_file()
    {
        var other = new Image<byte>([4, 4, 4], Affine.Identity, Enumerable.Repeat((byte)1, 64).ToArray());
        var ex = Assert.Throws<NiSharpException>(() => HighVarianceImageConfounds.Compute(F("img_f64.nii.gz"), other));
        Assert.Contains("img_f64.nii.gz", ex.Message);
        Assert.Contains("not on the image's grid", ex.Message);
        ex = Assert.Throws<NiSharpException>(() => HighVarianceImageConfounds.Compute(F("img_f64.nii.gz"), count: 20));
        Assert.Contains("img_f64.nii.gz", ex.Message);
        Assert.Contains("fewer than the 20 confounds", ex.Message);
    }

    [Fact]
    public void Voxel_masker_with_high_variance_confounds_equals_passing_them_explicitly()
    {
        var mask = Image.Load<byte>(F("mask.nii.gz"));
        var img = Image.Load<double>(F("img_f64.nii.gz"));
        var o = new VoxelMaskerOptions { MaskImg = mask, Clean = MaskerOptions.DefaultCleaning with { Detrend = true } };
        var hv = new VoxelMasker(o with { HighVarianceConfounds = true }).FitTransform<double>(img);
        var explicitly = new VoxelMasker(o).FitTransform<double>(img, new MaskerInputs { Confounds = Reference("img_nomask_ref.npy") });
        Approx.Equal(explicitly.Data, hv.Data, 0, 1e-8, "voxel signals");
    }

    [Fact]
    public void The_option_is_in_the_masker_parameters_only_when_set()
    {
        Assert.False(Labels(false).Options.ToParameters().ContainsKey("high_variance_confounds"));
        Assert.Equal(true, Labels(true).Options.ToParameters()["high_variance_confounds"]);
    }
}
