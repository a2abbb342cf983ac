using System.Globalization;
using NiSharp.Bids;
using NiSharp.Imaging;
using NiSharp.Signal;

namespace NiSharp.Maskers;

/// <summary>
/// What a masker does with a region that has no voxels to average: a label that vanished when the atlas
/// was put on the data grid, lies outside the field of view or the mask, or is below the coverage threshold.
/// </summary>
public enum KeepEmpty
{
    /// <summary>Keep the column, filled with NaN (written as <c>n/a</c>): the default, so that column k is
    /// always the same region across subjects and an empty region is never mistaken for a flat signal.</summary>
    Nan,
    /// <summary>Keep the column, filled with 0: nilearn 0.10.4's <c>keep_masked_labels=True</c> for labels
    /// removed by the mask (and the lesson's zero padding).</summary>
    Zero,
    /// <summary>Leave the column out: nilearn's output (labels missing after resampling are never returned;
    /// since 0.13 masked-out labels neither, <c>keep_masked_labels=False</c>).</summary>
    Drop,
}

/// <summary>
/// The signal-cleaning parameters every masker shares, under nilearn's masker names and with the
/// masker's defaults (the same from nilearn 0.10.4 to 0.14): no detrending, no standardisation, no filter,
/// confounds standardised before regression. Region signals are cleaned with <see cref="SignalCleaner"/>
/// after extraction, as nilearn's maskers call <c>signal.clean</c>.
/// </summary>
public abstract record MaskerOptions
{
    /// <summary><c>standardize</c>: none (nilearn's masker default <c>False</c>). nilearn 0.10.4's
    /// <c>True</c> is <see cref="StandardizeMethod.ZScore"/> (population std, ddof 0).</summary>
    public StandardizeMethod Standardize { get; init; } = StandardizeMethod.None;

    /// <summary><c>standardize_confounds</c> (default true): z-score the confounds before regressing them out.</summary>
    public bool StandardizeConfounds { get; init; } = true;

    /// <summary><c>detrend</c> (default false): remove linear trends from signals and confounds.</summary>
    public bool Detrend { get; init; }

    /// <summary><c>low_pass</c> in Hz (Butterworth), or null.</summary>
    public double? LowPass { get; init; }

    /// <summary><c>high_pass</c> in Hz (Butterworth), or null.</summary>
    public double? HighPass { get; init; }

    /// <summary><c>t_r</c> in seconds. Needed to filter; when null, the file-based calls take the BIDS sidecar's
    /// or the NIfTI header's repetition time (nilearn's masker would fail instead).</summary>
    public double? RepetitionTime { get; init; }

    /// <summary>Where <see cref="RepetitionTime"/> came from, as recorded in the output's <c>RepetitionTimeSource</c>
    /// (default <c>t_r</c>); see <see cref="ResolvedRepetitionTime"/>.</summary>
    public string? RepetitionTimeSource { get; init; }

    /// <summary><c>extrapolate</c> of <c>signal.clean</c> for censored volumes at the ends of a run (default false, as
    /// nilearn 0.13 and later; true is 0.10.4's default). See <see cref="CleanOptions.Extrapolate"/>.</summary>
    public bool Extrapolate { get; init; }

    /// <summary>Which censored volumes are interpolated before filtering (<see cref="CleanOptions.CensoredInterpolation"/>).</summary>
    public CensoredInterpolation CensoredInterpolation { get; init; } = CensoredInterpolation.All;

    /// <summary>The nilearn release whose <c>signal.clean</c> is reproduced (<see cref="CleanOptions.Semantics"/>).</summary>
    public NilearnSemantics Semantics { get; init; } = NilearnSemantics.V0_14;

    /// <summary>
    /// <c>smoothing_fwhm</c> (default none): each volume is smoothed as nilearn's <c>smooth_img</c> (see
    /// <see cref="Smoothing"/>) on the data grid before the regions are reduced, as nilearn's maskers smooth the image
    /// in <c>filter_and_extract</c> before extracting signals. Integer data are then smoothed and reduced as float32.
    /// </summary>
    public Fwhm? SmoothingFwhm { get; init; }

