using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NiSharp.IO;

/// <summary>
/// The region time-series file convention (<c>…_timeseries.tsv</c> + <c>…_timeseries.json</c>), written by the maskers
/// and <c>nisharp run</c>, read by the connectome and group layers: one home for what the two files hold.
/// </summary>
/// <remarks>
/// <para>The TSV has one header row of column names (region names, unique) and one row per kept volume, numbers only,
/// <c>n/a</c> for NaN. A column that is <c>n/a</c> throughout is an empty region (kept explicit by the maskers); a gap
/// inside a signal is an error.</para>
/// <para>The sidecar (same name, <c>.json</c>) starts with the regions — <see cref="LabelIdsKey"/> (one integer or null
/// per column; it wins over ids parsed from the names), <see cref="NamesKey"/>, <see cref="NetworksKey"/> — followed by
/// the provenance the writer gives. Connectivity-matrix sidecars use the same region keys.</para>
/// </remarks>
public sealed class RegionTimeSeriesFile
{
    /// <summary>The sidecar key with one label id (or null) per column.</summary>
    public const string LabelIdsKey = "RegionLabelIds";

    /// <summary>The sidecar key with each column's region name (as in the atlas, not made unique).</summary>
    public const string NamesKey = "RegionNames";

    /// <summary>The sidecar key with each column's network (the atlas' label table), null where none.</summary>
    public const string NetworksKey = "RegionNetworks";

    /// <summary>The TSV that was read.</summary>
    public required string Path { get; init; }

    /// <summary>The header's column names.</summary>
    public required IReadOnlyList<string> ColumnNames { get; init; }

    /// <summary>Rows (kept volumes).</summary>
    public required int Timepoints { get; init; }

    /// <summary>The values, row-major (<see cref="Timepoints"/> × columns); empty regions are NaN throughout.</summary>
    public required double[] Values { get; init; }

    /// <summary>The sidecar's label id of each column, or null when there is no sidecar or it lists none.</summary>
    public int?[]? LabelIds { get; init; }

    /// <summary>The sidecar's network of each column, or null when it records none (or not one per column).</summary>
    public string?[]? Networks { get; init; }

    /// <summary>The sidecar, or null when there is none.</summary>
    public JsonObject? Sidecar { get; init; }

    /// <summary>The sidecar of <c>X.tsv</c>: <c>X.json</c>.</summary>
    public static string SidecarPath(string tsvPath) => System.IO.Path.ChangeExtension(tsvPath, ".json");

