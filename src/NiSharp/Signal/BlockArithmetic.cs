using System.Numerics;
using System.Runtime.CompilerServices;

namespace NiSharp.Signal;

/// <summary>
/// Row-wise arithmetic on a block of signals held time-major (<c>rows × width</c>, one row per timepoint),
/// done the way numpy does it so results match nilearn to rounding: column sums run row by row
/// (numpy reduces a C-ordered axis 0 that way), 1-D sums are pairwise, and float32 signals are rounded
/// to float32 after every operation numpy performs in float32 (computing in double and rounding once
/// gives the correctly rounded float32 result for +, −, ×, ÷ and √). Multiplies and adds are never
/// fused, so results do not depend on the CPU. Loops run across the block's columns in SIMD lanes.
/// </summary>
internal static class BlockArithmetic
{
    /// <summary>Rounds to float32 when <paramref name="single"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double R(double v, bool single) => single ? (float)v : v;

    /// <summary>Rounds every lane to float32 when <paramref name="single"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> R(Vector<double> v, bool single)
    {
        if (!single) return v;
        Vector.Widen(Vector.Narrow(v, v), out var lo, out _);
        return lo;
    }

    private static int Lanes => Vector.IsHardwareAccelerated ? Vector<double>.Count : int.MaxValue;

    /// <summary>Rounds every value to float32 when <paramref name="single"/>.</summary>
    public static void Round(Span<double> values, bool single)
    {
        if (!single) return;
        int i = 0, vc = Lanes;
        for (; i + vc <= values.Length; i += vc) R(new Vector<double>(values[i..]), true).CopyTo(values[i..]);
        for (; i < values.Length; i++) values[i] = (float)values[i];
    }

    /// <summary>x ← R(x + y).</summary>
    public static void Add(Span<double> x, ReadOnlySpan<double> y, bool single)
    {
        int i = 0, vc = Lanes;
        for (; i + vc <= x.Length; i += vc) R(new Vector<double>(x[i..]) + new Vector<double>(y[i..]), single).CopyTo(x[i..]);
        for (; i < x.Length; i++) x[i] = R(x[i] + y[i], single);
    }

    /// <summary>x ← R(x − y).</summary>
    public static void Subtract(Span<double> x, ReadOnlySpan<double> y, bool single)
    {
        int i = 0, vc = Lanes;
        for (; i + vc <= x.Length; i += vc) R(new Vector<double>(x[i..]) - new Vector<double>(y[i..]), single).CopyTo(x[i..]);
        for (; i < x.Length; i++) x[i] = R(x[i] - y[i], single);
    }

    /// <summary>acc ← R(acc + R(s·y)): a multiply then an add, each rounded as numpy would.</summary>
    public static void AddScaled(Span<double> acc, double s, ReadOnlySpan<double> y, bool single = false)
    {
        int i = 0, vc = Lanes;
        if (vc != int.MaxValue)
        {
            var vs = new Vector<double>(s);
            for (; i + vc <= acc.Length; i += vc)
                R(new Vector<double>(acc[i..]) + R(vs * new Vector<double>(y[i..]), single), single).CopyTo(acc[i..]);
        }
        for (; i < acc.Length; i++) acc[i] = R(acc[i] + R(s * y[i], single), single);
    }

    /// <summary>x ← R(x − R(s·y)).</summary>
    public static void SubtractScaled(Span<double> x, double s, ReadOnlySpan<double> y, bool single)
    {
        int i = 0, vc = Lanes;
        if (vc != int.MaxValue)
        {
            var vs = new Vector<double>(s);
            for (; i + vc <= x.Length; i += vc)
                R(new Vector<double>(x[i..]) - R(vs * new Vector<double>(y[i..]), single), single).CopyTo(x[i..]);
        }
        for (; i < x.Length; i++) x[i] = R(x[i] - R(s * y[i], single), single);
    }

    /// <summary>x ← R(x / d) lane by lane.</summary>
    public static void Divide(Span<double> x, ReadOnlySpan<double> d, bool single)
    {
        int i = 0, vc = Lanes;
        for (; i + vc <= x.Length; i += vc) R(new Vector<double>(x[i..]) / new Vector<double>(d[i..]), single).CopyTo(x[i..]);
        for (; i < x.Length; i++) x[i] = R(x[i] / d[i], single);
    }

    /// <summary>acc ← R(acc + R(d·d)) with d = R(x − m): the squared deviations numpy's var sums.</summary>
    public static void AddSquaredDeviation(Span<double> acc, ReadOnlySpan<double> x, ReadOnlySpan<double> m, bool single)
    {
        int i = 0, vc = Lanes;
        for (; i + vc <= acc.Length; i += vc)
        {
            var d = R(new Vector<double>(x[i..]) - new Vector<double>(m[i..]), single);
            R(new Vector<double>(acc[i..]) + R(d * d, single), single).CopyTo(acc[i..]);
        }
        for (; i < acc.Length; i++)
        {
            double d = R(x[i] - m[i], single);
            acc[i] = R(acc[i] + R(d * d, single), single);
        }
    }

    /// <summary>Column means as numpy's <c>x.mean(axis=0)</c>: rows added in order, then divided by the count.</summary>
    public static void ColumnMeans(ReadOnlySpan<double> block, int width, Span<double> mean, bool single)
    {
        int rows = block.Length / width;
        var m = mean[..width];
        m.Clear();
        for (int t = 0; t < rows; t++) Add(m, block.Slice(t * width, width), single);
        for (int j = 0; j < width; j++) m[j] = R(m[j] / rows, single);
    }

    /// <summary>Subtracts <paramref name="v"/> from every row (rounded when single).</summary>
    public static void SubtractFromRows(Span<double> block, int width, ReadOnlySpan<double> v, bool single)
    {
        int rows = block.Length / width;
        for (int t = 0; t < rows; t++) Subtract(block.Slice(t * width, width), v[..width], single);
    }

    /// <summary>Adds <paramref name="v"/> to every row (rounded when single).</summary>
    public static void AddToRows(Span<double> block, int width, ReadOnlySpan<double> v, bool single)
    {
        int rows = block.Length / width;
        for (int t = 0; t < rows; t++) Add(block.Slice(t * width, width), v[..width], single);
    }

    /// <summary>numpy's pairwise sum of a contiguous 1-D array (8 accumulators up to 128 values, halving above).</summary>
    public static double PairwiseSum(ReadOnlySpan<double> a, bool single)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0;
            for (int i = 0; i < n; i++) res = R(res + a[i], single);
            return res;
        }
        if (n <= 128)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            int i;
            for (i = 8; i < n - n % 8; i += 8)
                for (int k = 0; k < 8; k++) r[k] = R(r[k] + a[i + k], single);
            double res = R(R(R(r[0] + r[1], single) + R(r[2] + r[3], single), single) +
                           R(R(r[4] + r[5], single) + R(r[6] + r[7], single), single), single);
            for (; i < n; i++) res = R(res + a[i], single);
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return R(PairwiseSum(a[..n2], single) + PairwiseSum(a[n2..], single), single);
    }
}
