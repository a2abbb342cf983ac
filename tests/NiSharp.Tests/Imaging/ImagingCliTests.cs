using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

public class ImagingCliTests
{
    private static string N(string f) => TestPaths.Nilearn(f);

    [Fact]
    public void Math_writes_the_formula_result_and_masks_as_uint8()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("math", "a*b", "-i", "a=" + N("in_mean_img.nii.gz"), "-i", "b=" + N("in_mask.nii.gz"), "-o", dir.File("m.nii.gz"));
        Assert.Equal(0, r.ExitCode);
        var expected = ImageMath.Evaluate("a*b", ("a", Image.Load(N("in_mean_img.nii.gz"))), ("b", Image.Load(N("in_mask.nii.gz"))));
        Assert.Equal(expected.Data, Image.Load(dir.File("m.nii.gz")).Data);
        Assert.Equal(0, CliRunner.Run("math", "a == 3", "-i", "a=" + N("in_atlas.nii.gz"), "-o", dir.File("roi.nii.gz")).ExitCode);
        using var roi = NiftiFile.Open(dir.File("roi.nii.gz"));
        Assert.Equal(NiftiDataType.UInt8, roi.DataType);
        Assert.Equal(0, CliRunner.Run("math", "-a", "-i", "a=" + N("in_mean_img.nii.gz"), "-o", dir.File("neg.nii.gz"), "--dtype", "int16").ExitCode);
        using var neg = NiftiFile.Open(dir.File("neg.nii.gz"));
        Assert.Equal(NiftiDataType.Int16, neg.DataType);
    }

    [Fact]
    public void Math_errors_exit_2_with_one_line_and_write_nothing()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("math", "a*b", "-i", "a=" + N("in_mean_img.nii.gz"), "-i", "b=" + N("in_atlas.nii.gz"), "-o", dir.File("x.nii.gz"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("in_mean_img.nii.gz", r.Stderr);
        Assert.Contains("in_atlas.nii.gz", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Empty(Directory.GetFiles(dir.Path));
        var bad = CliRunner.Run("math", "a*foo(a)", "-i", "a=" + N("in_mean_img.nii.gz"), "-o", dir.File("x.nii.gz"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("unknown function 'foo'", bad.Stderr);
        Assert.Equal(2, CliRunner.Run("math", "a", "-i", "a", "-o", dir.File("x.nii.gz")).ExitCode);
    }

    [Fact]
    public void Index_and_mean_stream_files()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("index", N("in_func.nii.gz"), "--volumes", "4:", "-o", dir.File("i.nii.gz")).ExitCode);
        Assert.Equal([20, 24, 20, 116], Image.Load(dir.File("i.nii.gz")).Shape);
        Assert.Equal(0, CliRunner.Run("index", N("in_func.nii.gz"), "--volumes=-1", "-o", dir.File("last.nii.gz")).ExitCode);
        Assert.Equal(Image.Load(N("in_func.nii.gz")).Volume(119).ToArray(), Image.Load(dir.File("last.nii.gz")).Data);
        Assert.Equal(0, CliRunner.Run("mean", N("in_func.nii.gz"), "-o", dir.File("mean.nii.gz")).ExitCode);
        Assert.Equal(Volumes.Mean(N("in_func.nii.gz")).Data, Image.Load(dir.File("mean.nii.gz")).Data);
        var e = CliRunner.Run("index", N("in_mean_img.nii.gz"), "--volumes", "1", "-o", dir.File("x.nii.gz"));
        Assert.Equal(2, e.ExitCode);
        Assert.Contains("3D", e.Stderr);
    }

    [Fact]
    public void Resample_matches_the_library_and_nilearn()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("resample", N("in_mean_img.nii.gz"), "--target", N("in_oblique_target.nii.gz"), "--interpolation", "nearest", "-o", dir.File("r.nii.gz"));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Image.Load(N("out_resample_mean_to_oblique_nearest.nii.gz")).Data, Image.Load(dir.File("r.nii.gz")).Data);
        var atlas = CliRunner.Run("resample", N("in_atlas.nii.gz"), "--target", N("in_mean_img.nii.gz"), "--interpolation", "nearest", "-o", dir.File("a.nii.gz"));
        Assert.Equal(0, atlas.ExitCode);
        using (var f = NiftiFile.Open(dir.File("a.nii.gz"))) Assert.Equal(NiftiDataType.Int32, f.DataType);
        var cont = CliRunner.Run("resample", N("in_atlas.nii.gz"), "--target", N("in_mean_img.nii.gz"), "-o", dir.File("c.nii.gz"));
        Assert.Equal(0, cont.ExitCode);
        Assert.Contains("--interpolation nearest", cont.Stderr); // a note: continuous blends labels
        using (var f = NiftiFile.Open(dir.File("c.nii.gz"))) Assert.Equal(NiftiDataType.Float32, f.DataType);
        Assert.Equal(2, CliRunner.Run("resample", N("in_atlas.nii.gz"), "--target", N("in_mean_img.nii.gz"), "--interpolation", "cubicish", "-o", dir.File("z.nii.gz")).ExitCode);
    }

    [Fact]
    public void Relabel_writes_regions_and_their_names()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("names.txt"), ["Background", "region01", "region02", "region03", "region04", "region05", "region06", "region07"]);
        var r = CliRunner.Run("relabel", N("in_atlas.nii.gz"), "--labels", dir.File("names.txt"), "-o", dir.File("r.nii.gz"), "--labels-out", dir.File("r.tsv"));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Image.Load<int>(N("out_clr_default.nii.gz")).Data, Image.Load<int>(dir.File("r.nii.gz")).Data);
        var t = LabelTable.Read(dir.File("r.tsv"));
        Assert.Equal(["region01", "region02", "region03", "region03", "region04", "region05", "region05", "region06", "region07"], t.Regions.Select(l => l.Name));
        var m = CliRunner.Run("relabel", N("in_atlas.nii.gz"), "--min-size", "16", "--no-diagonal", "-o", dir.File("m.nii.gz"));
        Assert.Equal(0, m.ExitCode);
        Assert.Equal(Image.Load<int>(N("out_clr_minsize16_nodiag.nii.gz")).Data, Image.Load<int>(dir.File("m.nii.gz")).Data);
    }

    [Fact]
    public void Atlases_lists_names_grids_counts_and_licences()
    {
        var r = CliRunner.Run("atlases");
        Assert.Equal(0, r.ExitCode);
        foreach (var a in AtlasCatalog.All) Assert.Contains(a.Name, r.Stdout);
        Assert.Contains("400 labels", r.Stdout);
        Assert.Contains("(256, 256, 256) at 1×1×1 mm, LIA", r.Stdout);
        Assert.Contains("MIT", r.Stdout);
        var one = CliRunner.Run("atlases", "schaefer100-7");
        Assert.Contains("7Networks_LH_Vis_1", one.Stdout);
        var unknown = CliRunner.Run("atlases", "yeo8");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("yeo7-relabeled", unknown.Stderr);
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("atlases", "aal", "-o", dir.File("aal.nii.gz"), "--labels-out", dir.File("aal.tsv")).ExitCode);
        Assert.Equal(116, LabelTable.Read(dir.File("aal.tsv")).Regions.Count);
    }
}
