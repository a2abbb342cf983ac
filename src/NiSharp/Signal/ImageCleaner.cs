using System.Numerics;
using System.Text.Json;
using NiSharp.Nifti;

namespace NiSharp.Signal;

/// <summary>What <see cref="ImageCleaner"/> did, for logs and sidecars.</summary>
/// <param name="VolumesIn">Volumes in the input file.</param>
/// <param name="DummyScans">Leading volumes skipped before cleaning.</param>
/// <param name="VolumesOut">Volumes written (kept by the sample mask).</param>
/// <param name="Voxels">Voxels cleaned (inside the mask, or all).</param>
/// <param name="DataType">The precision cleaning ran in: float32 unless the input is float64.</param>
public sealed record CleanImageResult(int VolumesIn, int DummyScans, int VolumesOut, int Voxels, string DataType);

/// <summary>
/// <c>nilearn.image.clean_img</c>: cleans every voxel's time series of a 4D image (inside an optional
/// mask; outside it the output is 0) with <see cref="SignalCleaner"/>. The file version streams the
/// input volume by volume, holds only the masked voxels' series (float32 unless the input is
/// float64, like nilearn), cleans them in parallel voxel blocks in place, and streams the output
/// through <see cref="NiftiWriter"/> (written to a temporary name, renamed when complete).
/// </summary>
public static class ImageCleaner
{
    /// <summary>
    /// Cleans <paramref name="inputPath"/> into <paramref name="outputPath"/>. The first
    /// <paramref name="dummyScans"/> volumes are dropped before cleaning (confounds, sample mask and runs
    /// describe the remaining volumes). Input errors fail before the output is created.
    /// </summary>
    public static CleanImageResult Clean(string inputPath, string outputPath, CleanOptions options, string? maskPath = null,
        SignalMatrix<double>? confounds = null, IReadOnlyList<int>? sampleMask = null, IReadOnlyList<int>? runs = null,
        int dummyScans = 0, ICollection<string>? warnings = null)
    {
        using var f = NiftiFile.Open(inputPath);
        if (f.Header.NDim < 4 && f.VolumeCount == 1)
            throw new NiSharpException(inputPath, $"clean needs a 4D image; this one is {Image.ShapeText(f.Shape)}");
        if (f.VolumeCount != f.Shape[3])
            throw new NiSharpException(inputPath, $"clean needs a 4D image; this one is {f.Shape.Length}D {Image.ShapeText(f.Shape)}");
        if (dummyScans < 0 || dummyScans >= f.VolumeCount)
            throw new NiSharpException(inputPath, $"cannot drop {dummyScans} dummy volumes from {f.VolumeCount}");
        bool[]? mask = maskPath is null ? null : LoadMask(maskPath, f.SpatialShape, f.Affine, inputPath);
        if (f.DataType == NiftiDataType.Float64)
            return Run<double>(f, outputPath, options, mask, confounds, sampleMask, runs, dummyScans, warnings);
        return Run<float>(f, outputPath, options, mask, confounds, sampleMask, runs, dummyScans, warnings);
    }

