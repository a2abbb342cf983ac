using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Signal;

/// <summary>
/// nilearn 0.10.4's <c>signal.high_variance_confounds</c> (CompCor-like, Behzadi 2007): the dominant temporal
/// components of the few series with the highest variance, to be regressed out as confounds. The series are
/// linearly detrended (optional), the series whose sum of squares is above the <c>100 − percentile</c> percentile
/// are kept, and the first left singular vectors of the kept (timepoints × k) matrix are returned.
/// </summary>
/// <remarks>
/// The singular vectors are computed as nilearn does, as the eigenvectors of the small symmetric timepoints ×
/// timepoints Gram matrix XXᵀ (MathNet's symmetric eigendecomposition), not by an SVD of X: k (thousands of voxels)
/// is much larger than the number of volumes, so the Gram matrix is cheap to form and to decompose, and it is the
/// same algorithm as the reference. Each vector's sign is arbitrary (as LAPACK's); it does not matter for regression.
/// Everything is float64: nilearn keeps float32 data in float32 here, so on float32 images our confounds are the
/// more accurate ones (agreement is then to float32 precision).
/// </remarks>
public static class HighVarianceConfounds
{
    /// <summary>nilearn's default <c>n_confounds</c>.</summary>
    public const int DefaultCount = 5;

    /// <summary>nilearn's default <c>percentile</c>.</summary>
    public const double DefaultPercentile = 2.0;

    /// <summary>
    /// <c>signal.high_variance_confounds(series, n_confounds, percentile, detrend)</c>: a (timepoints ×
    /// <paramref name="count"/>) matrix of orthonormal columns, the strongest component first.
    /// <paramref name="series"/> is not modified.
    /// </summary>
    public static SignalMatrix<double> Compute(SignalMatrix<double> series, int count = DefaultCount,
        double percentile = DefaultPercentile, bool detrend = true)
    {
        Check(count, percentile);
        int n = series.Timepoints, k = series.Features;
        var x = (double[])series.Data.Clone();
        if (detrend && n > 1 && k > 0) Detrending.RemoveLinearTrend(x, k, single: false, new double[k + 1]);
        var sumSquares = new double[k];
        for (int t = 0; t < n; t++)
        {
            var row = x.AsSpan(t * k, k);
            for (int j = 0; j < k; j++) sumSquares[j] += row[j] * row[j];
        }
        var selected = Select(sumSquares, percentile);
        var kept = new double[(long)n * selected.Length];
        for (int t = 0; t < n; t++)
            for (int j = 0; j < selected.Length; j++) kept[(long)t * selected.Length + j] = x[(long)t * k + selected[j]];
        return FromSelected(kept, n, selected.Length, count);
    }

    /// <summary>Checks <c>n_confounds</c> and <c>percentile</c>.</summary>
    internal static void Check(int count, double percentile)
    {
        if (count < 1) throw new NiSharpException($"n_confounds must be at least 1, got {count}");
        if (!(percentile >= 0 && percentile <= 100)) throw new NiSharpException($"percentile must be between 0 and 100, got {percentile}");
    }

    /// <summary>
    /// The indices of the series kept: those whose sum of squares is strictly above
    /// <c>np.nanpercentile(sumSquares, 100 − percentile)</c> (NaN never kept), ascending.
    /// </summary>
    internal static int[] Select(ReadOnlySpan<double> sumSquares, double percentile)
    {
        double threshold = NanPercentile(sumSquares, 100.0 - percentile);
        int count = 0;
        foreach (var v in sumSquares) if (v > threshold) count++;
        var selected = new int[count];
        int i = 0;
        for (int j = 0; j < sumSquares.Length; j++) if (sumSquares[j] > threshold) selected[i++] = j;
        return selected;
    }

    /// <summary>
    /// numpy's <c>nanpercentile(values, q)</c> with its default <c>linear</c> method: the NaN are left out, the others
    /// sorted, and the value at the virtual index <c>(m − 1)·q/100</c> interpolated between its neighbours as numpy's
    /// <c>_lerp</c> does (from the upper neighbour when the fraction is at least one half, which keeps the result
    /// monotonic). NaN when every value is NaN.
    /// </summary>
    public static double NanPercentile(ReadOnlySpan<double> values, double q)
    {
        int m = 0;
        foreach (var v in values) if (!double.IsNaN(v)) m++;
        if (m == 0) return double.NaN;
        var sorted = new double[m];
        int i = 0;
        foreach (var v in values) if (!double.IsNaN(v)) sorted[i++] = v;
        Array.Sort(sorted);
        double index = (m - 1) * (q / 100.0);
        int below = (int)Math.Floor(index);
        int above = Math.Min(below + 1, m - 1);
        double frac = index - below;
        double a = sorted[below], b = sorted[above], diff = b - a;
        return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac;
    }

    /// <summary>
    /// The first <paramref name="count"/> left singular vectors of the kept (already detrended) series
    /// <paramref name="kept"/> (<paramref name="timepoints"/> × <paramref name="width"/>, row-major): the eigenvectors
    /// of XXᵀ with the largest eigenvalues, strongest first.
    /// </summary>
    internal static SignalMatrix<double> FromSelected(double[] kept, int timepoints, int width, int count)
    {
        if (width < count)
            throw new NiSharpException($"only {width} series are above the variance percentile, fewer than the {count} confounds asked for " +
                                       "(raise percentile or lower n_confounds)");
        if (count > timepoints)
            throw new NiSharpException($"{count} confounds asked for from {timepoints} timepoints");
        // Gram matrix XXᵀ/T (the scale does not change the eigenvectors; it is nilearn's), accumulated row by row.
        var gram = Matrix<double>.Build.Dense(timepoints, timepoints);
        for (int s = 0; s < timepoints; s++)
        {
            var xs = kept.AsSpan(s * width, width);
            for (int t = 0; t <= s; t++)
            {
                double dot = System.Numerics.Tensors.TensorPrimitives.Dot<double>(xs, kept.AsSpan(t * width, width)) / timepoints;
                gram[s, t] = dot;
                gram[t, s] = dot;
            }
        }
        var evd = gram.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(c => c.Real).ToArray();
        var order = Enumerable.Range(0, timepoints).OrderByDescending(j => values[j]).ToArray();
        var u = new SignalMatrix<double>(timepoints, count);
        for (int c = 0; c < count; c++)
        {
            var vector = evd.EigenVectors.Column(order[c]);
            for (int t = 0; t < timepoints; t++) u[t, c] = vector[t];
        }
        return u;
    }
}
