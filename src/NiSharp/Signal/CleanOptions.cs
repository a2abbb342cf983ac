using System.Globalization;

namespace NiSharp.Signal;

/// <summary>How signals are standardised after cleaning (nilearn's <c>standardize</c>).</summary>
public enum StandardizeMethod
{
    /// <summary><c>False</c>: leave the scale alone.</summary>
    None,
    /// <summary><c>'zscore'</c> (nilearn 0.10.4's <c>True</c>): zero mean, unit population std (ddof 0).</summary>
    ZScore,
    /// <summary><c>'zscore_sample'</c> (current nilearn's <c>True</c>): zero mean, unit sample std (ddof 1).</summary>
    ZScoreSample,
    /// <summary><c>'psc'</c>: percent signal change relative to each signal's mean.</summary>
    Psc,
}

/// <summary>The temporal filter (nilearn's <c>filter</c>).</summary>
public enum SignalFilter
{
    /// <summary><c>False</c>: no filtering even if cut-offs are given.</summary>
    None,
    /// <summary><c>'butterworth'</c>: order-5 Butterworth, forward-backward (zero phase).</summary>
    Butterworth,
    /// <summary><c>'cosine'</c>: discrete cosine drift regressors added to the confounds (high-pass only).</summary>
    Cosine,
}

/// <summary>
/// Which nilearn release's <c>signal.clean</c> to reproduce where releases differ without a parameter to tell them
/// apart (the defaults that do have one, <c>standardize</c> and <c>extrapolate</c>, are options of their own).
/// </summary>
public enum NilearnSemantics
{
    /// <summary>nilearn 0.14 (the default): Butterworth filtering with second-order sections (<c>sosfiltfilt</c>),
    /// confounds z-scored with the sample standard deviation, and the signals' mean added back before standardising
    /// only for <c>psc</c>, and only when cleaning removed it.</summary>
    V0_14,
    /// <summary>nilearn 0.10.4: one order-10 transfer function (<c>filtfilt</c>), confounds z-scored with the
    /// population standard deviation, and the mean added back whenever the signals are Butterworth-filtered (or
    /// detrended for <c>psc</c>) — which halves <c>psc</c> values after a low-pass filter without detrending.</summary>
    V0_10_4,
}

/// <summary>Which censored volumes the cubic spline replaces before Butterworth filtering.</summary>
public enum CensoredInterpolation
{
    /// <summary>Every censored volume between kept ones (and, with <c>extrapolate</c>, those at the ends): what
    /// nilearn documents and means to do (the default).</summary>
    All,
    /// <summary>nilearn's code as it runs, in every release from 0.9 to 0.14: it assigns <c>volumes[~sample_mask]</c>
    /// with <c>sample_mask</c> an integer index array, so volume t is replaced only when volume n−1−t is kept; the
    /// others keep their raw values through the filter. Without <c>extrapolate</c>, the rows the spline left empty
    /// are dropped and the kept volumes are taken at <c>sample_mask − sample_mask[0]</c>, which selects other
    /// volumes than the kept ones as soon as a censored volume at the start was not dropped. Only to reproduce
    /// nilearn's numbers exactly.</summary>
    NilearnIndexMask,
}

/// <summary>
/// The parameters of <c>nilearn.signal.clean</c> (0.14 semantics by default, see <see cref="Semantics"/>), with
/// nilearn's names in <see cref="ToParameters"/>. Defaults are nilearn 0.14's (<see cref="Standardize"/>
/// <c>zscore_sample</c>, <see cref="Extrapolate"/> false) except that <see cref="RepetitionTime"/> has no silent
/// 2.5 s default (filtering without it is an error). All checks live in <see cref="Validate"/>.
/// </summary>
public sealed record CleanOptions
{
    /// <summary>The Butterworth order nilearn uses (a band-pass is twice this).</summary>
    public const int ButterworthOrder = 5;

    /// <summary><c>detrend</c>: remove a linear trend from signals and confounds (default true).</summary>
    public bool Detrend { get; init; } = true;

    /// <summary><c>standardize</c> (default <see cref="StandardizeMethod.ZScoreSample"/>).</summary>
    public StandardizeMethod Standardize { get; init; } = StandardizeMethod.ZScoreSample;

    /// <summary><c>standardize_confounds</c>: z-score (ddof 0) the confounds before regression (default true);
    /// when false they are divided by their maximum absolute value.</summary>
    public bool StandardizeConfounds { get; init; } = true;

    /// <summary><c>filter</c> (default Butterworth; nothing happens unless a cut-off is given).</summary>
    public SignalFilter Filter { get; init; } = SignalFilter.Butterworth;

    /// <summary><c>low_pass</c> in Hz: frequencies above are removed.</summary>
    public double? LowPass { get; init; }

    /// <summary><c>high_pass</c> in Hz: frequencies below are removed.</summary>
    public double? HighPass { get; init; }

