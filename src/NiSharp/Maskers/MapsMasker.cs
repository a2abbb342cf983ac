using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Atlases;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Maskers;

/// <summary>
/// The parameters of nilearn's <c>NiftiMapsMasker</c>: <c>maps_img</c> (a 4D image, one probabilistic map per
/// volume), names for the maps, <c>mask_img</c>, <c>allow_overlap=True</c>, and the cleaning of <see cref="MaskerOptions"/>.
/// </summary>
public sealed record MapsMaskerOptions : MaskerOptions
{
    /// <summary><c>maps_img</c>: one map per volume; map k (0-based volume) is region k + 1.</summary>
    public required Image<float> MapsImg { get; init; }

    /// <summary>Where <see cref="MapsImg"/> came from, for messages and sidecars.</summary>
    public string? MapsSource { get; init; }

    /// <summary>Names (and networks) of the maps by region id 1..K; <c>map_K</c> when null or unnamed.</summary>
    public LabelTable? Labels { get; init; }

    /// <summary><c>mask_img</c>, resampled to the data grid (nearest) when needed.</summary>
    public Image<byte>? MaskImg { get; init; }

    /// <summary>Where <see cref="MaskImg"/> came from.</summary>
    public string? MaskSource { get; init; }

    /// <summary><c>allow_overlap</c> (default true): when false, maps that share a voxel are an error.</summary>
    public bool AllowOverlap { get; init; } = true;

    /// <summary>How the maps are resampled to the data grid: linearly, as nilearn does since 0.12.1 (a fix, nilearn
    /// #5519: cubic splines ring at the maps' edges), or with cubic splines (<c>continuous</c>) under nilearn 0.10.4's
    /// <see cref="CleanOptions.Semantics"/> of <see cref="MaskerOptions.Clean"/>.</summary>
    public Interpolation MapsInterpolation => Clean.Semantics == NilearnSemantics.V0_10_4 ? Interpolation.Continuous : Interpolation.Linear;

    /// <summary>Checks every parameter.</summary>
    public MapsMaskerOptions Validate()
    {
        if (MapsImg is null) throw new NiSharpException("maps_img: a 4D image of maps is required");
        if (MapsImg.NDim > 4 && MapsImg.Shape.Skip(4).Any(d => d > 1))
            throw new NiSharpException($"{MapsSource ?? "maps_img"}: maps must be a 4D image (one map per volume), got shape {MapsImg.ShapeText()}");
        if (MaskImg is { NDim: > 3, VolumeCount: > 1 })
            throw new NiSharpException($"{MaskSource ?? "mask_img"}: a mask must be 3D, got shape {MaskImg.ShapeText()}");
        ValidateCleaning();
        return this;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> ToParameters()
    {
        var d = base.ToParameters();
        d["masker"] = "NiftiMapsMasker";
        d["maps_img"] = MapsSource ?? "given";
        d["n_maps"] = MapsImg.VolumeCount;
        d["mask_img"] = MaskImg is null ? null : MaskSource ?? "given";
        d["allow_overlap"] = AllowOverlap;
        d["maps_interpolation"] = MapsInterpolation == Interpolation.Linear ? "linear" : "continuous";
        d["region_signals"] = "least squares over the maps' voxels (nilearn img_to_signals_maps)";
        return d;
    }
}

/// <summary>
/// nilearn's <c>NiftiMapsMasker</c> (<c>resampling_target='data'</c>): the maps are resampled to the data grid
/// (linear interpolation, as nilearn since 0.12.1; see <see cref="MapsMaskerOptions.MapsInterpolation"/>), and each volume's region signals are the least-squares coefficients of the
/// volume on the maps (<c>img_to_signals_maps</c>: <c>lstsq(maps[voxels], data[voxels])</c>), over every voxel
/// without a mask, or over the voxels inside the mask where some map is positive. Fitted once per data grid and
/// cached; thread-safe.
/// </summary>
/// <remarks>
/// The normal equations are solved once per grid: with M the (voxels × maps) matrix, each volume d gives
/// <c>pinv(MᵀM) · Mᵀd</c>, the minimum-norm least-squares solution that lstsq returns (eigenvalues of MᵀM below
/// K·ε·λ<sub>max</sub> are treated as zero). Maps without a voxel on the grid or in the mask are empty regions.
/// </remarks>
public sealed class MapsMasker : RegionMasker
{
    private readonly GridFits<(RegionCoverage[] Coverage, MapsProjection Projection)> _fits;

