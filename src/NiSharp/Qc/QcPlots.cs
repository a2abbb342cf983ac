using NiSharp.Plotting;
using ScottPlot;

namespace NiSharp.Qc;

/// <summary>
/// The pictures of the motion QC and of the denoising benchmark, in the style of Wang et al. (2024)'s figures: QC-FC
/// distributions per strategy, QC-FC against edge distance, and per-strategy bars (temporal DOF loss, QC-FC summaries,
/// modularity).
/// </summary>
public static class QcPlots
{
    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    /// <summary>The colour of series <paramref name="i"/> (Category10, as matplotlib's default cycle).</summary>
    public static Color SeriesColor(int i) => Palette.GetColor(i);

    /// <summary>
    /// One density curve of QC-FC per strategy (Gaussian kernel, Scott's bandwidth, over −1 … 1), with a dashed line
    /// at 0: a distribution centred on 0 and narrow means motion leaves connectivity alone.
    /// </summary>
    public static ChartFigure QcFcDistributions(IReadOnlyList<(string Strategy, double[] Values)> series, int width = 760, int height = 460,
        string title = "QC-FC distribution per strategy")
    {
        var plot = ChartFigure.NewPlot(title, "QC-FC (partial correlation of connectivity with mean FD)", "density");
        double lo = -1, hi = 1;
        var finite = series.Select(s => s.Values.Where(double.IsFinite).ToArray()).ToList();
        var all = finite.SelectMany(v => v).ToArray();
        if (all.Length > 0)
        {
            double spread = Math.Max(Math.Abs(all.Min()), Math.Abs(all.Max()));
            hi = Math.Min(1, Math.Max(0.2, spread * 1.15));
            lo = -hi;
        }
        const int points = 200;
        var xs = Enumerable.Range(0, points).Select(i => lo + (hi - lo) * i / (points - 1)).ToArray();
        double ymax = 0;
        for (int s = 0; s < series.Count; s++)
        {
            var v = finite[s];
            if (v.Length < 2) continue;
            var ys = Density(v, xs);
            ymax = Math.Max(ymax, ys.Max());
            var line = plot.Add.ScatterLine(xs, ys, SeriesColor(s));
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.LegendText = series[s].Strategy;
        }
        var zero = plot.Add.VerticalLine(0, 1, Colors.Gray, LinePattern.Dashed);
        zero.LegendText = "";
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.SetLimits(lo, hi, 0, ymax > 0 ? ymax * 1.08 : 1);
        return ChartFigure.Single(plot, width, height);
    }

