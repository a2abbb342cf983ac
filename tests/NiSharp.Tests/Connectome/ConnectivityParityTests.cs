using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Connectome;

/// <summary>
/// Parity with nilearn 0.10.4's and 0.14.0's <c>ConnectivityMeasure</c> and sklearn <c>LedoitWolf</c> on the
/// fixtures' three float32 subjects (120 × 7; each release's own masker outputs, which differ by float32 rounding). nilearn computes in float32, we in float64 and round
/// once. Tolerances (relative, plus the same absolute for values near 0): 1e-6 for the closed-form
/// kinds (float32 rounding is ~6e-8); 1e-5 for tangent, whose reference went through an iterative
/// geometric mean and float32 eigendecompositions (observed worst 3e-6).
/// </summary>
public class ConnectivityParityTests
{
    private const double Tol = 1e-6;
    private const double TangentTol = 1e-5;

    internal static Matrix<float>[] Subjects() => Subjects(TestPaths.V0_10_4);

    internal static Matrix<float>[] Subjects(string version) =>
        new[] { "in_conn_ts_sub01.npy", "in_conn_ts_sub02.npy", "in_conn_ts_sub03.npy" }
            .Select(f => ToMatrix(NpyArray.Load(TestPaths.Nilearn(version, f)))).ToArray();

    internal static Matrix<float> ToMatrix(NpyArray a) =>
        Matrix<float>.Build.Dense(a.Rows, a.Cols, (i, j) => (float)a[i, j]);

    private static double[] RowMajor(Matrix<float> m)
    {
        var v = new double[m.RowCount * m.ColumnCount];
        for (int i = 0; i < m.RowCount; i++)
            for (int j = 0; j < m.ColumnCount; j++) v[i * m.ColumnCount + j] = m[i, j];
        return v;
    }

    private static double[] RowMajor(Matrix<double> m) => RowMajor(m.Map(x => (float)x));

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("sklearn_ledoitwolf_sub01")]
    public void Ledoit_wolf_matches_sklearn_on_sub01(string version)
    {
        var x = Subjects(version)[0];
        var xd = Matrix<double>.Build.Dense(x.RowCount, x.ColumnCount, (i, j) => x[i, j]);
        var est = Covariance.LedoitWolf(xd);
        // sklearn's float32 run reported shrinkage_ = 0.07553619634359 (manifest.json).
        Assert.Equal(0.07553619634359, est.Shrinkage, 6);
        Assert.Equal(0.07553619634359, Covariance.LedoitWolfShrinkage(xd), 6);
        var expected = NpyArray.Load(TestPaths.Nilearn(version, "out_ledoitwolf_sub01_cov.npy"));
        Approx.Equal(expected.Data, RowMajor(est.Covariance), Tol, Tol, "covariance_");
    }

    public static TheoryData<string, string> Cases() => TestPaths.ForBothReleases(
        "correlation", "partial_correlation", "tangent", "covariance", "precision");

    [Theory]
    [MemberData(nameof(Cases))]
    [NilearnCase("connectivity_correlation", "connectivity_partial_correlation", "connectivity_tangent", "connectivity_covariance", "connectivity_precision")]
    public void Connectivity_matches_nilearn(string version, string name)
    {
        var kind = ConnectivityKinds.Parse(name);
        var measure = new ConnectivityMeasure(new ConnectivityOptions { Kind = kind });
        var result = measure.FitTransform(Subjects(version));
        double tol = kind == ConnectivityKind.Tangent ? TangentTol : Tol;

        var expected = NpyArray.Load(TestPaths.Nilearn(version, $"out_conn_{name}.npy"));
        Assert.Equal([3, 7, 7], expected.Shape);
        var actual = result.SelectMany(RowMajor).ToArray();
        Approx.Equal(expected.Data, actual, tol, tol, $"{name} matrices");

        var mean = NpyArray.Load(TestPaths.Nilearn(version, $"out_conn_{name}_mean.npy"));
        Approx.Equal(mean.Data, RowMajor(measure.Mean!), tol, tol, $"{name} mean_");

        var vec = NpyArray.Load(TestPaths.Nilearn(version, $"out_conn_{name}_vec_nodiag.npy"));
        var vectors = ConnectivityMeasure.Vectorize(result.Select(m => m.Map(x => (double)x)).ToArray(), discardDiagonal: true);
        Assert.Equal([3, 21], vec.Shape);
        Approx.Equal(vec.Data, vectors.SelectMany(v => v).ToArray(), tol, tol, $"{name} vectorize(discard_diagonal)");

        if (kind == ConnectivityKind.Tangent)
        {
            var w = NpyArray.Load(TestPaths.Nilearn(version, "out_conn_tangent_whitening.npy"));
            Approx.Equal(w.Data, RowMajor(measure.Whitening!), tol, tol, "whitening_");
            Assert.True(measure.GeometricMeanFit!.Converged);
        }
        else Assert.Null(measure.Whitening);
    }
}
