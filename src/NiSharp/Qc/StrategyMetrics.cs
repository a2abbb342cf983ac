using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.IO;

namespace NiSharp.Qc;

/// <summary>
/// The summary measures of one denoising strategy on a cohort (one row of the benchmark's
/// <c>strategy_metrics.tsv</c>, and of the group level's QC-FC summary): the measures of Wang et al. (2024).
/// </summary>
public sealed record StrategyMetrics
{
    /// <summary>The strategy's name.</summary>
    public required string Strategy { get; init; }

    /// <summary>Subjects with outputs.</summary>
    public required int Subjects { get; init; }

    /// <summary>Subjects excluded by the motion rules.</summary>
    public required int SubjectsExcluded { get; init; }

    /// <summary>Mean temporal DOF lost per subject (all subjects).</summary>
    public required double TdofLossMean { get; init; }

    /// <summary>Mean fraction of volumes censored by the strategy (all subjects).</summary>
    public required double CensoredFractionMean { get; init; }

    /// <summary>Fraction of edges with significant QC-FC, uncorrected.</summary>
    public required double QcFcSignificantFraction { get; init; }

    /// <summary>Fraction of edges with significant QC-FC after FDR.</summary>
    public required double QcFcFdrSignificantFraction { get; init; }

    /// <summary>Median absolute QC-FC.</summary>
    public required double QcFcMedianAbs { get; init; }

    /// <summary>Spearman correlation of QC-FC with edge distance.</summary>
    public required double DistanceDependence { get; init; }

    /// <summary>Modularity of the kept subjects' mean connectome.</summary>
    public required double Modularity { get; init; }

    /// <summary>Mean of the kept subjects' modularity.</summary>
    public required double ModularitySubjectMean { get; init; }

    /// <summary>Partial correlation of subjects' modularity with mean FD.</summary>
    public required double ModularityMotionR { get; init; }

    /// <summary>Its p-value.</summary>
    public required double ModularityMotionP { get; init; }

    /// <summary>The row of a group QC result.</summary>
    public static StrategyMetrics From(string strategy, GroupQcResult qc) => new()
    {
        Strategy = strategy,
        Subjects = qc.Exclusions.Count,
        SubjectsExcluded = qc.ExcludedCount,
        TdofLossMean = qc.TdofLossMean,
        CensoredFractionMean = qc.CensoredFractionMean,
        QcFcSignificantFraction = qc.QcFc?.SignificantFraction ?? double.NaN,
        QcFcFdrSignificantFraction = qc.QcFc?.FdrSignificantFraction ?? double.NaN,
        QcFcMedianAbs = qc.QcFc?.MedianAbsolute ?? double.NaN,
        DistanceDependence = qc.DistanceDependence,
        Modularity = qc.Modularity,
        ModularitySubjectMean = qc.SubjectModularity.Length > 0 ? qc.SubjectModularity.Average() : double.NaN,
        ModularityMotionR = qc.ModularityMotion.R,
        ModularityMotionP = qc.ModularityMotion.P,
    };

    /// <summary>The columns and their descriptions (for the sidecar), in table order.</summary>
    public static IReadOnlyList<(string Column, string Description)> Columns { get; } =
    [
        ("strategy", "Denoising strategy"),
        ("subjects", "Subjects with participant-level outputs"),
        ("subjects_excluded", "Subjects excluded by the motion rules (see MotionExclusion); the measures below use the others"),
        ("tdof_loss_mean", "Mean temporal degrees of freedom lost per subject: regressors + censored volumes + filter (all subjects)"),
        ("censored_fraction_mean", "Mean fraction of volumes censored by the strategy (all subjects)"),
        ("qcfc_significant_fraction", "Fraction of edges whose QC-FC (partial correlation of connectivity with mean FD, given the covariates) has p < 0.05, uncorrected"),
        ("qcfc_fdr_significant_fraction", "The same after Benjamini-Hochberg FDR (q < 0.05)"),
        ("qcfc_median_abs", "Median absolute QC-FC over the edges"),
        ("distance_dependence", "Spearman correlation of QC-FC with the Euclidean distance between the regions' centroids (negative: motion inflates short-range connectivity)"),
        ("modularity", "Newman modularity Q of the Louvain partition of the kept subjects' mean connectome (positive weights)"),
        ("modularity_subject_mean", "Mean of the subjects' own modularity Q"),
        ("modularity_motion_r", "Partial correlation of the subjects' modularity with their mean FD (same covariates as QC-FC)"),
        ("modularity_motion_p", "Its two-sided p-value"),
    ];

    private IEnumerable<string> Cells()
    {
        yield return Strategy;
        yield return Subjects.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return SubjectsExcluded.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var v in new[] { TdofLossMean, CensoredFractionMean, QcFcSignificantFraction, QcFcFdrSignificantFraction, QcFcMedianAbs,
                     DistanceDependence, Modularity, ModularitySubjectMean, ModularityMotionR, ModularityMotionP })
            yield return TsvTable.FormatNumber(v);
    }

    /// <summary>Writes rows as a TSV with a sidecar describing the columns (plus <paramref name="extra"/>), atomically.</summary>
    public static void Write(string path, IReadOnlyList<StrategyMetrics> rows, JsonObject? extra = null)
    {
        var sb = new StringBuilder();
        sb.AppendJoin('\t', Columns.Select(c => c.Column)).Append('\n');
        foreach (var r in rows) sb.AppendJoin('\t', r.Cells()).Append('\n');
        var json = new JsonObject();
        foreach (var (c, d) in Columns) json[c] = new JsonObject { ["Description"] = d };
        if (extra is not null)
            foreach (var (k, v) in extra) json[k] = v?.DeepClone();
        AtomicFile.WriteAllText(path, sb.ToString());
        AtomicFile.WriteAllText(Path.ChangeExtension(path, ".json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
