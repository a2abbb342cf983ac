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
/// What every masker shares: the signal cleaning (<see cref="Clean"/>, nilearn's masker parameters <c>standardize</c>,
/// <c>detrend</c>, <c>low_pass</c>, <c>high_pass</c>, <c>t_r</c>… as one <see cref="CleanOptions"/>, with the masker's
/// defaults), the smoothing, the image's high-variance confounds and the empty regions. Region signals are cleaned
/// with <see cref="SignalCleaner"/> after extraction, as nilearn's maskers call <c>signal.clean</c>.
/// </summary>
public abstract record MaskerOptions
{
    /// <summary>
    /// The cleaning nilearn's maskers default to (the same from nilearn 0.10.4 to 0.14): no detrending, no
    /// standardisation (nilearn 0.10.4's <c>True</c> is <see cref="StandardizeMethod.ZScore"/>), no filter, confounds
    /// standardised before regression; the 0.14 semantics. Start from it (<c>DefaultCleaning with { LowPass = 0.08 }</c>):
    /// a <c>new CleanOptions()</c> has <c>signal.clean</c>'s own defaults (detrend, <c>zscore_sample</c>).
    /// </summary>
    public static CleanOptions DefaultCleaning { get; } = new() { Detrend = false, Standardize = StandardizeMethod.None };

    /// <summary>
    /// The cleaning of the extracted signals (default <see cref="DefaultCleaning"/>). Its <see cref="CleanOptions.RepetitionTime"/>
    /// is nilearn's <c>t_r</c>; when null, the file-based calls take the BIDS sidecar's or the NIfTI header's when
    /// filtering needs one (nilearn's masker would fail instead).
    /// </summary>
    public CleanOptions Clean { get; init; } = DefaultCleaning;

    /// <summary>Where <see cref="CleanOptions.RepetitionTime"/> of <see cref="Clean"/> came from, as recorded in the
    /// output's <c>RepetitionTimeSource</c> (default <c>t_r</c>); see <see cref="ResolvedRepetitionTime"/>.</summary>
    public string? RepetitionTimeSource { get; init; }

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

    /// <summary>The repetition time of the image at <paramref name="imagePath"/>: the one of <see cref="Clean"/> when given;
    /// else, when the cleaning needs one, the one of <see cref="ResolvedRepetitionTime.Resolve"/>; else none.</summary>
    internal ResolvedRepetitionTime ResolveRepetitionTime(string? imagePath) =>
        Clean.RepetitionTime is double given ? ResolvedRepetitionTime.Explicit(given, RepetitionTimeSource ?? ResolvedRepetitionTime.ParameterName)
        : Clean.NeedsRepetitionTime && imagePath is not null ? ResolvedRepetitionTime.Resolve(imagePath)
        : ResolvedRepetitionTime.Unknown;

    /// <summary>Checks the cleaning parameters (the filter's t_r is checked when it is known, at extraction).</summary>
    protected void ValidateCleaning() => Clean.ValidateValues();

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
