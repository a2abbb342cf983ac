using ScottPlot;
using SkiaSharp;

namespace NiSharp.Plotting;

/// <summary>
/// A figure made of ScottPlot charts stacked top to bottom (one chart, or several panels sharing the
/// width, such as the confounds over time). Records the data area of each chart so that callers and tests
/// can find a data coordinate in the picture.
/// </summary>
public sealed class ChartFigure : Figure
{
    private readonly IReadOnlyList<(Plot Plot, PixelRect Rect)> _charts;

    private ChartFigure(int width, int height, IReadOnlyList<(Plot, PixelRect)> charts)
        : base(width, height, canvas => PaintCharts(canvas, charts))
    {
        _charts = charts;
        // Lay the charts out once so that their data areas are known before anything is saved.
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        PaintCharts(surface.Canvas, charts);
    }

    private static void PaintCharts(SKCanvas canvas, IReadOnlyList<(Plot Plot, PixelRect Rect)> charts)
    {
        // ScottPlot paints its background over the whole canvas, so each chart gets its own clipped, shifted canvas.
        foreach (var (plot, rect) in charts)
        {
            canvas.Save();
            canvas.Translate(rect.Left, rect.Top);
            canvas.ClipRect(new SKRect(0, 0, rect.Width, rect.Height));
            plot.Render(canvas, (int)rect.Width, (int)rect.Height);
            canvas.Restore();
        }
    }

    /// <summary>Number of stacked charts.</summary>
    public int ChartCount => _charts.Count;

    /// <summary>The data area (inside the axes) of chart <paramref name="chart"/>, in figure pixels.</summary>
    public SKRect DataArea(int chart = 0)
    {
        var (plot, rect) = _charts[chart];
        var r = plot.LastRender.DataRect;
        return new SKRect(rect.Left + r.Left, rect.Top + r.Top, rect.Left + r.Right, rect.Top + r.Bottom);
    }

    /// <summary>Where the data point (x, y) of chart <paramref name="chart"/> is in the figure.</summary>
    public SKPoint DataToPixel(double x, double y, int chart = 0)
    {
        var (plot, rect) = _charts[chart];
        var px = plot.GetPixel(new Coordinates(x, y));
        return new SKPoint(rect.Left + px.X, rect.Top + px.Y);
    }

    /// <summary>One chart filling the figure.</summary>
    internal static ChartFigure Single(Plot plot, int width, int height) =>
        new(width, height, [(plot, new PixelRect(0, width, height, 0))]);

    /// <summary>Charts stacked vertically with the given heights.</summary>
    internal static ChartFigure Stack(int width, IReadOnlyList<(Plot Plot, int Height)> charts)
    {
        var list = new List<(Plot, PixelRect)>();
        int y = 0;
        foreach (var (plot, h) in charts)
        {
            list.Add((plot, new PixelRect(0, width, y + h, y)));
            y += h;
        }
        return new ChartFigure(width, y, list);
    }

    /// <summary>A new chart with the figures' look: sans-serif text, white background, light grid.</summary>
    internal static Plot NewPlot(string? title = null, string? xLabel = null, string? yLabel = null)
    {
        var plot = new Plot();
        FigureText.Apply(plot);
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(20);
        if (!string.IsNullOrEmpty(title)) plot.Title(title, 14);
        if (!string.IsNullOrEmpty(xLabel)) plot.XLabel(xLabel, 12);
        if (!string.IsNullOrEmpty(yLabel)) plot.YLabel(yLabel, 12);
        return plot;
    }

    /// <summary>
    /// Draws values[t] at x = t·dt as a line, leaving gaps at NaN (fMRIPrep's first FD row, say) instead of
    /// letting one NaN spoil the axis limits.
    /// </summary>
    internal static void AddLine(Plot plot, double[] values, double dt, Color color, string? legend, float width = 1.3f)
    {
        bool first = true;
        for (int t = 0; t < values.Length; t++)
        {
            if (!double.IsFinite(values[t])) continue;
            int end = t;
            while (end + 1 < values.Length && double.IsFinite(values[end + 1])) end++;
            int len = end - t + 1;
            var xs = new double[len];
            var ys = new double[len];
            for (int k = 0; k < len; k++) { xs[k] = (t + k) * dt; ys[k] = values[t + k]; }
            var line = plot.Add.ScatterLine(xs, ys, color);
            line.LineWidth = width;
            line.MarkerSize = len == 1 ? 3 : 0;
            if (first && legend is not null) line.LegendText = legend;
            first = false;
            t = end;
        }
    }

    internal static Color ToColor(SKColor c) => new(c.Red, c.Green, c.Blue, c.Alpha);
}
