using NiSharp.IO;

namespace NiSharp.Bids;

/// <summary>
/// <c>participants.tsv</c>: one row per subject (<c>participant_id</c>) with columns such as
/// <c>diagnosis</c>, <c>age</c>, <c>sex</c>. Subject labels are kept without <c>sub-</c>, as everywhere in
/// the layout. Missing values (<c>n/a</c> or an empty cell) read as null text or NaN numbers.
/// </summary>
public sealed class Participants
{
    private const string IdColumn = "participant_id";
    private readonly TsvTable _table;
    private readonly Dictionary<string, int> _rowOf;

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>Subject labels without <c>sub-</c>, in file order.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>All column names (including <c>participant_id</c>), in file order.</summary>
    public IReadOnlyList<string> Columns => _table.Columns;

    private Participants(string path, TsvTable table)
    {
        Path = path;
        _table = table;
        int idCol = table.IndexOf(IdColumn);
        if (idCol < 0) throw new NiSharpException(path, $"no '{IdColumn}' column (columns: {string.Join(", ", table.Columns)})");
        var ids = new string[table.RowCount];
        _rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < ids.Length; r++)
        {
            var raw = table.Rows[r][idCol].Trim();
            var id = SubjectLabel.Strip(raw);
            if (id.Length == 0 || IsMissing(raw))
                throw new NiSharpException(path, $"row {r + 1}: empty {IdColumn}");
            if (!_rowOf.TryAdd(id, r))
                throw new NiSharpException(path, $"row {r + 1}: participant sub-{id} is listed twice");
            ids[r] = id;
        }
        Ids = ids;
    }

    /// <summary>Reads a participants file; fails with the file named when it has no <c>participant_id</c>
    /// column, ragged rows or a subject listed twice.</summary>
    public static Participants Read(string path) => new(path, TsvTable.Read(path));

    /// <summary>Whether the subject (with or without <c>sub-</c>) is listed.</summary>
    public bool Contains(string subject) => _rowOf.ContainsKey(SubjectLabel.Strip(subject));

    /// <summary>Whether the column exists.</summary>
    public bool HasColumn(string column) => _table.IndexOf(column) >= 0;

    /// <summary>The cell for a subject and column; null for <c>n/a</c>/empty cells and for a subject not listed.</summary>
    public string? this[string subject, string column]
    {
        get
        {
            int c = ColumnIndex(column);
            return _rowOf.TryGetValue(SubjectLabel.Strip(subject), out int r) ? Cell(r, c) : null;
        }
    }

    /// <summary>One column as subject → value (null for missing values), e.g. the <c>diagnosis</c> of every subject.</summary>
    public IReadOnlyDictionary<string, string?> Column(string column)
    {
        int c = ColumnIndex(column);
        var d = new Dictionary<string, string?>(Ids.Count, StringComparer.Ordinal);
        for (int r = 0; r < Ids.Count; r++) d[Ids[r]] = Cell(r, c);
        return d;
    }

    /// <summary>A numeric cell; NaN for missing values and for a subject not listed. Fails on text that is not a number.</summary>
    public double Number(string subject, string column)
    {
        int c = ColumnIndex(column);
        if (!_rowOf.TryGetValue(SubjectLabel.Strip(subject), out int r)) return double.NaN;
        var cell = _table.Rows[r][c];
        if (TsvTable.TryParseNumber(cell, out var v)) return v;
        throw new NiSharpException(Path, $"sub-{Ids[r]}, column '{column}': '{cell}' is not a number");
    }

    private int ColumnIndex(string column)
    {
        int c = _table.IndexOf(column);
        return c >= 0 ? c : throw new NiSharpException(Path, $"no column '{column}' (columns: {string.Join(", ", Columns)})");
    }

    private string? Cell(int row, int column)
    {
        var s = _table.Rows[row][column].Trim();
        return IsMissing(s) ? null : s;
    }

    private static bool IsMissing(string s) => s.Length == 0 || s == "n/a";
}
