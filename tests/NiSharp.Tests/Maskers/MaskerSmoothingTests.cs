using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Maskers;

/// <summary>nilearn's <c>smoothing_fwhm</c> on the maskers: the image is smoothed on the data grid before the reduction.</summary>
public class MaskerSmoothingTests
{
    private static string S(string f) => TestPaths.Fixture("smoothing", f);

    private static LabelsMasker Labels(Fwhm? fwhm) => new(new LabelsMaskerOptions
    {
        Atlas = Atlas.FromImage(Regions.LoadLabelImage(S("labels_4d.nii.gz")), name: "labels_4d"),
        SmoothingFwhm = fwhm,
    });

    [Fact]
    public void Labels_masker_with_smoothing_fwhm_matches_nilearn_on_a_file()
    {
        // float32 data: smoothed and reduced in float32, as nilearn (reference from scipy 1.10, fixtures README)
        var expected = NpyArray.Load(S("ref_labels_means_fwhm6.npy"));
        var signals = Labels(Fwhm.Of(6)).FitTransform(S("in_4d_f32.nii.gz"));
        Assert.Equal("float32", signals.DataType);
        Assert.Equal(expected.Shape, new[] { signals.Timepoints, signals.Values.Features });
        Approx.Equal(expected.Data, signals.Values.Data, 1e-5, 0, "labels means");
    }

    [Fact]
    public void Labels_masker_smoothing_in_memory_matches_the_file_and_leaves_the_image_alone()
    {
        var img = Image.Load<float>(S("in_4d_f32.nii.gz"));
        var before = img.Data.ToArray();
        var fromMemory = Labels(Fwhm.Of(6)).FitTransform(img);
        Assert.Equal(before, img.Data);
        Assert.Equal(Labels(Fwhm.Of(6)).FitTransform(S("in_4d_f32.nii.gz")).Values.Data, fromMemory.Values.Data);
        // and smoothing changes the signals
        Assert.NotEqual(Labels(null).FitTransform(img).Values.Data, fromMemory.Values.Data);
    }

    [Fact]
    public void Smoothing_fwhm_is_in_the_masker_parameters()
    {
        Assert.False(Labels(null).Options.ToParameters().ContainsKey("smoothing_fwhm"));
        Assert.False(Labels(Fwhm.Of(0)).Options.ToParameters().ContainsKey("smoothing_fwhm"));
        Assert.Equal(6.0, Labels(Fwhm.Of(6)).Options.ToParameters()["smoothing_fwhm"]);
        Assert.Equal("fast", Labels(Fwhm.Fast).Options.ToParameters()["smoothing_fwhm"]);
        var signals = Labels(Fwhm.Of(6, 6, 8)).FitTransform(S("in_4d_f32.nii.gz"));
        var masker = (Dictionary<string, object?>)signals.Parameters["masker"]!;
        Assert.Equal(new[] { 6.0, 6.0, 8.0 }, (double[])masker["smoothing_fwhm"]!);
    }

    [Fact]
    public void Voxel_masker_smooths_before_masking()
    {
        var img = Image.Load<float>(S("in_4d_f32.nii.gz"));
        var mask = new Image<byte>(img.SpatialShape, img.Affine, Enumerable.Repeat((byte)1, img.VoxelsPerVolume).ToArray());
        var masker = new VoxelMasker(new VoxelMaskerOptions { MaskImg = mask, SmoothingFwhm = Fwhm.Of(6) });
        var x = masker.FitTransform<float>(img);
        // the mask keeps every voxel: the columns are the smoothed volume in nilearn's (C) order
        var expected = Image.Load<float>(S("ref_4d_f32.nii.gz"));
        var back = masker.InverseTransform(x);
        Approx.Equal(expected.Data.Select(v => (double)v).ToArray(), back.Data.Select(v => (double)v).ToArray(), 1e-5, 1e-3, "voxels");
    }
}
