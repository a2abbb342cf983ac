using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>
/// A 3D voxel grid: the spatial shape and the voxel-to-world affine. What <c>resample_img</c> calls
/// <c>target_shape</c> + <c>target_affine</c>, and what two images must share for voxel-wise math.
/// </summary>
public sealed record Grid
{
    /// <summary>Voxels along i (x).</summary>
    public int Nx { get; }
    /// <summary>Voxels along j (y).</summary>
    public int Ny { get; }
    /// <summary>Voxels along k (z).</summary>
    public int Nz { get; }
    /// <summary>Voxel-to-world affine.</summary>
    public Affine Affine { get; }

    /// <summary>A grid of <paramref name="nx"/>×<paramref name="ny"/>×<paramref name="nz"/> voxels placed by <paramref name="affine"/>.</summary>
    public Grid(int nx, int ny, int nz, Affine affine)
    {
        if (nx <= 0 || ny <= 0 || nz <= 0) throw new ArgumentException($"grid dimensions must be positive, got ({nx}, {ny}, {nz})");
        Nx = nx; Ny = ny; Nz = nz;
        Affine = affine;
    }

    /// <summary>A grid from a shape (its first three dimensions) and an affine.</summary>
    public Grid(IReadOnlyList<int> shape, Affine affine)
        : this(shape[0], shape.Count > 1 ? shape[1] : 1, shape.Count > 2 ? shape[2] : 1, affine) { }

    /// <summary>The grid of an image.</summary>
    public static Grid Of<T>(Image<T> image) where T : unmanaged, System.Numerics.INumber<T> => new(image.SpatialShape, image.Affine);

    /// <summary>The grid of an opened file.</summary>
    public static Grid Of(NiftiFile file) => new(file.SpatialShape, file.Affine);

    /// <summary>The grid of the image at <paramref name="path"/> (reads the header only).</summary>
    public static Grid Of(string path)
    {
        using var f = NiftiFile.Open(path);
        return Of(f);
    }

    /// <summary>The shape as an array.</summary>
    public int[] Shape => [Nx, Ny, Nz];

    /// <summary>Voxels in the grid.</summary>
    public int VoxelCount => Nx * Ny * Nz;

    /// <summary>Whether <paramref name="other"/> has the same shape and an affine equal within numpy <c>allclose</c> defaults
    /// (nilearn's <c>check_same_fov</c>).</summary>
    public bool SameFieldOfView(Grid other) =>
        Nx == other.Nx && Ny == other.Ny && Nz == other.Nz && Affine.AllClose(other.Affine);

    /// <summary>e.g. <c>(65, 77, 49) at 3×3×3 mm, RAS</c>.</summary>
    public string Describe()
    {
        var (sx, sy, sz) = Affine.VoxelSizes;
        static string F(double v) => v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
        return $"{Image.ShapeText(Shape)} at {F(sx)}×{F(sy)}×{F(sz)} mm, {Affine.AxisCodes}";
    }
}
