using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Connectome;

/// <summary>
/// Bookkeeping for empty regions (NaN columns of region signals, NaN rows and columns of matrices):
/// which regions are present, the sub-matrix on them, and the full-size matrix back with NaN elsewhere.
/// </summary>
internal static class EmptyRegions
{
    /// <summary>Columns of time × regions signals that have values.</summary>
    public static int[] Present(Matrix<double> signalsOrMatrix)
    {
        var keep = new List<int>(signalsOrMatrix.ColumnCount);
        for (int j = 0; j < signalsOrMatrix.ColumnCount; j++)
            if (!RegionTimeSeries.IsEmptyColumn(signalsOrMatrix, j)) keep.Add(j);
        return keep.ToArray();
    }

    /// <summary>Regions present in every matrix.</summary>
    public static int[] PresentInAll(IReadOnlyList<Matrix<double>> matrices)
    {
        var sets = matrices.Select(m => Present(m).ToHashSet()).ToArray();
        return Enumerable.Range(0, matrices[0].ColumnCount).Where(j => sets.All(s => s.Contains(j))).ToArray();
    }

    /// <summary>The columns <paramref name="cols"/> of a time × regions matrix.</summary>
    public static Matrix<double> TakeColumns(Matrix<double> x, int[] cols) =>
        Matrix<double>.Build.Dense(x.RowCount, cols.Length, (t, j) => x[t, cols[j]]);

    /// <summary>The square sub-matrix on <paramref name="idx"/>.</summary>
    public static Matrix<double> Take(Matrix<double> m, int[] idx) =>
        idx.Length == m.RowCount ? m : Matrix<double>.Build.Dense(idx.Length, idx.Length, (i, j) => m[idx[i], idx[j]]);

    /// <summary>An n × n matrix holding <paramref name="m"/> at <paramref name="idx"/> and NaN elsewhere.</summary>
    public static Matrix<double> Expand(Matrix<double> m, int[] idx, int n)
    {
        if (idx.Length == n) return m;
        var full = Matrix<double>.Build.Dense(n, n, double.NaN);
        for (int i = 0; i < idx.Length; i++)
        for (int j = 0; j < idx.Length; j++)
            full[idx[i], idx[j]] = m[i, j];
        return full;
    }

    /// <summary>Entry-wise mean over the matrices that have the entry (NaN where none has it).</summary>
    public static Matrix<double> NanMean(IReadOnlyList<Matrix<double>> matrices)
    {
        var mean = new MeanAccumulator(matrices[0].RowCount);
        foreach (var m in matrices) mean.Add(m);
        return mean.Mean();
    }
}
