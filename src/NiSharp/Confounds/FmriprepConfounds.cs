using System.Globalization;
using System.Text.Json;
using NiSharp.IO;
using NiSharp.Signal;

namespace NiSharp.Confounds;

/// <summary>
/// An fMRIPrep confounds file (<c>*_desc-confounds_timeseries.tsv</c>, <c>…_regressors.tsv</c> or the
/// ≤ 1.1 CamelCase <c>*_confounds.tsv</c>) with its JSON metadata when present. Columns carry current
/// fMRIPrep names whatever the file's generation; <c>n/a</c> is NaN. <c>_derivative1</c>,
/// <c>_power2</c> and <c>_derivative1_power2</c> columns the file lacks are computed from their base
/// column as fMRIPrep does (backward difference with a NaN first row; square).
/// </summary>
public sealed class FmriprepConfounds
{
    private readonly Dictionary<string, double[]> _columns;
    private readonly Dictionary<string, JsonElement> _metadata;

    /// <summary>The TSV file.</summary>
    public string Path { get; }

    /// <summary>The JSON sidecar read with it, if any.</summary>
    public string? JsonPath { get; }

    /// <summary>Which fMRIPrep generation wrote the file.</summary>
    public FmriprepNaming Naming { get; }

    /// <summary>Column names (current fMRIPrep names), in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Current name → the name in the file, for columns that were renamed.</summary>
    public IReadOnlyDictionary<string, string> Renamed { get; }

    /// <summary>Number of rows (volumes).</summary>
    public int RowCount { get; }

    /// <summary>Per-column JSON metadata (CompCor <c>Method</c>, <c>Mask</c>, <c>Retained</c>…), keyed by current name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Metadata => _metadata;

    private FmriprepConfounds(string path, string? jsonPath, FmriprepNaming naming, List<string> columns,
        Dictionary<string, double[]> values, Dictionary<string, string> renamed, Dictionary<string, JsonElement> metadata, int rows)
    {
        Path = path;
        JsonPath = jsonPath;
        Naming = naming;
        Columns = columns;
        _columns = values;
        Renamed = renamed;
        _metadata = metadata;
        RowCount = rows;
    }

