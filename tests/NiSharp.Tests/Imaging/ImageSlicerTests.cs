using CsCheck;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Tests.Imaging;

/// <summary><c>img.Slicer[...]</c> with C# ranges and indices: python's slices, written the C# way.</summary>
public class ImageSlicerTests
{
    private static Image<float> Counting(int nx, int ny, int nz, int nt)
    {
        var data = new float[nx * ny * nz * nt];
        for (int i = 0; i < data.Length; i++) data[i] = i;
        return new Image<float>([nx, ny, nz, nt], Affine.Diagonal(3, 3, 3, -10, -20, -30), data);
    }

    [Theory]
    // (C# range written as start, end with from-end flags) and the python slice it must equal
    [InlineData(4, false, 0, true, "4:")]
    [InlineData(0, false, 0, true, ":")]
    [InlineData(59, false, 60, false, "59:60")]
    [InlineData(0, false, 1, true, ":-1")]
    [InlineData(3, true, 0, true, "-3:")]
    [InlineData(2, true, 1, true, "-2:-1")]
    [InlineData(0, true, 0, true, "10:")]   // ^0.. is empty, like python's a[len(a):]
    public void Ranges_select_what_the_python_slice_selects(int start, bool startFromEnd, int end, bool endFromEnd, string python)
    {
        PySlice slice = new Range(new Index(start, startFromEnd), new Index(end, endFromEnd));
        Assert.Equal(PySlice.Parse(python).Indices(10), slice.Indices(10));
    }

    [Fact]
    public void In_range_ranges_select_what_csharp_selects()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Int[0, 40], Gen.Int[0, 40], Gen.Bool, Gen.Bool).Sample((n, a, b, fa, fb) =>
        {
            var range = new Range(new Index(Math.Min(a, n), fa), new Index(Math.Min(b, n), fb));
            int s = range.Start.GetOffset(n), e = range.End.GetOffset(n);
            if (s > e) return; // C# throws; python gives an empty slice
            Assert.Equal(Enumerable.Range(s, e - s), ((PySlice)range).Indices(n));
        });
    }

    [Fact]
    public void Single_indices_count_from_the_end_as_python()
    {
        Assert.Equal([9], ((PySlice)(^1)).Indices(10));
        Assert.Equal([4], ((PySlice)4).Indices(10));
        Assert.True(((PySlice)4).IsIndex);
    }

    [Fact]
    public void Slicer_drops_dummy_volumes_and_picks_one_voxel_series()
    {
        var img = Counting(5, 4, 3, 10);
        var dropped = img.Slicer[.., .., .., 4..];
        Assert.Equal([5, 4, 3, 6], dropped.Shape);
        Assert.Equal(img.Index(volumes: "4:").Data, dropped.Data);

        var voxel = img.Slicer[2..3, 1..2, 0..1, ..];
        Assert.Equal([1, 1, 1, 10], voxel.Shape);
        // voxel (2, 1, 0) of volume t holds its linear index 2 + 5·1 + 60·t
        Assert.Equal(Enumerable.Range(0, 10).Select(t => (float)(7 + 60 * t)), voxel.Data);
        // the affine follows the block: its voxel (0, 0, 0) is the source's (2, 1, 0)
        Assert.Equal(img.Affine.Apply(2, 1, 0), voxel.Affine.Apply(0, 0, 0));
    }

    [Fact]
    public void Slicer_with_an_int_volume_gives_a_3D_image_and_spatial_slices_keep_their_axes()
    {
        var img = Counting(5, 4, 3, 10);
        var vol = img.Slicer[.., .., .., 4];
        Assert.Equal([5, 4, 3], vol.Shape);
        Assert.Equal(img.Volume(4).ToArray(), vol.Data);
        var x = img.Slicer[1..2, .., ..];
        Assert.Equal([1, 4, 3, 10], x.Shape);
        Assert.Equal(img.Index(volumes: null, x: "1:2").Data, x.Data);
        Assert.Equal([5, 4, 3, 1], img.Slicer[.., .., .., ^1..].Shape);
    }
}
