using System.Buffers;
using System.Globalization;
using System.Numerics;
using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>
/// nilearn's <c>fwhm</c> argument of <c>smooth_img</c> and the maskers' <c>smoothing_fwhm</c>: a full width at half
/// maximum in millimetres per spatial axis (one value applies to all three), or <c>'fast'</c>, nilearn's small
/// neighbour-averaging kernel. An axis whose FWHM is 0 is not smoothed.
/// </summary>
public readonly record struct Fwhm
{
    private Fwhm(double x, double y, double z, bool isFast, bool isScalar)
    {
        X = x; Y = y; Z = z; IsFast = isFast; IsScalar = isScalar;
    }

    /// <summary>FWHM along the first voxel axis, in mm.</summary>
    public double X { get; }
    /// <summary>FWHM along the second voxel axis, in mm.</summary>
    public double Y { get; }
    /// <summary>FWHM along the third voxel axis, in mm.</summary>
    public double Z { get; }
    /// <summary><c>fwhm='fast'</c>: each voxel plus 0.2 × its six face neighbours, divided by 2.2.</summary>
    public bool IsFast { get; }
    /// <summary>Whether it was given as one number (reported as such in provenance).</summary>
    public bool IsScalar { get; }

    /// <summary>One FWHM in mm for the three axes.</summary>
    public static Fwhm Of(double mm) => Checked(new Fwhm(mm, mm, mm, false, true));

    /// <summary>One FWHM in mm per voxel axis.</summary>
    public static Fwhm Of(double x, double y, double z) => Checked(new Fwhm(x, y, z, false, false));

    /// <summary>nilearn's <c>'fast'</c> kernel.</summary>
    public static Fwhm Fast { get; } = new(0, 0, 0, true, false);

    /// <summary>Whether it smooths nothing (every FWHM 0; nilearn warns for a scalar 0 and skips smoothing).</summary>
    public bool IsNone => !IsFast && X == 0 && Y == 0 && Z == 0;

    /// <summary>
    /// Parses the command-line form: <c>fast</c>, one number or three numbers (mm). Throws <see cref="NiSharpException"/>
    /// with a one-line message for a negative or non-finite value or a wrong count.
    /// </summary>
    public static Fwhm Parse(IReadOnlyList<string> values)
    {
        if (values.Count == 1 && values[0].Trim().Equals("fast", StringComparison.OrdinalIgnoreCase)) return Fast;
        if (values.Count is not (1 or 3))
            throw new NiSharpException($"fwhm takes one value, three values (x y z in mm) or 'fast', got {values.Count}: {string.Join(' ', values)}");
        var v = new double[values.Count];
        for (int i = 0; i < v.Length; i++)
            if (!double.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]))
                throw new NiSharpException($"fwhm '{values[i]}' is not a number (mm) or 'fast'");
        return v.Length == 1 ? Of(v[0]) : Of(v[0], v[1], v[2]);
    }

    private static Fwhm Checked(Fwhm f)
    {
        foreach (var v in new[] { f.X, f.Y, f.Z })
            if (!double.IsFinite(v) || v < 0)
                // nilearn silently skips a negative axis (its sigma is not > 0); a negative width is a mistake, so say so
                throw new NiSharpException($"fwhm must be a finite number of mm >= 0, got {F(v)}");
        return f;
    }

    /// <summary>nilearn's sigma per voxel axis: <c>fwhm / (sqrt(8 ln 2) · voxel size)</c>, the voxel size being the
    /// norm of the affine's column (so oblique and flipped affines give their true spacing).</summary>
    public double[] SigmaVoxels(Affine affine)
    {
        var (sx, sy, sz) = affine.VoxelSizes;
        double ratio = Math.Sqrt(8 * Math.Log(2));
        return [X / (ratio * sx), Y / (ratio * sy), Z / (ratio * sz)];
    }

    /// <summary>The value as nilearn's parameter: a number, three numbers or <c>"fast"</c>.</summary>
    public object ToParameter() => IsFast ? "fast" : IsScalar ? X : new[] { X, Y, Z };

    /// <summary><c>fast</c>, <c>6</c> or <c>6 6 8</c>.</summary>
    public override string ToString() => IsFast ? "fast" : IsScalar ? F(X) : $"{F(X)} {F(Y)} {F(Z)}";

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// Gaussian smoothing as nilearn's <c>smooth_img</c> / <c>_smooth_array</c>: a FWHM in millimetres becomes a
/// sigma per axis from the voxel sizes, and <c>scipy.ndimage.gaussian_filter1d</c> (truncate 4, mode 'reflect')
/// runs along x, then y, then z, each pass computed in float64 and stored back in the image's type (float32
/// data stays float32 between passes, as scipy's <c>output=arr</c>). Non-finite values become 0 first
/// (<c>ensure_finite=True</c>). 4D images are smoothed volume by volume, on the spatial axes only.
/// </summary>
public static class Smoothing
{
    /// <summary>nilearn <c>smooth_img(img, fwhm)</c> for 3D and 4D float32 images with one FWHM in mm.</summary>
    public static Image<float> Smooth(Image<float> image, double fwhmMm) => Smooth(image, (Fwhm?)Fwhm.Of(fwhmMm));

