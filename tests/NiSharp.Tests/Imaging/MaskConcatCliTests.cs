using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

/// <summary><c>nisharp mask epi|intersect</c> and <c>nisharp concat</c> against the reference masks and the inputs.</summary>
public class MaskConcatCliTests
{
    private static string F(string name) => TestPaths.Fixture("imaging", name);

    [Fact]
    public void Mask_epi_writes_the_reference_epi_mask_with_nilearn_options()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("mask", "epi", TestPaths.Nilearn("in_func.nii.gz"), "-o", dir.File("m.nii.gz"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(Image.Load<byte>(F("ref_epi_mask_in_func.nii.gz")).Data, Image.Load<byte>(dir.File("m.nii.gz")).Data);
        r = CliRunner.Run("mask", "epi", TestPaths.Nilearn("in_func.nii.gz"), "--lower-cutoff", "0.3", "--opening", "1", "--exclude-zeros", "-o", dir.File("m2.nii.gz"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(Image.Load<byte>(F("ref_epi_mask_in_func_opening1_exclude_zeros.nii.gz")).Data, Image.Load<byte>(dir.File("m2.nii.gz")).Data);
        using var written = NiftiFile.Open(dir.File("m2.nii.gz"));
        Assert.Equal(NiftiDataType.UInt8, written.DataType);
    }

    [Fact]
    public void Mask_intersect_gives_the_reference_intersection_and_union()
    {
        using var dir = new TempDir();
        var masks = Enumerable.Range(0, 3).Select(i => F($"in_mask_variant{i}.nii.gz")).ToArray();
        Assert.Equal(0, CliRunner.Run(["mask", "intersect", .. masks, "-o", dir.File("half.nii.gz")]).ExitCode);
        Assert.Equal(Image.Load<byte>(F("ref_intersect_default.nii.gz")).Data, Image.Load<byte>(dir.File("half.nii.gz")).Data);
        Assert.Equal(0, CliRunner.Run(["mask", "intersect", .. masks, "--threshold", "1", "--no-connected", "-o", dir.File("all.nii.gz")]).ExitCode);
        Assert.Equal(Image.Load<byte>(F("ref_intersect_all.nii.gz")).Data, Image.Load<byte>(dir.File("all.nii.gz")).Data);
        Assert.Equal(0, CliRunner.Run(["mask", "intersect", .. masks, "--threshold", "0", "--no-connected", "-o", dir.File("union.nii.gz")]).ExitCode);
        Assert.Equal(Image.Load<byte>(F("ref_union.nii.gz")).Data, Image.Load<byte>(dir.File("union.nii.gz")).Data);
    }

    [Fact]
    public void Concat_appends_the_volumes_in_order_as_float32_and_refuses_another_grid()
    {
        using var dir = new TempDir();
        var func = TestPaths.Nilearn("in_func.nii.gz");
        var mean = TestPaths.Nilearn("in_mean_img.nii.gz");
        var r = CliRunner.Run("concat", func, mean, func, "-o", dir.File("c.nii.gz"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var a = Image.Load(func);
        var m = Image.Load(mean);
        var c = Image.Load(dir.File("c.nii.gz"));
        int nt = a.VolumeCount, n = a.VoxelsPerVolume;
        Assert.Equal(2 * nt + 1, c.VolumeCount);
        Assert.True(c.Data.AsSpan(0, nt * n).SequenceEqual(a.Data));
        Assert.True(c.Data.AsSpan(nt * n, n).SequenceEqual(m.Data));
        Assert.True(c.Data.AsSpan((nt + 1) * n, nt * n).SequenceEqual(a.Data));
        // The library's in-memory concat_imgs gives the same image.
        Assert.Equal(Volumes.Concat([a, m, a]).Data, c.Data);

        r = CliRunner.Run("concat", func, TestPaths.Nilearn("in_atlas.nii.gz"), "-o", dir.File("bad.nii.gz"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("in_atlas.nii.gz: has grid", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(dir.File("bad.nii.gz")));
    }
}