    /// <summary>QC-FC of every edge against the distance between its regions' centroids, with the least-squares line.</summary>
    public static ChartFigure DistanceScatter(string title, double[] distance, double[] qcfc, double spearman, int width = 380, int height = 320, int colour = 0)
    {
        var plot = ChartFigure.NewPlot(title + (double.IsNaN(spearman) ? "" : $"  (ρ = {spearman:0.00})"), "distance (mm)", "QC-FC");
        var keep = Enumerable.Range(0, Math.Min(distance.Length, qcfc.Length)).Where(e => double.IsFinite(distance[e]) && double.IsFinite(qcfc[e])).ToArray();
        var x = keep.Select(e => distance[e]).ToArray();
        var y = keep.Select(e => qcfc[e]).ToArray();
        if (x.Length > 0)
        {
            var c = SeriesColor(colour);
            plot.Add.Markers(x, y, MarkerShape.FilledCircle, 3, c.WithAlpha(110));
            if (x.Length >= 2)
            {
                var (a, b) = LeastSquares(x, y);
                double x0 = x.Min(), x1 = x.Max();
                var fit = plot.Add.ScatterLine(new[] { x0, x1 }, new[] { a + b * x0, a + b * x1 }, Colors.Black);
                fit.LineWidth = 2;
                fit.MarkerSize = 0;
            }
        }
        plot.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dashed);
        double extent = y.Length > 0 ? Math.Max(0.1, y.Max(Math.Abs) * 1.1) : 1;
        plot.Axes.SetLimitsY(-extent, extent);
        return ChartFigure.Single(plot, width, height);
    }

    /// <summary>One bar per strategy (in order), labelled with its value.</summary>
    public static ChartFigure StrategyBars(string title, string yLabel, IReadOnlyList<string> strategies, IReadOnlyList<double> values,
        string format = "0.00", int width = 760, int height = 380)
    {
        var plot = ChartFigure.NewPlot(title, null, yLabel);
        var bars = new List<Bar>();
        for (int s = 0; s < strategies.Count; s++)
        {
            double v = values[s];
            bars.Add(new Bar
            {
                Position = s,
                Value = double.IsFinite(v) ? v : 0,
                FillColor = SeriesColor(s),
                Label = double.IsFinite(v) ? v.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "n/a",
                LineWidth = 0,
            });
        }
        var bp = plot.Add.Bars(bars);
        bp.ValueLabelStyle.FontSize = 11;
        Ticks(plot, strategies);
        var finite = values.Where(double.IsFinite).ToList();
        double top = finite.Count > 0 ? Math.Max(0, finite.Max()) : 1, bottom = finite.Count > 0 ? Math.Min(0, finite.Min()) : 0;
        double pad = (top - bottom) * 0.15;
        if (pad == 0) pad = 0.1;
        plot.Axes.SetLimits(-0.6, strategies.Count - 0.4, bottom - (bottom < 0 ? pad : 0), top + pad);
        return ChartFigure.Single(plot, width, height);
    }

    /// <summary>Mean temporal DOF lost per strategy, stacked: regressors, censored volumes, filter.</summary>
    public static ChartFigure TdofLoss(IReadOnlyList<string> strategies, IReadOnlyList<(double Regressors, double Censored, double Filter)> mean,
        double volumes, int width = 760, int height = 400)
    {
        var plot = ChartFigure.NewPlot("Temporal degrees of freedom lost (mean over subjects)", null, "degrees of freedom");
        string[] parts = ["regressors", "censored volumes", "filter"];
        var colours = new[] { new Color(31, 119, 180), new Color(214, 39, 40), new Color(127, 127, 127) };
        for (int p = 0; p < 3; p++)
        {
            var bars = new List<Bar>();
            for (int s = 0; s < strategies.Count; s++)
            {
                var (r, c, f) = mean[s];
                double below = p == 0 ? 0 : p == 1 ? r : r + c;
                double value = p == 0 ? r : p == 1 ? c : f;
                bars.Add(new Bar { Position = s, ValueBase = below, Value = below + value, FillColor = colours[p], LineWidth = 0 });
            }
            var bp = plot.Add.Bars(bars);
            bp.LegendText = parts[p];
        }
        if (volumes > 0)
        {
            var line = plot.Add.HorizontalLine(volumes, 1.5f, Colors.Black, LinePattern.Dashed);
            line.LegendText = $"volumes ({volumes:0})";
        }
        Ticks(plot, strategies);
        double top = Math.Max(volumes, mean.Select(m => m.Regressors + m.Censored + m.Filter).DefaultIfEmpty(1).Max());
        plot.Axes.SetLimits(-0.6, strategies.Count - 0.4, 0, top * 1.12);
        plot.ShowLegend(Alignment.UpperLeft);
        return ChartFigure.Single(plot, width, height);
    }

    /// <summary>Subjects' modularity against their mean FD.</summary>
    public static ChartFigure ModularityByMotion(string title, double[] meanFd, double[] modularity, int width = 380, int height = 320)
    {
        var plot = ChartFigure.NewPlot(title, "mean FD (mm)", "modularity Q");
        if (meanFd.Length > 0) plot.Add.Markers(meanFd, modularity, MarkerShape.FilledCircle, 6, SeriesColor(0));
        return ChartFigure.Single(plot, width, height);
    }

    private static void Ticks(Plot plot, IReadOnlyList<string> labels)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = labels.Count > 5 ? -30 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = labels.Count > 5 ? Alignment.MiddleRight : Alignment.UpperCenter;
        plot.Axes.Bottom.MinimumSize = labels.Count > 5 ? 90 : 30;
        // Categories need no tick marks: a rotated label anchored at its tick would otherwise end on the mark.
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.MinorTickStyle.Length = 0;
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
    }

    /// <summary>Gaussian kernel density of <paramref name="values"/> at <paramref name="at"/>, bandwidth by Scott's rule (n^(−1/5)·SD).</summary>
    internal static double[] Density(double[] values, double[] at)
    {
        int n = values.Length;
        double mean = values.Average();
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, n - 1));
        double h = Math.Max(1e-3, sd * Math.Pow(n, -0.2));
        var result = new double[at.Length];
        double norm = 1 / (n * h * Math.Sqrt(2 * Math.PI));
        // Many values (a 400-region atlas has 79 800 edges): bin them finely first (bins far narrower than the kernel).
        var (points, weights) = n <= 4000 ? (values, (double[]?)null) : Binned(values, Math.Min(h / 10, (values.Max() - values.Min()) / 100 + 1e-12));
        for (int i = 0; i < at.Length; i++)
        {
            double s = 0;
            for (int k = 0; k < points.Length; k++)
            {
                double z = (at[i] - points[k]) / h;
                s += (weights?[k] ?? 1) * Math.Exp(-0.5 * z * z);
            }
            result[i] = s * norm;
        }
        return result;
    }

    private static (double[] Centres, double[] Counts) Binned(double[] values, double width)
    {
        double lo = values.Min();
        var counts = new SortedDictionary<long, double>();
        foreach (var v in values)
        {
            long b = (long)Math.Floor((v - lo) / width);
            counts[b] = counts.GetValueOrDefault(b) + 1;
        }
        return (counts.Keys.Select(b => lo + (b + 0.5) * width).ToArray(), counts.Values.ToArray());
    }

    private static (double A, double B) LeastSquares(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < x.Length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        double b = sxx > 0 ? sxy / sxx : 0;
        return (my - b * mx, b);
    }
}
