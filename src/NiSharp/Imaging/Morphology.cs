namespace NiSharp.Imaging;

/// <summary>
/// Binary morphology on 3D masks (x fastest) with scipy.ndimage's defaults: the 6-neighbour cross as the
/// structuring element and 0 beyond the border; and nilearn's <c>largest_connected_component</c>.
/// </summary>
public static class Morphology
{
    /// <summary><c>scipy.ndimage.binary_erosion(mask, iterations=n)</c>: a voxel stays if it and its 6 neighbours are set.</summary>
    public static bool[] Erode(ReadOnlySpan<bool> mask, int nx, int ny, int nz, int iterations = 1)
    {
        var cur = mask.ToArray();
        var next = new bool[cur.Length];
        for (int it = 0; it < iterations; it++)
        {
            Step(cur, next, nx, ny, nz, erode: true);
            (cur, next) = (next, cur);
        }
        return cur;
    }

    /// <summary><c>scipy.ndimage.binary_dilation(mask, iterations=n)</c>: a voxel is set if it or one of its 6 neighbours is.</summary>
    public static bool[] Dilate(ReadOnlySpan<bool> mask, int nx, int ny, int nz, int iterations = 1)
    {
        var cur = mask.ToArray();
        var next = new bool[cur.Length];
        for (int it = 0; it < iterations; it++)
        {
            Step(cur, next, nx, ny, nz, erode: false);
            (cur, next) = (next, cur);
        }
        return cur;
    }

    private static void Step(bool[] src, bool[] dst, int nx, int ny, int nz, bool erode)
    {
        int sy = nx, sz = nx * ny;
        Parallel.For(0, nz, k =>
        {
            for (int j = 0; j < ny; j++)
            {
                int row = nx * (j + ny * k);
                for (int i = 0; i < nx; i++)
                {
                    int p = row + i;
                    if (erode)
                    {
                        dst[p] = src[p]
                                 && i > 0 && src[p - 1] && i < nx - 1 && src[p + 1]
                                 && j > 0 && src[p - sy] && j < ny - 1 && src[p + sy]
                                 && k > 0 && src[p - sz] && k < nz - 1 && src[p + sz];
                    }
                    else
                    {
                        dst[p] = src[p]
                                 || (i > 0 && src[p - 1]) || (i < nx - 1 && src[p + 1])
                                 || (j > 0 && src[p - sy]) || (j < ny - 1 && src[p + sy])
                                 || (k > 0 && src[p - sz]) || (k < nz - 1 && src[p + sz]);
                    }
                }
            }
        });
    }

    /// <summary>
    /// nilearn <c>largest_connected_component</c>: the biggest 6-connected component of the mask (the first
    /// one in scipy's numbering when sizes tie). An empty mask is returned unchanged.
    /// </summary>
    public static bool[] LargestComponent(ReadOnlySpan<bool> mask, int nx, int ny, int nz)
    {
        var cc = ConnectedComponents.Find(mask, nx, ny, nz, Connectivity.Face6);
        var result = new bool[mask.Length];
        if (cc.Count == 0) return result;
        int best = 0;
        for (int c = 1; c < cc.Count; c++) if (cc.Sizes[c] > cc.Sizes[best]) best = c;
        int label = best + 1;
        for (int i = 0; i < result.Length; i++) result[i] = cc.Labels[i] == label;
        return result;
    }
}

/// <summary>nilearn's <c>extrapolate_out_mask</c>, used by resampling to fill non-finite voxels before interpolating.</summary>
internal static class Extrapolation
{
    /// <summary>
    /// <paramref name="iterations"/> times: every voxel of the one-voxel shell around the mask gets the mean of its
    /// in-mask face neighbours, and the mask grows by that shell. Voxels left outside the grown mask become 0.
    /// <paramref name="mask"/> is updated to the grown mask.
    /// </summary>
    public static void ExtrapolateOutMask(double[] data, bool[] mask, int nx, int ny, int nz, int iterations)
    {
        int sy = nx, sz = nx * ny;
        var shellValues = new double[data.Length];
        for (int it = 0; it < iterations; it++)
        {
            var grown = Morphology.Dilate(mask, nx, ny, nz);
            for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
            {
                int p = i + nx * (j + ny * k);
                if (!grown[p] || mask[p]) continue;
                double sum = 0; int count = 0;
                void Take(bool inside, int q)
                {
                    if (inside && mask[q]) { sum += data[q]; count++; }
                }
                Take(i < nx - 1, p + 1); Take(i > 0, p - 1);
                Take(j < ny - 1, p + sy); Take(j > 0, p - sy);
                Take(k < nz - 1, p + sz); Take(k > 0, p - sz);
                double v = sum / count;
                shellValues[p] = double.IsFinite(v) ? v : 0;
            }
            for (int p = 0; p < data.Length; p++)
            {
                if (mask[p]) continue;
                data[p] = grown[p] ? shellValues[p] : 0;
            }
            Array.Copy(grown, mask, mask.Length);
        }
    }
}
