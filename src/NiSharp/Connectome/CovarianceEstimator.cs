using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Connectome;

/// <summary>How a subject's covariance is estimated from its region signals.</summary>
public enum CovarianceEstimator
{
    /// <summary>sklearn <c>LedoitWolf()</c>: the empirical covariance shrunk towards a scaled identity
    /// (nilearn's default for <c>ConnectivityMeasure</c>, and ours, for parity).</summary>
    LedoitWolf,

    /// <summary>sklearn <c>EmpiricalCovariance()</c>: the centred maximum-likelihood covariance
    /// (divides by n, not n−1); with kind correlation this is plain Pearson correlation.</summary>
    Empirical,
}

/// <summary>A covariance estimate and the shrinkage that produced it (0 for the empirical estimator).</summary>
/// <param name="Covariance">R×R covariance.</param>
/// <param name="Shrinkage">Ledoit–Wolf coefficient δ in (1−δ)S + δ·(tr S / p)·I; 0 when not shrunk.</param>
public sealed record CovarianceEstimate(Matrix<double> Covariance, double Shrinkage);

/// <summary>Covariance estimators with sklearn's semantics (<c>sklearn.covariance</c>).</summary>
public static class Covariance
{
    /// <summary>Estimates the covariance of <paramref name="signals"/> (time × regions) with <paramref name="estimator"/>.</summary>
    public static CovarianceEstimate Estimate(Matrix<double> signals, CovarianceEstimator estimator) => Estimate(signals, estimator, overwrite: false);

    /// <summary><see cref="Estimate(Matrix{double}, CovarianceEstimator)"/>; with <paramref name="overwrite"/> the signals (a
    /// dense matrix the caller no longer needs) are centred in place instead of in a copy.</summary>
    internal static CovarianceEstimate Estimate(Matrix<double> signals, CovarianceEstimator estimator, bool overwrite) => estimator switch
    {
        CovarianceEstimator.LedoitWolf => LedoitWolf(signals, overwrite),
        CovarianceEstimator.Empirical => new CovarianceEstimate(EmpiricalOfCentered(Centered(signals, overwrite)), 0),
        _ => throw new ArgumentOutOfRangeException(nameof(estimator)),
    };

    /// <summary>
    /// sklearn <c>empirical_covariance(X, assume_centered=False)</c>: XcᵀXc / n with Xc the
    /// column-centred signals (population covariance, ddof = 0).
    /// </summary>
    public static Matrix<double> Empirical(Matrix<double> signals) => EmpiricalOfCentered(Centered(signals));

    private static Matrix<double> EmpiricalOfCentered(Matrix<double> xc)
    {
        var s = Gram(xc);
        s.Divide(xc.RowCount, s); // in place: the same division, no second p×p matrix
        return s;
    }

    /// <summary>
    /// sklearn <c>LedoitWolf(assume_centered=False, block_size=1000).fit(X)</c>: centre the signals,
    /// compute S = XcᵀXc / n and the Ledoit–Wolf shrinkage δ (<see cref="LedoitWolfShrinkage"/>),
    /// and return (1−δ)·S + δ·μ·I with μ = tr(S)/p. One region gives S itself and δ = 0.
    /// </summary>
    /// <remarks>sklearn's <c>block_size</c> only splits the sums into blocks to save memory; the
    /// result is the same sum, so it does not appear here.</remarks>
    public static CovarianceEstimate LedoitWolf(Matrix<double> signals) => LedoitWolf(signals, overwrite: false);

    private static CovarianceEstimate LedoitWolf(Matrix<double> signals, bool overwrite)
    {
        var xc = Centered(signals, overwrite);
        int n = xc.RowCount, p = xc.ColumnCount;
        var s = EmpiricalOfCentered(xc);
        if (p == 1) return new CovarianceEstimate(s, 0);
        double shrinkage = ShrinkageOfCentered(xc, s);
        double mu = s.Trace() / p;
        // Shrunk in place (each atlas of a run fits one; fresh p×p matrices cost more than the arithmetic).
        s.Multiply(1.0 - shrinkage, s);
        for (int i = 0; i < p; i++) s[i, i] += shrinkage * mu;
        return new CovarianceEstimate(s, shrinkage);
    }

