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
}

/// <summary>Label tables: reading colour LUT files and colouring labels that have no table entry.</summary>
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

    /// <summary>The default colour of label <paramref name="id"/> when the table gives none (a fixed 20-colour cycle).</summary>
    public static SKColor DefaultColor(int id) => Palette[((id - 1) % Palette.Length + Palette.Length) % Palette.Length];

    /// <summary>A table with default colours and names <c>label_N</c> for the given ids.</summary>
    public static IReadOnlyList<LabelColor> Default(IEnumerable<int> ids) =>
        ids.Where(i => i != 0).Distinct().Order().Select(i =>
        {
            var c = DefaultColor(i);
            return new LabelColor(i, $"label_{i}", c.Red, c.Green, c.Blue);
        }).ToList();

    /// <summary>
    /// Reads a label table in any format the atlas layer reads (FreeSurfer colour LUT, Schaefer TXT,
    /// CSV or TSV label files; see <see cref="Atlases.LabelTable.Read"/>). Labels without a colour get
    /// <see cref="DefaultColor"/>; label 0 (background) is dropped.
    /// </summary>
    public static IReadOnlyList<LabelColor> Read(string path) => FromTable(Atlases.LabelTable.Read(path));

    /// <summary>The display colours of an atlas label table (its own colours where it has them).</summary>
    public static IReadOnlyList<LabelColor> FromTable(Atlases.LabelTable table) =>
        table.Regions.Select(l =>
        {
            var c = l.Colour is { } rgba ? new SKColor(rgba.R, rgba.G, rgba.B) : DefaultColor(l.Id);
            return new LabelColor(l.Id, l.Name, c.Red, c.Green, c.Blue);
        }).ToList();
}
