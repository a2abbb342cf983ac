using System.Numerics;
using System.Runtime.InteropServices;

namespace NiSharp.Signal;

/// <summary>
/// A digital filter in transfer-function form (<c>b</c>, <c>a</c>), applied forward and backward as
/// <c>scipy.signal.filtfilt(b, a, x, padtype='odd', padlen=None)</c> (nilearn up to 0.10.4): the series is
/// extended at both ends by <see cref="ZeroPhaseFilter.PadLength"/> odd-reflected samples, filtered with the
/// direct-form II transposed recursion of <c>lfilter</c> started from the steady state <c>lfilter_zi</c>
/// scaled by the first sample, reversed, filtered again, and cut back to its length.
/// </summary>
public sealed class IirFilter : ZeroPhaseFilter
{
    private readonly double[] _b;
    private readonly double[] _a;
    private readonly double[] _zi;

    /// <summary>Numerator coefficients, normalised so that <c>a[0] = 1</c>.</summary>
    public IReadOnlyList<double> B => _b;

    /// <summary>Denominator coefficients, <c>a[0] = 1</c>.</summary>
    public IReadOnlyList<double> A => _a;

    /// <summary><c>lfilter_zi(b, a)</c>: the state of the filter in steady state for a unit step.</summary>
    public IReadOnlyList<double> InitialState => _zi;

    /// <summary>Taps (the longer of <c>b</c> and <c>a</c>).</summary>
    public int Taps { get; }

    /// <summary>filtfilt's default padding, <c>3 * Taps</c>: 33 for nilearn's band-pass, 18 for low/high-pass.</summary>
    public override int PadLength => 3 * Taps;

    /// <summary>A filter from its coefficients (normalised by <c>a[0]</c> as lfilter does).</summary>
    public IirFilter(IReadOnlyList<double> b, IReadOnlyList<double> a)
    {
        if (b.Count == 0 || a.Count == 0 || a[0] == 0) throw new ArgumentException("a filter needs b and a with a[0] != 0");
        Taps = Math.Max(a.Count, b.Count);
        _b = new double[Taps];
        _a = new double[Taps];
        double a0 = a[0];
        for (int i = 0; i < b.Count; i++) _b[i] = a0 == 1 ? b[i] : b[i] / a0;
        for (int i = 0; i < a.Count; i++) _a[i] = a0 == 1 ? a[i] : a[i] / a0;
        _zi = SteadyState(_b, _a);
    }

