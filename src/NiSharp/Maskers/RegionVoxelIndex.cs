using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NiSharp.Maskers;

/// <summary>
/// The precomputed voxel index of a masker on one data grid: for each extracted region (a label, a sphere),
/// the voxels (inside the mask) that belong to it, stored contiguously (region k owns
/// <c>Voxels[Starts[k] .. Starts[k+1]]</c>, ascending). A volume (finite: the extraction replaces NaN/Inf by 0 first)
/// is reduced region by region with <c>scipy.ndimage</c>'s arithmetic: sums in float64, the mean as sum / count, the
/// variance centred on that mean (ddof 0), the median as the mean of the two middle values in the data's type.
/// </summary>
internal sealed class RegionVoxelIndex : IRegionReducer
{
    private readonly int[] _starts;
    private readonly int[] _voxels;
    private readonly ReductionStrategy _strategy;
    private readonly int _largest;
    // The highest voxel index (-1 for none): Reduce checks it against the volume once, and the sums read unchecked.
    private readonly int _highest = -1;

    /// <summary>An index from voxel sets (each ascending; sets may share voxels, as overlapping spheres do).</summary>
    public RegionVoxelIndex(IReadOnlyList<int[]> voxelSets, ReductionStrategy strategy)
    {
        _strategy = strategy;
        _starts = new int[voxelSets.Count + 1];
        for (int k = 0; k < voxelSets.Count; k++)
        {
            _starts[k + 1] = _starts[k] + voxelSets[k].Length;
            _largest = Math.Max(_largest, voxelSets[k].Length);
        }
        _voxels = new int[_starts[^1]];
        for (int k = 0; k < voxelSets.Count; k++) voxelSets[k].CopyTo(_voxels, _starts[k]);
        foreach (var v in _voxels) _highest = Math.Max(_highest, v);
    }

    /// <summary>The voxel → label index: from a label per voxel (or <paramref name="skip"/>), keeping only <paramref name="labels"/> (ascending).</summary>
    public RegionVoxelIndex(ReadOnlySpan<int> labelOfVoxel, ReadOnlySpan<byte> mask, IReadOnlyList<int> labels, int skip, ReductionStrategy strategy)
    {
        _strategy = strategy;
        var slot = new LabelSlots(labels);
        var counts = new int[labels.Count];
        for (int v = 0; v < labelOfVoxel.Length; v++)
        {
            int l = labelOfVoxel[v];
            if (l == skip || (!mask.IsEmpty && mask[v] == 0)) continue;
            if (slot.TryGet(l, out int k)) counts[k]++;
        }
        _starts = new int[labels.Count + 1];
        for (int k = 0; k < labels.Count; k++)
        {
            _starts[k + 1] = _starts[k] + counts[k];
            _largest = Math.Max(_largest, counts[k]);
        }
        _voxels = new int[_starts[^1]];
        var fill = _starts[..^1].ToArray();
        for (int v = 0; v < labelOfVoxel.Length; v++)
        {
            int l = labelOfVoxel[v];
            if (l == skip || (!mask.IsEmpty && mask[v] == 0)) continue;
            if (slot.TryGet(l, out int k)) _voxels[fill[k]++] = v;
        }
        foreach (var v in _voxels) _highest = Math.Max(_highest, v);
    }

    /// <inheritdoc />
    public int Regions => _starts.Length - 1;

    /// <summary>Voxels of region <paramref name="k"/>.</summary>
    public ReadOnlySpan<int> VoxelsOf(int k) => _voxels.AsSpan(_starts[k], _starts[k + 1] - _starts[k]);

