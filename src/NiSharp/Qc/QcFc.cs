using MathNet.Numerics.LinearAlgebra;
using NiSharp.Group;

namespace NiSharp.Qc;

/// <summary>
/// QC-FC of every edge (Power et al. 2012; Ciric et al. 2017; Parkes et al. 2018; Wang et al. 2024): across subjects,
/// the partial correlation of the edge's connectivity with the subject's mean framewise displacement, controlling for
/// covariates (age and sex in the benchmark). Edges are the pairs i &gt; j of the matrices, in the order of nilearn's
/// <c>sym_matrix_to_vec(discard_diagonal=True)</c>: (1,0), (2,0), (2,1), …
/// </summary>
/// <remarks>
/// An edge that is n/a in any subject (a region without voxels in some brain mask) is not tested: its R, P and Q are NaN
/// and it is left out of the summaries.
/// </remarks>
public sealed class QcFcResult
{
    /// <summary>The row and column of each edge.</summary>
    public required IReadOnlyList<(int I, int J)> Edges { get; init; }

    /// <summary>QC-FC (partial correlation with mean FD) per edge.</summary>
    public required double[] R { get; init; }

    /// <summary>Two-sided p per edge.</summary>
    public required double[] P { get; init; }

    /// <summary>Benjamini–Hochberg q per edge (over the tested edges).</summary>
    public required double[] Q { get; init; }

    /// <summary>Subjects.</summary>
    public required int Subjects { get; init; }

    /// <summary>Covariates that entered (constant ones are dropped).</summary>
    public required int CovariatesUsed { get; init; }

    /// <summary>The significance level.</summary>
    public required double Alpha { get; init; }

    /// <summary>Edges with a QC-FC value.</summary>
    public int EdgesTested => R.Count(double.IsFinite);

    /// <summary>Fraction of the tested edges with p &lt; α (uncorrected).</summary>
    public double SignificantFraction => Fraction(P.Select(p => p < Alpha));

    /// <summary>Fraction of the tested edges with q &lt; α (Benjamini–Hochberg FDR).</summary>
    public double FdrSignificantFraction => Fraction(Q.Select(q => q < Alpha));

    /// <summary>Median of |QC-FC| over the tested edges (Parkes et al. 2018).</summary>
    public double MedianAbsolute
    {
        get
        {
            var a = R.Where(double.IsFinite).Select(Math.Abs).Order().ToArray();
            if (a.Length == 0) return double.NaN;
            return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
        }
    }

    private double Fraction(IEnumerable<bool> hits)
    {
        int tested = EdgesTested;
        if (tested == 0) return double.NaN;
        int k = 0, e = 0;
        foreach (var h in hits)
        {
            if (double.IsFinite(R[e]) && h) k++;
            e++;
        }
        return (double)k / tested;
    }
}

/// <summary>Computes <see cref="QcFcResult"/>.</summary>
public static class QcFc
{
    /// <summary>The default significance level (0.05, as the benchmark papers use).</summary>
    public const double DefaultAlpha = 0.05;

    /// <summary>
    /// QC-FC of every edge of <paramref name="connectivity"/> (one square matrix per subject, same regions) against
    /// <paramref name="meanFd"/> (one value per subject), controlling for <paramref name="covariates"/> (one array per
    /// covariate, one value per subject; null for none).
    /// </summary>
    public static QcFcResult Compute(IReadOnlyList<Matrix<double>> connectivity, ReadOnlySpan<double> meanFd,
        IReadOnlyList<double[]>? covariates = null, double alpha = DefaultAlpha)
    {
        int n = connectivity.Count;
        if (n != meanFd.Length) throw new ArgumentException($"{n} matrices but {meanFd.Length} mean FD values");
        if (n == 0) throw new NiSharpException("QC-FC needs subjects");
        int regions = connectivity[0].RowCount;
        foreach (var m in connectivity)
            if (m.RowCount != regions || m.ColumnCount != regions) throw new NiSharpException("QC-FC: the matrices have different sizes");

        var basis = new Residualizer(n, covariates);
        var fd = meanFd.ToArray();
        basis.Residualize(fd);
        double fdNorm = Math.Sqrt(fd.Sum(v => v * v));

        var edges = new List<(int, int)>(regions * (regions - 1) / 2);
        for (int i = 1; i < regions; i++)
            for (int j = 0; j < i; j++) edges.Add((i, j));
        var r = new double[edges.Count];
        var p = new double[edges.Count];
        Parallel.For(0, edges.Count, () => new double[n], (e, _, x) =>
        {
            var (i, j) = edges[e];
            bool missing = false;
            for (int s = 0; s < n; s++)
            {
                x[s] = connectivity[s][i, j];
                if (!double.IsFinite(x[s])) missing = true;
            }
            if (missing) { r[e] = p[e] = double.NaN; return x; }
            basis.Residualize(x);
            double dot = 0, xx = 0;
            for (int s = 0; s < n; s++) { dot += x[s] * fd[s]; xx += x[s] * x[s]; }
            double value = xx > 0 && fdNorm > 0 ? Math.Clamp(dot / (Math.Sqrt(xx) * fdNorm), -1, 1) : double.NaN;
            var test = basis.Test(value);
            r[e] = test.R;
            p[e] = test.P;
            return x;
        }, _ => { });
        var q = GroupStatistics.BenjaminiHochberg(p);
        return new QcFcResult { Edges = edges, R = r, P = p, Q = q, Subjects = n, CovariatesUsed = basis.CovariatesUsed, Alpha = alpha };
    }
}
