using System.Globalization;
using NiSharp.Nifti;

namespace NiSharp.Bids;

/// <summary>Where a repetition time came from.</summary>
public enum RepetitionTimeOrigin
{
    /// <summary>Nowhere: no parameter, sidecar or header gives it.</summary>
    None,
    /// <summary>Given explicitly (nilearn's <c>t_r</c>).</summary>
    Explicit,
    /// <summary>A BIDS JSON sidecar's <c>RepetitionTime</c>.</summary>
    Sidecar,
    /// <summary>The NIfTI header's <c>pixdim[4]</c> (for CIFTI, the series axis's step).</summary>
    Header,
}

/// <summary>
/// The repetition time of a 4D image and where it came from — the one rule every command and the pipeline use:
/// an explicit value wins, then the BIDS sidecar's <c>RepetitionTime</c> (with inheritance when the image was
/// found in a dataset), then the NIfTI header's <c>pixdim[4]</c> (BIDS: the sidecar is authoritative).
/// </summary>
/// <param name="Seconds">The repetition time in seconds, or null when nothing gives it.</param>
/// <param name="Origin">Where <paramref name="Seconds"/> came from.</param>
/// <param name="Source">The words recorded in output metadata (<c>RepetitionTimeSource</c>): the name of the parameter,
/// of the sidecar, or <c>NIfTI header pixdim[4]</c>; null when nothing gives it.</param>
/// <param name="HeaderSeconds">The header's value when it was read (to warn when it disagrees with the sidecar).</param>
public sealed record ResolvedRepetitionTime(double? Seconds, RepetitionTimeOrigin Origin, string? Source, double? HeaderSeconds = null)
{
    /// <summary>The name of the explicit parameter (nilearn's).</summary>
    public const string ParameterName = "t_r";

    /// <summary>What <see cref="Source"/> says for a sidecar found by BIDS inheritance.</summary>
    public const string InheritedSidecarSource = "sidecar RepetitionTime";

    /// <summary>What <see cref="Source"/> says for the header.</summary>
    public const string HeaderSource = "NIfTI header pixdim[4]";

    /// <summary>What <see cref="Source"/> says for a CIFTI file's series axis.</summary>
    public const string CiftiSeriesSource = "CIFTI series axis (SeriesStep)";

    /// <summary>No repetition time.</summary>
    public static ResolvedRepetitionTime Unknown { get; } = new(null, RepetitionTimeOrigin.None, null);

    /// <summary>An explicit value, recorded as given by <paramref name="parameter"/>.</summary>
    public static ResolvedRepetitionTime Explicit(double seconds, string parameter = ParameterName) => new(seconds, RepetitionTimeOrigin.Explicit, parameter);

    /// <summary>
    /// The repetition time of the image at <paramref name="imagePath"/>: <paramref name="explicitSeconds"/> when given
    /// (recorded as <paramref name="parameter"/>); else the <c>RepetitionTime</c> of <paramref name="metadata"/> (the
    /// inherited sidecars of a run found in a dataset) or, without it, of the image's own sidecar (same name,
    /// <c>.json</c>; recorded by its file name); else the NIfTI header (<paramref name="header"/>, read when not given).
    /// </summary>
    /// <exception cref="NiSharpException">A sidecar's <c>RepetitionTime</c> that is not a plausible number of seconds
    /// (naming the sidecar), a header's (naming the image; see <see cref="Problem"/>); an unreadable header.</exception>
    public static ResolvedRepetitionTime Resolve(string imagePath, double? explicitSeconds = null, BidsMetadata? metadata = null,
        NiftiHeader? header = null, string parameter = ParameterName)
    {
        if (explicitSeconds is double s) return Explicit(s, parameter);
        double? headerSeconds = header?.RepetitionTime;
        if (metadata is not null)
        {
            if (metadata.GetRepetitionTime() is double inherited)
                return new(inherited, RepetitionTimeOrigin.Sidecar, InheritedSidecarSource, headerSeconds);
        }
        else
        {
            var sidecar = BidsMetadata.SidecarPath(imagePath);
            if (File.Exists(sidecar) && BidsMetadata.ReadFile(sidecar).GetRepetitionTime() is double own)
                return new(own, RepetitionTimeOrigin.Sidecar, Path.GetFileName(sidecar), headerSeconds);
        }
        var h0 = header ?? NiftiFile.ReadHeader(imagePath);
        if (h0.IsCifti)
        {
            // A dense time series keeps its time step in the series axis of its XML, not in pixdim[4].
            double? step = Cifti.CiftiFile.ReadHeader(imagePath).Axes[0] is Cifti.SeriesAxis { Unit: "SECOND" } series && series.StepValue > 0 ? series.StepValue : null;
            return step is double st ? Plausible(imagePath, new(st, RepetitionTimeOrigin.Header, CiftiSeriesSource, st)) : Unknown;
        }
        headerSeconds = h0.RepetitionTime;
        return headerSeconds is double h ? Plausible(imagePath, new(h, RepetitionTimeOrigin.Header, HeaderSource, h)) : Unknown;
    }

    // A sidecar's value is checked where it is read (BidsMetadata.GetRepetitionTime, naming the sidecar); a header's
    // here, naming the image, so that a damaged pixdim[4] never reaches a filter (where 1e-300 s passes nothing and
    // shows up as regions of zero variance).
    private static ResolvedRepetitionTime Plausible(string imagePath, ResolvedRepetitionTime t)
    {
        t.Require(imagePath);
        return t;
    }

    /// <summary>The shortest and longest repetition times taken as seconds. Outside them the value is a mistake (a TR in
    /// milliseconds, a damaged header) that would otherwise show up far away, as a filter that passes nothing and
    /// regions with zero variance.</summary>
    public const double MinSeconds = 1e-3, MaxSeconds = 1000;

    /// <summary>Why <paramref name="seconds"/> cannot be a repetition time (written as <paramref name="text"/>, as its
    /// source spells it), or null when it can.</summary>
    public static string? Problem(double seconds, string text)
    {
        if (!double.IsFinite(seconds) || seconds <= 0) return $"RepetitionTime is {text}; it must be a positive number of seconds";
        if (seconds < MinSeconds || seconds > MaxSeconds)
            return $"RepetitionTime is {text}; a repetition time is between {MinSeconds.ToString(CultureInfo.InvariantCulture)} and {MaxSeconds.ToString(CultureInfo.InvariantCulture)} seconds (is it in the wrong unit?)";
        return null;
    }

    /// <summary>The seconds, or a <see cref="NiSharpException"/> naming <paramref name="imagePath"/> when nothing gives
    /// them or what gives them cannot be a repetition time (see <see cref="Problem"/>; the source is named).</summary>
    public double Require(string imagePath)
    {
        if (Seconds is not double t || !(t > 0))
            throw new NiSharpException(imagePath, "no RepetitionTime: neither the JSON sidecar nor the NIfTI header gives it");
        if (Problem(t, t.ToString("R", CultureInfo.InvariantCulture)) is string problem)
            throw new NiSharpException(imagePath, $"{problem} ({Source})");
        return t;
    }

    /// <summary>A warning when the sidecar's value and the header's differ by more than a millisecond, else null.</summary>
    public string? Disagreement() =>
        Origin == RepetitionTimeOrigin.Sidecar && Seconds is double s && HeaderSeconds is double h && Math.Abs(s - h) > 1e-3
            ? $"warning: RepetitionTime {s.ToString(CultureInfo.CurrentCulture)} s in the sidecar but {h.ToString(CultureInfo.CurrentCulture)} s in the header; using the sidecar's, as BIDS says"
            : null;
}
