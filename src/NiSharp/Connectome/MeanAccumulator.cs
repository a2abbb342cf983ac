using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Connectome;

/// <summary>Element-wise running sums of matrices over the same regions as doubles, n/a entries skipped, one matrix at a
/// time in the order given: the NaN-mean of connectivity matrices (<see cref="EmptyRegions.NanMean"/>, the top page's
/// mean matrix) without holding the matrices.</summary>
internal sealed class MeanAccumulator(int regions)
{
    private readonly double[] _sum = new double[regions * regions];
    private readonly int[] _count = new int[regions * regions];

    /// <summary>Matrices added.</summary>
    public int Matrices { get; private set; }

    /// <summary>Adds a matrix of regions × regions values.</summary>
    public void Add(Matrix<double> values)
    {
        if (values.RowCount != regions || values.ColumnCount != regions) throw new ArgumentException("a matrix over other regions");
        // On the column-major storage: the same additions, in the same order, as entry by entry.
        var v = values.AsColumnMajorArray() ?? values.ToColumnMajorArray();
        for (int k = 0; k < v.Length; k++)
        {
            if (double.IsNaN(v[k])) continue;
            _sum[k] += v[k];
            _count[k]++;
        }
        Matrices++;
    }

    /// <summary>Each entry's sum over its count (NaN where every matrix had n/a).</summary>
    public Matrix<double> Mean()
    {
        var mean = new double[_sum.Length];
        for (int k = 0; k < mean.Length; k++) mean[k] = _count[k] > 0 ? _sum[k] / _count[k] : double.NaN;
        return Matrix<double>.Build.Dense(regions, regions, mean);
    }
}
