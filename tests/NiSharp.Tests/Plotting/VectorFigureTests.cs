using System.Text.RegularExpressions;
using System.Xml.Linq;
using CsCheck;
using NiSharp.Plotting;
using NiSharp.Qc;
using SkiaSharp;

namespace NiSharp.Tests.Plotting;

/// <summary>The pages' vector figures: our PNG encoder, the heatmap's cells, the slice view's pixels, the FD trace, tSNR.</summary>
public class VectorFigureTests
{
    private static IEnumerable<byte[]> EmbeddedPngs(string svg) =>
        Regex.Matches(svg, "href=\"data:image/png;base64,([^\"]+)\"").Select(m => Convert.FromBase64String(m.Groups[1].Value));

    [Fact]
    public void Png_encoder_round_trips_through_a_standard_decoder()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 40], Gen.Bool).SelectMany((w, h, alpha) =>
                Gen.UInt.Array[w * h].Select(px => (w, h, px.Select(p => new SKColor(alpha ? p : p | 0xFF000000u)).ToArray())))
            .Sample(t =>
            {
                var (w, h, pixels) = t;
                using var bmp = SKBitmap.Decode(PngImage.Encode(pixels, w, h));
                Assert.Equal((w, h), (bmp.Width, bmp.Height));
                for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    var want = pixels[y * w + x];
                    var got = bmp.GetPixel(x, y);
                    if (want.Alpha == 0) Assert.Equal(0, got.Alpha); // colour of a transparent pixel is not kept
                    else if (want.Alpha == 255) Assert.Equal(want, got);
                    else Assert.Equal(want.Alpha, got.Alpha);
                }
            }, iter: 60);
    }

    [Fact]
    public void Svg_numbers_are_written_as_their_two_decimal_strings()
    {
        // The markup's numbers go straight into it; each must read as SvgWriter.N's string of it.
        foreach (var v in new[] { 0.0, -0.0, 0.004, -0.004, 0.005, 199, -3, 12.5, 1e15, -1e16, 1e300, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon })
            Assert.Equal(SvgWriter.N(v), new System.Text.StringBuilder().AppendNumber(v).ToString());
        Gen.Select(Gen.Double, Gen.Int[-2000, 2000], Gen.Int[0, 100])
            .Sample((d, i, c) =>
            {
                foreach (var v in new[] { d, i, i + c / 100.0, -(i + c / 100.0), i / 7.0 })
                    Assert.Equal(SvgWriter.N(v), new System.Text.StringBuilder().AppendNumber(v).ToString());
            }, iter: 2000);
    }

    [Fact]
    public void Heatmap_cells_are_the_colour_map_of_the_values_and_empty_regions_grey()
    {
        var m = new double[3, 3] { { 1, 0.5, 0 }, { 0.5, 1, 0 }, { 0, 0, 1 } };
        var fig = MatrixPlot.Svg(m, ["a <b>", "b", "c"], new MatrixPlotOptions { Title = "t & u" });
        XDocument.Parse(fig.Markup);
        Assert.Contains("a &lt;b&gt;", fig.Markup);
        Assert.Contains("c (empty)", fig.Markup);
        using var cells = SKBitmap.Decode(EmbeddedPngs(fig.Markup).First());
        Assert.Equal((3, 3), (cells.Width, cells.Height));
        Assert.Equal(ColorMap.RdBuR.Map(0.5, -1, 1), cells.GetPixel(1, 0));   // row 0, column 1
        Assert.Equal(ColorMap.RdBuR.Map(1, -1, 1), cells.GetPixel(0, 0));
        Assert.Equal(MatrixPlot.MissingColor, cells.GetPixel(2, 0));          // region c has no signal
        Assert.Equal(MatrixPlot.MissingColor, cells.GetPixel(0, 2));
    }

    [Fact]
    public void An_integer_atlas_is_drawn_as_its_float_copy_would_be()
    {
        // The pages draw the atlas from its integer labels (no float copy) over a shared background: the same figure.
        var roi = SliceViewTests.Synthetic("oblique");
        var epi = SliceViewTests.Synthetic("oblique", (x, y, z) => x * x / 1600 + y * y / 2500 + z * z / 1225 > 1 ? 0 : 500 + (float)y);
        var labels = new[] { new LabelColor(1, "left", 230, 25, 75) };
        var background = SliceImage.Of(epi);
        var expected = BrainPlot.RoiSvg(roi, epi, labels, new SliceViewOptions { Title = "t" }).Markup;
        for (int twice = 0; twice < 2; twice++)
            Assert.Equal(expected, BrainPlot.RoiSvg(SliceImage.Of(roi.As<int>()), background, labels, new SliceViewOptions { Title = "t" }).Markup);
    }

    [Theory]
    [InlineData("RAS")]
    [InlineData("LAS")]
    [InlineData("LIA")]
    public void Layers_at_voxel_size_carry_each_voxel_under_the_cut(string orientation)
    {
        // An axis-aligned grid of cubic voxels, in any voxel order: each cut carries the background (scaled smoothly) and
        // the labels (square voxels) as pictures of their own, one pixel per voxel, the labels at the overlay's opacity.
        var roi = SliceViewTests.Synthetic(orientation);
        var epi = SliceViewTests.Synthetic(orientation, (x, y, z) => x * x / 1600 + y * y / 2500 + z * z / 1225 > 1 ? 0 : 500 + (float)y);
        var labels = new[] { new LabelColor(1, "left", 230, 25, 75), new LabelColor(2, "right", 0, 130, 200) };
        var o = new SliceViewOptions { Crosshair = false, Annotate = false, LayersAtVoxelSize = true };
        var markup = BrainPlot.RoiSvg(roi, epi, labels, o).Markup;
        XDocument.Parse(markup);
        var raster = BrainPlot.Roi(roi, epi, labels, o); // the same scene: where each cut is
        var images = Regex.Matches(markup, "<image [^>]*>").Select(m => m.Value).ToList();
        var pngs = EmbeddedPngs(markup).ToList();
        Assert.Equal(6, images.Count);
        var inverse = roi.Affine.Inverse();
        byte alpha = (byte)Math.Round(0.7 * 255);
        int labelled = 0;
        for (int k = 0; k < 3; k++)
        {
            var (axis, coordinate, panel) = raster.Cuts[k];
            Assert.DoesNotContain("pixelated", images[2 * k]);
            Assert.Contains("pixelated", images[2 * k + 1]);
            Assert.Contains($"width=\"{panel.Width}\" height=\"{panel.Height}\"", images[2 * k + 1]);
            var grid = new SliceGrid(axis, coordinate, raster.Grids[axis].Box, 2); // 2 mm voxels
            using var background = SKBitmap.Decode(pngs[2 * k]);
            using var overlay = SKBitmap.Decode(pngs[2 * k + 1]);
            Assert.Equal((grid.Columns, grid.Rows), (overlay.Width, overlay.Height));
            Assert.Equal((grid.Columns, grid.Rows), (background.Width, background.Height));
            Assert.True(Math.Abs(grid.Columns * 2 - panel.Width * raster.Grids[axis].Spacing) <= raster.Grids[axis].Spacing, "the picture spans the panel");
            for (int r = 0; r < grid.Rows; r++)
            for (int c = 0; c < grid.Columns; c++)
            {
                var (x, y, z) = grid.World(c, r);
                var (i, j, kk) = inverse.Apply(x, y, z);
                int vi = (int)Math.Floor(i + 0.5), vj = (int)Math.Floor(j + 0.5), vk = (int)Math.Floor(kk + 0.5);
                bool inside = vi >= 0 && vj >= 0 && vk >= 0 && vi < roi.Shape[0] && vj < roi.Shape[1] && vk < roi.Shape[2];
                int label = inside ? (int)roi[vi, vj, vk] : 0;
                var got = overlay.GetPixel(c, r);
                if (label == 0) { Assert.Equal(0, got.Alpha); continue; }
                labelled++;
                var want = labels[label - 1].Color;
                // The decoder premultiplies the alpha: the colour comes back within a rounding step or two.
                Assert.Equal(alpha, got.Alpha);
                Assert.True(Math.Abs(want.Red - got.Red) <= 2 && Math.Abs(want.Green - got.Green) <= 2 && Math.Abs(want.Blue - got.Blue) <= 2,
                    $"label {label}: {got} for {want}");
            }
        }
        Assert.True(labelled > 100, $"{labelled} labelled voxels in the cuts");
    }

    [Fact]
    public void Layers_at_voxel_size_leave_an_oblique_grid_drawn_pixel_by_pixel()
    {
        var roi = SliceViewTests.Synthetic("oblique");
        var epi = SliceViewTests.Synthetic("oblique", (x, y, z) => x * x / 1600 + y * y / 2500 + z * z / 1225 > 1 ? 0 : 500 + (float)y);
        var o = new SliceViewOptions { Title = "t" };
        Assert.Equal(BrainPlot.RoiSvg(roi, epi, null, o).Markup, BrainPlot.RoiSvg(roi, epi, null, o with { LayersAtVoxelSize = true }).Markup);
    }

    [Fact]
    public void Slice_view_svg_holds_the_very_pixels_of_the_png_drawing()
    {
        var roi = SliceViewTests.Synthetic("LIA");
        var epi = SliceViewTests.Synthetic("LIA", (x, y, z) => x * x / 1600 + y * y / 2500 + z * z / 1225 > 1 ? 0 : 500 + (float)y);
        var o = new SliceViewOptions { Crosshair = false, Annotate = false };
        var png = BrainPlot.Roi(roi, epi, null, o);
        var svg = BrainPlot.RoiSvg(roi, epi, null, o);
        XDocument.Parse(svg.Markup);
        using var raster = png.ToBitmap();
        var cuts = EmbeddedPngs(svg.Markup).Take(3).ToList();
        Assert.Equal(3, cuts.Count);
        for (int k = 0; k < 3; k++)
        {
            var panel = png.Cuts[k].Panel;
            using var cut = SKBitmap.Decode(cuts[k]);
            Assert.Equal((panel.Width, panel.Height), (cut.Width, cut.Height));
            for (int y = 0; y < cut.Height; y += 3)
            for (int x = 0; x < cut.Width; x += 3)
                Assert.Equal(raster.GetPixel(panel.Left + x, panel.Top + y), cut.GetPixel(x, y));
        }
    }

    [Fact]
    public void Fd_trace_shades_each_run_of_censored_volumes_once_and_breaks_at_the_first_nan()
    {
        var fd = new[] { double.NaN, 0.1, 0.9, 0.8, 0.1, 0.1, 0.7, 0.1 };
        var censored = fd.Select(v => v > 0.5).ToArray();
        var fig = ConfoundsPlot.Svg(new ConfoundsTrace { FramewiseDisplacement = fd, Censored = censored, FdThreshold = 0.5, RepetitionTime = 2 });
        XDocument.Parse(fig.Markup);
        var shade = SvgWriter.Colour(ConfoundsPlot.CensoredColor);
        Assert.Equal(2, Regex.Matches(fig.Markup, $"<rect[^>]*fill=\"{shade}\"").Count);
        var points = Regex.Match(fig.Markup, "<polyline[^>]*points=\"([^\"]+)\"").Groups[1].Value.Split(' ');
        Assert.Equal(7, points.Length); // the NaN first volume is not drawn
        Assert.Contains("3 of 8 volumes censored", fig.Markup);
        Assert.Contains("Time (s)", fig.Markup);
    }

    [Fact]
    public void Temporal_snr_of_float_volumes_equals_a_two_pass_computation()
    {
        Gen.Select(Gen.Int[2, 30], Gen.Int[1, 200]).Sample((volumes, voxels) =>
        {
            var rnd = new Random(volumes * 1000 + voxels);
            var idx = Enumerable.Range(0, voxels * 2).Where(_ => rnd.NextDouble() < 0.6).ToArray();
            var data = Enumerable.Range(0, volumes).Select(_ => Enumerable.Range(0, voxels * 2).Select(_ => (float)(900 + 50 * rnd.NextDouble())).ToArray()).ToList();
            var snr = new TemporalSnr(idx);
            foreach (var v in data) snr.Add<float>(v);
            var (mean, median, count) = snr.Result();
            var want = idx.Select(i =>
            {
                var x = data.Select(v => (double)v[i]).ToArray();
                double m = x.Average(), var = x.Sum(a => (a - m) * (a - m)) / (x.Length - 1);
                return m / Math.Sqrt(var);
            }).Order().ToList();
            if (want.Count == 0) { Assert.Equal(0, count); return; }
            Assert.Equal(want.Count, count);
            Assert.Equal(want.Average(), mean, 1e-8 * want.Average());
            double wm = want.Count % 2 == 1 ? want[want.Count / 2] : (want[want.Count / 2 - 1] + want[want.Count / 2]) / 2;
            Assert.Equal(wm, median, 1e-8 * wm);
        }, iter: 40);
    }
}
