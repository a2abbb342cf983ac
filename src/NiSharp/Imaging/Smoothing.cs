using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>
/// Gaussian smoothing as nilearn's <c>smooth_img</c> / <c>_smooth_array</c>: a FWHM in millimetres becomes a
/// sigma per axis from the voxel sizes, and <c>scipy.ndimage.gaussian_filter1d</c> (truncate 4, mode 'reflect')
/// runs along x, then y, then z, each pass stored back as float32.
/// </summary>
public static class Smoothing
{
    private static readonly double FwhmOverSigma = Math.Sqrt(8 * Math.Log(2));

    /// <summary>nilearn <c>smooth_img(img, fwhm)</c> for 3D and 4D images (each volume on its own). Non-finite values become 0 first.</summary>
    public static Image<float> Smooth(Image<float> image, double fwhmMm)
    {
        var data = image.Data.ToArray();
        var (sx, sy, sz) = image.Affine.VoxelSizes;
        for (int t = 0; t < image.VolumeCount; t++)
            SmoothVolume(data.AsSpan(t * image.VoxelsPerVolume, image.VoxelsPerVolume), image.SpatialShape, [fwhmMm / (FwhmOverSigma * sx), fwhmMm / (FwhmOverSigma * sy), fwhmMm / (FwhmOverSigma * sz)]);
        return new Image<float>(image.Shape, image.Affine, data, image.Header);
    }

    /// <summary>Smooths one float32 volume in place with a sigma per axis in voxels (0 skips an axis).</summary>
    public static void SmoothVolume(Span<float> volume, int[] shape, double[] sigmaVoxels)
    {
        for (int i = 0; i < volume.Length; i++) if (!float.IsFinite(volume[i])) volume[i] = 0;
        for (int axis = 0; axis < 3; axis++)
            if (sigmaVoxels[axis] > 0) GaussianFilter1D(volume, shape, axis, sigmaVoxels[axis]);
    }

    /// <summary>scipy <c>_gaussian_kernel1d(sigma, 0, radius)</c> with radius <c>int(4·sigma + 0.5)</c>.</summary>
    public static double[] Kernel(double sigma)
    {
        int radius = (int)(4.0 * sigma + 0.5);
        var w = new double[2 * radius + 1];
        double c = -0.5 / (sigma * sigma);
        double sum = 0;
        for (int i = 0; i < w.Length; i++)
        {
            double x = i - radius;
            w[i] = Math.Exp(c * x * x);
        }
        foreach (var v in w) sum += v;
        for (int i = 0; i < w.Length; i++) w[i] /= sum;
        return w;
    }

    /// <summary>
    /// <c>gaussian_filter1d(arr, sigma, axis, output=arr)</c> on a float32 volume: scipy's symmetric correlation
    /// <c>x[0]·w[0] + Σ (x[−j] + x[j])·w[j]</c> on lines extended by half-sample reflection.
    /// </summary>
    public static void GaussianFilter1D(Span<float> volume, int[] shape, int axis, double sigma)
    {
        var w = Kernel(sigma);
        int r = w.Length / 2;
        int nx = shape[0], ny = shape[1], nz = shape[2];
        int n = shape[axis];
        long stride = axis == 0 ? 1 : axis == 1 ? nx : (long)nx * ny;
        int lines = nx * ny * nz / n;
        var line = new double[n + 2 * r];
        var outLine = new double[n];
        for (int l = 0; l < lines; l++)
        {
            // the first voxel of line l
            long start = axis switch
            {
                0 => (long)l * nx,
                1 => (l % nx) + (long)nx * ny * (l / nx),
                _ => l,
            };
            for (int i = 0; i < n; i++) line[r + i] = volume[(int)(start + i * stride)];
            for (int e = 1; e <= r; e++)
            {
                line[r - e] = line[r + Reflect(-e, n)];
                line[r + n - 1 + e] = line[r + Reflect(n - 1 + e, n)];
            }
            for (int i = 0; i < n; i++)
            {
                int c = r + i;
                double s = line[c] * w[r];
                for (int j = -r; j < 0; j++) s += (line[c + j] + line[c - j]) * w[r + j];
                outLine[i] = s;
            }
            for (int i = 0; i < n; i++) volume[(int)(start + i * stride)] = (float)outLine[i];
        }
    }

    private static int Reflect(int i, int n)
    {
        while (i < 0 || i >= n)
            i = i < 0 ? -i - 1 : 2 * n - i - 1;
        return i;
    }
}
