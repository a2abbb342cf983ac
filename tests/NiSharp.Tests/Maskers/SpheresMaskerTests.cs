using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;

namespace NiSharp.Tests.Maskers;

/// <summary>Spheres masker on a 10×10×10 grid of 2 mm voxels centred on the origin: voxel (i, j, k) is at (2i−10, 2j−10, 2k−10) mm.</summary>
public class SpheresMaskerTests
{
    private static readonly Grid Grid10 = new(10, 10, 10, Affine.Diagonal(2, 2, 2, -10, -10, -10));

    /// <summary>Voxel v of volume t holds v + 1000·t.</summary>
    private static Image<float> IndexData(int volumes = 2)
    {
        int n = 1000;
        var d = new float[n * volumes];
        for (int t = 0; t < volumes; t++) for (int v = 0; v < n; v++) d[t * n + v] = v + 1000 * t;
        return new Image<float>([10, 10, 10, volumes], Grid10.Affine, d);
    }

    private static int V(int i, int j, int k) => i + 10 * (j + 10 * k);

    private static SpheresMasker Masker(double? radius, params (double X, double Y, double Z)[] seeds) =>
        new(new SpheresMaskerOptions { Seeds = seeds.Select((s, i) => new RoiCoordinate(i + 1, s.X, s.Y, s.Z)).ToArray(), Radius = radius });

    [Theory]
    [InlineData(null, 1)]
    [InlineData(0.0, 1)]
    [InlineData(1.9, 1)]
    [InlineData(2.0, 7)]    // the 6 face neighbours are exactly 2 mm away: radius is inclusive, as sklearn's radius_neighbors
    [InlineData(2.9, 19)]   // + 12 edge neighbours at 2√2
    [InlineData(3.5, 27)]   // + 8 corners at 2√3
    public void Radius_in_mm_selects_voxel_centres_within_it(double? radius, int voxels)
    {
        var m = Masker(radius, (0, 0, 0));
        var set = m.VoxelsOf(Grid10, 0);
        Assert.Equal(voxels, set.Length);
        Assert.Contains(V(5, 5, 5), set);
        var r = m.FitTransform(IndexData());
        Assert.Equal(V(5, 5, 5), r.Values[0, 0], 3);       // a symmetric sphere averages to its centre
        Assert.Equal(V(5, 5, 5) + 1000, r.Values[1, 0], 3);
        Assert.Equal(voxels, r.Coverage[0].MaskVoxels);
        Assert.Equal(1.0, r.Coverage[0].Coverage);
    }

    [Fact]
    public void Nearest_voxel_rounds_half_to_even_like_numpy()
    {
        // x = −9 mm is voxel 0.5 → 0; x = −7 mm is 1.5 → 2
        var m = Masker(null, (-9, 0, 0), (-7, 0, 0));
        Assert.Equal([V(0, 5, 5)], m.VoxelsOf(Grid10, 0));
        Assert.Equal([V(2, 5, 5)], m.VoxelsOf(Grid10, 1));
    }

    [Fact]
    public void Overlapping_spheres_fail_unless_allowed()
    {
        var seeds = new[] { new RoiCoordinate(7, 0, 0, 0), new RoiCoordinate(9, 2, 0, 0) };
        var m = new SpheresMasker(new SpheresMaskerOptions { Seeds = seeds, Radius = 2 });
        var e = Assert.Throws<NiSharpException>(() => m.FitTransform(IndexData()));
        Assert.Contains("seeds 7 and 9 overlap", e.Message);
        var allowed = new SpheresMasker(new SpheresMaskerOptions { Seeds = seeds, Radius = 2, AllowOverlap = true });
        var r = allowed.FitTransform(IndexData());
        Assert.Equal([7, 9], r.LabelIds);
        Assert.Equal(V(6, 5, 5), r.Values[0, 1], 3);
    }

