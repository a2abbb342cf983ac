using NiSharp.Atlases;

namespace NiSharp.Tests.Atlases;

public class LabelTableTests
{
    [Fact]
    public void Reads_a_freesurfer_lut()
    {
        var t = LabelTable.Parse(["#$Id: lut", "  0            NONE   0   0   0   0", "  1     7Networks_1 120  18 134   0", "  2     7Networks_2  70 130 180   0"], "lut.txt");
        Assert.Equal(2, t.Regions.Count);
        Assert.Equal(new AtlasLabel(1, "7Networks_1", null, new Rgba(120, 18, 134)), t[1]);
        Assert.Equal("NONE", t[0]!.Name);
    }

    [Fact]
    public void Reads_schaefer_order_txt_and_order_info()
    {
        var t = LabelTable.Parse(["1\t17Networks_LH_VisCent_ExStr_1\t120\t18\t136\t0", "2\t17Networks_RH_DefaultA_PFCm_2\t255\t0\t2\t0"], "s.txt");
        Assert.Equal("VisCent", t[1]!.Network);
        Assert.Equal("DefaultA", t[2]!.Network);
        var info = LabelTable.Parse(["7Networks_LH_Vis_1", "1 120 18 131 0", "7Networks_LH_Vis_2", "2 120 18 132 0"], "info.txt");
        Assert.Equal(new AtlasLabel(2, "7Networks_LH_Vis_2", "Vis", new Rgba(120, 18, 132)), info[2]);
    }

    [Fact]
    public void Reads_csv_with_and_without_header_and_bids_tsv()
    {
        var np = LabelTable.Parse(["0,null,,,,,", "1,L_Precentral_gyrus,,,,,", "2,R_Precentral_gyrus,,,,,"], "aal.csv");
        Assert.Equal("R_Precentral_gyrus", np[2]!.Name);
        var hdr = LabelTable.Parse(["name,index,network", "DMN-a,5,Default", "Vis-b,7,Vis"], "h.csv");
        Assert.Equal(new AtlasLabel(5, "DMN-a", "Default"), hdr[5]);
        var tsv = LabelTable.Parse(["index\tname\tcolor", "1\tLeft-Thalamus\t#00760e", "2\tRight-Thalamus\tn/a"], "dseg.tsv");
        Assert.Equal(new Rgba(0, 0x76, 0x0e), tsv[1]!.Colour);
        Assert.Null(tsv[2]!.Colour);
    }

    [Fact]
    public void Reads_a_plain_list_of_names()
    {
        var t = LabelTable.Parse(["Background", "region01", "region02"], "names.txt");
        Assert.Equal("region02", t[2]!.Name);
        var u = LabelTable.Parse(["a", "b"], "names.txt");
        Assert.Equal("a", u[1]!.Name);
    }

    [Fact]
    public void Round_trips_through_tsv()
    {
        using var dir = new Support.TempDir();
        var t = new LabelTable([new AtlasLabel(1, "a", "Vis", new Rgba(1, 2, 3)), new AtlasLabel(3, "b")]);
        t.WriteTsv(dir.File("l.tsv"));
        var back = LabelTable.Read(dir.File("l.tsv"));
        Assert.Equal(t.All, back.All);
    }

    [Fact]
    public void Bad_files_are_one_line_errors_naming_the_file()
    {
        Assert.StartsWith("x.txt: ", Assert.Throws<NiSharpException>(() => LabelTable.Parse(["1 a", "1 b"], "x.txt")).Message);
        Assert.StartsWith("x.txt: ", Assert.Throws<NiSharpException>(() => LabelTable.Parse(["1 a 300 0 0"], "x.txt")).Message);
        Assert.StartsWith("x.txt: ", Assert.Throws<NiSharpException>(() => LabelTable.Parse([""], "x.txt")).Message);
    }
}
