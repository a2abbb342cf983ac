using CsCheck;
using NiSharp.Group;

namespace NiSharp.Tests.Group;

/// <summary>Group statistics against hand-computed cases (and scipy 1.10 values, committed).</summary>
public class GroupStatisticsTests
{
    private static readonly double[] A = [1, 2, 3, 4];
    private static readonly double[] B = [2, 4, 6, 8, 10];

    [Fact]
    public void Describe_gives_mean_and_sample_variance()
    {
        // A: mean 10/4 = 2.5, Σ(x−m)² = 2.25+0.25+0.25+2.25 = 5, /3 = 5/3.
        var (n, mean, variance) = GroupStatistics.Describe(A);
        Assert.Equal(4, n);
        Assert.Equal(2.5, mean, 1e-15);
        Assert.Equal(5.0 / 3.0, variance, 1e-15);
        // NaN is missing: the same as without it.
        Assert.Equal((4, 2.5, 5.0 / 3.0), GroupStatistics.Describe([1, double.NaN, 2, 3, 4]));
    }

    [Fact]
    public void Cohens_d_uses_the_pooled_sample_sd()
    {
        // B: mean 6, variance 40/4 = 10. Pooled variance = (3·5/3 + 4·10)/7 = 45/7; d = −3.5/√(45/7).
        Assert.Equal(-3.5 / Math.Sqrt(45.0 / 7.0), GroupStatistics.CohensD(A, B), 1e-14);
    }

    [Fact]
    public void Welch_t_df_and_p_match_hand_and_scipy()
    {
        var w = GroupStatistics.Welch(A, B);
        // se² = (5/3)/4 + 10/5 = 29/12; t = −3.5/√(29/12).
        Assert.Equal(-3.5 / Math.Sqrt(29.0 / 12.0), w.T, 1e-14);
        // df = se⁴ / ((5/12)²/3 + 2²/4).
        double se2 = 29.0 / 12.0, a = 5.0 / 12.0;
        Assert.Equal(se2 * se2 / (a * a / 3 + 1.0), w.DegreesOfFreedom, 1e-13);
        // scipy.stats.ttest_ind(A, B, equal_var=False) → (-2.2514363231593695, 0.06913359319239236).
        Assert.Equal(-2.2514363231593695, w.T, 1e-13);
        Assert.Equal(0.06913359319239236, w.P, 1e-10);

        var w2 = GroupStatistics.Welch([0.31, 0.45, 0.52, 0.38, 0.61, 0.49], [0.22, 0.35, 0.18, 0.41, 0.27]);
        Assert.Equal(2.886931464288826, w2.T, 1e-12);
        Assert.Equal(0.018101933209461307, w2.P, 1e-10);
        // scipy.stats.t.sf(2.0, 5.5) * 2.
        Assert.Equal(0.09675439023118491, GroupStatistics.TwoSidedP(2.0, 5.5), 1e-12);
    }

    [Fact]
    public void Welch_of_constant_groups_is_infinite_or_undefined()
    {
        var w = GroupStatistics.Welch([1, 1, 1], [2, 2]);
        Assert.Equal(double.NegativeInfinity, w.T);
        Assert.Equal(0, w.P);
        Assert.True(double.IsNaN(GroupStatistics.Welch([1, 1], [1, 1]).P));
        Assert.True(double.IsNaN(GroupStatistics.Welch([1], [1, 2]).P)); // n < 2
    }

    [Fact]
    public void Benjamini_hochberg_matches_hand_computation()
    {
        // Sorted 0.005, 0.01, 0.03, 0.04 → m·p/k = 0.02, 0.02, 0.04, 0.04 (already monotone).
        var q = GroupStatistics.BenjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
        Assert.Equal([0.02, 0.04, 0.04, 0.02], q.Select(x => Math.Round(x, 12)));
        // The running minimum from the top: 0.02·3/1 = 0.06 > 0.03·3/2 = 0.045 → both 0.045; NaN ignored (m = 3).
        var q2 = GroupStatistics.BenjaminiHochberg([0.02, double.NaN, 0.03, 0.9]);
        Assert.Equal(0.045, q2[0], 1e-15);
        Assert.True(double.IsNaN(q2[1]));
        Assert.Equal(0.045, q2[2], 1e-15);
        Assert.Equal(0.9, q2[3], 1e-15);
    }

    [Fact]
    public void Benjamini_hochberg_is_monotone_bounded_and_never_below_p()
    {
        Gen.Double[0, 1].Array[1, 50].Sample(p =>
        {
            var q = GroupStatistics.BenjaminiHochberg(p);
            var order = Enumerable.Range(0, p.Length).OrderBy(i => p[i]).ToArray();
            for (int k = 0; k < order.Length; k++)
            {
                Assert.InRange(q[order[k]], p[order[k]], 1.0);
                if (k > 0) Assert.True(q[order[k]] >= q[order[k - 1]]);
            }
        });
    }
}
