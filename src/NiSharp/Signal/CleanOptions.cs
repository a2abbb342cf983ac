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
/// The parameters of <c>nilearn.signal.clean</c> (0.10.4 semantics), with nilearn's names in
/// <see cref="ToParameters"/>. Defaults are nilearn's except where current nilearn fixed a problem:
/// <see cref="Standardize"/> is <c>zscore_sample</c> (0.10.4: <c>zscore</c>, population std) and
/// <see cref="RepetitionTime"/> has no silent 2.5 s default (filtering without it is an error).
/// All checks live in <see cref="Validate"/>.
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

    /// <summary><c>extrapolate</c>: with a sample mask and Butterworth filtering, extrapolate censored volumes at
    /// both ends of the run (true, nilearn 0.10.4's default) or drop them before filtering (false).</summary>
    public bool Extrapolate { get; init; } = true;

    /// <summary>Test hook: interpolate censored volume t only when volume n-1-t is kept, as nilearn does by
    /// negating an index array (§3 of the fixtures README). Never set outside parity tests.</summary>
    internal bool ReproduceNilearnIndexMaskQuirk { get; init; }

    /// <summary>Whether these options band/low/high-pass filter with Butterworth.</summary>
    public bool UsesButterworth => Filter == SignalFilter.Butterworth && (LowPass.HasValue || HighPass.HasValue);

    /// <summary>Whether these options add cosine drift regressors.</summary>
    public bool UsesCosine => Filter == SignalFilter.Cosine;

    /// <summary>Checks the combination; throws <see cref="NiSharpException"/> naming the bad value.</summary>
    public CleanOptions Validate()
    {
        if (LowPass is double lp && !(double.IsFinite(lp) && lp > 0))
            throw new NiSharpException($"low_pass must be a positive frequency in Hz, got {F(lp)}");
        if (HighPass is double hp && !(double.IsFinite(hp) && hp > 0))
            throw new NiSharpException($"high_pass must be a positive frequency in Hz, got {F(hp)}");
        if (RepetitionTime is double tr && !(double.IsFinite(tr) && tr > 0))
            throw new NiSharpException($"t_r must be a positive number of seconds, got {F(tr)}");
        if (Filter == SignalFilter.Butterworth && LowPass is double l && HighPass is double h && h >= l)
            throw new NiSharpException($"high_pass ({F(h)} Hz) must be below low_pass ({F(l)} Hz)");
        if (UsesButterworth && RepetitionTime is null)
            throw new NiSharpException("a repetition time (t_r) is needed to filter; give it or use an image whose header has it");
        if (UsesCosine && (HighPass is null || RepetitionTime is null))
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
    /// filter design and padding, and the two places where NiSharp knowingly differs from nilearn 0.10.4.
    /// </summary>
    public IReadOnlyDictionary<string, object?> ToParameters()
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["detrend"] = Detrend,
            ["standardize"] = Name(Standardize),
            ["standardize_confounds"] = StandardizeConfounds,
            ["filter"] = Name(Filter),
            ["low_pass"] = LowPass,
            ["high_pass"] = HighPass,
            ["t_r"] = RepetitionTime,
            ["ensure_finite"] = EnsureFinite,
            ["extrapolate"] = Extrapolate,
        };
        if (UsesButterworth)
        {
            bool band = LowPass.HasValue && HighPass.HasValue;
            d["butterworth_order"] = band ? 2 * ButterworthOrder : ButterworthOrder;
            d["butterworth_btype"] = band ? "band" : LowPass.HasValue ? "low" : "high";
            d["butterworth_padtype"] = "odd";
            d["butterworth_padlen"] = 3 * ((band ? 2 * ButterworthOrder : ButterworthOrder) + 1);
        }
        d["sample_mask_interpolation"] = "every censored volume (cubic spline, not-a-knot) before filtering";
        d["semantics"] = "nilearn 0.10.4 signal.clean";
        return d;
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
