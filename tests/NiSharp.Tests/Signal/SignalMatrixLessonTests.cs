using NiSharp.Signal;

namespace NiSharp.Tests.Signal;

/// <summary>The numpy/pandas-shaped members the lesson's code uses: <c>m[4..]</c>, shapes, <c>head()</c>, array round trips.</summary>
public class SignalMatrixLessonTests
{
    private static SignalMatrix<double> Rows(int n, int f)
    {
        var m = new SignalMatrix<double>(n, f);
        for (int t = 0; t < n; t++) for (int j = 0; j < f; j++) m[t, j] = 10 * t + j;
        return m;
    }

    [Fact]
    public void Range_of_rows_is_locs_slice()
    {
        var m = Rows(8, 3);
        var dropped = m[4..];
        Assert.Equal("(4, 3)", dropped.ShapeText());
        Assert.Equal([40.0, 41, 42], dropped.Row(0).ToArray());
        Assert.Equal(m[^2..].Data, m.SliceRows(6, 2).Data);
        Assert.Equal(0, m[8..].Timepoints);
    }

    [Fact]
    public void Head_prints_names_index_and_nan_like_pandas()
    {
        var m = Rows(6, 2);
        m[0, 1] = double.NaN;
        var lines = m.Head(["a", "b_derivative1"]).Split('\n');
        Assert.Equal(6, lines.Length);   // header and 5 rows
        Assert.Equal(["a", "b_derivative1"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["0", "0.000000", "NaN"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["4", "40.000000", "41.000000"], lines[5].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("4 ", m[4..].Head(firstRowIndex: 4).Split('\n')[1]);
    }

    [Fact]
    public void Arrays_round_trip()
    {
        var m = Rows(3, 4);
        var a = m.ToArray();
        Assert.Equal(m[2, 3], a[2, 3]);
        Assert.Equal(m.Data, SignalMatrix<double>.From(a).Data);
    }
}
