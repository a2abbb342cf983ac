using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NiSharp.Nifti;

namespace NiSharp.Plotting;

/// <summary>The three orthogonal cuts of a slice view, named by the world (RAS) plane they show.</summary>
public enum SliceAxis
{
    /// <summary>A plane of constant x (left–right): posterior on the left, anterior on the right, superior up.</summary>
    Sagittal,
    /// <summary>A plane of constant y (posterior–anterior): the subject's left on the left (neurological), superior up.</summary>
    Coronal,
    /// <summary>A plane of constant z (inferior–superior): the subject's left on the left (neurological), anterior up.</summary>
    Axial,
}

/// <summary>An axis-aligned box in world (RAS+) millimetres.</summary>
public readonly record struct WorldBox(double XMin, double XMax, double YMin, double YMax, double ZMin, double ZMax)
{
    /// <summary>
    /// The world extent of a voxel grid: the bounding box of its eight outer corners (voxel centres ± half a
    /// voxel), so that oblique and flipped (LIA, LAS) grids are covered whatever their affine.
    /// </summary>
    public static WorldBox Of(IReadOnlyList<int> spatialShape, Affine affine)
    {
        double xmin = double.MaxValue, ymin = double.MaxValue, zmin = double.MaxValue;
        double xmax = double.MinValue, ymax = double.MinValue, zmax = double.MinValue;
        for (int c = 0; c < 8; c++)
        {
            double i = (c & 1) == 0 ? -0.5 : spatialShape[0] - 0.5;
            double j = (c & 2) == 0 ? -0.5 : spatialShape[1] - 0.5;
            double k = (c & 4) == 0 ? -0.5 : spatialShape[2] - 0.5;
            var (x, y, z) = affine.Apply(i, j, k);
            xmin = Math.Min(xmin, x); xmax = Math.Max(xmax, x);
            ymin = Math.Min(ymin, y); ymax = Math.Max(ymax, y);
            zmin = Math.Min(zmin, z); zmax = Math.Max(zmax, z);
        }
        return new WorldBox(xmin, xmax, ymin, ymax, zmin, zmax);
    }

    /// <summary>
    /// The world extent of the voxels of <paramref name="volume"/> that are non-zero and finite, grown by
    /// <paramref name="padVoxels"/> voxels (nilearn crops its cuts to the data the same way); null when every voxel is 0.
    /// </summary>
    public static WorldBox? OfNonZero(ReadOnlySpan<float> volume, IReadOnlyList<int> spatialShape, Affine affine, int padVoxels = 2) =>
        OfNonZero<float>(volume, spatialShape, affine, padVoxels);

    /// <summary><see cref="OfNonZero(ReadOnlySpan{float}, IReadOnlyList{int}, Affine, int)"/> of any voxel type, each value read as a float.</summary>
    internal static WorldBox? OfNonZero<T>(ReadOnlySpan<T> volume, IReadOnlyList<int> spatialShape, Affine affine, int padVoxels = 2)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        int nx = spatialShape[0], ny = spatialShape[1], nz = spatialShape[2];
        int i0 = int.MaxValue, j0 = int.MaxValue, k0 = int.MaxValue, i1 = -1, j1 = -1, k1 = -1;
        int idx = 0;
        for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++, idx++)
        {
            float v = float.CreateTruncating(volume[idx]);
            if (v == 0 || !float.IsFinite(v)) continue;
            if (i < i0) i0 = i;
            if (i > i1) i1 = i;
            if (j < j0) j0 = j;
            if (j > j1) j1 = j;
            if (k < k0) k0 = k;
            if (k > k1) k1 = k;
        }
        if (i1 < 0) return null;
        i0 = Math.Max(0, i0 - padVoxels); j0 = Math.Max(0, j0 - padVoxels); k0 = Math.Max(0, k0 - padVoxels);
        i1 = Math.Min(nx - 1, i1 + padVoxels); j1 = Math.Min(ny - 1, j1 + padVoxels); k1 = Math.Min(nz - 1, k1 + padVoxels);
        return Of([i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1], affine.Slice(i0, j0, k0));
    }

    /// <summary>The centre of the box.</summary>
    public (double X, double Y, double Z) Centre => ((XMin + XMax) / 2, (YMin + YMax) / 2, (ZMin + ZMax) / 2);
}

/// <summary>
/// The display raster of one cut: a world-aligned (RAS) pixel grid on the plane <see cref="Axis"/> =
/// <see cref="Cut"/> mm, in the neurological convention (the subject's left on the left of the picture,
/// as nilearn draws). Pixel (column, row) has row 0 at the top. Every image shown in the cut is sampled on
/// this grid through its own inverse affine, so any voxel order or oblique affine is drawn the right way up.
/// </summary>
public sealed class SliceGrid
{
    /// <summary>Which plane.</summary>
    public SliceAxis Axis { get; }

