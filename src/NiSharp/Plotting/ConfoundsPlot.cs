using ScottPlot;

namespace NiSharp.Plotting;

/// <summary>
/// What the confounds-over-time figure shows: framewise displacement with its censoring threshold,
/// optionally standardised DVARS with its threshold, motion parameters, and the censored volumes.
/// </summary>
public sealed record ConfoundsTrace
{
    /// <summary>Framewise displacement per volume (mm; NaN for the first volume, as fMRIPrep writes it).</summary>
    public required double[] FramewiseDisplacement { get; init; }

    /// <summary>The FD censoring threshold (mm), drawn as a dashed line when <see cref="FdLines"/> is null.</summary>
    public double FdThreshold { get; init; } = 0.5;

    /// <summary>The lines of the FD panel, each labelled in the legend (the thresholds the run's rules use); null: one
    /// line at <see cref="FdThreshold"/>.</summary>
    public IReadOnlyList<FdLine>? FdLines { get; init; }

    /// <summary>Standardised DVARS per volume, or null.</summary>
    public double[]? StdDvars { get; init; }

    /// <summary>The standardised DVARS threshold, drawn as a dashed line.</summary>
    public double DvarsThreshold { get; init; } = 1.5;

    /// <summary>Translations (mm), e.g. trans_x, trans_y, trans_z.</summary>
    public IReadOnlyList<NamedSeries> Translations { get; init; } = [];

    /// <summary>Rotations (rad), e.g. rot_x, rot_y, rot_z.</summary>
    public IReadOnlyList<NamedSeries> Rotations { get; init; } = [];

    /// <summary>Volumes removed from the analysis (censored / scrubbed), shaded in every panel; null: none shown.</summary>
    public bool[]? Censored { get; init; }

    /// <summary>Seconds between volumes (x axis in seconds when set).</summary>
    public double? RepetitionTime { get; init; }

    /// <summary>Title.</summary>
    public string? Title { get; init; }

    /// <summary>
    /// The volumes whose FD or standardised DVARS exceeds its threshold: the volumes nilearn's scrubbing
    /// flags before it extends them to neighbours and short segments (NaN never exceeds).
    /// </summary>
    public static bool[] ExceedingThresholds(double[] fd, double fdThreshold, double[]? stdDvars, double dvarsThreshold)
    {
        var c = new bool[fd.Length];
        for (int t = 0; t < fd.Length; t++)
            c[t] = fd[t] > fdThreshold || (stdDvars is not null && t < stdDvars.Length && stdDvars[t] > dvarsThreshold);
        return c;
    }
}

/// <summary>A horizontal line on the framewise displacement panel: a value in mm and what it is.</summary>
/// <param name="Mm">Where (mm).</param>
/// <param name="Label">What it is, for the legend (<c>0.2 mm: exclusion counts volumes above</c>).</param>
/// <param name="Style">Dashed for a per-volume threshold, dotted for a mean.</param>
public sealed record FdLine(double Mm, string Label, FdLineStyle Style = FdLineStyle.Threshold);

/// <summary>How an <see cref="FdLine"/> is drawn.</summary>
public enum FdLineStyle
{
    /// <summary>A per-volume threshold: dashed.</summary>
    Threshold,
    /// <summary>A mean over volumes: dotted.</summary>
    Mean,
}

/// <summary>Confounds over time (an fMRIPrep QC picture): stacked panels sharing the time axis.</summary>
public static class ConfoundsPlot
{
    /// <summary>The shading of censored volumes.</summary>
    public static SkiaSharp.SKColor CensoredColor { get; } = new(214, 39, 40, 60);

