using CsCheck;
using NiSharp.Nifti;
using NiSharp.Plotting;
using NiSharp.Tests.Support;
using SkiaSharp;

namespace NiSharp.Tests.Plotting;

public class SliceViewTests
{
    private static readonly LabelColor Left = new(1, "left hemisphere", 230, 25, 75);
    private static readonly LabelColor Right = new(2, "right hemisphere", 0, 130, 200);

    /// <summary>Labels defined in world space: 1 in an ellipsoid's left half (x &lt; -4 mm), 2 in its right half (x &gt; 4).</summary>
    private static float WorldLabel(double x, double y, double z)
    {
        double e = x * x / (40.0 * 40) + y * y / (50.0 * 50) + z * z / (35.0 * 35);
        if (e > 1) return 0;
        return x < -4 ? 1 : x > 4 ? 2 : 0;
    }

    /// <summary>The same world content on grids of different voxel orders (2 mm voxels).</summary>
    internal static Image<float> Synthetic(string orientation, Func<double, double, double, float>? world = null)
    {
        world ??= WorldLabel;
        Affine affine;
        int[] shape;
        switch (orientation)
        {
            case "RAS":
                affine = Affine.Diagonal(2, 2, 2, -60, -70, -60);
                shape = [61, 71, 61];
                break;
            case "LAS":
                affine = Affine.Diagonal(-2, 2, 2, 60, -70, -60);
                shape = [61, 71, 61];
                break;
            case "LIA":
                // i → −x (toward left), j → −z (toward inferior), k → +y (toward anterior), as FreeSurfer's conformed space.
                affine = Affine.FromMatVec([-2, 0, 0, 0, 0, 2, 0, -2, 0], [60, -70, 60]);
                shape = [61, 61, 71];
                break;
            case "oblique":
                double a = 20 * Math.PI / 180, c = Math.Cos(a) * 2, s = Math.Sin(a) * 2;
                affine = Affine.FromMatVec([c, -s, 0, s, c, 0, 0, 0, 2], [0, 0, -60]) * Affine.Diagonal(1, 1, 1, -40, -45, 0);
                shape = [80, 90, 61];
                break;
            default: throw new ArgumentException(orientation);
        }
        var img = Image<float>.Zeros(shape, affine);
        for (int k = 0; k < shape[2]; k++)
        for (int j = 0; j < shape[1]; j++)
        for (int i = 0; i < shape[0]; i++)
        {
            var (x, y, z) = affine.Apply(i, j, k);
            img[i, j, k] = world(x, y, z);
        }
        return img;
    }

    /// <summary>Columns (figure pixels) of the pixels of exactly <paramref name="color"/> inside <paramref name="panel"/>.</summary>
    private static List<int> ColumnsOf(SKBitmap bmp, SKRectI panel, SKColor color)
    {
        var cols = new List<int>();
        for (int y = panel.Top; y < panel.Bottom; y++)
        for (int x = panel.Left; x < panel.Right; x++)
            if (bmp.GetPixel(x, y) == color) cols.Add(x);
        return cols;
    }

    [Theory]
    [InlineData("RAS")]
    [InlineData("LAS")]
    [InlineData("LIA")]
    [InlineData("oblique")]
    public void Left_hemisphere_label_is_drawn_left_of_the_midline_in_axial_and_coronal_cuts(string orientation)
    {
        var img = Synthetic(orientation);
        if (orientation != "oblique") Assert.Equal(orientation, img.Affine.AxisCodes);
        var fig = BrainPlot.Roi(img, null, [Left, Right], new SliceViewOptions { CutCoords = (0, 0, 0), Crosshair = false, Annotate = false });
        using var bmp = fig.ToBitmap();
        foreach (var axis in new[] { SliceAxis.Axial, SliceAxis.Coronal })
        {
            var midline = fig.WorldToPixel(axis, 0, 0, 0).X;
            var left = ColumnsOf(bmp, fig.Panels[axis], Left.Color);
            var right = ColumnsOf(bmp, fig.Panels[axis], Right.Color);
            Assert.True(left.Count > 500, $"{axis}: only {left.Count} left-label pixels");
            Assert.True(right.Count > 500, $"{axis}: only {right.Count} right-label pixels");
            Assert.True(left.Max() < midline, $"{axis}: a left-label pixel at column {left.Max()} is right of the midline {midline}");
            Assert.True(right.Min() > midline, $"{axis}: a right-label pixel at column {right.Min()} is left of the midline {midline}");
        }
    }

