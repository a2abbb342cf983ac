using System.Globalization;
using System.Text;
using NiSharp.IO;

namespace NiSharp.Atlases;

/// <summary>An RGBA colour as label files give it (0–255 per channel; FreeSurfer's A is usually 0).</summary>
public readonly record struct Rgba(byte R, byte G, byte B, byte A = 0)
{
    /// <summary><c>#rrggbb</c>.</summary>
    public string Hex => AppendHex(new StringBuilder(7), R, G, B).ToString();

    /// <summary>Appends <c>#rrggbb</c> (lower-case digits) of a colour, digit by digit: an SVG figure writes one for each
    /// element, and a formatted string each was a tenth of drawing a subject's atlas figure.</summary>
    internal static StringBuilder AppendHex(StringBuilder sb, byte r, byte g, byte b)
    {
        const string digits = "0123456789abcdef";
        return sb.Append('#').Append(digits[r >> 4]).Append(digits[r & 15]).Append(digits[g >> 4]).Append(digits[g & 15])
                 .Append(digits[b >> 4]).Append(digits[b & 15]);
    }

    /// <summary>Parses a table's colour cell: <c>#rrggbb</c>, <c>rrggbb</c>, or three numbers 0–255 (<c>255,0,0</c> or
    /// <c>255 0 0</c>, as some TemplateFlow tables write it).</summary>
    public static bool TryParse(string s, out Rgba colour)
    {
        if (TryParseHex(s, out colour)) return true;
        var p = s.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (p.Length is 3 or 4 && byte.TryParse(p[0], CultureInfo.InvariantCulture, out var r) && byte.TryParse(p[1], CultureInfo.InvariantCulture, out var g)
            && byte.TryParse(p[2], CultureInfo.InvariantCulture, out var b))
        {
            colour = new Rgba(r, g, b);
            return true;
        }
        return false;
    }

    /// <summary>Parses <c>#rrggbb</c> or <c>rrggbb</c>.</summary>
    public static bool TryParseHex(string s, out Rgba colour)
    {
        colour = default;
        s = s.Trim().TrimStart('#');
        if (s.Length != 6 || !int.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)) return false;
        colour = new Rgba((byte)(v >> 16), (byte)(v >> 8), (byte)v);
        return true;
    }
}

/// <summary>One label of an atlas: its value in the image, its name, the network it belongs to, its colour, and the short
/// name a BIDS <c>dseg.tsv</c> may give it (<c>abbreviation</c>).</summary>
public sealed record AtlasLabel(int Id, string Name, string? Network = null, Rgba? Colour = null, string? Abbreviation = null);

/// <summary>
/// The names of an atlas's labels, read from the formats atlases ship with: FreeSurfer colour LUTs
/// (<c>id name R G B A</c>), Schaefer's <c>*_order.txt</c> (same columns, tab-separated) and
/// <c>*_order_info.txt</c> (name line, then <c>id R G B A</c>), CSV (<c>id,name,…</c>, with or without a header)
/// and BIDS <c>dseg.tsv</c> (<c>index name [abbreviation] [color] [network]</c>, as TemplateFlow, XCP-D's BIDS-Atlas
/// datasets and nilearn's <c>lut</c> have them; XCP-D's older <c>label</c>/<c>network_label</c> columns too). Label 0 is
/// the background.
/// </summary>
public sealed class LabelTable
{
    private readonly SortedDictionary<int, AtlasLabel> _byId = new();

    /// <summary>All labels, ascending id, background included when the file lists it.</summary>
    public IReadOnlyList<AtlasLabel> All { get; }

    /// <summary>The labels without the background (id 0).</summary>
    public IReadOnlyList<AtlasLabel> Regions { get; }

    /// <summary>The file the table was read from, if any.</summary>
    public string? Source { get; }

    /// <summary>The most labels a table (and an atlas) may have. Each region becomes a column of the time series and a
    /// row and column of every connectivity matrix: 10 000 regions already make 10⁸-value matrices.</summary>
    public const int MaxLabels = 10_000;

