using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

/// <summary>resample_to_img against nilearn 0.10.4 and 0.14.0 (manifest cases resample_to_img_*; 0.14's outputs are
/// 0.10.4's to the bit).</summary>
public class ResamplingParityTests
{
    private static double[] D<T>(T[] a) where T : unmanaged, System.Numerics.INumber<T> => a.Select(v => double.CreateTruncating(v)).ToArray();

    [Theory]
    [InlineData(TestPaths.V0_10_4, "in_atlas.nii.gz", "out_resample_mean_to_atlas_nearest.nii.gz")]
    [InlineData(TestPaths.V0_10_4, "in_oblique_target.nii.gz", "out_resample_mean_to_oblique_nearest.nii.gz")]
    [InlineData(TestPaths.V0_14, "in_atlas.nii.gz", "out_resample_mean_to_atlas_nearest.nii.gz")]
    [InlineData(TestPaths.V0_14, "in_oblique_target.nii.gz", "out_resample_mean_to_oblique_nearest.nii.gz")]
    [NilearnCase("resample_to_img_mean_to_atlas_nearest", "resample_to_img_mean_to_oblique_nearest")]
    public void Nearest_float_matches_nilearn_exactly(string version, string target, string expectedFile)
    {
        var src = Image.Load(TestPaths.Nilearn("in_mean_img.nii.gz"));
        var tgt = Image.Load(TestPaths.Nilearn(target));
        var expected = Image.Load(TestPaths.Nilearn(version, expectedFile));
        var got = Resampling.ResampleToImage(src, tgt, Interpolation.Nearest);
        Assert.Equal(expected.Shape, got.Shape);
        Assert.True(expected.Affine.AllClose(got.Affine, 0, 1e-6));
        Assert.Equal(expected.Data, got.Data);
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("resample_to_img_atlas_to_data_nearest")]
    public void Nearest_int_atlas_to_data_grid_matches_nilearn_exactly_and_keeps_int32(string version)
    {
        var atlas = Image.Load<int>(TestPaths.Nilearn("in_atlas.nii.gz"));
        var data = Image.Load(TestPaths.Nilearn("in_mean_img.nii.gz"));
        using var expectedFile = NiftiFile.Open(TestPaths.Nilearn(version, "out_resample_atlas_to_data_nearest.nii.gz"));
        Assert.Equal(NiftiDataType.Int32, expectedFile.DataType);
        var expected = expectedFile.Load<int>();
        var got = Resampling.ResampleToImage(atlas, data, Interpolation.Nearest);
        Assert.Equal(expected.Data, got.Data);
    }

