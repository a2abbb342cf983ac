using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.IO;

namespace NiSharp.Connectome;

/// <summary>
/// A regions × regions connectivity matrix with its regions: the content of a BIDS
/// <c>…_relmat.tsv</c> ("relationship matrix") file.
/// </summary>
/// <remarks>
/// <para>File convention (written by <see cref="Write"/>, read by <see cref="Read"/>): a TSV whose
/// header row names the regions and whose n rows hold n numbers each (row i, column j = edge i–j).
/// A first column of region names (pandas' <c>index_col=0</c> layout, header cell empty or not) is
/// also accepted when reading.</para>
/// <para>The JSON sidecar <c>X_relmat.json</c> records the parameters and the regions:
/// <c>"RegionNames"</c> and <c>"RegionLabelIds"</c> (one integer or null per region). Label ids are
/// taken from the sidecar when present, otherwise parsed from the names (<c>label_44</c> → 44). A
/// sidecar with <c>"GroupMean": true</c> marks a group-mean matrix, which <c>compare</c> skips.</para>
/// </remarks>
public sealed class ConnectivityMatrix
{
    /// <summary>Sidecar key for the region names.</summary>
    public const string RegionNamesKey = RegionTimeSeriesFile.NamesKey;

    /// <summary>Sidecar key marking a group mean (not one subject).</summary>
    public const string GroupMeanKey = "GroupMean";

    /// <summary>Sidecar key for each region's network (from the atlas' label table; null when it has none).</summary>
    public const string RegionNetworksKey = RegionTimeSeriesFile.NetworksKey;

    /// <summary>Each region's network in row order, as the sidecar records it (<see cref="RegionNetworksKey"/>), or
    /// null when the sidecar has none. It lets <c>compare --network</c> find the networks of atlases whose region
    /// names do not say them (the lesson's relabelled Yeo atlas: <c>label_44</c>).</summary>
    public IReadOnlyList<string?>? RegionNetworks { get; init; }

    /// <summary>The regions, in row/column order.</summary>
    public IReadOnlyList<Region> Regions { get; }

    /// <summary>regions × regions values.</summary>
    public Matrix<double> Values { get; }

    /// <summary>The file it was read from (null when built in memory).</summary>
    public string? SourcePath { get; }

    /// <summary>Whether this is a group mean rather than one subject's matrix.</summary>
    public bool IsGroupMean { get; }

    /// <summary>Creates a matrix; <paramref name="values"/> must be square with one row per region.</summary>
    public ConnectivityMatrix(IReadOnlyList<Region> regions, Matrix<double> values, string? sourcePath = null, bool isGroupMean = false)
    {
        if (values.RowCount != regions.Count || values.ColumnCount != regions.Count)
            throw new ArgumentException($"a {values.RowCount}×{values.ColumnCount} matrix for {regions.Count} regions");
        Regions = regions;
        Values = values;
        SourcePath = sourcePath;
        IsGroupMean = isGroupMean;
    }

    /// <summary>The row/column of the region with atlas label <paramref name="labelId"/>, or −1 if absent.</summary>
    public int IndexOfLabel(int labelId)
    {
        for (int i = 0; i < Regions.Count; i++)
            if (Regions[i].LabelId == labelId) return i;
        return -1;
    }

    /// <summary>
    /// The value between the regions with atlas labels <paramref name="labelA"/> and <paramref name="labelB"/>
    /// (e.g. <c>Between(44, 46)</c>): looked up by label id, never by position, so no padding is needed.
    /// Fails naming the label when the matrix has no such region.
    /// </summary>
    public double Between(int labelA, int labelB)
    {
        int i = IndexOfLabel(labelA), j = IndexOfLabel(labelB);
        if (i < 0 || j < 0)
            throw new NiSharpException(SourcePath ?? "connectivity matrix", $"no region with label {(i < 0 ? labelA : labelB)} (labels: {string.Join(", ", Regions.Select(r => r.LabelId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? r.Name))})");
        return Values[i, j];
    }

    /// <summary>The region names, in row order (for plots and tables).</summary>
    public IReadOnlyList<string> Names => Regions.Select(r => r.Name).ToArray();

    /// <summary>The shape as numpy prints it, e.g. <c>(49, 49)</c>.</summary>
    public string ShapeText() => $"({Values.RowCount}, {Values.ColumnCount})";

    /// <summary>The sidecar of <c>X_relmat.tsv</c> is <c>X_relmat.json</c>.</summary>
    public static string SidecarPath(string tsvPath) => Path.ChangeExtension(tsvPath, ".json");

