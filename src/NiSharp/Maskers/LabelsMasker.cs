using System.Numerics;
using NiSharp.Atlases;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Maskers;

/// <summary>
/// The labels masker fitted to one data grid: the atlas (and mask) resampled onto it, the voxel → label index,
/// and the coverage of every label. Immutable; shared by every run on that grid.
/// </summary>
public sealed class FittedLabels
{
    internal FittedLabels(Grid grid, Image<int> labels, Image<byte>? mask, IReadOnlyList<RegionCoverage> coverage, RegionVoxelIndex index,
        int? background)
    {
        Grid = grid; ResampledLabels = labels; ResampledMask = mask; Coverage = coverage; Index = index; BackgroundLabel = background;
    }

    /// <summary>The data grid.</summary>
    public Grid Grid { get; }

    /// <summary>The atlas on the data grid (nilearn's <c>labels_img_</c> after <c>resample_img(interpolation='nearest')</c>).</summary>
    public Image<int> ResampledLabels { get; }

    /// <summary>The mask on the data grid, or null.</summary>
    public Image<byte>? ResampledMask { get; }

    /// <summary>Every label of the atlas, ascending, with its coverage and status on this grid.</summary>
    public IReadOnlyList<RegionCoverage> Coverage { get; }

    /// <summary>The labels whose signal is extracted (nilearn 0.10.4's <c>labels_</c> with <see cref="KeepEmpty.Drop"/>).</summary>
    public IReadOnlyList<int> ExtractedLabels => Coverage.Where(c => !c.IsEmpty).Select(c => c.Id).ToArray();

    /// <summary>The background label, when the atlas on this grid has background voxels; null otherwise.</summary>
    public int? BackgroundLabel { get; }

    /// <summary>nilearn ≥ 0.12's <c>labels_</c>: the background label first (when present), then <see cref="ExtractedLabels"/>.</summary>
    public IReadOnlyList<int> LabelsWithBackground => RegionSignals.WithBackground(BackgroundLabel, ExtractedLabels);

    internal RegionVoxelIndex Index { get; }
}

/// <summary>
/// nilearn's <c>NiftiLabelsMasker</c> (<c>resampling_target='data'</c>; the cleaning of <see cref="MaskerOptions.Clean"/>): the mean (or another
/// reduction) of the data over each atlas label, one streaming pass over the 4D image, then the masker's
/// signal cleaning. Construct once, call <see cref="RegionMasker.FitTransform(string, ConfoundSelection?, ICollection{string}?)"/>
/// for every run: the atlas is resampled once per data grid and the result cached, so many subjects on the same
/// grid cost one resampling. Thread-safe.
/// </summary>
/// <remarks>
/// Unlike nilearn, labels that vanish on the data grid or lie outside the mask are kept as explicit NaN
/// columns by default (<see cref="KeepEmpty"/>); <see cref="KeepEmpty.Drop"/> gives nilearn's columns, and
/// <see cref="KeepEmpty.Zero"/> its zero columns for masked-out labels (0.10.4's <c>keep_masked_labels=True</c>).
/// Memory: two volumes, the label index and the T × R signals, whatever the number of volumes.
/// </remarks>
public sealed class LabelsMasker : RegionMasker
{
    private readonly GridFits<FittedLabels> _fits;
    private readonly Lazy<(int[] Labels, long[] Counts)> _atlasCounts;

    /// <summary>The validated options.</summary>
    public LabelsMaskerOptions Options { get; }

    /// <summary>A masker with <paramref name="options"/> (validated now).</summary>
    public LabelsMasker(LabelsMaskerOptions options)
    {
        Options = options.Validate();
        _atlasCounts = new(CountAtlasLabels);
        _fits = new(FitGrid);
    }

    /// <summary>A masker over <paramref name="atlas"/> with nilearn's defaults.</summary>
    public LabelsMasker(Atlas atlas) : this(new LabelsMaskerOptions { Atlas = atlas }) { }

    /// <summary>The labels of the atlas (every value but the background, ascending) and their voxel counts on the atlas grid.</summary>
    private (int[] Labels, long[] Counts) CountAtlasLabels()
    {
        var (values, counts) = Options.Atlas.ValueCounts;
        var keep = Enumerable.Range(0, values.Length).Where(k => values[k] != Options.BackgroundLabel).ToArray();
        return (keep.Select(k => values[k]).ToArray(), keep.Select(k => counts[k]).ToArray());
    }