    private static CleanImageResult Run<T>(NiftiFile f, string outputPath, CleanOptions options, bool[]? mask,
        SignalMatrix<double>? confounds, IReadOnlyList<int>? sampleMask, IReadOnlyList<int>? runs, int dummyScans, ICollection<string>? warnings)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = f.VolumeCount - dummyScans;
        int[] voxels = VoxelIndices(mask, f.VoxelsPerVolume);
        // Validate and plan before reading any voxel or creating the output.
        List<(CleanPlan Plan, int[]? Rows)> plans;
        try
        {
            plans = SignalCleaner.Plan(n, options, confounds, sampleMask, runs, warnings);
        }
        catch (NiSharpException e) when (e.FilePath is null)
        {
            throw e.InFile(f.Path);
        }
        var data = new T[(long)n * voxels.Length];
        var vol = new T[f.VoxelsPerVolume];
        long nonFinite = 0;
        for (int t = 0; t < n; t++)
        {
            f.ReadVolume<T>(dummyScans + t, vol);
            var row = data.AsSpan(t * voxels.Length, voxels.Length);
            for (int i = 0; i < voxels.Length; i++) row[i] = vol[voxels[i]];
            nonFinite += EnsureFinite(row);
        }
        ReportNonFinite(nonFinite, f.Path, warnings);
        var cleaned = CleanRows(data, n, voxels.Length, plans);
        int nOut = cleaned.Rows;
        var shape = (int[])f.Shape.Clone();
        shape[3] = nOut;
        for (int i = 4; i < shape.Length; i++) shape[i] = 1;
        using var w = NiftiWriter.Create(outputPath, shape, f.Affine, NiftiDataTypes.For<T>(), f.Header);
        for (int t = 0; t < nOut; t++)
        {
            Array.Clear(vol);
            var row = cleaned.Data.AsSpan(t * voxels.Length, voxels.Length);
            for (int i = 0; i < voxels.Length; i++) vol[voxels[i]] = row[i];
            w.WriteVolume<T>(vol);
        }
        w.Commit();
        return new CleanImageResult(f.VolumeCount, dummyScans, nOut, voxels.Length, typeof(T) == typeof(float) ? "float32" : "float64");
    }

    /// <summary>
    /// Cleans an image held in memory (float32 kept float32, float64 kept float64) and returns a new image
    /// with one volume per kept timepoint; voxels outside <paramref name="mask"/> (nonzero = inside) are 0.
    /// </summary>
    public static Image<T> Clean<T>(Image<T> image, CleanOptions options, Image<T>? mask = null, SignalMatrix<double>? confounds = null,
        IReadOnlyList<int>? sampleMask = null, IReadOnlyList<int>? runs = null, ICollection<string>? warnings = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (image.NDim < 4) throw new NiSharpException($"clean needs a 4D image; this one is {image.ShapeText()}");
        bool[]? inside = null;
        if (mask is not null)
        {
            if (!mask.SpatialShape.SequenceEqual(image.SpatialShape))
                throw new NiSharpException($"the mask's shape {Image.ShapeText(mask.SpatialShape)} differs from the image's {Image.ShapeText(image.SpatialShape)}");
            if (!mask.Affine.AllClose(image.Affine))
                throw new NiSharpException("the mask's affine differs from the image's");
            inside = CheckBinary(mask.Data.AsSpan(0, mask.VoxelsPerVolume).ToArray().Select(v => double.CreateTruncating(v)).ToArray(), "mask");
        }
        int n = image.VolumeCount;
        int[] voxels = VoxelIndices(inside, image.VoxelsPerVolume);
        var plans = SignalCleaner.Plan(n, options, confounds, sampleMask, runs, warnings);
        var data = new T[(long)n * voxels.Length];
        long nonFinite = 0;
        for (int t = 0; t < n; t++)
        {
            var vol = image.Volume(t);
            var row = data.AsSpan(t * voxels.Length, voxels.Length);
            for (int i = 0; i < voxels.Length; i++) row[i] = vol[voxels[i]];
            nonFinite += EnsureFinite(row);
        }
        ReportNonFinite(nonFinite, "the image", warnings);
        var cleaned = CleanRows(data, n, voxels.Length, plans);
        var outShape = (int[])image.Shape.Clone();
        outShape[3] = cleaned.Rows;
        for (int i = 4; i < outShape.Length; i++) outShape[i] = 1;
        var result = Image<T>.Zeros(outShape, image.Affine, image.Header);
        for (int t = 0; t < cleaned.Rows; t++)
        {
            var vol = result.Volume(t);
            var row = cleaned.Data.AsSpan(t * voxels.Length, voxels.Length);
            for (int i = 0; i < voxels.Length; i++) vol[voxels[i]] = row[i];
        }
        return result;
    }

    // Cleans (rows × voxels) in place for one run; runs are gathered, cleaned and stacked.
    private static (T[] Data, int Rows) CleanRows<T>(T[] data, int n, int voxels, List<(CleanPlan Plan, int[]? Rows)> plans)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (plans.Count == 1 && plans[0].Rows is null)
        {
            SignalCleaner.Run(plans[0].Plan, data, data, 0, voxels);
            return (data, plans[0].Plan.OutputRows);
        }
        var all = new SignalMatrix<T>(n, voxels, data);
        int outRows = plans.Sum(p => p.Plan.OutputRows);
        var result = new T[(long)outRows * voxels];
        int start = 0;
        foreach (var (plan, rows) in plans)
        {
            var src = all.SelectRows(rows);
            SignalCleaner.Run(plan, src.Data, result, start * voxels, voxels);
            start += plan.OutputRows;
        }
        return (result, outRows);
    }

    /// <summary>
    /// nilearn's <c>ensure_finite</c>, as its maskers and <c>apply_mask</c> read voxels: NaN and ±Inf become 0.
    /// (nilearn's <c>clean_img</c> without a mask keeps them, which turns the voxel's whole cleaned series into
    /// NaN; NiSharp treats voxels the same way with or without a mask and says so in a warning.)
    /// </summary>
    private static long EnsureFinite<T>(Span<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        long count = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i])) { values[i] = T.Zero; count++; }
        }
        return count;
    }

    private static void ReportNonFinite(long count, string source, ICollection<string>? warnings)
    {
        if (count > 0)
            warnings?.Add($"{source}: {count} non-finite voxel value{(count == 1 ? "" : "s")} (NaN or Inf) replaced by 0, as nilearn's ensure_finite does");
    }

    private static int[] VoxelIndices(bool[]? mask, int voxelsPerVolume)
    {
        if (mask is null) return Enumerable.Range(0, voxelsPerVolume).ToArray();
        var list = new List<int>();
        for (int i = 0; i < mask.Length; i++) if (mask[i]) list.Add(i);
        return list.ToArray();
    }

    /// <summary>Loads a 3D mask on the image's grid (nilearn: same shape, allclose affine, values 0 and one other).</summary>
    internal static bool[] LoadMask(string maskPath, int[] spatialShape, Affine affine, string imagePath)
    {
        using var m = NiftiFile.Open(maskPath);
        if (m.VolumeCount != 1)
            throw new NiSharpException(maskPath, $"a mask must be 3D; this one is {Image.ShapeText(m.Shape)}");
        if (!m.SpatialShape.SequenceEqual(spatialShape))
            throw new NiSharpException(maskPath, $"the mask's shape {Image.ShapeText(m.SpatialShape)} differs from {Path.GetFileName(imagePath)}'s {Image.ShapeText(spatialShape)}");
        if (!m.Affine.AllClose(affine))
            throw new NiSharpException(maskPath, $"the mask's affine differs from {Path.GetFileName(imagePath)}'s (resample the mask to the image first)");
        var v = new double[m.VoxelsPerVolume];
        m.ReadVolume<double>(0, v);
        return CheckBinary(v, maskPath);
    }

    private static bool[] CheckBinary(double[] values, string what)
    {
        var distinct = new HashSet<double>();
        foreach (var x in values) { distinct.Add(x); if (distinct.Count > 2) break; }
        if (distinct.Count > 2)
            throw new NiSharpException(what, "the mask is not binary: it holds more than two distinct values");
        if (distinct.Count == 2 && !distinct.Contains(0))
            throw new NiSharpException(what, "the mask's background must be 0");
        var inside = values.Select(x => x != 0).ToArray();
        if (!inside.Any(b => b)) throw new NiSharpException(what, "the mask is empty: it masks all data");
        return inside;
    }
}
