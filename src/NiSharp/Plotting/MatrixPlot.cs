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
        int n = values.GetLength(0);
        if (n == 0 || values.GetLength(1) != n) throw new NiSharpException($"a connectivity matrix must be square and not empty, got {n}×{values.GetLength(1)}");
        if (names is not null && names.Count != n) throw new NiSharpException($"{names.Count} region names for a {n}×{n} matrix");
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

        var plot = ChartFigure.NewPlot(o.Title);
        var hm = plot.Add.Heatmap(shown); // ScottPlot draws Intensities[0, 0] at the top-left
        hm.Colormap = (o.ColorMap ?? ColorMap.RdBuR).ToScottPlot();
        double vmin = o.VMin ?? -vmax;
        if (!(vmax > vmin)) vmax = vmin + 1;
        hm.ManualRange = new ScottPlot.Range(vmin, vmax);
        hm.NaNCellColor = ChartFigure.ToColor(MissingColor);
        var bar = plot.Add.ColorBar(hm);
        if (o.ColorbarLabel is not null) bar.Label = o.ColorbarLabel;
        plot.Grid.IsVisible = false;

        // Cell (i, j) is centred on x = j, y = n-1-i.
        var labels = Enumerable.Range(0, n).Select(i =>
            FigureText.Shorten(names?[i] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)) + (empty[i] ? " (empty)" : "")).ToArray();
        bool named = n <= o.MaxNamedRegions;
        int step = named ? 1 : (int)Math.Ceiling(n / 20.0);
        var idx = Enumerable.Range(0, n).Where(i => i % step == 0 || (named && empty[i])).ToArray();
        string Label(int i) => named ? labels[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        float fontSize = n > 40 ? 8 : n > 20 ? 9 : 11;
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
            if (networks.Count != n) throw new NiSharpException($"{networks.Count} region networks for a {n}×{n} matrix");
            var colors = o.NetworkColors ?? LabelColors.ForNetworks(networks);
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
