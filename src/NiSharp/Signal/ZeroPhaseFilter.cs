namespace NiSharp.Signal;

/// <summary>
/// A recursive filter applied forward and backward (zero phase) as scipy's <c>filtfilt</c> and
/// <c>sosfiltfilt</c> do with <c>padtype='odd'</c>, <c>padlen=None</c>: the series is extended at both ends
/// by <see cref="PadLength"/> odd-reflected samples, filtered from the steady state scaled by its first
/// sample, reversed, filtered again from the steady state scaled by the last output, and cut back to its
/// length. The two forms differ only in the recursion: <see cref="IirFilter"/> (one transfer function,
/// nilearn ≤ 0.10) and <see cref="SosFilter"/> (second-order sections, nilearn ≥ 0.11).
/// </summary>
public abstract class ZeroPhaseFilter
{
    private protected ZeroPhaseFilter() { }

    /// <summary>The samples added at each end before filtering (scipy's default padding, three times the taps).</summary>
    public abstract int PadLength { get; }

    /// <summary>Filters one series forward and backward in place (float64).</summary>
    public void FiltFilt(Span<double> series)
    {
        var scratch = new double[series.Length + 2 * PadLength];
        FiltFiltBlock(series, 1, single: false, scratch);
    }

    /// <summary>Filters one float32 series as scipy does: odd extension in float32, filtering in float64,
    /// result rounded to float32.</summary>
    public void FiltFilt(Span<float> series)
    {
        var d = new double[series.Length];
        for (int i = 0; i < d.Length; i++) d[i] = series[i];
        FiltFiltBlock(d, 1, single: true, new double[series.Length + 2 * PadLength]);
        for (int i = 0; i < d.Length; i++) series[i] = (float)d[i];
    }

    /// <summary>
    /// Filters every column of a time-major block (<c>rows × width</c>) forward and backward in place.
    /// <paramref name="scratch"/> holds at least <c>(rows + 2 PadLength) × width</c> values. Columns are
    /// filtered side by side in SIMD lanes; each lane follows scipy's exact operation order.
    /// </summary>
    internal void FiltFiltBlock(Span<double> block, int width, bool single, Span<double> scratch)
    {
        int rows = block.Length / width;
        int edge = PadLength;
        if (rows <= edge)
            throw new NiSharpException($"the Butterworth filter needs more than {edge} timepoints (filtfilt's padding); got {rows}");
        int ext = rows + 2 * edge;
        var e = scratch[..(ext * width)];
        block.CopyTo(e.Slice(edge * width, rows * width));
        var first = block[..width];
        var last = block.Slice((rows - 1) * width, width);
        for (int k = 1; k <= edge; k++)
        {
            // odd extension: 2·x[0] − x[k] before, 2·x[n−1] − x[n−1−k] after (in the input's precision)
            var src = block.Slice(k * width, width);
            var dst = e.Slice((edge - k) * width, width);
            var srcEnd = block.Slice((rows - 1 - k) * width, width);
            var dstEnd = e.Slice((edge + rows - 1 + k) * width, width);
            for (int j = 0; j < width; j++)
            {
                dst[j] = BlockArithmetic.R(2 * first[j] - src[j], single);
                dstEnd[j] = BlockArithmetic.R(2 * last[j] - srcEnd[j], single);
            }
        }
        Filter(e, width, ext, forward: true);
        Filter(e, width, ext, forward: false);
        e.Slice(edge * width, rows * width).CopyTo(block);
        BlockArithmetic.Round(block, single);
    }

    /// <summary>
    /// One pass of the recursion along the rows of a time-major block, in place, forward or over the reversed
    /// series, started from the steady state scaled by the pass's first sample.
    /// </summary>
    private protected abstract void Filter(Span<double> e, int width, int rows, bool forward);
}
