using NiSharp.Signal;

namespace NiSharp.Qc;

/// <summary>
/// The temporal degrees of freedom a denoising uses up in one run (Parkes et al. 2018; Wang et al. 2024): one per
/// confound regressor (discrete cosines included), one per censored volume, and the share of the spectrum a temporal
/// filter removes.
/// </summary>
/// <remarks>
/// <para>Counted over the <see cref="Volumes"/> left after the dummy volumes (which are never part of the analysed
/// series). As in the fMRIPrep denoising benchmark, a regressor counts one whatever it is (the 24 motion terms are 24),
/// a censored volume one, and the linear detrend and the mean are not counted (every strategy has them).</para>
/// <para>Filter: N volumes at repetition time TR carry N degrees of freedom spread evenly over 0 … 1/(2TR) Hz, i.e.
/// 2·N·TR per Hz. A Butterworth band-pass (high-pass h, low-pass l) removes the bands below h and above l:
/// <c>filter = 2·N·TR·(max(0, h − f<sub>cos</sub>) + max(0, 1/(2TR) − l))</c>, where
/// <c>f<sub>cos</sub> = c / (2·N·TR)</c> is the band already removed by the c discrete-cosine regressors among the
/// confounds (the DCT-II basis k = 1..c spans 0 … c/(2·N·TR) Hz), so a cosine and the filter never count the same band
/// twice. Without a filter this term is 0 and the count is the benchmark's.</para>
/// <para><see cref="Loss"/> can exceed N (a band-pass of 0.009–0.08 Hz at TR 2 s alone leaves 28% of the degrees of
/// freedom); <see cref="Remaining"/> is then 0: the regression is over-fitted.</para>
/// </remarks>
/// <param name="Volumes">Volumes after dummy removal (N).</param>
/// <param name="Regressors">Confound regressors.</param>
/// <param name="Censored">Volumes censored (scrubbed, or non-steady-state volumes kept in the series but censored).</param>
/// <param name="Filter">Degrees of freedom removed by the temporal filter (fractional).</param>
public sealed record TemporalDegreesOfFreedom(int Volumes, int Regressors, int Censored, double Filter)
{
    /// <summary>Regressors + censored volumes + filter.</summary>
    public double Loss => Regressors + Censored + Filter;

    /// <summary>N − loss, at least 0.</summary>
    public double Remaining => Math.Max(0, Volumes - Loss);

    /// <summary>Loss / N.</summary>
    public double LossFraction => Volumes > 0 ? Loss / Volumes : double.NaN;

    /// <summary>The count for a run of <paramref name="volumes"/> volumes cleaned with <paramref name="clean"/>, with
    /// <paramref name="regressors"/> confounds of which <paramref name="cosineRegressors"/> are discrete cosines.</summary>
    public static TemporalDegreesOfFreedom Compute(int volumes, int regressors, int censored, int cosineRegressors, CleanOptions clean)
    {
        double filter = 0;
        if (clean.UsesButterworth)
            filter = FilterLoss(volumes, clean.RepetitionTime!.Value, clean.LowPass, clean.HighPass, cosineRegressors);
        else if (clean.UsesCosine && clean.HighPass is double hp && clean.RepetitionTime is double tr)
            filter = FilterLoss(volumes, tr, null, hp, cosineRegressors); // nilearn's own cosines, if not already given
        return new TemporalDegreesOfFreedom(volumes, regressors, censored, filter);
    }

    /// <summary>The degrees of freedom a filter removes (see the remarks): 2·N·TR·(removed bandwidth not already removed by cosines).</summary>
    public static double FilterLoss(int volumes, double repetitionTime, double? lowPass, double? highPass, int cosineRegressors)
    {
        if (volumes <= 0 || !(repetitionTime > 0)) return 0;
        double perHz = 2.0 * volumes * repetitionTime;
        double nyquist = 1 / (2 * repetitionTime);
        double cosineBand = cosineRegressors / perHz;
        double removed = 0;
        if (highPass is double h) removed += Math.Max(0, Math.Min(h, nyquist) - cosineBand);
        if (lowPass is double l) removed += Math.Max(0, nyquist - Math.Max(l, highPass ?? 0));
        return Math.Min(volumes, perHz * removed);
    }
}
