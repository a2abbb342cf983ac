using System.Globalization;
using System.Text;

namespace NiSharp.IO;

/// <summary>
/// A tab-separated table as BIDS uses it: one header row, <c>n/a</c> for missing values.
/// Cells are kept as text; numeric columns are parsed on request with <c>n/a</c> → NaN.
/// </summary>
public sealed class TsvTable
{
    /// <summary>Column names, in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Rows of cells (each row has <see cref="Columns"/>.Count cells).</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>Where the table was read from, for error messages (null when built in memory).</summary>
    public string? SourcePath { get; }

    /// <summary>Builds a table in memory.</summary>
    public TsvTable(IReadOnlyList<string> columns, IReadOnlyList<string[]> rows, string? sourcePath = null)
    {
        Columns = columns;
        Rows = rows;
        SourcePath = sourcePath;
    }

    /// <summary>Number of data rows.</summary>
    public int RowCount => Rows.Count;

    /// <summary>Index of a column, or -1.</summary>
    public int IndexOf(string column)
    {
        for (int i = 0; i < Columns.Count; i++)
            if (Columns[i] == column) return i;
        return -1;
    }

    /// <summary>Reads a TSV file. Fails with the file name and line on ragged rows, duplicate or empty headers.</summary>
    public static TsvTable Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (FileNotFoundException) { throw new NiSharpException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new NiSharpException(path, "file not found"); }
        catch (UnauthorizedAccessException) { throw new NiSharpException(path, "permission denied"); }
        return Parse(lines, path);
    }

    /// <summary>Parses TSV text lines (the first line is the header).</summary>
    public static TsvTable Parse(IReadOnlyList<string> lines, string sourceName)
    {
        int first = 0;
        while (first < lines.Count && lines[first].Trim().Length == 0) first++;
        if (first == lines.Count)
            throw new NiSharpException(sourceName, "empty table: no header row");
        var header = lines[first].TrimEnd('\r').Split('\t');
        if (header.Length == 1 && (header[0].Contains(',') || header[0].Contains(' ')) && lines.Count > first + 1)
            throw new NiSharpException(sourceName, "not tab-separated: the header has a single column (is it comma- or space-separated?)");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in header)
        {
            if (h.Length == 0) throw new NiSharpException(sourceName, "empty column name in the header");
            if (!seen.Add(h)) throw new NiSharpException(sourceName, $"duplicate column name '{h}'");
        }
        var rows = new List<string[]>(lines.Count);
        for (int i = first + 1; i < lines.Count; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            var cells = line.Split('\t');
            if (cells.Length != header.Length)
                throw new NiSharpException(sourceName, $"line {i + 1} has {cells.Length} cells but the header has {header.Length}");
            rows.Add(cells);
        }
        return new TsvTable(header, rows, sourceName);
    }

    /// <summary>Parses a numeric cell: <c>n/a</c>, empty, <c>nan</c> → NaN; returns false if not a number.</summary>
    public static bool TryParseNumber(string cell, out double value)
    {
        var s = cell.Trim();
        if (s.Length == 0 || s == "n/a" || s.Equals("nan", StringComparison.OrdinalIgnoreCase) || s == "NA")
        {
            value = double.NaN;
            return true;
        }
        if (s.Equals("inf", StringComparison.OrdinalIgnoreCase) || s.Equals("+inf", StringComparison.OrdinalIgnoreCase) || s.Equals("infinity", StringComparison.OrdinalIgnoreCase)) { value = double.PositiveInfinity; return true; }
        if (s.Equals("-inf", StringComparison.OrdinalIgnoreCase) || s.Equals("-infinity", StringComparison.OrdinalIgnoreCase)) { value = double.NegativeInfinity; return true; }
        if (s.Equals("True", StringComparison.OrdinalIgnoreCase)) { value = 1; return true; }
        if (s.Equals("False", StringComparison.OrdinalIgnoreCase)) { value = 0; return true; }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Whether every cell of the column parses as a number (or n/a).</summary>
    public bool IsNumeric(int column)
    {
        foreach (var r in Rows)
            if (!TryParseNumber(r[column], out _)) return false;
        return true;
    }

    /// <summary>A numeric column; a non-numeric cell fails with file, row and column named.</summary>
    public double[] GetNumbers(string column)
    {
        int c = IndexOf(column);
        if (c < 0) throw new NiSharpException(SourcePath ?? "table", $"no column '{column}'");
        return GetNumbers(c);
    }

    /// <summary>A numeric column by index.</summary>
    public double[] GetNumbers(int column)
    {
        var v = new double[Rows.Count];
        for (int i = 0; i < v.Length; i++)
        {
            if (!TryParseNumber(Rows[i][column], out v[i]))
                throw new NiSharpException(SourcePath ?? "table", $"row {i + 1}, column '{Columns[column]}': '{Rows[i][column]}' is not a number");
        }
        return v;
    }

    /// <summary>A text column.</summary>
    public string[] GetStrings(string column)
    {
        int c = IndexOf(column);
        if (c < 0) throw new NiSharpException(SourcePath ?? "table", $"no column '{column}'");
        var v = new string[Rows.Count];
        for (int i = 0; i < v.Length; i++) v[i] = Rows[i][c];
        return v;
    }

    /// <summary>Formats a number as BIDS TSVs expect: invariant culture, round-trip precision, NaN as <c>n/a</c>.</summary>
    public static string FormatNumber(double v) =>
        double.IsNaN(v) ? "n/a" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Formats a float32 value with the shortest text that reads back to the same float.</summary>
    public static string FormatNumber(float v) =>
        float.IsNaN(v) ? "n/a" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Writes a numeric matrix (rows × columns, row-major) with a header, atomically.</summary>
    public static void WriteNumbers(string path, IReadOnlyList<string> columns, ReadOnlySpan<double> rowMajor, int rows)
    {
        int nc = columns.Count;
        if (rowMajor.Length != rows * nc) throw new ArgumentException("matrix size does not match rows × columns");
        var sb = new StringBuilder(rows * nc * 12 + 64);
        sb.AppendJoin('\t', columns).Append('\n');
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < nc; c++)
            {
                if (c > 0) sb.Append('\t');
                sb.Append(FormatNumber(rowMajor[r * nc + c]));
            }
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Writes this table (text cells) atomically.</summary>
    public void Write(string path)
    {
        var sb = new StringBuilder();
        sb.AppendJoin('\t', Columns).Append('\n');
        foreach (var r in Rows) sb.AppendJoin('\t', r).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
