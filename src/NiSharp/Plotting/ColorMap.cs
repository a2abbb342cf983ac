using SkiaSharp;

namespace NiSharp.Plotting;

/// <summary>
/// A continuous colour map: colours at stops in [0, 1], linearly interpolated between them, with the
/// names users know from matplotlib / nilearn (<c>gray</c>, <c>nipy_spectral</c>, <c>cold_hot</c>,
/// <c>RdBu_r</c>, <c>viridis</c>).
/// </summary>
public sealed class ColorMap
{
    private readonly double[] _positions;
    private readonly SKColor[] _colors;
    private readonly SKColor[] _lut = new SKColor[256];
    private readonly SKColor[]? _listed;

    /// <summary>The map's name.</summary>
    public string Name { get; }

    /// <summary>Builds a map from stops (positions increasing from 0 to 1).</summary>
    public ColorMap(string name, IReadOnlyList<(double Position, SKColor Color)> stops)
    {
        if (stops.Count < 2) throw new ArgumentException("a colour map needs at least two stops", nameof(stops));
        Name = name;
        _positions = stops.Select(s => s.Position).ToArray();
        _colors = stops.Select(s => s.Color).ToArray();
        for (int i = 0; i < 256; i++) _lut[i] = Interpolate(i / 255.0);
    }

