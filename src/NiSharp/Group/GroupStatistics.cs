using MathNet.Numerics.Distributions;

namespace NiSharp.Group;

/// <summary>Welch's t-test result.</summary>
/// <param name="T">t = (m₁ − m₂)/√(v₁/n₁ + v₂/n₂).</param>
/// <param name="DegreesOfFreedom">Welch–Satterthwaite degrees of freedom.</param>
/// <param name="P">Two-sided p-value from Student's t distribution.</param>
public readonly record struct WelchTest(double T, double DegreesOfFreedom, double P);

/// <summary>
/// Two-sample statistics used to compare connectivity between groups: means and sample SDs,
/// Cohen's d with the pooled SD, Welch's unequal-variance t-test, Benjamini–Hochberg FDR.
/// NaN values are treated as missing and skipped.
/// </summary>
public static class GroupStatistics
{
    /// <summary>Count, mean and sample variance (n−1) of the non-NaN values.</summary>
    public static (int N, double Mean, double Variance) Describe(ReadOnlySpan<double> x)
    {
        int n = 0; double sum = 0;
        foreach (var v in x) if (!double.IsNaN(v)) { n++; sum += v; }
        if (n == 0) return (0, double.NaN, double.NaN);
        double mean = sum / n, ss = 0;
        foreach (var v in x) if (!double.IsNaN(v)) ss += (v - mean) * (v - mean);
        return (n, mean, n > 1 ? ss / (n - 1) : double.NaN);
    }

    /// <summary>Cohen's d = (m₁ − m₂)/s<sub>p</sub>, s<sub>p</sub> = √(((n₁−1)v₁ + (n₂−1)v₂)/(n₁+n₂−2)).</summary>
    public static double CohensD(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var (n1, m1, v1) = Describe(a);
        var (n2, m2, v2) = Describe(b);
        return CohensD(n1, m1, v1, n2, m2, v2);
    }

    internal static double CohensD(int n1, double m1, double v1, int n2, double m2, double v2)
    {
        if (n1 < 2 || n2 < 2) return double.NaN;
        double pooled = Math.Sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2));
        return (m1 - m2) / pooled;
    }

    /// <summary>Welch's t-test of mean(a) − mean(b), two-sided (scipy <c>ttest_ind(equal_var=False)</c>).</summary>
    public static WelchTest Welch(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var (n1, m1, v1) = Describe(a);
        var (n2, m2, v2) = Describe(b);
        return Welch(n1, m1, v1, n2, m2, v2);
    }

    internal static WelchTest Welch(int n1, double m1, double v1, int n2, double m2, double v2)
    {
        if (n1 < 2 || n2 < 2) return new WelchTest(double.NaN, double.NaN, double.NaN);
        double a = v1 / n1, b = v2 / n2, se2 = a + b;
        double t = WelchT(m1 - m2, se2);
        double df = se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1));
        return new WelchTest(t, df, TwoSidedP(t, df));
    }

    /// <summary>t from the mean difference and its squared standard error; ±∞ for a nonzero
    /// difference between two constant groups, NaN for no difference at all.</summary>
    internal static double WelchT(double difference, double se2)
    {
        if (se2 > 0) return difference / Math.Sqrt(se2);
        return difference == 0 ? double.NaN : difference * double.PositiveInfinity;
    }

    /// <summary>2·P(T<sub>df</sub> ≤ −|t|), computed in the lower tail so small p-values keep their precision.</summary>
    public static double TwoSidedP(double t, double df)
    {
        if (double.IsNaN(t)) return double.NaN;
        if (double.IsInfinity(t)) return 0;
        if (!(df > 0)) return double.NaN;
        return Math.Min(1.0, 2.0 * StudentT.CDF(0, 1, df, -Math.Abs(t)));
    }

    /// <summary>
    /// Benjamini–Hochberg adjusted p-values (q-values): q<sub>(i)</sub> = min<sub>k≥i</sub> m·p<sub>(k)</sub>/k,
    /// capped at 1, with m the number of non-NaN p-values; NaN stays NaN. Rejecting q ≤ α controls the
    /// false discovery rate at α for independent (or positively dependent) tests.
    /// </summary>
    public static double[] BenjaminiHochberg(ReadOnlySpan<double> p)
    {
        var q = new double[p.Length];
        var order = new List<int>(p.Length);
        for (int i = 0; i < p.Length; i++)
        {
            q[i] = double.NaN;
            if (!double.IsNaN(p[i])) order.Add(i);
        }
        var pv = p.ToArray();
        order.Sort((x, y) => pv[x].CompareTo(pv[y]));
        int m = order.Count;
        double running = 1.0;
        for (int r = m - 1; r >= 0; r--)
        {
            int i = order[r];
            running = Math.Min(running, pv[i] * ((double)m / (r + 1))); // m/k ≥ 1 exactly, so q ≥ p
            q[i] = running;
        }
        return q;
    }
}
