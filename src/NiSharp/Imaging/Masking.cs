using System.Numerics;
using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>
/// Brain masks, nilearn's <c>masking</c> module: apply a mask (image → time × voxel matrix) and undo it,
/// intersect / unite / invert masks, and compute an EPI mask. Masks are <see cref="Image{T}"/> of bytes (0/1).
/// </summary>
/// <remarks>
/// The voxel (column) order is nilearn's: numpy's C order of the (x, y, z) array, x slowest and z fastest, so a
/// matrix from here has the same columns as <c>apply_mask</c>'s.
/// </remarks>
public static class Masking
{
    /// <summary>
    /// A mask from any image, checked as nilearn's <c>load_mask_img</c>: one value (not 0) or two values one of
    /// which is 0; NaN counts as 0. <paramref name="source"/> names the file in errors.
    /// </summary>
    public static Image<byte> ToMask<T>(Image<T> image, string? source = null, bool allowEmpty = false) where T : unmanaged, INumber<T>
    {
        string Prefix() => source is null ? "" : source + ": ";
        if (image.NDim > 3 && image.VolumeCount > 1)
            throw new NiSharpException($"{Prefix()}a mask must be 3D, got shape {image.ShapeText()}");
        // The first three distinct values are enough to tell a valid mask from an invalid one; a small array, not a set:
        // this runs for every voxel of every run's brain mask.
        Span<double> seen = stackalloc double[3];
        int distinct = 0;
        int n = image.VoxelsPerVolume;
        var m = new byte[n];
        var data = image.Data.AsSpan(0, n);
        int from = 0;
        if (typeof(T) == typeof(byte))
        {
            // A uint8 mask (fMRIPrep's) with at most 0 and one other value, found with vector searches; anything else
            // takes the loop below, which names the values in its error.
            var bytes = System.Runtime.InteropServices.MemoryMarshal.Cast<T, byte>(data);
            int first = bytes.IndexOfAnyExcept((byte)0);
            if (first < 0 || bytes[first..].IndexOfAnyExcept((byte)0, bytes[first]) < 0)
            {
                if (n > 0 && (first != 0 || bytes.Contains((byte)0))) seen[distinct++] = 0;
                if (first >= 0) seen[distinct++] = bytes[first];
                System.Numerics.Tensors.TensorPrimitives.Min(bytes, (byte)1, m);
                from = n;
            }
        }
        for (int i = from; i < n; i++)
        {
            double d = double.CreateTruncating(data[i]);
            if (!double.IsFinite(d)) d = 0;
            if (distinct < 3 && !Seen(seen[..distinct], d)) seen[distinct++] = d;
            m[i] = d != 0 ? (byte)1 : (byte)0;
        }
        static bool Seen(ReadOnlySpan<double> seen, double d)
        {
            foreach (var s in seen) if (s == d) return true; // -0 is 0, as for a sorted set
            return false;
        }
        var values = seen[..distinct].ToArray();
        Array.Sort(values);
        bool hasZero = values.Contains(0.0);
        if (values.Length == 1 && values[0] == 0 && !allowEmpty)
            throw new NiSharpException($"{Prefix()}the mask is empty: it masks all data");
        if (values.Length == 2 && !hasZero)
            throw new NiSharpException($"{Prefix()}the background of a mask must be 0; the mask has values {string.Join(", ", values)}");
        if (values.Length > 2)
            throw new NiSharpException($"{Prefix()}a mask must have 2 values (0 and one other); this image has more (e.g. {string.Join(", ", values.Take(3))})");
        return new Image<byte>(image.SpatialShape, image.Affine, m, image.Header);
    }

    /// <summary>Loads and checks a mask file.</summary>
    public static Image<byte> LoadMask(string path, bool allowEmpty = false)
    {
        using var f = NiftiFile.Open(path);
        // fMRIPrep's masks are uint8: read as bytes they are exact and an eighth of the memory of float64.
        return f.StoresAs<byte>()
            ? ToMask(f.Load<byte>(), path, allowEmpty)
            : ToMask(f.Load<double>(), path, allowEmpty);
    }