    private SKColor Interpolate(double t)
    {
        if (t <= _positions[0]) return _colors[0];
        for (int i = 1; i < _positions.Length; i++)
        {
            if (t <= _positions[i])
            {
                double f = (t - _positions[i - 1]) / (_positions[i] - _positions[i - 1]);
                var a = _colors[i - 1];
                var b = _colors[i];
                return new SKColor(Lerp(a.Red, b.Red, f), Lerp(a.Green, b.Green, f), Lerp(a.Blue, b.Blue, f));
            }
        }
        return _colors[^1];
    }

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * f);

    /// <summary>A listed map: <paramref name="colors"/> in equal bins, no interpolation.</summary>
    private ColorMap(string name, SKColor[] colors) : this(name, colors.Select((c, i) => ((double)i / Math.Max(1, colors.Length - 1), c)).ToArray())
    {
        _listed = colors;
    }

    /// <summary>The colour at <paramref name="t"/> (clamped to [0, 1]; 256 levels, as matplotlib's default N; a listed
    /// map such as <see cref="Paired"/> has one level per colour and puts a bin edge in the upper bin, as matplotlib's
    /// <c>int(t * N)</c>).</summary>
    public SKColor Map(double t)
    {
        if (double.IsNaN(t)) t = 0;
        if (_listed is { } listed)
            return listed[Math.Min(listed.Length - 1, (int)(Math.Clamp(t, 0, 1) * listed.Length))];
        int i = (int)Math.Round(Math.Clamp(t, 0, 1) * 255);
        return _lut[i];
    }

    /// <summary>The colour of <paramref name="value"/> on the scale <paramref name="vmin"/>..<paramref name="vmax"/>.</summary>
    public SKColor Map(double value, double vmin, double vmax) =>
        Map(vmax > vmin ? (value - vmin) / (vmax - vmin) : 0.5);

    /// <summary>As a ScottPlot colour map (for heatmaps drawn with ScottPlot).</summary>
    internal ScottPlot.IColormap ToScottPlot() => new ScottPlotColormap(this);

    private static SKColor Rgb(double r, double g, double b) =>
        new((byte)Math.Round(r * 255), (byte)Math.Round(g * 255), (byte)Math.Round(b * 255));

    private static ColorMap Even(string name, params SKColor[] colors) =>
        new(name, colors.Select((c, i) => ((double)i / (colors.Length - 1), c)).ToArray());

    /// <summary>Black to white (anatomy).</summary>
    public static ColorMap Gray { get; } = Even("gray", SKColors.Black, SKColors.White);

    /// <summary>matplotlib's <c>nipy_spectral</c>, nilearn's default for <c>plot_epi</c>.</summary>
    public static ColorMap NipySpectral { get; } = new("nipy_spectral",
    [
        (0.00, Rgb(0, 0, 0)), (0.05, Rgb(0.4667, 0, 0.5333)), (0.10, Rgb(0.5333, 0, 0.6)),
        (0.15, Rgb(0, 0, 0.6667)), (0.20, Rgb(0, 0, 0.8667)), (0.25, Rgb(0, 0.4667, 0.8667)),
        (0.30, Rgb(0, 0.6, 0.8667)), (0.35, Rgb(0, 0.6667, 0.6667)), (0.40, Rgb(0, 0.6667, 0.5333)),
        (0.45, Rgb(0, 0.6, 0)), (0.50, Rgb(0, 0.7333, 0)), (0.55, Rgb(0, 0.8667, 0)),
        (0.60, Rgb(0, 1, 0)), (0.65, Rgb(0.7333, 1, 0)), (0.70, Rgb(0.9333, 0.9333, 0)),
        (0.75, Rgb(1, 0.8, 0)), (0.80, Rgb(1, 0.6, 0)), (0.85, Rgb(1, 0, 0)),
        (0.90, Rgb(0.8667, 0, 0)), (0.95, Rgb(0.8, 0, 0)), (1.00, Rgb(0.8, 0.8, 0.8)),
    ]);

    /// <summary>nilearn's <c>cold_hot</c> (stat maps): cyan–blue for negative, red–yellow for positive values.</summary>
    public static ColorMap ColdHot { get; } = new("cold_hot",
    [
        (0.0, Rgb(0, 1, 1)), (0.25, Rgb(0, 0, 1)), (0.5, Rgb(0, 0, 0)), (0.75, Rgb(1, 0, 0)), (1.0, Rgb(1, 1, 0)),
    ]);

    /// <summary>matplotlib's <c>RdBu_r</c>: diverging blue–white–red, the lesson's heatmap map.</summary>
    public static ColorMap RdBuR { get; } = Even("RdBu_r",
        new SKColor(5, 48, 97), new SKColor(33, 102, 172), new SKColor(67, 147, 195), new SKColor(146, 197, 222),
        new SKColor(209, 229, 240), new SKColor(247, 247, 247), new SKColor(253, 219, 199), new SKColor(244, 165, 130),
        new SKColor(214, 96, 77), new SKColor(178, 24, 43), new SKColor(103, 0, 31));

    /// <summary>matplotlib's <c>viridis</c>.</summary>
    public static ColorMap Viridis { get; } = Even("viridis",
        new SKColor(68, 1, 84), new SKColor(72, 40, 120), new SKColor(62, 74, 137), new SKColor(49, 104, 142),
        new SKColor(38, 130, 142), new SKColor(31, 158, 137), new SKColor(53, 183, 121), new SKColor(109, 205, 89),
        new SKColor(180, 222, 44), new SKColor(253, 231, 37));

    /// <summary>matplotlib's <c>Paired</c>: twelve colours in light/dark pairs, in steps (a listed map, not
    /// interpolated); the lesson draws its atlases with it.</summary>
    public static ColorMap Paired { get; } = Listed("Paired",
        new SKColor(166, 206, 227), new SKColor(31, 120, 180), new SKColor(178, 223, 138), new SKColor(51, 160, 44),
        new SKColor(251, 154, 153), new SKColor(227, 26, 28), new SKColor(253, 191, 111), new SKColor(255, 127, 0),
        new SKColor(202, 178, 214), new SKColor(106, 61, 154), new SKColor(255, 255, 153), new SKColor(177, 89, 40));

    /// <summary>A map that steps through <paramref name="colors"/> in equal bins (matplotlib's <c>ListedColormap</c>).</summary>
    private static ColorMap Listed(string name, params SKColor[] colors) => new(name, colors);

    /// <summary>The maps by name.</summary>
    public static IReadOnlyList<ColorMap> All { get; } = [Gray, NipySpectral, ColdHot, RdBuR, Viridis, Paired];

    /// <summary>A map by (case-insensitive) name; fails with the list of known names.</summary>
    public static ColorMap FromName(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new NiSharpException($"unknown colour map '{name}': use one of {string.Join(", ", All.Select(m => m.Name))}");

    private sealed class ScottPlotColormap(ColorMap map) : ScottPlot.IColormap
    {
        public string Name => map.Name;

        public ScottPlot.Color GetColor(double position)
        {
            var c = map.Map(position);
            return new ScottPlot.Color(c.Red, c.Green, c.Blue);
        }
    }
}
