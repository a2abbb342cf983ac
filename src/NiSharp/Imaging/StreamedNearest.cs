using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>
/// A label image file read once as a stream (<see cref="Regions.StreamLabelImage"/>): its grid, the voxel count of every
/// value, and — when a target grid is given — the image resampled onto it with nearest-neighbour interpolation. Only the
/// labels under the target's voxel centres are kept: a 1 mm 256³ atlas is never held whole.
/// </summary>
public sealed class LabelImageSample
{
    internal LabelImageSample(Grid grid, NiftiHeader header, int[] values, long[] counts, Image<int>? onTarget)
    {
        Grid = grid; Header = header; Values = values; Counts = counts; OnTarget = onTarget;
    }

    /// <summary>The label image's own grid.</summary>
    public Grid Grid { get; }

    /// <summary>Its header.</summary>
    public NiftiHeader Header { get; }

    /// <summary>Every value of the image (0 included when present), ascending.</summary>
    public int[] Values { get; }

    /// <summary>The voxel count of each of <see cref="Values"/> on the image's own grid.</summary>
    public long[] Counts { get; }

    /// <summary>The image resampled onto the target (as <see cref="Resampling.ResampleToGrid{T}"/> with nearest
    /// interpolation and clip gives it, bit for bit), or null when no target was asked.</summary>
    public Image<int>? OnTarget { get; }
}

/// <summary>
/// Nearest-neighbour resampling of a label image onto a data grid while the image is streamed: the target voxels are
/// first bucketed by the source z-slice their centre falls in (<see cref="ResampleKernel.NearestSourceIndices"/>, the
/// mapping rule of the full resampling), then each piece of slices read fills the target voxels that land in it. Any
/// affine (oblique, permuted, flipped) works: the mapping is per voxel. Memory: a piece of slices and a few arrays of
/// the target's size.
/// </summary>
public static class StreamedNearest
{
    /// <summary>Reads <paramref name="path"/> once: its value counts and, when <paramref name="target"/> is given, the image on it.</summary>
    public static LabelImageSample Sample(string path, Grid? target)
    {
        Grid? source = null;
        int[]? sourceOf = null;
        int[]? bucketStart = null, bucketTarget = null;
        int[]? onTarget = null;
        ResampleKernel? kernel = null;
        var counts = new Dictionary<int, long>();
        var (shape, affine, hdr) = Regions.StreamLabelImage(path, (labels, first) =>
        {
            CountRuns(labels, counts);
            if (onTarget is null) return;
            long slice = (long)source!.Nx * source.Ny;
            int z0 = (int)(first / slice), z1 = (int)((first + labels.Length - 1) / slice);
            int from = (int)first; // voxel indices fit int32: the stream counts voxels so
            for (int z = z0; z <= z1; z++)
                for (int b = bucketStart![z]; b < bucketStart[z + 1]; b++)
                {
                    int t = bucketTarget![b];
                    onTarget[t] = labels[sourceOf![t] - from];
                }
        }, grid =>
        {
            if (target is null) return;
            // The header is known before the first piece: map every target voxel to its source voxel, bucket by slice.
            source = grid;
            onTarget = new int[target.VoxelCount];
            sourceOf = new int[target.VoxelCount];
            if (source.SameFieldOfView(target))
                for (int t = 0; t < sourceOf.Length; t++) sourceOf[t] = t;
            else
            {
                kernel = new ResampleKernel(source, target, Interpolation.Nearest);
                kernel.NearestSourceIndices(sourceOf);
            }
            (bucketStart, bucketTarget) = BucketBySlice(sourceOf, source.Nx * source.Ny, source.Nz);
        });
        var values = counts.Keys.Order().ToArray();
        var valueCounts = values.Select(v => counts[v]).ToArray();
        var grid = new Grid(shape, affine);
        Image<int>? image = null;
        if (target is not null)
        {
            bool same = grid.SameFieldOfView(target);
            image = new Image<int>(same ? shape : target.Shape, same ? affine : target.Affine, onTarget!, hdr);
            // The full resampling copies an integer shift from nilearn's crop box (values above 1e-8·max|value|): for labels
            // that is every non-zero label unless some label reaches 1e8. Then the image is read whole, as the full path does.
            double absMax = values.Length == 0 ? 0 : Math.Max(Math.Abs((double)values[0]), Math.Abs((double)values[^1]));
            if (kernel is { IsIntegerShift: true } && absMax * 1e-8 >= 1)
                image = Resampling.ResampleToGrid(Regions.LoadLabelImage(path), target, Interpolation.Nearest, clip: true);
        }
        return new LabelImageSample(grid, hdr, values, valueCounts, image);
    }

    /// <summary>Every value of <paramref name="labels"/>, ascending, with its count.</summary>
    public static (int[] Values, long[] Counts) CountValues(ReadOnlySpan<int> labels)
    {
        var counts = new Dictionary<int, long>();
        CountRuns(labels, counts);
        var values = counts.Keys.Order().ToArray();
        return (values, values.Select(v => counts[v]).ToArray());
    }

    /// <summary>Adds the voxel count of every value of <paramref name="labels"/>, run by run (label images are mostly long runs).</summary>
    private static void CountRuns(ReadOnlySpan<int> labels, Dictionary<int, long> counts)
    {
        int i = 0;
        while (i < labels.Length)
        {
            int v = labels[i];
            int end = labels[i..].IndexOfAnyExcept(v);
            int run = end < 0 ? labels.Length - i : end;
            counts[v] = counts.GetValueOrDefault(v) + run;
            i += run;
        }
    }

    /// <summary>Counting sort of the target voxels by the source slice they take their label from (voxels outside the source left out).</summary>
    private static (int[] Start, int[] Target) BucketBySlice(int[] sourceOf, int slice, int slices)
    {
        var start = new int[slices + 1];
        foreach (var s in sourceOf) if (s >= 0) start[s / slice + 1]++;
        for (int z = 0; z < slices; z++) start[z + 1] += start[z];
        var fill = start[..^1].ToArray();
        var target = new int[start[^1]];
        for (int t = 0; t < sourceOf.Length; t++)
            if (sourceOf[t] >= 0) target[fill[sourceOf[t] / slice]++] = t;
        return (start, target);
    }
}