    /// <summary>The longest label name (characters): names become column headers, axis labels and legend entries.</summary>
    public const int MaxNameLength = 1_000;

    /// <summary>Builds a table; ids must be unique, at most <see cref="MaxLabels"/>, names at most
    /// <see cref="MaxNameLength"/> characters.</summary>
    public LabelTable(IEnumerable<AtlasLabel> labels, string? source = null)
    {
        Source = source;
        NiSharpException Problem(string problem) => source is null ? new NiSharpException("the label table " + problem) : new NiSharpException(source, problem);
        foreach (var l in labels)
        {
            if (!_byId.TryAdd(l.Id, l))
                throw source is null ? new NiSharpException($"label {l.Id} is listed twice") : new NiSharpException(source, $"label {l.Id} is listed twice");
            if (l.Name.Length > MaxNameLength)
                throw Problem($"names label {l.Id} with {l.Name.Length} characters; a label name may have at most {MaxNameLength}");
        }
        int regions = _byId.Count - (_byId.ContainsKey(0) ? 1 : 0);
        if (regions > MaxLabels)
            throw Problem($"names {regions} labels; an atlas may have at most {MaxLabels} regions (each is a row and a column of every connectivity matrix)");
        All = _byId.Values.ToList();
        Regions = All.Where(l => l.Id != 0).ToList();
    }

    /// <summary>The label with <paramref name="id"/>, or null.</summary>
    public AtlasLabel? this[int id] => _byId.TryGetValue(id, out var l) ? l : null;

    /// <summary>Whether a label has this id.</summary>
    public bool Contains(int id) => _byId.ContainsKey(id);

    /// <summary>A table with no labels.</summary>
    public static LabelTable Empty { get; } = new([]);

    /// <summary>Names <c>label_N</c> for the given ids (what the lesson's tables call unnamed labels).</summary>
    public static LabelTable Generic(IEnumerable<int> ids) =>
        new(ids.Where(i => i != 0).Distinct().Order().Select(i => new AtlasLabel(i, $"label_{i}")));

    /// <summary>A copy with networks (and optionally colours) set from a function of each label.</summary>
    public LabelTable With(Func<AtlasLabel, AtlasLabel> change) => new(All.Select(change), Source);

    private static readonly string[] BackgroundNames = ["background", "none", "null", "empty", "unknown", "???", "bg"];

    /// <summary>The largest label file read: <see cref="MaxLabels"/> lines of a few hundred characters.</summary>
    public const long MaxFileBytes = 16L << 20;

    /// <summary>Reads a label file, recognising its format from its content.</summary>
    public static LabelTable Read(string path)
    {
        // A regular file of label-table size: a FIFO would block, /dev/zero would never end.
        InputFile.CheckSize(path, MaxFileBytes, "a label table");
        return Parse(InputFile.ReadLines(path, "a label table").ToList(), path);
    }

