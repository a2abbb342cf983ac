using System.Globalization;
using System.Text;
using NiSharp.IO;
using NiSharp.Signal;

namespace NiSharp.Maskers;

/// <summary>
/// What a region masker returns: cleaned region signals (one row per kept volume, one column per region),
/// the regions the columns are (label ids, names, networks), the coverage of every region of the atlas
/// (dropped ones included), which volumes were kept, and every effective parameter.
/// </summary>
/// <remarks>
/// Columns are regions by label id, never by position: with <see cref="KeepEmpty.Nan"/> (the default) or
/// <see cref="KeepEmpty.Zero"/> every region of the atlas has its column, in ascending label order, whatever
/// the data cover. <see cref="Write"/> uses the time-series file convention of the connectome layer: a TSV
/// with a header of region names and a JSON sidecar whose <c>RegionLabelIds</c> lists the label id of each column.
/// </remarks>
public sealed class RegionSignals
{
    /// <summary>The sidecar key with one label id per column (the connectome layer reads it).</summary>
    public const string LabelIdsKey = "RegionLabelIds";

    /// <summary>Kept volumes × regions. Values are float32 numbers when <see cref="DataType"/> is <c>float32</c>
    /// (computed and cleaned in float32, as nilearn does, then held exactly as double).</summary>
    public required SignalMatrix<double> Values { get; init; }

    /// <summary><c>float32</c> when the data are float32, else <c>float64</c> (nilearn's rule).</summary>
    public required string DataType { get; init; }

    /// <summary>The region of each column.</summary>
    public required IReadOnlyList<RegionCoverage> Regions { get; init; }

    /// <summary>Every region of the atlas (or seed, or map), in id order, with its coverage and status.</summary>
    public required IReadOnlyList<RegionCoverage> Coverage { get; init; }

    /// <summary>Unique column names (region names; a repeated name gets <c>_id</c> appended).</summary>
    public required IReadOnlyList<string> ColumnNames { get; init; }

    /// <summary>Volumes in the input.</summary>
    public required int VolumesIn { get; init; }

    /// <summary>Leading volumes dropped before extraction.</summary>
    public required int DummyScans { get; init; }

    /// <summary>The volumes the rows are, as indices into the input (dummy volumes counted).</summary>
    public required int[] KeptVolumes { get; init; }

    /// <summary>Volumes censored by the sample mask, as indices into the input.</summary>
    public required int[] CensoredVolumes { get; init; }

    /// <summary>The repetition time used (null when none was needed nor known).</summary>
    public double? RepetitionTime { get; init; }

    /// <summary>Where <see cref="RepetitionTime"/> came from (<c>t_r</c>, a sidecar, the header).</summary>
    public string? RepetitionTimeSource { get; init; }

    /// <summary>Every effective parameter: <c>masker</c>, <c>clean</c> and (when given) <c>confounds</c>.</summary>
    public required IReadOnlyDictionary<string, object?> Parameters { get; init; }

    /// <summary>What nilearn would have warned about, and the empty regions.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The label id of each column.</summary>
    public int[] LabelIds => Regions.Select(r => r.Id).ToArray();

    /// <summary>The labels whose signal was extracted (regions with voxels on the data grid and in the mask), ascending:
    /// nilearn's <c>masker.labels_</c>. With <see cref="KeepEmpty.Nan"/> the other regions are NaN columns.</summary>
    public int[] ExtractedLabels => Coverage.Where(c => !c.IsEmpty).Select(c => c.Id).ToArray();

    /// <summary>The shape as numpy prints it, e.g. <c>(148, 49)</c>.</summary>
    public string ShapeText() => Values.ShapeText();

    /// <summary>Number of rows (kept volumes).</summary>
    public int Timepoints => Values.Timepoints;

    /// <summary>The column of region <paramref name="labelId"/>, or -1.</summary>
    public int ColumnOf(int labelId)
    {
        for (int j = 0; j < Regions.Count; j++) if (Regions[j].Id == labelId) return j;
        return -1;
    }

    /// <summary>Column names from region names, made unique by appending the id to repeated names.</summary>
    internal static string[] UniqueNames(IReadOnlyList<RegionCoverage> regions)
    {
        var counts = regions.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return regions.Select(r => counts[r.Name] > 1 ? $"{r.Name}_{r.Id.ToString(CultureInfo.InvariantCulture)}" : r.Name).ToArray();
    }

    /// <summary>The sidecar content: the regions, the repetition time, the volumes, the coverage and every parameter.</summary>
    public Dictionary<string, object?> SidecarContent()
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [LabelIdsKey] = LabelIds,
            ["RegionNames"] = Regions.Select(r => r.Name).ToArray(),
            ["RegionNetworks"] = Regions.Select(r => r.Network).ToArray(),
            ["RepetitionTime"] = RepetitionTime,
            ["RepetitionTimeSource"] = RepetitionTimeSource,
            ["dtype"] = DataType,
            ["n_volumes_in"] = VolumesIn,
            ["dummy_scans"] = DummyScans,
            ["n_volumes_out"] = KeptVolumes.Length,
            ["KeptVolumes"] = KeptVolumes,
            ["CensoredVolumes"] = CensoredVolumes,
            ["EmptyRegions"] = Coverage.Where(c => c.IsEmpty).Select(c => c.Id).ToArray(),
        };
        foreach (var (k, v) in Parameters) d[k] = v;
        d["Coverage"] = Coverage.Select(c => c.ToParameters()).ToArray();
        d["warnings"] = Warnings.ToArray();
        return d;
    }

    /// <summary>
    /// Writes the time series as a TSV (header of region names, one row per kept volume, numbers only, NaN as
    /// <c>n/a</c>) and its JSON sidecar (same name, <c>.json</c>) with <see cref="SidecarContent"/> plus
    /// <paramref name="extraSidecar"/>. Both files are written atomically.
    /// </summary>
    public void Write(string tsvPath, IReadOnlyDictionary<string, object?>? extraSidecar = null)
    {
        bool single = DataType == "float32";
        var ci = CultureInfo.InvariantCulture;
        int nc = Values.Features;
        var sb = new StringBuilder(Values.Timepoints * nc * 12 + 64);
        sb.AppendJoin('\t', ColumnNames).Append('\n');
        for (int t = 0; t < Values.Timepoints; t++)
        {
            var row = Values.Row(t);
            for (int j = 0; j < nc; j++)
            {
                if (j > 0) sb.Append('\t');
                double v = row[j];
                if (double.IsNaN(v)) sb.Append("n/a");
                else if (single) sb.Append(((float)v).ToString("R", ci));
                else sb.Append(v.ToString("R", ci));
            }
            sb.Append('\n');
        }
        var content = SidecarContent();
        if (extraSidecar is not null)
            foreach (var (k, v) in extraSidecar) content[k] = v;
        var json = ParameterJson.Serialize(content);
        AtomicFile.WriteAllText(tsvPath, sb.ToString());
        AtomicFile.WriteAllText(SidecarPath(tsvPath), json);
    }

    /// <summary>The sidecar of <c>X.tsv</c>: <c>X.json</c>.</summary>
    public static string SidecarPath(string tsvPath) => Path.ChangeExtension(tsvPath, ".json");
}
