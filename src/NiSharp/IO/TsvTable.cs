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
    /// <remarks>A table read from a file keeps its lines and where their cells start; the cells become strings only
    /// when this is first asked for. Numeric columns (<see cref="GetNumbers(int)"/>, <see cref="IsNumeric"/>) are
    /// parsed from the lines without it: a confounds file of thousands of cells then costs no string per cell.</remarks>
    public IReadOnlyList<string[]> Rows => _rows ??= CellsOfLines();

    private IReadOnlyList<string[]>? _rows;
    // A parsed file: the text of its kept cells — the file's own text when every column is kept, else the kept cells
    // joined by tabs, row after row, so a wide file costs the memory of the columns used — and the start of kept cell k
    // of row r at _starts[r * (Columns.Count + 1) + k], one past the row's last cell (its end + 1) at k = Columns.Count.
    private readonly string? _text;
    private readonly int[]? _starts;
    private readonly int _textRows;

    /// <summary>Where the table was read from, for error messages (null when built in memory).</summary>
    public string? SourcePath { get; }

    /// <summary>Builds a table in memory.</summary>
    public TsvTable(IReadOnlyList<string> columns, IReadOnlyList<string[]> rows, string? sourcePath = null)
    {
        Columns = columns;
        _rows = rows;
        SourcePath = sourcePath;
        Header = columns;
    }

    private TsvTable(IReadOnlyList<string> columns, string text, int[] starts, int rows, string sourcePath)
    {
        Columns = columns;
        _text = text;
        _starts = starts;
        _textRows = rows;
        SourcePath = sourcePath;
    }

    /// <summary>Number of data rows.</summary>
    public int RowCount => _text is null ? _rows!.Count : _textRows;

    /// <summary>The text of a cell (row and column of <see cref="Columns"/>), without copying it out of the table's text.</summary>
    public ReadOnlySpan<char> Cell(int row, int column)
    {
        if (_text is null || _rows is not null) return Rows[row][column];
        if ((uint)row >= (uint)_textRows || (uint)column >= (uint)Columns.Count) throw new ArgumentOutOfRangeException(nameof(row));
        int at = row * (Columns.Count + 1) + column;
        int start = _starts![at], end = _starts[at + 1] - 1;
        return _text.AsSpan(start, end - start);
    }

    private string[][] CellsOfLines()
    {
        var rows = new string[_textRows][];
        for (int r = 0; r < rows.Length; r++)
        {
            var row = new string[Columns.Count];
            for (int k = 0; k < row.Length; k++) row[k] = Cell(r, k).ToString();
            rows[r] = row;
        }
        return rows;
    }

    /// <summary>Index of a column, or -1.</summary>
    public int IndexOf(string column)
    {
        for (int i = 0; i < Columns.Count; i++)
            if (Columns[i] == column) return i;
        return -1;
    }

    /// <summary>The most columns a table may have: an atlas of 10 000 regions makes a 10 001-column matrix; a file
    /// with more is refused with a message rather than filling the memory.</summary>
    public const int MaxColumns = 100_000;

    /// <summary>Every column name of the file's header, in file order (<see cref="Columns"/> holds those read).</summary>
    public IReadOnlyList<string> Header { get; private init; } = [];

    /// <summary>
    /// Reads a TSV file (UTF-8) whole (a line longer than <see cref="InputFile.MaxLineChars"/>, or a header of more than
    /// <see cref="MaxColumns"/> columns, fails naming the file). With <paramref name="columns"/>, only the cells of the
    /// columns it accepts are kept: a wide file costs the memory of the columns used. Fails with the file name and
    /// line on ragged rows, duplicate or empty headers.
    /// </summary>
    public static TsvTable Read(string path, Func<string, bool>? columns = null) =>
        ParseText(InputFile.ReadAllText(path, MaxTextBytes, "a TSV table"), path, columns);

    /// <summary>Reads a table this tool wrote itself and may write again in the same command (a report's summary of
    /// the group level, say): read under the same rules, but not recorded as an input, so rewriting it is allowed.</summary>
    public static TsvTable ReadOwnOutput(string path, Func<string, bool>? columns = null) =>
        ParseText(InputFile.ReadAllText(path, MaxTextBytes, "a TSV table", asInput: false), path, columns);

    /// <summary>The largest TSV file read (1 GiB: the text of a string).</summary>
    private const long MaxTextBytes = 1L << 30;

    /// <summary>Parses TSV text lines (the first non-blank line is the header), keeping the columns
    /// <paramref name="columns"/> accepts (all when null).</summary>
    public static TsvTable Parse(IEnumerable<string> lines, string sourceName, Func<string, bool>? columns = null) =>
        ParseText(string.Join('\n', lines), sourceName, columns);

    /// <summary>Parses the text of a TSV file, its lines ended by <c>\n</c>, <c>\r\n</c> or <c>\r</c>: the table keeps the
    /// text (or its kept cells) and where each cell starts, not a string per line or cell — a confounds file was a
    /// megabyte of short-lived strings.</summary>
    private static TsvTable ParseText(string text, string sourceName, Func<string, bool>? columns)
    {
        int lineNumber = 0, at = 0;
        // The next line: [start, end) of text; false at the end of the text.
        bool NextLine(out int start, out int end)
        {
            start = at;
            if (at >= text.Length) { end = at; return false; }
            int stop = text.AsSpan(at).IndexOfAny('\r', '\n');
            end = stop < 0 ? text.Length : at + stop;
            at = stop < 0 ? text.Length + 1 : end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1);
            lineNumber++;
            if (end - start > InputFile.MaxLineChars)
                throw InputFile.LineTooLong(sourceName, lineNumber, InputFile.MaxLineChars, "a TSV table");
            return true;
        }
        string? headerLine = null;
        while (NextLine(out int start, out int end))
            if (text.AsSpan(start, end - start).Trim().Length > 0) { headerLine = text[start..end]; break; }
        if (headerLine is null)
            throw new NiSharpException(sourceName, "empty table: no header row");
        int count = headerLine.AsSpan().Count('\t') + 1;
        if (count > MaxColumns)
            throw new NiSharpException(sourceName, $"the header has {count} columns; a table NiSharp reads has at most {MaxColumns}: is it the right file?");
        var header = headerLine.Split('\t');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in header)
        {
            if (h.Length == 0) throw new NiSharpException(sourceName, "empty column name in the header");
            if (!seen.Add(h)) throw new NiSharpException(sourceName, $"duplicate column name '{h}'");
        }
        var kept = new List<int>(header.Length);
        for (int c = 0; c < header.Length; c++)
            if (columns is null || columns(header[c])) kept.Add(c);
        var keptNames = kept.Count == header.Length ? header : kept.Select(c => header[c]).ToArray();
        bool all = kept.Count == header.Length;
        // Kept cell starts, in the file's text; one past each row's kept text at the row's end.
        var starts = new List<int>();
        var cellStarts = new int[header.Length + 1];
        int rows = 0, keptChars = 0;
        while (NextLine(out int start, out int end))
        {
            if (end == start) continue;
            if (rows == 0 && header.Length == 1 && (header[0].Contains(',') || header[0].Contains(' ')))
                throw new NiSharpException(sourceName, "not tab-separated: the header has a single column (is it comma- or space-separated?)");
            int cells = SplitPoints(text.AsSpan(start, end - start), cellStarts);
            if (cells != header.Length)
                throw new NiSharpException(sourceName, $"line {lineNumber} has {cells} cells but the header has {header.Length}");
            rows++;
            if (all)
            {
                foreach (int c in cellStarts) starts.Add(start + c);
                continue;
            }
            foreach (int c in kept)
            {
                starts.Add(start + cellStarts[c]);
                keptChars += cellStarts[c + 1] - cellStarts[c];
            }
            starts.Add(-1);  // the row's end, set below in the kept text
        }
        if (all) return new TsvTable(keptNames, text, starts.ToArray(), rows, sourceName) { Header = header };

        // Only the kept cells, each followed by a tab: one string for the table.
        var keptStarts = new int[starts.Count];
        var keptText = string.Create(keptChars, (text, starts, keptStarts), static (dst, state) =>
        {
            var (src, fileStarts, into) = state;
            int w = 0;
            for (int i = 0; i < fileStarts.Count; i++)
            {
                if (fileStarts[i] < 0) { into[i] = w; continue; }
                into[i] = w;
                int from = fileStarts[i];
                int len = src.AsSpan(from).IndexOfAny('\t', '\r', '\n');
                if (len < 0) len = src.Length - from;
                src.AsSpan(from, len).CopyTo(dst[w..]);
                w += len;
                dst[w++] = '\t';
            }
        });
        return new TsvTable(keptNames, keptText, keptStarts, rows, sourceName) { Header = header };
    }

    /// <summary>Where each cell of <paramref name="line"/> starts (<paramref name="starts"/>[i], and one past the end at
    /// [count]); returns the cell count, counting on past the array without recording.</summary>
    private static int SplitPoints(ReadOnlySpan<char> line, int[] starts)
    {
        int count = 0, at = 0;
        while (true)
        {
            if (count < starts.Length) starts[count] = at;
            count++;
            int tab = line[at..].IndexOf('\t');
            if (tab < 0) break;
            at += tab + 1;
        }
        if (count < starts.Length) starts[count] = line.Length + 1;
        return count;
    }

    /// <summary>Parses a numeric cell: <c>n/a</c>, empty, <c>nan</c> → NaN; returns false if not a number.</summary>
    public static bool TryParseNumber(string cell, out double value) => TryParseNumber(cell.AsSpan(), out value);

    /// <inheritdoc cref="TryParseNumber(string, out double)"/>
    public static bool TryParseNumber(ReadOnlySpan<char> cell, out double value)
    {
        var s = cell.Trim();
        if (s.Length == 0 || s.SequenceEqual("n/a") || s.Equals("nan", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("NA"))
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
        for (int r = 0; r < RowCount; r++)
            if (!TryParseNumber(Cell(r, column), out _)) return false;
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
        var v = new double[RowCount];
        for (int i = 0; i < v.Length; i++)
        {
            if (!TryParseNumber(Cell(i, column), out v[i]))
                throw new NiSharpException(SourcePath ?? "table", $"row {i + 1}, column '{Columns[column]}': '{Cell(i, column).ToString()}' is not a number");
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

    /// <summary>Writes a numeric matrix (rows × columns, row-major) with a header, atomically; with
    /// <paramref name="float32"/>, each value as the shortest text that reads back to the same float32.</summary>
    public static void WriteNumbers(string path, IReadOnlyList<string> columns, ReadOnlySpan<double> rowMajor, int rows, bool float32 = false)
    {
        int nc = columns.Count;
        if (rowMajor.Length != rows * nc) throw new ArgumentException("matrix size does not match rows × columns");
        using var file = AtomicFile.Create(path);
        using (var w = TsvWriter.On(file))
        {
            w.Row(columns);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < nc; c++)
                {
                    if (c > 0) w.Tab();
                    double v = rowMajor[r * nc + c];
                    if (float32) w.Number((float)v);
                    else w.Number(v);
                }
                w.EndRow();
            }
        }
        file.Commit();
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
