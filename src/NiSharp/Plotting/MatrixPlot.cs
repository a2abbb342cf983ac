using ScottPlot;

namespace NiSharp.Plotting;

/// <summary>Options of the connectivity heatmap (<see cref="MatrixPlot"/>).</summary>
public sealed record MatrixPlotOptions
{
    /// <summary>Title above the matrix.</summary>
    public string? Title { get; init; }

    /// <summary>Colour map; default <c>RdBu_r</c> (diverging, white at 0), the lesson's heatmap map.</summary>
    public ColorMap? ColorMap { get; init; }

    /// <summary>Upper end of the symmetric colour scale [−VMax, VMax]; default max |value| (finite cells).</summary>
    public double? VMax { get; init; }

    /// <summary>Lower end of the colour scale; default −<see cref="VMax"/> (symmetric). Set it to 0 for absolute values
    /// (the lesson's <c>np.abs</c> heatmap), as seaborn scales to the data.</summary>
    public double? VMin { get; init; }

    /// <summary>Region names are written on the axes when there are at most this many regions; above it, every k-th index.</summary>
    public int MaxNamedRegions { get; init; } = 60;

    /// <summary>Picture size in pixels (square by default; names add room).</summary>
    public int Size { get; init; } = 640;

    /// <summary>Colour label.</summary>
    public string? ColorbarLabel { get; init; }

    /// <summary>The network of each region (null entries: none), drawn as coloured bands beside the rows and under the
    /// columns, with the networks named in a legend; null: no bands.</summary>
    public IReadOnlyList<string?>? Networks { get; init; }

    /// <summary>The colours of the networks; default <see cref="LabelColors.ForNetworks"/> of <see cref="Networks"/>.</summary>
    public IReadOnlyDictionary<string, SkiaSharp.SKColor>? NetworkColors { get; init; }
}

/// <summary>
/// Connectivity matrix heatmaps (seaborn's <c>heatmap</c> / nilearn's <c>plot_matrix</c> as the lesson draws
/// them): row 0 at the top, column 0 on the left, a diverging colour map centred on 0 with symmetric limits,
/// and regions that are empty (every off-diagonal value NaN or exactly 0: a label with no voxels, kept as a
/// zero column) drawn grey with "(empty)" after their name. NaN cells are grey too.
/// </summary>
public static class MatrixPlot
{
    /// <summary>The colour of NaN cells and empty regions.</summary>
    public static SkiaSharp.SKColor MissingColor { get; } = new(160, 160, 160);

