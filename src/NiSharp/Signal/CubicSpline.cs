namespace NiSharp.Signal;

/// <summary>
/// <c>scipy.interpolate.CubicSpline(x, y)</c> with its default not-a-knot end conditions, fitted to
/// many series at once that share the knots <c>x</c> (the kept volumes' times). The slope system depends
/// only on the knots, so it is factored once (tridiagonal LU with partial pivoting, as LAPACK's gtsv)
/// and then applied to every series side by side.
/// </summary>
public sealed class CubicSpline
{
    private readonly double[] _x;
    private readonly double[] _dx;
    // Factored slope system (m ≥ 4): elimination steps and the upper bands.
    private readonly bool[] _swap = [];
    private readonly double[] _fact = [];
    private readonly double[] _d = [];
    private readonly double[] _du = [];
    private readonly double[] _du2 = [];
    // m == 3: the 3×3 system of the parabola (dense, pivoted at solve time).
    private readonly double[]? _dense3;

    /// <summary>The knots.</summary>
    public IReadOnlyList<double> Knots => _x;

    /// <summary>Prepares a spline on strictly increasing <paramref name="knots"/> (at least two).</summary>
    public CubicSpline(IReadOnlyList<double> knots)
    {
        int m = knots.Count;
        if (m < 2) throw new NiSharpException($"cubic-spline interpolation of censored volumes needs at least 2 kept volumes, got {m}");
        _x = knots.ToArray();
        _dx = new double[m - 1];
        for (int i = 0; i < m - 1; i++)
        {
            _dx[i] = _x[i + 1] - _x[i];
            if (!(_dx[i] > 0)) throw new ArgumentException("knots must be strictly increasing", nameof(knots));
        }
        if (m == 3)
        {
            // scipy: A = [[1, 1, 0], [dx1, 2(dx0+dx1), dx0], [0, 1, 1]]
            _dense3 = [1, 1, 0, _dx[1], 2 * (_dx[0] + _dx[1]), _dx[0], 0, 1, 1];
        }
        else if (m >= 4)
        {
            // Tridiagonal system for the slopes s: sub-diagonal dl, diagonal d, super-diagonal du.
            var dl = new double[m - 1];
            var d = new double[m];
            var du = new double[m - 1];
            for (int i = 1; i < m - 1; i++)
            {
                d[i] = 2 * (_dx[i - 1] + _dx[i]);
                du[i] = _dx[i - 1];     // A[i, i+1]
                dl[i - 1] = _dx[i];     // A[i, i-1]
            }
            d[0] = _dx[1];
            du[0] = _x[2] - _x[0];
            d[m - 1] = _dx[m - 3];
            dl[m - 2] = _x[m - 1] - _x[m - 3];
            (_swap, _fact, _d, _du, _du2) = Factor(dl, d, du);
        }
    }

    // LAPACK dgtsv's elimination with row interchanges, recorded so it can be replayed on many right-hand sides.
    private static (bool[], double[], double[], double[], double[]) Factor(double[] dl, double[] d, double[] du)
    {
        int n = d.Length;
        var swap = new bool[n - 1];
        var fact = new double[n - 1];
        var du2 = new double[Math.Max(0, n - 2)];
        for (int i = 0; i < n - 1; i++)
        {
            if (Math.Abs(d[i]) >= Math.Abs(dl[i]))
            {
                if (d[i] == 0) throw new InvalidOperationException("singular spline system");
                fact[i] = dl[i] / d[i];
                d[i + 1] -= fact[i] * du[i];
                if (i < n - 2) du2[i] = 0;
            }
            else
            {
                swap[i] = true;
                fact[i] = d[i] / dl[i];
                d[i] = dl[i];
                double temp = d[i + 1];
                d[i + 1] = du[i] - fact[i] * temp;
                if (i < n - 2)
                {
                    du2[i] = du[i + 1];
                    du[i + 1] = -fact[i] * du2[i];
                }
                du[i] = temp;
            }
        }
        return (swap, fact, d, du, du2);
    }