    // lfilter_zi: solve (I − companion(a)ᵀ) zi = b[1:] − a[1:]·b[0]. With poles near z = 1 (low cut-offs,
    // short TRs) this system's condition number reaches 1e13, and a plain LU — scipy's included — gets zi
    // wrong from the 5th digit, which leaves a transient in the filtered edges. Iterative refinement with the
    // residual of the exact system (not of its rounded matrix) in double-double arithmetic gives zi to
    // nearly full precision.
    private static double[] SteadyState(double[] b, double[] a)
    {
        int n = a.Length - 1;
        if (n == 0) return [];
        var m = new double[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = 1;
        for (int i = 0; i < n; i++) m[i * n] += a[i + 1];
        for (int i = 0; i < n - 1; i++) m[i * n + i + 1] -= 1;
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = b[i + 1] - a[i + 1] * b[0];
        DenseSolve.SolveInPlace((double[])m.Clone(), n, x, 1);
        var r = new double[n];
        for (int iter = 0; iter < 20; iter++)
        {
            // Row i of the exact system: x_i + a_{i+1} x_0 − x_{i+1} = b_{i+1} − a_{i+1} b_0 (no x_{i+1} in the last row).
            for (int i = 0; i < n; i++)
            {
                var acc = new DoubleDouble(b[i + 1]);
                acc = acc.AddProduct(-a[i + 1], b[0]);
                acc = acc.Add(-x[i]);
                acc = acc.AddProduct(-a[i + 1], x[0]);
                if (i < n - 1) acc = acc.Add(x[i + 1]);
                r[i] = acc.Value;
            }
            DenseSolve.SolveInPlace((double[])m.Clone(), n, r, 1);
            double change = 0, size = 0;
            for (int i = 0; i < n; i++)
            {
                x[i] += r[i];
                change = Math.Max(change, Math.Abs(r[i]));
                size = Math.Max(size, Math.Abs(x[i]));
            }
            if (change <= size * 1e-17) break;
        }
        return x;
    }

    // An unevaluated sum hi + lo carrying about 32 digits, enough for residuals of cancelling sums.
    private readonly record struct DoubleDouble(double Hi, double Lo = 0)
    {
        public double Value => Hi + Lo;

        public DoubleDouble Add(double v)
        {
            double s = Hi + v;
            double z = s - Hi;
            double e = (Hi - (s - z)) + (v - z);
            return Normalize(s, e + Lo);
        }

        public DoubleDouble AddProduct(double p, double q)
        {
            double prod = p * q;
            double err = Math.FusedMultiplyAdd(p, q, -prod);
            var t = Add(prod);
            return Normalize(t.Hi, t.Lo + err);
        }

        private static DoubleDouble Normalize(double hi, double lo)
        {
            double s = hi + lo;
            return new DoubleDouble(s, lo - (s - hi));
        }
    }

    // lfilter(b, a, x, zi=zi*x[first]) along the rows, in place, forward or on the reversed series.
    private protected override void Filter(Span<double> e, int width, int rows, bool forward)
    {
        int taps = Taps;
        var b = _b;
        var a = _a;
        var zi = _zi;
        int t0 = forward ? 0 : rows - 1;
        int step = forward ? 1 : -1;
        int vc = Vector<double>.Count;
        int j0 = 0;
        if (Vector.IsHardwareAccelerated && taps > 1)
        {
            Span<Vector<double>> z = stackalloc Vector<double>[taps - 1];
            Span<Vector<double>> vb = stackalloc Vector<double>[taps];
            Span<Vector<double>> va = stackalloc Vector<double>[taps];
            for (int k = 0; k < taps; k++) { vb[k] = new Vector<double>(b[k]); va[k] = new Vector<double>(a[k]); }
            ref double e0 = ref MemoryMarshal.GetReference(e);
            nint stride = step * width;
            // Two vectors of lanes at a time: two independent recursions in flight hide the latency of each.
            Span<Vector<double>> z2 = stackalloc Vector<double>[taps - 1];
            for (; j0 <= width - 2 * vc; j0 += 2 * vc)
            {
                nint idx = t0 * width + j0;
                var x0a = Vector.LoadUnsafe(ref e0, (nuint)idx);
                var x0b = Vector.LoadUnsafe(ref e0, (nuint)(idx + vc));
                for (int k = 0; k < taps - 1; k++)
                {
                    var zk = new Vector<double>(zi[k]);
                    z[k] = zk * x0a;
                    z2[k] = zk * x0b;
                }
                for (int n = 0; n < rows; n++, idx += stride)
                {
                    var xa = Vector.LoadUnsafe(ref e0, (nuint)idx);
                    var xb = Vector.LoadUnsafe(ref e0, (nuint)(idx + vc));
                    var ya = z[0] + vb[0] * xa;
                    var yb = z2[0] + vb[0] * xb;
                    for (int k = 0; k < taps - 2; k++)
                    {
                        z[k] = z[k + 1] + xa * vb[k + 1] - ya * va[k + 1];
                        z2[k] = z2[k + 1] + xb * vb[k + 1] - yb * va[k + 1];
                    }
                    z[taps - 2] = xa * vb[taps - 1] - ya * va[taps - 1];
                    z2[taps - 2] = xb * vb[taps - 1] - yb * va[taps - 1];
                    ya.StoreUnsafe(ref e0, (nuint)idx);
                    yb.StoreUnsafe(ref e0, (nuint)(idx + vc));
                }
            }
            for (; j0 <= width - vc; j0 += vc)
            {
                var x0 = Vector.LoadUnsafe(ref e0, (nuint)(t0 * width + j0));
                for (int k = 0; k < taps - 1; k++) z[k] = new Vector<double>(zi[k]) * x0;
                nint idx = t0 * width + j0;
                for (int n = 0; n < rows; n++, idx += stride)
                {
                    var x = Vector.LoadUnsafe(ref e0, (nuint)idx);
                    var y = z[0] + vb[0] * x;
                    for (int k = 0; k < taps - 2; k++)
                        z[k] = z[k + 1] + x * vb[k + 1] - y * va[k + 1];
                    z[taps - 2] = x * vb[taps - 1] - y * va[taps - 1];
                    y.StoreUnsafe(ref e0, (nuint)idx);
                }
            }
        }
        Span<double> zs = stackalloc double[Math.Max(1, taps - 1)];
        for (int j = j0; j < width; j++)
        {
            double x0 = e[t0 * width + j];
            for (int k = 0; k < taps - 1; k++) zs[k] = zi[k] * x0;
            int t = t0;
            for (int n = 0; n < rows; n++, t += step)
            {
                ref double slot = ref e[t * width + j];
                double x = slot;
                double y;
                if (taps > 1)
                {
                    y = zs[0] + b[0] * x;
                    for (int k = 0; k < taps - 2; k++) zs[k] = zs[k + 1] + x * b[k + 1] - y * a[k + 1];
                    zs[taps - 2] = x * b[taps - 1] - y * a[taps - 1];
                }
                else y = x * b[0];
                slot = y;
            }
        }
    }
}

/// <summary>Small dense linear solves by Gaussian elimination with partial pivoting (LAPACK getrf/getrs
/// order), for multiple right-hand sides stored as rows.</summary>
internal static class DenseSolve
{
    /// <summary>Solves <c>M X = B</c> in place: <paramref name="m"/> is n×n row-major (destroyed),
    /// <paramref name="rhs"/> is n rows of <paramref name="width"/> values, replaced by X.</summary>
    public static void SolveInPlace(Span<double> m, int n, Span<double> rhs, int width)
    {
        for (int c = 0; c < n; c++)
        {
            int piv = c;
            double best = Math.Abs(m[c * n + c]);
            for (int r = c + 1; r < n; r++)
            {
                double v = Math.Abs(m[r * n + c]);
                if (v > best) { best = v; piv = r; }
            }
            if (best == 0) throw new InvalidOperationException("singular matrix");
            if (piv != c)
            {
                for (int k = 0; k < n; k++) (m[c * n + k], m[piv * n + k]) = (m[piv * n + k], m[c * n + k]);
                for (int k = 0; k < width; k++) (rhs[c * width + k], rhs[piv * width + k]) = (rhs[piv * width + k], rhs[c * width + k]);
            }
            double d = m[c * n + c];
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r * n + c] / d;
                if (f == 0) continue;
                m[r * n + c] = f;
                for (int k = c + 1; k < n; k++) m[r * n + k] -= f * m[c * n + k];
                for (int k = 0; k < width; k++) rhs[r * width + k] -= f * rhs[c * width + k];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            for (int k = 0; k < width; k++)
            {
                double s = rhs[r * width + k];
                for (int c = r + 1; c < n; c++) s -= m[r * n + c] * rhs[c * width + k];
                rhs[r * width + k] = s / m[r * n + r];
            }
        }
    }
}