    /// <summary>The mask's voxel indices (x fastest layout) in nilearn's column order (C order: x slowest, z fastest).</summary>
    public static int[] VoxelIndices(Image<byte> mask)
    {
        var s = mask.SpatialShape;
        int nx = s[0], ny = s[1], nz = s[2];
        var list = new List<int>();
        for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++)
        for (int k = 0; k < nz; k++)
        {
            int p = i + nx * (j + ny * k);
            if (mask.Data[p] != 0) list.Add(p);
        }
        return list.ToArray();
    }

    private static void CheckSameGrid(Grid mask, Grid img, string? imageSource, string? maskSource)
    {
        string I = imageSource ?? "the image", M = maskSource ?? "the mask";
        if (mask.Nx != img.Nx || mask.Ny != img.Ny || mask.Nz != img.Nz)
            throw new NiSharpException($"{M} has shape {Image.ShapeText(mask.Shape)} but {I} has {Image.ShapeText(img.Shape)}; resample the mask (nearest) first");
        if (!mask.Affine.AllClose(img.Affine))
            throw new NiSharpException($"{M} and {I} have different affines; resample the mask (nearest) first");
    }

    /// <summary>
    /// nilearn <c>apply_mask(imgs, mask_img)</c>: the voxels inside the mask as a float32 matrix
    /// [volumes, voxels]; NaN and ±inf become 0 (<c>ensure_finite</c>). A 3D image gives one row.
    /// </summary>
    public static float[,] ApplyMask(Image<float> image, Image<byte> mask)
    {
        CheckSameGrid(Grid.Of(mask), Grid.Of(image), null, null);
        var idx = VoxelIndices(mask);
        int nt = image.VolumeCount;
        var x = new float[nt, idx.Length];
        for (int t = 0; t < nt; t++)
        {
            var vol = image.Volume(t);
            for (int v = 0; v < idx.Length; v++)
            {
                float f = vol[idx[v]];
                x[t, v] = float.IsFinite(f) ? f : 0;
            }
        }
        return x;
    }

    /// <summary><see cref="ApplyMask(Image{float}, Image{byte})"/> reading the image file one volume at a time.</summary>
    public static float[,] ApplyMask(string imagePath, Image<byte> mask, string? maskSource = null)
    {
        using var f = NiftiFile.Open(imagePath);
        CheckSameGrid(Grid.Of(mask), Grid.Of(f), imagePath, maskSource);
        var idx = VoxelIndices(mask);
        var x = new float[f.VolumeCount, idx.Length];
        var vol = new float[f.VoxelsPerVolume];
        for (int t = 0; t < f.VolumeCount; t++)
        {
            f.ReadVolume<float>(t, vol);
            for (int v = 0; v < idx.Length; v++)
            {
                float val = vol[idx[v]];
                x[t, v] = float.IsFinite(val) ? val : 0;
            }
        }
        return x;
    }

    /// <summary>nilearn <c>unmask(X, mask_img)</c>: a [volumes, voxels] matrix back into a 4D image (zeros outside).</summary>
    public static Image<float> Unmask(float[,] x, Image<byte> mask)
    {
        var idx = VoxelIndices(mask);
        if (x.GetLength(1) != idx.Length)
            throw new NiSharpException($"the matrix has {x.GetLength(1)} columns but the mask has {idx.Length} voxels");
        int nt = x.GetLength(0), n = mask.VoxelsPerVolume;
        var data = new float[(long)nt * n];
        for (int t = 0; t < nt; t++)
            for (int v = 0; v < idx.Length; v++) data[(long)t * n + idx[v]] = x[t, v];
        var s = mask.SpatialShape;
        return new Image<float>([s[0], s[1], s[2], nt], mask.Affine, data, mask.Header);
    }

    /// <summary>nilearn <c>unmask(x, mask_img)</c> for one row: a 3D image.</summary>
    public static Image<float> Unmask(ReadOnlySpan<float> x, Image<byte> mask)
    {
        var idx = VoxelIndices(mask);
        if (x.Length != idx.Length)
            throw new NiSharpException($"the vector has {x.Length} values but the mask has {idx.Length} voxels");
        var data = new float[mask.VoxelsPerVolume];
        for (int v = 0; v < idx.Length; v++) data[idx[v]] = x[v];
        return new Image<float>(mask.SpatialShape, mask.Affine, data, mask.Header);
    }

    /// <summary>
    /// nilearn <c>intersect_masks(masks, threshold=0.5, connected=True)</c>: keep voxels set in more than
    /// <c>threshold</c> × (number of masks) masks (threshold 1 is the intersection, 0 the union), then, when
    /// <paramref name="connected"/>, only the largest 6-connected component.
    /// </summary>
    public static Image<byte> IntersectMasks(IReadOnlyList<Image<byte>> masks, double threshold = 0.5, bool connected = true)
    {
        if (masks.Count == 0) throw new NiSharpException("no mask given to intersect");
        if (threshold > 1) throw new NiSharpException($"the threshold must be at most 1, got {threshold}");
        if (threshold < 0) throw new NiSharpException($"the threshold must be at least 0, got {threshold}");
        threshold = Math.Min(threshold, 1 - 1.0e-7);
        var g = Grid.Of(masks[0]);
        var count = new int[g.VoxelCount];
        for (int m = 0; m < masks.Count; m++)
        {
            var gm = Grid.Of(masks[m]);
            if (!gm.Affine.Equals(g.Affine)) throw new NiSharpException($"mask {m + 1} has a different affine from mask 1; all masks need the same affine");
            if (gm.Nx != g.Nx || gm.Ny != g.Ny || gm.Nz != g.Nz) throw new NiSharpException($"mask {m + 1} has shape {Image.ShapeText(gm.Shape)}, mask 1 has {Image.ShapeText(g.Shape)}");
            var d = masks[m].Data;
            for (int i = 0; i < count.Length; i++) if (d[i] != 0) count[i]++;
        }
        double limit = threshold * masks.Count;
        var result = new bool[count.Length];
        bool any = false;
        for (int i = 0; i < count.Length; i++) if (count[i] > limit) { result[i] = true; any = true; }
        if (any && connected) result = Morphology.LargestComponent(result, g.Nx, g.Ny, g.Nz);
        return FromBool(result, masks[0]);
    }

    /// <summary>The union of masks (a voxel set in any of them): <c>intersect_masks(threshold=0, connected=False)</c>.</summary>
    public static Image<byte> UnionMasks(IReadOnlyList<Image<byte>> masks) => IntersectMasks(masks, 0, connected: false);

    /// <summary>The complement of a mask (<c>math_img('1 - m')</c>).</summary>
    public static Image<byte> InvertMask(Image<byte> mask)
    {
        var d = new byte[mask.VoxelsPerVolume];
        for (int i = 0; i < d.Length; i++) d[i] = mask.Data[i] == 0 ? (byte)1 : (byte)0;
        return new Image<byte>(mask.SpatialShape, mask.Affine, d, mask.Header);
    }

    /// <summary>
    /// nilearn <c>compute_epi_mask</c>: the mean image (smoothed with a 1-voxel FWHM when <paramref name="opening"/> &gt; 0),
    /// thresholded at the least dense point of its histogram between the <paramref name="lowerCutoff"/> and
    /// <paramref name="upperCutoff"/> fractions, then eroded <paramref name="opening"/> times, reduced to its largest
    /// component, dilated 2×<paramref name="opening"/> times and eroded <paramref name="opening"/> times.
    /// </summary>
    public static Image<byte> ComputeEpiMask(Image<float> epi, double lowerCutoff = 0.2, double upperCutoff = 0.85,
        bool connected = true, int opening = 2, bool excludeZeros = false, bool ensureFinite = true)
    {
        var mean = epi.NDim >= 4 ? Volumes.Mean(epi) : new Image<float>(epi.SpatialShape, epi.Affine, epi.Data.ToArray(), epi.Header);
        return EpiMaskFromMean(mean, lowerCutoff, upperCutoff, connected, opening, excludeZeros, ensureFinite);
    }

    /// <summary><see cref="ComputeEpiMask(Image{float}, double, double, bool, int, bool, bool)"/> streaming a 4D file.</summary>
    public static Image<byte> ComputeEpiMask(string epiPath, double lowerCutoff = 0.2, double upperCutoff = 0.85,
        bool connected = true, int opening = 2, bool excludeZeros = false, bool ensureFinite = true) =>
        EpiMaskFromMean(Volumes.Mean(epiPath), lowerCutoff, upperCutoff, connected, opening, excludeZeros, ensureFinite);

    private static Image<byte> EpiMaskFromMean(Image<float> mean, double lowerCutoff, double upperCutoff, bool connected, int opening, bool excludeZeros, bool ensureFinite)
    {
        var s = mean.SpatialShape;
        var m = mean.Data;
        if (opening > 0)
        {
            var nan = new bool[m.Length];
            for (int i = 0; i < m.Length; i++) nan[i] = float.IsNaN(m[i]);
            // nilearn smooths the mean with fwhm=1 and an identity affine: sigma in voxels
            double sigma = 1.0 / Math.Sqrt(8 * Math.Log(2));
            Smoothing.SmoothVolume(m, s, [sigma, sigma, sigma]);
            for (int i = 0; i < m.Length; i++) if (nan[i]) m[i] = float.NaN;
        }
        if (ensureFinite)
            for (int i = 0; i < m.Length; i++) if (!float.IsFinite(m[i])) m[i] = 0;
        var sorted = (excludeZeros ? m.Where(v => v != 0) : m).ToArray();
        Array.Sort(sorted);
        int n = sorted.Length;
        if (n < 2) throw new NiSharpException("the EPI image has too few non-zero voxels to compute a mask");
        int lower = (int)Math.Floor(lowerCutoff * n);
        int upper = Math.Min((int)Math.Floor(upperCutoff * n), n - 1);
        int ia = 0;
        float best = float.NegativeInfinity;
        for (int i = lower; i < upper; i++)
        {
            float delta = sorted[i + 1] - sorted[i];
            if (delta > best) { best = delta; ia = i - lower; }
        }
        float thresholdSum = sorted[ia + lower] + sorted[ia + lower + 1];
        float threshold = 0.5f * thresholdSum;
        var mask = new bool[m.Length];
        for (int i = 0; i < m.Length; i++) mask[i] = m[i] >= threshold;
        mask = PostProcess(mask, s, opening, connected);
        return FromBool(mask, mean);
    }

    private static bool[] PostProcess(bool[] mask, int[] s, int opening, bool connected)
    {
        int nx = s[0], ny = s[1], nz = s[2];
        if (opening > 0) mask = Morphology.Erode(mask, nx, ny, nz, opening);
        bool any = mask.Any(b => b);
        if (connected && any) mask = Morphology.LargestComponent(mask, nx, ny, nz);
        if (opening > 0)
        {
            mask = Morphology.Dilate(mask, nx, ny, nz, 2 * opening);
            mask = Morphology.Erode(mask, nx, ny, nz, opening);
        }
        return mask;
    }

    private static Image<byte> FromBool<T>(bool[] mask, Image<T> like) where T : unmanaged, INumber<T>
    {
        var d = new byte[mask.Length];
        for (int i = 0; i < d.Length; i++) d[i] = mask[i] ? (byte)1 : (byte)0;
        return new Image<byte>(like.SpatialShape, like.Affine, d, like.Header);
    }
}
