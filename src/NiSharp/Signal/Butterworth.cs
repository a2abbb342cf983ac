using System.Globalization;

namespace NiSharp.Signal;

/// <summary>
/// Butterworth filter design as <c>scipy.signal.butter(N, Wn, btype, output=..., fs=...)</c> computes it
/// (analog prototype → frequency transform with pre-warping → bilinear transform → polynomial
/// coefficients or second-order sections), and nilearn's handling of cut-offs at or beyond Nyquist.
/// nilearn 0.11 and later filter with second-order sections (<see cref="DesignSections"/>); 0.10.4 and
/// earlier with one transfer function (<see cref="Design"/>).
/// </summary>
public static class Butterworth
{
    /// <summary>
    /// Designs nilearn ≤ 0.10's filter (<c>output='ba'</c>) for <paramref name="lowPass"/> and/or
    /// <paramref name="highPass"/> (Hz) at <paramref name="samplingRate"/> (Hz, = 1/t_r): low-pass, high-pass, or
    /// band-pass (order 2N) when both are given. Cut-offs at or above Nyquist are lowered to just below it, as
    /// nilearn does, with a warning. Returns null when the band-pass collapses (both cut-offs clipped to the same
    /// value): nilearn then returns the signals unfiltered.
    /// </summary>
    public static IirFilter? Design(double? lowPass, double? highPass, double samplingRate, int order = CleanOptions.ButterworthOrder,
        ICollection<string>? warnings = null) =>
        Critical(lowPass, highPass, samplingRate, warnings) is var (wn, btype) ? DesignNormalized(order, wn, btype) : null;

    /// <summary>
    /// Designs nilearn ≥ 0.11's filter, the same Butterworth filter as second-order sections
    /// (<c>output='sos'</c>, applied by <c>sosfiltfilt</c>): the cascade of biquads keeps its precision where the
    /// single order-10 transfer function of a band-pass is ill-conditioned. Cut-offs and the collapsed band are
    /// handled as in <see cref="Design"/>.
    /// </summary>
    public static SosFilter? DesignSections(double? lowPass, double? highPass, double samplingRate, int order = CleanOptions.ButterworthOrder,
        ICollection<string>? warnings = null) =>
        Critical(lowPass, highPass, samplingRate, warnings) is var (wn, btype) ? DesignNormalizedSections(order, wn, btype) : null;

