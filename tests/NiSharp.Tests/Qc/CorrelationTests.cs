using CsCheck;
using NiSharp.Qc;

namespace NiSharp.Tests.Qc;

/// <summary>Pearson, partial and Spearman correlation against scipy 1.10 and the closed-form partial correlation.</summary>
public class CorrelationTests
{
    private static readonly double[] X = [1.2, 2.3, 2.9, 4.1, 5.0, 6.2, 6.8, 8.1, 9.3, 9.9];
    private static readonly double[] Y = [2.0, 2.9, 3.1, 4.8, 4.4, 6.9, 6.1, 8.8, 8.7, 11.2];
    private static readonly double[] Age = [30, 25, 41, 38, 22, 50, 47, 33, 29, 45];
    private static readonly double[] Sex = [0, 1, 1, 0, 0, 1, 0, 1, 1, 0];

    [Fact]
    public void Pearson_matches_scipy_pearsonr()
    {
        // scipy.stats.pearsonr(X, Y) (scipy 1.10)
        var t = PartialCorrelation.Pearson(X, Y);
        Assert.Equal(0.9724167888099422, t.R, 1e-12);
        Assert.Equal(2.44967880043784e-06, t.P, 2.44967880043784e-06 * 1e-8);
        Assert.Equal(8, t.DegreesOfFreedom);
    }

    [Fact]
    public void Partial_correlation_matches_residuals_by_least_squares_and_the_t_test_with_n_minus_2_minus_k_df()
    {
        // numpy lstsq residuals of X and Y on [1, age, sex], np.corrcoef, scipy.stats.t.sf with df = 10 − 2 − 2
        var t = PartialCorrelation.Compute(X, Y, [Age, Sex]);
        Assert.Equal(0.9706679386245779, t.R, 1e-12);
        Assert.Equal(6.171125055174528e-05, t.P, 6.171125055174528e-05 * 1e-8);
        Assert.Equal(6, t.DegreesOfFreedom);

        var one = PartialCorrelation.Compute(X, Y, [Age]);
        Assert.Equal(0.9708493212072534, one.R, 1e-12);
        Assert.Equal(1.3534254905401521e-05, one.P, 1.3534254905401521e-05 * 1e-8);
    }

    [Fact]
    public void Partial_correlation_with_one_covariate_is_the_textbook_formula()
    {
        // r_xy·z = (r_xy − r_xz r_yz) / √((1 − r_xz²)(1 − r_yz²))
        double rxy = PartialCorrelation.Pearson(X, Y).R, rxz = PartialCorrelation.Pearson(X, Age).R, ryz = PartialCorrelation.Pearson(Y, Age).R;
        double expected = (rxy - rxz * ryz) / Math.Sqrt((1 - rxz * rxz) * (1 - ryz * ryz));
        Assert.Equal(expected, PartialCorrelation.Compute(X, Y, [Age]).R, 1e-12);
    }

    [Fact]
    public void A_constant_covariate_is_dropped_and_counts_no_degree_of_freedom()
    {
        var constant = Enumerable.Repeat(3.0, X.Length).ToArray();
        var t = PartialCorrelation.Compute(X, Y, [constant]);
        var p = PartialCorrelation.Pearson(X, Y);
        Assert.Equal(p.R, t.R, 1e-12);
        Assert.Equal(p.DegreesOfFreedom, t.DegreesOfFreedom);
    }

    [Fact]
    public void A_correlation_explained_by_a_covariate_vanishes_when_it_is_controlled()
    {
        // x and y both follow age (plus independent noise): strongly correlated, not once age is removed.
        var rng = new Random(3);
        int n = 200;
        var age = Enumerable.Range(0, n).Select(_ => 20 + 40 * rng.NextDouble()).ToArray();
        var x = age.Select(a => a + 2 * Gauss(rng)).ToArray();
        var y = age.Select(a => 0.5 * a + Gauss(rng)).ToArray();
        Assert.True(PartialCorrelation.Pearson(x, y).R > 0.9);
        Assert.True(Math.Abs(PartialCorrelation.Compute(x, y, [age]).R) < 0.2);
    }

    [Fact]
    public void Spearman_uses_average_ranks_for_ties_like_scipy()
    {
        double[] a = [1, 2, 2, 3, 5, 5, 5, 8], b = [3, 1, 4, 1, 5, 9, 2, 6];
        Assert.Equal([1, 2.5, 2.5, 4, 6, 6, 6, 8], PartialCorrelation.Ranks(a));
        Assert.Equal(0.5495502618648208, PartialCorrelation.Spearman(a, b), 1e-12); // scipy.stats.spearmanr
        // Pairs with a non-finite value are left out.
        Assert.Equal(PartialCorrelation.Spearman(a, b), PartialCorrelation.Spearman([.. a, double.NaN], [.. b, 4]), 1e-15);
    }

    [Fact]
    public void Partial_correlation_is_bounded_symmetric_and_unchanged_by_positive_affine_maps()
    {
        Gen.Select(Gen.Int[8, 30], Gen.Int[0, 3]).SelectMany((n, k) =>
                Gen.Select(Gen.Double[-5, 5].Array[n], Gen.Double[-5, 5].Array[n], Gen.Double[-5, 5].Array[n].Array[k],
                    Gen.Double[0.1, 10], Gen.Double[-50, 50]))
            .Sample((x, y, cov, scale, shift) =>
            {
                var t = PartialCorrelation.Compute(x, y, cov);
                if (double.IsNaN(t.R)) return;
                Assert.InRange(t.R, -1, 1);
                Assert.Equal(t.R, PartialCorrelation.Compute(y, x, cov).R, 1e-9);
                var x2 = x.Select(v => scale * v + shift).ToArray();
                var cov2 = cov.Select(c => c.Select(v => -scale * v + shift).ToArray()).ToArray();
                Assert.Equal(t.R, PartialCorrelation.Compute(x2, y, cov2).R, 1e-7);
            });
    }

    internal static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
