using System.Globalization;
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
/// the data cover. <see cref="Write"/> writes a <see cref="RegionTimeSeriesFile"/>.
/// </remarks>
public sealed class RegionSignals
{
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
    /// nilearn 0.10.4's <c>masker.labels_</c>. With <see cref="KeepEmpty.Nan"/> the other regions are NaN columns.</summary>
    public int[] ExtractedLabels => Coverage.Where(c => !c.IsEmpty).Select(c => c.Id).ToArray();

    /// <summary>A labels masker's background label, when the atlas on the data grid has background voxels; null for
    /// other maskers.</summary>
    public int? BackgroundLabel { get; init; }

    /// <summary>nilearn ≥ 0.12's <c>masker.labels_</c>: the background label first (when present), then
    /// <see cref="ExtractedLabels"/>. Its <c>region_ids_</c> is this list with the background under the key
    /// <c>"background"</c> and the rest numbered from 0 — the columns' ids, <see cref="LabelIds"/> with
    /// <see cref="KeepEmpty.Drop"/> — and its <c>region_names_</c> the same columns' names.</summary>
    public int[] LabelsWithBackground => WithBackground(BackgroundLabel, ExtractedLabels);

    internal static int[] WithBackground(int? background, IReadOnlyList<int> labels) =>
        background is int b ? [b, .. labels] : [.. labels];

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

    /// <summary>The sidecar content after the regions (which <see cref="RegionTimeSeriesFile"/> writes first): the
    /// repetition time, the volumes, the coverage and every parameter.</summary>
    public Dictionary<string, object?> SidecarContent() => ContentWith(Parameters);

    // parameters: the masker's own, or as a caller records them (the same keys, values described otherwise).
    private Dictionary<string, object?> ContentWith(IReadOnlyDictionary<string, object?> parameters)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
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
        if (BackgroundLabel is int background) d["BackgroundLabel"] = background;
        foreach (var (k, v) in parameters) d[k] = v;
        d["Coverage"] = Coverage.Select(c => c.ToParameters()).ToArray();
        d["warnings"] = Warnings.ToArray();
        return d;
    }

    /// <summary>
    /// Writes the time series as a <see cref="RegionTimeSeriesFile"/>: the TSV (header of region names, one row per
    /// kept volume) and its JSON sidecar with the regions, <see cref="SidecarContent"/> and then
    /// <paramref name="extraSidecar"/>, whose keys are new ones (a key of the masker's is not replaced).
    /// </summary>
    /// <param name="tsvPath">The TSV; the sidecar is beside it.</param>
    /// <param name="extraSidecar">Keys added after the masker's.</param>
    /// <param name="parameters">The masker's parameters as the sidecar records them (default <see cref="Parameters"/>).</param>
    /// <exception cref="ArgumentException">A key of <paramref name="extraSidecar"/> the sidecar already has.</exception>
    public void Write(string tsvPath, IReadOnlyDictionary<string, object?>? extraSidecar = null, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        var content = ContentWith(parameters ?? Parameters);
        if (extraSidecar is not null)
            foreach (var (k, v) in extraSidecar) content.Add(k, v);
        RegionTimeSeriesFile.Write(tsvPath, ColumnNames, Values.Data, DataType == "float32",
            LabelIds, Regions.Select(r => r.Name).ToArray(), Regions.Select(r => r.Network).ToArray(), content);
    }
}
