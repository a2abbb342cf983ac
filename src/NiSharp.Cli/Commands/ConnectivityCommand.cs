using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NiSharp.Connectome;
using NiSharp.IO;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp connectivity TS.tsv… --kind K [--estimator ledoit-wolf|empirical] [--fisher-z]
/// [--vectorize] -o OUTDIR</c>: nilearn's <c>ConnectivityMeasure</c> over region time-series files.
/// For each <c>X.tsv</c> writes <c>OUTDIR/X_relmat.tsv</c> (+ <c>.json</c>), and the group mean
/// <c>OUTDIR/group_mean_relmat.tsv</c>; with <c>--vectorize</c> also <c>OUTDIR/edges.tsv</c>. Time series extracted
/// from grayordinates (an <c>X.ptseries.nii</c> beside <c>X.tsv</c>) also give <c>OUTDIR/X_relmat.pconn.nii</c>, and the
/// mean <c>group_mean_relmat.pconn.nii</c> when every input has the same parcels.
/// </summary>
internal static class ConnectivityCommand
{
    /// <summary>File name of the group mean in OUTDIR.</summary>
    public const string MeanFileName = "group_mean_relmat.tsv";

    /// <summary>What follows a matrix's stem in its CIFTI file name.</summary>
    private const string PconnSuffix = "_relmat.pconn.nii";

    /// <summary>File name of the vectorised table in OUTDIR.</summary>
    public const string EdgesFileName = "edges.tsv";

    public static Command Create()
    {
        var inputs = new Argument<string[]>("TS.tsv") { Arity = ArgumentArity.OneOrMore, Description = "Region time-series TSVs: a header of region names (e.g. label_44), one row per volume" };
        var kind = new Option<string>("--kind") { Required = true, Description = "correlation | partial-correlation | tangent | covariance | precision" };
        kind.AcceptOnlyFromAmong([.. ConnectivityKinds.All, "partial correlation", "partial_correlation"]);
        var estimator = new Option<string>("--estimator") { Description = "Covariance estimator: ledoit-wolf (nilearn's default) or empirical (plain Pearson for correlation)", DefaultValueFactory = _ => "ledoit-wolf" };
        estimator.AcceptOnlyFromAmong("ledoit-wolf", "empirical");
        var fisherZ = new Option<bool>("--fisher-z") { Description = "Fisher z-transform (artanh) the correlations; the diagonal is set to 0" };
        var vectorize = new Option<bool>("--vectorize") { Description = $"Also write OUTDIR/{EdgesFileName}: one row per input, the lower triangle as columns (nilearn vectorize=True; the diagonal divided by √2)" };
        var discardDiagonal = new Option<bool>("--discard-diagonal") { Description = "With --vectorize, leave the diagonal out (nilearn discard_diagonal=True)" };
        var output = new Option<string>("--output", "-o") { Required = true, Description = "Output folder (created if missing)" };
        var cmd = new Command("connectivity", "Connectivity matrices (nilearn ConnectivityMeasure) of region time series, and their group mean")
        {
            inputs, kind, estimator, fisherZ, vectorize, discardDiagonal, output,
        };
        cmd.SetAction(p =>
        {
            var paths = p.GetValue(inputs)!;
            var options = new ConnectivityOptions
            {
                Kind = ConnectivityKinds.Parse(p.GetValue(kind)!),
                Estimator = p.GetValue(estimator) == "empirical" ? CovarianceEstimator.Empirical : CovarianceEstimator.LedoitWolf,
            };
            bool z = p.GetValue(fisherZ);
            string outDir = p.GetValue(output)!;
            return Run(p.Out(), paths, options, z, p.GetValue(vectorize), p.GetValue(discardDiagonal), outDir);
        });
        return cmd;
    }

    private static int Run(TextWriter o, string[] paths, ConnectivityOptions options, bool fisherZ, bool vectorize, bool discardDiagonal, string outDir)
    {
        // Every output name is decided and checked before anything is computed or written.
        var stems = paths.Select(StemOf).ToArray();
        var taken = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int k = 0; k < paths.Length; k++)
        {
            var name = stems[k] + "_relmat.tsv";
            if (name == MeanFileName)
                throw new NiSharpException(paths[k], $"its output name would be {MeanFileName}, which is reserved for the group mean; rename the input");
            if (!taken.TryAdd(name, paths[k]))
                throw new NiSharpException(paths[k], $"its output {name} would overwrite the output of {taken[name]} (same file name in two folders); rename one");
        }
        if (File.Exists(outDir)) throw new NiSharpException(outDir, "the output folder is a file");

        var runs = paths.Select(RegionTimeSeries.Read).ToArray();
        var parcels = paths.Select((x, k) => ParcelConnectome.ParcelsBeside(x, runs[k].Regions)).ToArray();
        var result = GroupConnectivity.Compute(runs, options, fisherZ);

