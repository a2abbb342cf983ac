using ScottPlot;

namespace NiSharp.Plotting;

/// <summary>One observation of a group comparison: a subject's value (e.g. mean DMN connectivity) and its group.</summary>
public sealed record GroupValue(string Group, double Value, string? Subject = null);

/// <summary>Options of <see cref="GroupPlot.BoxSwarm"/>.</summary>
public sealed record GroupPlotOptions
{
    /// <summary>Title.</summary>
    public string? Title { get; init; }

    /// <summary>Y axis label (what the value is).</summary>
    public string? YLabel { get; init; } = "value";

    /// <summary>X axis label.</summary>
    public string? XLabel { get; init; } = "group";

    /// <summary>Order of the groups left to right; default: order of first appearance.</summary>
    public IReadOnlyList<string>? GroupOrder { get; init; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 520;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 500;

    /// <summary>A line written in the top left corner of the plot, above the data (the test's result:
    /// <c>d = 2.83, q = 0.003</c>); null: none.</summary>
    public string? Annotation { get; init; }
}

/// <summary>Summary of one group's box: quartiles by linear interpolation (numpy's default) and Tukey whiskers.</summary>
public readonly record struct BoxSummary(double Q1, double Median, double Q3, double WhiskerLow, double WhiskerHigh, int Count);

/// <summary>
/// The lesson's last figure: a value by group as seaborn's box plot (boxes at the quartiles, median line,
/// whiskers to the furthest points within 1.5 IQR, Set3 colours) with a swarm plot of every subject on top.
/// Non-finite values are left out and counted in the x label.
/// </summary>
public static class GroupPlot
{
    private static readonly Color[] Set3 =
    [
        new(141, 211, 199), new(255, 255, 179), new(190, 186, 218), new(251, 128, 114), new(128, 177, 211),
        new(253, 180, 98), new(179, 222, 105), new(252, 205, 229), new(217, 217, 217), new(188, 128, 189),
    ];

    /// <summary>The box of one group's values (finite values only).</summary>
    public static BoxSummary Summarize(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToArray();
        if (v.Length == 0) return new BoxSummary(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        double q1 = Percentile(v, 25), med = Percentile(v, 50), q3 = Percentile(v, 75);
        double iqr = q3 - q1;
        double lo = v.Where(x => x >= q1 - 1.5 * iqr).Min();
        double hi = v.Where(x => x <= q3 + 1.5 * iqr).Max();
        return new BoxSummary(q1, med, q3, lo, hi, v.Length);
    }

    /// <summary>numpy <c>percentile</c> (linear) of sorted values.</summary>
    internal static double Percentile(double[] sorted, double p)
    {
        double pos = (sorted.Length - 1) * p / 100;
        int i = (int)Math.Floor(pos);
        if (i >= sorted.Length - 1) return sorted[^1];
        return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
    }

    /// <summary>Box + swarm plot of <paramref name="data"/> by group.</summary>
    public static ChartFigure BoxSwarm(IReadOnlyList<GroupValue> data, GroupPlotOptions? options = null)
    {
        var o = options ?? new GroupPlotOptions();
        var groups = (o.GroupOrder ?? data.Select(d => d.Group).Distinct().ToList()).ToList();
        if (groups.Count == 0) throw new NiSharpException("no groups to plot");
        int dropped = data.Count(d => !double.IsFinite(d.Value));
        var finite = data.Where(d => double.IsFinite(d.Value)).ToList();
        if (finite.Count == 0) throw new NiSharpException("no finite values to plot");
        string xLabel = (o.XLabel ?? "") + (dropped > 0 ? $" ({dropped} non-finite value{(dropped > 1 ? "s" : "")} left out)" : "");
        var plot = ChartFigure.NewPlot(o.Title, xLabel, o.YLabel);

        double ymin = finite.Min(d => d.Value), ymax = finite.Max(d => d.Value);
        double pad = (ymax - ymin) * 0.06;
        if (pad == 0) pad = Math.Abs(ymax) * 0.1 + 0.1;
        // Pixels per data unit, approximately (the swarm spreads points so markers do not overlap on screen).
        double pxPerY = (o.Height - 110) / (ymax - ymin + 2 * pad);
        double pxPerX = (o.Width - 110) / (double)groups.Count;
        const double markerPx = 6;

        for (int g = 0; g < groups.Count; g++)
        {
            var values = finite.Where(d => d.Group == groups[g]).Select(d => d.Value).ToArray();
            if (values.Length == 0) continue;
            var s = Summarize(values);
            var box = new Box
            {
                Position = g,
                BoxMin = s.Q1,
                BoxMax = s.Q3,
                BoxMiddle = s.Median,
                WhiskerMin = s.WhiskerLow,
                WhiskerMax = s.WhiskerHigh,
                Width = 0.8,
            };
            var boxPlot = plot.Add.Box(box);
            boxPlot.FillColor = Set3[g % Set3.Length];
            boxPlot.LineColor = new Color(64, 64, 64);
            boxPlot.LineWidth = 1.5f;

            var offsets = Swarm(values, pxPerY, markerPx, maxHalfWidthPx: 0.4 * pxPerX);
            var xs = offsets.Select(off => g + off / pxPerX).ToArray();
            plot.Add.Markers(xs, values, MarkerShape.FilledCircle, (float)markerPx, new Color(64, 64, 64));
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, groups.Count).Select(i => (double)i).ToArray(),
            groups.Select(g => $"{g} (n={finite.Count(d => d.Group == g)})").ToArray());
        double top = ymax + pad;
        if (o.Annotation is string note)
        {
            // Room above the highest point, so that the text covers no subject.
            top += (ymax - ymin + 2 * pad) * 0.1;
            var a = plot.Add.Annotation(note, Alignment.UpperLeft);
            a.LabelFontSize = 13;
            a.LabelFontName = FigureText.FamilyName;
            a.LabelBackgroundColor = Colors.White.WithAlpha(220);
            a.LabelBorderColor = Colors.Gray;
            a.LabelShadowColor = Colors.Transparent;
        }
        plot.Axes.SetLimits(-0.6, groups.Count - 0.4, ymin - pad, top);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        return ChartFigure.Single(plot, o.Width, o.Height);
    }

    /// <summary>
    /// Beeswarm offsets (pixels, left/right of the group centre) for <paramref name="values"/>: points are
    /// placed in increasing order, each at the smallest offset where it overlaps no placed point.
    /// </summary>
    internal static double[] Swarm(double[] values, double pxPerY, double markerPx, double maxHalfWidthPx)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var offsets = new double[values.Length];
        var placed = new List<(double X, double Y)>();
        foreach (int i in order)
        {
            double y = values[i] * pxPerY;
            double best = 0;
            for (int step = 0; step < 200; step++)
            {
                double cand = (step + 1) / 2 * (markerPx * 0.5) * (step % 2 == 0 ? 1 : -1);
                bool ok = true;
                foreach (var p in placed)
                {
                    double dx = p.X - cand, dy = p.Y - y;
                    if (dx * dx + dy * dy < markerPx * markerPx) { ok = false; break; }
                }
                if (ok) { best = cand; break; }
            }
            best = Math.Clamp(best, -maxHalfWidthPx, maxHalfWidthPx);
            offsets[i] = best;
            placed.Add((best, y));
        }
        return offsets;
    }
}