    /// <summary>Parses the lines of a label file; <paramref name="source"/> names it in errors.</summary>
    public static LabelTable Parse(IReadOnlyList<string> rawLines, string source)
    {
        var lines = rawLines.Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).ToList();
        if (lines.Count == 0) throw new NiSharpException(source, "the label file is empty");
        bool csv = lines[0].Contains(',') && !lines[0].Contains('\t');
        var table = csv ? ParseDelimited(lines, source, ',') : ParseWhitespace(lines, source);
        if (table.Regions.Count == 0) throw new NiSharpException(source, "the label file names no region");
        return table;
    }

    private static bool IsInt(string s, out int v) => int.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v);

    private static LabelTable ParseWhitespace(List<string> lines, string source)
    {
        var first = Split(lines[0]);
        // Schaefer *_order_info.txt: a name line, then "id R G B A"
        if (first.Length == 1 && !IsInt(first[0], out _) && lines.Count > 1 && Split(lines[1]) is { Length: 5 } second && IsInt(second[0], out _))
        {
            var list = new List<AtlasLabel>();
            for (int i = 0; i + 1 < lines.Count; i += 2)
            {
                var name = lines[i].Trim();
                var p = Split(lines[i + 1]);
                if (p.Length < 4 || !IsInt(p[0], out var id)) throw new NiSharpException(source, $"line {i + 2}: expected 'id R G B A'");
                list.Add(Make(id, name, p.AsSpan(1), source, i + 2));
            }
            return new LabelTable(list, source);
        }
        if (!IsInt(first[0], out _))
        {
            if (first.Length == 1 && lines.All(l => Split(l).Length == 1))
            {
                // a plain list of names; a leading background name means ids start at 0
                int start = BackgroundNames.Contains(lines[0].Trim().ToLowerInvariant()) ? 0 : 1;
                return new LabelTable(lines.Select((l, i) => new AtlasLabel(start + i, l.Trim())), source);
            }
            return ParseDelimited(lines, source, '\t');
        }
        var labels = new List<AtlasLabel>();
        for (int i = 0; i < lines.Count; i++)
        {
            var p = Split(lines[i]);
            if (!IsInt(p[0], out var id)) throw new NiSharpException(source, $"line {i + 1}: '{p[0]}' is not a label number");
            if (p.Length < 2) throw new NiSharpException(source, $"line {i + 1}: label {id} has no name");
            labels.Add(Make(id, p[1], p.AsSpan(2), source, i + 1));
        }
        return new LabelTable(labels, source);
    }

    private static string[] Split(string line) => line.Split(line.Contains('\t') ? ['\t'] : [' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static AtlasLabel Make(int id, string name, ReadOnlySpan<string> rgba, string source, int line)
    {
        Rgba? colour = null;
        if (rgba.Length >= 3)
        {
            if (!byte.TryParse(rgba[0], out var r) || !byte.TryParse(rgba[1], out var g) || !byte.TryParse(rgba[2], out var b))
                throw new NiSharpException(source, $"line {line}: colour '{string.Join(' ', rgba.ToArray())}' is not three numbers 0-255");
            byte a = rgba.Length >= 4 && byte.TryParse(rgba[3], out var av) ? av : (byte)0;
            colour = new Rgba(r, g, b, a);
        }
        return new AtlasLabel(id, name, NetworkFromName(name), colour);
    }

    private static LabelTable ParseDelimited(List<string> lines, string source, char sep)
    {
        string[] Cells(string l) => l.Split(sep).Select(Unquote).ToArray();
        var head = Cells(lines[0]);
        bool hasHeader = !IsInt(head[0], out _);
        int idCol = 0, nameCol = 1, netCol = -1, colourCol = -1, rCol = -1, gCol = -1, bCol = -1, abbrevCol = -1;
        if (hasHeader)
        {
            int Find(params string[] names)
            {
                for (int i = 0; i < head.Length; i++)
                    if (names.Contains(head[i].ToLowerInvariant())) return i;
                return -1;
            }
            idCol = Find("index", "id", "label", "value", "roi", "number", "label_id");
            nameCol = Find("name", "label_name", "region", "roi_name", "labels", "structure");
            if (idCol < 0) idCol = 0;
            if (nameCol < 0 || nameCol == idCol) nameCol = idCol == 0 ? 1 : 0;
            netCol = Find("network", "yeo_network", "network_name", "network_label", "yeo_networks7", "yeo_networks17");
            colourCol = Find("color", "colour", "hex");
            abbrevCol = Find("abbreviation", "abbrev", "abbr");
            rCol = Find("r", "red"); gCol = Find("g", "green"); bCol = Find("b", "blue");
        }
        var labels = new List<AtlasLabel>();
        for (int i = hasHeader ? 1 : 0; i < lines.Count; i++)
        {
            var c = Cells(lines[i]);
            if (c.Length <= Math.Max(idCol, nameCol)) throw new NiSharpException(source, $"line {i + 1}: expected at least {Math.Max(idCol, nameCol) + 1} columns");
            if (!IsInt(c[idCol], out var id))
            {
                if (double.TryParse(c[idCol], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Round(d)) id = (int)d;
                else throw new NiSharpException(source, $"line {i + 1}: '{c[idCol]}' is not a label number");
            }
            string name = c[nameCol];
            static bool Given(string v) => v.Length > 0 && !v.Equals("n/a", StringComparison.OrdinalIgnoreCase);
            string? network = netCol >= 0 && netCol < c.Length && Given(c[netCol]) ? c[netCol] : NetworkFromName(name);
            Rgba? colour = null;
            if (colourCol >= 0 && colourCol < c.Length && Rgba.TryParse(c[colourCol], out var given)) colour = given;
            else if (rCol >= 0 && gCol >= 0 && bCol >= 0 && bCol < c.Length &&
                     byte.TryParse(c[rCol], out var r) && byte.TryParse(c[gCol], out var g) && byte.TryParse(c[bCol], out var b))
                colour = new Rgba(r, g, b);
            string? abbreviation = abbrevCol >= 0 && abbrevCol < c.Length && Given(c[abbrevCol]) ? c[abbrevCol] : null;
            labels.Add(new AtlasLabel(id, name, network, colour, abbreviation));
        }
        return new LabelTable(labels, source);
    }

    /// <summary>A cell as pandas reads it: a value in double quotes loses them (<c>""</c> inside is one quote); any other
    /// value is kept as written, quotes and all (<c>Area "4a"</c>).</summary>
    private static string Unquote(string cell)
    {
        var c = cell.Trim();
        return c.Length >= 2 && c[0] == '"' && c[^1] == '"' ? c[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : c;
    }

    /// <summary>
    /// The network in a Schaefer-style name, <c>7Networks_LH_Vis_1</c> → <c>Vis</c>,
    /// <c>17Networks_RH_DefaultA_PFCm_2</c> → <c>DefaultA</c>; null for other names.
    /// </summary>
    public static string? NetworkFromName(string name)
    {
        if (!name.Contains("Networks_", StringComparison.Ordinal)) return null; // most names: no split, no allocation
        var p = name.Split('_');
        if (p.Length >= 4 && p[0].EndsWith("Networks", StringComparison.Ordinal) && p[1] is "LH" or "RH") return p[2];
        return null;
    }

    /// <summary>
    /// Checks that every label in <paramref name="imageLabels"/> (background excluded) has a name; the error names
    /// the missing labels, the label file and the image.
    /// </summary>
    public void CheckCovers(IEnumerable<int> imageLabels, string imageSource)
    {
        var missing = imageLabels.Where(l => l != 0 && !Contains(l)).Distinct().Order().ToList();
        if (missing.Count == 0) return;
        string list = string.Join(", ", missing.Take(20)) + (missing.Count > 20 ? $", … ({missing.Count} in all)" : "");
        string msg = $"does not name label{(missing.Count == 1 ? "" : "s")} {list} of {imageSource}";
        throw Source is null ? new NiSharpException("the label table " + msg) : new NiSharpException(Source, msg);
    }

    /// <summary>Writes the table as a BIDS-style TSV: <c>index name network color</c> (network and color may be n/a).</summary>
    public void WriteTsv(string path, bool includeBackground = false) => IO.AtomicFile.WriteAllText(path, ToTsv(includeBackground));

    /// <summary>The table as <see cref="WriteTsv"/> writes it.</summary>
    public string ToTsv(bool includeBackground = false)
    {
        var sb = new StringBuilder("index\tname\tnetwork\tcolor\n");
        foreach (var l in includeBackground ? All : Regions)
            sb.Append(l.Id.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(l.Name).Append('\t')
              .Append(l.Network ?? "n/a").Append('\t').Append(l.Colour?.Hex ?? "n/a").Append('\n');
        return sb.ToString();
    }
}
