using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NiSharp.Maskers;
using NiSharp.Signal;

namespace NiSharp.Qc;

/// <summary>
/// Temporal signal-to-noise ratio of a run, accumulated volume by volume while a masker streams it: per voxel of the
/// brain mask, the mean over the volumes divided by the sample standard deviation (ddof 1) of the raw (undetrended)
/// series; the run's tSNR is the mean and the median over the voxels whose mean is positive and which vary.
/// </summary>
/// <remarks>Sums are of the values minus the voxel's first value, so that the variance keeps its precision whatever the
/// baseline intensity.</remarks>
public sealed class TemporalSnr
{
    private readonly int[] _voxels;
    // The voxels as runs of consecutive indices (start, length), in _voxels order: a brain mask is mostly long runs along
    // x, read as contiguous spans and accumulated a vector at a time.
    private readonly int[] _runs;
    private double[]? _sum, _sumSq;
    // Each voxel's first value: float32 data keep it as float32 (exact, and a third less memory to cross), other data
    // as float64. Allocated for the data's type at the first volume.
    private float[]? _shiftSingle;
    private double[]? _shift;
    private int _volumes;

    /// <summary>An accumulator over the voxels <paramref name="voxels"/> (indices into a volume, NIfTI order).</summary>
    public TemporalSnr(int[] voxels)
    {
        _voxels = voxels;
        // The accumulators are pooled: a process running many subjects reuses the same memory for each run's tSNR instead
        // of touching megabytes of fresh pages per run (given back by Result).
        _sum = ArrayPool<double>.Shared.Rent(voxels.Length);
        _sumSq = ArrayPool<double>.Shared.Rent(voxels.Length);
        _sum.AsSpan(0, voxels.Length).Clear();
        _sumSq.AsSpan(0, voxels.Length).Clear();
        var runs = new List<int>();
        for (int q = 0; q < voxels.Length;)
        {
            int start = q;
            while (q + 1 < voxels.Length && voxels[q + 1] == voxels[q] + 1) q++;
            q++;
            runs.Add(voxels[start]);
            runs.Add(q - start);
        }
        _runs = runs.ToArray();
    }

    /// <summary>An accumulator over the brain mask of a fitted masker, or over the atlas's voxels without a mask.</summary>
    public static TemporalSnr ForMask(FittedLabels fit)
    {
        int n = fit.Grid.VoxelCount;
        // Counted first, then filled: the voxels' array is allocated once at its size, not grown.
        if (fit.ResampledMask is { } mask) return new TemporalSnr(NonZero<byte>(mask.Data.AsSpan(0, n)));
        return new TemporalSnr(NonZero<int>(fit.ResampledLabels.Data.AsSpan(0, n)));
    }

    private static int[] NonZero<T>(ReadOnlySpan<T> values) where T : unmanaged, IBinaryInteger<T>
    {
        int count = values.Length - values.Count(T.Zero);
        var voxels = new int[count];
        for (int v = 0, q = 0; q < count; v++) if (values[v] != T.Zero) voxels[q++] = v;
        return voxels;
    }

    /// <summary>Voxels measured.</summary>
    public int VoxelCount => _voxels.Length;

    // float32 volumes wait here, gathered, until Block of them can be added voxel block by voxel block: the three
    // accumulators (24 bytes a voxel, megabytes for a brain) then cross the memory once per Block volumes instead of once
    // per volume — a volume at a time this was a sixth of a one-subject run. Four, not eight: the gathered block is fresh
    // memory in every one-subject process (a Slurm task), and half of it was ~450 page faults, 2–3% of such a process's
    // CPU, while a long run measured the same either way.
    private const int Block = 4;
    private float[]? _pending;
    private int _pendingCount;

