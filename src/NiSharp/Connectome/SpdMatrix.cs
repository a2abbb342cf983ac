using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace NiSharp.Connectome;

/// <summary>
/// Functions of symmetric positive definite matrices through their eigendecomposition, and the
/// geometric (Riemannian) mean that the tangent-space connectivity is built on (nilearn
/// <c>_map_eigenvalues</c>, <c>_geometric_mean</c>).
/// </summary>
public static class SpdMatrix
{
    /// <summary>V·diag(f(λ))·Vᵀ for the symmetric <paramref name="symmetric"/> = V·diag(λ)·Vᵀ.</summary>
    public static Matrix<double> MapEigenvalues(Matrix<double> symmetric, Func<double, double> function)
    {
        var (values, vectors) = Eigh(symmetric);
        return FormSymmetric(values, vectors, function);
    }

    /// <summary>Matrix logarithm of an SPD matrix.</summary>
    public static Matrix<double> Log(Matrix<double> spd) => MapEigenvalues(spd, Math.Log);

    /// <summary>Matrix exponential of a symmetric matrix.</summary>
    public static Matrix<double> Exp(Matrix<double> symmetric) => MapEigenvalues(symmetric, Math.Exp);

    /// <summary>M<sup>−1/2</sup> of an SPD matrix (the tangent whitening of a mean).</summary>
    public static Matrix<double> InverseSqrt(Matrix<double> spd) => MapEigenvalues(spd, x => 1.0 / Math.Sqrt(x));

    /// <summary>
    /// Whether <paramref name="m"/> is symmetric (entries within 1e-7, as nilearn's
    /// <c>is_spd(decimal=7)</c>) with all eigenvalues &gt; 0.
    /// </summary>
    public static bool IsSymmetricPositiveDefinite(Matrix<double> m)
    {
        if (m.RowCount != m.ColumnCount) return false;
        int n = m.RowCount;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                if (!(Math.Abs(m[i, j] - m[j, i]) <= 1e-7)) return false;
        var (values, _) = Eigh(m);
        foreach (var v in values) if (!(v > 0)) return false;
        return true;
    }

    /// <summary>Options of <see cref="GeometricMean"/>; the defaults are what nilearn's tangent kind uses.</summary>
    /// <param name="MaxIterations">Gradient steps at most (nilearn: 30 for <c>ConnectivityMeasure</c>).</param>
    /// <param name="Tolerance">Stop when ‖mean of logs‖<sub>F</sub> / n² falls below it (nilearn: 1e-7).</param>
    public sealed record GeometricMeanOptions(int MaxIterations = 30, double Tolerance = 1e-7);

    /// <summary>The result of <see cref="GeometricMean"/>.</summary>
    /// <param name="Mean">The geometric mean.</param>
    /// <param name="Iterations">Gradient steps taken.</param>
    /// <param name="Converged">Whether the tolerance was reached (nilearn warns otherwise).</param>
    public sealed record GeometricMeanResult(Matrix<double> Mean, int Iterations, bool Converged);

