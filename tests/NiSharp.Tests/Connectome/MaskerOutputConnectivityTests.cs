using NiSharp.Pipeline;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Atlases;
using NiSharp.Connectome;
using NiSharp.Maskers;
using NiSharp.Nifti;

namespace NiSharp.Tests.Connectome;

/// <summary>Connectivity straight from what a labels masker returns, read by label id (the lesson's ROIs 44 and 46).</summary>
public class MaskerOutputConnectivityTests
{
    /// <summary>A 4×3×2 atlas with labels 5, 9 and 12, random data, and a mask that removes all of label 5.</summary>
    private static (RegionSignals Nan, RegionSignals Drop) Extract()
    {
        int[] labels = [5, 5, 9, 9, 5, 0, 9, 0, 12, 12, 0, 0, 5, 5, 9, 9, 5, 0, 9, 0, 12, 12, 0, 0];
        var atlas = Atlas.FromImage(new Image<int>([4, 3, 2], Affine.Identity, labels), name: "small");
        var rng = new Random(3);
        var data = new float[24 * 30];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble();
        var img = new Image<float>([4, 3, 2, 30], Affine.Identity, data);
        var mask = new Image<byte>([4, 3, 2], Affine.Identity, labels.Select(l => l == 5 ? (byte)0 : (byte)1).ToArray());
        var o = new LabelsMaskerOptions { Atlas = atlas, MaskImg = mask };
        return (new LabelsMasker(o).FitTransform(img), new LabelsMasker(o with { KeepEmpty = KeepEmpty.Drop }).FitTransform(img));
    }

    [Fact]
    public void Values_are_read_by_label_whatever_the_columns()
    {
        var (nan, drop) = Extract();
        Assert.Equal([5, 9, 12], nan.LabelIds);
        Assert.Equal([9, 12], drop.LabelIds);
        Assert.Equal([9, 12], nan.ExtractedLabels);   // nilearn's labels_
        var measure = new ConnectivityMeasure(ConnectivityKind.Correlation);
        var withEmpty = measure.FitTransform([nan.ToTimeSeries()])[0];
        var nilearnLike = measure.FitTransform([drop.ToTimeSeries()])[0];
        Assert.Equal("(3, 3)", withEmpty.ShapeText());
        Assert.Equal("(2, 2)", nilearnLike.ShapeText());

        // The reference: the measure on the plain (time × regions) matrix of the two extracted regions.
        var x = Matrix<double>.Build.Dense(drop.Timepoints, 2, (t, j) => drop.Values[t, j]);
        double expected = new ConnectivityMeasure(ConnectivityKind.Correlation).FitTransform([x])[0][0, 1];
        Assert.Equal(expected, nilearnLike.Between(9, 12), 12);
        Assert.Equal(expected, withEmpty.Between(9, 12), 12);
        Assert.Equal(withEmpty.Between(12, 9), withEmpty.Between(9, 12));
        Assert.True(double.IsNaN(withEmpty.Between(5, 9)));   // the empty region's row is NaN, not 0
        var e = Assert.Throws<NiSharpException>(() => nilearnLike.Between(5, 9));
        Assert.Contains("label 5", e.Message);
    }

    [Fact]
    public void Region_time_series_keep_names_and_ids()
    {
        var (nan, _) = Extract();
        var ts = nan.ToTimeSeries();
        Assert.Equal([5, 9, 12], ts.Regions.Select(r => r.LabelId!.Value));
        Assert.Equal(nan.ColumnNames, ts.Regions.Select(r => r.Name));
        Assert.Equal(nan.Values[7, 2], ts.Signals[7, 2]);
        Assert.True(ts.IsEmpty(0));
    }
}
