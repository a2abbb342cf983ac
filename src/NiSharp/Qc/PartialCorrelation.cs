using NiSharp.Group;

namespace NiSharp.Qc;

/// <summary>A correlation and its two-sided test.</summary>
/// <param name="R">The correlation coefficient (NaN when undefined: no degree of freedom left, or a constant variable).</param>
/// <param name="P">Two-sided p-value from Student's t with <paramref name="DegreesOfFreedom"/>.</param>
/// <param name="N">Observations used.</param>
/// <param name="DegreesOfFreedom">n − 2 − (covariates removed).</param>
public readonly record struct CorrelationTest(double R, double P, int N, int DegreesOfFreedom);

/// <summary>
/// Pearson, Spearman and partial correlation, as the motion QC measures use them. The partial correlation of x and y
/// given covariates is the Pearson correlation of their residuals after least squares on an intercept and the
/// covariates; its test has n − 2 − k degrees of freedom for k covariates (the textbook test; the fMRIPrep denoising
/// benchmark's code tests the residual correlation with n − 2, which is slightly liberal).
/// </summary>
public static class PartialCorrelation
{
    /// <summary>Pearson's r of <paramref name="x"/> and <paramref name="y"/> (same length, no NaN), t-test with n − 2 df.</summary>
    public static CorrelationTest Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Test(Correlation(x, y), x.Length, 0);

    /// <summary>
    /// The partial correlation of <paramref name="x"/> and <paramref name="y"/> controlling for
    /// <paramref name="covariates"/> (one array per covariate, one value per observation; null or empty: Pearson).
    /// Covariates that are constant or a combination of the others are left out of the count.
    /// </summary>
    public static CorrelationTest Compute(ReadOnlySpan<double> x, ReadOnlySpan<double> y, IReadOnlyList<double[]>? covariates)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y differ in length");
        var basis = new Residualizer(x.Length, covariates);
        var rx = x.ToArray();
        var ry = y.ToArray();
        basis.Residualize(rx);
        basis.Residualize(ry);
        return basis.Test(Correlation(rx, ry));
    }

    /// <summary>Spearman's rank correlation (average ranks for ties) over the pairs where both values are finite.</summary>
    public static double Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y differ in length");
        var keep = new List<int>(x.Length);
        for (int i = 0; i < x.Length; i++) if (double.IsFinite(x[i]) && double.IsFinite(y[i])) keep.Add(i);
        var a = new double[keep.Count];
        var b = new double[keep.Count];
        for (int i = 0; i < keep.Count; i++) { a[i] = x[keep[i]]; b[i] = y[keep[i]]; }
        return Correlation(Ranks(a), Ranks(b));
    }

    /// <summary>Ranks 1..n with ties given their average rank (scipy's <c>rankdata(method='average')</c>).</summary>
    public static double[] Ranks(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var v = values.ToArray();
        Array.Sort(order, (i, j) => v[i].CompareTo(v[j]));
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && v[order[end + 1]] == v[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>Pearson's r computed around the means (NaN for fewer than 2 values or a constant variable).</summary>
    internal static double Correlation(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length;
        if (n < 2) return double.NaN;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (!(sxx > 0) || !(syy > 0)) return double.NaN;
        return Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>The t-test of a correlation over <paramref name="n"/> observations with <paramref name="removed"/> covariates.</summary>
    internal static CorrelationTest Test(double r, int n, int removed)
    {
        int df = n - 2 - removed;
        // Without a degree of freedom the (residual) variables span a line: r is ±1 whatever the data.
        if (double.IsNaN(r) || df < 1) return new CorrelationTest(double.NaN, double.NaN, n, df);
        double p = Math.Abs(r) >= 1 ? 0 : GroupStatistics.TwoSidedP(r * Math.Sqrt(df / (1 - r * r)), df);
        return new CorrelationTest(r, p, n, df);
    }
}

/// <summary>
/// Least-squares residuals on an intercept and covariates, for many variables over the same observations: the
/// design's columns are orthonormalised once (modified Gram–Schmidt, twice for accuracy), and a variable's residual
/// is what is left after removing its projection on them.
/// </summary>
internal sealed class Residualizer
{
    private readonly List<double[]> _basis = [];
    private readonly int _n;

    /// <summary>Covariates actually used (constant or collinear ones are dropped).</summary>
    public int CovariatesUsed { get; }

    public Residualizer(int n, IReadOnlyList<double[]>? covariates)
    {
        _n = n;
        var intercept = new double[n];
        Array.Fill(intercept, 1.0);
        AddColumn(intercept);
        int used = 0;
        foreach (var c in covariates ?? [])
        {
            if (c.Length != n) throw new ArgumentException("a covariate has another number of observations");
            if (AddColumn(c)) used++;
        }
        CovariatesUsed = used;
    }

    private bool AddColumn(double[] column)
    {
        var q = (double[])column.Clone();
        double norm0 = Math.Sqrt(Dot(q, q));
        if (!(norm0 > 0)) return false;
        for (int pass = 0; pass < 2; pass++)
            foreach (var b in _basis)
            {
                double d = Dot(q, b);
                for (int i = 0; i < _n; i++) q[i] -= d * b[i];
            }
        double norm = Math.Sqrt(Dot(q, q));
        if (!(norm > 1e-10 * norm0)) return false;
        for (int i = 0; i < _n; i++) q[i] /= norm;
        _basis.Add(q);
        return true;
    }

    /// <summary>Replaces <paramref name="x"/> by its residual.</summary>
    public void Residualize(Span<double> x)
    {
        foreach (var b in _basis)
        {
            double d = 0;
            for (int i = 0; i < _n; i++) d += x[i] * b[i];
            for (int i = 0; i < _n; i++) x[i] -= d * b[i];
        }
    }

    /// <summary>The test of a correlation between two residuals.</summary>
    public CorrelationTest Test(double r) => PartialCorrelation.Test(r, _n, CovariatesUsed);

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
