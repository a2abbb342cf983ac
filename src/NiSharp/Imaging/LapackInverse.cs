namespace NiSharp.Imaging;

/// <summary>
/// The inverse of a 4×4 matrix computed the way <c>scipy.linalg.inv</c> computes it with reference (netlib)
/// LAPACK: <c>dgetrf</c> (the recursive <c>dgetrf2</c>, partial pivoting, pivots scaled by the reciprocal),
/// then <c>dgetri</c> (<c>dtrti2</c> on U, the unblocked solve with L, column interchanges). Same operations in
/// the same order, so the result is bit-identical; that matters for nearest-neighbour resampling, where a
/// coordinate that should be exactly x.5 decides which voxel is taken.
/// </summary>
internal static class LapackInverse
{
    /// <summary>Inverts <paramref name="m"/> (row-major 16 values); throws for a singular matrix.</summary>
    public static double[] Invert(ReadOnlySpan<double> m)
    {
        const int n = 4;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            a[i, j] = m[i * n + j];
        var ipiv = new int[n];
        Getrf2(a, 0, 0, n, n, ipiv, 0);
        for (int i = 0; i < n; i++)
            if (a[i, i] == 0) throw new InvalidOperationException("the affine is singular");
        // dtrti2: inverse of the upper triangle, in place
        for (int j = 0; j < n; j++)
        {
            a[j, j] = 1.0 / a[j, j];
            double ajj = -a[j, j];
            // dtrmv (upper, no transpose, non-unit) of the leading j×j block on column j above the diagonal
            for (int jj = 0; jj < j; jj++)
            {
                double x = a[jj, j];
                if (x == 0) continue;
                for (int ii = 0; ii < jj; ii++) a[ii, j] += x * a[ii, jj];
                a[jj, j] = x * a[jj, jj];
            }
            for (int ii = 0; ii < j; ii++) a[ii, j] *= ajj;
        }
        // dgetri, unblocked: solve inv(A)·L = inv(U) column by column from the right
        var work = new double[n];
        for (int j = n - 1; j >= 0; j--)
        {
            for (int i = j + 1; i < n; i++)
            {
                work[i] = a[i, j];
                a[i, j] = 0;
            }
            if (j < n - 1)
            {
                for (int c = j + 1; c < n; c++)
                {
                    double temp = -work[c];
                    for (int i = 0; i < n; i++) a[i, j] += temp * a[i, c];
                }
            }
        }
        for (int j = n - 2; j >= 0; j--)
        {
            int jp = ipiv[j];
            if (jp == j) continue;
            for (int i = 0; i < n; i++) (a[i, j], a[i, jp]) = (a[i, jp], a[i, j]);
        }
        var r = new double[16];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            r[i * n + j] = a[i, j];
        return r;
    }

    /// <summary>dgetrf2 on the m×n block at (r0, c0); pivots are stored relative to r0 into ipiv[p0..].</summary>
    private static void Getrf2(double[,] a, int r0, int c0, int m, int n, int[] ipiv, int p0)
    {
        if (m == 1)
        {
            ipiv[p0] = 0;
            return;
        }
        if (n == 1)
        {
            int p = 0;
            double best = Math.Abs(a[r0, c0]);
            for (int i = 1; i < m; i++)
            {
                double v = Math.Abs(a[r0 + i, c0]);
                if (v > best) { best = v; p = i; }
            }
            ipiv[p0] = p;
            if (a[r0 + p, c0] != 0)
            {
                if (p != 0) (a[r0, c0], a[r0 + p, c0]) = (a[r0 + p, c0], a[r0, c0]);
                double pivot = a[r0, c0];
                if (Math.Abs(pivot) >= 2.2250738585072014E-308) // dlamch('S'): the smallest normal double
                {
                    double s = 1.0 / pivot;
                    for (int i = 1; i < m; i++) a[r0 + i, c0] *= s;
                }
                else
                {
                    for (int i = 1; i < m; i++) a[r0 + i, c0] /= pivot;
                }
            }
            return;
        }
        int n1 = Math.Min(m, n) / 2, n2 = n - n1;
        Getrf2(a, r0, c0, m, n1, ipiv, p0);
        // dlaswp on the right columns with the first n1 pivots
        for (int k = 0; k < n1; k++)
        {
            int pr = ipiv[p0 + k];
            if (pr != k)
                for (int c = c0 + n1; c < c0 + n; c++) (a[r0 + k, c], a[r0 + pr, c]) = (a[r0 + pr, c], a[r0 + k, c]);
        }
        // dtrsm (left, lower, no transpose, unit): A12 ← L11⁻¹·A12
        for (int c = c0 + n1; c < c0 + n; c++)
        for (int k = 0; k < n1; k++)
        {
            double bk = a[r0 + k, c];
            if (bk == 0) continue;
            for (int i = k + 1; i < n1; i++) a[r0 + i, c] -= bk * a[r0 + i, c0 + k];
        }
        // dgemm: A22 ← A22 − A21·A12
        for (int c = c0 + n1; c < c0 + n; c++)
        for (int l = 0; l < n1; l++)
        {
            double temp = -a[r0 + l, c];
            for (int i = r0 + n1; i < r0 + m; i++) a[i, c] += temp * a[i, c0 + l];
        }
        Getrf2(a, r0 + n1, c0 + n1, m - n1, n2, ipiv, p0 + n1);
        for (int i = n1; i < Math.Min(m, n); i++) ipiv[p0 + i] += n1;
        // dlaswp on the left columns with the later pivots
        for (int k = n1; k < Math.Min(m, n); k++)
        {
            int pr = ipiv[p0 + k];
            if (pr != k)
                for (int c = c0; c < c0 + n1; c++) (a[r0 + k, c], a[r0 + pr, c]) = (a[r0 + pr, c], a[r0 + k, c]);
        }
    }
}