    /// <summary>Draws the panels that have data: FD, DVARS, translations, rotations.</summary>
    public static ChartFigure Plot(ConfoundsTrace trace, int width = 900)
    {
        int n = trace.FramewiseDisplacement.Length;
        if (n == 0) throw new NiSharpException("no volumes in the confounds");
        double dt = trace.RepetitionTime ?? 1;
        string xLabel = trace.RepetitionTime is null ? "Volume" : "Time (s)";
        int censoredCount = trace.Censored?.Count(c => c) ?? 0;
        var panels = new List<(ScottPlot.Plot, int)>();

        string fdTitle = trace.Title ?? "Framewise displacement";
        if (trace.Censored is not null) fdTitle += $" — {censoredCount} of {n} volumes censored";
        var fd = Panel(fdTitle, "FD (mm)", trace.Censored, dt, n);
        Line(fd, trace.FramewiseDisplacement, dt, Colors.Black, null);
        var lines = trace.FdLines ?? [new FdLine(trace.FdThreshold, $"threshold {trace.FdThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)} mm")];
        // Outside the data, below it: a legend inside would cover the largest spikes, which are what the panel is for.
        Color[] colours = [Colors.Red, new(255, 127, 14), new(148, 103, 189), new(140, 86, 75), new(23, 190, 207)];
        for (int i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            var h = fd.Add.HorizontalLine(l.Mm, 1.5f, colours[i % colours.Length], l.Style == FdLineStyle.Mean ? LinePattern.Dotted : LinePattern.Dashed);
            h.LegendText = l.Label;
        }
        if (lines.Count > 0)
        {
            fd.ShowLegend(Edge.Bottom);
            fd.Legend.Orientation = Orientation.Horizontal;
        }
        panels.Add((fd, 230 + (lines.Count > 0 ? 20 * lines.Count + 16 : 0)));

        if (trace.StdDvars is { } dv)
        {
            var p = Panel(null, "std DVARS", trace.Censored, dt, n);
            Line(p, dv, dt, Colors.Black, null);
            p.Add.HorizontalLine(trace.DvarsThreshold, 1.5f, Colors.Red, LinePattern.Dashed);
            panels.Add((p, 170));
        }
        var palette = new ScottPlot.Palettes.Category10();
        if (trace.Translations.Count > 0)
        {
            var p = Panel(null, "Translation (mm)", trace.Censored, dt, n);
            for (int i = 0; i < trace.Translations.Count; i++) Line(p, trace.Translations[i].Values, dt, palette.GetColor(i), trace.Translations[i].Name);
            p.ShowLegend(Alignment.UpperRight, Orientation.Horizontal);
            panels.Add((p, 170));
        }
        if (trace.Rotations.Count > 0)
        {
            var p = Panel(null, "Rotation (rad)", trace.Censored, dt, n);
            for (int i = 0; i < trace.Rotations.Count; i++) Line(p, trace.Rotations[i].Values, dt, palette.GetColor(i + 3), trace.Rotations[i].Name);
            p.ShowLegend(Alignment.UpperRight, Orientation.Horizontal);
            panels.Add((p, 170));
        }
        panels[^1].Item1.XLabel(xLabel, 12);
        // Same left margin in every panel so the time axes line up.
        foreach (var (p, _) in panels) p.Axes.Left.MinimumSize = 70;
        return ChartFigure.Stack(width, panels);
    }

    /// <summary>The dashes of an FD line: dashed for a threshold, dotted for a mean.</summary>
    private static string Dash(FdLineStyle style) => style == FdLineStyle.Mean ? "2 3" : "6 4";

    private static readonly SkiaSharp.SKColor[] LineColours =
        [new(255, 0, 0), new(255, 127, 14), new(148, 103, 189), new(140, 86, 75), new(23, 190, 207)];

