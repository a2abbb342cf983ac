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
