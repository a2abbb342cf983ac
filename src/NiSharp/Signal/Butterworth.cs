using System.Globalization;

namespace NiSharp.Signal;

/// <summary>
/// Butterworth filter design as <c>scipy.signal.butter(N, Wn, btype, output='ba', fs=...)</c> computes it
/// (analog prototype → frequency transform with pre-warping → bilinear transform → polynomial
/// coefficients), and nilearn's handling of cut-offs at or beyond Nyquist.
/// </summary>
public static class Butterworth
{
    /// <summary>
    /// Designs nilearn's filter for <paramref name="lowPass"/> and/or <paramref name="highPass"/> (Hz) at
    /// <paramref name="samplingRate"/> (Hz, = 1/t_r): low-pass, high-pass, or band-pass (order 2N) when both
    /// are given. Cut-offs at or above Nyquist are lowered to just below it, as nilearn does, with a warning.
    /// Returns null when the band-pass collapses (both cut-offs clipped to the same value): nilearn then
    /// returns the signals unfiltered.
    /// </summary>
    public static IirFilter? Design(double? lowPass, double? highPass, double samplingRate, int order = CleanOptions.ButterworthOrder,
        ICollection<string>? warnings = null)
    {
        if (lowPass is null && highPass is null) throw new ArgumentException("give low_pass and/or high_pass");
        if (lowPass is double l && highPass is double h && h >= l)
            throw new NiSharpException($"high_pass ({h.ToString("R", CultureInfo.InvariantCulture)} Hz) must be below low_pass ({l.ToString("R", CultureInfo.InvariantCulture)} Hz)");
        double nyq = samplingRate * 0.5;
        var wn = new List<double>(2);
        string btype = "";
        if (highPass is double hp) { btype = "high"; wn.Add(CheckCutoff("high", hp, nyq, warnings)); }
        if (lowPass is double lp) { btype = "low"; wn.Add(CheckCutoff("low", lp, nyq, warnings)); }
        if (wn.Count == 2)
        {
            btype = "band";
            if (wn[0] == wn[1])
            {
                warnings?.Add("signals are returned unfiltered because the band-pass cut-offs are equal after clipping to Nyquist; check t_r, low_pass and high_pass");
                return null;
            }
        }
        return DesignNormalized(order, wn.Select(w => 2 * w / samplingRate).ToArray(), btype);
    }

    // nilearn's _check_wn: at or above Nyquist → just below it; negative → tiny positive.
    private static double CheckCutoff(string btype, double freq, double nyq, ICollection<string>? warnings)
    {
        const double Eps32 = 1.1920928955078125e-07;
        if (freq >= nyq)
        {
            double f = nyq - nyq * 10 * Eps32;
            warnings?.Add($"the {btype}-pass frequency {freq.ToString("R", CultureInfo.InvariantCulture)} Hz is at or above Nyquist ({nyq.ToString("R", CultureInfo.InvariantCulture)} Hz); it has been lowered to {f.ToString("R", CultureInfo.InvariantCulture)} Hz");
            return f;
        }
        if (freq < 0)
        {
            double f = nyq * Eps32;
            warnings?.Add($"the {btype}-pass frequency is negative; it has been set to {f.ToString("R", CultureInfo.InvariantCulture)} Hz");
            return f;
        }
        return freq;
    }

