using System.Globalization;
using System.Numerics;
using NiSharp.Atlases;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Maskers;

/// <summary>
/// The parameters of nilearn's <c>NiftiSpheresMasker</c>: <c>seeds</c> (world coordinates in mm, e.g. the Power
/// 264 or Dosenbach 160 sets of <see cref="CoordinateAtlas"/>), <c>radius</c> in mm, <c>mask_img</c>,
/// <c>allow_overlap=False</c>, and the cleaning of <see cref="MaskerOptions"/>.
/// </summary>
public sealed record SpheresMaskerOptions : MaskerOptions
{
    /// <summary><c>seeds</c>: sphere centres in mm, with the ids, names and networks the columns get.</summary>
    public required IReadOnlyList<RoiCoordinate> Seeds { get; init; }

    /// <summary><c>radius</c> in mm: voxels whose centre is at most this far from the seed. Null or 0: only the
    /// voxel nearest to the seed (nilearn's default <c>None</c>).</summary>
    public double? Radius { get; init; }

    /// <summary><c>mask_img</c>: only voxels inside it count (resampled to the data grid, nearest).</summary>
    public Image<byte>? MaskImg { get; init; }

    /// <summary>Where <see cref="MaskImg"/> came from, for messages.</summary>
    public string? MaskSource { get; init; }

    /// <summary><c>allow_overlap</c> (default false): when false, a voxel in two spheres is an error.</summary>
    public bool AllowOverlap { get; init; }

    /// <summary>Checks every parameter.</summary>
    public SpheresMaskerOptions Validate()
    {
        if (Seeds is null || Seeds.Count == 0) throw new NiSharpException("seeds: at least one coordinate is needed");
        foreach (var s in Seeds)
            if (!double.IsFinite(s.X) || !double.IsFinite(s.Y) || !double.IsFinite(s.Z))
                throw new NiSharpException($"seed {s.Index} has a non-finite coordinate ({s.X}, {s.Y}, {s.Z})");
        var dup = Seeds.GroupBy(s => s.Index).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new NiSharpException($"seed id {dup.Key} is used twice");
        if (Radius is double r && !(r >= 0 && double.IsFinite(r))) throw new NiSharpException($"radius must be a distance in mm ≥ 0, got {F(r)}");
        if (MaskImg is { NDim: > 3, VolumeCount: > 1 })
            throw new NiSharpException($"{MaskSource ?? "mask_img"}: a mask must be 3D, got shape {MaskImg.ShapeText()}");
        ValidateCleaning();
        return this;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> ToParameters()
    {
        var d = base.ToParameters();
        d["masker"] = "NiftiSpheresMasker";
        d["n_seeds"] = Seeds.Count;
        d["radius"] = Radius;
        d["mask_img"] = MaskImg is null ? null : MaskSource ?? "given";
        d["allow_overlap"] = AllowOverlap;
        d["strategy"] = "mean";
        return d;
    }
}

/// <summary>
/// nilearn's <c>NiftiSpheresMasker</c>: the mean signal of the voxels within <c>radius</c> mm of each seed (always
/// including the voxel nearest to the seed), then the masker's cleaning. Fitted once per data grid and cached,
/// like <see cref="LabelsMasker"/>; thread-safe.
/// </summary>
/// <remarks>
/// Differences from nilearn 0.10.4: a sphere with no voxel in the field of view or the mask is an empty region
/// (NaN column by default, see <see cref="KeepEmpty"/>) instead of an error; the extra voxel nilearn adds when
/// the truncated world coordinates of a voxel equal the truncated seed is not added.
/// </remarks>
public sealed class SpheresMasker : RegionMasker
{
    private readonly GridFits<(RegionCoverage[] Coverage, RegionVoxelIndex Index)> _fits;

    /// <summary>The validated options.</summary>
    public SpheresMaskerOptions Options { get; }

    /// <summary>A masker with <paramref name="options"/> (validated now).</summary>
    public SpheresMasker(SpheresMaskerOptions options)
    {
        Options = options.Validate();
        _fits = new(Compute);
    }

    /// <summary>The voxels (ascending indices into the grid) of every sphere on <paramref name="grid"/>, and their coverage.</summary>
    public IReadOnlyList<RegionCoverage> Fit(Grid grid) => FitGrid(grid).Coverage;

    /// <summary>The voxels of sphere <paramref name="seedIndex"/> (position in <see cref="SpheresMaskerOptions.Seeds"/>) on <paramref name="grid"/>.</summary>
    public int[] VoxelsOf(Grid grid, int seedIndex)
    {
        var (coverage, index) = FitGrid(grid);
        int k = 0;
        for (int s = 0; s < seedIndex; s++) if (!coverage[s].IsEmpty) k++;
        return coverage[seedIndex].IsEmpty ? [] : index.VoxelsOf(k).ToArray();
    }

