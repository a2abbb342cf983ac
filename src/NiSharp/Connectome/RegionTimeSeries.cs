using MathNet.Numerics.LinearAlgebra;
using NiSharp.IO;

namespace NiSharp.Connectome;

/// <summary>
/// Region signals of one run (time × regions) with the regions they belong to: what a labels masker
/// writes as <c>…_timeseries.tsv</c> and what <see cref="ConnectivityMeasure"/> consumes.
/// </summary>
/// <remarks>
/// Files follow <see cref="RegionTimeSeriesFile"/>. Label ids come from the names (<c>label_44</c> → 44, see
/// <see cref="Region.ParseLabelId"/>) unless the sidecar lists them, which then wins — that lets named atlases
/// (Schaefer, …) keep their ids.
/// </remarks>
public sealed class RegionTimeSeries
{
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

    /// <summary>Reads a <see cref="RegionTimeSeriesFile"/>: label ids from its sidecar, else from the column names
    /// (<see cref="Region.ParseLabelId"/>).</summary>
    /// <exception cref="NiSharpException">Missing file, non-numeric or missing (<c>n/a</c>) cells, no rows,
    /// duplicate region names, a sidecar whose ids do not match the columns.</exception>
    public static RegionTimeSeries Read(string path)
    {
        var file = RegionTimeSeriesFile.Read(path);
        int nc = file.ColumnNames.Count;
        var regions = new Region[nc];
        for (int j = 0; j < nc; j++)
            regions[j] = file.LabelIds is null ? Region.FromName(file.ColumnNames[j]) : new Region(file.ColumnNames[j], file.LabelIds[j]);
        RegionTimeSeriesFile.CheckUniqueIds(path, regions.Select(r => r.LabelId));
        var values = Matrix<double>.Build.Dense(file.Timepoints, nc, (t, j) => file.Values[t * nc + j]);
        return new RegionTimeSeries(regions, values, path) { RegionNetworks = file.Networks };
    }

    /// <summary>Whether region <paramref name="column"/> is empty (no value at any time point).</summary>
    public bool IsEmpty(int column) => IsEmptyColumn(Signals, column);

    internal static bool IsEmptyColumn(Matrix<double> x, int column)
    {
        for (int t = 0; t < x.RowCount; t++)
            if (!double.IsNaN(x[t, column])) return false;
        return true;
    }
}
