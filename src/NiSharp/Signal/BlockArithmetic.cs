using System.Numerics;
using System.Runtime.CompilerServices;

namespace NiSharp.Signal;

/// <summary>
/// Row-wise arithmetic on a block of signals held time-major (<c>rows × width</c>, one row per timepoint),
/// done the way numpy does it so results match nilearn to rounding: column sums run row by row
/// (numpy reduces a C-ordered axis 0 that way), 1-D sums are pairwise, and float32 signals are rounded
/// to float32 after every operation numpy performs in float32 (computing in double and rounding once
/// gives the correctly rounded float32 result for +, −, ×, ÷ and √).
/// </summary>
internal static class BlockArithmetic
{
    /// <summary>Rounds to float32 when <paramref name="single"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double R(double v, bool single) => single ? (float)v : v;

    /// <summary>Rounds every value to float32 when <paramref name="single"/>.</summary>
    public static void Round(Span<double> values, bool single)
    {
        if (!single) return;
        for (int i = 0; i < values.Length; i++) values[i] = (float)values[i];
    }

    /// <summary>Column means as numpy's <c>x.mean(axis=0)</c>: rows added in order, then divided by the count.</summary>
    public static void ColumnMeans(ReadOnlySpan<double> block, int width, Span<double> mean, bool single)
    {
        int rows = block.Length / width;
        var m = mean[..width];
        m.Clear();
        if (single)
        {
            for (int t = 0; t < rows; t++)
            {
                var row = block.Slice(t * width, width);
                for (int j = 0; j < width; j++) m[j] = (float)(m[j] + row[j]);
            }
            for (int j = 0; j < width; j++) m[j] = (float)(m[j] / rows);
        }
        else
        {
            for (int t = 0; t < rows; t++) AddInPlace(m, block.Slice(t * width, width));
            double inv = rows;
            for (int j = 0; j < width; j++) m[j] /= inv;
        }
    }

    /// <summary>Subtracts <paramref name="v"/> from every row (rounded when single).</summary>
    public static void SubtractFromRows(Span<double> block, int width, ReadOnlySpan<double> v, bool single)
    {
        int rows = block.Length / width;
        for (int t = 0; t < rows; t++)
        {
            var row = block.Slice(t * width, width);
            SubtractInPlace(row, v[..width]);
            Round(row, single);
        }
    }

    /// <summary>Adds <paramref name="v"/> to every row (rounded when single).</summary>
    public static void AddToRows(Span<double> block, int width, ReadOnlySpan<double> v, bool single)
    {
        int rows = block.Length / width;
        for (int t = 0; t < rows; t++)
        {
            var row = block.Slice(t * width, width);
            AddInPlace(row, v[..width]);
            Round(row, single);
        }
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

    /// <summary>x += y, vectorised.</summary>
    public static void AddInPlace(Span<double> x, ReadOnlySpan<double> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int vc = Vector<double>.Count;
            for (; i <= x.Length - vc; i += vc)
                (new Vector<double>(x[i..]) + new Vector<double>(y[i..])).CopyTo(x[i..]);
        }
        for (; i < x.Length; i++) x[i] += y[i];
    }

    /// <summary>x -= y, vectorised.</summary>
    public static void SubtractInPlace(Span<double> x, ReadOnlySpan<double> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int vc = Vector<double>.Count;
            for (; i <= x.Length - vc; i += vc)
                (new Vector<double>(x[i..]) - new Vector<double>(y[i..])).CopyTo(x[i..]);
        }
        for (; i < x.Length; i++) x[i] -= y[i];
    }

    /// <summary>acc += s·y (a multiply then an add, never fused, so results do not depend on the CPU).</summary>
    public static void AddScaled(Span<double> acc, double s, ReadOnlySpan<double> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int vc = Vector<double>.Count;
            var vs = new Vector<double>(s);
            for (; i <= acc.Length - vc; i += vc)
                (new Vector<double>(acc[i..]) + vs * new Vector<double>(y[i..])).CopyTo(acc[i..]);
        }
        for (; i < acc.Length; i++) acc[i] += s * y[i];
    }
}