    /// <summary>
    /// <c>scipy.signal.butter(order, wn, btype)</c> with <paramref name="wn"/> normalised to Nyquist (0..1):
    /// one value for <c>"low"</c>/<c>"high"</c>, two for <c>"band"</c>.
    /// </summary>
    public static IirFilter DesignNormalized(int order, double[] wn, string btype)
    {
        if (order < 1) throw new ArgumentOutOfRangeException(nameof(order));
        foreach (var w in wn)
            if (!(w > 0 && w < 1)) throw new NiSharpException($"digital filter critical frequencies must be 0 < Wn < 1 (got {w.ToString("R", CultureInfo.InvariantCulture)}); check t_r and the cut-offs");
        // Analog prototype (buttap): no zeros, poles on the left unit half-circle, gain 1.
        var p = new NpComplex[order];
        for (int i = 0; i < order; i++)
        {
            int m = -order + 1 + 2 * i;
            double theta = Math.PI * m / (2.0 * order);
            p[i] = -new NpComplex(Math.Cos(theta), Math.Sin(theta));
        }
        var z = Array.Empty<NpComplex>();
        double k = 1;
        // Pre-warp for the bilinear transform with fs = 2.
        const double fs = 2.0;
        var warped = wn.Select(w => 2 * fs * Math.Tan(Math.PI * w / fs)).ToArray();
        switch (btype)
        {
            case "low":
                (z, p, k) = LowpassToLowpass(z, p, k, warped[0]);
                break;
            case "high":
                (z, p, k) = LowpassToHighpass(z, p, k, warped[0]);
                break;
            case "band":
                if (wn.Length != 2) throw new ArgumentException("a band-pass needs two frequencies");
                (z, p, k) = LowpassToBandpass(z, p, k, Math.Sqrt(warped[0] * warped[1]), warped[1] - warped[0]);
                break;
            default:
                throw new ArgumentException($"unknown btype '{btype}'");
        }
        (z, p, k) = Bilinear(z, p, k, fs);
        var b = Poly(z);
        for (int i = 0; i < b.Length; i++) b[i] *= k;
        var a = Poly(p);
        return new IirFilter(b, a);
    }

    private static (NpComplex[] Z, NpComplex[] P, double K) LowpassToLowpass(NpComplex[] z, NpComplex[] p, double k, double wo)
    {
        int degree = p.Length - z.Length;
        var zl = z.Select(v => v * wo).ToArray();
        var pl = p.Select(v => v * wo).ToArray();
        return (zl, pl, k * Math.Pow(wo, degree));
    }

    private static (NpComplex[] Z, NpComplex[] P, double K) LowpassToHighpass(NpComplex[] z, NpComplex[] p, double k, double wo)
    {
        int degree = p.Length - z.Length;
        var zh = z.Select(v => new NpComplex(wo, 0) / v).Concat(Enumerable.Repeat(new NpComplex(0, 0), degree)).ToArray();
        var ph = p.Select(v => new NpComplex(wo, 0) / v).ToArray();
        // k * real(prod(-z) / prod(-p))
        var numer = Prod(z.Select(v => -v));
        var denom = Prod(p.Select(v => -v));
        return (zh, ph, k * (numer / denom).Re);
    }

    private static (NpComplex[] Z, NpComplex[] P, double K) LowpassToBandpass(NpComplex[] z, NpComplex[] p, double k, double wo, double bw)
    {
        int degree = p.Length - z.Length;
        var zl = z.Select(v => v * bw / 2).ToArray();
        var pl = p.Select(v => v * bw / 2).ToArray();
        double wo2 = wo * wo;
        NpComplex Root(NpComplex v) => NpComplex.Sqrt(v * v - wo2);
        var zb = zl.Select(v => v + Root(v)).Concat(zl.Select(v => v - Root(v))).Concat(Enumerable.Repeat(new NpComplex(0, 0), degree)).ToArray();
        var pb = pl.Select(v => v + Root(v)).Concat(pl.Select(v => v - Root(v))).ToArray();
        return (zb, pb, k * Math.Pow(bw, degree));
    }

    private static (NpComplex[] Z, NpComplex[] P, double K) Bilinear(NpComplex[] z, NpComplex[] p, double k, double fs)
    {
        int degree = p.Length - z.Length;
        double fs2 = 2.0 * fs;
        var zz = z.Select(v => (fs2 + v) / (fs2 - v)).Concat(Enumerable.Repeat(new NpComplex(-1, 0), degree)).ToArray();
        var pz = p.Select(v => (fs2 + v) / (fs2 - v)).ToArray();
        var numer = Prod(z.Select(v => fs2 - v));
        var denom = Prod(p.Select(v => fs2 - v));
        return (zz, pz, k * (numer / denom).Re);
    }