    /// <summary>The validated options.</summary>
    public MapsMaskerOptions Options { get; }

    /// <summary>A masker with <paramref name="options"/> (validated now).</summary>
    public MapsMasker(MapsMaskerOptions options)
    {
        Options = options.Validate();
        _fits = new(Compute);
    }

    /// <summary>The coverage of every map on <paramref name="grid"/> (voxels where the map is not 0).</summary>
    public IReadOnlyList<RegionCoverage> Fit(Grid grid) => FitGrid(grid).Coverage;

    private (RegionCoverage[] Coverage, MapsProjection Projection) FitGrid(Grid grid) => _fits.For(grid);

    private (RegionCoverage[], MapsProjection) Compute(Grid grid)
    {
        var o = Options;
        var maps = o.MapsImg;
        int k = maps.VolumeCount, nv = grid.VoxelCount;
        var mapsGrid = Grid.Of(maps);
        var onGrid = mapsGrid.SameFieldOfView(grid) ? maps : Resampling.ResampleImage(maps, grid.Affine, grid.Shape, o.MapsInterpolation, clip: true);
        byte[]? mask = null;
        if (o.MaskImg is { } m)
        {
            var resampled = Grid.Of(m).SameFieldOfView(grid) ? m : Resampling.ResampleToGrid(m, grid, Interpolation.Nearest, clip: true);
            mask = resampled.Data.AsSpan(0, nv).ToArray();
        }
        double scale = Math.Abs(maps.Affine.Determinant3x3) / Math.Abs(grid.Affine.Determinant3x3);
        var coverage = new RegionCoverage[k];
        var extracted = new List<int>();
        for (int c = 0; c < k; c++)
        {
            int own = 0;
            foreach (var w in maps.Volume(c)) if (w != 0 && float.IsFinite(w)) own++;
            int inGrid = 0, inMask = 0;
            var vol = onGrid.Volume(c);
            for (int v = 0; v < nv; v++)
            {
                if (vol[v] == 0 || !float.IsFinite(vol[v])) continue;
                inGrid++;
                if (mask is null || mask[v] != 0) inMask++;
            }
            var status = inGrid == 0 ? RegionStatus.NotOnDataGrid : inMask == 0 ? RegionStatus.OutsideMask : RegionStatus.Extracted;
            int id = c + 1;
            var label = o.Labels?[id];
            double expected = own * scale;
            coverage[c] = new RegionCoverage(id, label?.Name ?? "map_" + id.ToString(CultureInfo.InvariantCulture), label?.Network, expected, inGrid, inMask,
                RegionCoverage.Fraction(inMask, expected), status);
            if (status == RegionStatus.Extracted) extracted.Add(c);
        }
        if (!o.AllowOverlap)
        {
            for (int v = 0; v < nv; v++)
            {
                if (mask is not null && mask[v] == 0) continue;
                int first = -1;
                foreach (var c in extracted)
                {
                    if (onGrid.Volume(c)[v] == 0) continue;
                    if (first >= 0)
                        throw new NiSharpException($"maps {first + 1} and {c + 1} overlap (voxel {v % grid.Nx}, {v / grid.Nx % grid.Ny}, {v / (grid.Nx * grid.Ny)}); set allow_overlap");
                    first = c;
                }
            }
        }
        // nilearn's voxels: all of them without a mask; with one, those inside it where some (trimmed) map is > 0.
        // Voxels where every map is 0 add nothing to the least squares, so only the maps' support is kept.
        var support = new List<int>();
        for (int v = 0; v < nv; v++)
        {
            if (mask is not null && mask[v] == 0) continue;
            bool use = false;
            foreach (var c in extracted)
            {
                float w = onGrid.Volume(c)[v];
                if (!float.IsFinite(w) || w == 0) continue;
                if (mask is null || w > 0) { use = true; break; }
            }
            if (use) support.Add(v);
        }
        int e = extracted.Count;
        var weights = new double[(long)support.Count * e];
        for (int s = 0; s < support.Count; s++)
            for (int j = 0; j < e; j++)
            {
                float w = onGrid.Volume(extracted[j])[support[s]];
                weights[(long)s * e + j] = float.IsFinite(w) ? w : 0;  // ensure_finite on the maps
            }
        return (coverage, new MapsProjection(support.ToArray(), weights, e));
    }