    /// <summary>
    /// The masker on <paramref name="grid"/>: the atlas and mask resampled to it (nearest; nothing is resampled when
    /// the grids are the same), the label index and the coverage. Computed once per grid and cached.
    /// </summary>
    public FittedLabels Fit(Grid grid) => _fits.For(grid);

    private FittedLabels FitGrid(Grid grid)
    {
        var o = Options;
        var atlas = o.Atlas;
        var labelsImg = atlas.LabelsOn(grid);
        Image<byte>? mask = null;
        if (o.MaskImg is { } m)
        {
            var mg = Grid.Of(m);
            mask = mg.SameFieldOfView(grid) ? m : Resampling.ResampleToGrid(m, grid, Interpolation.Nearest, clip: true);
            if (!mask.Data.AsSpan(0, grid.VoxelCount).ContainsAnyExcept((byte)0))
                throw new NiSharpException($"{o.MaskSource ?? "mask_img"}: the mask is empty on the data grid {grid.Describe()}");
        }
        var labelData = labelsImg.Data.AsSpan(0, grid.VoxelCount);
        var maskData = mask is null ? ReadOnlySpan<byte>.Empty : mask.Data.AsSpan(0, grid.VoxelCount);

        var (labels, atlasCounts) = _atlasCounts.Value;
        var slot = new LabelSlots(labels);
        var onGrid = new int[labels.Length];
        var inMask = new int[labels.Length];
        bool background = false;
        for (int v = 0; v < labelData.Length; v++)
        {
            int l = labelData[v];
            if (l == o.BackgroundLabel) { background = true; continue; }
            if (!slot.TryGet(l, out int k)) continue;
            onGrid[k]++;
            if (maskData.IsEmpty || maskData[v] != 0) inMask[k]++;
        }
        double scale = Math.Abs(atlas.Grid.Affine.Determinant3x3) / Math.Abs(grid.Affine.Determinant3x3);
        var coverage = new RegionCoverage[labels.Length];
        var extracted = new List<int>();
        for (int k = 0; k < labels.Length; k++)
        {
            int id = labels[k];
            double expected = atlasCounts[k] * scale;
            double fraction = RegionCoverage.Fraction(inMask[k], expected);
            var status = onGrid[k] == 0 ? RegionStatus.NotOnDataGrid
                : inMask[k] == 0 ? RegionStatus.OutsideMask
                : fraction < o.MinCoverage ? RegionStatus.BelowMinCoverage
                : RegionStatus.Extracted;
            var label = atlas.Labels[id];
            coverage[k] = new RegionCoverage(id, label?.Name ?? DefaultName(id), label?.Network, expected, onGrid[k], inMask[k], fraction, status);
            if (status == RegionStatus.Extracted) extracted.Add(id);
        }
        var index = new RegionVoxelIndex(labelData, maskData, extracted, o.BackgroundLabel, o.Strategy);
        return new FittedLabels(grid, labelsImg, mask, coverage, index, background ? o.BackgroundLabel : null);
    }

    /// <summary>The name of a label the table does not name: <c>label_44</c>.</summary>
    public static string DefaultName(int id) => "label_" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// nilearn's <c>masker.fit_transform(func_img, confounds)</c>: an image in memory (e.g. after dropping dummy volumes
    /// with <c>img.Slicer[.., .., .., 4..]</c>) and a confounds matrix with one row per volume.
    /// </summary>
    public RegionSignals FitTransform<T>(Image<T> image, SignalMatrix<double> confounds, ICollection<string>? warnings = null)
        where T : unmanaged, INumber<T> =>
        FitTransform(image, new MaskerInputs { Confounds = confounds }, warnings);

    private protected override ExtractionJob Prepare(VolumeSource source, ICollection<string>? warnings, IExtractionObserver? observer)
    {
        var fit = Fit(source.Grid);
        var parameters = Options.ToParameters();
        parameters["atlas"] = Options.Atlas.Name;
        parameters["data_grid"] = source.Grid.Describe();
        parameters["atlas_grid"] = Options.Atlas.Grid.Describe();
        parameters["resampled"] = !Options.Atlas.Grid.SameFieldOfView(source.Grid);
        return new ExtractionJob(fit.Index, fit.Coverage, Options, parameters, fit.BackgroundLabel, warnings, observer);
    }
}