    /// <summary>
    /// Reads a confounds TSV and its JSON (<paramref name="jsonPath"/>, or the same name with <c>.json</c>
    /// when it exists). Non-numeric columns are skipped with their names kept out of <see cref="Columns"/>.
    /// With <paramref name="read"/> (current fMRIPrep names, e.g. <see cref="ConfoundSelector.MayRead"/>), only the
    /// columns it accepts are read: a file with a million extra columns costs the memory of the columns used.
    /// </summary>
    public static FmriprepConfounds Load(string tsvPath, string? jsonPath = null, Func<string, bool>? read = null)
    {
        var table = TsvTable.Read(tsvPath, read is null ? null : name => read(ConfoundNames.ToCurrent(name)));
        if (table.RowCount == 0) throw new NiSharpException(tsvPath, "the confounds file has a header but no rows");
        if (double.TryParse(table.Header[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            throw new NiSharpException(tsvPath, "the confounds file has no header row (a very old fMRIPrep output?)");
        var naming = ConfoundNames.DetectNaming(tsvPath, table.Header);
        var columns = new List<string>();
        var values = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int c = 0; c < table.Columns.Count; c++)
        {
            string original = table.Columns[c];
            string current = ConfoundNames.ToCurrent(original);
            if (values.ContainsKey(current))
                throw new NiSharpException(tsvPath, $"columns '{renamed.GetValueOrDefault(current, current)}' and '{original}' both mean '{current}'");
            if (!table.IsNumeric(c))
            {
                // A text column (none in current fMRIPrep) is skipped; a number column with one bad cell is
                // an error naming the cell, not a column that silently goes missing.
                if (HasNumber(table, c)) table.GetNumbers(c);
                continue;
            }
            values[current] = table.GetNumbers(c);
            columns.Add(current);
            if (current != original) renamed[current] = original;
        }
        jsonPath ??= DefaultJsonPath(tsvPath);
        var metadata = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        string? usedJson = null;
        // A JSON that is absent is optional; one that is there but not a regular file (a folder, a FIFO, a link to
        // nothing) is refused by the reader, not silently skipped.
        if (jsonPath is not null && FileStatus.Of(jsonPath, followLinks: false).Kind != FileKind.Missing)
        {
            usedJson = jsonPath;
            try
            {
                using var doc = StrictJson.ParseDocument(InputFile.ReadJsonBytes(jsonPath, "a confounds JSON"));
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new NiSharpException(jsonPath, "the confounds JSON is not an object keyed by column");
                foreach (var p in doc.RootElement.EnumerateObject())
                    metadata[ConfoundNames.ToCurrent(p.Name)] = p.Value.Clone();
            }
            catch (JsonException e)
            {
                throw Bids.BidsMetadata.InvalidJson(jsonPath, e);
            }
        }
        return new FmriprepConfounds(tsvPath, usedJson, naming, columns, values, renamed, metadata, table.RowCount);
    }

    private static bool HasNumber(TsvTable table, int column)
    {
        for (int r = 0; r < table.RowCount; r++)
            if (TsvTable.TryParseNumber(table.Cell(r, column), out var v) && !double.IsNaN(v)) return true;
        return false;
    }

    /// <summary>The JSON beside a TSV: same name with <c>.json</c>.</summary>
    public static string? DefaultJsonPath(string tsvPath) =>
        tsvPath.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? tsvPath[..^4] + ".json" : null;

    /// <summary>Whether the file has <paramref name="column"/> (current name).</summary>
    public bool Has(string column) => _columns.ContainsKey(column);

    /// <summary>Whether <paramref name="column"/> is in the file or can be computed from a base column in it.</summary>
    public bool CanProvide(string column) => Has(column) || ComputedFrom(column) is not null;

    /// <summary>A column's values (a copy), computing a missing expansion from its base column; fails
    /// naming the column and the closest names present.</summary>
    public double[] Column(string column)
    {
        if (_columns.TryGetValue(column, out var v)) return (double[])v.Clone();
        if (ComputedFrom(column) is { } recipe) return Compute(recipe.Base, recipe.Suffix);
        throw new NiSharpException(Path, $"no column {ConfoundNames.DescribeMissing(column, Columns)}");
    }

    /// <summary>
    /// The values of <paramref name="columns"/> as a (rows × columns) matrix, in that order, and with
    /// <paramref name="derivatives"/> their <c>_derivative1</c> columns after them: pandas' <c>df[columns].values</c>,
    /// and the lesson's <c>extract_confounds(confound_tsv, confounds, dt=True)</c>. Values are as in the file (the
    /// first row of a derivative is NaN); drop the dummy rows with <c>[4..]</c>, or use <see cref="ConfoundSelector"/>
    /// for nilearn's <c>load_confounds</c> (NaN filled, demeaned, sample mask).
    /// </summary>
    public SignalMatrix<double> Extract(IReadOnlyList<string> columns, bool derivatives = false)
    {
        var names = derivatives ? columns.Concat(columns.Select(c => c + "_derivative1")).ToList() : columns.ToList();
        return SignalMatrix<double>.FromColumns(names.Select(Column).ToArray());
    }

    /// <summary>Whether <paramref name="column"/> would be computed rather than read.</summary>
    public bool IsComputed(string column) => !Has(column) && ComputedFrom(column) is not null;

    private (string Base, string Suffix)? ComputedFrom(string column)
    {
        foreach (var suffix in new[] { "_derivative1_power2", "_derivative1", "_power2" })
        {
            if (column.EndsWith(suffix, StringComparison.Ordinal))
            {
                var b = column[..^suffix.Length];
                if (_columns.ContainsKey(b)) return (b, suffix);
            }
        }
        return null;
    }

    private double[] Compute(string baseColumn, string suffix)
    {
        var x = _columns[baseColumn];
        var y = new double[x.Length];
        bool diff = suffix.StartsWith("_derivative1", StringComparison.Ordinal);
        bool square = suffix.EndsWith("power2", StringComparison.Ordinal);
        for (int t = 0; t < x.Length; t++)
        {
            double v = diff ? (t == 0 ? double.NaN : x[t] - x[t - 1]) : x[t];
            y[t] = square ? v * v : v;
        }
        return y;
    }
}
