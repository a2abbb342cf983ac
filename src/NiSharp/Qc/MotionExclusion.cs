using System.Globalization;
using System.Text.Json.Nodes;

namespace NiSharp.Qc;

/// <summary>
/// When a subject moved too much to be analysed. Defaults are the stringent criteria of Parkes et al. (2018,
/// NeuroImage 171:415–436), which the fMRIPrep denoising benchmark (Wang et al. 2024, PLOS Comput. Biol.
/// 20(3):e1011942) also applies: mean framewise displacement above 0.25 mm, more than 20% of the volumes above
/// 0.2 mm FD, or any displacement above 5 mm.
/// </summary>
/// <remarks>
/// The fraction limit applies to two measures, each named when it is exceeded: the fraction of volumes with FD above
/// 0.2 mm (Parkes's count, the same for every strategy) and the fraction the strategy actually censors (so a scrubbing
/// strategy that leaves too little data excludes the subject, as it would in practice). Several runs of a subject are pooled: FD means weighted
/// by volumes, censored volumes summed, the largest FD.
/// </remarks>
public sealed record MotionExclusionRules
{
    /// <summary>The per-volume FD (mm) above which a volume counts toward <see cref="MaxCensoredFraction"/> (Parkes et al.
    /// 2018: "more than 20% of FDs above 0.2 mm"); the <c>fd_over_0.2</c> of the motion tables.</summary>
    public const double CountedFd = 0.2;

    /// <summary>Exclude when the mean FD exceeds this (mm). Default 0.25 (Parkes et al. 2018, stringent; Wang et al. 2024).</summary>
    public double MaxMeanFd { get; init; } = 0.25;

    /// <summary>Exclude when more than this fraction of volumes is censored. Default 0.2 (Parkes et al. 2018: 20% of volumes above 0.2 mm).</summary>
    public double MaxCensoredFraction { get; init; } = 0.2;

    /// <summary>Exclude when any volume's FD exceeds this (mm). Default 5 (Parkes et al. 2018: "gross" motion).</summary>
    public double MaxFd { get; init; } = 5;

    /// <summary>Checks the values.</summary>
    public MotionExclusionRules Validate()
    {
        if (!(MaxMeanFd > 0)) throw new NiSharpException($"the mean FD exclusion threshold must be positive, got {F(MaxMeanFd)}");
        if (!(MaxCensoredFraction > 0 && MaxCensoredFraction <= 1)) throw new NiSharpException($"the censored fraction exclusion threshold must be in (0, 1], got {F(MaxCensoredFraction)}");
        if (!(MaxFd > 0)) throw new NiSharpException($"the maximum FD exclusion threshold must be positive, got {F(MaxFd)}");
        return this;
    }

    /// <summary>
    /// The rules <paramref name="m"/> breaks, each naming its measure (a column of the motion table) with its value and
    /// limit; empty when the subject is kept. The two fractions are separate criteria here, so that the reason names the
    /// one that was exceeded: Parkes's count of volumes above 0.2 mm FD, and the volumes the strategy censored.
    /// </summary>
    public IReadOnlyList<MotionCriterion> Broken(SubjectMotion m)
    {
        var broken = new List<MotionCriterion>();
        if (m.MeanFd > MaxMeanFd) broken.Add(new(MotionCriterion.MeanFd, m.MeanFd, MaxMeanFd));
        if (m.FdOver02Fraction > MaxCensoredFraction) broken.Add(new(MotionCriterion.FdOver02Fraction, m.FdOver02Fraction, MaxCensoredFraction));
        if (m.CensoredFraction > MaxCensoredFraction) broken.Add(new(MotionCriterion.CensoredFraction, m.CensoredFraction, MaxCensoredFraction));
        if (m.MaxFd > MaxFd) broken.Add(new(MotionCriterion.MaxFd, m.MaxFd, MaxFd));
        return broken;
    }

    /// <summary>Why <paramref name="m"/> is excluded (each broken rule with its measure, value and limit), or null when it is kept.</summary>
    public string? Reason(SubjectMotion m)
    {
        var broken = Broken(m);
        return broken.Count == 0 ? null : string.Join("; ", broken.Select(b => b.Describe()));
    }

