using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Connectome;

/// <summary>
/// Symmetric matrices as nilearn's <c>connectome</c> module handles them: vectorising the lower
/// triangle (<c>sym_matrix_to_vec</c>) and back (<c>vec_to_sym_matrix</c>), and the covariance →
/// correlation conversions (<c>cov_to_corr</c>, <c>prec_to_partial</c>).
/// </summary>
public static class SymmetricMatrix
{
    /// <summary>√2: nilearn divides diagonal entries by it so that the Euclidean norm of the vector
    /// equals the Frobenius norm of the matrix (each off-diagonal value stands for two entries).</summary>
    public static readonly double Sqrt2 = Math.Sqrt(2.0);

    /// <summary>Number of vector entries for an <paramref name="n"/>×<paramref name="n"/> matrix.</summary>
    public static int VectorLength(int n, bool discardDiagonal) => discardDiagonal ? n * (n - 1) / 2 : n * (n + 1) / 2;

    /// <summary>
    /// The lower triangle in C order (row by row, <c>np.tril</c> mask), as nilearn's
    /// <c>sym_matrix_to_vec</c>: with <paramref name="discardDiagonal"/> the strictly lower triangle,
    /// unscaled; otherwise the diagonal entries are divided by √2 and the others left unscaled.
    /// </summary>
    public static double[] ToVector(Matrix<double> symmetric, bool discardDiagonal = false)
    {
        CheckSquare(symmetric);
        int n = symmetric.RowCount;
        var v = new double[VectorLength(n, discardDiagonal)];
        ToVector(symmetric, discardDiagonal, v);
        return v;
    }

    /// <summary>Writes the vectorised lower triangle into <paramref name="destination"/> (see <see cref="ToVector(Matrix{double}, bool)"/>).</summary>
    public static void ToVector(Matrix<double> symmetric, bool discardDiagonal, Span<double> destination)
    {
        CheckSquare(symmetric);
        int n = symmetric.RowCount;
        if (destination.Length != VectorLength(n, discardDiagonal))
            throw new ArgumentException($"destination has {destination.Length} entries, expected {VectorLength(n, discardDiagonal)}");
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++) destination[k++] = symmetric[i, j];
            if (!discardDiagonal) destination[k++] = symmetric[i, i] / Sqrt2;
        }
    }

    /// <summary>
    /// Rebuilds the symmetric matrix from a vector made by <see cref="ToVector(Matrix{double}, bool)"/>,
    /// as nilearn's <c>vec_to_sym_matrix</c>. Without <paramref name="diagonal"/> the vector holds the
    /// lower triangle with the diagonal (scaled by 1/√2, undone here); with it, the vector holds the
    /// strictly lower triangle and <paramref name="diagonal"/> the diagonal <em>divided by √2</em> —
    /// nilearn multiplies the given diagonal by √2 too, and so do we, so that the two forms agree.
    /// </summary>
    /// <exception cref="ArgumentException">The vector length is not a triangular number of the
    /// expected kind, or the diagonal has the wrong length.</exception>
    public static Matrix<double> FromVector(ReadOnlySpan<double> vector, ReadOnlySpan<double> diagonal = default)
    {
        bool hasDiagonal = diagonal.Length > 0;
        int n = SizeFromVectorLength(vector.Length, hasDiagonal);
        if (hasDiagonal && diagonal.Length != n)
            throw new ArgumentException($"a vector of {vector.Length} off-diagonal entries needs a diagonal of {n}, not {diagonal.Length}");
        var m = Matrix<double>.Build.Dense(n, n);
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                double x = vector[k++];
                m[i, j] = x;
                m[j, i] = x;
            }
            double d = hasDiagonal ? diagonal[i] : vector[k++];
            m[i, i] = d * Sqrt2;
        }
        return m;
    }

    /// <summary>The matrix size n for a vector of <paramref name="length"/> entries
    /// (n(n+1)/2 with the diagonal, n(n-1)/2 without).</summary>
    /// <exception cref="ArgumentException">No such n exists.</exception>
    public static int SizeFromVectorLength(int length, bool diagonalSeparate)
    {
        // Solve n(n+1)/2 = length; the diagonal-free form is the same for n-1.
        int m = (int)Math.Round((Math.Sqrt(8.0 * length + 1) - 1) / 2);
        if (m * (m + 1) / 2 != length)
            throw new ArgumentException($"a vector of {length} entries cannot be the triangle of a symmetric matrix");
        return diagonalSeparate ? m + 1 : m;
    }

    /// <summary>
    /// Correlation from covariance (nilearn <c>cov_to_corr</c>): C<sub>ij</sub>/√(C<sub>ii</sub>C<sub>jj</sub>),
    /// with the diagonal set to exactly 1.
    /// </summary>
    public static Matrix<double> CovarianceToCorrelation(Matrix<double> covariance)
    {
        CheckSquare(covariance);
        int n = covariance.RowCount;
        var d = new double[n];
        for (int i = 0; i < n; i++) d[i] = 1.0 / Math.Sqrt(covariance[i, i]);
        var r = Matrix<double>.Build.Dense(n, n);
        for (int i = 0; i < n; i++)
        {
            r[i, i] = 1.0;
            // One product per pair, mirrored, so that the result is exactly symmetric.
            for (int j = 0; j < i; j++) r[j, i] = r[i, j] = covariance[i, j] * d[i] * d[j];
        }
        return r;
    }

    /// <summary>
    /// Partial correlation from precision (nilearn <c>prec_to_partial</c>): −P<sub>ij</sub>/√(P<sub>ii</sub>P<sub>jj</sub>),
    /// with the diagonal set to exactly 1.
    /// </summary>
    public static Matrix<double> PrecisionToPartialCorrelation(Matrix<double> precision)
    {
        var r = CovarianceToCorrelation(precision);
        int n = r.RowCount;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                if (i != j) r[i, j] = -r[i, j];
        return r;
    }

    /// <summary><see cref="Symmetrize"/> of a dense matrix the caller owns, in its own storage (no copy).</summary>
    internal static Matrix<double> SymmetrizeInPlace(Matrix<double> m)
    {
        CheckSquare(m);
        if (m.AsColumnMajorArray() is not { } a) return Symmetrize(m);
        int n = m.RowCount;
        for (int j = 0; j < n; j++)
            for (int i = j + 1; i < n; i++)
            {
                // m[i, j] is a[j·n + i]: the same sum as Symmetrize's, in the same order.
                double v = 0.5 * (a[j * n + i] + a[i * n + j]);
                a[j * n + i] = v;
                a[i * n + j] = v;
            }
        return m;
    }

    /// <summary>(M + Mᵀ)/2: removes the rounding asymmetry that products like W·C·W leave.</summary>
    public static Matrix<double> Symmetrize(Matrix<double> m)
    {
        CheckSquare(m);
        var s = m.Clone();
        int n = m.RowCount;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
            {
                double v = 0.5 * (m[i, j] + m[j, i]);
                s[i, j] = v;
                s[j, i] = v;
            }
        return s;
    }

    internal static void CheckSquare(Matrix<double> m)
    {
        if (m.RowCount != m.ColumnCount)
            throw new ArgumentException($"expected a square matrix, got {m.RowCount}×{m.ColumnCount}");
    }
}