    public static TheoryData<string, string, string, Interpolation> Interpolated()
    {
        var data = new TheoryData<string, string, string, Interpolation>();
        foreach (var v in new[] { TestPaths.V0_10_4, TestPaths.V0_14 })
        {
            data.Add(v, "in_atlas.nii.gz", "out_resample_mean_to_atlas_linear.nii.gz", Interpolation.Linear);
            data.Add(v, "in_atlas.nii.gz", "out_resample_mean_to_atlas_continuous.nii.gz", Interpolation.Continuous);
            data.Add(v, "in_oblique_target.nii.gz", "out_resample_mean_to_oblique_linear.nii.gz", Interpolation.Linear);
            data.Add(v, "in_oblique_target.nii.gz", "out_resample_mean_to_oblique_continuous.nii.gz", Interpolation.Continuous);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Interpolated))]
    [NilearnCase("resample_to_img_mean_to_atlas_linear", "resample_to_img_mean_to_atlas_continuous",
        "resample_to_img_mean_to_oblique_linear", "resample_to_img_mean_to_oblique_continuous")]
    public void Linear_and_continuous_match_nilearn_to_1e5(string version, string target, string expectedFile, Interpolation interpolation)
    {
        var src = Image.Load(TestPaths.Nilearn("in_mean_img.nii.gz"));
        var tgt = Image.Load(TestPaths.Nilearn(target));
        var expected = Image.Load(TestPaths.Nilearn(version, expectedFile));
        var got = Resampling.ResampleToImage(src, tgt, interpolation);
        Assert.Equal(expected.Shape, got.Shape);
        // float32 outputs: 1e-5 relative, with an absolute floor of 1e-5 of the image's range for values near 0
        double scale = expected.Data.Max(v => Math.Abs(v));
        Approx.Equal(D(expected.Data), D(got.Data), rtol: 1e-5, atol: 1e-5 * scale, what: expectedFile);
    }

    /// <summary>
    /// The oblique fixtures were computed from the target's float64 affine (a 10° rotation, 2.5 mm), which the
    /// file stores in float32; that is the whole 1e-6 difference above: with the float64 affine the result agrees
    /// to float32 rounding.
    /// </summary>
    [Theory]
    [InlineData("out_resample_mean_to_oblique_linear.nii.gz", Interpolation.Linear)]
    [InlineData("out_resample_mean_to_oblique_continuous.nii.gz", Interpolation.Continuous)]
    public void Oblique_with_nilearns_float64_affine_agrees_to_float32_rounding(string expectedFile, Interpolation interpolation)
    {
        var src = Image.Load(TestPaths.Nilearn("in_mean_img.nii.gz"));
        var expected = Image.Load(TestPaths.Nilearn(expectedFile));
        double th = 10 * Math.PI / 180, c = 2.5 * Math.Cos(th), s = 2.5 * Math.Sin(th);
        var exact = Affine.FromMatVec([c, -s, 0, s, c, 0, 0, 0, 2.5], [-27.3, -31.7, -26.1]);
        Assert.True(exact.AllClose(expected.Affine, 0, 1e-6));
        var got = Resampling.ResampleToGrid(src, new Grid(expected.SpatialShape, exact), interpolation);
        double scale = expected.Data.Max(v => Math.Abs(v));
        Approx.Equal(D(expected.Data), D(got.Data), rtol: 2e-7, atol: 1e-6 * scale, what: expectedFile);
    }
}

/// <summary>
/// Cases the nilearn fixtures do not cover (flipped LIA source, integer rounding, NaN/inf, 4D with clip,
/// the integer-shift shortcut, uint8): references computed once with scipy 1.10.1 around nilearn 0.10.4's
/// resample_img logic (tests/fixtures/imaging/make_reference.py).
/// </summary>
public class ResamplingReferenceTests
{
    private static string F(string name) => TestPaths.Fixture("imaging", name);
    private static double[] D<T>(T[] a) where T : unmanaged, System.Numerics.INumber<T> => a.Select(v => double.CreateTruncating(v)).ToArray();

    [Fact]
    public void Lia_int16_source_nearest_keeps_int16_and_matches_exactly()
    {
        var src = Image.Load<short>(F("in_lia_int16.nii.gz"));
        var target = Grid.Of(F("in_ras_target.nii.gz"));
        var expected = Image.Load<short>(F("ref_lia_int16_to_ras_nearest.nii.gz"));
        var got = Resampling.ResampleToGrid(src, target, Interpolation.Nearest);
        Assert.Equal(expected.Data, got.Data);
    }

    [Fact]
    public void Lia_int16_source_linear_rounds_like_scipy()
    {
        var src = Image.Load<short>(F("in_lia_int16.nii.gz"));
        var target = Grid.Of(F("in_ras_target.nii.gz"));
        var expected = Image.Load<short>(F("ref_lia_int16_to_ras_linear.nii.gz"));
        var got = Resampling.ResampleToGrid(src, target, Interpolation.Linear);
        Assert.Equal(expected.Data, got.Data);
    }

    [Fact]
    public void Lia_int16_source_continuous_is_cast_to_float32_like_nilearn()
    {
        var src = Image.Load<short>(F("in_lia_int16.nii.gz"));
        var target = Grid.Of(F("in_ras_target.nii.gz"));
        var expected = Image.Load(F("ref_lia_int16_to_ras_continuous.nii.gz"));
        Assert.Throws<NiSharpException>(() => Resampling.ResampleToGrid(src, target, Interpolation.Continuous));
        var got = Resampling.Resample<short, float>(src, target, Interpolation.Continuous);
        double scale = expected.Data.Max(v => Math.Abs(v));
        Approx.Equal(D(expected.Data), D(got.Data), rtol: 1e-5, atol: 1e-5 * scale);
    }

