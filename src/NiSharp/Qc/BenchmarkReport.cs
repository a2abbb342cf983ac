using System.Globalization;
using NiSharp.IO;
using NiSharp.Plotting;
using NiSharp.Reports;

namespace NiSharp.Qc;

/// <summary>One strategy's results as the benchmark report shows them.</summary>
/// <param name="Name">Strategy name.</param>
/// <param name="Description">What it does.</param>
/// <param name="Qc">Its group QC.</param>
/// <param name="Motion">Per subject motion (same order as the QC's subjects).</param>
/// <param name="Dof">Mean temporal DOF lost per run: regressors, censored volumes, filter.</param>
/// <param name="Volumes">Mean volumes per run.</param>
public sealed record BenchmarkStrategyResult(string Name, string Description, GroupQcResult Qc, IReadOnlyList<SubjectMotion> Motion,
    (double Regressors, double Censored, double Filter) Dof, double Volumes);

/// <summary>What the benchmark report shows.</summary>
public sealed record BenchmarkReportInput
{
    /// <summary>The metrics table, one row per strategy.</summary>
    public required IReadOnlyList<StrategyMetrics> Metrics { get; init; }

    /// <summary>Per strategy details (same order).</summary>
    public required IReadOnlyList<BenchmarkStrategyResult> Strategies { get; init; }

    /// <summary>Processing details.</summary>
    public IReadOnlyList<(string Key, string Value)> Details { get; init; } = [];

    /// <summary>Subjects that could not be processed.</summary>
    public IReadOnlyList<FailedSubject> Failures { get; init; } = [];

    /// <summary>The motion exclusion rules.</summary>
    public MotionExclusionRules Rules { get; init; } = new();

    /// <summary>Notes (covariates that could not be used…).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// The denoising benchmark's page (<c>OUTPUT_DIR/benchmark/report.html</c>, self-contained) and its figures, also
/// written as PNG and SVG files: the strategy metrics, QC-FC distributions per strategy, the fraction of edges with
/// significant QC-FC and the median |QC-FC|, distance dependence (bars and scatter per strategy), the temporal DOF
/// lost, and modularity with its motion dependence.
/// </summary>
public static class BenchmarkReport
{
    /// <summary>Builds the page and writes each figure as <c>NAME.png</c> and <c>NAME.svg</c> into
    /// <paramref name="figuresDir"/> (when given).</summary>
    public static HtmlReport Build(BenchmarkReportInput input, string? figuresDir = null)
    {
        var r = new HtmlReport("NiSharp denoising benchmark");
        var details = input.Details.ToList();
        details.Add(("strategies", input.Metrics.Count.ToString(CultureInfo.InvariantCulture)));
        details.Add(("subjects", input.Metrics.Count > 0 ? input.Metrics[0].Subjects.ToString(CultureInfo.InvariantCulture) : "0"));
        details.Add(("subjects failed", input.Failures.Count.ToString(CultureInfo.InvariantCulture)));
        r.KeyValues(details);
        r.Paragraph("Each strategy is judged as in the fMRIPrep denoising benchmark (Wang et al. 2024): the temporal degrees of freedom it costs, " +
                    "how much connectivity still depends on head motion across subjects (QC-FC: partial correlation of each edge with mean framewise displacement, " +
                    "given age and sex), whether that dependence is stronger for short edges (distance dependence), and the modularity of the connectome and its relation to motion. " +
                    "Less QC-FC, a distance dependence nearer 0 and little tDOF loss are better.");
        foreach (var n in input.Notes) r.Paragraph(n);
        r.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"Subjects are excluded per strategy when mean FD > {input.Rules.MaxMeanFd} mm, more than {100 * input.Rules.MaxCensoredFraction:0.#}% of volumes are censored (FD > 0.2 mm or by the strategy), or any FD > {input.Rules.MaxFd} mm (Parkes et al. 2018)."));

        if (input.Failures.Count > 0)
        {
            r.Section("Failed subjects", "failures");
            r.Warning($"{input.Failures.Count} subject(s) could not be processed and are not in the results.");
            r.Table(new ReportTable(["subject", "file", "reason"], input.Failures.Select(f => (IReadOnlyList<string>)[f.Subject, f.File ?? "", f.Reason]).ToList()));
        }

