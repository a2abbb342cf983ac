using System.Numerics;

namespace NiSharp.Signal;

/// <summary>
/// Signals as nilearn holds them: a (timepoints × features) matrix, row-major, so that one timepoint
/// (one volume of a voxel set, one row of a region-signal table) is contiguous. <typeparamref name="T"/>
/// is <see cref="float"/> or <see cref="double"/>; cleaning keeps the type, as nilearn keeps float32.
/// </summary>
public sealed class SignalMatrix<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Number of timepoints (rows).</summary>
    public int Timepoints { get; }

    /// <summary>Number of features: voxels, regions or confound columns.</summary>
    public int Features { get; }

    /// <summary>The values, row-major: element (t, f) is at <c>t * Features + f</c>.</summary>
    public T[] Data { get; }

    /// <summary>Wraps <paramref name="data"/> (not copied); a zero matrix when it is null.</summary>
    public SignalMatrix(int timepoints, int features, T[]? data = null)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException("signals are float32 or float64");
        ArgumentOutOfRangeException.ThrowIfNegative(timepoints);
        ArgumentOutOfRangeException.ThrowIfNegative(features);
        long n = (long)timepoints * features;
        if (data is not null && data.Length != n)
            throw new ArgumentException($"a {timepoints}×{features} matrix needs {n} values, got {data.Length}", nameof(data));
        Timepoints = timepoints;
        Features = features;
        Data = data ?? new T[n];
    }

    /// <summary>Element (t, f).</summary>
    public T this[int t, int f]
    {
        get => Data[t * Features + f];
        set => Data[t * Features + f] = value;
    }

    /// <summary>The values at timepoint <paramref name="t"/>.</summary>
    public Span<T> Row(int t) => Data.AsSpan(t * Features, Features);

    /// <summary>A copy of feature <paramref name="f"/>'s time series.</summary>
    public T[] Column(int f)
    {
        var c = new T[Timepoints];
        for (int t = 0; t < Timepoints; t++) c[t] = Data[t * Features + f];
        return c;
    }

    /// <summary>A matrix from columns (each a time series of the same length).</summary>
    public static SignalMatrix<T> FromColumns(IReadOnlyList<T[]> columns)
    {
        int n = columns.Count == 0 ? 0 : columns[0].Length;
        var m = new SignalMatrix<T>(n, columns.Count);
        for (int f = 0; f < columns.Count; f++)
        {
            if (columns[f].Length != n) throw new ArgumentException("columns differ in length", nameof(columns));
            for (int t = 0; t < n; t++) m.Data[t * columns.Count + f] = columns[f][t];
        }
        return m;
    }

    /// <summary>A matrix from a [timepoints, features] array (e.g. <c>Masking.ApplyMask</c>'s), copied.</summary>
    public static SignalMatrix<T> From(T[,] values)
    {
        int nt = values.GetLength(0), nf = values.GetLength(1);
        var m = new SignalMatrix<T>(nt, nf);
        for (int t = 0; t < nt; t++)
            for (int f = 0; f < nf; f++) m.Data[t * nf + f] = values[t, f];
        return m;
    }

    /// <summary>The values as a [timepoints, features] array (e.g. for <c>Masking.Unmask</c>).</summary>
    public T[,] ToArray()
    {
        var a = new T[Timepoints, Features];
        for (int t = 0; t < Timepoints; t++)
            for (int f = 0; f < Features; f++) a[t, f] = Data[t * Features + f];
        return a;
    }

    /// <summary>The rows at <paramref name="rows"/>, in that order.</summary>
    public SignalMatrix<T> SelectRows(ReadOnlySpan<int> rows)
    {
        var m = new SignalMatrix<T>(rows.Length, Features);
        for (int i = 0; i < rows.Length; i++) Row(rows[i]).CopyTo(m.Row(i));
        return m;
    }

    /// <summary>Rows <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1.</summary>
    public SignalMatrix<T> SliceRows(int start, int count)
    {
        var m = new SignalMatrix<T>(count, Features);
        Data.AsSpan(start * Features, count * Features).CopyTo(m.Data);
        return m;
    }

    /// <summary>The rows in <paramref name="rows"/> (a copy): <c>confounds[4..]</c> is pandas' <c>df.loc[4:]</c> /
    /// numpy's <c>confounds[4:, :]</c>.</summary>
    public SignalMatrix<T> this[Range rows]
    {
        get
        {
            var (start, count) = rows.GetOffsetAndLength(Timepoints);
            return SliceRows(start, count);
        }
    }

    /// <summary>The shape as numpy prints it, e.g. <c>(148, 18)</c>.</summary>
    public string ShapeText() => $"({Timepoints}, {Features})";

    /// <summary>
    /// The first <paramref name="rows"/> rows as text, one line per row under a header of <paramref name="columns"/>
    /// (or column numbers), the way pandas prints <c>df.head()</c>; <paramref name="firstRowIndex"/> is the index
    /// printed for the first row (e.g. 4 after dropping four rows).
    /// </summary>
    public string Head(IReadOnlyList<string>? columns = null, int rows = 5, int firstRowIndex = 0)
    {
        if (columns is not null && columns.Count != Features)
            throw new ArgumentException($"{columns.Count} column names for {Features} columns", nameof(columns));
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        int n = Math.Min(rows, Timepoints);
        var names = Enumerable.Range(0, Features).Select(f => columns?[f] ?? f.ToString(ci)).ToArray();
        var cells = new string[n, Features];
        var width = names.Select(h => h.Length).ToArray();
        for (int t = 0; t < n; t++)
            for (int f = 0; f < Features; f++)
            {
                double v = double.CreateTruncating(this[t, f]);
                cells[t, f] = double.IsNaN(v) ? "NaN" : v.ToString("0.000000", ci);
                width[f] = Math.Max(width[f], cells[t, f].Length);
            }
        int indexWidth = (firstRowIndex + Math.Max(n, 1)).ToString(ci).Length;
        var sb = new System.Text.StringBuilder();
        sb.Append(' ', indexWidth);
        for (int f = 0; f < Features; f++) sb.Append("  ").Append(names[f].PadLeft(width[f]));
        for (int t = 0; t < n; t++)
        {
            sb.Append('\n').Append((firstRowIndex + t).ToString(ci).PadRight(indexWidth));
            for (int f = 0; f < Features; f++) sb.Append("  ").Append(cells[t, f].PadLeft(width[f]));
        }
        return sb.ToString();
    }

    /// <summary>A copy.</summary>
    public SignalMatrix<T> Clone() => new(Timepoints, Features, (T[])Data.Clone());

    /// <summary>A copy converted to <typeparamref name="TOut"/>.</summary>
    public SignalMatrix<TOut> As<TOut>() where TOut : unmanaged, IBinaryFloatingPointIeee754<TOut>
    {
        var d = new TOut[Data.Length];
        for (int i = 0; i < d.Length; i++) d[i] = TOut.CreateTruncating(Data[i]);
        return new SignalMatrix<TOut>(Timepoints, Features, d);
    }
}