    [Fact]
    public void RAS_and_LIA_grids_of_the_same_world_content_give_the_same_picture()
    {
        var o = new SliceViewOptions { CutCoords = (10, -6, 4), Title = "same" };
        using var ras = BrainPlot.Roi(Synthetic("RAS"), null, [Left, Right], o).ToBitmap();
        using var lia = BrainPlot.Roi(Synthetic("LIA"), null, [Left, Right], o).ToBitmap();
        Assert.Equal((ras.Width, ras.Height), (lia.Width, lia.Height));
        int differ = 0;
        for (int y = 0; y < ras.Height; y++)
        for (int x = 0; x < ras.Width; x++)
            if (ras.GetPixel(x, y) != lia.GetPixel(x, y)) differ++;
        // Only pixels exactly halfway between two voxel centres may round to different voxels.
        Assert.True(differ <= ras.Width * ras.Height / 200, $"{differ} pixels differ");
    }

    [Fact]
    public void Real_LIA_atlas_left_hemisphere_network_is_drawn_on_the_left_in_its_LUT_colour()
    {
        var atlas = Image.Load(TestPaths.Fixture("plotting", "Yeo2011_7Networks_MNI152_FreeSurferConformed1mm.nii.gz"));
        Assert.Equal("LIA", atlas.Affine.AxisCodes);
        var lut = LabelColors.Read(TestPaths.Fixture("plotting", "Yeo2011_7Networks_ColorLUT.txt"));
        // Keep network 7 (default mode) of the left hemisphere only (world x < 0).
        var s = atlas.SpatialShape;
        var left = new float[atlas.VoxelsPerVolume];
        for (int k = 0; k < s[2]; k++)
        for (int j = 0; j < s[1]; j++)
        for (int i = 0; i < s[0]; i++)
            if (atlas[i, j, k] == 7 && atlas.Affine.Apply(i, j, k).X < 0) left[atlas.Index(i, j, k)] = 7;
        var img = new Image<float>(s, atlas.Affine, left);
        var fig = BrainPlot.Roi(img, null, lut, new SliceViewOptions { CutCoords = (0, -50, 20), Crosshair = false, Annotate = false });
        var dmn = lut.Single(l => l.Id == 7);
        Assert.Equal((205, 62, 78), ((int)dmn.R, (int)dmn.G, (int)dmn.B));
        using var bmp = fig.ToBitmap();
        foreach (var axis in new[] { SliceAxis.Axial, SliceAxis.Coronal })
        {
            var cols = ColumnsOf(bmp, fig.Panels[axis], dmn.Color);
            Assert.True(cols.Count > 200, $"{axis}: {cols.Count} pixels of the DMN colour");
            Assert.True(cols.Max() < fig.WorldToPixel(axis, 0, 0, 0).X, $"{axis}: DMN pixel right of the midline");
        }
    }

    [Fact]
    public void Every_label_pixel_has_exactly_its_LUT_colour()
    {
        var atlas = Image.Load(TestPaths.Fixture("plotting", "Yeo2011_7Networks_MNI152_FreeSurferConformed1mm.nii.gz"));
        var lut = LabelColors.Read(TestPaths.Fixture("plotting", "Yeo2011_7Networks_ColorLUT.txt"));
        Assert.Equal(7, lut.Count);
        var fig = BrainPlot.Roi(atlas, null, lut, new SliceViewOptions { CutCoords = (8, -4, 9), Crosshair = false, Annotate = false });
        using var bmp = fig.ToBitmap();
        var allowed = lut.Select(l => l.Color).Append(SKColors.White).ToHashSet();
        var seen = new HashSet<SKColor>();
        foreach (var p in fig.Panels.Values)
            for (int y = p.Top; y < p.Bottom; y++)
            for (int x = p.Left; x < p.Right; x++)
            {
                var c = bmp.GetPixel(x, y);
                Assert.Contains(c, allowed);
                seen.Add(c);
            }
        Assert.True(seen.Count >= 6, $"only {seen.Count - 1} networks visible in the cuts");
        // The legend names every network with a swatch of its colour, right of the cuts.
        int legendLeft = fig.Panels.Values.Max(p => p.Right);
        foreach (var l in lut)
        {
            bool found = false;
            for (int y = 0; y < bmp.Height && !found; y++)
            for (int x = legendLeft; x < bmp.Width && !found; x++)
                found = bmp.GetPixel(x, y) == l.Color;
            Assert.True(found, $"no legend swatch in the colour of {l.Name}");
        }
    }