    /// <summary>A heatmap of the square matrix <paramref name="values"/> (n × n).</summary>
    public static ChartFigure Connectivity(double[,] values, IReadOnlyList<string>? names = null, MatrixPlotOptions? options = null)
    {
        var o = options ?? new MatrixPlotOptions();
        var h = Heatmap.Of(values, names, o);
        var (n, empty, shown, vmin, vmax) = (h.N, h.Empty, h.Shown, h.VMin, h.VMax);

        var plot = ChartFigure.NewPlot(o.Title);
        var hm = plot.Add.Heatmap(shown); // ScottPlot draws Intensities[0, 0] at the top-left
        hm.Colormap = h.Map.ToScottPlot();
        hm.ManualRange = new ScottPlot.Range(vmin, vmax);
        hm.NaNCellColor = ChartFigure.ToColor(MissingColor);
        var bar = plot.Add.ColorBar(hm);
        if (o.ColorbarLabel is not null) bar.Label = o.ColorbarLabel;
        plot.Grid.IsVisible = false;

        // Cell (i, j) is centred on x = j, y = n-1-i.
        var idx = h.Ticks;
        string Label(int i) => h.Label(i);
        float fontSize = h.FontSize;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(idx.Select(i => (double)(n - 1 - i)).ToArray(), idx.Select(Label).ToArray());
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(idx.Select(i => (double)i).ToArray(), idx.Select(Label).ToArray());
        plot.Axes.Left.TickLabelStyle.FontSize = fontSize;
        plot.Axes.Bottom.TickLabelStyle.FontSize = fontSize;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        float longest = idx.Length == 0 ? 0 : idx.Max(i => FigureText.Measure(Label(i), fontSize));
        plot.Axes.Bottom.MinimumSize = longest + 12;
        plot.Axes.Left.MinimumSize = longest + 12;
        double low = -0.5;
        int legendWidth = 0;
        if (o.Networks is { } networks)
        {
            var colors = h.NetworkColors!;
            // A band one cell wide (at least 1.5% of the matrix) left of the rows and under the columns, a gap from the cells.
            double band = Math.Max(1, 0.015 * n), gap = 0.25 * band;
            low = -0.5 - gap - band;
            var legendNames = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                if (networks[i] is not string net) continue;
                int end = i;
                while (end + 1 < n && networks[end + 1] == net) end++;
                var color = ChartFigure.ToColor(colors.TryGetValue(net, out var c) ? c : MissingColor);
                var rows = plot.Add.Rectangle(low, low + band, n - 1 - end - 0.5, n - 1 - i + 0.5);
                var cols = plot.Add.Rectangle(i - 0.5, end + 0.5, low, low + band);
                foreach (var r in new[] { rows, cols })
                {
                    r.FillStyle.Color = color;
                    r.LineStyle.Width = 0;
                }
                if (legendNames.Add(net)) rows.LegendText = net;
                i = end;
            }
            plot.ShowLegend(Edge.Right);
            plot.Legend.FontSize = 10;
            legendWidth = legendNames.Count == 0 ? 0 : (int)legendNames.Max(x => FigureText.Measure(x, 10)) + 40;
        }
        plot.Axes.SetLimits(low, n - 0.5, low, n - 0.5);
        int extra = (int)longest;
        return ChartFigure.Single(plot, o.Size + extra + 60 + legendWidth, o.Size + extra);
    }

    /// <summary>What both drawings of a heatmap share: the cells as shown (empty regions and non-finite values NaN), the
    /// scale, the axis labels and which regions are named.</summary>
    private sealed record Heatmap(int N, bool[] Empty, double[,] Shown, double VMin, double VMax, ColorMap Map, string[] Labels, bool Named,
        int[] Ticks, float FontSize, IReadOnlyDictionary<string, SkiaSharp.SKColor>? NetworkColors)
    {
        public string Label(int i) => Named ? Labels[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public static Heatmap Of(double[,] values, IReadOnlyList<string>? names, MatrixPlotOptions o)
        {
            int n = values.GetLength(0);
            if (n == 0 || values.GetLength(1) != n) throw new NiSharpException($"a connectivity matrix must be square and not empty, got {n}×{values.GetLength(1)}");
            if (names is not null && names.Count != n) throw new NiSharpException($"{names.Count} region names for a {n}×{n} matrix");
            if (o.Networks is { } networks && networks.Count != n) throw new NiSharpException($"{networks.Count} region networks for a {n}×{n} matrix");
            var empty = EmptyRegions(values);
            var shown = (double[,])values.Clone();
            double maxAbs = 0;
            for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (empty[i] || empty[j]) shown[i, j] = double.NaN;
                else if (double.IsFinite(shown[i, j])) maxAbs = Math.Max(maxAbs, Math.Abs(shown[i, j]));
                else shown[i, j] = double.NaN;
            }
            double vmax = o.VMax ?? (maxAbs > 0 ? maxAbs : 1);
            double vmin = o.VMin ?? -vmax;
            if (!(vmax > vmin)) vmax = vmin + 1;
            var labels = Enumerable.Range(0, n).Select(i =>
                FigureText.Shorten(names?[i] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)) + (empty[i] ? " (empty)" : "")).ToArray();
            bool named = n <= o.MaxNamedRegions;
            int step = named ? 1 : (int)Math.Ceiling(n / 20.0);
            var ticks = Enumerable.Range(0, n).Where(i => i % step == 0 || (named && empty[i])).ToArray();
            float fontSize = n > 40 ? 8 : n > 20 ? 9 : 11;
            var networkColors = o.Networks is { } nets ? o.NetworkColors ?? LabelColors.ForNetworks(nets) : null;
            return new Heatmap(n, empty, shown, vmin, vmax, o.ColorMap ?? ColorMap.RdBuR, labels, named, ticks, fontSize, networkColors);
        }
    }

    /// <summary>
    /// The heatmap of <see cref="Connectivity(double[,], IReadOnlyList{string}?, MatrixPlotOptions?)"/> as a vector figure
    /// for the pages: the same cells, scale, names, network bands and legend; the cells one embedded pixel each, drawn sharp.
    /// </summary>
    public static SvgFigure Svg(double[,] values, IReadOnlyList<string>? names = null, MatrixPlotOptions? options = null)
    {
        var o = options ?? new MatrixPlotOptions();
        var h = Heatmap.Of(values, names, o);
        int n = h.N;
        var fg = SkiaSharp.SKColors.Black;
        float longest = h.Ticks.Length == 0 ? 0 : h.Ticks.Max(i => FigureText.Estimate(h.Label(i), h.FontSize));
        double side = Math.Max(n, o.Size - 80);            // the cells' square
        double cell = side / n;
        double band = o.Networks is null ? 0 : Math.Max(1, 0.015 * n) * cell, gap = 0.25 * band;
        double titleH = o.Title is null ? 8 : 32;
        double left = 10 + longest + 6 + (band > 0 ? band + gap : 0), top = titleH;
        double bottom = top + side + (band > 0 ? gap + band : 0) + 6 + longest + 10;
        double barX = left + side + 18, barW = 16;
        var legend = o.Networks is { } nets ? nets.Where(x => x is not null).Select(x => x!).Distinct(StringComparer.Ordinal).ToList() : [];
        double legendX = barX + barW + 60 + (o.ColorbarLabel is null ? 0 : 16);
        double width = legendX + (legend.Count == 0 ? 0 : 26 + legend.Max(x => FigureText.Estimate(x, 10)) + 10);
        var svg = new SvgWriter((int)Math.Ceiling(width), (int)Math.Ceiling(bottom), SkiaSharp.SKColors.White);
        if (o.Title is not null) svg.Text(left + side / 2, 21, o.Title, 15, fg, "middle", bold: true);

        var pixels = new SkiaSharp.SKColor[n * n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            pixels[i * n + j] = double.IsNaN(h.Shown[i, j]) ? MissingColor : h.Map.Map(h.Shown[i, j], h.VMin, h.VMax);
        svg.Image(left, top, side, side, pixels, n, n, pixelated: true);

        // Ticks and names: rows on the left, columns below, written downwards.
        foreach (var i in h.Ticks)
        {
            double c = (i + 0.5) * cell;
            double lx = left - (band > 0 ? band + gap : 0) - 4, by = top + side + (band > 0 ? gap + band : 0) + 4;
            svg.Text(lx, top + c + h.FontSize * 0.35, h.Label(i), h.FontSize, fg, "end");
            svg.Text(left + c - h.FontSize * 0.35, by, h.Label(i), h.FontSize, fg, rotate: 90);
        }
        if (o.Networks is { } networks)
            for (int i = 0; i < n; i++)
            {
                if (networks[i] is not string net) continue;
                int end = i;
                while (end + 1 < n && networks[end + 1] == net) end++;
                var colour = h.NetworkColors!.TryGetValue(net, out var c) ? c : MissingColor;
                svg.Rect(left - gap - band, top + i * cell, band, (end - i + 1) * cell, colour);
                svg.Rect(left + i * cell, top + side + gap, (end - i + 1) * cell, band, colour);
                i = end;
            }

        // The colour bar: the map's 256 levels, five ticks.
        var ramp = new SkiaSharp.SKColor[256];
        for (int k = 0; k < 256; k++) ramp[k] = h.Map.Map(1 - k / 255.0);
        svg.Image(barX, top, barW, side, ramp, 1, 256, pixelated: false);
        svg.Rect(barX, top, barW, side, SkiaSharp.SKColors.Transparent, fg);
        for (int k = 0; k <= 4; k++)
        {
            double v = h.VMin + k * (h.VMax - h.VMin) / 4, y = top + side - k * side / 4;
            svg.Line(barX + barW, y, barX + barW + 4, y, fg);
            svg.Text(barX + barW + 6, y + 4, BrainPlot.FormatTick(v), 10, fg);
        }
        if (o.ColorbarLabel is not null) svg.Text(barX + barW + 52, top + side / 2, o.ColorbarLabel, 11, fg, "middle", rotate: 90);
        for (int k = 0; k < legend.Count; k++)
        {
            double y = top + 4 + k * 16;
            svg.Rect(legendX + 4, y, 12, 12, h.NetworkColors!.TryGetValue(legend[k], out var c) ? c : MissingColor, fg.WithAlpha(120));
            svg.Text(legendX + 22, y + 10.5, legend[k], 10, fg);
        }
        return svg.Finish();
    }

    /// <summary>seaborn's <c>heatmap(matrix)</c> of a connectivity matrix, its regions named on the axes (label ids for
    /// <c>label_N</c> regions), empty regions grey.</summary>
    public static ChartFigure Connectivity(Connectome.ConnectivityMatrix matrix, MatrixPlotOptions? options = null) =>
        Connectivity(matrix.Values.ToArray(), matrix.Names, options);

    /// <summary>A heatmap of a square MathNet matrix (e.g. <c>m.Values.PointwiseAbs()</c>).</summary>
    public static ChartFigure Connectivity(MathNet.Numerics.LinearAlgebra.Matrix<double> values, IReadOnlyList<string>? names = null, MatrixPlotOptions? options = null) =>
        Connectivity(values.ToArray(), names, options);

    /// <summary>A heatmap of a row-major n × n matrix.</summary>
    public static ChartFigure Connectivity(ReadOnlySpan<double> rowMajor, int n, IReadOnlyList<string>? names = null, MatrixPlotOptions? options = null)
    {
        if (rowMajor.Length != n * n) throw new ArgumentException("the matrix does not have n × n values");
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            m[i, j] = rowMajor[i * n + j];
        return Connectivity(m, names, options);
    }

    /// <summary>Regions whose off-diagonal values are all NaN or exactly 0 (no signal: an empty label).</summary>
    public static bool[] EmptyRegions(double[,] values)
    {
        int n = values.GetLength(0);
        var empty = new bool[n];
        if (n < 2) return empty;
        for (int i = 0; i < n; i++)
        {
            bool e = true;
            for (int j = 0; j < n && e; j++)
            {
                if (j == i) continue;
                double v = values[i, j];
                if (!double.IsNaN(v) && v != 0) e = false;
            }
            empty[i] = e;
        }
        return empty;
    }
}