    [Fact]
    public void Sphere_outside_the_field_of_view_or_mask_is_an_empty_region()
    {
        var mask = new byte[1000];
        Array.Fill(mask, (byte)1);
        mask[V(5, 5, 5)] = 0;
        var o = new SpheresMaskerOptions
        {
            Seeds = [new RoiCoordinate(1, 0, 0, 0), new RoiCoordinate(2, 50, 0, 0), new RoiCoordinate(3, -10, -10, -10)],
            Radius = 2,
            MaskImg = new Image<byte>([10, 10, 10], Grid10.Affine, mask),
        };
        var r = new SpheresMasker(o).FitTransform(IndexData());
        Assert.Equal([1, 2, 3], r.LabelIds);
        Assert.Equal(6, r.Coverage[0].MaskVoxels);                  // the centre is masked out
        Assert.Equal(RegionStatus.NotOnDataGrid, r.Coverage[1].Status);
        Assert.True(double.IsNaN(r.Values[0, 1]));
        // the corner voxel's sphere: 4 of its 7 voxels are in the field of view
        Assert.Equal((7.0, 4), (r.Coverage[2].AtlasVoxels, r.Coverage[2].GridVoxels));
        Assert.Equal((V(0, 0, 0) + V(1, 0, 0) + V(0, 1, 0) + V(0, 0, 1)) / 4.0, r.Values[0, 2], 3);

        var none = new SpheresMasker(o with { Radius = null }).FitTransform(IndexData());
        Assert.Equal(RegionStatus.OutsideMask, none.Coverage[0].Status);
        var drop = new SpheresMasker(o with { KeepEmpty = KeepEmpty.Drop }).FitTransform(IndexData());
        Assert.Equal([1, 3], drop.LabelIds);
    }

    [Fact]
    public void Power_and_dosenbach_seeds_on_the_lesson_grid()
    {
        var grid = new Grid(65, 77, 49, Affine.Diagonal(3, 3, 3, -96, -132, -78));
        var seeds = CoordinateAtlas.Load("power2011");
        var power = new SpheresMasker(new SpheresMaskerOptions { Seeds = seeds, Radius = 5 });
        var coverage = power.Fit(grid);   // 5 mm spheres do not overlap: no error
        Assert.Equal(264, coverage.Count);
        Assert.Equal(Enumerable.Range(1, 264), coverage.Select(c => c.Id));
        Assert.Equal("roi_1", coverage[0].Name);
        // the grid's top slice is at z = 66 mm: seeds below it are all extracted, a few dorsal ones above it are empty
        for (int s = 0; s < 264; s++)
        {
            if (seeds[s].Z <= 66) Assert.Equal(RegionStatus.Extracted, coverage[s].Status);
            else if (coverage[s].IsEmpty) Assert.Equal(RegionStatus.NotOnDataGrid, coverage[s].Status);
        }
        Assert.Equal(9, coverage.Count(c => c.IsEmpty));
        Assert.All(coverage.Where(c => !c.IsEmpty && seeds[c.Id - 1].Z <= 61), c => Assert.Equal(1.0, c.Coverage));

        var dosenbach = new SpheresMasker(new SpheresMaskerOptions { Seeds = CoordinateAtlas.Load("dosenbach2010") });
        var d = dosenbach.Fit(grid);
        Assert.Equal(160, d.Count);
        Assert.All(d, c => Assert.Equal(1, c.MaskVoxels));
        Assert.All(d, c => Assert.False(string.IsNullOrEmpty(c.Network)));
    }

    [Fact]
    public void Bad_options_fail_up_front()
    {
        Assert.Throws<NiSharpException>(() => new SpheresMasker(new SpheresMaskerOptions { Seeds = [] }));
        Assert.Throws<NiSharpException>(() => Masker(-1, (0, 0, 0)));
        Assert.Throws<NiSharpException>(() => new SpheresMasker(new SpheresMaskerOptions { Seeds = [new RoiCoordinate(1, 0, 0, 0), new RoiCoordinate(1, 5, 0, 0)] }));
    }
}