    [Fact]
    public void Label_over_background_is_blended_with_the_requested_opacity()
    {
        var roi = Synthetic("RAS");
        var bg = Synthetic("RAS", (x, y, z) => 100f);
        var fig = BrainPlot.Roi(roi, bg, [Left, Right], new SliceViewOptions { CutCoords = (0, 0, 0), OverlayAlpha = 0.5, Crosshair = false, Annotate = false });
        using var bmp = fig.ToBitmap();
        var (px, py) = fig.WorldToPixel(SliceAxis.Axial, -20, 0, 0);
        var c = bmp.GetPixel((int)px, (int)py);
        // Uniform background 100 is mapped to the top of the grey scale (white), then half the label colour over it.
        Assert.Equal(new SKColor((byte)Math.Round(255 + (230 - 255) * 0.5), (byte)Math.Round(255 + (25 - 255) * 0.5), (byte)Math.Round(255 + (75 - 255) * 0.5)), c);
    }

    [Fact]
    public void Stat_map_threshold_hides_small_values_and_colours_large_ones()
    {
        // +2 around x = -20, +5 around x = +20 (within 8 mm), 0 elsewhere.
        var stat = Synthetic("RAS", (x, y, z) =>
        {
            if ((x + 20) * (x + 20) + y * y + z * z < 64) return 2;
            if ((x - 20) * (x - 20) + y * y + z * z < 64) return 5;
            return 0;
        });
        var fig = BrainPlot.StatMap(stat, null, new SliceViewOptions { CutCoords = (0, 0, 0), Threshold = 3, Crosshair = false, Annotate = false });
        using var bmp = fig.ToBitmap();
        var weak = fig.WorldToPixel(SliceAxis.Axial, -20, 0, 0);
        var strong = fig.WorldToPixel(SliceAxis.Axial, 20, 0, 0);
        Assert.Equal(SKColors.White, bmp.GetPixel((int)weak.X, (int)weak.Y));
        // 5 is the maximum: the top of cold_hot (yellow).
        Assert.Equal(ColorMap.ColdHot.Map(1.0), bmp.GetPixel((int)strong.X, (int)strong.Y));
    }

    [Fact]
    public void Default_cut_is_the_centre_of_mass_of_the_roi()
    {
        var roi = Synthetic("LIA", (x, y, z) => (x - 20) * (x - 20) + (y + 10) * (y + 10) + (z - 6) * (z - 6) < 100 ? 3 : 0);
        var fig = BrainPlot.Roi(roi);
        Assert.Equal(20, fig.CutCoords.X, 0.5);
        Assert.Equal(-10, fig.CutCoords.Y, 0.5);
        Assert.Equal(6, fig.CutCoords.Z, 0.5);
    }

    [Fact]
    public void Anat_and_epi_views_draw_every_cut_and_write_png_and_svg()
    {
        var anat = Image.Load(TestPaths.Data("samples", "nipy_anatomical.nii.gz"));
        using var dir = new TempDir();
        var fig = BrainPlot.Anat(anat, new SliceViewOptions { Title = "anat" });
        fig.Save(dir.File("anat.png"));
        fig.Save(dir.File("anat.svg"));
        using var decoded = SKBitmap.Decode(dir.File("anat.png"));
        Assert.Equal((fig.Width, fig.Height), (decoded.Width, decoded.Height));
        foreach (var p in fig.Panels.Values)
        {
            // Each cut shows anatomy: many grey levels, not a flat colour.
            var levels = new HashSet<SKColor>();
            for (int y = p.Top; y < p.Bottom; y += 2)
            for (int x = p.Left; x < p.Right; x += 2)
                levels.Add(decoded.GetPixel(x, y));
            Assert.True(levels.Count > 30, $"a cut has only {levels.Count} colours");
        }
        var svg = File.ReadAllText(dir.File("anat.svg"));
        Assert.Contains("<svg", svg);
        Assert.Contains("data:image/png;base64,", svg);
        Assert.Contains(">", svg);

        var epi = Image.Load(TestPaths.Data("samples", "nipy_functional.nii.gz"));
        var efig = BrainPlot.Epi(epi, new SliceViewOptions { Volume = 3 });
        using var ebmp = efig.ToBitmap();
        Assert.True(efig.Width > efig.Panels.Values.Max(p => p.Right) + 40, "the EPI view has a colour bar");
    }

