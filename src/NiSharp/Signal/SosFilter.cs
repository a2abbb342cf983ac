using System.Numerics;
using System.Runtime.InteropServices;

namespace NiSharp.Signal;

/// <summary>
/// A digital filter as a cascade of second-order sections (scipy's <c>sos</c> rows
/// <c>[b0, b1, b2, 1, a1, a2]</c>), applied forward and backward as
/// <c>scipy.signal.sosfiltfilt(sos, x, padtype='odd', padlen=None)</c>, which nilearn's <c>butterworth</c> uses
/// since 0.11: odd extension of <see cref="PadLength"/> samples, each section's direct-form II transposed
/// recursion started from <c>sosfilt_zi</c> scaled by the pass's first sample.
/// </summary>
public sealed class SosFilter : ZeroPhaseFilter
{
    private readonly double[] _sos;
    private readonly double[] _zi;

    /// <summary>The number of second-order sections.</summary>
    public int Sections { get; }

    /// <summary>The sections, row-major (<c>Sections × 6</c>).</summary>
    public IReadOnlyList<double> Coefficients => _sos;

    /// <summary><c>sosfilt_zi(sos)</c>: each section's steady state for a unit step, row-major (<c>Sections × 2</c>).</summary>
    public IReadOnlyList<double> InitialState => _zi;

    /// <summary>sosfiltfilt's default padding: three times <c>2·Sections + 1</c>, less one tap when a section is of first
    /// order (33 for nilearn's band-pass, 18 for its low- and high-pass).</summary>
    public override int PadLength { get; }

    /// <summary>A filter from its sections (<c>Sections × 6</c>, each with <c>a0 = 1</c>).</summary>
    public SosFilter(double[,] sos)
    {
        Sections = sos.GetLength(0);
        if (Sections == 0 || sos.GetLength(1) != 6) throw new ArgumentException("sos must be (n_sections, 6)", nameof(sos));
        _sos = new double[Sections * 6];
        int zeroB2 = 0, zeroA2 = 0;
        for (int s = 0; s < Sections; s++)
        {
            if (sos[s, 3] != 1) throw new ArgumentException("every section needs a0 = 1", nameof(sos));
            for (int j = 0; j < 6; j++) _sos[s * 6 + j] = sos[s, j];
            if (sos[s, 2] == 0) zeroB2++;
            if (sos[s, 5] == 0) zeroA2++;
        }
        PadLength = 3 * (2 * Sections + 1 - Math.Min(zeroB2, zeroA2));
        _zi = SteadyState(_sos, Sections);
    }

    // sosfilt_zi: each section's lfilter_zi, scaled by the DC gain of the sections before it.
    private static double[] SteadyState(double[] sos, int sections)
    {
        var zi = new double[sections * 2];
        double scale = 1.0;
        for (int s = 0; s < sections; s++)
        {
            double b0 = sos[s * 6], b1 = sos[s * 6 + 1], b2 = sos[s * 6 + 2], a1 = sos[s * 6 + 4], a2 = sos[s * 6 + 5];
            // lfilter_zi for a biquad: (I − companion(a)ᵀ) zi = b[1:] − a[1:]·b0, a 2×2 system solved with pivoting.
            Span<double> m = [1 + a1, -1, a2, 1];
            Span<double> rhs = [b1 - a1 * b0, b2 - a2 * b0];
            DenseSolve.SolveInPlace(m, 2, rhs, 1);
            zi[s * 2] = scale * rhs[0];
            zi[s * 2 + 1] = scale * rhs[1];
            scale *= (b0 + b1 + b2) / (1 + a1 + a2);
        }
        return zi;
    }

