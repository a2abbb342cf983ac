using static NiSharp.Signal.BlockArithmetic;

namespace NiSharp.Signal;

/// <summary>
/// Linear detrending as nilearn's <c>_detrend</c>: subtract each column's mean, then its projection on
/// the centred, unit-norm time ramp. Float32 signals are detrended in float32 arithmetic, as numpy does.
/// </summary>
public static class Detrending
{
    /// <summary>numpy's <c>np.finfo(np.float64).eps</c>, nilearn's threshold for a zero scale.</summary>
    internal const double Eps64 = 2.220446049250313e-16;

    /// <summary>Removes the mean and the linear trend of one series, in place.</summary>
    public static void RemoveLinearTrend(Span<double> series)
    {
        RemoveLinearTrend(series, 1, single: false, stackalloc double[2]);
    }

    /// <summary>Removes the mean and the linear trend of one float32 series in float32 arithmetic, in place.</summary>
    public static void RemoveLinearTrend(Span<float> series)
    {
        var d = new double[series.Length];
        for (int i = 0; i < d.Length; i++) d[i] = series[i];
        RemoveLinearTrend(d, 1, single: true, stackalloc double[2]);
        for (int i = 0; i < d.Length; i++) series[i] = (float)d[i];
    }

    /// <summary>The centred time ramp scaled to unit norm (nilearn's detrend regressor) for
    /// <paramref name="n"/> timepoints, in float32 arithmetic when <paramref name="single"/>.</summary>
    public static double[] Regressor(int n, bool single)
    {
        var r = new double[n];
        for (int t = 0; t < n; t++) r[t] = t;
        double mean = R(PairwiseSum(r, single) / n, single);
        for (int t = 0; t < n; t++) r[t] = R(r[t] - mean, single);
        var sq = new double[n];
        for (int t = 0; t < n; t++) sq[t] = R(r[t] * r[t], single);
        double std = R(Math.Sqrt(PairwiseSum(sq, single)), single);
        if (!(std < Eps64))
            for (int t = 0; t < n; t++) r[t] = R(r[t] / std, single);
        return r;
    }

    /// <summary>
    /// Detrends every column of a time-major block (<c>rows × width</c>) in place. <paramref name="scratch"/>
    /// holds at least <c>width + 1</c> values; <paramref name="regressor"/> may be precomputed with
    /// <see cref="Regressor"/> for the block's row count.
    /// </summary>
    internal static void RemoveLinearTrend(Span<double> block, int width, bool single, Span<double> scratch, double[]? regressor = null)
    {
        int rows = block.Length / width;
        if (rows <= 1) return; // nilearn warns and leaves a single timepoint unchanged
        var mean = scratch[..width];
        ColumnMeans(block, width, mean, single);
        SubtractFromRows(block, width, mean, single);
        var r = regressor ?? Regressor(rows, single);
        // dot = rᵀx per column, accumulated over rows; then x −= dot·r, as numpy forms the outer
        // product first and then subtracts.
        var dot = scratch[..width];
        dot.Clear();
        for (int t = 0; t < rows; t++) AddScaled(dot, r[t], block.Slice(t * width, width), single);
        for (int t = 0; t < rows; t++) SubtractScaled(block.Slice(t * width, width), r[t], dot, single);
    }
}
