using CsCheck;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary>Invariants of the small steps clean is composed of.</summary>
public class KernelPropertyTests
{
    private static readonly Gen<double[]> Series = Gen.Int[3, 200].SelectMany(n => Gen.Double[-1e3, 1e3].Array[n]);

    [Fact]
    public void Detrended_series_have_zero_mean_and_no_linear_trend()
    {
        Series.Sample(x =>
        {
            var y = (double[])x.Clone();
            Detrending.RemoveLinearTrend(y);
            double scale = x.Max(Math.Abs) * x.Length + 1;
            Assert.True(Math.Abs(y.Sum()) < 1e-9 * scale);
            double ramp = 0;
            for (int t = 0; t < y.Length; t++) ramp += (t - (y.Length - 1) / 2.0) * y[t];
            Assert.True(Math.Abs(ramp) < 1e-9 * scale * y.Length);
        });
    }

    [Fact]
    public void Detrending_removes_a_line_exactly_and_is_idempotent()
    {
        Gen.Select(Gen.Double[-50, 50], Gen.Double[-5, 5], Gen.Int[2, 300]).Sample((a, b, n) =>
        {
            var line = Enumerable.Range(0, n).Select(t => a + b * t).ToArray();
            Detrending.RemoveLinearTrend(line);
            Approx.Equal(new double[n], line, 0, 1e-9 * (Math.Abs(a) + Math.Abs(b) * n + 1), "line");
        });
        Series.Sample(x =>
        {
            var once = (double[])x.Clone();
            Detrending.RemoveLinearTrend(once);
            var twice = (double[])once.Clone();
            Detrending.RemoveLinearTrend(twice);
            Approx.Equal(once, twice, 0, 1e-9 * (x.Max(Math.Abs) + 1), "idempotent");
        });
    }

    [Theory]
    [InlineData(StandardizeMethod.ZScore, 0)]
    [InlineData(StandardizeMethod.ZScoreSample, 1)]
    public void Zscore_gives_zero_mean_and_unit_std_with_its_ddof(StandardizeMethod method, int ddof)
    {
        Series.Where(x => x.Max() - x.Min() > 1e-3).Sample(x =>
        {
            var y = (double[])x.Clone();
            Standardization.Standardize(y, method);
            double mean = y.Average();
            double var = y.Sum(v => (v - mean) * (v - mean)) / (y.Length - ddof);
            Assert.True(Math.Abs(mean) < 1e-9);
            Assert.True(Math.Abs(var - 1) < 1e-9);
        });
    }

    [Fact]
    public void Constant_columns_standardise_to_zero_and_zero_mean_columns_give_zero_psc()
    {
        foreach (var m in new[] { StandardizeMethod.ZScore, StandardizeMethod.ZScoreSample })
        {
            var c = Enumerable.Repeat(3.25, 20).ToArray();
            Standardization.Standardize(c, m);
            Assert.All(c, v => Assert.Equal(0, v));
        }
        var z = new double[] { 1, -1, 2, -2 };
        Standardization.Standardize(z, StandardizeMethod.Psc);
        Assert.All(z, v => Assert.Equal(0, v));
        var p = new double[] { 90, 110 };
        Standardization.Standardize(p, StandardizeMethod.Psc);
        Assert.Equal([-10.0, 10.0], p);
    }

    [Fact]
    public void Projection_leaves_residuals_orthogonal_to_every_confound_and_is_idempotent()
    {
        var gen = Gen.Int[20, 80].SelectMany(n => Gen.Int[1, 6].SelectMany(k =>
            Gen.Select(Gen.Double[-10, 10].Array[n * k], Gen.Double[-100, 100].Array[n], (c, x) => (n, k, c, x))));
        gen.Sample(s =>
        {
            var (n, k, c, x) = s;
            var p = new ConfoundProjection(c, n, k);
            Assert.Equal(Math.Min(n, k), p.Rank);
            var r = (double[])x.Clone();
            p.ProjectOut(r);
            for (int j = 0; j < k; j++)
            {
                double dot = 0, norm = 0;
                for (int t = 0; t < n; t++) { dot += c[t * k + j] * r[t]; norm += c[t * k + j] * c[t * k + j]; }
                Assert.True(Math.Abs(dot) < 1e-9 * Math.Sqrt(norm) * (x.Max(Math.Abs) + 1) * n);
            }
            var again = (double[])r.Clone();
            p.ProjectOut(again);
            Approx.Equal(r, again, 0, 1e-9 * (x.Max(Math.Abs) + 1), "idempotent");
        });
    }

    [Fact]
    public void Duplicate_and_zero_confounds_are_dropped_by_the_rank_tolerance()
    {
        int n = 50;
        var rng = new Random(3);
        var a = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var c = new double[n * 4];
        for (int t = 0; t < n; t++) { c[t * 4] = a[t]; c[t * 4 + 1] = b[t]; c[t * 4 + 2] = a[t]; c[t * 4 + 3] = 0; }
        var p = new ConfoundProjection(c, n, 4);
        Assert.Equal(2, p.Rank);
        Assert.True(p.RDiagonal.Count(d => d > ConfoundProjection.RankTolerance) == 2);
    }

    [Fact]
    public void Cosine_drift_terms_follow_nilearns_dct_basis()
    {
        // 120 volumes at TR 2 s with high_pass 0.009 Hz: order ⌊2·120·0.009·2⌋ = 4 cosines.
        var d = CosineDrift.Create(0.009, 120, 2.0);
        Assert.Equal(4, d.Features);
        for (int k = 1; k <= 4; k++)
            for (int t = 0; t < 120; t++)
                Assert.Equal(Math.Sqrt(2.0 / 120) * Math.Cos(Math.PI / 120 * (t + 0.5) * k), d[t, k - 1], 15);
        // Orthonormal columns.
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double dot = 0;
                for (int t = 0; t < 120; t++) dot += d[t, i] * d[t, j];
                Assert.Equal(i == j ? 1 : 0, dot, 12);
            }
    }
}