    /// <summary>The rules and their source, for sidecars.</summary>
    public JsonObject ToJson() => new()
    {
        ["MaxMeanFramewiseDisplacement"] = MaxMeanFd,
        ["MaxCensoredFraction"] = MaxCensoredFraction,
        ["CensoredFraction"] = "applied to two measures, each named when exceeded: fd_over_0.2_fraction (volumes with FD above 0.2 mm) and censored_fraction (volumes censored by the strategy)",
        ["MaxFramewiseDisplacement"] = MaxFd,
        ["Source"] = "Parkes et al. 2018 (NeuroImage 171:415-436), stringent criteria; Wang et al. 2024 (PLOS Comput Biol 20:e1011942)",
    };

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>
/// One exclusion rule a subject broke: the measure it tests (named as the column of the group motion table that holds
/// it), the subject's value and the limit.
/// </summary>
/// <param name="Measure">One of <see cref="MeanFd"/>, <see cref="FdOver02Fraction"/>, <see cref="CensoredFraction"/>, <see cref="MaxFd"/>.</param>
/// <param name="Value">The subject's value (mm, or a fraction).</param>
/// <param name="Limit">The rule's limit, in the same unit.</param>
public sealed record MotionCriterion(string Measure, double Value, double Limit)
{
    /// <summary>Mean framewise displacement (mm): Parkes et al. 2018's first stringent criterion.</summary>
    public const string MeanFd = "fd_mean";

    /// <summary>Fraction of volumes with FD above 0.2 mm: Parkes et al. 2018's second stringent criterion.</summary>
    public const string FdOver02Fraction = "fd_over_0.2_fraction";

    /// <summary>Fraction of volumes the confound strategy censored (scrubbing): too little data left.</summary>
    public const string CensoredFraction = "censored_fraction";

    /// <summary>Largest framewise displacement (mm): Parkes et al. 2018's gross-motion criterion.</summary>
    public const string MaxFd = "fd_max";

    /// <summary>The measure as the report's motion table heads its column (<c>FD &gt; 0.2 mm</c>).</summary>
    public static string Heading(string measure) => measure switch
    {
        MeanFd => "mean FD",
        FdOver02Fraction => "FD > 0.2 mm",
        CensoredFraction => "censored",
        MaxFd => "max FD",
        _ => measure,
    };

    /// <summary>The rule as a sentence with the subject's value: <c>60.1% of volumes with FD &gt; 0.2 mm &gt; 20%</c>.</summary>
    public string Describe() => Measure switch
    {
        MeanFd => $"mean FD {Mm(Value)} mm > {Mm(Limit)} mm",
        FdOver02Fraction => $"{Pct(Value)}% of volumes with FD > 0.2 mm > {Pct(Limit)}%",
        CensoredFraction => $"{Pct(Value)}% of volumes censored by the strategy > {Pct(Limit)}%",
        MaxFd => $"max FD {Mm(Value)} mm > {Mm(Limit)} mm",
        _ => $"{Measure} {Value.ToString(CultureInfo.InvariantCulture)} > {Limit.ToString(CultureInfo.InvariantCulture)}",
    };

    private static string Mm(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
    private static string Pct(double fraction) => (100 * fraction).ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>A subject's motion over its runs, as the group QC uses it.</summary>
/// <param name="Subject">Label without <c>sub-</c>.</param>
/// <param name="MeanFd">Mean framewise displacement (mm), volume-weighted over runs.</param>
/// <param name="MaxFd">Largest framewise displacement (mm).</param>
/// <param name="CensoredFraction">Fraction of volumes censored by the strategy.</param>
/// <param name="FdOver02Fraction">Fraction of volumes with FD above 0.2 mm.</param>
/// <param name="TdofLoss">Temporal degrees of freedom used, summed over runs.</param>
/// <param name="TdofLossFraction">Loss / volumes over runs.</param>
public sealed record SubjectMotion(string Subject, double MeanFd, double MaxFd, double CensoredFraction, double FdOver02Fraction, double TdofLoss, double TdofLossFraction)
{
    /// <summary>Pools the QC of a subject's runs.</summary>
    public static SubjectMotion FromRuns(string subject, IReadOnlyList<RunQc> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("a subject has runs");
        double volumes = runs.Sum(r => r.Volumes);
        double meanFd = runs.Sum(r => r.FdMean * r.Volumes) / volumes;
        double maxFd = runs.Max(r => r.FdMax);
        double censored = runs.Sum(r => r.Censored) / volumes;
        double over = runs.Sum(r => r.FdOver02) / volumes;
        double loss = runs.Sum(r => r.Dof.Loss);
        return new SubjectMotion(subject, meanFd, maxFd, censored, over, loss, loss / volumes);
    }
}