    /// <summary>
    /// Evaluates the splines through <paramref name="y"/> (one row of <paramref name="width"/> values per
    /// knot) at <paramref name="at"/>, writing one row per query point into <paramref name="result"/>.
    /// Outside the knots the end pieces are extended when <paramref name="extrapolate"/>, otherwise NaN.
    /// </summary>
    public void Evaluate(ReadOnlySpan<double> y, int width, ReadOnlySpan<double> at, Span<double> result, bool extrapolate)
    {
        int m = _x.Length;
        if (y.Length != m * width) throw new ArgumentException("y must hold one row per knot", nameof(y));
        if (result.Length < at.Length * width) throw new ArgumentException("result is too small", nameof(result));
        var slope = new double[(m - 1) * width];
        for (int i = 0; i < m - 1; i++)
            for (int j = 0; j < width; j++)
                slope[i * width + j] = (y[(i + 1) * width + j] - y[i * width + j]) / _dx[i];
        var s = new double[m * width];
        Slopes(slope, width, s);
        for (int q = 0; q < at.Length; q++)
        {
            double xq = at[q];
            var dst = result.Slice(q * width, width);
            if (!extrapolate && (xq < _x[0] || xq > _x[m - 1]))
            {
                dst.Fill(double.NaN);
                continue;
            }
            int i = Interval(xq);
            double dxi = _dx[i];
            double u = xq - _x[i];
            for (int j = 0; j < width; j++)
            {
                double si = s[i * width + j], si1 = s[(i + 1) * width + j], sl = slope[i * width + j];
                // scipy's coefficients: t = (s_i + s_i+1 − 2·slope)/dx; c0 = t/dx; c1 = (slope − s_i)/dx − t
                double t = (si + si1 - 2 * sl) / dxi;
                double c0 = t / dxi;
                double c1 = (sl - si) / dxi - t;
                // PPoly evaluation order: c3 + c2·u + c1·u² + c0·u³ with the powers built up one by one
                double z = u;
                double res = y[i * width + j];
                res += si * z;
                z *= u;
                res += c1 * z;
                z *= u;
                res += c0 * z;
                dst[j] = res;
            }
        }
    }

    // The interval of xq as scipy's PPoly picks it: the last knot ≤ xq, clamped to the end pieces.
    private int Interval(double xq)
    {
        int m = _x.Length;
        if (xq < _x[0]) return 0;
        if (xq >= _x[m - 1]) return m - 2;
        int lo = 0, hi = m - 1;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >> 1;
            if (_x[mid] <= xq) lo = mid; else hi = mid;
        }
        return lo;
    }

    private void Slopes(ReadOnlySpan<double> slope, int width, Span<double> s)
    {
        int m = _x.Length;
        if (m == 2)
        {
            // scipy turns not-a-knot with two points into matching first derivatives: a straight line.
            slope[..width].CopyTo(s[..width]);
            slope[..width].CopyTo(s.Slice(width, width));
            return;
        }
        if (m == 3)
        {
            for (int j = 0; j < width; j++)
            {
                s[j] = 2 * slope[j];
                s[width + j] = 3 * (_dx[0] * slope[width + j] + _dx[1] * slope[j]);
                s[2 * width + j] = 2 * slope[width + j];
            }
            DenseSolve.SolveInPlace((double[])_dense3!.Clone(), 3, s, width);
            return;
        }
        // Right-hand side (scipy's b), then replay the factorisation.
        double d0 = _x[2] - _x[0];
        double dn = _x[m - 1] - _x[m - 3];
        for (int j = 0; j < width; j++)
        {
            s[j] = ((_dx[0] + 2 * d0) * _dx[1] * slope[j] + _dx[0] * _dx[0] * slope[width + j]) / d0;
            s[(m - 1) * width + j] = (_dx[m - 2] * _dx[m - 2] * slope[(m - 3) * width + j]
                                      + (2 * dn + _dx[m - 2]) * _dx[m - 3] * slope[(m - 2) * width + j]) / dn;
        }
        for (int i = 1; i < m - 1; i++)
            for (int j = 0; j < width; j++)
                s[i * width + j] = 3 * (_dx[i] * slope[(i - 1) * width + j] + _dx[i - 1] * slope[i * width + j]);
        for (int i = 0; i < m - 1; i++)
        {
            var bi = s.Slice(i * width, width);
            var bi1 = s.Slice((i + 1) * width, width);
            double f = _fact[i];
            if (_swap[i])
            {
                for (int j = 0; j < width; j++)
                {
                    double temp = bi[j];
                    bi[j] = bi1[j];
                    bi1[j] = temp - f * bi1[j];
                }
            }
            else
            {
                for (int j = 0; j < width; j++) bi1[j] -= f * bi[j];
            }
        }
        // Back substitution with the two upper bands.
        for (int j = 0; j < width; j++)
        {
            s[(m - 1) * width + j] /= _d[m - 1];
            s[(m - 2) * width + j] = (s[(m - 2) * width + j] - _du[m - 2] * s[(m - 1) * width + j]) / _d[m - 2];
        }
        for (int i = m - 3; i >= 0; i--)
            for (int j = 0; j < width; j++)
                s[i * width + j] = (s[i * width + j] - _du[i] * s[(i + 1) * width + j] - _du2[i] * s[(i + 2) * width + j]) / _d[i];
    }
}
