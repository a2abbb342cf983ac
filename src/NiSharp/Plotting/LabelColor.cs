using System.Globalization;
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
    /// Reads a label table: a FreeSurfer colour LUT (<c>id name R G B [A]</c> per line, whitespace-separated,
    /// <c>#</c> comments), or a TSV with columns <c>index</c> and <c>name</c> and optionally <c>color</c>
    /// (<c>#rrggbb</c>). Label 0 (background) is dropped.
    /// </summary>
    public static IReadOnlyList<LabelColor> Read(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (FileNotFoundException) { throw new NiSharpException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new NiSharpException(path, "file not found"); }
        var first = lines.FirstOrDefault(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        if (first is null) throw new NiSharpException(path, "empty label table");
        return first.Contains('\t') && first.Split('\t').Any(c => c.Trim().Equals("index", StringComparison.OrdinalIgnoreCase))
            ? ReadTsv(path)
            : ReadLut(lines, path);
    }

    private static List<LabelColor> ReadLut(string[] lines, string path)
    {
        var result = new List<LabelColor>();
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5 || !int.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int id)
                || !byte.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out byte r)
                || !byte.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out byte g)
                || !byte.TryParse(f[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out byte b))
                throw new NiSharpException(path, $"line {n + 1}: expected 'id name R G B [A]' (a FreeSurfer colour LUT), got '{line}'");
            if (id != 0) result.Add(new LabelColor(id, f[1], r, g, b));
        }
        return result;
    }

    private static List<LabelColor> ReadTsv(string path)
    {
        var t = IO.TsvTable.Read(path);
        int ci = -1, cn = -1, cc = -1;
        for (int i = 0; i < t.Columns.Count; i++)
        {
            var c = t.Columns[i].Trim().ToLowerInvariant();
            if (c == "index") ci = i;
            else if (c == "name") cn = i;
            else if (c == "color" || c == "colour") cc = i;
        }
        if (cn < 0) throw new NiSharpException(path, "the label table has an 'index' column but no 'name' column");
        var result = new List<LabelColor>();
        for (int r = 0; r < t.RowCount; r++)
        {
            var row = t.Rows[r];
            if (!int.TryParse(row[ci], NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                throw new NiSharpException(path, $"row {r + 1}: index '{row[ci]}' is not an integer");
            if (id == 0) continue;
            var color = DefaultColor(id);
            if (cc >= 0 && row[cc].Trim().Length > 0 && row[cc] != "n/a" && !SKColor.TryParse(row[cc].Trim(), out color))
                throw new NiSharpException(path, $"row {r + 1}: colour '{row[cc]}' is not #rrggbb");
            result.Add(new LabelColor(id, row[cn], color.Red, color.Green, color.Blue));
        }
        return result;
    }
}