    /// <summary>
    /// sklearn <c>ledoit_wolf_shrinkage(X, assume_centered=False)</c>: the coefficient δ = min(β, d)/d with
    /// d = ‖S − μI‖²<sub>F</sub>/p and β = (Σ<sub>t</sub>‖x<sub>t</sub>‖⁴/n − ‖S‖²<sub>F</sub>)/(p·n)
    /// (x<sub>t</sub> the centred sample at time t), 0 when β = 0.
    /// </summary>
    public static double LedoitWolfShrinkage(Matrix<double> signals)
    {
        if (signals.ColumnCount == 1) return 0;
        var xc = Centered(signals);
        return ShrinkageOfCentered(xc, EmpiricalOfCentered(xc));
    }

    private static double ShrinkageOfCentered(Matrix<double> xc, Matrix<double> s)
    {
        int n = xc.RowCount, p = xc.ColumnCount;
        // β_ = Σ over all (i, j) of (X²ᵀX²)_ij = Σ_t (Σ_i x_ti²)², computed without the p×p product.
        double betaSum = 0, traceSum = 0;
        var rowSq = new double[n];
        var x = xc.AsColumnMajorArray() ?? xc.ToColumnMajorArray();
        for (int j = 0; j < p; j++)
        {
            var col = new ReadOnlySpan<double>(x, j * n, n);
            for (int t = 0; t < n; t++) rowSq[t] += col[t] * col[t];
        }
        for (int t = 0; t < n; t++) { betaSum += rowSq[t] * rowSq[t]; traceSum += rowSq[t]; }
        traceSum /= n; // Σ_i S_ii
        double mu = traceSum / p;
        // δ_ = ‖XᵀX‖²_F / n² = ‖S‖²_F.
        double deltaSum = 0;
        foreach (var v in s.AsColumnMajorArray() ?? s.ToColumnMajorArray()) deltaSum += v * v; // column by column, as s[i, j] for j, i
        double beta = 1.0 / (p * (double)n) * (betaSum / n - deltaSum);
        double delta = (deltaSum - 2.0 * mu * traceSum + p * mu * mu) / p;
        beta = Math.Min(beta, delta);
        return beta == 0 ? 0 : beta / delta;
    }

    /// <summary>Columns minus their means.</summary>
    internal static Matrix<double> Centered(Matrix<double> signals, bool overwrite = false)
    {
        int n = signals.RowCount, p = signals.ColumnCount;
        if (n == 0 || p == 0) throw new ArgumentException("signals must have at least one time point and one region");
        Matrix<double> xc;
        if (overwrite && signals.AsColumnMajorArray() is not null) xc = signals;
        else
        {
            xc = Matrix<double>.Build.Dense(n, p);
            signals.CopyTo(xc);
        }
        // Column by column in the dense storage (column-major) rather than through the matrix's indexer: the same sums
        // in the same order, a few times faster — each atlas of a run pays this.
        var values = xc.AsColumnMajorArray();
        for (int j = 0; j < p; j++)
        {
            var column = values.AsSpan(j * n, n);
            double m = 0;
            foreach (var v in column) m += v;
            m /= n;
            for (int t = 0; t < n; t++) column[t] -= m;
        }
        return xc;
    }

    /// <summary>XᵀX, exactly symmetric: each entry the dot product of two columns, computed once for both halves.</summary>
    private static Matrix<double> Gram(Matrix<double> x)
    {
        int n = x.RowCount, p = x.ColumnCount;
        var values = x.AsColumnMajorArray() ?? x.ToColumnMajorArray();
        var g = new double[p * p];
        for (int j = 0; j < p; j++)
        {
            var cj = new ReadOnlySpan<double>(values, j * n, n);
            for (int i = 0; i <= j; i++)
                g[i * p + j] = g[j * p + i] = TensorPrimitives.Dot(new ReadOnlySpan<double>(values, i * n, n), cj);
        }
        return Matrix<double>.Build.Dense(p, p, g);
    }
}
