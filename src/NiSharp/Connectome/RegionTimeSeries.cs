using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.IO;
using NiSharp.Maskers;

namespace NiSharp.Connectome;

/// <summary>
/// Region signals of one run (time × regions) with the regions they belong to: what a labels masker
/// writes as <c>…_timeseries.tsv</c> and what <see cref="ConnectivityMeasure"/> consumes.
/// </summary>
/// <remarks>
/// File convention: a TSV with one header row of region names and one row per kept volume, numbers
/// only. Label ids come from the names (<c>label_44</c> → 44, see <see cref="Region.ParseLabelId"/>)
/// unless a JSON sidecar beside the file (<c>X.json</c> for <c>X.tsv</c>) has a
/// <c>"RegionLabelIds"</c> array (one integer or null per column), which then wins — that lets
/// named atlases (Schaefer, …) keep their ids.
/// </remarks>
public sealed class RegionTimeSeries
{
    /// <summary>The sidecar key listing one label id (or null) per region.</summary>
    public const string LabelIdsKey = "RegionLabelIds";

    /// <summary>The regions, one per column of <see cref="Signals"/>.</summary>
    public IReadOnlyList<Region> Regions { get; }

    /// <summary>time × regions.</summary>
    public Matrix<double> Signals { get; }

    /// <summary>The file it was read from (null when built in memory).</summary>
    public string? SourcePath { get; }

    /// <summary>Each region's network, from the sidecar's <c>RegionNetworks</c> (the atlas' label table), or null.</summary>
    public IReadOnlyList<string?>? RegionNetworks { get; init; }

    /// <summary>Creates region signals; <paramref name="signals"/> must have one column per region.</summary>
    public RegionTimeSeries(IReadOnlyList<Region> regions, Matrix<double> signals, string? sourcePath = null)
    {
        if (signals.ColumnCount != regions.Count)
            throw new ArgumentException($"{signals.ColumnCount} signal columns but {regions.Count} regions");
        Regions = regions;
        Signals = signals;
        SourcePath = sourcePath;
    }

    /// <summary>The region signals a masker returned, with their regions (label ids and column names).</summary>
    public static RegionTimeSeries From(RegionSignals signals)
    {
        var v = signals.Values;
        var regions = signals.Regions.Select((r, j) => new Region(signals.ColumnNames[j], r.Id)).ToArray();
        return new RegionTimeSeries(regions, Matrix<double>.Build.Dense(v.Timepoints, v.Features, (t, j) => v[t, j]));
    }

    /// <summary>Reads a time-series TSV (and its sidecar's label ids, if any).</summary>
    /// <exception cref="NiSharpException">Missing file, non-numeric or missing (<c>n/a</c>) cells, no rows,
    /// duplicate region names, a sidecar whose ids do not match the columns.</exception>
    public static RegionTimeSeries Read(string path)
    {
        var table = TsvTable.Read(path);
        if (table.RowCount == 0) throw new NiSharpException(path, "no rows of signal values under the header");
        int nc = table.Columns.Count, nt = table.RowCount;
        var values = Matrix<double>.Build.Dense(nt, nc);
        for (int t = 0; t < nt; t++)
        {
            var row = table.Rows[t];
            for (int j = 0; j < nc; j++)
            {
                if (!TsvTable.TryParseNumber(row[j], out double v))
                    throw new NiSharpException(path, $"row {t + 2}, column '{table.Columns[j]}': '{row[j]}' is not a number (a time-series TSV holds numbers only, one column per region)");
                values[t, j] = v;
            }
        }
        // A column that is n/a throughout is an empty region (a label with no voxels in this run's
        // field of view or mask), kept explicit by the maskers; a gap inside a signal is an error.
        for (int j = 0; j < nc; j++)
        {
            int finite = 0, firstBad = -1;
            for (int t = 0; t < nt; t++)
            {
                if (double.IsFinite(values[t, j])) finite++;
                else if (firstBad < 0) firstBad = t;
            }
            if (finite > 0 && firstBad >= 0)
                throw new NiSharpException(path, $"row {firstBad + 2}, column '{table.Columns[j]}': missing or non-finite value '{table.Rows[firstBad][j]}' in a region that has values elsewhere");
            if (finite == 0)
                for (int t = 0; t < nt; t++) values[t, j] = double.NaN;
        }
        var sidecar = RegionSidecar.ReadObject(SidecarPath(path));
        var ids = RegionSidecar.ReadLabelIds(sidecar, SidecarPath(path), nc);
        var regions = new Region[nc];
        for (int j = 0; j < nc; j++)
            regions[j] = ids is null ? Region.FromName(table.Columns[j]) : new Region(table.Columns[j], ids[j]);
        RegionSidecar.CheckUniqueIds(path, regions);
        return new RegionTimeSeries(regions, values, path) { RegionNetworks = RegionSidecar.ReadNetworks(sidecar, nc) };
    }