    /// <summary>
    /// nilearn <c>smooth_img(img, fwhm)</c> on an image in memory: a smoothed copy (<paramref name="fwhm"/> null or
    /// all 0: an unsmoothed copy with non-finite values set to 0, as nilearn).
    /// </summary>
    public static Image<T> Smooth<T>(Image<T> image, Fwhm? fwhm) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var data = image.Data.ToArray();
        var smoother = new VolumeSmoother<T>(image.SpatialShape, image.Affine, fwhm);
        for (int t = 0; t < image.VolumeCount; t++)
            smoother.Apply(data, t * image.VoxelsPerVolume);
        return new Image<T>(image.Shape, image.Affine, data, image.Header);
    }

    /// <summary>
    /// nilearn <c>smooth_img(in, fwhm).to_filename(out)</c>, streamed one volume at a time. The output is float64 when
    /// the data read as float64 (float64 files, 64-bit integers, scaled wide types) and float32 otherwise (nilearn
    /// turns integer data into float32 before smoothing). Written atomically: nothing is left on failure.
    /// </summary>
    public static void SmoothFile(string inputPath, string outputPath, Fwhm? fwhm, NiftiWriteOptions? options = null)
    {
        using var f = NiftiFile.Open(inputPath);
        if (f.Header.NDim > 4 && f.Shape.Skip(4).Any(d => d > 1))
            throw new NiSharpException(inputPath, $"expected a 3D or 4D image, got shape {Image.ShapeText(f.Shape)}");
        bool wide = VoxelTypes.InMemoryType(f) is NiftiDataType.Float64 or NiftiDataType.Int64 or NiftiDataType.UInt64;
        if (wide) SmoothFile<double>(f, outputPath, fwhm, NiftiDataType.Float64, options);
        else SmoothFile<float>(f, outputPath, fwhm, NiftiDataType.Float32, options);
    }

    private static void SmoothFile<T>(NiftiFile f, string outputPath, Fwhm? fwhm, NiftiDataType type, NiftiWriteOptions? options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var smoother = new VolumeSmoother<T>(f.SpatialShape, f.Affine, fwhm);
        using var w = NiftiWriter.Create(outputPath, f.Shape, f.Affine, type, f.Header, options);
        int n = f.VoxelsPerVolume;
        T[] current = new T[n], next = new T[n];
        f.ReadVolume<T>(0, current);
        for (int t = 0; t < f.VolumeCount; t++)
        {
            // read (and gunzip) the next volume while this one is smoothed
            Task? reading = null;
            if (t + 1 < f.VolumeCount)
            {
                int tn = t + 1;
                var buffer = next;
                reading = Task.Run(() => f.ReadVolume<T>(tn, buffer));
            }
            try
            {
                smoother.Apply(current, 0);
                w.WriteVolume<T>(current);
            }
            finally
            {
                reading?.Wait();
            }
            (current, next) = (next, current);
        }
        w.Commit();
    }

    /// <summary>Smooths one float32 volume in place with a sigma per axis in voxels (0 skips an axis); non-finite values become 0 first.</summary>
    public static void SmoothVolume(Span<float> volume, int[] shape, double[] sigmaVoxels)
    {
        var buffer = volume.ToArray();
        new VolumeSmoother<float>(shape, sigmaVoxels).Apply(buffer, 0);
        buffer.CopyTo(volume);
    }

    /// <summary>scipy <c>_gaussian_kernel1d(sigma, 0, radius)</c> with radius <c>int(4·sigma + 0.5)</c>: exp(−x²/2σ²)
    /// on x = −radius..radius, normalised to sum 1 (the polynomial evaluated as numpy does, (c·x)·x).</summary>
    public static double[] Kernel(double sigma)
    {
        int radius = (int)(4.0 * sigma + 0.5);
        var w = new double[2 * radius + 1];
        double c = -0.5 / (sigma * sigma);
        for (int i = 0; i < w.Length; i++)
        {
            double x = i - radius;
            w[i] = Math.Exp(c * x * x);
        }
        double sum = 0;
        foreach (var v in w) sum += v;
        for (int i = 0; i < w.Length; i++) w[i] /= sum;
        return w;
    }

    /// <summary>scipy's mode <c>'reflect'</c> (half-sample symmetric, <c>d c b a | a b c d | d c b a</c>, repeated
    /// for a line shorter than the kernel): the index inside a line of <paramref name="n"/> samples that
    /// position <paramref name="i"/> reads.</summary>
    public static int Reflect(int i, int n)
    {
        int period = 2 * n;
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - 1 - i;
    }
}