    private protected override ExtractionJob Prepare(VolumeSource source, ICollection<string>? warnings, IExtractionObserver? observer)
    {
        var (coverage, projection) = FitGrid(source.Grid);
        var parameters = Options.ToParameters();
        parameters["data_grid"] = source.Grid.Describe();
        parameters["n_voxels"] = projection.Voxels.Length;
        return new ExtractionJob(projection, coverage, Options, parameters, null, warnings, observer);
    }
}

/// <summary>Least squares of each volume on the maps: <c>x = pinv(MᵀM) · Mᵀd</c> over the support voxels.</summary>
internal sealed class MapsProjection : IRegionReducer
{
    private readonly double[] _weights;   // support voxels × maps, row-major
    private readonly double[] _pinv;      // maps × maps

    /// <summary>numpy's <c>finfo(float64).eps</c> (.NET's <c>double.Epsilon</c> is the smallest subnormal instead).</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    public MapsProjection(int[] voxels, double[] weights, int maps)
    {
        Voxels = voxels;
        _weights = weights;
        Regions = maps;
        _pinv = new double[maps * maps];
        if (maps == 0) return;
        var gram = Matrix<double>.Build.Dense(maps, maps);
        for (int s = 0; s < voxels.Length; s++)
        {
            var row = weights.AsSpan(s * maps, maps);
            for (int a = 0; a < maps; a++)
            {
                double wa = row[a];
                if (wa == 0) continue;
                for (int b = a; b < maps; b++) gram[a, b] += wa * row[b];
            }
        }
        for (int a = 0; a < maps; a++) for (int b = 0; b < a; b++) gram[a, b] = gram[b, a];
        var evd = gram.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var lambda = evd.EigenValues.Select(c => c.Real).ToArray();
        double cutoff = lambda.Max() * maps * MachineEpsilon;
        var vecs = evd.EigenVectors;
        for (int i = 0; i < maps; i++)
        {
            if (!(lambda[i] > cutoff)) continue;
            double inv = 1 / lambda[i];
            for (int a = 0; a < maps; a++)
            {
                double va = vecs[a, i] * inv;
                for (int b = 0; b < maps; b++) _pinv[a * maps + b] += va * vecs[b, i];
            }
        }
    }

    /// <summary>The voxels the least squares run over.</summary>
    public int[] Voxels { get; }

    /// <inheritdoc />
    public int Regions { get; }

    /// <inheritdoc />
    public void Reduce<T>(ReadOnlySpan<T> volume, Span<T> row, ref T[]? scratch) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int k = Regions;
        Span<double> b = k <= 256 ? stackalloc double[k] : new double[k];
        b.Clear();
        for (int s = 0; s < Voxels.Length; s++)
        {
            double d = double.CreateTruncating(volume[Voxels[s]]);
            if (d == 0) continue;
            TensorPrimitives.MultiplyAdd(_weights.AsSpan(s * k, k), d, b, b);
        }
        for (int a = 0; a < k; a++)
            row[a] = T.CreateTruncating(TensorPrimitives.Dot(_pinv.AsSpan(a * k, k), b));
    }
}