    /// <summary>
    /// <c>high_variance_confounds</c> (default false): regress out, before the user's confounds, the 5 high-variance
    /// confounds of the image given to the transform (<see cref="HighVarianceImageConfounds"/> over every voxel, 2%
    /// percentile, detrended), as nilearn's masker <c>transform</c> does. Costs one more pass over the volumes (the region
    /// maskers feed the first pass of the computation from their own).
    /// </summary>
    public bool HighVarianceConfounds { get; init; }

    /// <summary>What to do with regions that have no voxels (default: keep them as NaN columns).</summary>
    public KeepEmpty KeepEmpty { get; init; } = KeepEmpty.Nan;

    /// <summary>The repetition time of the image at <paramref name="imagePath"/>: <see cref="RepetitionTime"/> when given;
    /// else, when filtering needs it, the one of <see cref="ResolvedRepetitionTime.Resolve"/>; else none.</summary>
    internal ResolvedRepetitionTime ResolveRepetitionTime(string? imagePath) =>
        RepetitionTime is double given ? ResolvedRepetitionTime.Explicit(given, RepetitionTimeSource ?? ResolvedRepetitionTime.ParameterName)
        : Filters && imagePath is not null ? ResolvedRepetitionTime.Resolve(imagePath)
        : ResolvedRepetitionTime.Unknown;

    /// <summary>Whether a Butterworth filter is asked for.</summary>
    public bool Filters => LowPass.HasValue || HighPass.HasValue;

    /// <summary>The cleaning this masker applies, for a run whose repetition time is <paramref name="repetitionTime"/>
    /// (when <see cref="RepetitionTime"/> is not given).</summary>
    public CleanOptions ToCleanOptions(double? repetitionTime = null) => new CleanOptions
    {
        Detrend = Detrend,
        Standardize = Standardize,
        StandardizeConfounds = StandardizeConfounds,
        Filter = SignalFilter.Butterworth,
        LowPass = LowPass,
        HighPass = HighPass,
        RepetitionTime = RepetitionTime ?? repetitionTime,
        Extrapolate = Extrapolate,
        CensoredInterpolation = CensoredInterpolation,
        Semantics = Semantics,
    };

    /// <summary>Checks the cleaning parameters (the filter's t_r is checked when it is known, at extraction).</summary>
    protected void ValidateCleaning()
    {
        // A placeholder t_r lets CleanOptions check cut-offs now; the real one is checked per run.
        ToCleanOptions(repetitionTime: RepetitionTime ?? 1).Validate();
    }

    /// <summary>nilearn's name of a keep-empty choice (<c>nan</c>, <c>zero</c>, <c>drop</c>).</summary>
    public static string Name(KeepEmpty k) => k switch
    {
        KeepEmpty.Zero => "zero",
        KeepEmpty.Drop => "drop",
        _ => "nan",
    };

    /// <summary>Parses <c>nan|zero|drop</c>.</summary>
    public static KeepEmpty ParseKeepEmpty(string text) => text.Trim().ToLowerInvariant() switch
    {
        "nan" or "n/a" => KeepEmpty.Nan,
        "zero" or "0" => KeepEmpty.Zero,
        "drop" => KeepEmpty.Drop,
        _ => throw new NiSharpException($"unknown keep-empty '{text}': use nan, zero or drop"),
    };

    /// <summary>The masker's own parameters under nilearn's names, for sidecars (cleaning is reported by
    /// <see cref="SignalCleaner.EffectiveParameters"/>).</summary>
    public virtual Dictionary<string, object?> ToParameters()
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["keep_empty"] = Name(KeepEmpty),
            ["resampling_target"] = "data",
        };
        // only when smoothing: the parameters (and the provenance hash of outputs made without it) stay as before
        if (SmoothingFwhm is { IsNone: false } f) d["smoothing_fwhm"] = f.ToParameter();
        // likewise only when asked for
        if (HighVarianceConfounds) d["high_variance_confounds"] = true;
        return d;
    }

    /// <summary>Whether <see cref="SmoothingFwhm"/> smooths anything (a scalar 0 is nilearn's "no smoothing").</summary>
    internal bool Smooths => SmoothingFwhm is { IsNone: false };

    private protected static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