    /// <summary>Whether region <paramref name="column"/> is empty (no value at any time point).</summary>
    public bool IsEmpty(int column) => IsEmptyColumn(Signals, column);

    internal static bool IsEmptyColumn(Matrix<double> x, int column)
    {
        for (int t = 0; t < x.RowCount; t++)
            if (!double.IsNaN(x[t, column])) return false;
        return true;
    }

    /// <summary>The sidecar of <c>X.tsv</c> is <c>X.json</c>.</summary>
    public static string SidecarPath(string tsvPath) => Path.ChangeExtension(tsvPath, ".json");
}

/// <summary>Reading the region label ids that sidecars record.</summary>
internal static class RegionSidecar
{
    /// <summary>The <c>"RegionLabelIds"</c> array of the sidecar <paramref name="obj"/> read from
    /// <paramref name="jsonPath"/>, or null when there is no sidecar or no such key.</summary>
    public static int?[]? ReadLabelIds(JsonObject? obj, string jsonPath, int columns)
    {
        if (obj is null || obj[RegionTimeSeries.LabelIdsKey] is not JsonArray arr) return null;
        if (arr.Count != columns)
            throw new NiSharpException(jsonPath, $"'{RegionTimeSeries.LabelIdsKey}' lists {arr.Count} ids but the table has {columns} columns");
        var ids = new int?[columns];
        for (int i = 0; i < columns; i++)
        {
            if (arr[i] is null) continue;
            try { ids[i] = arr[i]!.GetValue<int>(); }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                throw new NiSharpException(jsonPath, $"'{RegionTimeSeries.LabelIdsKey}' entry {i + 1} is not an integer or null");
            }
        }
        return ids;
    }

    /// <summary>The <c>"RegionNetworks"</c> of the sidecar <paramref name="obj"/> (null entries where a region has no
    /// network), or null when it has none or not one per column.</summary>
    public static string?[]? ReadNetworks(JsonObject? obj, int columns) =>
        obj?[ConnectivityMatrix.RegionNetworksKey] is JsonArray nets && nets.Count == columns
            ? nets.Select(x => x is JsonValue v && v.TryGetValue(out string? s) ? s : null).ToArray()
            : null;

    /// <summary>The JSON object in <paramref name="jsonPath"/>, or null when the file does not exist.</summary>
    public static JsonObject? ReadObject(string jsonPath)
    {
        if (!File.Exists(jsonPath)) return null;
        try
        {
            return JsonNode.Parse(InputFile.ReadJsonBytes(jsonPath, "a JSON sidecar"), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                   ?? throw new NiSharpException(jsonPath, "the sidecar is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new NiSharpException(jsonPath, $"invalid JSON: {e.Message}");
        }
    }

    /// <summary>Two columns with the same label id would make a lookup by id ambiguous.</summary>
    public static void CheckUniqueIds(string path, IReadOnlyList<Region> regions)
    {
        var seen = new HashSet<int>();
        foreach (var r in regions)
            if (r.LabelId is int id && !seen.Add(id))
                throw new NiSharpException(path, $"label id {id} appears in more than one column");
    }
}
