using System.Globalization;
using NiSharp.Reports;

namespace NiSharp.Qc;

/// <summary>The motion QC sections of the subject and group pages.</summary>
public static class QcReport
{
    /// <summary>Adds the run's motion QC (<see cref="RunQc.ReportRows"/>) to a subject page.</summary>
    public static HtmlReport AddRunSection(HtmlReport page, RunQc qc)
    {
        page.Section("Motion quality control", "qc");
        if (qc.Dof.Remaining <= 0)
            page.Warning("The denoising uses up every temporal degree of freedom of this run: the cleaned signals are over-fitted.");
        page.KeyValues(qc.ReportRows());
        page.Paragraph("Temporal degrees of freedom: one per confound regressor and censored volume (Parkes et al. 2018; Wang et al. 2024), " +
                       "plus 2·N·TR per Hz of spectrum the band-pass filter removes. DVARS is computed over the atlas regions, in % of each region's mean.");
        return page;
    }

    /// <summary>
    /// The lines of a run's framewise displacement figure: the thresholds its rules use, each labelled — the strategy's
    /// scrubbing threshold (when it scrubs), the per-volume FD that the exclusion counts, the run's mean FD against the
    /// mean-FD limit, and the gross-motion limit when the trace comes within 80% of it (else the note says it is off the
    /// scale).
    /// </summary>
    public static (IReadOnlyList<Plotting.FdLine> Lines, string? Note) FdLines(double[] fd, MotionExclusionRules rules, Confounds.ConfoundStrategy strategy)
    {
        var lines = new List<Plotting.FdLine>();
        if ((strategy.Components & Confounds.NoiseComponents.Scrub) != 0)
            lines.Add(new(strategy.FdThreshold, $"{Mm(strategy.FdThreshold)} mm: scrubbing ({strategy.Name}) censors volumes above"));
        lines.Add(new(MotionExclusionRules.CountedFd, $"{Mm(MotionExclusionRules.CountedFd)} mm: more than {100 * rules.MaxCensoredFraction:0.#}% of volumes above excludes the subject"));
        var finite = fd.Where(double.IsFinite).ToArray();
        string? note = null;
        if (finite.Length > 0)
        {
            double mean = finite.Average(), max = finite.Max();
            lines.Add(new(mean, $"mean FD {Mm(mean)} mm: above {Mm(rules.MaxMeanFd)} mm excludes", Plotting.FdLineStyle.Mean));
            // Drawn only when the trace comes near it: a 5 mm line over a trace of 1 mm spikes flattens the trace.
            if (max > 0.8 * rules.MaxFd) lines.Add(new(rules.MaxFd, $"{Mm(rules.MaxFd)} mm: any volume above excludes (gross motion)"));
            else note = $"The gross-motion limit (any volume above {Mm(rules.MaxFd)} mm excludes) is off the scale: the largest FD is {Mm(max)} mm.";
        }
        return (lines, note);
    }

    private static string Mm(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds the group motion QC to a group page: the exclusions (per subject, with the reason), the QC-FC summary, the
    /// QC-FC distribution and its distance dependence, and modularity against motion.
    /// </summary>
    public static HtmlReport AddGroupSection(HtmlReport page, GroupQcResult qc, IReadOnlyList<SubjectMotion> motion, MotionExclusionRules rules,
        IReadOnlyList<string> notes, string strategy)
    {
        page.Section("Motion quality control", "motion-qc");
        page.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"Exclusion rules (Parkes et al. 2018, stringent; Wang et al. 2024): mean FD > {rules.MaxMeanFd} mm, more than {100 * rules.MaxCensoredFraction:0.#}% of volumes with FD > 0.2 mm, " +
            $"more than {100 * rules.MaxCensoredFraction:0.#}% of volumes censored by the strategy, or any FD > {rules.MaxFd} mm; 'excluded by' names the column that broke a rule. " +
            $"{qc.ExcludedCount} of {motion.Count} subject(s) excluded; the measures below use the {qc.Included.Count} others."));
        foreach (var n in notes) page.Paragraph(n);
        page.Table(new ReportTable(["subject", "mean FD (mm)", "max FD (mm)", "FD > 0.2 mm", "censored", "tDOF lost", "excluded by", "why"],
            motion.Select((m, i) => (IReadOnlyList<string>)
            [
                "sub-" + m.Subject, F(m.MeanFd, "0.###"), F(m.MaxFd, "0.##"), Pct(m.FdOver02Fraction), Pct(m.CensoredFraction),
                F(m.TdofLoss, "0.#"), ExcludedBy(qc, i), qc.Exclusions[i] ?? "kept",
            ]).ToList()), "Motion per subject");

        var summary = new List<(string, string)>
        {
            ("QC-FC edges tested", qc.QcFc is null ? $"none (fewer than {GroupMotionQc.MinimumSubjects} subjects kept beyond the covariates)" : qc.QcFc.EdgesTested.ToString(CultureInfo.InvariantCulture)),
            ("covariates", qc.CovariatesUsed.Count == 0 ? "none" : string.Join(", ", qc.CovariatesUsed)),
        };
        if (qc.QcFc is { } r)
        {
            summary.Add(("edges with significant QC-FC (p < 0.05, uncorrected)", Pct(r.SignificantFraction)));
            summary.Add(("edges with significant QC-FC (FDR q < 0.05)", Pct(r.FdrSignificantFraction)));
            summary.Add(("median |QC-FC|", F(r.MedianAbsolute, "0.000")));
            summary.Add(("distance dependence (Spearman ρ of QC-FC with distance)", F(qc.DistanceDependence, "0.000")));
        }
        summary.Add(("modularity of the mean connectome (Louvain, positive weights)", qc.GroupPartition is { } g
            ? string.Create(CultureInfo.InvariantCulture, $"{g.Modularity:0.000} ({g.Count} communities)") : "n/a"));
        summary.Add(("correlation of subjects' modularity with mean FD", string.Create(CultureInfo.InvariantCulture,
            $"r = {F(qc.ModularityMotion.R, "0.000")}, p = {F(qc.ModularityMotion.P, "0.0000")}")));
        page.KeyValues(summary, "QC-FC and network measures");

        if (qc.QcFc is { } q)
        {
            page.Figure(QcPlots.QcFcDistributions([(strategy, q.R)], title: $"QC-FC distribution ({strategy})"),
                "Distribution of QC-FC over the edges: motion-free data give a narrow peak at 0.");
            if (!double.IsNaN(qc.DistanceDependence))
                page.Figure(QcPlots.DistanceScatter("QC-FC by distance", qc.EdgeDistance, q.R, qc.DistanceDependence, 560, 380),
                    "QC-FC against the distance between the regions' centroids: a negative slope is the signature of motion (short-range connectivity inflated).");
        }
        if (qc.Included.Count > 0)
            page.Figure(QcPlots.ModularityByMotion("Modularity by motion", qc.Included.Select(i => motion[i].MeanFd).ToArray(), qc.SubjectModularity, 560, 380),
                "Each kept subject's modularity against its mean framewise displacement.");
        return page;
    }

    /// <summary>The measures that excluded subject <paramref name="i"/>, as the table heads them; "no" when kept.</summary>
    private static string ExcludedBy(GroupQcResult qc, int i) =>
        qc.Exclusions[i] is null ? "no"
        : i < qc.ExclusionMeasures.Count && qc.ExclusionMeasures[i] is string m ? string.Join(", ", m.Split(',').Select(MotionCriterion.Heading))
        : "other";

    private static string F(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);

    private static string Pct(double fraction) => double.IsNaN(fraction) ? "n/a" : (100 * fraction).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