    /// <summary><c>t_r</c>: seconds between volumes; required to filter.</summary>
    public double? RepetitionTime { get; init; }

    /// <summary><c>ensure_finite</c>: replace NaN and infinite signal values by 0 first (default false).</summary>
    public bool EnsureFinite { get; init; }

    /// <summary><c>extrapolate</c>: with a sample mask and Butterworth filtering, extrapolate the censored volumes
    /// before the first and after the last kept one from the spline (true, nilearn's default up to 0.12) or leave
    /// them out of the filtering (false, the default since nilearn 0.13).</summary>
    public bool Extrapolate { get; init; }

    /// <summary>Which censored volumes are interpolated before filtering (default every one; see
    /// <see cref="CensoredInterpolation.NilearnIndexMask"/> to reproduce nilearn's numbers exactly).</summary>
    public CensoredInterpolation CensoredInterpolation { get; init; } = CensoredInterpolation.All;

    /// <summary>The nilearn release reproduced where releases differ without a parameter (default 0.14).</summary>
    public NilearnSemantics Semantics { get; init; } = NilearnSemantics.V0_14;

    /// <summary>Whether these options band/low/high-pass filter with Butterworth.</summary>
    public bool UsesButterworth => Filter == SignalFilter.Butterworth && (LowPass.HasValue || HighPass.HasValue);

    /// <summary>Whether these options add cosine drift regressors.</summary>
    public bool UsesCosine => Filter == SignalFilter.Cosine;

    /// <summary>Whether the cleaning needs a repetition time (<see cref="RepetitionTime"/>): to design the Butterworth
    /// filter or the cosine regressors.</summary>
    public bool NeedsRepetitionTime => UsesButterworth || UsesCosine;

    /// <summary>Checks the combination; throws <see cref="NiSharpException"/> naming the bad value.</summary>
    public CleanOptions Validate()
    {
        ValidateValues();
        if (UsesButterworth && RepetitionTime is null)
            throw new NiSharpException("a repetition time (t_r) is needed to filter; give it or use an image whose header has it");
        if (UsesCosine && RepetitionTime is null)
            throw new NiSharpException("the cosine filter needs both high_pass and t_r");
        return this;
    }

    /// <summary>
    /// Checks every value and their combination, but not yet that a repetition time is there when filtering needs
    /// one: for options whose <see cref="RepetitionTime"/> is each run's own (a masker's, a pipeline's), checked again
    /// with <see cref="Validate"/> once the run's is known.
    /// </summary>
    public CleanOptions ValidateValues()
    {
        if (LowPass is double lp && !(double.IsFinite(lp) && lp > 0))
            throw new NiSharpException($"low_pass must be a positive frequency in Hz, got {F(lp)}");
        if (HighPass is double hp && !(double.IsFinite(hp) && hp > 0))
            throw new NiSharpException($"high_pass must be a positive frequency in Hz, got {F(hp)}");
        if (RepetitionTime is double tr && !(double.IsFinite(tr) && tr > 0))
            throw new NiSharpException($"t_r must be a positive number of seconds, got {F(tr)}");
        if (RepetitionTime is double t && Bids.ResolvedRepetitionTime.Problem(t, F(t)) is not null)
            throw new NiSharpException($"t_r must be between {F(Bids.ResolvedRepetitionTime.MinSeconds)} and {F(Bids.ResolvedRepetitionTime.MaxSeconds)} seconds (is it in the wrong unit?), got {F(t)}");
        if (Filter == SignalFilter.Butterworth && LowPass is double l && HighPass is double h && h >= l)
            throw new NiSharpException($"high_pass ({F(h)} Hz) must be below low_pass ({F(l)} Hz)");
        if (UsesCosine && HighPass is null)
            throw new NiSharpException("the cosine filter needs both high_pass and t_r");
        return this;
    }

    /// <summary>Warnings nilearn would raise for this combination (none are errors).</summary>
    public IEnumerable<string> Warnings(bool hasConfounds)
    {
        if (Filter == SignalFilter.None && (LowPass.HasValue || HighPass.HasValue))
            yield return "no filter selected but a cut-off frequency was given: no filtering is done";
        if (UsesCosine && LowPass.HasValue)
            yield return "low_pass is not implemented for the cosine filter and is ignored";
        if (hasConfounds && !Detrend && !StandardizeConfounds)
            yield return "confounds are neither detrended nor standardised: the signals will not be correctly cleaned";
    }

    /// <summary>nilearn's name of a standardisation method (<c>zscore_sample</c>, <c>zscore</c>, <c>psc</c>, <c>none</c>).</summary>
    public static string Name(StandardizeMethod m) => m switch
    {
        StandardizeMethod.ZScore => "zscore",
        StandardizeMethod.ZScoreSample => "zscore_sample",
        StandardizeMethod.Psc => "psc",
        _ => "none",
    };