    // sosfilt along the rows: per sample, the sections in turn, each
    //   y = b0·x + z0;  z0 = (b1·x − a1·y) + z1;  z1 = b2·x − a2·y
    // in scipy's operation order (no fused multiply-adds).
    private protected override void Filter(Span<double> e, int width, int rows, bool forward)
    {
        int ns = Sections;
        var sos = _sos;
        var zi = _zi;
        int t0 = forward ? 0 : rows - 1;
        int step = forward ? 1 : -1;
        int vc = Vector<double>.Count;
        int j0 = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<double>> z = stackalloc Vector<double>[2 * ns];
            Span<Vector<double>> c = stackalloc Vector<double>[6 * ns];
            for (int k = 0; k < 6 * ns; k++) c[k] = new Vector<double>(sos[k]);
            ref double e0 = ref MemoryMarshal.GetReference(e);
            nint stride = step * width;
            // Two vectors of lanes at a time: two independent cascades in flight hide the latency of each.
            Span<Vector<double>> z2 = stackalloc Vector<double>[2 * ns];
            for (; j0 <= width - 2 * vc; j0 += 2 * vc)
            {
                nint idx = t0 * width + j0;
                var x0a = Vector.LoadUnsafe(ref e0, (nuint)idx);
                var x0b = Vector.LoadUnsafe(ref e0, (nuint)(idx + vc));
                for (int k = 0; k < 2 * ns; k++)
                {
                    var zk = new Vector<double>(zi[k]);
                    z[k] = zk * x0a;
                    z2[k] = zk * x0b;
                }
                for (int n = 0; n < rows; n++, idx += stride)
                {
                    var xa = Vector.LoadUnsafe(ref e0, (nuint)idx);
                    var xb = Vector.LoadUnsafe(ref e0, (nuint)(idx + vc));
                    for (int s = 0; s < ns; s++)
                    {
                        int o = 6 * s;
                        var ya = c[o] * xa + z[2 * s];
                        var yb = c[o] * xb + z2[2 * s];
                        z[2 * s] = c[o + 1] * xa - c[o + 4] * ya + z[2 * s + 1];
                        z2[2 * s] = c[o + 1] * xb - c[o + 4] * yb + z2[2 * s + 1];
                        z[2 * s + 1] = c[o + 2] * xa - c[o + 5] * ya;
                        z2[2 * s + 1] = c[o + 2] * xb - c[o + 5] * yb;
                        xa = ya;
                        xb = yb;
                    }
                    xa.StoreUnsafe(ref e0, (nuint)idx);
                    xb.StoreUnsafe(ref e0, (nuint)(idx + vc));
                }
            }
            for (; j0 <= width - vc; j0 += vc)
            {
                nint idx = t0 * width + j0;
                var x0 = Vector.LoadUnsafe(ref e0, (nuint)idx);
                for (int k = 0; k < 2 * ns; k++) z[k] = new Vector<double>(zi[k]) * x0;
                for (int n = 0; n < rows; n++, idx += stride)
                {
                    var x = Vector.LoadUnsafe(ref e0, (nuint)idx);
                    for (int s = 0; s < ns; s++)
                    {
                        int o = 6 * s;
                        var y = c[o] * x + z[2 * s];
                        z[2 * s] = c[o + 1] * x - c[o + 4] * y + z[2 * s + 1];
                        z[2 * s + 1] = c[o + 2] * x - c[o + 5] * y;
                        x = y;
                    }
                    x.StoreUnsafe(ref e0, (nuint)idx);
                }
            }
        }
        Span<double> zs = stackalloc double[2 * ns];
        for (int j = j0; j < width; j++)
        {
            double x0 = e[t0 * width + j];
            for (int k = 0; k < 2 * ns; k++) zs[k] = zi[k] * x0;
            int t = t0;
            for (int n = 0; n < rows; n++, t += step)
            {
                ref double slot = ref e[t * width + j];
                double x = slot;
                for (int s = 0; s < ns; s++)
                {
                    int o = 6 * s;
                    double y = sos[o] * x + zs[2 * s];
                    zs[2 * s] = sos[o + 1] * x - sos[o + 4] * y + zs[2 * s + 1];
                    zs[2 * s + 1] = sos[o + 2] * x - sos[o + 5] * y;
                    x = y;
                }
                slot = x;
            }
        }
    }
}