    /// <summary>Adds one volume.</summary>
    public void Add<T>(ReadOnlySpan<T> volume) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (_sum is null) throw new InvalidOperationException("a volume added after the result was taken");
        if (typeof(T) == typeof(float))
        {
            if (_shift is not null) throw new InvalidOperationException("float32 volumes after float64 ones");
            _shiftSingle ??= ArrayPool<float>.Shared.Rent(_voxels.Length);
            var f = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(volume);
            _pending ??= ArrayPool<float>.Shared.Rent(Block * _voxels.Length);
            var into = _pending.AsSpan(_pendingCount * _voxels.Length, _voxels.Length);
            for (int r = 0, q = 0; r < _runs.Length; r += 2)
            {
                f.Slice(_runs[r], _runs[r + 1]).CopyTo(into[q..]);
                q += _runs[r + 1];
            }
            if (++_pendingCount == Block) Flush();
            return;
        }
        if (_shiftSingle is not null) throw new InvalidOperationException("float64 volumes after float32 ones");
        _shift ??= ArrayPool<double>.Shared.Rent(_voxels.Length);
        var idx = _voxels;
        for (int q = 0; q < idx.Length; q++) AddOne(double.CreateTruncating(volume[idx[q]]), q, _volumes == 0);
        _volumes++;
    }

    private void AddOne(double v, int q, bool first)
    {
        if (first) _shift![q] = v;
        double d = v - _shift![q];
        _sum![q] += d;
        _sumSq![q] += d * d;
    }

    /// <summary>Adds the pending float32 volumes: per voxel the same additions in the same order as one at a time
    /// (no fused multiply-add: the same roundings), four voxels at a time, two a vector.</summary>
    private void Flush()
    {
        int k = _pendingCount, n = _voxels.Length;
        if (k == 0) return;
        var pending = _pending!;
        int q = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // Four voxels at a time, as two independent pairs (two chains of additions in flight); the four floats of a
            // volume are loaded at once and widened. The first volume of the run is its own shift (d = 0 there, as in AddOne).
            ref float p = ref MemoryMarshal.GetArrayDataReference(pending);
            ref float shiftAt = ref MemoryMarshal.GetArrayDataReference(_shiftSingle!);
            ref double sumAt = ref MemoryMarshal.GetArrayDataReference(_sum!);
            ref double sumSqAt = ref MemoryMarshal.GetArrayDataReference(_sumSq!);
            for (; q + 4 <= n; q += 4)
            {
                nuint a = (nuint)q, b = (nuint)q + 2;
                var shift = _volumes == 0 ? Vector128.LoadUnsafe(ref p, a) : Vector128.LoadUnsafe(ref shiftAt, a);
                var shiftA = Vector128.WidenLower(shift);
                var shiftB = Vector128.WidenUpper(shift);
                var sumA = Vector128.LoadUnsafe(ref sumAt, a);
                var sumB = Vector128.LoadUnsafe(ref sumAt, b);
                var sumSqA = Vector128.LoadUnsafe(ref sumSqAt, a);
                var sumSqB = Vector128.LoadUnsafe(ref sumSqAt, b);
                for (int t = 0; t < k; t++)
                {
                    var v = Vector128.LoadUnsafe(ref p, (nuint)(t * n + q));
                    var dA = Vector128.WidenLower(v) - shiftA;
                    var dB = Vector128.WidenUpper(v) - shiftB;
                    sumA += dA;
                    sumB += dB;
                    sumSqA += dA * dA;
                    sumSqB += dB * dB;
                }
                if (_volumes == 0) shift.StoreUnsafe(ref shiftAt, a);
                sumA.StoreUnsafe(ref sumAt, a);
                sumB.StoreUnsafe(ref sumAt, b);
                sumSqA.StoreUnsafe(ref sumSqAt, a);
                sumSqB.StoreUnsafe(ref sumSqAt, b);
            }
        }
        var shiftSingle = _shiftSingle!;
        var sum = _sum!;
        var sumSq = _sumSq!;
        for (; q < n; q++)
        {
            if (_volumes == 0) shiftSingle[q] = pending[q];
            double first = shiftSingle[q];
            for (int t = 0; t < k; t++)
            {
                double d = pending[t * n + q] - first;
                sum[q] += d;
                sumSq[q] += d * d;
            }
        }
        _volumes += k;
        _pendingCount = 0;
    }

    // The result, once taken: the atlases of a run share one tSNR and each asks.
    private (double Mean, double Median, int Voxels)? _result;

    /// <summary>Mean and median tSNR over the measured voxels (NaN for fewer than 2 volumes or no voxel). The first call
    /// ends the accumulation (its memory goes back to the pool); later calls give the same result.</summary>
    public (double Mean, double Median, int Voxels) Result()
    {
        if (_result is { } known) return known;
        Flush();
        _result = Compute();
        Release();
        return _result.Value;
    }

    private void Release()
    {
        if (_sum is not null) ArrayPool<double>.Shared.Return(_sum);
        if (_sumSq is not null) ArrayPool<double>.Shared.Return(_sumSq);
        if (_shift is not null) ArrayPool<double>.Shared.Return(_shift);
        if (_shiftSingle is not null) ArrayPool<float>.Shared.Return(_shiftSingle);
        if (_pending is not null) ArrayPool<float>.Shared.Return(_pending);
        _sum = _sumSq = _shift = null;
        _shiftSingle = _pending = null;
    }

    private (double Mean, double Median, int Voxels) Compute()
    {
        int n = _volumes;
        if (n < 2) return (double.NaN, double.NaN, 0);
        // The voxels' tSNR go where the float32 volumes waited (empty after Flush, and twice the room needed) rather than
        // into a fresh array.
        var values = _pending is { } pending && pending.Length >= 2 * _voxels.Length
            ? MemoryMarshal.Cast<float, double>(pending.AsSpan())[.._voxels.Length]
            : new double[_voxels.Length];
        int c = 0;
        double sum = 0;
        var single = _shiftSingle;
        for (int q = 0; q < _voxels.Length; q++)
        {
            double meanShifted = _sum![q] / n;
            double variance = (_sumSq![q] - n * meanShifted * meanShifted) / (n - 1);
            double mean = (single is not null ? single[q] : _shift![q]) + meanShifted;
            if (mean > 0 && variance > 0 && !double.IsNaN(mean))
            {
                double snr = mean / Math.Sqrt(variance);
                values[c++] = snr;
                sum += snr;
            }
        }
        if (c == 0) return (double.NaN, double.NaN, 0);
        // The median by selection: a sort of the brain's voxels was a tenth of this measure.
        return (sum / c, RegionVoxelIndex.MedianInPlace(values[..c]), c);
    }
}