    private static readonly SkiaSharp.SKColor[] SeriesColours =
        [new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189), new(140, 86, 75)];

    /// <summary>One panel of the vector drawing: its lines, horizontal lines and legend.</summary>
    private sealed record SvgPanel(string? Title, string YLabel, IReadOnlyList<(double[] Values, SkiaSharp.SKColor Colour, string? Name)> Series,
        IReadOnlyList<(double Y, SkiaSharp.SKColor Colour, string Dash, string? Name)> Lines, int Height);

    /// <summary>
    /// <see cref="Plot"/> as a vector figure for the pages: the same panels (FD with its labelled thresholds and the censored
    /// volumes shaded, then DVARS, translations, rotations when given) on one shared time axis.
    /// </summary>
    public static SvgFigure Svg(ConfoundsTrace trace, int width = 900)
    {
        int n = trace.FramewiseDisplacement.Length;
        if (n == 0) throw new NiSharpException("no volumes in the confounds");
        double dt = trace.RepetitionTime ?? 1;
        int censoredCount = trace.Censored?.Count(c => c) ?? 0;
        string fdTitle = (trace.Title ?? "Framewise displacement") + (trace.Censored is not null ? $" — {censoredCount} of {n} volumes censored" : "");
        var fdLines = trace.FdLines ?? [new FdLine(trace.FdThreshold, $"threshold {trace.FdThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)} mm")];
        var panels = new List<SvgPanel>
        {
            new(fdTitle, "FD (mm)", [(trace.FramewiseDisplacement, SkiaSharp.SKColors.Black, null)],
                fdLines.Select((l, i) => (l.Mm, LineColours[i % LineColours.Length], Dash(l.Style), (string?)l.Label)).ToList(), 230),
        };
        if (trace.StdDvars is { } dv)
            panels.Add(new(null, "std DVARS", [(dv, SkiaSharp.SKColors.Black, null)], [(trace.DvarsThreshold, LineColours[0], Dash(FdLineStyle.Threshold), null)], 170));
        if (trace.Translations.Count > 0)
            panels.Add(new(null, "Translation (mm)", trace.Translations.Select((t, i) => (t.Values, SeriesColours[i % 6], (string?)t.Name)).ToList(), [], 170));
        if (trace.Rotations.Count > 0)
            panels.Add(new(null, "Rotation (rad)", trace.Rotations.Select((t, i) => (t.Values, SeriesColours[(i + 3) % 6], (string?)t.Name)).ToList(), [], 170));

        const double left = 70, right = 20, legendRow = 18;
        double plotW = width - left - right;
        // Legend entries wrap into rows below the panel (outside the data: a legend inside would cover the spikes).
        static List<List<(string Name, SkiaSharp.SKColor Colour, string? Dash)>> LegendRows(SvgPanel p, double room)
        {
            var rows = new List<List<(string, SkiaSharp.SKColor, string?)>>();
            double x = room;
            var entries = p.Lines.Where(l => l.Name is not null).Select(l => (l.Name!, l.Colour, (string?)l.Dash))
                .Concat(p.Series.Where(s => s.Name is not null).Select(s => (s.Name!, s.Colour, (string?)null)));
            foreach (var e in entries)
            {
                double w = 34 + FigureText.Estimate(e.Item1, 11) + 16;
                if (x + w > room) { rows.Add([]); x = 0; }
                rows[^1].Add(e);
                x += w;
            }
            return rows;
        }
        var legends = panels.Select(p => LegendRows(p, plotW)).ToList();
        const double xLabelRoom = 22; // the time axis's name, under the last panel's ticks and above its legend
        double height = panels.Select((p, k) => p.Height + legends[k].Count * legendRow).Sum() + xLabelRoom;
        var svg = new SvgWriter(width, (int)Math.Ceiling(height), SkiaSharp.SKColors.White);
        var fg = SkiaSharp.SKColors.Black;
        var grid = new SkiaSharp.SKColor(0, 0, 0, 26);
        double x0 = -0.5 * dt, x1 = (n - 0.5) * dt;
        double X(double t) => left + (t - x0) / (x1 - x0) * plotW;
        var xTicks = SvgWriter.Ticks(x0, x1, 8);
        double top = 0;
        for (int k = 0; k < panels.Count; k++)
        {
            var p = panels[k];
            double dataTop = top + (p.Title is null ? 10 : 30), dataBottom = top + p.Height - 34;
            var ys = p.Series.SelectMany(s => s.Values).Concat(p.Lines.Select(l => l.Y)).Where(double.IsFinite).ToList();
            double lo = ys.Count == 0 ? 0 : ys.Min(), hi = ys.Count == 0 ? 1 : ys.Max();
            if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
            double pad = 0.05 * (hi - lo);
            (lo, hi) = (lo - pad, hi + pad);
            double Y(double v) => dataBottom - (v - lo) / (hi - lo) * (dataBottom - dataTop);

            if (p.Title is not null) svg.Text(left + plotW / 2, top + 20, p.Title, 13, fg, "middle", bold: true);
            if (trace.Censored is { } cen)
                for (int t = 0; t < cen.Length; t++)
                {
                    if (!cen[t]) continue;
                    int end = t;
                    while (end + 1 < cen.Length && cen[end + 1]) end++;
                    double a = X((t - 0.5) * dt), b = X((end + 0.5) * dt);
                    svg.Rect(a, dataTop, b - a, dataBottom - dataTop, CensoredColor);
                    t = end;
                }
            foreach (var v in SvgWriter.Ticks(lo, hi, 5))
            {
                svg.Line(left, Y(v), left + plotW, Y(v), grid);
                svg.Line(left - 4, Y(v), left, Y(v), fg);
                svg.Text(left - 6, Y(v) + 4, BrainPlot.FormatTick(v), 11, fg, "end");
            }
            foreach (var t in xTicks)
            {
                svg.Line(X(t), dataTop, X(t), dataBottom, grid);
                svg.Line(X(t), dataBottom, X(t), dataBottom + 4, fg);
                svg.Text(X(t), dataBottom + 16, BrainPlot.FormatTick(t), 11, fg, "middle");
            }
            foreach (var l in p.Lines) svg.Line(left, Y(l.Y), left + plotW, Y(l.Y), l.Colour, 1.5, l.Dash);
            foreach (var s in p.Series)
                svg.Polyline(s.Values.Select((v, t) => (X(t * dt), Y(v))).ToList(), s.Colour, 1.2);
            svg.Rect(left, dataTop, plotW, dataBottom - dataTop, SkiaSharp.SKColors.Transparent, fg);
            svg.Text(16, (dataTop + dataBottom) / 2, p.YLabel, 12, fg, "middle", rotate: -90);
            bool last = k == panels.Count - 1;
            if (last) svg.Text(left + plotW / 2, dataBottom + 34, trace.RepetitionTime is null ? "Volume" : "Time (s)", 12, fg, "middle");
            double ly = dataBottom + 34 + (last ? xLabelRoom : 0);
            foreach (var row in legends[k])
            {
                double lx = left;
                foreach (var (name, colour, dash) in row)
                {
                    svg.Line(lx, ly - 4, lx + 28, ly - 4, colour, 1.5, dash);
                    svg.Text(lx + 34, ly, name, 11, fg);
                    lx += 34 + FigureText.Estimate(name, 11) + 16;
                }
                ly += legendRow;
            }
            top += p.Height + legends[k].Count * legendRow;
        }
        return svg.Finish();
    }

    private static ScottPlot.Plot Panel(string? title, string yLabel, bool[]? censored, double dt, int n)
    {
        var p = ChartFigure.NewPlot(title, null, yLabel);
        if (censored is not null)
        {
            // One shaded band per run of consecutive censored volumes, each volume covering ±half a TR.
            for (int t = 0; t < censored.Length; t++)
            {
                if (!censored[t]) continue;
                int end = t;
                while (end + 1 < censored.Length && censored[end + 1]) end++;
                var span = p.Add.HorizontalSpan((t - 0.5) * dt, (end + 0.5) * dt, ChartFigure.ToColor(ConfoundsPlot.CensoredColor));
                span.LineWidth = 0;
                t = end;
            }
        }
        p.Axes.SetLimitsX(-0.5 * dt, (n - 0.5) * dt);
        return p;
    }

    private static void Line(ScottPlot.Plot p, double[] values, double dt, Color color, string? legend)
    {
        ChartFigure.AddLine(p, values, dt, color, legend);
    }
}
