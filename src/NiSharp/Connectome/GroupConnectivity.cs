using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Connectome;

/// <summary>Connectivity matrices of a group of runs, their group mean, and how they were computed.</summary>
/// <param name="Subjects">One matrix per input, in input order, with the inputs' regions.</param>
/// <param name="Mean">The group mean (nilearn <c>mean_</c>; with Fisher z, the mean of the z matrices).</param>
/// <param name="Shrinkages">Per input, the Ledoit–Wolf shrinkage (0 for the empirical estimator).</param>
/// <param name="Measure">The fitted measure (its <see cref="ConnectivityMeasure.Whitening"/> for tangent).</param>
public sealed record GroupConnectivityResult(
    IReadOnlyList<ConnectivityMatrix> Subjects,
    ConnectivityMatrix Mean,
    IReadOnlyList<double> Shrinkages,
    ConnectivityMeasure Measure);

/// <summary>
/// Connectivity for region time series read from files: checks that every run has the same regions
/// (matching them by name, so a different column order is fine), runs <see cref="ConnectivityMeasure"/>,
/// and optionally Fisher-z transforms the correlations.
/// </summary>
public static class GroupConnectivity
{
    /// <summary>Computes every run's matrix and the group mean.</summary>
    /// <exception cref="NiSharpException">Runs with different region sets, Fisher z on a kind that is
    /// not a correlation, or any error of <see cref="ConnectivityMeasure"/>, naming the file.</exception>
    public static GroupConnectivityResult Compute(IReadOnlyList<RegionTimeSeries> runs, ConnectivityOptions options, bool fisherZ = false)
    {
        if (runs.Count == 0) throw new NiSharpException("no time series given");
        if (fisherZ && !options.Kind.IsCorrelation())
            throw new NiSharpException($"the Fisher z-transform applies to correlations; kind '{options.Kind.CliName()}' is not one (use correlation or partial-correlation)");
        var regions = runs[0].Regions;
        var signals = new Matrix<double>[runs.Count];
        var names = new string[runs.Count];
        for (int k = 0; k < runs.Count; k++)
        {
            names[k] = runs[k].SourcePath ?? $"run {k + 1}";
            signals[k] = AlignColumns(runs[k], regions, names[k], runs[0].SourcePath ?? "run 1");
        }
        var measure = new ConnectivityMeasure(options);
        var matrices = measure.FitTransform(signals, names);
        var mean = measure.Mean!;
        if (fisherZ)
        {
            matrices = matrices.Select(FisherZ.Transform).ToArray();
            // Correlations are averaged in z space, where they are approximately normal.
            mean = EmptyRegions.NanMean(matrices);
        }
        // The other runs' columns were aligned to the first run's regions, so its networks hold for all.
        var networks = runs[0].RegionNetworks;
        var subjects = matrices.Select((m, k) => new ConnectivityMatrix(regions, m, runs[k].SourcePath) { RegionNetworks = networks }).ToArray();
        return new GroupConnectivityResult(subjects, new ConnectivityMatrix(regions, mean, null, isGroupMean: true) { RegionNetworks = networks }, measure.Shrinkages, measure);
    }

    /// <summary>The run's signals with columns in the order of <paramref name="regions"/>.</summary>
    private static Matrix<double> AlignColumns(RegionTimeSeries run, IReadOnlyList<Region> regions, string path, string firstPath)
    {
        var own = run.Regions;
        bool same = own.Count == regions.Count;
        for (int j = 0; same && j < own.Count; j++) same = own[j] == regions[j];
        if (same) return run.Signals;

        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < own.Count; j++) byName[own[j].Name] = j;
        var missing = regions.Where(r => !byName.ContainsKey(r.Name)).Select(r => r.Name).ToList();
        var firstNames = regions.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var extra = own.Where(r => !firstNames.Contains(r.Name)).Select(r => r.Name).ToList();
        if (missing.Count > 0 || extra.Count > 0 || own.Count != regions.Count)
            throw new NiSharpException(path,
                $"its regions differ from {firstPath}'s" +
                (missing.Count > 0 ? $"; missing: {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", …" : "")}" : "") +
                (extra.Count > 0 ? $"; extra: {string.Join(", ", extra.Take(8))}{(extra.Count > 8 ? ", …" : "")}" : "") +
                " (extract every run with the same atlas and keep empty labels, so that all runs have the same columns)");
        var x = Matrix<double>.Build.Dense(run.Signals.RowCount, regions.Count);
        for (int j = 0; j < regions.Count; j++)
        {
            int src = byName[regions[j].Name];
            if (own[src].LabelId != regions[j].LabelId)
                throw new NiSharpException(path, $"region '{regions[j].Name}' has label id {own[src].LabelId?.ToString() ?? "none"} but {regions[j].LabelId?.ToString() ?? "none"} in {firstPath}");
            x.SetColumn(j, run.Signals.Column(src));
        }
        return x;
    }
}
