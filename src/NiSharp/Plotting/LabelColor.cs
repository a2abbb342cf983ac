using SkiaSharp;

namespace NiSharp.Plotting;

/// <summary>
/// One entry of an atlas label table as the pictures need it: the label value in the image, its
/// name, and its display colour (e.g. a row of a FreeSurfer colour LUT such as the Yeo 2011 one).
/// </summary>
public readonly record struct LabelColor(int Id, string Name, byte R, byte G, byte B)
{
    /// <summary>The colour as a Skia colour.</summary>
    public SKColor Color => new(R, G, B);

    /// <summary><c>#rrggbb</c>.</summary>
    public string Hex => new Atlases.Rgba(R, G, B).Hex;
}

/// <summary>Label tables: reading colour LUT files, colouring regions and networks.</summary>
public static class LabelColors
{
    // matplotlib's tab20, reordered so that neighbouring ids get contrasting colours.
    private static readonly SKColor[] Palette =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
        new(174, 199, 232), new(255, 187, 120), new(152, 223, 138), new(255, 152, 150), new(197, 176, 213),
        new(196, 156, 148), new(247, 182, 210), new(199, 199, 199), new(219, 219, 141), new(158, 218, 229),
    ];

    /// <summary>
    /// The default colour of label <paramref name="id"/> when the table gives none: tab20 for ids 1–20, then hues a golden
    /// angle apart at alternating lightness, so that the regions of a large atlas do not repeat the first twenty's colours.
    /// </summary>
    public static SKColor DefaultColor(int id)
    {
        if (id >= 1 && id <= Palette.Length) return Palette[id - 1];
        double hue = ((id * 137.508) % 360 + 360) % 360;
        double lightness = (id % 3) switch { 0 => 0.42, 1 => 0.58, _ => 0.72 };
        return FromHsl(hue, 0.62, lightness);
    }

    /// <summary>A table with default colours and names <c>label_N</c> for the given ids.</summary>
    public static IReadOnlyList<LabelColor> Default(IEnumerable<int> ids) =>
        ids.Where(i => i != 0).Distinct().Order().Select(i =>
        {
            var c = DefaultColor(i);
            return new LabelColor(i, $"label_{i}", c.Red, c.Green, c.Blue);
        }).ToList();

    /// <summary>
    /// Reads a label table in any format the atlas layer reads (FreeSurfer colour LUT, Schaefer TXT,
    /// CSV or TSV label files; see <see cref="Atlases.LabelTable.Read"/>) and colours its regions
    /// (<see cref="FromTable"/>); label 0 (background) is dropped.
    /// </summary>
    public static IReadOnlyList<LabelColor> Read(string path) => FromTable(Atlases.LabelTable.Read(path));

    /// <summary>
    /// A colour per region of an atlas label table: the table's colours when they are the regions' own (no two regions
    /// share one: a LUT of regions, as Yeo's 7 networks or a FreeSurfer segmentation), else <see cref="DefaultColor"/> for
    /// every region. Colours that regions share are their networks' (Schaefer's parcels carry the Yeo colours, the
    /// relabelled Yeo atlas its networks'): drawn as they are, five regions would look like one.
    /// </summary>
    public static IReadOnlyList<LabelColor> FromTable(Atlases.LabelTable table)
    {
        bool own = table.Regions.Where(l => l.Colour is not null).GroupBy(l => Rgb(l.Colour!.Value)).All(g => g.Count() == 1);
        return table.Regions.Select(l =>
        {
            var c = own && l.Colour is { } rgba ? new SKColor(rgba.R, rgba.G, rgba.B) : DefaultColor(l.Id);
            return new LabelColor(l.Id, l.Name, c.Red, c.Green, c.Blue);
        }).ToList();
    }

    /// <summary>
    /// A colour per network, for the bands of matrix heatmaps and the network column of tables: the colour every region
    /// of the network shares in <paramref name="table"/> (Yeo's network colours), else the Yeo 2011 LUT colour of a Yeo
    /// network name (<c>Default</c>, <c>DefaultA</c>…), else a default colour by order of appearance.
    /// </summary>
    public static IReadOnlyDictionary<string, SKColor> ForNetworks(IEnumerable<string?> networks, Atlases.LabelTable? table = null)
    {
        var result = new Dictionary<string, SKColor>(StringComparer.Ordinal);
        int next = 1;
        foreach (var n in networks)
        {
            if (n is null || result.ContainsKey(n)) continue;
            var own = table?.Regions.Where(l => l.Network == n).Select(l => l.Colour).Distinct().ToList();
            if (own is [Atlases.Rgba c]) result[n] = new SKColor(c.R, c.G, c.B);
            else if (YeoColours.Value.TryGetValue(n, out var yeo)) result[n] = yeo;
            else result[n] = DefaultColor(next);
            next++;
        }
        return result;
    }

    // Yeo 2011's network colours (the bundled 7- and 17-network LUTs), by the network names NiSharp's tables use.
    private static readonly Lazy<Dictionary<string, SKColor>> YeoColours = new(() =>
    {
        var d = new Dictionary<string, SKColor>(StringComparer.Ordinal);
        foreach (var (atlas, names) in new[] { ("yeo7", Atlases.AtlasCatalog.Yeo7Networks), ("yeo17", Atlases.AtlasCatalog.Yeo17Networks) })
        {
            var table = Atlases.Atlas.BundledLabels(Atlases.AtlasCatalog.Find(atlas)!);
            for (int i = 0; i < names.Count; i++)
                if (table[i + 1]?.Colour is { } c) d.TryAdd(names[i], new SKColor(c.R, c.G, c.B));
        }
        return d;
    });

    private static (byte, byte, byte) Rgb(Atlases.Rgba c) => (c.R, c.G, c.B);

    private static SKColor FromHsl(double h, double s, double l)
    {
        double c = (1 - Math.Abs(2 * l - 1)) * s, hp = h / 60, x = c * (1 - Math.Abs(hp % 2 - 1)), m = l - c / 2;
        var (r, g, b) = hp switch { < 1 => (c, x, 0.0), < 2 => (x, c, 0.0), < 3 => (0.0, c, x), < 4 => (0.0, x, c), < 5 => (x, 0.0, c), _ => (c, 0.0, x) };
        static byte B(double v) => (byte)Math.Clamp(Math.Round(255 * v), 0, 255);
        return new SKColor(B(r + m), B(g + m), B(b + m));
    }
}
