using CsCheck;
using NiSharp.Atlases;
using NiSharp.Maskers;
using NiSharp.Imaging;
using NiSharp.Signal;
using NiSharp.Nifti;

namespace NiSharp.Tests.Maskers;

/// <summary>Maps masker on a 6×5×4 grid: region signals are the least-squares coefficients of each volume on the maps.</summary>
public class MapsMaskerTests
{
    private const int Nx = 6, Ny = 5, Nz = 4, N = Nx * Ny * Nz;

    private static Image<float> Maps(params float[][] maps)
    {
        var d = maps.SelectMany(m => m).ToArray();
        return new Image<float>([Nx, Ny, Nz, maps.Length], Affine.Identity, d);
    }

    private static float[] Blob(Func<int, int, int, float> f)
    {
        var m = new float[N];
        for (int k = 0; k < Nz; k++) for (int j = 0; j < Ny; j++) for (int i = 0; i < Nx; i++) m[i + Nx * (j + Ny * k)] = f(i, j, k);
        return m;
    }

    [Fact]
    public void Disjoint_binary_maps_give_the_mean_of_their_voxels()
    {
        var a = Blob((i, j, k) => i < 2 ? 1 : 0);
        var b = Blob((i, j, k) => i >= 4 ? 1 : 0);
        var data = new float[N * 2];
        for (int t = 0; t < 2; t++) for (int v = 0; v < N; v++) data[t * N + v] = v + 100 * t;
        var r = new MapsMasker(new MapsMaskerOptions { MapsImg = Maps(a, b) }).FitTransform(new Image<float>([Nx, Ny, Nz, 2], Affine.Identity, data));
        Assert.Equal([1, 2], r.LabelIds);
        Assert.Equal(["map_1", "map_2"], r.ColumnNames);
        for (int t = 0; t < 2; t++)
        {
            double meanA = Enumerable.Range(0, N).Where(v => a[v] != 0).Average(v => v + 100.0 * t);
            double meanB = Enumerable.Range(0, N).Where(v => b[v] != 0).Average(v => v + 100.0 * t);
            Assert.Equal(meanA, r.Values[t, 0], 3);
            Assert.Equal(meanB, r.Values[t, 1], 3);
        }
    }

    [Fact]
    public void Overlapping_maps_recover_the_coefficients_of_a_mixture()
    {
        Gen.Select(Gen.Float[0.1f, 1].Array[N], Gen.Float[-1, 1].Array[N], Gen.Float[-5, 5].Array[6]).Sample((m1, m2, c) =>
        {
            var maps = Maps(m1, m2, Blob((i, j, k) => k == 0 ? 1 : 0));
            var data = new float[N * 2];
            for (int t = 0; t < 2; t++)
                for (int v = 0; v < N; v++)
                    data[t * N + v] = c[3 * t] * m1[v] + c[3 * t + 1] * m2[v] + c[3 * t + 2] * maps.Data[2 * N + v];
            var r = new MapsMasker(new MapsMaskerOptions { MapsImg = maps }).FitTransform(new Image<float>([Nx, Ny, Nz, 2], Affine.Identity, data));
            for (int t = 0; t < 2; t++)
                for (int k = 0; k < 3; k++)
                    // float32 data through the normal equations: a few 1e-4 of error on these well-posed mixtures
                    Assert.True(Math.Abs(c[3 * t + k] - r.Values[t, k]) <= 2e-3, $"coefficient {k} at t={t}: expected {c[3 * t + k]}, got {r.Values[t, k]}");
        }, iter: 50);
    }

    [Fact]
    public void Identical_maps_share_the_signal_as_the_minimum_norm_solution()
    {
        var a = Blob((i, j, k) => i + j + k + 1);
        var data = a.Select(x => 3 * x).ToArray();
        var r = new MapsMasker(new MapsMaskerOptions { MapsImg = Maps(a, a) }).FitTransform(new Image<float>([Nx, Ny, Nz, 1], Affine.Identity, data));
        Assert.Equal(1.5, r.Values[0, 0], 4);
        Assert.Equal(1.5, r.Values[0, 1], 4);
    }