    private static NpComplex Prod(IEnumerable<NpComplex> values)
    {
        var acc = new NpComplex(1, 0);
        foreach (var v in values) acc *= v;
        return acc;
    }

    // numpy.poly: convolve [1] with [1, -root] for each root in order; the roots here come in
    // conjugate pairs (or are real), so the imaginary parts cancel and the real part is kept.
    private static double[] Poly(NpComplex[] roots)
    {
        var a = new NpComplex[] { new(1, 0) };
        foreach (var r in roots)
        {
            var next = new NpComplex[a.Length + 1];
            var v = new[] { new NpComplex(1, 0), -r };
            for (int n = 0; n < next.Length; n++)
            {
                var acc = new NpComplex(0, 0);
                for (int j = 0; j < a.Length; j++)
                {
                    int i = n - j;
                    if (i is < 0 or > 1) continue;
                    acc += a[j] * v[i];
                }
                next[n] = acc;
            }
            a = next;
        }
        return a.Select(c => c.Re).ToArray();
    }
}

/// <summary>A complex number whose division and square root follow numpy (Smith's division with a
/// reciprocal, C99 <c>csqrt</c>), so filter designs match scipy's to the last bits as far as possible.</summary>
internal readonly record struct NpComplex(double Re, double Im)
{
    public static NpComplex operator +(NpComplex a, NpComplex b) => new(a.Re + b.Re, a.Im + b.Im);
    public static NpComplex operator -(NpComplex a, NpComplex b) => new(a.Re - b.Re, a.Im - b.Im);
    public static NpComplex operator -(NpComplex a) => new(-a.Re, -a.Im);
    public static NpComplex operator +(double a, NpComplex b) => new(a + b.Re, 0 + b.Im);
    public static NpComplex operator -(double a, NpComplex b) => new(a - b.Re, 0 - b.Im);
    public static NpComplex operator -(NpComplex a, double b) => new(a.Re - b, a.Im - 0);
    public static NpComplex operator *(NpComplex a, NpComplex b) => new(a.Re * b.Re - a.Im * b.Im, a.Re * b.Im + a.Im * b.Re);
    public static NpComplex operator *(NpComplex a, double b) => a * new NpComplex(b, 0);
    public static NpComplex operator /(NpComplex a, double b) => a / new NpComplex(b, 0);

    public static NpComplex operator /(NpComplex a, NpComplex b)
    {
        double br = Math.Abs(b.Re), bi = Math.Abs(b.Im);
        if (br >= bi)
        {
            if (br == 0 && bi == 0) return new(a.Re / br, a.Im / bi);
            double rat = b.Im / b.Re;
            double scl = 1.0 / (b.Re + b.Im * rat);
            return new((a.Re + a.Im * rat) * scl, (a.Im - a.Re * rat) * scl);
        }
        else
        {
            double rat = b.Re / b.Im;
            double scl = 1.0 / (b.Im + b.Re * rat);
            return new((a.Re * rat + a.Im) * scl, (a.Im * rat - a.Re) * scl);
        }
    }

    public static NpComplex Sqrt(NpComplex x)
    {
        if (x.Re == 0 && x.Im == 0) return new(0, x.Im);
        double d = double.Hypot(x.Re, x.Im);
        double r, s;
        if (x.Re > 0)
        {
            r = Math.Sqrt(0.5 * (d + x.Re));
            s = 0.5 * (x.Im / r);
        }
        else
        {
            s = Math.Sqrt(0.5 * (d - x.Re));
            r = Math.Abs(0.5 * (x.Im / s));
        }
        return new(r, Math.CopySign(s, x.Im));
    }
}
