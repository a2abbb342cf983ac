using NiSharp.Plotting;
using SkiaSharp;

namespace NiSharp.Tests.Plotting;

public class ChartTests
{
    private static SKColor At(SKBitmap bmp, SKPoint p) => bmp.GetPixel((int)Math.Round(p.X), (int)Math.Round(p.Y));

    /// <summary>The darkest pixel within <paramref name="r"/> pixels of <paramref name="p"/> (a 1–2 px antialiased line may miss the exact pixel).</summary>
    private static SKColor Darkest(SKBitmap bmp, SKPoint p, int r = 2)
    {
        SKColor best = SKColors.White;
        for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++)
        {
            var c = bmp.GetPixel((int)Math.Round(p.X) + dx, (int)Math.Round(p.Y) + dy);
            if (c.Red + c.Green + c.Blue < best.Red + best.Green + best.Blue) best = c;
        }
        return best;
    }

    [Fact]
    public void Heatmap_cell_0_0_is_top_left_and_the_scale_is_symmetric_around_zero()
    {
        // Distinct corners: +1 top-left, −1 bottom-right, 0 top-right, 0.5 bottom-left.
        var m = new double[4, 4];
        m[0, 0] = 1; m[3, 3] = -1; m[0, 3] = 0; m[3, 0] = 0.5;
        m[0, 1] = m[1, 0] = 0.1;
        m[1, 2] = m[2, 1] = 0.2; // keep every region non-empty
        m[1, 1] = m[2, 2] = 0.3;
        var fig = MatrixPlot.Connectivity(m, ["a", "b", "c", "d"]);
        using var bmp = fig.ToBitmap();
        var area = fig.DataArea();
        float cw = area.Width / 4, ch = area.Height / 4;
        SKColor Cell(int i, int j) => bmp.GetPixel((int)(area.Left + (j + 0.5f) * cw), (int)(area.Top + (i + 0.5f) * ch));
        Assert.Equal(ColorMap.RdBuR.Map(1.0), Cell(0, 0));
        Assert.Equal(ColorMap.RdBuR.Map(0.0), Cell(3, 3));
        Assert.Equal(ColorMap.RdBuR.Map(0.5), Cell(0, 3)); // 0 is the middle of [−1, 1]: white
        Assert.Equal(ColorMap.RdBuR.Map(0.75), Cell(3, 0));
        var zero = Cell(0, 3);
        Assert.True(zero.Red >= 240 && zero.Green >= 240 && zero.Blue >= 240, $"0 should be white-ish, got {zero}");
    }

    [Fact]
    public void Heatmap_limits_are_symmetric_even_for_positive_matrices()
    {
        var m = new double[3, 3] { { 0.8, 0.2, 0.4 }, { 0.2, 0.8, 0.1 }, { 0.4, 0.1, 0.8 } };
        var fig = MatrixPlot.Connectivity(m);
        using var bmp = fig.ToBitmap();
        var area = fig.DataArea();
        var c = bmp.GetPixel((int)(area.Left + area.Width * 0.5), (int)(area.Top + area.Height * 0.5)); // cell (1,1) = 0.8 = vmax
        Assert.Equal(ColorMap.RdBuR.Map(1.0), c);
        var c01 = bmp.GetPixel((int)(area.Left + area.Width * 0.5), (int)(area.Top + area.Height / 6)); // (0,1) = 0.2 → (0.2+0.8)/1.6
        Assert.Equal(ColorMap.RdBuR.Map((0.2 + 0.8) / 1.6), c01);
    }

    [Fact]
    public void Empty_regions_and_NaN_cells_are_grey_and_named_empty()
    {
        var m = new double[3, 3] { { 1, 0, 0.5 }, { 0, 1, 0 }, { 0.5, 0, 1 } }; // region 1 has no signal
        Assert.Equal([false, true, false], MatrixPlot.EmptyRegions(m));
        m[0, 2] = double.NaN;
        var fig = MatrixPlot.Connectivity(m, ["PCC", "empty one", "mPFC"]);
        using var bmp = fig.ToBitmap();
        var area = fig.DataArea();
        SKColor Cell(int i, int j) => bmp.GetPixel((int)(area.Left + (j + 0.5f) * area.Width / 3), (int)(area.Top + (i + 0.5f) * area.Height / 3));
        Assert.Equal(MatrixPlot.MissingColor, Cell(1, 1));
        Assert.Equal(MatrixPlot.MissingColor, Cell(0, 1));
        Assert.Equal(MatrixPlot.MissingColor, Cell(0, 2)); // NaN
        Assert.Equal(ColorMap.RdBuR.Map(1.0), Cell(2, 2));
        Assert.Contains("empty one (empty)", fig.ToSvg());
    }

    [Fact]
    public void Non_square_matrix_is_a_user_error()
    {
        Assert.Throws<NiSharpException>(() => MatrixPlot.Connectivity(new double[2, 3]));
        Assert.Throws<NiSharpException>(() => MatrixPlot.Connectivity(new double[2, 2], ["a"]));
    }

    [Fact]
    public void Confounds_threshold_line_is_red_and_censored_volumes_are_shaded()
    {
        int n = 40;
        var fd = new double[n];
        for (int t = 0; t < n; t++) fd[t] = t == 0 ? double.NaN : 0.1;
        fd[20] = 1.2;
        var censored = ConfoundsTrace.ExceedingThresholds(fd, 0.5, null, 1.5);
        Assert.Equal([20], Enumerable.Range(0, n).Where(t => censored[t]));
        var fig = ConfoundsPlot.Plot(new ConfoundsTrace { FramewiseDisplacement = fd, FdThreshold = 0.5, Censored = censored });
        using var bmp = fig.ToBitmap();
        // Inside the shaded band, away from the trace: the band colour over white.
        var band = At(bmp, fig.DataToPixel(20, 0.8));
        var clear = At(bmp, fig.DataToPixel(10, 0.8));
        Assert.True(band.Red > band.Green + 40 && band.Red > band.Blue + 40, $"censored band colour {band}");
        Assert.True(clear.Red > 220 && Math.Abs(clear.Red - clear.Green) < 8, $"uncensored background {clear}");
        // On the threshold line between two volumes: red (the reddest pixel over a few, since the line is dashed).
        var at = fig.DataToPixel(5.5, 0.5);
        var line = Enumerable.Range(-6, 13).SelectMany(dx => Enumerable.Range(-1, 3).Select(dy => bmp.GetPixel((int)Math.Round(at.X) + dx, (int)Math.Round(at.Y) + dy)))
            .MaxBy(c => c.Red - c.Green);
        Assert.True(line.Red > 200 && line.Green < 90 && line.Blue < 90, $"threshold line colour {line}");
        // The spike is drawn (black trace reaches the FD of 1.2 at volume 20).
        var spike = Darkest(bmp, fig.DataToPixel(20, 1.2));
        Assert.True(spike.Red < 100 && spike.Green < 100, $"trace at the spike {spike}");
    }

    [Fact]
    public void Single_time_series_is_a_black_line_through_its_values()
    {
        var v = Enumerable.Range(0, 50).Select(t => Math.Sin(t / 5.0) * 10 + 20).ToArray();
        var fig = TimeSeriesPlot.Lines([new NamedSeries("voxel", v)]);
        using var bmp = fig.ToBitmap();
        foreach (int t in new[] { 5, 17, 33 })
        {
            var c = Darkest(bmp, fig.DataToPixel(t, v[t]));
            Assert.True(c.Red < 80 && c.Green < 80 && c.Blue < 80, $"no line at t={t}: {c}");
        }
    }

    [Fact]
    public void Carpet_rows_are_z_scored_signals_over_time()
    {
        // Every signal rises linearly: after z-scoring, early volumes are dark, late ones light.
        int T = 30, N = 12;
        var data = new double[T * N];
        for (int t = 0; t < T; t++)
        for (int s = 0; s < N; s++)
            data[t * N + s] = (s + 1) * 100 + t * (s + 1);
        var fig = TimeSeriesPlot.Carpet(data, T, N);
        using var bmp = fig.ToBitmap();
        var early = At(bmp, fig.DataToPixel(1, 6));
        var late = At(bmp, fig.DataToPixel(28, 6));
        Assert.True(early.Red < 60, $"early {early}");
        Assert.True(late.Red > 190, $"late {late}");
        var z = new double[] { 1, 2, 3 };
        TimeSeriesPlot.ZScore(z);
        Assert.Equal(-Math.Sqrt(1.5), z[0], 1e-12);
    }

    [Fact]
    public void Carpet_of_a_4D_image_streams_its_volumes_inside_the_mask()
    {
        var path = Support.TestPaths.Data("samples", "nipy_functional.nii.gz");
        using var bold = NiSharp.Nifti.NiftiFile.Open(path);
        var fig = TimeSeriesPlot.Carpet(bold);
        Assert.Contains("Time (s)", fig.ToSvg()); // TR taken from the header
        var wrongMask = NiSharp.Nifti.Image<float>.Zeros([3, 3, 3], NiSharp.Nifti.Affine.Identity);
        var e = Assert.Throws<NiSharpException>(() => { TimeSeriesPlot.Carpet(bold, wrongMask); });
        Assert.Contains("nipy_functional.nii.gz", e.Message);
        var empty = NiSharp.Nifti.Image<float>.Zeros(bold.SpatialShape, bold.Affine);
        Assert.Throws<NiSharpException>(() => { TimeSeriesPlot.Carpet(bold, empty); });
    }

    [Fact]
    public void Box_summary_uses_numpy_linear_percentiles_and_tukey_whiskers()
    {
        // numpy.percentile([1..10], [25, 50, 75]) = 3.25, 5.5, 7.75; with 40 added, the upper whisker stops at 10.
        var s = GroupPlot.Summarize([.. Enumerable.Range(1, 10).Select(i => (double)i)]);
        Assert.Equal((3.25, 5.5, 7.75, 1.0, 10.0, 10), (s.Q1, s.Median, s.Q3, s.WhiskerLow, s.WhiskerHigh, s.Count));
        var o = GroupPlot.Summarize([.. Enumerable.Range(1, 10).Select(i => (double)i), 40, double.NaN]);
        Assert.Equal(10.0, o.WhiskerHigh);
        Assert.Equal(11, o.Count);
        Assert.Equal(6.0, o.Median);
    }

    [Fact]
    public void Group_plot_draws_one_coloured_box_per_group_and_every_point()
    {
        var data = new List<GroupValue>();
        for (int i = 0; i < 10; i++) data.Add(new GroupValue("control", 0.4 + i * 0.02));
        for (int i = 0; i < 8; i++) data.Add(new GroupValue("schizophrenia", 0.5 + i * 0.01));
        data.Add(new GroupValue("schizophrenia", double.NaN));
        var fig = GroupPlot.BoxSwarm(data, new GroupPlotOptions { Title = "DMN" });
        using var bmp = fig.ToBitmap();
        // Box interiors (between a quartile and the median, off the swarm's centre line) in Set3's first two colours.
        var c0 = At(bmp, fig.DataToPixel(-0.3, 0.45));
        var c1 = At(bmp, fig.DataToPixel(1.3, 0.52));
        Assert.Equal(new SKColor(141, 211, 199), c0);
        Assert.Equal(new SKColor(255, 255, 179), c1);
        // A swarm point: dark grey at a data value.
        var pt = At(bmp, fig.DataToPixel(0, 0.4));
        Assert.True(pt.Red < 100, $"no point at the lowest control value: {pt}");
        Assert.Contains("non-finite", fig.ToSvg());
    }

    [Fact]
    public void Swarm_offsets_separate_equal_values()
    {
        var off = GroupPlot.Swarm([1, 1, 1, 1, 2], pxPerY: 100, markerPx: 6, maxHalfWidthPx: 100);
        Assert.Equal(4, off.Take(4).Distinct().Count());
        for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++)
            Assert.True(Math.Abs(off[a] - off[b]) >= 6 - 1e-9);
        Assert.Equal(0, off[4]);
    }

    [Fact]
    public void Label_tables_read_freesurfer_luts_and_tsvs()
    {
        var lut = LabelColors.Read(Support.TestPaths.Fixture("plotting", "Yeo2011_7Networks_ColorLUT.txt"));
        Assert.Equal(new LabelColor(1, "7Networks_1", 120, 18, 134), lut[0]);
        using var dir = new Support.TempDir();
        File.WriteAllText(dir.File("labels.tsv"), "index\tname\tcolor\n0\tBackground\t#000000\n4\tPCC <b>\t#ff8000\n9\tmPFC\tn/a\n");
        var t = LabelColors.Read(dir.File("labels.tsv"));
        Assert.Equal(new LabelColor(4, "PCC <b>", 255, 128, 0), t[0]);
        Assert.Equal(9, t[1].Id);
        File.WriteAllText(dir.File("bad.txt"), "1 name 300 0 0 0\n");
        var e = Assert.Throws<NiSharpException>(() => LabelColors.Read(dir.File("bad.txt")));
        Assert.Contains("bad.txt", e.Message);
    }
}