    /// <summary>
    /// Writes the TSV (header <paramref name="columnNames"/>, <paramref name="values"/> row-major, NaN as <c>n/a</c>,
    /// float32 values printed as float32 when <paramref name="float32"/>) and its sidecar: the regions
    /// (<paramref name="labelIds"/>, <paramref name="regionNames"/>, <paramref name="networks"/>) then
    /// <paramref name="provenance"/>, in its order. Both files are written atomically, the sidecar last.
    /// </summary>
    public static void Write(string tsvPath, IReadOnlyList<string> columnNames, ReadOnlySpan<double> values, bool float32,
        IReadOnlyList<int> labelIds, IReadOnlyList<string> regionNames, IReadOnlyList<string?> networks,
        IEnumerable<KeyValuePair<string, object?>> provenance)
    {
        int nc = columnNames.Count;
        if (labelIds.Count != nc || regionNames.Count != nc || networks.Count != nc || (nc == 0 ? values.Length != 0 : values.Length % nc != 0))
            throw new ArgumentException("one label id, name and network per column, and whole rows of values");
        int nt = nc == 0 ? 0 : values.Length / nc;
        var content = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [LabelIdsKey] = labelIds,
            [NamesKey] = regionNames,
            [NetworksKey] = networks,
        };
        foreach (var (k, v) in provenance) content[k] = v;
        var json = ParameterJson.Serialize(content);
        // float32 signals as float32 text: the shortest that reads back to the same float
        TsvTable.WriteNumbers(tsvPath, columnNames, values, nt, float32);
        AtomicFile.WriteAllText(SidecarPath(tsvPath), json);
    }

    /// <summary>Reads a time-series TSV and its sidecar (when there is one).</summary>
    /// <exception cref="NiSharpException">Missing file, non-numeric cells, no rows, a gap in a signal, a sidecar
    /// that is not a JSON object or whose label ids do not match the columns.</exception>
    public static RegionTimeSeriesFile Read(string path)
    {
        var table = TsvTable.Read(path);
        if (table.RowCount == 0) throw new NiSharpException(path, "no rows of signal values under the header");
        int nc = table.Columns.Count, nt = table.RowCount;
        var values = new double[(long)nt * nc];
        for (int t = 0; t < nt; t++)
        {
            var row = table.Rows[t];
            for (int j = 0; j < nc; j++)
            {
                if (!TsvTable.TryParseNumber(row[j], out double v))
                    throw new NiSharpException(path, $"row {t + 2}, column '{table.Columns[j]}': '{row[j]}' is not a number (a time-series TSV holds numbers only, one column per region)");
                values[t * nc + j] = v;
            }
        }
        // A column that is n/a throughout is an empty region (a label with no voxels in this run's
        // field of view or mask), kept explicit by the maskers; a gap inside a signal is an error.
        for (int j = 0; j < nc; j++)
        {
            int finite = 0, firstBad = -1;
            for (int t = 0; t < nt; t++)
            {
                if (double.IsFinite(values[t * nc + j])) finite++;
                else if (firstBad < 0) firstBad = t;
            }
            if (finite > 0 && firstBad >= 0)
                throw new NiSharpException(path, $"row {firstBad + 2}, column '{table.Columns[j]}': missing or non-finite value '{table.Rows[firstBad][j]}' in a region that has values elsewhere");
            if (finite == 0)
                for (int t = 0; t < nt; t++) values[t * nc + j] = double.NaN;
        }
        var sidecarPath = SidecarPath(path);
        var sidecar = ReadSidecar(sidecarPath);
        return new RegionTimeSeriesFile
        {
            Path = path,
            ColumnNames = table.Columns,
            Timepoints = nt,
            Values = values,
            LabelIds = ReadLabelIds(sidecar, sidecarPath, nc),
            Networks = ReadNetworks(sidecar, nc),
            Sidecar = sidecar,
        };
    }

    /// <summary>The <see cref="LabelIdsKey"/> array of the sidecar <paramref name="obj"/> read from
    /// <paramref name="jsonPath"/>, or null when there is no sidecar or no such key.</summary>
    public static int?[]? ReadLabelIds(JsonObject? obj, string jsonPath, int columns)
    {
        if (obj is null || obj[LabelIdsKey] is not JsonArray arr) return null;
        if (arr.Count != columns)
            throw new NiSharpException(jsonPath, $"'{LabelIdsKey}' lists {arr.Count} ids but the table has {columns} columns");
        var ids = new int?[columns];
        for (int i = 0; i < columns; i++)
        {
            if (arr[i] is null) continue;
            try { ids[i] = arr[i]!.GetValue<int>(); }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                throw new NiSharpException(jsonPath, $"'{LabelIdsKey}' entry {i + 1} is not an integer or null");
            }
        }
        return ids;
    }

    /// <summary>The <see cref="NetworksKey"/> of the sidecar <paramref name="obj"/> (null entries where a region has no
    /// network), or null when it has none or not one per column.</summary>
    public static string?[]? ReadNetworks(JsonObject? obj, int columns) =>
        obj?[NetworksKey] is JsonArray nets && nets.Count == columns
            ? nets.Select(x => x is JsonValue v && v.TryGetValue(out string? s) ? s : null).ToArray()
            : null;

    /// <summary>The JSON object in <paramref name="jsonPath"/>, or null when the file does not exist.</summary>
    public static JsonObject? ReadSidecar(string jsonPath)
    {
        if (!File.Exists(jsonPath)) return null;
        try
        {
            return StrictJson.ParseNode(InputFile.ReadJsonBytes(jsonPath, "a JSON sidecar")) as JsonObject
                   ?? throw new NiSharpException(jsonPath, "the sidecar is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new NiSharpException(jsonPath, $"invalid JSON: {e.Message}");
        }
    }

    /// <summary>Two columns with the same label id would make a lookup by id ambiguous.</summary>
    public static void CheckUniqueIds(string path, IEnumerable<int?> labelIds)
    {
        var seen = new HashSet<int>();
        foreach (var l in labelIds)
            if (l is int id && !seen.Add(id))
                throw new NiSharpException(path, $"label id {id} appears in more than one column");
    }
}
