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

    /// <summary>The widest kernel accepted (mm): ten metres, far beyond any head, yet a kernel whose radius in voxels
    /// still fits in memory (a FWHM of 1e308 mm would overflow it).</summary>
    public const double MaxMm = 10_000;

    private static Fwhm Checked(Fwhm f)
    {
        foreach (var v in new[] { f.X, f.Y, f.Z })
        {
            if (!double.IsFinite(v) || v < 0)
                // nilearn silently skips a negative axis (its sigma is not > 0); a negative width is a mistake, so say so
                throw new NiSharpException($"fwhm must be a finite number of mm >= 0, got {F(v)}");
            if (v > MaxMm)
                throw new NiSharpException($"fwhm must be at most {F(MaxMm)} mm (a head is about 200 mm across), got {F(v)}");
        }
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
        // three volumes in flight: the next one being read (and gunzipped), this one being smoothed, the previous
        // one being written (and gzipped), so that decompression, smoothing and compression overlap
        T[] current = new T[n], next = new T[n], previous = new T[n];
        f.ReadVolume<T>(0, current);
        Task? writing = null;
        try
        {
            for (int t = 0; t < f.VolumeCount; t++)
            {
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
                }
                finally
                {
                    reading?.Wait();
                    writing?.Wait();
                }
                var done = current;
                writing = Task.Run(() => w.WriteVolume<T>(done));
                (previous, current, next) = (current, next, previous);
            }
            writing?.Wait();
            writing = null;
        }
        finally
        {
            // never leave a write running on a writer that is being disposed
            try { writing?.Wait(); } catch (AggregateException) { }
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
    /// <c>gaussian_filter1d(arr, sigma, axis, output=arr)</c>: lines are copied into a float64 buffer extended by
    /// reflection, correlated with scipy's symmetric sum <c>x[0]·w[0] + Σ_{j=-r..-1} (x[j] + x[−j])·w[j]</c> (the same
    /// operations in the same order, never fused, so float64 results agree with scipy to the last bit or so), and
    /// stored back in <typeparamref name="T"/>. Along x each line is vectorised over its outputs; along y and z a block
    /// of neighbouring lines (consecutive x) is filtered together, vectorised across the lines, so memory is read in
    /// contiguous rows instead of with a stride.
    /// </summary>
    private void Filter(T[] data, int offset, int axis, double[] w)
    {
        int r = w.Length / 2;
        int n = axis == 0 ? _nx : axis == 1 ? _ny : _nz;
        // the volume as [outer][n][inner]: inner is the distance between two samples of a line
        int inner = axis == 0 ? 1 : axis == 1 ? _nx : _nx * _ny;
        int outer = _nx * _ny * _nz / (n * inner);
        int width = inner == 1 ? 1 : Math.Min(inner, LineBlock);
        int chunks = (inner + width - 1) / width;
        long items = inner == 1 ? outer : (long)outer * chunks; // along x: one item per line
        int blocks = (int)Math.Min(items, Environment.ProcessorCount * 8L);
        if (blocks == 0) return;
        Parallel.For(0, blocks, b =>
        {
            long lo = items * b / blocks, hi = items * (b + 1) / blocks;
            var buffer = ArrayPool<double>.Shared.Rent((n + 2 * r) * width + n);
            try
            {
                for (long item = lo; item < hi; item++)
                {
                    if (inner == 1) FilterLine(data, offset + (int)item * n, n, w, r, buffer);
                    else
                    {
                        int o = (int)(item / chunks), q0 = (int)(item % chunks) * width;
                        FilterLines(data, offset + o * n * inner + q0, inner, Math.Min(width, inner - q0), n, w, r, buffer);
                    }
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(buffer);
            }
        });
    }

    /// <summary>Lines filtered together along y or z (consecutive x positions).</summary>
    private const int LineBlock = 64;

    /// <summary>One contiguous line (along x) at <paramref name="first"/>, vectorised over its outputs.</summary>
    private static void FilterLine(T[] data, int first, int n, double[] w, int r, double[] buffer)
    {
        var line = buffer.AsSpan(0, n + 2 * r);
        var output = buffer.AsSpan(n + 2 * r, n);
        var src = data.AsSpan(first, n);
        for (int i = 0; i < n; i++) line[r + i] = double.CreateTruncating(src[i]);
        for (int e = 1; e <= r; e++)
        {
            line[r - e] = line[r + Smoothing.Reflect(-e, n)];
            line[r + n - 1 + e] = line[r + Smoothing.Reflect(n - 1 + e, n)];
        }
        double centre = w[r];
        int lanes = Vector<double>.Count, i0 = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i0 + lanes <= n; i0 += lanes)
            {
                int c = r + i0;
                var s = new Vector<double>(line[c..]) * centre;
                for (int j = -r; j < 0; j++) s += (new Vector<double>(line[(c + j)..]) + new Vector<double>(line[(c - j)..])) * w[r + j];
                s.CopyTo(output[i0..]);
            }
        for (int i = i0; i < n; i++)
        {
            int c = r + i;
            double s = line[c] * centre;
            for (int j = -r; j < 0; j++) s += (line[c + j] + line[c - j]) * w[r + j];
            output[i] = s;
        }
        for (int i = 0; i < n; i++) src[i] = T.CreateTruncating(output[i]);
    }

    /// <summary>
    /// <paramref name="width"/> neighbouring lines whose samples are <paramref name="inner"/> apart, starting at
    /// <paramref name="first"/>: buffered as rows of <paramref name="width"/> (row p holds sample p of every line),
    /// reflected by whole rows, and each output row computed vectorised across the lines.
    /// </summary>
    private static void FilterLines(T[] data, int first, int inner, int width, int n, double[] w, int r, double[] buffer)
    {
        var rows = buffer.AsSpan(0, (n + 2 * r) * width);
        for (int p = 0; p < n; p++)
        {
            var src = data.AsSpan(first + p * inner, width);
            var dst = rows.Slice((r + p) * width, width);
            for (int q = 0; q < width; q++) dst[q] = double.CreateTruncating(src[q]);
        }
        for (int e = 1; e <= r; e++)
        {
            rows.Slice((r + Smoothing.Reflect(-e, n)) * width, width).CopyTo(rows.Slice((r - e) * width, width));
            rows.Slice((r + Smoothing.Reflect(n - 1 + e, n)) * width, width).CopyTo(rows.Slice((r + n - 1 + e) * width, width));
        }
        double centre = w[r];
        int lanes = Vector<double>.Count;
        Span<double> tail = stackalloc double[Vector<double>.Count];
        for (int i = 0; i < n; i++)
        {
            int c = (r + i) * width;
            var dst = data.AsSpan(first + i * inner, width);
            int q0 = 0;
            if (Vector.IsHardwareAccelerated)
                for (; q0 + lanes <= width; q0 += lanes)
                {
                    var s = new Vector<double>(rows[(c + q0)..]) * centre;
                    for (int j = -r; j < 0; j++)
                        s += (new Vector<double>(rows[(c + j * width + q0)..]) + new Vector<double>(rows[(c - j * width + q0)..])) * w[r + j];
                    s.CopyTo(tail);
                    for (int k = 0; k < lanes; k++) dst[q0 + k] = T.CreateTruncating(tail[k]);
                }
            for (int q = q0; q < width; q++)
            {
                double s = rows[c + q] * centre;
                for (int j = -r; j < 0; j++) s += (rows[c + j * width + q] + rows[c - j * width + q]) * w[r + j];
                dst[q] = T.CreateTruncating(s);
            }
        }
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
