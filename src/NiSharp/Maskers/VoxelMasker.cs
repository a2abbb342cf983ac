using System.Numerics;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Maskers;

/// <summary>The parameters of nilearn's <c>NiftiMasker</c>: <c>mask_img</c> and the cleaning of <see cref="MaskerOptions"/>.</summary>
public sealed record VoxelMaskerOptions : MaskerOptions
{
    /// <summary><c>mask_img</c>: the voxels that become columns (resampled to the data grid, nearest, when on another grid).</summary>
    public required Image<byte> MaskImg { get; init; }

    /// <summary>Where <see cref="MaskImg"/> came from, for messages.</summary>
    public string? MaskSource { get; init; }

    /// <summary>Checks every parameter.</summary>
    public VoxelMaskerOptions Validate()
    {
        if (MaskImg is null) throw new NiSharpException("mask_img: a mask is required");
        if (MaskImg is { NDim: > 3, VolumeCount: > 1 })
            throw new NiSharpException($"{MaskSource ?? "mask_img"}: a mask must be 3D, got shape {MaskImg.ShapeText()}");
        if (!MaskImg.Data.AsSpan(0, MaskImg.VoxelsPerVolume).ContainsAnyExcept((byte)0))
            throw new NiSharpException($"{MaskSource ?? "mask_img"}: the mask is empty");
        ValidateCleaning();
        return this;
    }
}

/// <summary>
/// nilearn's <c>NiftiMasker</c> with a given mask: <see cref="FitTransform{T}(string, MaskerInputs?, ICollection{string}?)"/>
/// turns a 4D image into a (kept volumes × mask voxels) matrix, cleaned with the masker's parameters, and
/// <see cref="InverseTransform{T}(SignalMatrix{T}, Grid?)"/> puts such a matrix back into an image. Columns are the mask's
/// voxels in nilearn's order (numpy C order of (x, y, z): x slowest), the data read volume by volume, NaN as 0.
/// </summary>
/// <remarks>
/// nilearn resamples the data onto the mask when the grids differ; here the mask is resampled onto the data
/// grid (nearest), so the image is never interpolated. Thread-safe.
/// </remarks>
public sealed class VoxelMasker
{
    private readonly GridFits<(Image<byte> Mask, int[] Voxels)> _fits;

    /// <summary>The validated options.</summary>
    public VoxelMaskerOptions Options { get; }

    /// <summary>A masker with <paramref name="options"/> (validated now).</summary>
    public VoxelMasker(VoxelMaskerOptions options)
    {
        Options = options.Validate();
        _fits = new(MaskOnGrid);
    }

    /// <summary>A masker over <paramref name="mask"/> with nilearn's defaults (no cleaning).</summary>
    public VoxelMasker(Image<byte> mask) : this(new VoxelMaskerOptions { MaskImg = mask }) { }

    /// <summary>The mask on <paramref name="grid"/> and its voxels in column order.</summary>
    public (Image<byte> Mask, int[] Voxels) Fit(Grid grid) => _fits.For(grid);

    private (Image<byte> Mask, int[] Voxels) MaskOnGrid(Grid grid)
    {
        var m = Options.MaskImg;
        var onGrid = Grid.Of(m).SameFieldOfView(grid) ? m : Resampling.ResampleToGrid(m, grid, Interpolation.Nearest, clip: true);
        var voxels = Masking.VoxelIndices(onGrid);
        if (voxels.Length == 0) throw new NiSharpException($"{Options.MaskSource ?? "mask_img"}: the mask is empty on the data grid {grid.Describe()}");
        return (onGrid, voxels);
    }