    /// <inheritdoc />
    public void Reduce<T>(ReadOnlySpan<T> volume, Span<T> row, ref T[]? scratch) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (volume.Length <= _highest) throw new ArgumentException($"a volume of {volume.Length} voxels for an index up to voxel {_highest}", nameof(volume));
        if (_strategy == ReductionStrategy.Median && (scratch is null || scratch.Length < _largest)) scratch = new T[_largest];
        for (int k = 0; k < row.Length; k++)
        {
            var idx = VoxelsOf(k);
            row[k] = _strategy switch
            {
                ReductionStrategy.Mean => T.CreateTruncating(Sum(volume, idx) / idx.Length),
                ReductionStrategy.Sum => T.CreateTruncating(Sum(volume, idx)),
                ReductionStrategy.Minimum => Extreme(volume, idx, max: false),
                ReductionStrategy.Maximum => Extreme(volume, idx, max: true),
                ReductionStrategy.Variance => T.CreateTruncating(Variance(volume, idx)),
                ReductionStrategy.StandardDeviation => T.CreateTruncating(Math.Sqrt(Variance(volume, idx))),
                _ => Median(volume, idx, scratch!.AsSpan(0, idx.Length)),
            };
        }
    }

    private static double Sum<T>(ReadOnlySpan<T> volume, ReadOnlySpan<int> idx) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Four running sums, not one: one sum waits for each addition to finish (a few cycles per voxel), four keep the
        // loads and additions in flight — the reduction was the largest part of a run after decompression. Still float64.
        // Unchecked reads: every index was checked against the volume's length once, in Reduce.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        ref T v = ref MemoryMarshal.GetReference(volume);
        ref int i = ref MemoryMarshal.GetReference(idx);
        int j = 0;
        for (; j + 4 <= idx.Length; j += 4)
        {
            s0 += double.CreateTruncating(Unsafe.Add(ref v, Unsafe.Add(ref i, j)));
            s1 += double.CreateTruncating(Unsafe.Add(ref v, Unsafe.Add(ref i, j + 1)));
            s2 += double.CreateTruncating(Unsafe.Add(ref v, Unsafe.Add(ref i, j + 2)));
            s3 += double.CreateTruncating(Unsafe.Add(ref v, Unsafe.Add(ref i, j + 3)));
        }
        for (; j < idx.Length; j++) s0 += double.CreateTruncating(Unsafe.Add(ref v, Unsafe.Add(ref i, j)));
        return (s0 + s1) + (s2 + s3);
    }

    private static double Variance<T>(ReadOnlySpan<T> volume, ReadOnlySpan<int> idx) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double mean = Sum(volume, idx) / idx.Length;
        double s = 0;
        foreach (var i in idx)
        {
            double d = double.CreateTruncating(volume[i]) - mean;
            s += d * d;
        }
        return s / idx.Length;
    }

    private static T Extreme<T>(ReadOnlySpan<T> volume, ReadOnlySpan<int> idx, bool max) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T best = volume[idx[0]];
        for (int j = 1; j < idx.Length; j++)
        {
            var v = volume[idx[j]];
            if (max ? v > best : v < best) best = v;
        }
        return best;
    }

    /// <summary>scipy's median: the middle value, or for an even count (lower + upper middle) / 2 in the data's type.</summary>
    private static T Median<T>(ReadOnlySpan<T> volume, ReadOnlySpan<int> idx, Span<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int j = 0; j < idx.Length; j++) values[j] = volume[idx[j]];
        return MedianInPlace(values);
    }

    /// <summary>scipy's median of <paramref name="values"/> (not empty), which it reorders: the middle value, or for an
    /// even count (lower + upper middle) / 2 in the data's type. By selection, not a sort.</summary>
    internal static T MedianInPlace<T>(Span<T> values) where T : IBinaryFloatingPointIeee754<T>
    {
        int n = values.Length, hi = n / 2;
        T upper = Select(values, hi);
        if ((n & 1) == 1) return upper;
        // after selecting hi, values[0..hi) hold the smaller half: the lower middle is their maximum
        T lower = values[0];
        for (int j = 1; j < hi; j++) if (values[j] > lower) lower = values[j];
        return (lower + upper) / T.CreateTruncating(2);
    }

    /// <summary>Hoare's quickselect: puts the k-th smallest value at <paramref name="k"/>, smaller ones before it.</summary>
    internal static T Select<T>(Span<T> a, int k) where T : IBinaryFloatingPointIeee754<T>
    {
        int lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            // median of three as the pivot keeps sorted and constant runs fast
            int mid = lo + (hi - lo) / 2;
            if (a[mid] < a[lo]) (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi] < a[lo]) (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi] < a[mid]) (a[hi], a[mid]) = (a[mid], a[hi]);
            T pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++; j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return a[k];
    }
}