    [Fact]
    public void A_map_outside_the_mask_is_empty_and_named_from_the_table()
    {
        var a = Blob((i, j, k) => i < 2 ? 1 : 0);
        var b = Blob((i, j, k) => i >= 4 ? 0.5f : 0);
        var mask = new Image<byte>([Nx, Ny, Nz], Affine.Identity, Blob((i, j, k) => i < 3 ? 1 : 0).Select(x => (byte)x).ToArray());
        var o = new MapsMaskerOptions
        {
            MapsImg = Maps(a, b), MaskImg = mask,
            Labels = new LabelTable([new AtlasLabel(1, "left", "Vis"), new AtlasLabel(2, "right")]),
        };
        var data = Blob((i, j, k) => 2);
        var r = new MapsMasker(o).FitTransform(new Image<float>([Nx, Ny, Nz, 1], Affine.Identity, data));
        Assert.Equal(["left", "right"], r.ColumnNames);
        Assert.Equal(2.0, r.Values[0, 0], 5);
        Assert.True(double.IsNaN(r.Values[0, 1]));
        Assert.Equal(RegionStatus.OutsideMask, r.Coverage[1].Status);
        Assert.Equal(40, r.Coverage[0].MaskVoxels);
        var zero = new MapsMasker(o with { KeepEmpty = KeepEmpty.Zero }).FitTransform(new Image<float>([Nx, Ny, Nz, 1], Affine.Identity, data));
        Assert.Equal(0, zero.Values[0, 1]);
    }

    [Fact]
    public void Overlap_is_an_error_only_when_not_allowed()
    {
        var a = Blob((i, j, k) => i < 3 ? 1 : 0);
        var b = Blob((i, j, k) => i >= 2 ? 1 : 0);
        var data = new Image<float>([Nx, Ny, Nz, 1], Affine.Identity, Blob((i, j, k) => 1));
        Assert.Equal(2, new MapsMasker(new MapsMaskerOptions { MapsImg = Maps(a, b) }).FitTransform(data).Values.Features);
        var e = Assert.Throws<NiSharpException>(() => new MapsMasker(new MapsMaskerOptions { MapsImg = Maps(a, b), AllowOverlap = false }).FitTransform(data));
        Assert.Contains("maps 1 and 2 overlap", e.Message);
    }

    [Fact]
    public void Maps_on_another_grid_are_resampled_to_the_data()
    {
        // one map covering the maps' whole field of view at 1 mm; the data at 2 mm inside it
        var maps = new Image<float>([12, 10, 8, 1], Affine.Identity, Enumerable.Repeat(1f, 960).ToArray());
        var data = new Image<float>([3, 3, 3, 1], Affine.Diagonal(2, 2, 2, 2, 2, 2), Enumerable.Range(0, 27).Select(v => (float)v).ToArray());
        var r = new MapsMasker(new MapsMaskerOptions { MapsImg = maps }).FitTransform(data);
        Assert.Equal(13.0, r.Values[0, 0], 4);
        Assert.Equal(27, r.Coverage[0].GridVoxels);
        Assert.Equal(960 / 8.0, r.Coverage[0].AtlasVoxels);
    }

    [Theory]
    [InlineData(NilearnSemantics.V0_14, Interpolation.Linear, "linear")]
    [InlineData(NilearnSemantics.V0_10_4, Interpolation.Continuous, "continuous")]
    public void Maps_are_resampled_linearly_as_nilearn_0_12_1_does_and_with_splines_for_0_10_4(
        NilearnSemantics semantics, Interpolation interpolation, string name)
    {
        // a map with an edge, on a data grid at 1.5 mm shifted by a fraction of a voxel
        var maps = new Image<float>([12, 10, 8, 1], Affine.Identity, Enumerable.Range(0, 960).Select(v => v % 12 < 6 ? 1f : 0f).ToArray());
        var dataGrid = Affine.FromMatVec([1.5, 0, 0, 0, 1.5, 0, 0, 0, 1.5], [0.3, 0.2, 0.1]);
        var data = new Image<float>([6, 5, 4, 1], dataGrid, Enumerable.Range(0, 120).Select(v => (float)(v % 7)).ToArray());
        var options = new MapsMaskerOptions { MapsImg = maps, Clean = MaskerOptions.DefaultCleaning with { Semantics = semantics } };
        Assert.Equal(interpolation, options.MapsInterpolation);
        var r = new MapsMasker(options).FitTransform(data);
        Assert.Equal(name, ((Dictionary<string, object?>)r.Parameters["masker"]!)["maps_interpolation"]);
        // the masker fits the maps as resampled with that interpolation: the same as giving it maps already on the grid
        var onGrid = Resampling.ResampleImage(maps, dataGrid, [6, 5, 4], interpolation, clip: true);
        var direct = new MapsMasker(new MapsMaskerOptions { MapsImg = onGrid }).FitTransform(data);
        Assert.Equal(direct.Values.Data, r.Values.Data);
        Assert.True(onGrid.Data.Min() >= 0); // clip=True, as nilearn's resample_img
    }
}