/// <summary>
/// Smooths volumes of one grid in place, again and again (a 4D file, a masker's stream): the kernels are built once,
/// lines run in parallel with one pooled float64 line buffer per worker, and nothing is allocated per voxel.
/// </summary>
internal sealed class VolumeSmoother<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly int _nx, _ny, _nz;
    private readonly double[]?[] _kernels = new double[3][];
    private readonly bool _fast;

    /// <summary>For <paramref name="fwhm"/> on a grid with <paramref name="affine"/> (null: only non-finite values → 0).</summary>
    public VolumeSmoother(int[] spatialShape, Affine affine, Fwhm? fwhm)
        : this(spatialShape, fwhm is { IsFast: false } f ? f.SigmaVoxels(affine) : [0, 0, 0])
    {
        _fast = fwhm is { IsFast: true };
    }

    /// <summary>With a sigma per axis in voxels (0 or less skips the axis, as nilearn's <c>if s &gt; 0</c>).</summary>
    public VolumeSmoother(int[] spatialShape, double[] sigmaVoxels)
    {
        (_nx, _ny, _nz) = (spatialShape[0], spatialShape[1], spatialShape[2]);
        for (int a = 0; a < 3; a++)
            if (sigmaVoxels[a] > 0) _kernels[a] = Smoothing.Kernel(sigmaVoxels[a]);
    }

    /// <summary>Whether it changes anything besides non-finite values.</summary>
    public bool Smooths => _fast || _kernels.Any(k => k is not null);

    /// <summary>Smooths the volume at <paramref name="offset"/> in <paramref name="data"/> in place.</summary>
    public void Apply(T[] data, int offset)
    {
        int n = _nx * _ny * _nz;
        var volume = data.AsSpan(offset, n);
        // ensure_finite: SPM puts NaN outside the brain
        for (int i = 0; i < volume.Length; i++) if (!T.IsFinite(volume[i])) volume[i] = T.Zero;
        if (_fast) { ApplyFast(data, offset); return; }
        for (int axis = 0; axis < 3; axis++)
            if (_kernels[axis] is { } w) Filter(data, offset, axis, w);
    }

    /// <summary>
    /// <c>gaussian_filter1d(arr, sigma, axis, output=arr)</c>: each line is copied into a float64 buffer extended by
    /// reflection, correlated with scipy's symmetric sum <c>x[0]·w[0] + Σ_{j=-r..-1} (x[j] + x[−j])·w[j]</c> (the same
    /// order of operations, so float64 results agree to rounding), and stored back in <typeparamref name="T"/>.
    /// </summary>
    private void Filter(T[] data, int offset, int axis, double[] w)
    {
        int r = w.Length / 2;
        int n = axis == 0 ? _nx : axis == 1 ? _ny : _nz;
        int stride = axis == 0 ? 1 : axis == 1 ? _nx : _nx * _ny;
        int lines = _nx * _ny * _nz / n;
        int nx = _nx, nxy = _nx * _ny;
        int blocks = Math.Min(lines, Environment.ProcessorCount * 4);
        if (blocks == 0) return;
        Parallel.For(0, blocks, b =>
        {
            long lo = (long)lines * b / blocks, hi = (long)lines * (b + 1) / blocks;
            var line = ArrayPool<double>.Shared.Rent(n + 2 * r + n);
            try
            {
                for (long l = lo; l < hi; l++)
                {
                    int start = axis switch
                    {
                        0 => (int)l * nx,
                        1 => (int)(l % nx) + nxy * (int)(l / nx),
                        _ => (int)l,
                    };
                    FilterLine(data, offset + start, stride, n, w, r, line);
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(line);
            }
        });
    }

    private static void FilterLine(T[] data, int first, int stride, int n, double[] w, int r, double[] buffer)
    {
        var line = buffer.AsSpan(0, n + 2 * r);
        var output = buffer.AsSpan(n + 2 * r, n);
        for (int i = 0; i < n; i++) line[r + i] = double.CreateTruncating(data[first + i * stride]);
        for (int e = 1; e <= r; e++)
        {
            line[r - e] = line[r + Smoothing.Reflect(-e, n)];
            line[r + n - 1 + e] = line[r + Smoothing.Reflect(n - 1 + e, n)];
        }
        double centre = w[r];
        for (int i = 0; i < n; i++)
        {
            int c = r + i;
            double s = line[c] * centre;
            for (int j = -r; j < 0; j++) s += (line[c + j] + line[c - j]) * w[r + j];
            output[i] = s;
        }
        for (int i = 0; i < n; i++) data[first + i * stride] = T.CreateTruncating(output[i]);
    }

    /// <summary>
    /// nilearn's <c>_fast_smooth_array</c>: <c>smoothed = arr.copy()</c>, then 0.2·arr of the +x, −x, +y, −y, +z, −z
    /// neighbours added in that order (edge voxels have fewer, and are not renormalised), then divided by
    /// <c>1 + 6·0.2</c> — all in <typeparamref name="T"/>, as numpy computes it.
    /// </summary>
    private void ApplyFast(T[] data, int offset)
    {
        int nx = _nx, ny = _ny, nz = _nz, nxy = nx * ny, n = nxy * nz;
        var original = ArrayPool<T>.Shared.Rent(n);
        try
        {
            var weighted = original;
            T weight = T.CreateTruncating(0.2), scale = T.CreateTruncating(1 + 6 * 0.2);
            for (int i = 0; i < n; i++) weighted[i] = weight * data[offset + i];
            Parallel.For(0, nz, z =>
            {
                for (int y = 0; y < ny; y++)
                {
                    int row = z * nxy + y * nx;
                    for (int x = 0; x < nx; x++)
                    {
                        int i = row + x;
                        T s = data[offset + i];
                        if (x + 1 < nx) s += weighted[i + 1];
                        if (x > 0) s += weighted[i - 1];
                        if (y + 1 < ny) s += weighted[i + nx];
                        if (y > 0) s += weighted[i - nx];
                        if (z + 1 < nz) s += weighted[i + nxy];
                        if (z > 0) s += weighted[i - nxy];
                        data[offset + i] = s / scale;
                    }
                }
            });
        }
        finally
        {
            ArrayPool<T>.Shared.Return(original);
        }
    }
}