    // nilearn's butterworth(): the critical frequencies normalised to Nyquist and the filter type, or null when
    // the band collapses.
    private static (double[] Wn, string Btype)? Critical(double? lowPass, double? highPass, double samplingRate, ICollection<string>? warnings)
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
        return (wn.Select(w => 2 * w / samplingRate).ToArray(), btype);
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
        var (z, p, k) = Zpk(order, wn, btype);
        var b = Poly(z);
        for (int i = 0; i < b.Length; i++) b[i] *= k;
        var a = Poly(p);
        return new IirFilter(b, a);
    }

    /// <summary><c>scipy.signal.butter(order, wn, btype, output='sos')</c> with <paramref name="wn"/> normalised to
    /// Nyquist (0..1).</summary>
    public static SosFilter DesignNormalizedSections(int order, double[] wn, string btype)
    {
        var (z, p, k) = Zpk(order, wn, btype);
        return new SosFilter(ZpkToSos(z, p, k));
    }

    // iirfilter's digital zeros, poles and gain.
    private static (NpComplex[] Z, NpComplex[] P, double K) Zpk(int order, double[] wn, string btype)
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
        return Bilinear(z, p, k, fs);
    }

    // scipy's zpk2sos with its digital default pairing 'nearest': poles are taken from the one closest to the unit
    // circle outwards and each is paired with the nearest zero; the sections are stored so that those poles come
    // last, and the gain goes into the first section.
    internal static double[,] ZpkToSos(NpComplex[] zeros, NpComplex[] poles, double k)
    {
        var p = poles.ToList();
        var z = zeros.ToList();
        while (z.Count < p.Count) z.Add(new NpComplex(0, 0));
        while (p.Count < z.Count) p.Add(new NpComplex(0, 0));
        int sections = (p.Count + 1) / 2;
        if (p.Count % 2 == 1)
        {
            p.Add(new NpComplex(0, 0));
            z.Add(new NpComplex(0, 0));
        }
        z = ComplexThenReal(z);
        p = ComplexThenReal(p);
        var sos = new double[sections, 6];
        static bool IsReal(NpComplex c) => c.Im == 0;
        static double Abs(NpComplex c) => double.Hypot(c.Re, c.Im);
        static int Worst(List<NpComplex> v, IEnumerable<int> among) => among.MinBy(i => Math.Abs(1 - Abs(v[i])));
        static NpComplex Take(List<NpComplex> v, int i) { var c = v[i]; v.RemoveAt(i); return c; }
        // _nearest_real_complex_idx: a stable sort by distance (numpy sorts arrays this short by insertion).
        static int Nearest(List<NpComplex> v, NpComplex to, bool? real) =>
            Enumerable.Range(0, v.Count).OrderBy(i => Abs(v[i] - to)).First(i => real is not bool r || IsReal(v[i]) == r);
        void Set(int si, NpComplex[] zs, NpComplex[] ps)
        {
            var b = Poly(zs);
            var a = Poly(ps);
            for (int i = 0; i < b.Length; i++) sos[si, 3 - b.Length + i] = b[i];
            for (int i = 0; i < a.Length; i++) sos[si, 6 - a.Length + i] = a[i];
        }
        var zero = new NpComplex(0, 0);
        for (int si = sections - 1; si >= 0; si--)
        {
            var p1 = Take(p, Worst(p, Enumerable.Range(0, p.Count)));
            if (IsReal(p1) && !p.Any(IsReal))
            {
                // the last real pole, paired with the nearest real zero and a pole and zero at the origin
                var z1 = Take(z, Nearest(z, p1, real: true));
                Set(si, [z1, zero], [p1, zero]);
            }
            else if (p.Count + 1 == z.Count && !IsReal(p1) && p.Count(IsReal) == 1 && z.Count(IsReal) == 1)
            {
                // one real pole and one real zero left: this complex pole must take a complex zero
                var z1 = Take(z, Nearest(z, p1, real: false));
                Set(si, [z1, z1.Conjugate()], [p1, p1.Conjugate()]);
            }
            else
            {
                NpComplex p2 = IsReal(p1)
                    ? Take(p, Worst(p, Enumerable.Range(0, p.Count).Where(i => IsReal(p[i])).ToList()))
                    : p1.Conjugate();
                if (z.Count == 0)
                {
                    Set(si, [], [p1, p2]);
                    continue;
                }
                var z1 = Take(z, Nearest(z, p1, real: null));
                if (!IsReal(z1)) Set(si, [z1, z1.Conjugate()], [p1, p2]);
                else if (z.Count > 0) Set(si, [z1, Take(z, Nearest(z, p1, real: true))], [p1, p2]);
                else Set(si, [z1], [p1, p2]);
            }
        }
        for (int j = 0; j < 3; j++) sos[0, j] *= k;
        return sos;
    }

    // scipy's _cplxreal, concatenated: one of each conjugate pair (positive imaginary part, the pair averaged),
    // sorted by real part then imaginary magnitude, followed by the real values in increasing order.
    private static List<NpComplex> ComplexThenReal(List<NpComplex> values)
    {
        const double Tol = 100 * 2.220446049250313e-16;
        var sorted = values.OrderBy(c => c.Re).ThenBy(c => Math.Abs(c.Im)).ToList();
        bool Real(NpComplex c) => Math.Abs(c.Im) <= Tol * double.Hypot(c.Re, c.Im);
        var reals = sorted.Where(Real).Select(c => new NpComplex(c.Re, 0)).ToList();
        var complex = sorted.Where(c => !Real(c)).ToList();
        if (complex.Count == 0) return reals;
        var pos = complex.Where(c => c.Im > 0).ToArray();
        var neg = complex.Where(c => c.Im < 0).ToArray();
        if (pos.Length != neg.Length) throw new InvalidOperationException("a complex value has no matching conjugate");
        // within runs of (nearly) equal real parts, order by imaginary magnitude
        int start = 0;
        for (int i = 1; i <= pos.Length; i++)
        {
            if (i < pos.Length && pos[i].Re - pos[i - 1].Re <= Tol * double.Hypot(pos[i - 1].Re, pos[i - 1].Im)) continue;
            if (i - start > 1)
            {
                Array.Sort(pos, start, i - start, Comparer<NpComplex>.Create((a, b) => Math.Abs(a.Im).CompareTo(Math.Abs(b.Im))));
                Array.Sort(neg, start, i - start, Comparer<NpComplex>.Create((a, b) => Math.Abs(a.Im).CompareTo(Math.Abs(b.Im))));
            }
            start = i;
        }
        var paired = pos.Zip(neg, (a, b) => (a + b.Conjugate()) / 2.0).ToList();
        paired.AddRange(reals);
        return paired;
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
    public NpComplex Conjugate() => new(Re, -Im);

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