    /// <summary>nilearn's <c>fit_transform</c> on a file: (kept volumes × voxels) as <typeparamref name="T"/>.</summary>
    public SignalMatrix<T> FitTransform<T>(string boldPath, ConfoundSelection? confounds, ICollection<string>? warnings = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        FitTransform<T>(boldPath, MaskerInputs.From(confounds), warnings);

    /// <summary>nilearn's <c>fit_transform</c> on a file with explicit inputs.</summary>
    public SignalMatrix<T> FitTransform<T>(string boldPath, MaskerInputs? inputs = null, ICollection<string>? warnings = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var f = NiftiFile.Open(boldPath);
        RegionExtraction.CheckData(f);
        return Transform<T>(VolumeSource.Of(f), inputs ?? MaskerInputs.None, warnings);
    }

    /// <summary>nilearn's <c>fit_transform</c> on an image in memory.</summary>
    public SignalMatrix<T> FitTransform<T>(Image<T> image, MaskerInputs? inputs = null, ICollection<string>? warnings = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Transform<T>(VolumeSource.Of(image), inputs ?? MaskerInputs.None, warnings);

    private SignalMatrix<T> Transform<T>(VolumeSource source, MaskerInputs inputs, ICollection<string>? warnings)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (_, voxels) = Fit(source.Grid);
        int volumesIn = source.VolumeCount, dummy = inputs.DummyScans;
        if (dummy < 0 || dummy >= volumesIn)
            throw Error(source, $"cannot drop {dummy} dummy volumes from {volumesIn}");
        int n = volumesIn - dummy;
        double? tr = Options.ResolveRepetitionTime(source.Path).Seconds;
        if (Options.Clean.NeedsRepetitionTime && tr is null)
            throw Error(source, "filtering needs the repetition time (t_r): give it, or use an image whose sidecar or header has it");
        var clean = Options.Clean with { RepetitionTime = tr };
        List<(CleanPlan Plan, int[]? Rows)> plans;
        try
        {
            // checked first with the user's confounds, so that a bad parameter fails before any voxel is read
            if (Options.HighVarianceConfounds)
            {
                SignalCleaner.Plan(n, clean, inputs.Confounds, inputs.SampleMask, null, null);
                inputs = HighVarianceImageConfounds.AddTo(inputs, source);
            }
            plans = SignalCleaner.Plan(n, clean, inputs.Confounds, inputs.SampleMask, null, warnings);
        }
        catch (NiSharpException e) when (e.FilePath is null && source.Path is not null)
        {
            throw e.InFile(source.Path);
        }
        int nv = voxels.Length;
        var data = new T[(long)n * nv];
        var smoother = Options.Smooths ? new VolumeSmoother<T>(source.Grid.Shape, source.Grid.Affine, Options.SmoothingFwhm) : null;
        var smoothed = smoother is null ? null : new T[source.Grid.VoxelCount];
        source.ForEach<T>(dummy, n, (t, input) =>
        {
            var volume = input;
            if (smoother is not null)
            {
                // nilearn's NiftiMasker smooths before masking; smooth a copy (an in-memory source is the caller's image)
                input.CopyTo(smoothed);
                smoother.Apply(smoothed!, 0);
                volume = smoothed;
            }
            var row = data.AsSpan((t - dummy) * nv, nv);
            for (int i = 0; i < nv; i++)
            {
                var x = volume[voxels[i]];
                row[i] = T.IsFinite(x) ? x : T.Zero;
            }
        });
        var plan = plans[0].Plan;
        // cleaning in place: the output rows are a prefix of the input
        SignalCleaner.Run(plan, data, data, 0, nv);
        var result = new T[(long)plan.OutputRows * nv];
        Array.Copy(data, result, result.Length);
        return new SignalMatrix<T>(plan.OutputRows, nv, result);
    }

    /// <summary>nilearn's <c>inverse_transform</c>: a (rows × voxels) matrix back into a 4D image on <paramref name="grid"/>
    /// (the data grid of the transform; default the mask's), zeros outside the mask.</summary>
    public Image<T> InverseTransform<T>(SignalMatrix<T> signals, Grid? grid = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var g = grid ?? Grid.Of(Options.MaskImg);
        var (mask, voxels) = Fit(g);
        if (signals.Features != voxels.Length)
            throw new NiSharpException($"the matrix has {signals.Features} columns but the mask has {voxels.Length} voxels");
        int n = g.VoxelCount;
        var data = new T[(long)signals.Timepoints * n];
        for (int t = 0; t < signals.Timepoints; t++)
        {
            var row = signals.Row(t);
            var vol = data.AsSpan(t * n, n);
            for (int i = 0; i < voxels.Length; i++) vol[voxels[i]] = row[i];
        }
        return new Image<T>([g.Nx, g.Ny, g.Nz, signals.Timepoints], g.Affine, data, mask.Header);
    }

    /// <summary>nilearn's <c>inverse_transform</c> of one row: a 3D image.</summary>
    public Image<T> InverseTransform<T>(ReadOnlySpan<T> values, Grid? grid = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = new SignalMatrix<T>(1, values.Length, values.ToArray());
        var img = InverseTransform(m, grid);
        return new Image<T>(img.SpatialShape, img.Affine, img.Data, img.Header);
    }

    private static NiSharpException Error(VolumeSource source, string problem) =>
        source.Path is null ? new NiSharpException(problem) : new NiSharpException(source.Path, problem);
}