/// <summary>
/// The raw (uncleaned) region signals of a run, recorded during the masker's single pass: volumes after the dummy
/// volumes × extracted regions, in the data's precision (float32 values held exactly as double).
/// </summary>
public sealed class RawRegionSignals
{
    /// <summary>Volumes × extracted regions, row-major.</summary>
    public required SignalMatrix<double> Values { get; init; }

    /// <summary>Whether the data were float32 (the masker then cleans in float32).</summary>
    public required bool IsFloat32 { get; init; }

    /// <summary>The matrix in the masker's precision, ready for <see cref="SignalCleaner.Clean{T}"/> exactly as the masker
    /// would clean it.</summary>
    public SignalMatrix<float> AsSingle()
    {
        var d = Values.Data;
        var f = new float[d.Length];
        for (int i = 0; i < d.Length; i++) f[i] = (float)d[i];
        return new SignalMatrix<float>(Values.Timepoints, Values.Features, f);
    }

    /// <summary>
    /// The cleaning the labels masker would apply, on these raw means: <see cref="SignalCleaner.Clean{T}"/> in the
    /// data's precision. The masker's cleaning is linear on the region means, so this equals the masker's output on the
    /// same confounds and sample mask (for mean extraction) without reading the image again.
    /// </summary>
    public SignalMatrix<double> Clean(CleanOptions options, SignalMatrix<double>? confounds, IReadOnlyList<int>? sampleMask)
    {
        if (!IsFloat32) return SignalCleaner.Clean(Values, options, confounds, sampleMask);
        var cleaned = SignalCleaner.Clean(AsSingle(), options, confounds, sampleMask);
        var result = new SignalMatrix<double>(cleaned.Timepoints, cleaned.Features);
        for (int i = 0; i < cleaned.Data.Length; i++) result.Data[i] = cleaned.Data[i];
        return result;
    }
}

