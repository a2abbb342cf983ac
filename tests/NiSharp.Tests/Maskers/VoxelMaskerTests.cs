using CsCheck;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Maskers;

/// <summary>Voxel masker (NiftiMasker): mask → time × voxel matrix with cleaning, and back.</summary>
public class VoxelMaskerTests
{
    private static Image<float> RandomRun(int nx, int ny, int nz, int nt, int seed)
    {
        var rng = new Random(seed);
        var d = new float[nx * ny * nz * nt];
        for (int i = 0; i < d.Length; i++) d[i] = (float)(rng.NextDouble() * 10 + (i % 7));
        return new Image<float>([nx, ny, nz, nt], Affine.Diagonal(2, 2, 2), d, new NiftiHeader { Pixdim = [1, 2, 2, 2, 2, 1, 1, 1] });
    }

    private static Image<byte> RandomMask(int nx, int ny, int nz, int seed)
    {
        var rng = new Random(seed);
        var m = new byte[nx * ny * nz];
        for (int i = 0; i < m.Length; i++) m[i] = (byte)(rng.NextDouble() < 0.4 ? 1 : 0);
        m[0] = 1;
        return new Image<byte>([nx, ny, nz], Affine.Diagonal(2, 2, 2), m);
    }

    [Fact]
    public void Transform_has_nilearns_columns_and_nan_becomes_zero()
    {
        var img = RandomRun(5, 4, 3, 6, 1);
        img.Data[7] = float.NaN;
        var mask = RandomMask(5, 4, 3, 2);
        mask.Data[7] = 1;
        var x = new VoxelMasker(mask).FitTransform(img);
        var expected = Masking.ApplyMask(img, mask);    // nilearn apply_mask order (tested against nilearn in Imaging)
        Assert.Equal(expected.GetLength(1), x.Features);
        for (int t = 0; t < 6; t++)
            for (int v = 0; v < x.Features; v++) Assert.Equal(expected[t, v], x[t, v]);
    }

    [Fact]
    public void Inverse_transform_puts_the_voxels_back()
    {
        Gen.Select(Gen.Int[1, 1000], Gen.Int[1, 1000]).Sample((s1, s2) =>
        {
            var img = RandomRun(4, 3, 5, 3, s1);
            var mask = RandomMask(4, 3, 5, s2);
            var masker = new VoxelMasker(mask);
            var back = masker.InverseTransform(masker.FitTransform(img));
            Assert.Equal(img.Shape, back.Shape);
            for (int t = 0; t < 3; t++)
                for (int v = 0; v < 60; v++)
                    Assert.Equal(mask.Data[v] != 0 ? img.Data[t * 60 + v] : 0f, back.Data[t * 60 + v]);
            var one = masker.InverseTransform<float>(masker.FitTransform(img).Row(1));
            Assert.Equal(3, one.NDim);
        }, iter: 50);
    }

    [Fact]
    public void Cleaning_confounds_dummy_volumes_and_sample_mask()
    {
        using var dir = new TempDir();
        var img = RandomRun(4, 4, 3, 40, 5);
        var path = dir.File("bold.nii.gz");
        img.Save(path);
        var mask = RandomMask(4, 4, 3, 6);
        var rng = new Random(9);
        var conf = new SignalMatrix<double>(38, 2);
        for (int i = 0; i < conf.Data.Length; i++) conf.Data[i] = rng.NextDouble();
        int[] keep = [.. Enumerable.Range(0, 38).Where(t => t % 9 != 4)];
        var o = new VoxelMaskerOptions { MaskImg = mask, Clean = MaskerOptions.DefaultCleaning with { Detrend = true, Standardize = StandardizeMethod.ZScoreSample, LowPass = 0.2, HighPass = 0.02 } };
        var got = new VoxelMasker(o).FitTransform<float>(path, new MaskerInputs { Confounds = conf, SampleMask = keep, DummyScans = 2 });

        var raw = Masking.ApplyMask(img, mask);
        int nv = raw.GetLength(1);
        var signals = new SignalMatrix<float>(38, nv);
        for (int t = 0; t < 38; t++) for (int v = 0; v < nv; v++) signals[t, v] = raw[t + 2, v];
        var expected = SignalCleaner.Clean(signals, o.Clean with { RepetitionTime = 2 }, conf, keep);
        Assert.Equal(keep.Length, got.Timepoints);
        Assert.Equal(expected.Data, got.Data);
    }

    [Fact]
    public void Mask_on_another_grid_is_resampled_to_the_data()
    {
        var img = RandomRun(4, 4, 4, 2, 3);
        var fine = new byte[8 * 8 * 8];
        for (int k = 0; k < 8; k++) for (int j = 0; j < 8; j++) for (int i = 0; i < 8; i++) fine[i + 8 * (j + 8 * k)] = (byte)(i < 4 ? 1 : 0);
        var mask = new Image<byte>([8, 8, 8], Affine.Identity, fine);
        var x = new VoxelMasker(mask).FitTransform(img);
        Assert.Equal(2 * 4 * 4, x.Features);   // data voxels at x = 0 and 2 mm
    }

    [Fact]
    public void Empty_mask_fails()
    {
        var e = Assert.Throws<NiSharpException>(() => new VoxelMasker(new VoxelMaskerOptions { MaskImg = new Image<byte>([2, 2, 2], Affine.Identity, new byte[8]), MaskSource = "m.nii" }));
        Assert.Contains("m.nii", e.Message);
    }
}
