using NiSharp.Confounds;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Confounds;

/// <summary><c>FmriprepConfounds.Extract</c>: the lesson's <c>extract_confounds</c> (pandas column selection, derivatives after).</summary>
public class ExtractTests
{
    [Fact]
    public void Columns_in_order_then_their_derivatives_with_the_files_nan_first_row()
    {
        using var dir = new TempDir();
        var path = ConfoundFixtures.Write(dir, "sub-01_task-rest_desc-confounds_timeseries.tsv",
            "csf\ttrans_x\ttrans_x_derivative1\tother",
            "10\t0.5\tn/a\t7",
            "12\t0.25\t-0.25\t7",
            "11\t1\t0.75\t7");
        var c = FmriprepConfounds.Load(path);
        var m = c.Extract(["trans_x", "csf"], derivatives: true);
        Assert.Equal("(3, 4)", m.ShapeText());
        // columns: trans_x, csf, trans_x_derivative1 (read), csf_derivative1 (computed as fMRIPrep: backward difference)
        Assert.Equal([0.5, 10, double.NaN, double.NaN], m.Row(0).ToArray());
        Assert.Equal([0.25, 12, -0.25, 2], m.Row(1).ToArray());
        Assert.Equal([1, 11, 0.75, -1], m.Row(2).ToArray());
        Assert.Equal("(2, 2)", c.Extract(["other", "csf"])[1..].ShapeText());
    }

    [Fact]
    public void A_missing_column_is_named()
    {
        var c = ConfoundFixtures.LoadNilearnFull();
        var e = Assert.Throws<NiSharpException>(() => c.Extract(["trans_x", "globalsignal"]));
        Assert.Contains("globalsignal", e.Message);
    }
}