    /// <summary>
    /// Writes the TSV and its sidecar atomically. The sidecar is <paramref name="sidecar"/> (parameters,
    /// provenance) plus <c>RegionNames</c>, <c>RegionLabelIds</c> and <c>GroupMean</c>.
    /// </summary>
    public void Write(string path, JsonObject? sidecar = null)
    {
        int n = Regions.Count;
        var meta = sidecar is null ? new JsonObject() : (JsonObject)sidecar.DeepClone();
        meta[GroupMeanKey] = IsGroupMean;
        meta[RegionNamesKey] = new JsonArray(Regions.Select(r => (JsonNode?)JsonValue.Create(r.Name)).ToArray());
        meta[RegionTimeSeriesFile.LabelIdsKey] = new JsonArray(Regions.Select(r => r.LabelId is int id ? (JsonNode?)JsonValue.Create(id) : null).ToArray());
        if (RegionNetworks is { } networks && networks.Count == n && !meta.ContainsKey(RegionNetworksKey))
            meta[RegionNetworksKey] = new JsonArray(networks.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
        TsvWriter.Write(path, w =>
        {
            w.Row(Regions.Select(r => r.Name));
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    if (j > 0) w.Tab();
                    w.Number(Values[i, j]);
                }
                w.EndRow();
            }
        });
        AtomicFile.WriteAllText(SidecarPath(path), meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads a relmat TSV (and its sidecar, if any).</summary>
    /// <exception cref="NiSharpException">Missing file, not square, non-numeric cells, a sidecar
    /// that does not match the table.</exception>
    public static ConnectivityMatrix Read(string path)
    {
        var (names, values) = ReadTable(path);
        int n = names.Length;
        var sidecarPath = SidecarPath(path);
        var meta = RegionTimeSeriesFile.ReadSidecar(sidecarPath);
        var ids = RegionTimeSeriesFile.ReadLabelIds(meta, sidecarPath, n);
        var regions = new Region[n];
        for (int j = 0; j < n; j++)
            regions[j] = ids is null ? Region.FromName(names[j]) : new Region(names[j], ids[j]);
        RegionTimeSeriesFile.CheckUniqueIds(path, regions.Select(r => r.LabelId));
        bool isMean = meta?[GroupMeanKey] is JsonValue g && g.TryGetValue(out bool b) && b;
        return new ConnectivityMatrix(regions, values, path, isMean) { RegionNetworks = RegionTimeSeriesFile.ReadNetworks(meta, n) };
    }

    /// <summary>The values of a matrix file, without its sidecar (no region ids, networks or mean flag): what a mean over
    /// many subjects' matrices needs from all but the first. The file is checked as <see cref="Read"/> checks it.</summary>
    public static Matrix<double> ReadValues(string path) => ReadTable(path).Values;

    // The table: the header's region names and the square matrix of numbers (n/a as NaN), each row's cells parsed where
    // they lie in the line rather than split into strings — the top page and the group level read every subject's matrix.
    private static (string[] Names, Matrix<double> Values) ReadTable(string path)
    {
        var rows = InputFile.ReadLines(path, "a connectivity matrix").Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (rows.Count < 2) throw new NiSharpException(path, "expected a header row of region names and one row per region");
        var header = rows[0].Split('\t');
        int n = rows.Count - 1;
        // A first column of row names (text), not an extra column of numbers.
        bool nameColumn = header.Length == n + 1 && rows.Skip(1).Any(r => !TsvTable.TryParseNumber(FirstCell(r), out _));
        if (!nameColumn && header.Length != n)
            throw new NiSharpException(path, $"not a square matrix: {header.Length} columns in the header but {n} rows");
        var names = nameColumn ? header[1..] : header;
        int off = nameColumn ? 1 : 0;
        var values = new double[n * n]; // column-major, as the matrix stores it
        for (int i = 0; i < n; i++)
        {
            var line = rows[i + 1].AsSpan();
            int cells = line.Count('\t') + 1;
            if (cells != header.Length)
                throw new NiSharpException(path, $"line {i + 2} has {cells} cells but the header has {header.Length}");
            int c = 0;
            foreach (var range in line.Split('\t'))
            {
                int j = c++ - off;
                if (j < 0) continue;
                if (!TsvTable.TryParseNumber(line[range], out double v))
                    throw new NiSharpException(path, $"line {i + 2}, column '{names[j]}': '{line[range].ToString()}' is not a number");
                values[j * n + i] = v;
            }
        }
        return (names, Matrix<double>.Build.Dense(n, n, values));
    }

    private static ReadOnlySpan<char> FirstCell(string row) => row.AsSpan(0, row.IndexOf('\t') is int tab and >= 0 ? tab : row.Length);
}