    /// <summary>The plane's position on its normal axis (mm).</summary>
    public double Cut { get; }

    /// <summary>The world box the grid covers (its in-plane extent).</summary>
    public WorldBox Box { get; }

    /// <summary>Millimetres per pixel.</summary>
    public double Spacing { get; }

    /// <summary>Pixel columns.</summary>
    public int Columns { get; }

    /// <summary>Pixel rows.</summary>
    public int Rows { get; }

    /// <summary>A grid on the plane <paramref name="axis"/> = <paramref name="cut"/> covering <paramref name="box"/>.</summary>
    public SliceGrid(SliceAxis axis, double cut, WorldBox box, double spacing)
    {
        if (!(spacing > 0)) throw new ArgumentOutOfRangeException(nameof(spacing));
        Axis = axis;
        Cut = cut;
        Box = box;
        Spacing = spacing;
        var (w, h) = axis switch
        {
            SliceAxis.Sagittal => (box.YMax - box.YMin, box.ZMax - box.ZMin),
            SliceAxis.Coronal => (box.XMax - box.XMin, box.ZMax - box.ZMin),
            _ => (box.XMax - box.XMin, box.YMax - box.YMin),
        };
        Columns = Math.Max(1, (int)Math.Round(w / spacing));
        Rows = Math.Max(1, (int)Math.Round(h / spacing));
    }

    /// <summary>The world point at the centre of pixel (<paramref name="column"/>, <paramref name="row"/>).</summary>
    public (double X, double Y, double Z) World(double column, double row)
    {
        double u = (column + 0.5) * Spacing, v = (row + 0.5) * Spacing;
        return Axis switch
        {
            SliceAxis.Sagittal => (Cut, Box.YMin + u, Box.ZMax - v),
            SliceAxis.Coronal => (Box.XMin + u, Cut, Box.ZMax - v),
            _ => (Box.XMin + u, Box.YMax - v, Cut),
        };
    }

    /// <summary>The (fractional) pixel position of a world point projected on this plane: column, row.</summary>
    public (double Column, double Row) Pixel(double x, double y, double z) => Axis switch
    {
        SliceAxis.Sagittal => ((y - Box.YMin) / Spacing - 0.5, (Box.ZMax - z) / Spacing - 0.5),
        SliceAxis.Coronal => ((x - Box.XMin) / Spacing - 0.5, (Box.ZMax - z) / Spacing - 0.5),
        _ => ((x - Box.XMin) / Spacing - 0.5, (Box.YMax - y) / Spacing - 0.5),
    };

    /// <summary>How voxel values are read between voxel centres.</summary>
    public enum Interpolation
    {
        /// <summary>The nearest voxel (labels, exact values).</summary>
        Nearest,
        /// <summary>Trilinear (smooth anatomy).</summary>
        Linear,
    }

    /// <summary>
    /// Samples one volume of an image on this grid: <paramref name="destination"/> (Rows × Columns, row 0 at the top)
    /// gets the value at each pixel centre, NaN outside the image's field of view.
    /// </summary>
    public void Sample(ReadOnlySpan<float> volume, IReadOnlyList<int> spatialShape, Affine affine, Interpolation interpolation, Span<float> destination) =>
        Sample<float>(volume, spatialShape, affine, interpolation, destination);