    /// <summary>Parses <c>zscore|zscore_sample|psc|none</c> (also <c>false</c>).</summary>
    public static StandardizeMethod ParseStandardize(string text) => text.Trim().ToLowerInvariant() switch
    {
        "zscore" => StandardizeMethod.ZScore,
        "zscore_sample" => StandardizeMethod.ZScoreSample,
        "psc" => StandardizeMethod.Psc,
        "none" or "false" => StandardizeMethod.None,
        _ => throw new NiSharpException($"unknown standardize '{text}': use zscore, zscore_sample, psc or none"),
    };

    /// <summary>nilearn's name of a filter (<c>butterworth</c>, <c>cosine</c>, <c>none</c>).</summary>
    public static string Name(SignalFilter f) => f switch
    {
        SignalFilter.Butterworth => "butterworth",
        SignalFilter.Cosine => "cosine",
        _ => "none",
    };

    /// <summary>
    /// Every effective parameter under nilearn's names, for JSON sidecars: what was asked, the implied
    /// filter design and padding, which censored volumes are interpolated, and the nilearn release reproduced.
    /// Without <paramref name="repetitionTime"/>, <c>t_r</c> is left out: the parameters every run of a pipeline
    /// shares (each run records its own repetition time).
    /// </summary>
    public IReadOnlyDictionary<string, object?> ToParameters(bool repetitionTime = true)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["detrend"] = Detrend,
            ["standardize"] = Name(Standardize),
            ["standardize_confounds"] = StandardizeConfounds,
            ["filter"] = Name(Filter),
            ["low_pass"] = LowPass,
            ["high_pass"] = HighPass,
        };
        if (repetitionTime) d["t_r"] = RepetitionTime;
        d["ensure_finite"] = EnsureFinite;
        d["extrapolate"] = Extrapolate;
        if (UsesButterworth)
        {
            bool band = LowPass.HasValue && HighPass.HasValue;
            d["butterworth_order"] = band ? 2 * ButterworthOrder : ButterworthOrder;
            d["butterworth_btype"] = band ? "band" : LowPass.HasValue ? "low" : "high";
            d["butterworth_output"] = Semantics == NilearnSemantics.V0_10_4 ? "ba" : "sos";
            d["butterworth_padtype"] = "odd";
            d["butterworth_padlen"] = 3 * ((band ? 2 * ButterworthOrder : ButterworthOrder) + 1);
        }
        d["sample_mask_interpolation"] = CensoredInterpolation == CensoredInterpolation.NilearnIndexMask
            ? "nilearn's index-mask assignment: volume t only when volume n-1-t is kept (cubic spline, not-a-knot)"
            : Extrapolate
                ? "every censored volume (cubic spline, not-a-knot) before filtering"
                : "every censored volume between the first and last kept ones (cubic spline, not-a-knot); those outside are left out of the filtering";
        d["semantics"] = $"nilearn {Name(Semantics)} signal.clean";
        return d;
    }

    /// <summary>The release a <see cref="NilearnSemantics"/> stands for (<c>0.14</c>, <c>0.10.4</c>).</summary>
    public static string Name(NilearnSemantics s) => s == NilearnSemantics.V0_10_4 ? "0.10.4" : "0.14";

    /// <summary>Parses a nilearn release: <c>0.14</c> (also <c>0.14.0</c>, <c>0.13</c>, <c>0.11</c>…) or <c>0.10.4</c>
    /// (also <c>0.10</c>).</summary>
    public static NilearnSemantics ParseSemantics(string text)
    {
        var t = text.Trim();
        if (Version.TryParse(t.Count(c => c == '.') == 0 ? t + ".0" : t, out var v))
        {
            if (v.Major == 0 && v.Minor == 10) return NilearnSemantics.V0_10_4;
            if (v.Major == 0 && v.Minor is >= 11 and <= 14) return NilearnSemantics.V0_14;
        }
        throw new NiSharpException($"unknown nilearn release '{text}': use 0.14 (0.11 to 0.14 clean alike) or 0.10.4");
    }

    /// <summary>nilearn-style name of a <see cref="CensoredInterpolation"/> (<c>all</c>, <c>nilearn</c>).</summary>
    public static string Name(CensoredInterpolation c) => c == CensoredInterpolation.NilearnIndexMask ? "nilearn" : "all";

    /// <summary>Parses <c>all|nilearn</c>.</summary>
    public static CensoredInterpolation ParseCensoredInterpolation(string text) => text.Trim().ToLowerInvariant() switch
    {
        "all" => CensoredInterpolation.All,
        "nilearn" or "nilearn-index-mask" => CensoredInterpolation.NilearnIndexMask,
        _ => throw new NiSharpException($"unknown censored interpolation '{text}': use all or nilearn"),
    };

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