        OutputFolder.Create(outDir);
        var common = Parameters(options, fisherZ);
        for (int k = 0; k < runs.Length; k++)
        {
            var meta = (JsonObject)common.DeepClone();
            meta["Source"] = Path.GetFullPath(paths[k]);
            meta["TimePoints"] = runs[k].Signals.RowCount;
            meta["Shrinkage"] = result.Shrinkages[k];
            result.Subjects[k].Write(Path.Combine(outDir, stems[k] + "_relmat.tsv"), meta);
            if (parcels[k] is { } pk) ParcelConnectome.Write(Path.Combine(outDir, stems[k] + PconnSuffix), result.Subjects[k], pk);
        }
        var meanMeta = (JsonObject)common.DeepClone();
        meanMeta["Sources"] = new JsonArray(paths.Select(x => (JsonNode?)JsonValue.Create(Path.GetFullPath(x))).ToArray());
        meanMeta["MeanOf"] = options.Kind == ConnectivityKind.Tangent
            ? "geometric mean of the covariances (nilearn mean_ for kind tangent)"
            : fisherZ ? "arithmetic mean of the Fisher z matrices" : "arithmetic mean of the matrices (nilearn mean_)";
        if (result.Measure.GeometricMeanFit is { } gm)
        {
            meanMeta["GeometricMeanIterations"] = gm.Iterations;
            meanMeta["GeometricMeanConverged"] = gm.Converged;
        }
        result.Mean.Write(Path.Combine(outDir, MeanFileName), meanMeta);
        bool meanPconn = parcels.All(x => x is not null && x.SameParcels(parcels[0]!));
        if (meanPconn) ParcelConnectome.Write(Path.Combine(outDir, "group_mean" + PconnSuffix), result.Mean, parcels[0]!);
        if (vectorize) WriteEdges(Path.Combine(outDir, EdgesFileName), stems, result, discardDiagonal);

        int r = result.Mean.Regions.Count;
        o.WriteLine($"{options.Kind.CliName()} ({options.EstimatorName}{(fisherZ ? ", Fisher z" : "")}): {runs.Length} run(s), {r} regions → {outDir}");
        for (int k = 0; k < runs.Length; k++)
            o.WriteLine($"  {stems[k]}_relmat.tsv{(parcels[k] is null ? "" : $" + {stems[k]}{PconnSuffix}")}  ({runs[k].Signals.RowCount} time points, shrinkage {result.Shrinkages[k].ToString("0.####", CultureInfo.InvariantCulture)})");
        o.WriteLine($"  {MeanFileName}{(meanPconn ? $" + group_mean{PconnSuffix}" : "")}");
        if (result.Measure.GeometricMeanFit is { Converged: false } g)
            o.WriteLine($"  warning: the geometric mean did not reach tolerance {options.TangentMean.Tolerance} in {g.Iterations} iterations");
        if (vectorize) o.WriteLine($"  {EdgesFileName}");
        return 0;
    }

    /// <summary>X for X.tsv (the whole file name without the .tsv extension).</summary>
    private static string StemOf(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? name[..^4] : Path.GetFileNameWithoutExtension(name);
    }

    private static JsonObject Parameters(ConnectivityOptions options, bool fisherZ)
    {
        var p = options.ToParameters();
        p["FisherZ"] = fisherZ;
        p["TangentMeanMaxIterations"] = options.Kind == ConnectivityKind.Tangent ? options.TangentMean.MaxIterations : null;
        p["TangentMeanTolerance"] = options.Kind == ConnectivityKind.Tangent ? options.TangentMean.Tolerance : null;
        p["GeneratedBy"] = new JsonArray(new JsonObject
        {
            ["Name"] = "NiSharp",
            ["Version"] = typeof(ConnectivityMeasure).Assembly.GetName().Version?.ToString(),
            ["Command"] = "nisharp connectivity",
        });
        return p;
    }

    private static void WriteEdges(string path, string[] stems, GroupConnectivityResult result, bool discardDiagonal)
    {
        var regions = result.Mean.Regions;
        var sb = new StringBuilder();
        sb.Append("source");
        for (int i = 0; i < regions.Count; i++)
            for (int j = 0; j <= i; j++)
                if (j < i || !discardDiagonal) sb.Append('\t').Append(regions[i].Name).Append('~').Append(regions[j].Name);
        sb.Append('\n');
        for (int k = 0; k < stems.Length; k++)
        {
            sb.Append(stems[k]);
            foreach (var v in SymmetricMatrix.ToVector(result.Subjects[k].Values, discardDiagonal))
                sb.Append('\t').Append(TsvTable.FormatNumber(v));
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