    /// <summary><see cref="Sample(ReadOnlySpan{float}, IReadOnlyList{int}, Affine, Interpolation, Span{float})"/> of any voxel
    /// type (an integer atlas), each value read as a float: no float copy of the image.</summary>
    internal void Sample<T>(ReadOnlySpan<T> volume, IReadOnlyList<int> spatialShape, Affine affine, Interpolation interpolation, Span<float> destination)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        if (destination.Length != Rows * Columns) throw new ArgumentException("destination must hold Rows × Columns values");
        int nx = spatialShape[0], ny = spatialShape[1], nz = spatialShape[2];
        if (volume.Length != nx * ny * nz) throw new ArgumentException("the volume does not match the shape");
        var inv = affine.Inverse();
        // World is linear in (column, row), and so is the voxel position: walk it by increments.
        var w0 = World(0, 0);
        var w1 = World(1, 0);
        var w2 = World(0, 1);
        var (i0, j0, k0) = inv.Apply(w0.X, w0.Y, w0.Z);
        var (i1, j1, k1) = inv.Apply(w1.X, w1.Y, w1.Z);
        var (i2, j2, k2) = inv.Apply(w2.X, w2.Y, w2.Z);
        double di_c = i1 - i0, dj_c = j1 - j0, dk_c = k1 - k0;
        double di_r = i2 - i0, dj_r = j2 - j0, dk_r = k2 - k0;
        bool nearest = interpolation == Interpolation.Nearest;
        for (int r = 0; r < Rows; r++)
        {
            var rowSpan = destination.Slice(r * Columns, Columns);
            for (int c = 0; c < Columns; c++)
            {
                double i = i0 + c * di_c + r * di_r;
                double j = j0 + c * dj_c + r * dj_r;
                double k = k0 + c * dk_c + r * dk_r;
                rowSpan[c] = nearest
                    ? SampleNearest(volume, nx, ny, nz, i, j, k)
                    : SampleLinear(volume, nx, ny, nz, i, j, k);
            }
        }
    }

    private static float SampleNearest<T>(ReadOnlySpan<T> v, int nx, int ny, int nz, double i, double j, double k) where T : unmanaged, System.Numerics.INumber<T>
    {
        // Round half away from zero would shift negative positions; floor(x + 0.5) keeps voxel cells symmetric.
        // Inside the grid (and not NaN) the truncation of x + 0.5 ≥ 0 is its floor: no call to floor per pixel.
        double x = i + 0.5, y = j + 0.5, z = k + 0.5;
        if (x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz)
            return float.CreateTruncating(Unsafe.Add(ref MemoryMarshal.GetReference(v), (int)x + nx * ((int)y + ny * (int)z)));
        int a = (int)Math.Floor(x), b = (int)Math.Floor(y), c = (int)Math.Floor(z);
        if ((uint)a >= (uint)nx || (uint)b >= (uint)ny || (uint)c >= (uint)nz) return float.NaN;
        return float.CreateTruncating(v[a + nx * (b + ny * c)]);
    }

    private static float SampleLinear<T>(ReadOnlySpan<T> v, int nx, int ny, int nz, double i, double j, double k) where T : unmanaged, System.Numerics.INumber<T>
    {
        int sy = nx, sz = nx * ny;
        ref T origin = ref MemoryMarshal.GetReference(v);
        if (i >= 0 && j >= 0 && k >= 0 && i < nx - 1 && j < ny - 1 && k < nz - 1)
        {
            // Between voxel centres (most pixels): every neighbour exists and nothing is clamped.
            int ia = (int)i, ib = (int)j, ic = (int)k;
            return Trilinear(ref Unsafe.Add(ref origin, ia + sy * ib + sz * ic), 1, sy, sz, i - ia, j - ib, k - ic);
        }
        if (i < -0.5 || j < -0.5 || k < -0.5 || i > nx - 0.5 || j > ny - 0.5 || k > nz - 0.5) return float.NaN;
        // Within half a voxel of the border the edge voxel is repeated (clamped), as a display would.
        i = Math.Clamp(i, 0, nx - 1); j = Math.Clamp(j, 0, ny - 1); k = Math.Clamp(k, 0, nz - 1);
        int a = Math.Min((int)i, nx - 2 < 0 ? 0 : nx - 2), b = Math.Min((int)j, ny - 2 < 0 ? 0 : ny - 2), c = Math.Min((int)k, nz - 2 < 0 ? 0 : nz - 2);
        double fa = nx > 1 ? i - a : 0, fb = ny > 1 ? j - b : 0, fc = nz > 1 ? k - c : 0;
        int a1 = Math.Min(a + 1, nx - 1), b1 = Math.Min(b + 1, ny - 1), c1 = Math.Min(c + 1, nz - 1);
        // A one-voxel axis has no second neighbour: its step is 0 (the voxel itself, weighted by 0).
        return Trilinear(ref Unsafe.Add(ref origin, a + sy * b + sz * c), a1 - a, (b1 - b) * sy, (c1 - c) * sz, fa, fb, fc);
    }

    // The trilinear blend of the eight voxels from p (all in the image: the caller's indices) at steps dx, dy, dz along
    // the three axes, with fractions fa, fb, fc.
    private static float Trilinear<T>(ref T p, int dx, int dy, int dz, double fa, double fb, double fc) where T : unmanaged, System.Numerics.INumber<T>
    {
        double c00 = F(p) * (1 - fa) + F(Unsafe.Add(ref p, dx)) * fa;
        double c10 = F(Unsafe.Add(ref p, dy)) * (1 - fa) + F(Unsafe.Add(ref p, dy + dx)) * fa;
        double c01 = F(Unsafe.Add(ref p, dz)) * (1 - fa) + F(Unsafe.Add(ref p, dz + dx)) * fa;
        double c11 = F(Unsafe.Add(ref p, dz + dy)) * (1 - fa) + F(Unsafe.Add(ref p, dz + dy + dx)) * fa;
        double c0 = c00 * (1 - fb) + c10 * fb;
        double c1 = c01 * (1 - fb) + c11 * fb;
        return (float)(c0 * (1 - fc) + c1 * fc);

        // A voxel as the float it would be in a float copy of the image.
        static float F(T x) => float.CreateTruncating(x);
    }
}