    [Fact]
    public void Unknown_picture_format_and_volume_out_of_range_are_user_errors()
    {
        var img = Synthetic("RAS");
        var e = Assert.Throws<NiSharpException>(() => BrainPlot.Anat(img).Save("/tmp/x.jpg"));
        Assert.Contains("x.jpg", e.Message);
        Assert.Throws<NiSharpException>(() => BrainPlot.Anat(img, new SliceViewOptions { Volume = 3 }));
    }

    [Fact]
    public void Linear_sampling_of_a_linear_world_function_is_exact_for_any_affine()
    {
        // A world-linear image is reproduced exactly by trilinear sampling inside the grid, whatever the
        // voxel order, voxel sizes or rotation: the display grid and the inverse affine must agree.
        var gen = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 7], Gen.Double[-0.6, 0.6], Gen.Double[1, 3]);
        gen.Sample((perm, flips, angle, size) =>
        {
            int[][] perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
            var p = perms[perm];
            var m = new double[9];
            for (int col = 0; col < 3; col++) m[p[col] * 3 + col] = ((flips >> col) & 1) == 1 ? -size : size;
            double c = Math.Cos(angle), s = Math.Sin(angle);
            var rot = Affine.FromMatVec([c, -s, 0, s, c, 0, 0, 0, 1], [0, 0, 0]);
            var affine = rot * Affine.FromMatVec(m, [3, -5, 7]);
            int[] shape = [12, 14, 10];
            double F(double x, double y, double z) => 0.5 * x - 0.25 * y + 0.125 * z + 3;
            var img = Image<float>.Zeros(shape, affine);
            for (int k = 0; k < shape[2]; k++)
            for (int j = 0; j < shape[1]; j++)
            for (int i = 0; i < shape[0]; i++)
            {
                var w = affine.Apply(i, j, k);
                img[i, j, k] = (float)F(w.X, w.Y, w.Z);
            }
            var box = WorldBox.Of(shape, affine);
            var inv = affine.Inverse();
            foreach (var axis in new[] { SliceAxis.Sagittal, SliceAxis.Coronal, SliceAxis.Axial })
            {
                var centre = box.Centre;
                double cut = axis == SliceAxis.Sagittal ? centre.X : axis == SliceAxis.Coronal ? centre.Y : centre.Z;
                var grid = new SliceGrid(axis, cut, box, 0.9);
                var values = new float[grid.Rows * grid.Columns];
                grid.Sample(img.Data, shape, affine, SliceGrid.Interpolation.Linear, values);
                int inside = 0;
                for (int r = 0; r < grid.Rows; r++)
                for (int col = 0; col < grid.Columns; col++)
                {
                    var w = grid.World(col, r);
                    var v = inv.Apply(w.X, w.Y, w.Z);
                    bool interior = v.X >= 0 && v.Y >= 0 && v.Z >= 0 && v.X <= shape[0] - 1 && v.Y <= shape[1] - 1 && v.Z <= shape[2] - 1;
                    if (!interior) continue;
                    inside++;
                    Assert.Equal(F(w.X, w.Y, w.Z), values[r * grid.Columns + col], 1e-3);
                }
                Assert.True(inside > 0);
            }
        }, iter: 40);
    }

    [Fact]
    public void Sampling_a_cut_gives_exactly_the_voxel_rule_at_every_pixel()
    {
        // The sampler reads most pixels through a fast path (between voxel centres, no checks); every pixel must still be
        // exactly what the rule gives: nearest = the voxel at floor(position + 0.5), NaN off the grid; linear = the
        // trilinear blend of the clamped position (edge voxels repeated within half a voxel of the border), NaN beyond.
        // Oblique, flipped and one-voxel-thin grids, cuts through and beside the image, float and integer voxels.
        var gen = Gen.Select(Gen.Int[1, 9], Gen.Int[1, 9], Gen.Int[1, 9], Gen.Double[-0.7, 0.7], Gen.Int[0, 7], Gen.Double[0.4, 2.5], Gen.Double[-1.2, 1.2]);
        gen.Sample((nx, ny, nz, angle, flips, spacing, shift) =>
        {
            int[] shape = [nx, ny, nz];
            double c = Math.Cos(angle), s = Math.Sin(angle);
            var m = new double[] { 2 * c, -1.5 * s, 0, 2 * s, 1.5 * c, 0.3, 0, 0.2, 2.5 };
            for (int col = 0; col < 3; col++)
                if (((flips >> col) & 1) == 1) { m[col] = -m[col]; m[3 + col] = -m[3 + col]; m[6 + col] = -m[6 + col]; }
            var affine = Affine.FromMatVec(m, [4, -3, 2]);
            var rng = new Random(nx * 100 + ny * 10 + nz);
            var floats = Enumerable.Range(0, nx * ny * nz).Select(_ => (float)(rng.NextDouble() * 100 - 20)).ToArray();
            var ints = Enumerable.Range(0, nx * ny * nz).Select(_ => rng.Next(0, 400)).ToArray();
            var inv = affine.Inverse();
            var box = WorldBox.Of(shape, affine);
            foreach (var axis in new[] { SliceAxis.Sagittal, SliceAxis.Coronal, SliceAxis.Axial })
            {
                var (cx, cy, cz) = box.Centre;
                double cut = (axis == SliceAxis.Sagittal ? cx : axis == SliceAxis.Coronal ? cy : cz) + shift * 3;
                var grid = new SliceGrid(axis, cut, box, spacing);
                var values = new float[grid.Rows * grid.Columns];
                foreach (var interp in new[] { SliceGrid.Interpolation.Nearest, SliceGrid.Interpolation.Linear })
                {
                    grid.Sample(floats, shape, affine, interp, values);
                    Check(values, floats.Select(v => (double)v).ToArray(), interp);
                    grid.Sample<int>(ints, shape, affine, interp, values);
                    Check(values, ints.Select(v => (double)(float)v).ToArray(), interp);
                }

                void Check(float[] got, double[] voxel, SliceGrid.Interpolation interp)
                {
                    // the sampler's own walk of voxel positions (linear in column and row), so that positions agree bit for bit
                    var w0 = grid.World(0, 0); var w1 = grid.World(1, 0); var w2 = grid.World(0, 1);
                    var p0 = inv.Apply(w0.X, w0.Y, w0.Z); var p1 = inv.Apply(w1.X, w1.Y, w1.Z); var p2 = inv.Apply(w2.X, w2.Y, w2.Z);
                    for (int r = 0; r < grid.Rows; r++)
                    for (int col = 0; col < grid.Columns; col++)
                    {
                        double i = p0.X + col * (p1.X - p0.X) + r * (p2.X - p0.X);
                        double j = p0.Y + col * (p1.Y - p0.Y) + r * (p2.Y - p0.Y);
                        double k = p0.Z + col * (p1.Z - p0.Z) + r * (p2.Z - p0.Z);
                        float expected = interp == SliceGrid.Interpolation.Nearest ? Nearest(voxel, i, j, k) : Linear(voxel, i, j, k);
                        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(got[r * grid.Columns + col]));
                    }
                }
            }

            float Nearest(double[] v, double i, double j, double k)
            {
                int a = (int)Math.Floor(i + 0.5), b = (int)Math.Floor(j + 0.5), cc = (int)Math.Floor(k + 0.5);
                if (a < 0 || b < 0 || cc < 0 || a >= nx || b >= ny || cc >= nz) return float.NaN;
                return (float)v[a + nx * (b + ny * cc)];
            }

            float Linear(double[] v, double i, double j, double k)
            {
                if (i < -0.5 || j < -0.5 || k < -0.5 || i > nx - 0.5 || j > ny - 0.5 || k > nz - 0.5) return float.NaN;
                i = Math.Clamp(i, 0, nx - 1); j = Math.Clamp(j, 0, ny - 1); k = Math.Clamp(k, 0, nz - 1);
                int a = Math.Min((int)i, Math.Max(0, nx - 2)), b = Math.Min((int)j, Math.Max(0, ny - 2)), cc = Math.Min((int)k, Math.Max(0, nz - 2));
                double fa = nx > 1 ? i - a : 0, fb = ny > 1 ? j - b : 0, fc = nz > 1 ? k - cc : 0;
                int a1 = Math.Min(a + 1, nx - 1), b1 = Math.Min(b + 1, ny - 1), c1 = Math.Min(cc + 1, nz - 1);
                double At(int x, int y, int z) => v[x + nx * y + nx * ny * z];
                double c00 = At(a, b, cc) * (1 - fa) + At(a1, b, cc) * fa, c10 = At(a, b1, cc) * (1 - fa) + At(a1, b1, cc) * fa;
                double c01 = At(a, b, c1) * (1 - fa) + At(a1, b, c1) * fa, c11 = At(a, b1, c1) * (1 - fa) + At(a1, b1, c1) * fa;
                return (float)((c00 * (1 - fb) + c10 * fb) * (1 - fc) + (c01 * (1 - fb) + c11 * fb) * fc);
            }
        }, iter: 60);
    }

    [Fact]
    public void The_display_range_order_statistics_are_exactly_a_selections()
    {
        // The robust range's two ranks come from a histogram of float keys, not a selection: the very values a selection
        // gives (MathNet's OrderStatisticInplace), for negatives, ties, clusters in one bucket, and one or two values.
        var gen = Gen.Select(Gen.Int[1, 3000], Gen.Int[0, 3], Gen.Int[0, int.MaxValue]);
        gen.Sample((n, shape, seed) =>
        {
            var rng = new Random(seed);
            var v = new float[n];
            for (int i = 0; i < n; i++)
                v[i] = shape switch
                {
                    0 => (float)(rng.NextDouble() * 2000 + 1),                  // EPI-like intensities
                    1 => (float)((rng.NextDouble() - 0.5) * 1e6),               // both signs, wide
                    2 => 100f + rng.Next(0, 4) * 1e-5f,                         // ties, all in one bucket
                    _ => (float)(Math.Exp(rng.NextDouble() * 40 - 20) * (rng.Next(2) == 0 ? -1 : 1)), // many exponents
                };
            int k1 = (int)((n - 1) * 0.02) + 1, k2 = (int)((n - 1) * 0.998) + 1;
            var (lo, hi) = SliceImage.OrderStatistics(v, k1, k2);
            Assert.Equal(MathNet.Numerics.Statistics.ArrayStatistics.OrderStatisticInplace((float[])v.Clone(), k1), lo);
            Assert.Equal(MathNet.Numerics.Statistics.ArrayStatistics.OrderStatisticInplace((float[])v.Clone(), k2), hi);
        }, iter: 200);
    }

    [Fact]
    public void Pixel_and_world_positions_round_trip_on_every_cut()
    {
        var box = new WorldBox(-70, 70, -100, 80, -50, 90);
        Gen.Select(Gen.Double[-60, 60], Gen.Double[-90, 70], Gen.Double[-40, 80], Gen.Double[0.3, 3]).Sample((x, y, z, sp) =>
        {
            foreach (var axis in new[] { SliceAxis.Sagittal, SliceAxis.Coronal, SliceAxis.Axial })
            {
                var g = new SliceGrid(axis, axis == SliceAxis.Sagittal ? x : axis == SliceAxis.Coronal ? y : z, box, sp);
                var (c, r) = g.Pixel(x, y, z);
                var w = g.World(c, r);
                Assert.Equal(x, w.X, 1e-9);
                Assert.Equal(y, w.Y, 1e-9);
                Assert.Equal(z, w.Z, 1e-9);
            }
        });
    }
}