    private (RegionCoverage[] Coverage, RegionVoxelIndex Index) FitGrid(Grid grid) => _fits.For(grid);

    private (RegionCoverage[], RegionVoxelIndex) Compute(Grid grid)
    {
        var o = Options;
        byte[]? mask = null;
        if (o.MaskImg is { } m)
        {
            var resampled = Grid.Of(m).SameFieldOfView(grid) ? m : Resampling.ResampleToGrid(m, grid, Interpolation.Nearest, clip: true);
            mask = resampled.Data.AsSpan(0, grid.VoxelCount).ToArray();
        }
        var inv = grid.Affine.Inverse();
        // how far (in voxels) a sphere reaches along each voxel axis: radius × the norm of that row of the inverse
        double radius = o.Radius ?? 0;
        var reach = new double[3];
        for (int a = 0; a < 3; a++)
            reach[a] = radius * Math.Sqrt(inv[a, 0] * inv[a, 0] + inv[a, 1] * inv[a, 1] + inv[a, 2] * inv[a, 2]);

        var coverage = new RegionCoverage[o.Seeds.Count];
        var sets = new List<int[]>();
        var owner = new Dictionary<int, int>();
        for (int s = 0; s < o.Seeds.Count; s++)
        {
            var seed = o.Seeds[s];
            var (ci, cj, ck) = inv.Apply(seed.X, seed.Y, seed.Z);
            // nilearn: np.round of the voxel coordinates (half to even)
            long ni = (long)Math.Round(ci, MidpointRounding.ToEven), nj = (long)Math.Round(cj, MidpointRounding.ToEven), nk = (long)Math.Round(ck, MidpointRounding.ToEven);
            int lattice = 0, onGrid = 0;
            var voxels = new List<int>();
            // the box holds every voxel within the radius and the nearest voxel (round(c) is between floor(c) and ceil(c))
            long i0 = (long)Math.Floor(ci - reach[0]), i1 = (long)Math.Ceiling(ci + reach[0]);
            long j0 = (long)Math.Floor(cj - reach[1]), j1 = (long)Math.Ceiling(cj + reach[1]);
            long k0 = (long)Math.Floor(ck - reach[2]), k1 = (long)Math.Ceiling(ck + reach[2]);
            for (long k = k0; k <= k1; k++)
            for (long j = j0; j <= j1; j++)
            for (long i = i0; i <= i1; i++)
            {
                bool nearest = i == ni && j == nj && k == nk;
                if (!nearest)
                {
                    if (radius <= 0) continue;
                    var (x, y, z) = grid.Affine.Apply(i, j, k);
                    double dx = x - seed.X, dy = y - seed.Y, dz = z - seed.Z;
                    if (dx * dx + dy * dy + dz * dz > radius * radius) continue;
                }
                lattice++;
                if (i < 0 || j < 0 || k < 0 || i >= grid.Nx || j >= grid.Ny || k >= grid.Nz) continue;
                onGrid++;
                int v = (int)(i + grid.Nx * (j + grid.Ny * k));
                if (mask is not null && mask[v] == 0) continue;
                voxels.Add(v);
            }
            voxels.Sort();
            var status = onGrid == 0 ? RegionStatus.NotOnDataGrid : voxels.Count == 0 ? RegionStatus.OutsideMask : RegionStatus.Extracted;
            string name = seed.Name is { Length: > 0 } n ? n : "roi_" + seed.Index.ToString(CultureInfo.InvariantCulture);
            coverage[s] = new RegionCoverage(seed.Index, name, seed.Network, lattice, onGrid, voxels.Count, RegionCoverage.Fraction(voxels.Count, lattice), status);
            if (status != RegionStatus.Extracted) continue;
            if (!o.AllowOverlap)
            {
                foreach (var v in voxels)
                {
                    if (owner.TryGetValue(v, out var other))
                    {
                        int x = v % grid.Nx, y = v / grid.Nx % grid.Ny, z = v / (grid.Nx * grid.Ny);
                        throw new NiSharpException($"the spheres of seeds {o.Seeds[other].Index} and {seed.Index} overlap (voxel {x}, {y}, {z}); use a smaller radius or allow_overlap");
                    }
                    owner[v] = s;
                }
            }
            sets.Add(voxels.ToArray());
        }
        return (coverage, new RegionVoxelIndex(sets, ReductionStrategy.Mean));
    }

    private protected override ExtractionJob Prepare(VolumeSource source, ICollection<string>? warnings, IExtractionObserver? observer)
    {
        var (coverage, index) = FitGrid(source.Grid);
        var parameters = Options.ToParameters();
        parameters["data_grid"] = source.Grid.Describe();
        return new ExtractionJob(index, coverage, Options, parameters, null, warnings, observer);
    }
}
