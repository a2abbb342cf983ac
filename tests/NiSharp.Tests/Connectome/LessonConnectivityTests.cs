using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;
using NiSharp.Group;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Connectome;

/// <summary>
/// Connectivity on the lesson's real ds000030 parcel time series (12 runs, 147 × 46, columns
/// <c>label_N</c> of the relabelled Yeo atlas; labels 3, 11 and 48 are absent).
/// </summary>
public class LessonConnectivityTests
{
    internal static string[] Files() =>
        Directory.GetFiles(TestPaths.Fixture("lesson", "timeseries"), "*_timeseries.tsv").Order(StringComparer.Ordinal).ToArray();

    internal static RegionTimeSeries[] Runs() => Files().Select(RegionTimeSeries.Read).ToArray();

    [Fact]
    public void Lesson_files_have_46_labelled_regions_without_3_11_48()
    {
        var runs = Runs();
        Assert.Equal(12, runs.Length);
        foreach (var r in runs)
        {
            Assert.Equal(147, r.Signals.RowCount);
            Assert.Equal(46, r.Regions.Count);
            var ids = r.Regions.Select(x => x.LabelId!.Value).ToArray();
            Assert.Equal(Enumerable.Range(1, 49).Except([3, 11, 48]), ids);
        }
    }

    [Theory]
    [InlineData(CovarianceEstimator.LedoitWolf)]
    [InlineData(CovarianceEstimator.Empirical)]
    public void Correlation_matrices_are_symmetric_with_unit_diagonal(CovarianceEstimator estimator)
    {
        var result = GroupConnectivity.Compute(Runs(), new ConnectivityOptions { Kind = ConnectivityKind.Correlation, Estimator = estimator });
        foreach (var m in result.Subjects.Select(s => s.Values).Append(result.Mean.Values))
        {
            for (int i = 0; i < 46; i++)
            {
                Assert.Equal(1.0, m[i, i]);
                for (int j = 0; j < i; j++)
                {
                    Assert.Equal(m[i, j], m[j, i]);
                    Assert.InRange(m[i, j], -1.0, 1.0);
                }
            }
        }
    }

    /// <summary>Pearson's r written out from its definition, independent of the library.</summary>
    private static double Pearson(Matrix<double> x, int a, int b)
    {
        int n = x.RowCount;
        double ma = 0, mb = 0;
        for (int t = 0; t < n; t++) { ma += x[t, a]; mb += x[t, b]; }
        ma /= n; mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int t = 0; t < n; t++)
        {
            double da = x[t, a] - ma, db = x[t, b] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    [Fact]
    public void Empirical_estimator_equals_plain_pearson()
    {
        var runs = Runs();
        var result = GroupConnectivity.Compute(runs, new ConnectivityOptions { Kind = ConnectivityKind.Correlation, Estimator = CovarianceEstimator.Empirical });
        for (int k = 0; k < runs.Length; k++)
        {
            var m = result.Subjects[k].Values;
            for (int i = 0; i < 46; i++)
                for (int j = 0; j < i; j++)
                    Assert.Equal(Pearson(runs[k].Signals, i, j), m[i, j], 1e-12);
        }
    }

    [Fact]
    public void Ledoit_wolf_correlation_is_shrunk_pearson()
    {
        // With z-scored input S has unit diagonal, so LW gives (1-δ)·r off the diagonal: a check of
        // the whole chain against the independent Pearson above and the reported shrinkage.
        var runs = Runs();
        var result = GroupConnectivity.Compute(runs, new ConnectivityOptions { Kind = ConnectivityKind.Correlation });
        for (int k = 0; k < runs.Length; k++)
        {
            double delta = result.Shrinkages[k];
            Assert.InRange(delta, 0.01, 0.5);
            var m = result.Subjects[k].Values;
            Assert.Equal((1 - delta) * Pearson(runs[k].Signals, 41, 43), m[41, 43], 1e-12);
        }
    }

    [Fact]
    public void Roi_44_vs_46_is_found_by_label_id_not_column_position()
    {
        var result = GroupConnectivity.Compute(Runs(), new ConnectivityOptions { Kind = ConnectivityKind.Correlation });
        var matrices = result.Subjects;
        var first = matrices[0];
        // Labels 3 and 11 are missing, so label 44 sits in column 41 and label 46 in column 43;
        // the lesson's [43, 45] (0-based) would be labels 46 and 49.
        Assert.Equal(41, first.IndexOfLabel(44));
        Assert.Equal(43, first.IndexOfLabel(46));
        Assert.Equal("label_46", first.Regions[43].Name);
        Assert.Equal("label_49", first.Regions[45].Name);

        var feature = Assert.Single(ConnectomeFeatures.Pairs(matrices, [(44, 46)]));
        Assert.Equal("label_44", feature.RegionA);
        Assert.Equal("label_46", feature.RegionB);
        for (int s = 0; s < matrices.Count; s++)
        {
            Assert.Equal(matrices[s].Values[41, 43], feature.Values[s]);
            Assert.NotEqual(matrices[s].Values[43, 45], feature.Values[s]);
        }
    }

    [Fact]
    public void Lookup_by_label_survives_a_different_column_order()
    {
        var runs = Runs();
        var m = GroupConnectivity.Compute(runs, new ConnectivityOptions { Kind = ConnectivityKind.Correlation }).Subjects[0];
        // The same matrix with its regions reversed, as another masker run might order them.
        int n = m.Regions.Count;
        var reversed = new ConnectivityMatrix(m.Regions.Reverse().ToArray(),
            Matrix<double>.Build.Dense(n, n, (i, j) => m.Values[n - 1 - i, n - 1 - j]), "reversed");
        var f = ConnectomeFeatures.Pairs([m, reversed], [(44, 46)])[0];
        Assert.Equal(f.Values[0], f.Values[1]);
    }
}