        r.Section("Strategy metrics", "metrics");
        r.Table(new ReportTable(StrategyMetrics.Columns.Select(c => c.Column).ToList(),
            input.Metrics.Select(m => (IReadOnlyList<string>)
            [
                m.Strategy, I(m.Subjects), I(m.SubjectsExcluded), F(m.TdofLossMean, "0.0"), F(m.CensoredFractionMean, "0.000"),
                F(m.QcFcSignificantFraction, "0.000"), F(m.QcFcFdrSignificantFraction, "0.000"), F(m.QcFcMedianAbs, "0.000"),
                F(m.DistanceDependence, "0.000"), F(m.Modularity, "0.000"), F(m.ModularitySubjectMean, "0.000"),
                F(m.ModularityMotionR, "0.000"), F(m.ModularityMotionP, "0.0000"),
            ]).ToList()), "strategy_metrics.tsv");
        r.Table(new ReportTable(["strategy", "what it does"], input.Strategies.Select(s => (IReadOnlyList<string>)[s.Name, s.Description]).ToList()));

        var names = input.Strategies.Select(s => s.Name).ToList();
        void Show(string file, Figure fig, string caption)
        {
            if (figuresDir is not null)
            {
                OutputFolder.Create(figuresDir);
                fig.Save(Path.Combine(figuresDir, file + ".png"));
                fig.Save(Path.Combine(figuresDir, file + ".svg"));
            }
            r.Figure(fig, caption);
        }

        r.Section("QC-FC", "qcfc");
        var series = input.Strategies.Where(s => s.Qc.QcFc is not null).Select(s => (s.Name, s.Qc.QcFc!.R)).ToList();
        if (series.Count > 0)
            Show("qcfc_distributions", QcPlots.QcFcDistributions(series), "QC-FC of every edge, per strategy: the narrower and the closer to 0, the less motion is left in the connectivity.");
        else
            r.Warning("QC-FC needs at least 4 subjects kept after the motion exclusion.");
        Show("qcfc_significant_fraction", QcPlots.StrategyBars("Edges with significant QC-FC (p < 0.05, uncorrected)", "% of edges", names,
            input.Metrics.Select(m => 100 * m.QcFcSignificantFraction).ToList(), "0.0"), "Percentage of edges whose connectivity correlates with mean FD.");
        Show("qcfc_median_abs", QcPlots.StrategyBars("Median absolute QC-FC", "median |QC-FC|", names,
            input.Metrics.Select(m => m.QcFcMedianAbs).ToList(), "0.000"), "Median |QC-FC| over the edges.");

        r.Section("Distance dependence", "distance");
        Show("distance_dependence", QcPlots.StrategyBars("Distance dependence of QC-FC (Spearman ρ)", "ρ", names,
            input.Metrics.Select(m => m.DistanceDependence).ToList(), "0.00"), "Rank correlation of QC-FC with the distance between regions: negative when motion inflates short-range connectivity.");
        for (int s = 0; s < input.Strategies.Count; s++)
        {
            var st = input.Strategies[s];
            if (st.Qc.QcFc is not { } q || double.IsNaN(st.Qc.DistanceDependence)) continue;
            Show($"distance_{FileSafe(st.Name)}", QcPlots.DistanceScatter(st.Name, st.Qc.EdgeDistance, q.R, st.Qc.DistanceDependence, colour: s),
                $"{st.Name}: QC-FC against edge distance, with the least-squares line.");
        }

        r.Section("Temporal degrees of freedom", "tdof");
        double volumes = input.Strategies.Count > 0 ? input.Strategies.Average(s => s.Volumes) : 0;
        Show("tdof_loss", QcPlots.TdofLoss(names, input.Strategies.Select(s => s.Dof).ToList(), volumes),
            "Mean temporal degrees of freedom lost per run: confound regressors, censored volumes and filtering.");

        r.Section("Network modularity", "modularity");
        Show("modularity", QcPlots.StrategyBars("Modularity of the mean connectome (Louvain, positive weights)", "Q", names,
            input.Metrics.Select(m => m.Modularity).ToList(), "0.000"), "Newman modularity of the Louvain partition of the kept subjects' mean connectome.");
        Show("modularity_motion", QcPlots.StrategyBars("Correlation of subjects' modularity with mean FD", "partial r", names,
            input.Metrics.Select(m => m.ModularityMotionR).ToList(), "0.00"), "Partial correlation (given age and sex) of each subject's modularity with its mean FD: near 0 is better.");
        return r;
    }

    /// <summary>Builds and writes the page (and the figure files) atomically.</summary>
    public static void Save(string path, string? figuresDir, BenchmarkReportInput input) => Build(input, figuresDir).Save(path);

    private static string FileSafe(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : c == '+' ? 'p' : '_').ToArray());

    private static string F(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
