using CsCheck;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;

namespace NiSharp.Tests.Connectome;

/// <summary>Invariants of the connectome layer on random inputs (CsCheck).</summary>
public class ConnectomePropertyTests
{
    /// <summary>A random symmetric matrix of size 1–8.</summary>
    private static readonly Gen<Matrix<double>> GenSymmetric =
        Gen.Int[1, 8].SelectMany(n => Gen.Double[-100, 100].Array[n * n].Select(v =>
        {
            var m = Matrix<double>.Build.Dense(n, n, v);
            return m + m.Transpose();
        }));

    /// <summary>A group of 2–4 subjects with 2–6 regions and 12–40 time points.</summary>
    private static readonly Gen<Matrix<double>[]> GenGroup =
        Gen.Select(Gen.Int[2, 4], Gen.Int[2, 6], Gen.Int[12, 40]).SelectMany((k, r, t) =>
            Gen.Double[-3, 3].Array[r * t].Select(v => Matrix<double>.Build.Dense(t, r, v)).Array[k]);

    [Fact]
    public void In_place_steps_equal_their_copying_forms_bit_for_bit()
    {
        // The fit centres its own z-scored signals, shrinks its covariance and symmetrises its mean in place: the same
        // numbers as the copying forms, to the bit (NaN cells, as empty regions leave, included).
        Gen.Select(Gen.Int[1, 7], Gen.Int[3, 30], Gen.Int[1, 3]).SelectMany((p, t, k) =>
                Gen.Double[-5, 5].Array[p * t].Select(v => Matrix<double>.Build.Dense(t, p, v)).Array[k])
            .Sample(group =>
            {
                foreach (var x in group)
                    foreach (var estimator in new[] { CovarianceEstimator.LedoitWolf, CovarianceEstimator.Empirical })
                    {
                        var copied = Covariance.Estimate(x, estimator);
                        var own = x.Clone();
                        var inPlace = Covariance.Estimate(own, estimator, overwrite: true);
                        Assert.Equal(copied.Shrinkage, inPlace.Shrinkage);
                        Assert.Equal(copied.Covariance.ToColumnMajorArray(), inPlace.Covariance.ToColumnMajorArray());
                    }
                int n = group[0].ColumnCount;
                var squares = group.Select(x => Matrix<double>.Build.Dense(n, n, (i, j) => (i * 7 + j * 3) % 5 == 0 ? double.NaN : x[i % x.RowCount, j] * (i + 1))).ToList();
                var mean = EmptyRegions.NanMean(squares);
                for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    var cells = squares.Select(m => m[i, j]).Where(v => !double.IsNaN(v)).ToList();
                    double sum = 0;
                    foreach (var v in cells) sum += v;
                    Assert.Equal(cells.Count > 0 ? sum / cells.Count : double.NaN, mean[i, j]);
                }
                Assert.Equal(SymmetricMatrix.Symmetrize(mean).ToColumnMajorArray(), SymmetricMatrix.SymmetrizeInPlace(mean.Clone()).ToColumnMajorArray());
            }, iter: 200);
    }

    [Fact]
    public void Vectorize_then_inverse_round_trips()
    {
        GenSymmetric.Sample(m =>
        {
            var back = SymmetricMatrix.FromVector(SymmetricMatrix.ToVector(m));
            Assert.True((back - m).InfinityNorm() <= 1e-12 * (1 + m.InfinityNorm()));

            // Without the diagonal in the vector, nilearn takes it separately, divided by √2.
            var off = SymmetricMatrix.ToVector(m, discardDiagonal: true);
            var diag = m.Diagonal().Select(d => d / SymmetricMatrix.Sqrt2).ToArray();
            var back2 = SymmetricMatrix.FromVector(off, diag);
            Assert.True((back2 - m).InfinityNorm() <= 1e-12 * (1 + m.InfinityNorm()));
            Assert.Equal(m.RowCount * (m.RowCount - 1) / 2, off.Length);
        });
    }

    [Fact]
    public void Vector_norm_equals_frobenius_norm()
    {
        // Why nilearn scales the diagonal: ‖vec‖² counts each off-diagonal pair once, so √2·‖vec‖ = ‖M‖_F.
        GenSymmetric.Sample(m =>
        {
            var v = SymmetricMatrix.ToVector(m);
            double norm = Math.Sqrt(v.Sum(x => x * x)) * SymmetricMatrix.Sqrt2;
            Assert.Equal(m.FrobeniusNorm(), norm, 1e-9 * (1 + m.FrobeniusNorm()));
        });
    }

    [Fact]
    public void Every_kind_gives_symmetric_matrices()
    {
        GenGroup.Sample(group =>
        {
            foreach (var kind in Enum.GetValues<ConnectivityKind>())
                foreach (var est in Enum.GetValues<CovarianceEstimator>())
                {
                    var measure = new ConnectivityMeasure(new ConnectivityOptions { Kind = kind, Estimator = est });
                    foreach (var c in measure.FitTransform(group).Append(measure.Mean!))
                        Assert.Equal(c, c.Transpose());
                    if (kind.IsCorrelation())
                        foreach (var c in measure.Transform(group))
                            for (int i = 0; i < c.RowCount; i++) Assert.Equal(1.0, c[i, i]);
                }
        }, iter: 40);
    }

    [Fact]
    public void Tangent_vectors_average_to_zero_at_the_geometric_mean()
    {
        GenGroup.Sample(group =>
        {
            var measure = new ConnectivityMeasure(new ConnectivityOptions { Kind = ConnectivityKind.Tangent });
            var tangents = measure.FitTransform(group);
            Assert.True(measure.GeometricMeanFit!.Converged);
            int n = tangents[0].RowCount;
            var sum = Matrix<double>.Build.Dense(n, n);
            foreach (var t in tangents) sum += t;
            // The geometric mean is where the mean of the logs vanishes (the descent's stopping rule is
            // ‖mean log‖_F / n² < 1e-7).
            Assert.True(sum.Divide(tangents.Length).FrobeniusNorm() / (n * n) < 1e-6);

            // And the mean itself maps to the origin of the tangent space: log(W·G·W) = log(I) = 0.
            var w = measure.Whitening!;
            var atMean = SpdMatrix.Log(w * measure.Mean! * w);
            Assert.True(atMean.InfinityNorm() < 1e-9);
        }, iter: 40);
    }

    [Fact]
    public void Ledoit_wolf_shrinkage_is_in_unit_interval_and_keeps_the_trace()
    {
        GenGroup.Sample(group =>
        {
            foreach (var x in group)
            {
                var lw = Covariance.LedoitWolf(x);
                var s = Covariance.Empirical(x);
                Assert.InRange(lw.Shrinkage, 0.0, 1.0);
                Assert.Equal(s.Trace(), lw.Covariance.Trace(), 1e-9 * (1 + s.Trace()));
            }
        });
    }

    [Fact]
    public void Fisher_z_inverts_and_zeroes_the_diagonal()
    {
        Gen.Double[-0.999, 0.999].Sample(r => Assert.Equal(r, FisherZ.Inverse(FisherZ.Transform(r)), 1e-12));
        var corr = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, 0.5 }, { 0.5, 1.0 } });
        var z = FisherZ.Transform(corr);
        Assert.Equal(0.0, z[0, 0]);
        Assert.Equal(0.5493061443340549, z[1, 0], 1e-15); // artanh(0.5) = ln(3)/2
        Assert.Equal(double.PositiveInfinity, FisherZ.Transform(1.0000000000000002));
    }
}
