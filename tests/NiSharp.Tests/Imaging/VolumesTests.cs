using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

public class VolumesTests
{
    [Theory]
    [InlineData("4:", new[] { 4, 5, 6, 7, 8, 9 })]
    [InlineData(":3", new[] { 0, 1, 2 })]
    [InlineData("2:8:3", new[] { 2, 5 })]
    [InlineData("::-1", new[] { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 })]
    [InlineData("-3:", new[] { 7, 8, 9 })]
    [InlineData("5:2:-1", new[] { 5, 4, 3 })]
    [InlineData("10:20", new int[0])]
    [InlineData("-20:3", new[] { 0, 1, 2 })]
    [InlineData("8:-12:-2", new[] { 8, 6, 4, 2, 0 })]
    [InlineData("1:-1", new[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData("-1", new[] { 9 })]
    public void Slices_select_what_python_selects(string text, int[] expected)
    {
        // expected values printed by python: list(range(10))[slice]
        Assert.Equal(expected, PySlice.Parse(text).Indices(10));
    }

    [Theory]
    [InlineData("1:2:0")]
    [InlineData("a:")]
    [InlineData("1:2:3:4")]
    public void Bad_slices_are_errors(string text) => Assert.Throws<NiSharpException>(() => PySlice.Parse(text));

    private static Image<float> Run4D() =>
        new([3, 4, 2, 6], Affine.Diagonal(2, 3, 4, -10, -20, -30), Enumerable.Range(0, 3 * 4 * 2 * 6).Select(i => (float)i).ToArray());

    [Fact]
    public void Dropping_volumes_keeps_the_grid()
    {
        var img = Run4D();
        var r = img.Index(volumes: "4:");
        Assert.Equal([3, 4, 2, 2], r.Shape);
        Assert.Equal(img.Affine, r.Affine);
        Assert.Equal(img.Volume(4).ToArray(), r.Volume(0).ToArray());
        var one = img.Index(volumes: "2");
        Assert.Equal([3, 4, 2], one.Shape);
        Assert.Equal(img.Volume(2).ToArray(), one.Data);
    }

    [Fact]
    public void A_spatial_block_stays_in_place_in_world_space()
    {
        var img = Run4D();
        var block = img.Index(x: "1:3", y: "::-2", z: "1");
        Assert.Equal([2, 2, 1, 6], block.Shape);
        var xs = new[] { 1, 2 }; var ys = new[] { 3, 1 };
        for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
        {
            Assert.Equal(img[xs[a], ys[b], 1, 5], block[a, b, 0, 5]);
            Assert.Equal(img.Affine.Apply(xs[a], ys[b], 1), block.Affine.Apply(a, b, 0));
        }
    }

    [Fact]
    public void Index_file_streams_the_same_result_and_keeps_the_datatype()
    {
        using var dir = new TempDir();
        var src = TestPaths.Nilearn("in_func.nii.gz");
        Volumes.IndexFile(src, dir.File("a.nii.gz"), volumes: "4:", x: "2:10");
        var mem = Image.Load(src).Index(volumes: "4:", x: "2:10");
        var got = Image.Load(dir.File("a.nii.gz"));
        Assert.Equal(mem.Shape, got.Shape);
        Assert.Equal(mem.Data, got.Data);
        Assert.True(mem.Affine.AllClose(got.Affine, 0, 1e-6));
        Assert.Equal(Image.Load(src).Header!.Pixdim[4], got.Header!.Pixdim[4]); // the header (TR) is carried over
        Volumes.IndexFile(src, dir.File("rev.nii.gz"), volumes: "::-1");
        var rev = Image.Load(dir.File("rev.nii.gz"));
        Assert.Equal(Image.Load(src).Volume(0).ToArray(), rev.Volume(119).ToArray());
        Assert.Throws<NiSharpException>(() => Volumes.IndexFile(src, dir.File("none.nii.gz"), volumes: "200:"));
        Assert.False(File.Exists(dir.File("none.nii.gz")));
    }

    [Fact]
    public void Mean_image_matches_nilearn_mean()
    {
        var expected = Image.Load(TestPaths.Nilearn("out_math_img_mean.nii.gz"));
        var got = Volumes.Mean(TestPaths.Nilearn("in_func.nii.gz"));
        Approx.Equal(expected.Data.Select(v => (double)v).ToArray(), got.Data.Select(v => (double)v).ToArray(), 1e-5, 1e-5);
    }

    [Fact]
    public void Concat_stacks_3d_images_and_checks_grids()
    {
        var a = new Image<float>([2, 1, 1], Affine.Identity, [1, 2]);
        var b = new Image<float>([2, 1, 1], Affine.Identity, [3, 4]);
        var c = Volumes.Concat([a, b]);
        Assert.Equal([2, 1, 1, 2], c.Shape);
        Assert.Equal([1f, 2, 3, 4], c.Data);
        var other = new Image<float>([2, 1, 1], Affine.Diagonal(2, 2, 2), [3, 4]);
        var e = Assert.Throws<NiSharpException>(() => Volumes.Concat([a, other], ["a.nii", "b.nii"]));
        Assert.Contains("b.nii", e.Message);
    }
}