    [Theory]
    [InlineData(Interpolation.Linear, "ref_nan_linear.nii.gz")]
    [InlineData(Interpolation.Continuous, "ref_nan_continuous.nii.gz")]
    public void Nan_and_inf_are_extrapolated_then_masked_like_nilearn(Interpolation interpolation, string reference)
    {
        var src = Image.Load(F("in_nan_float32.nii.gz"));
        var expected = Image.Load(F(reference));
        var got = Resampling.ResampleToGrid(src, Grid.Of(expected), interpolation);
        Assert.Contains(expected.Data, float.IsNaN);
        for (int i = 0; i < expected.Data.Length; i++) Assert.Equal(float.IsNaN(expected.Data[i]), float.IsNaN(got.Data[i]));
        double scale = expected.Data.Where(float.IsFinite).Max(v => Math.Abs(v));
        Approx.Equal(D(expected.Data), D(got.Data), rtol: 1e-5, atol: 1e-5 * scale);
    }

    [Fact]
    public void Four_d_continuous_with_clip_onto_an_oblique_grid_matches()
    {
        var src = Image.Load(F("in_4d_float32.nii.gz"));
        var expected = Image.Load(F("ref_4d_continuous_clip.nii.gz"));
        var got = Resampling.ResampleImage(src, expected.Affine, expected.SpatialShape, Interpolation.Continuous);
        Assert.Equal(expected.Shape, got.Shape);
        double scale = expected.Data.Max(v => Math.Abs(v));
        Approx.Equal(D(expected.Data), D(got.Data), rtol: 1e-5, atol: 1e-5 * scale);
        // clip: nothing above the source maximum or below min(source, 0)
        Assert.True(got.Data.Max() <= src.Data.Max());
        Assert.True(got.Data.Min() >= Math.Min(0, src.Data.Min()));
    }

    [Fact]
    public void Four_d_file_is_streamed_to_the_same_result()
    {
        using var dir = new TempDir();
        var expected = Image.Load(F("ref_4d_continuous_clip.nii.gz"));
        Resampling.ResampleFile(F("in_4d_float32.nii.gz"), Grid.Of(expected), dir.File("out.nii.gz"), Interpolation.Continuous, clip: true);
        var got = Image.Load(dir.File("out.nii.gz"));
        Assert.Equal(expected.Shape, got.Shape);
        double scale = expected.Data.Max(v => Math.Abs(v));
        Approx.Equal(D(expected.Data), D(got.Data), rtol: 1e-5, atol: 1e-5 * scale);
    }

    [Fact]
    public void Integer_shift_is_a_cropped_copy_like_nilearn()
    {
        var src = Image.Load(F("in_shift_float32.nii.gz"));
        var expected = Image.Load(F("ref_shift_continuous.nii.gz"));
        var got = Resampling.ResampleToGrid(src, Grid.Of(expected), Interpolation.Continuous);
        Assert.Equal(expected.Data, got.Data);
        // forcing the interpolation keeps the 1e-9 voxel that the crop drops, and still agrees elsewhere
        var forced = Resampling.ResampleToGrid(src, Grid.Of(expected), Interpolation.Continuous, forceResample: true);
        Approx.Equal(D(expected.Data), D(forced.Data), rtol: 1e-5, atol: 1e-4);
    }

    [Fact]
    public void Uint8_continuous_stays_uint8_with_scipy_rounding()
    {
        var src = Image.Load<byte>(F("in_uint8.nii.gz"));
        var expected = Image.Load<byte>(F("ref_uint8_continuous.nii.gz"));
        var got = Resampling.ResampleToGrid(src, Grid.Of(expected), Interpolation.Continuous);
        Assert.Equal(expected.Data, got.Data);
    }
}
