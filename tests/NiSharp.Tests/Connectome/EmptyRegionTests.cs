using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Connectome;

/// <summary>
/// Empty regions (labels with no voxels in a run, kept by the maskers as all-NaN columns) are left out
/// of the estimate and come back as NaN rows and columns; the rest equals the estimate without them.
/// </summary>
public class EmptyRegionTests
{
    private static Matrix<double> Signals(int seed, int t = 60, int r = 5)
    {
        var rng = new Random(seed);
        return Matrix<double>.Build.Dense(t, r, (_, _) => rng.NextDouble() * 2 - 1);
    }

    private static Matrix<double> WithEmpty(Matrix<double> x, int column)
    {
        var full = Matrix<double>.Build.Dense(x.RowCount, x.ColumnCount + 1);
        for (int j = 0, src = 0; j < full.ColumnCount; j++)
        {
            if (j == column) { for (int t = 0; t < x.RowCount; t++) full[t, j] = double.NaN; continue; }
            full.SetColumn(j, x.Column(src++));
        }
        return full;
    }

    [Theory]
    [InlineData(ConnectivityKind.Correlation)]
    [InlineData(ConnectivityKind.PartialCorrelation)]
    [InlineData(ConnectivityKind.Covariance)]
    [InlineData(ConnectivityKind.Precision)]
    [InlineData(ConnectivityKind.Tangent)]
    public void An_empty_region_gets_nan_rows_and_the_rest_is_unchanged(ConnectivityKind kind)
    {
        var subjects = new[] { Signals(1), Signals(2), Signals(3) };
        var reference = new ConnectivityMeasure(new ConnectivityOptions { Kind = kind }).FitTransform(subjects);
        var withEmpty = subjects.Select(s => WithEmpty(s, 2)).ToArray();
        var measure = new ConnectivityMeasure(new ConnectivityOptions { Kind = kind });
        var got = measure.FitTransform(withEmpty);
        for (int k = 0; k < subjects.Length; k++)
        {
            Assert.All(Enumerable.Range(0, 6), j => Assert.True(double.IsNaN(got[k][2, j]) && double.IsNaN(got[k][j, 2])));
            var kept = new[] { 0, 1, 3, 4, 5 };
            var reduced = Matrix<double>.Build.Dense(5, 5, (i, j) => got[k][kept[i], kept[j]]);
            Approx.Equal(reference[k].ToRowMajorArray(), reduced.ToRowMajorArray(), rtol: 1e-12, atol: 1e-12, what: $"{kind} subject {k}");
        }
        Assert.True(double.IsNaN(measure.Mean![2, 2]));
    }

    [Fact]
    public void The_group_mean_averages_the_subjects_that_have_the_region()
    {
        var a = Signals(4);
        var b = WithEmpty(Signals(5, r: 4), 1); // region 1 empty in the second subject only
        var m = new ConnectivityMeasure(new ConnectivityOptions { Kind = ConnectivityKind.Correlation });
        var conn = m.FitTransform([a, b]);
        Assert.Equal(conn[0][1, 3], m.Mean![1, 3], 12);
        Assert.Equal((conn[0][0, 3] + conn[1][0, 3]) / 2, m.Mean[0, 3], 12);
    }

    [Fact]
    public void A_tsv_with_an_all_na_column_reads_as_an_empty_region_and_a_gap_is_an_error()
    {
        using var dir = new TempDir();
        var ok = dir.File("ok_timeseries.tsv");
        File.WriteAllText(ok, "label_1\tlabel_2\tlabel_3\n1\tn/a\t3\n2\tn/a\t1\n3\tn/a\t2\n");
        var ts = RegionTimeSeries.Read(ok);
        Assert.True(ts.IsEmpty(1));
        Assert.False(ts.IsEmpty(0));
        var gap = dir.File("gap_timeseries.tsv");
        File.WriteAllText(gap, "label_1\tlabel_2\n1\t2\nn/a\t3\n");
        var e = Assert.Throws<NiSharpException>(() => RegionTimeSeries.Read(gap));
        Assert.Contains("has values elsewhere", e.Message);
    }
}
