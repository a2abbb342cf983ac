using NiSharp.Bids;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary>clean_img against nilearn 0.10.4 and 0.14.0 (float32 images), streaming against in-memory, and bad inputs.</summary>
public class ImageCleanerTests
{
    private static readonly CleanOptions BandPass = new() { LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 };

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("clean_img_mask_bandpass_confounds")]
    public void Clean_img_with_mask_band_pass_and_confounds_matches_nilearn(string version)
    {
        using var dir = new TempDir();
        var output = dir.File("clean.nii.gz");
        var r = ImageCleaner.Clean(TestPaths.Nilearn("in_func.nii.gz"), output, CleanParityTests.Release(version, BandPass), TestPaths.Nilearn("in_mask.nii.gz"),
            SignalFixtures.ConfoundsOf(version));
        Assert.Equal((120, 0, 120, 3707, "float32"), (r.VolumesIn, r.DummyScans, r.VolumesOut, r.Voxels, r.DataType));
        using (var f = NiftiFile.Open(output)) Assert.Equal(NiftiDataType.Float32, f.DataType);
        var expected = Image.Load(TestPaths.Nilearn(version, "out_clean_img_mask_bandpass_confounds.nii.gz"));
        var got = Image.Load(output);
        Assert.Equal(expected.Shape, got.Shape);
        // nilearn cleans these voxels in float32 (0.10.4 also re-adds each voxel's mean, ≈100, before z-scoring), so a
        // single float32 rounding step (7.6e-6 at 100) divided by a residual std below 1 reaches 2e-5;
        // cleaning the same data in float64 differs from nilearn by 1e-4. We emulate numpy's float32 steps:
        // every value within 3e-5, and 99.5% within 2e-6.
        var e = expected.Data.Select(v => (double)v).ToArray();
        var g = got.Data.Select(v => (double)v).ToArray();
        Approx.Equal(e, g, 0, 3e-5, "clean_img");
        int loose = e.Zip(g).Count(p => Math.Abs(p.First - p.Second) > 2e-6);
        Assert.True(loose < e.Length / 200, $"{loose} of {e.Length} values differ by more than 2e-6");
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("clean_img_defaults_nomask")]
    public void Clean_img_defaults_without_mask_match_nilearn(string version)
    {
        // clean_img(func): detrend=True, standardize=True on every voxel, zero voxels stay 0. True is 'zscore'
        // (population std) in 0.10.4 and 'zscore_sample' in 0.14 — NiSharp's default.
        var image = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        var options = version == TestPaths.V0_10_4 ? new CleanOptions { Standardize = StandardizeMethod.ZScore } : new CleanOptions();
        var got = ImageCleaner.Clean(image, CleanParityTests.Release(version, options));
        var expected = Image.Load(TestPaths.Nilearn(version, "out_clean_img_defaults_nomask.nii.gz"));
        Approx.Equal(expected.Data.Select(v => (double)v).ToArray(), got.Data.Select(v => (double)v).ToArray(), 1e-5, 1e-5, "clean_img defaults");
    }

    [Fact]
    public void Streaming_from_a_file_gives_the_same_bits_as_cleaning_in_memory()
    {
        using var dir = new TempDir();
        var output = dir.File("clean.nii.gz");
        var mask = SignalFixtures.SampleMask;
        ImageCleaner.Clean(TestPaths.Nilearn("in_func.nii.gz"), output, BandPass, TestPaths.Nilearn("in_mask.nii.gz"), SignalFixtures.Confounds, mask);
        var image = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        var maskImg = Image.Load(TestPaths.Nilearn("in_mask.nii.gz"));
        var inMemory = ImageCleaner.Clean(image, BandPass, maskImg, SignalFixtures.Confounds, mask);
        var fromFile = Image.Load(output);
        Assert.Equal(inMemory.Shape, fromFile.Shape);
        Assert.Equal(mask.Length, fromFile.Shape[3]);
        Assert.Equal(inMemory.Data, fromFile.Data);
        // Outside the mask every volume is 0.
        for (int v = 0; v < maskImg.VoxelsPerVolume; v++)
            if (maskImg.Data[v] == 0) Assert.Equal(0f, fromFile.Data[v]);
    }

    [Fact]
    public void Voxel_images_clean_like_their_signal_matrix()
    {
        // Each voxel is cleaned independently: cleaning the (T × V) matrix directly gives the same values.
        var image = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        var cleaned = ImageCleaner.Clean(image, BandPass, null, SignalFixtures.Confounds);
        int v = image.VoxelsPerVolume;
        var m = new SignalMatrix<float>(image.VolumeCount, v, (float[])image.Data.Clone());
        var direct = SignalCleaner.Clean(m, BandPass, SignalFixtures.Confounds);
        Assert.Equal(direct.Data, cleaned.Data);
    }

    [Fact]
    public void Dummy_volumes_are_dropped_before_cleaning()
    {
        using var dir = new TempDir();
        var output = dir.File("clean.nii.gz");
        var conf = SignalFixtures.Confounds.SliceRows(4, 116);
        var r = ImageCleaner.Clean(TestPaths.Nilearn("in_func.nii.gz"), output, BandPass, TestPaths.Nilearn("in_mask.nii.gz"), conf, dummyScans: 4);
        Assert.Equal((120, 4, 116), (r.VolumesIn, r.DummyScans, r.VolumesOut));
        var image = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        int vpv = image.VoxelsPerVolume;
        var trimmed = new Image<float>([20, 24, 20, 116], image.Affine, image.Data.AsSpan(4 * vpv).ToArray(), image.Header);
        var expected = ImageCleaner.Clean(trimmed, BandPass, Image.Load(TestPaths.Nilearn("in_mask.nii.gz")), conf);
        Assert.Equal(expected.Data, Image.Load(output).Data);
    }

    [Fact]
    public void A_mask_on_another_grid_fails_before_anything_is_written()
    {
        using var dir = new TempDir();
        var badMask = dir.File("mask.nii.gz");
        new Image<float>([20, 24, 21], Affine.Diagonal(3, 3, 3), new float[20 * 24 * 21]).Save(badMask);
        var output = dir.File("out.nii.gz");
        var e = Assert.Throws<NiSharpException>(() => ImageCleaner.Clean(TestPaths.Nilearn("in_func.nii.gz"), output, BandPass, badMask));
        Assert.StartsWith(badMask, e.Message);
        Assert.Contains("(20, 24, 21) differs", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path, "out*"));
    }

    [Fact]
    public void Non_binary_masks_and_confound_length_mismatches_are_refused_with_the_file_and_numbers()
    {
        using var dir = new TempDir();
        var mask = Image.Load(TestPaths.Nilearn("in_mask.nii.gz"));
        var three = dir.File("three.nii.gz");
        var data = mask.Data.ToArray();
        data[0] = 2;
        mask.WithData(data).Save(three);
        var e = Assert.Throws<NiSharpException>(() => ImageCleaner.Clean(TestPaths.Nilearn("in_func.nii.gz"), dir.File("o.nii"), BandPass, three));
        Assert.Contains("not binary", e.Message);
        var e2 = Assert.Throws<NiSharpException>(() => ImageCleaner.Clean(TestPaths.Nilearn("in_func.nii.gz"), dir.File("o.nii"), BandPass, null, SignalFixtures.Confounds.SliceRows(0, 100)));
        Assert.Contains("100 rows", e2.Message);
        Assert.Contains("120 timepoints", e2.Message);
        Assert.Empty(Directory.GetFiles(dir.Path, "o.nii*"));
    }

    [Fact]
    public void Repetition_time_comes_from_the_flag_then_the_sidecar_then_the_header()
    {
        using var dir = new TempDir();
        var bold = dir.File("sub-01_task-rest_bold.nii.gz");
        File.Copy(TestPaths.Nilearn("in_func.nii.gz"), bold);
        var r1 = ResolvedRepetitionTime.Resolve(bold);
        Assert.Equal(1.0, r1.Seconds);
        Assert.Contains("header", r1.Source);
        File.WriteAllText(dir.File("sub-01_task-rest_bold.json"), "{\"RepetitionTime\": 2.5}");
        var r2 = ResolvedRepetitionTime.Resolve(bold);
        Assert.Equal(2.5, r2.Seconds);
        Assert.Equal("sub-01_task-rest_bold.json", r2.Source);
        Assert.Equal(0.8, ResolvedRepetitionTime.Resolve(bold, 0.8).Seconds);
    }
}
