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
/// The censored fraction of a subject is the larger of the fraction of volumes with FD above 0.2 mm (Parkes's count,
/// the same for every strategy) and the fraction its strategy actually censors (so a scrubbing strategy that leaves too
/// little data excludes the subject, as it would in practice). Several runs of a subject are pooled: FD means weighted
/// by volumes, censored volumes summed, the largest FD.
/// </remarks>
public sealed record MotionExclusionRules
{
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

    /// <summary>Why <paramref name="m"/> is excluded, or null when it is kept.</summary>
    public string? Reason(SubjectMotion m)
    {
        var reasons = new List<string>();
        if (m.MeanFd > MaxMeanFd) reasons.Add($"mean FD {F3(m.MeanFd)} mm > {F(MaxMeanFd)} mm");
        if (m.ExclusionCensoredFraction > MaxCensoredFraction) reasons.Add($"{Pct(m.ExclusionCensoredFraction)}% of volumes censored > {Pct(MaxCensoredFraction)}%");
        if (m.MaxFd > MaxFd) reasons.Add($"max FD {F3(m.MaxFd)} mm > {F(MaxFd)} mm");
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    /// <summary>The rules and their source, for sidecars.</summary>
    public JsonObject ToJson() => new()
    {
        ["MaxMeanFramewiseDisplacement"] = MaxMeanFd,
        ["MaxCensoredFraction"] = MaxCensoredFraction,
        ["CensoredFraction"] = "the larger of the fraction of volumes with FD above 0.2 mm and the fraction censored by the strategy",
        ["MaxFramewiseDisplacement"] = MaxFd,
        ["Source"] = "Parkes et al. 2018 (NeuroImage 171:415-436), stringent criteria; Wang et al. 2024 (PLOS Comput Biol 20:e1011942)",
    };

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
    private static string F3(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
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
    /// <summary>The fraction the exclusion rule compares: the larger of <see cref="FdOver02Fraction"/> and <see cref="CensoredFraction"/>.</summary>
    public double ExclusionCensoredFraction => Math.Max(double.IsNaN(FdOver02Fraction) ? 0 : FdOver02Fraction, double.IsNaN(CensoredFraction) ? 0 : CensoredFraction);

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