/// <summary>
/// Records, from a masker's single pass (<see cref="IExtractionObserver"/>), the raw region means of every kept volume
/// and the voxel statistics of the temporal SNR.
/// </summary>
internal sealed class RegionSignalRecorder(int volumes, int regions, TemporalSnr? snr) : IExtractionObserver
{
    private readonly double[] _values = new double[(long)volumes * regions];
    private int _row;
    private bool _single;

    public int Regions => regions;

    public void Volume<T>(int index, ReadOnlySpan<T> volume) where T : unmanaged, IBinaryFloatingPointIeee754<T> { }

    public void Reduced<T>(int row, ReadOnlySpan<T> volume, ReadOnlySpan<T> regionValues) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (_row >= volumes) throw new InvalidOperationException("more volumes than announced");
        var dst = _values.AsSpan(_row * Regions, Regions);
        for (int j = 0; j < regionValues.Length; j++) dst[j] = double.CreateTruncating(regionValues[j]);
        _single = typeof(T) == typeof(float);
        snr?.Add(volume);
        _row++;
    }

    /// <summary>What was recorded (all volumes must have been seen).</summary>
    public RawRegionSignals Signals()
    {
        if (_row != volumes) throw new InvalidOperationException($"recorded {_row} of {volumes} volumes");
        return new RawRegionSignals { Values = new SignalMatrix<double>(volumes, Regions, _values), IsFloat32 = _single };
    }
}

/// <summary>
/// DVARS of region signals (Power et al. 2012's D referring to the temporal derivative, VARS to the RMS variance over
/// space), computed over the atlas regions instead of voxels: for consecutive volumes t−1, t, the root mean square over
/// regions of the change of the signal, in percent of each region's mean raw signal. Before cleaning it is computed on
/// the raw means; after cleaning on the cleaned signals (same percent scale, no standardisation), between kept volumes
/// that were consecutive in the run.
/// </summary>
public static class ParcelDvars
{
    /// <summary>The mean over frames of parcel DVARS of <paramref name="x"/> (rows = volumes), where row k is volume
    /// <paramref name="volumeOfRow"/>[k] (null: row k is volume k); only pairs of consecutive volumes count.</summary>
    public static double Mean(SignalMatrix<double> x, IReadOnlyList<int>? volumeOfRow = null)
    {
        int r = x.Features;
        double sum = 0;
        int frames = 0;
        for (int t = 1; t < x.Timepoints; t++)
        {
            if (volumeOfRow is not null && volumeOfRow[t] != volumeOfRow[t - 1] + 1) continue;
            var a = x.Row(t - 1);
            var b = x.Row(t);
            double ss = 0;
            for (int j = 0; j < r; j++)
            {
                double d = b[j] - a[j];
                ss += d * d;
            }
            sum += Math.Sqrt(ss / r);
            frames++;
        }
        return frames == 0 || r == 0 ? double.NaN : sum / frames;
    }

    /// <summary>Raw region signals in percent of each region's temporal mean (columns with a zero mean stay as they are).</summary>
    public static SignalMatrix<double> PercentOfMean(SignalMatrix<double> raw)
    {
        int n = raw.Timepoints, r = raw.Features;
        var mean = new double[r];
        for (int t = 0; t < n; t++)
        {
            var row = raw.Row(t);
            for (int j = 0; j < r; j++) mean[j] += row[j];
        }
        var result = new SignalMatrix<double>(n, r);
        for (int t = 0; t < n; t++)
        {
            var src = raw.Row(t);
            var dst = result.Row(t);
            for (int j = 0; j < r; j++)
            {
                double m = mean[j] / n;
                dst[j] = m != 0 ? 100 * src[j] / m : src[j];
            }
        }
        return result;
    }
}
