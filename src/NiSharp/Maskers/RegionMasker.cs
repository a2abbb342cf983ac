using System.Numerics;
using NiSharp.Confounds;
using NiSharp.Nifti;

namespace NiSharp.Maskers;

/// <summary>
/// Sees a region masker's single pass over an image, so that other measures (quality control, a mean image) are taken
/// from the same read instead of a second one. Calls come in volume order from one thread.
/// </summary>
public interface IExtractionObserver
{
    /// <summary>Every volume of the image, dummy volumes included, as read (before any smoothing). The span is only
    /// valid during the call.</summary>
    void Volume<T>(int index, ReadOnlySpan<T> volume) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>Each kept-for-extraction volume (after the dummy volumes; <paramref name="row"/> counts from 0) as the
    /// regions were reduced from it (smoothed when the masker smooths), with the raw region values of that volume.</summary>
    void Reduced<T>(int row, ReadOnlySpan<T> volume, ReadOnlySpan<T> regionValues) where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>
/// What every region masker (labels, maps, spheres) offers in the same words: nilearn's <c>fit_transform</c> on a file,
/// on an opened file (with an <see cref="IExtractionObserver"/> on its single pass) and on an image in memory. Each
/// masker contributes only its fit on a data grid and its reduction.
/// </summary>
public abstract class RegionMasker
{
    private protected RegionMasker() { }

    /// <summary>nilearn's <c>fit_transform(bold, confounds, sample_mask)</c> on a file, with the regressors, sample mask
    /// and dummy volumes of <paramref name="confounds"/> (none when null). The file is streamed volume by volume.</summary>
    public RegionSignals FitTransform(string boldPath, ConfoundSelection? confounds = null, ICollection<string>? warnings = null) =>
        FitTransform(boldPath, MaskerInputs.From(confounds), warnings);

    /// <summary>nilearn's <c>fit_transform</c> on a file with explicit confounds, sample mask and dummy volumes.</summary>
    public RegionSignals FitTransform(string boldPath, MaskerInputs inputs, ICollection<string>? warnings = null)
    {
        using var f = NiftiFile.Open(boldPath);
        return FitTransform(f, inputs, warnings);
    }

    /// <summary>
    /// <c>fit_transform</c> on an opened file, read once: <paramref name="observer"/> (when given) sees that same pass —
    /// every volume, and the region values of each kept one.
    /// </summary>
    public RegionSignals FitTransform(NiftiFile bold, MaskerInputs inputs, ICollection<string>? warnings = null, IExtractionObserver? observer = null)
    {
        RegionExtraction.CheckData(bold);
        // The BOLD's decompression starts now, beside the fit (which may read an atlas file).
        using var source = VolumeSource.ReadingAhead(bold);
        return Transform(source, inputs, warnings, observer);
    }

    /// <summary>nilearn's <c>fit_transform</c> on an image in memory (float32 images give float32 signals).</summary>
    public RegionSignals FitTransform<T>(Image<T> image, MaskerInputs? inputs = null, ICollection<string>? warnings = null)
        where T : unmanaged, INumber<T> =>
        Transform(VolumeSource.Of(image), inputs ?? MaskerInputs.None, warnings, null);

    /// <summary>
    /// Several maskers' <c>fit_transform</c> on one read of <paramref name="bold"/> (several atlases for one run): each
    /// volume is read once and reduced by every masker; each result equals the one its masker gives alone.
    /// <paramref name="warnings"/> and <paramref name="observers"/> (when given) hold one entry per masker. The maskers
    /// must smooth alike and agree on <c>high_variance_confounds</c> (what is done to the volumes before reducing).
    /// </summary>
    public static IReadOnlyList<RegionSignals> FitTransformEach(NiftiFile bold, IReadOnlyList<RegionMasker> maskers, MaskerInputs inputs,
        IReadOnlyList<ICollection<string>?>? warnings = null, IReadOnlyList<IExtractionObserver?>? observers = null)
    {
        RegionExtraction.CheckData(bold);
        using var source = VolumeSource.ReadingAhead(bold);
        var jobs = maskers.Select((m, i) => m.Prepare(source, warnings?[i], observers?[i])).ToArray();
        return RegionExtraction.Run(source, jobs, inputs);
    }

    /// <summary>Fits on the source's grid and runs <see cref="RegionExtraction"/> with this masker's reduction.</summary>
    private RegionSignals Transform(VolumeSource source, MaskerInputs inputs, ICollection<string>? warnings, IExtractionObserver? observer) =>
        RegionExtraction.Run(source, [Prepare(source, warnings, observer)], inputs)[0];

    /// <summary>This masker's part of a pass over <paramref name="source"/>: its fit on the source's grid and its reduction.</summary>
    private protected abstract ExtractionJob Prepare(VolumeSource source, ICollection<string>? warnings, IExtractionObserver? observer);
}