    /// <summary>
    /// Fletcher &amp; Joshi's gradient descent for the geometric mean of SPD matrices, step for step as
    /// nilearn 0.10.4 <c>_geometric_mean</c>: start at the arithmetic mean G; each step whitens every
    /// matrix as G<sup>−1/2</sup>CG<sup>−1/2</sup>, averages their logarithms L, and moves
    /// G ← G<sup>1/2</sup>exp(step·L)G<sup>1/2</sup>; the step halves when ‖L‖ grows; stop when
    /// ‖L‖<sub>F</sub>/n² &lt; tolerance.
    /// </summary>
    /// <exception cref="ArgumentException">No matrices, sizes differ, or a matrix is not SPD.</exception>
    public static GeometricMeanResult GeometricMean(IReadOnlyList<Matrix<double>> matrices, GeometricMeanOptions? options = null)
    {
        options ??= new GeometricMeanOptions();
        if (matrices.Count == 0) throw new ArgumentException("the geometric mean needs at least one matrix");
        int n = matrices[0].RowCount;
        for (int k = 0; k < matrices.Count; k++)
        {
            if (matrices[k].RowCount != n || matrices[k].ColumnCount != n)
                throw new ArgumentException($"matrix {k} is {matrices[k].RowCount}×{matrices[k].ColumnCount}, expected {n}×{n}");
            if (!IsSymmetricPositiveDefinite(matrices[k]))
                throw new ArgumentException($"matrix {k} is not symmetric positive definite");
        }

        var gmean = Matrix<double>.Build.Dense(n, n);
        foreach (var m in matrices) gmean.Add(m, gmean);
        gmean = gmean.Divide(matrices.Count);

        double normOld = double.PositiveInfinity, norm = double.PositiveInfinity, step = 1.0;
        int size = n * n, iterations = 0;
        var logs = new Matrix<double>[matrices.Count];
        for (int it = 0; it < options.MaxIterations; it++)
        {
            iterations = it + 1;
            var (valsG, vecsG) = Eigh(gmean);
            var gInvSqrt = FormSymmetric(valsG, vecsG, x => Math.Sqrt(1.0 / x));
            Parallel.For(0, matrices.Count, new ParallelOptions { MaxDegreeOfParallelism = matrices.Count >= 4 ? -1 : 1 }, k =>
            {
                var whitened = gInvSqrt * matrices[k] * gInvSqrt;
                logs[k] = MapEigenvalues(whitened, Math.Log);
            });
            var logsMean = Matrix<double>.Build.Dense(n, n);
            foreach (var l in logs) logsMean.Add(l, logsMean);
            logsMean = logsMean.Divide(matrices.Count);
            for (int i = 0; i < logsMean.RowCount; i++)
                for (int j = 0; j < logsMean.ColumnCount; j++)
                    if (double.IsNaN(logsMean[i, j]))
                        throw new ArgumentException("NaN after the matrix logarithm while computing the geometric mean");
            norm = logsMean.FrobeniusNorm();

            var (valsL, vecsL) = Eigh(logsMean);
            var gSqrt = FormSymmetric(valsG, vecsG, Math.Sqrt);
            double s = step;
            gmean = gSqrt * FormSymmetric(valsL, vecsL, x => Math.Exp(x * s)) * gSqrt;

            if (norm < normOld) normOld = norm;
            else if (norm > normOld)
            {
                step /= 2.0;
                norm = normOld;
            }
            if (norm / size < options.Tolerance) break;
        }
        // G^{1/2}·E·G^{1/2} is symmetric only up to rounding.
        return new GeometricMeanResult(SymmetricMatrix.Symmetrize(gmean), iterations, norm / size < options.Tolerance);
    }

    /// <summary>Eigenvalues and eigenvectors of a symmetric matrix (LAPACK <c>eigh</c> semantics).</summary>
    internal static (double[] Values, Matrix<double> Vectors) Eigh(Matrix<double> symmetric)
    {
        SymmetricMatrix.CheckSquare(symmetric);
        var evd = symmetric.Evd(Symmetricity.Symmetric);
        var values = new double[symmetric.RowCount];
        for (int i = 0; i < values.Length; i++) values[i] = evd.EigenValues[i].Real;
        return (values, evd.EigenVectors);
    }

    /// <summary>V·diag(f(λ))·Vᵀ, made exactly symmetric.</summary>
    internal static Matrix<double> FormSymmetric(double[] values, Matrix<double> vectors, Func<double, double> function)
    {
        int n = values.Length;
        var scaled = vectors.Clone();
        for (int j = 0; j < n; j++)
        {
            double f = function(values[j]);
            for (int i = 0; i < n; i++) scaled[i, j] *= f;
        }
        var r = scaled.TransposeAndMultiply(vectors);
        // The product is symmetric only up to rounding; mirror the lower triangle so that callers
        // (and vectorisation, which reads the lower triangle) see one value per pair.
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) r[j, i] = r[i, j];
        return r;
    }
}
