using System.Numerics;
using System.Runtime.InteropServices;

namespace NiSharp.Signal;

/// <summary>
/// Confound removal as nilearn does it: an economic QR decomposition of the confounds with column
/// pivoting (Householder reflections, the column of largest remaining norm first, as LAPACK's geqp3),
/// keeping the columns of Q whose |R_kk| exceeds <c>100·eps</c>, then projecting signals on the
/// orthogonal complement: <c>x ← x − Q (Qᵀ x)</c>. There is no intercept; nilearn's confounds are
/// already centred by detrending or standardisation.
/// </summary>
public sealed class ConfoundProjection
{
    /// <summary>nilearn's rank tolerance on |diag R|.</summary>
    public const double RankTolerance = 100 * 2.220446049250313e-16;

    private readonly double[] _q; // rows × Rank, row-major

    /// <summary>Timepoints.</summary>
    public int Rows { get; }

    /// <summary>Columns of Q kept (the numerical rank of the confounds).</summary>
    public int Rank { get; }

    /// <summary>|R_kk| in pivot order, for diagnostics.</summary>
    public IReadOnlyList<double> RDiagonal { get; }

    /// <summary>Confound column indices in pivot order.</summary>
    public IReadOnlyList<int> Pivots { get; }

    /// <summary>Decomposes <paramref name="confounds"/> (<c>rows × columns</c>, row-major, not modified).</summary>
    public ConfoundProjection(ReadOnlySpan<double> confounds, int rows, int columns)
    {
        if (confounds.Length != rows * columns) throw new ArgumentException("confounds size does not match rows × columns");
        Rows = rows;
        int kmax = Math.Min(rows, columns);
        // Work column-major: each column contiguous.
        var a = new double[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                a[c * rows + r] = confounds[r * columns + c];
        var piv = Enumerable.Range(0, columns).ToArray();
        var vs = new double[kmax][];
        var beta = new double[kmax];
        var rdiag = new double[kmax];
        for (int k = 0; k < kmax; k++)
        {
            // Pivot: the remaining column with the largest norm below row k (first one on ties).
            int best = k;
            double bestNorm = -1;
            for (int c = k; c < columns; c++)
            {
                double s = 0;
                var col = a.AsSpan(c * rows + k, rows - k);
                foreach (var w in col) s += w * w;
                if (s > bestNorm) { bestNorm = s; best = c; }
            }
            if (best != k)
            {
                for (int i = 0; i < rows; i++) (a[k * rows + i], a[best * rows + i]) = (a[best * rows + i], a[k * rows + i]);
                (piv[k], piv[best]) = (piv[best], piv[k]);
            }
            // Householder reflector H = I − β v vᵀ mapping a[k:, k] onto −sign(a_kk)·‖a‖ e1.
            var x = a.AsSpan(k * rows + k, rows - k);
            double norm = Math.Sqrt(bestNorm);
            var v = new double[rows - k];
            x.CopyTo(v);
            double alpha = x[0] >= 0 ? -norm : norm;
            if (norm == 0)
            {
                beta[k] = 0;
                rdiag[k] = 0;
                vs[k] = v;
                continue;
            }
            v[0] -= alpha;
            double vnorm2 = 0;
            foreach (var w in v) vnorm2 += w * w;
            beta[k] = vnorm2 == 0 ? 0 : 2 / vnorm2;
            vs[k] = v;
            rdiag[k] = alpha;
            // Apply to the remaining columns.
            for (int c = k + 1; c < columns; c++)
            {
                var col = a.AsSpan(c * rows + k, rows - k);
                double dot = 0;
                for (int i = 0; i < v.Length; i++) dot += v[i] * col[i];
                double f = beta[k] * dot;
                for (int i = 0; i < v.Length; i++) col[i] -= f * v[i];
            }
        }
        RDiagonal = rdiag.Select(Math.Abs).ToArray();
        Pivots = piv;
        // nilearn keeps every column of Q whose |R_kk| is above the tolerance.
        var keep = new List<int>();
        for (int k = 0; k < kmax; k++) if (Math.Abs(rdiag[k]) > RankTolerance) keep.Add(k);
        Rank = keep.Count;
        // Q's kept columns: apply H_0 … H_{kmax−1} to the unit vectors e_k.
        _q = new double[rows * Rank];
        var e = new double[rows];
        for (int qi = 0; qi < Rank; qi++)
        {
            Array.Clear(e);
            e[keep[qi]] = 1;
            for (int k = kmax - 1; k >= 0; k--)
            {
                var v = vs[k];
                if (beta[k] == 0) continue;
                double dot = 0;
                for (int i = 0; i < v.Length; i++) dot += v[i] * e[k + i];
                double f = beta[k] * dot;
                for (int i = 0; i < v.Length; i++) e[k + i] -= f * v[i];
            }
            for (int r = 0; r < rows; r++) _q[r * Rank + qi] = e[r];
        }
    }

    /// <summary>Q's kept columns, <c>Rows × Rank</c> row-major.</summary>
    public ReadOnlySpan<double> Q => _q;

    /// <summary>
    /// Removes the confounds from every column of a time-major block (<c>Rows × width</c>) in place:
    /// <c>x ← x − Q (Qᵀ x)</c> in float64, rounded to float32 afterwards when <paramref name="single"/>.
    /// <paramref name="scratch"/> holds at least <c>(Rank + 1) × width</c> values.
    /// </summary>
    internal void ProjectOut(Span<double> block, int width, bool single, Span<double> scratch)
    {
        if (Rank == 0) return;
        if (block.Length != Rows * width) throw new ArgumentException("block rows do not match the confounds");
        int r = Rank;
        var q = _q;
        int j0 = 0;
        if (Vector.IsHardwareAccelerated && r <= 512)
        {
            // Lanes of columns at a time: coef_k = Σ_t q[t,k]·x[t] (t ascending), then
            // x[t] −= Σ_k q[t,k]·coef_k (k ascending), in float64, multiplies and adds unfused.
            int vc = Vector<double>.Count;
            Span<Vector<double>> coef = stackalloc Vector<double>[2 * r];
            ref double b0 = ref MemoryMarshal.GetReference(block);
            for (; j0 + 2 * vc <= width; j0 += 2 * vc)
            {
                // Two vectors of lanes per pass; each coefficient's sum stays in registers over t.
                for (int k = 0; k < r; k++)
                {
                    var c0 = Vector<double>.Zero;
                    var c1 = Vector<double>.Zero;
                    for (int t = 0; t < Rows; t++)
                    {
                        var qk = new Vector<double>(q[t * r + k]);
                        nuint o = (nuint)(t * width + j0);
                        c0 += qk * Vector.LoadUnsafe(ref b0, o);
                        c1 += qk * Vector.LoadUnsafe(ref b0, o + (nuint)vc);
                    }
                    coef[2 * k] = c0;
                    coef[2 * k + 1] = c1;
                }
                for (int t = 0; t < Rows; t++)
                {
                    var p0 = Vector<double>.Zero;
                    var p1 = Vector<double>.Zero;
                    int qt = t * r;
                    for (int k = 0; k < r; k++)
                    {
                        var qk = new Vector<double>(q[qt + k]);
                        p0 += qk * coef[2 * k];
                        p1 += qk * coef[2 * k + 1];
                    }
                    nuint o = (nuint)(t * width + j0);
                    BlockArithmetic.R(Vector.LoadUnsafe(ref b0, o) - p0, single).StoreUnsafe(ref b0, o);
                    BlockArithmetic.R(Vector.LoadUnsafe(ref b0, o + (nuint)vc) - p1, single).StoreUnsafe(ref b0, o + (nuint)vc);
                }
            }
        }
        if (j0 == width) return;
        var c = scratch[..r];
        for (int j = j0; j < width; j++)
        {
            c.Clear();
            for (int t = 0; t < Rows; t++)
            {
                double x = block[t * width + j];
                for (int k = 0; k < r; k++) c[k] += q[t * r + k] * x;
            }
            for (int t = 0; t < Rows; t++)
            {
                double p = 0;
                for (int k = 0; k < r; k++) p += q[t * r + k] * c[k];
                block[t * width + j] = BlockArithmetic.R(block[t * width + j] - p, single);
            }
        }
    }

    /// <summary>Removes the confounds from one series in place.</summary>
    public void ProjectOut(Span<double> series) => ProjectOut(series, 1, false, new double[Rank + 1]);
}
