using CsCheck;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

public class ResamplingPropertyTests
{
    private static readonly Gen<int[]> Shape = Gen.Int[2, 7].Array[3];

    private static Affine Oblique(double ax, double ay, double az, double s, double tx, double ty, double tz)
    {
        // R = Rz·Ry·Rx scaled by s
        double cx = Math.Cos(ax), sx = Math.Sin(ax), cy = Math.Cos(ay), sy = Math.Sin(ay), cz = Math.Cos(az), sz = Math.Sin(az);
        double[] r =
        [
            cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx,
            sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx,
            -sy, cy * sx, cy * cx,
        ];
        for (int i = 0; i < 9; i++) r[i] *= s;
        return Affine.FromMatVec(r, [tx, ty, tz]);
    }

    private static readonly Gen<Affine> AnyAffine =
        Gen.Select(Gen.Double[-0.6, 0.6], Gen.Double[-0.6, 0.6], Gen.Double[-0.6, 0.6], Gen.Double[0.7, 2.5], Gen.Double[-4, 4], Gen.Double[-4, 4], Gen.Double[-4, 4])
           .Select(t => Oblique(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7));

    [Fact]
    public void Resampling_to_its_own_grid_returns_the_image()
    {
        Gen.Select(Shape, AnyAffine, Gen.Int[0, 2]).Sample((shape, affine, interp) =>
        {
            var data = Enumerable.Range(0, shape[0] * shape[1] * shape[2]).Select(i => (float)Math.Sin(i * 0.37) * 100).ToArray();
            var img = new Image<float>(shape, affine, data);
            var r = Resampling.ResampleToImage(img, img, (Interpolation)interp);
            Assert.Equal(img.Data, r.Data);
            Assert.Equal(img.Affine, r.Affine);
        }, iter: 50);
    }

    [Fact]
    public void Interpolating_at_the_voxel_centres_gives_the_voxels_back()
    {
        // the kernel itself with an identity transform, bypassing nilearn's no-op: the spline interpolates its samples
        Gen.Select(Shape, AnyAffine).Sample((shape, affine) =>
        {
            var grid = new Grid(shape, affine);
            var data = Enumerable.Range(0, grid.VoxelCount).Select(i => Math.Cos(i * 0.71) * 50).ToArray();
            foreach (var interp in new[] { Interpolation.Nearest, Interpolation.Linear, Interpolation.Continuous })
            {
                var k = new ResampleKernel(grid, grid, interp);
                var outp = new double[grid.VoxelCount];
                if (interp == Interpolation.Nearest) k.Nearest<double, double>(data, outp, 0);
                else
                {
                    var coef = data.ToArray();
                    if (interp == Interpolation.Continuous) SplineFilter.Prefilter3D(coef, shape[0], shape[1], shape[2]);
                    k.Interpolate<double>(coef, outp, 0);
                }
                Approx.Equal(data, outp, rtol: 0, atol: interp == Interpolation.Continuous ? 1e-10 : 0, what: interp.ToString());
            }
        }, iter: 40);
    }

    [Fact]
    public void Nearest_never_invents_labels()
    {
        Gen.Select(Shape, AnyAffine, AnyAffine, Gen.Int[1, 40].Array[8]).Sample((shape, srcAffine, tgtAffine, palette) =>
        {
            int n = shape[0] * shape[1] * shape[2];
            var labels = Enumerable.Range(0, n).Select(i => palette[(i * 7 + i / 3) % palette.Length]).ToArray();
            var img = new Image<int>(shape, srcAffine, labels);
            var target = new Grid(shape[2] + 2, shape[0] + 1, shape[1] + 3, tgtAffine);
            var r = Resampling.ResampleToGrid(img, target, Interpolation.Nearest);
            var allowed = new HashSet<int>(labels) { 0 };
            Assert.All(r.Data, v => Assert.Contains(v, allowed));
        }, iter: 100);
    }

    [Fact]
    public void Nearest_upsampling_by_two_then_back_is_lossless()
    {
        Gen.Select(Shape, Gen.Int[0, 9].Array[400]).Sample((shape, values) =>
        {
            int n = shape[0] * shape[1] * shape[2];
            var img = new Image<short>(shape, Affine.Diagonal(2, 2, 2, -5, 3, 7), values.Take(n).Select(v => (short)v).ToArray());
            var fine = new Grid(shape[0] * 2, shape[1] * 2, shape[2] * 2, Affine.Diagonal(1, 1, 1, -5, 3, 7));
            var up = Resampling.ResampleToGrid(img, fine, Interpolation.Nearest);
            var back = Resampling.ResampleToGrid(up, Grid.Of(img), Interpolation.Nearest, forceResample: true);
            Assert.Equal(img.Data, back.Data);
        }, iter: 50);
    }

    [Fact]
    public void A_whole_voxel_shift_copies_whatever_the_interpolation()
    {
        Gen.Select(Shape, Gen.Int[-2, 2].Array[3]).Sample((shape, shift) =>
        {
            int n = shape[0] * shape[1] * shape[2];
            var data = Enumerable.Range(0, n).Select(i => 1f + i % 5).ToArray(); // no value near 0: nothing cropped
            var a = Affine.Diagonal(3, 3, 3, 10, 20, 30);
            var img = new Image<float>(shape, a, data);
            var target = new Grid(shape, Affine.Diagonal(3, 3, 3, 10 + 3 * shift[0], 20 + 3 * shift[1], 30 + 3 * shift[2]));
            var copy = Resampling.ResampleToGrid(img, target, Interpolation.Continuous);
            var nearest = Resampling.ResampleToGrid(img, target, Interpolation.Nearest, forceResample: true);
            Assert.Equal(nearest.Data, copy.Data);
        }, iter: 60);
    }
}

public class ResamplingErrorTests
{
    [Fact]
    public void A_truncated_run_fails_naming_the_file_and_leaves_no_output()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(TestPaths.Nilearn("in_func.nii.gz"));
        File.WriteAllBytes(dir.File("cut.nii.gz"), bytes[..(bytes.Length * 2 / 3)]);
        var target = Grid.Of(TestPaths.Nilearn("in_atlas.nii.gz"));
        var e = Assert.Throws<NiSharpException>(() => Resampling.ResampleFile(dir.File("cut.nii.gz"), target, dir.File("out.nii.gz"), Interpolation.Continuous));
        Assert.Contains("cut.nii.gz", e.Message);
        Assert.Equal(["cut.nii.gz"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Signed_integers_with_continuous_interpolation_ask_for_a_float_output()
    {
        var img = new Image<int>([3, 3, 3], Affine.Identity, new int[27]);
        var e = Assert.Throws<NiSharpException>(() => Resampling.ResampleToGrid(img, new Grid(2, 2, 2, Affine.Diagonal(1.5, 1.5, 1.5)), Interpolation.Continuous));
        Assert.Contains("Resample<Int32, float>", e.Message);
    }
}
