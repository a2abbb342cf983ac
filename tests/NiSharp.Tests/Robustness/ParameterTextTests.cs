using CsCheck;

namespace NiSharp.Tests.Robustness;

/// <summary>Library messages name parameters, which a front end spells its own way (<see cref="ParameterText"/>).</summary>
public class ParameterTextTests
{
    [Fact]
    public void Values_are_formatted_as_a_plain_interpolated_string_formats_them() =>
        Gen.Select(Gen.Double, Gen.Int, Gen.String).Sample((d, i, s) =>
        {
            ParameterText text = $"{d:0.###} [{i,6}] {s} {d}";
            Assert.Equal($"{d:0.###} [{i,6}] {s} {d}", text.ToString());
            Assert.Empty(text.Parameters);
        });

    [Fact]
    public void Parameters_read_with_the_librarys_names_and_are_spelled_by_a_front_end()
    {
        ParameterText text = $"column 'x' has 3 values: choose two with {new ParameterName("groups")} or give {new ParameterName("participants_file")}";
        Assert.Equal("column 'x' has 3 values: choose two with groups or give participants_file", text.ToString());
        Assert.Equal(["groups", "participants_file"], text.Parameters);
        Assert.Equal("column 'x' has 3 values: choose two with --groups or give --participants-file", text.ToString(p => "--" + p.Replace('_', '-')));
    }

    [Fact]
    public void Text_inside_text_keeps_its_parameters()
    {
        ParameterText hint = $" (see {new ParameterName("networks")})";
        ParameterText text = $"no region{hint}";
        Assert.Equal("no region (see --networks)", text.ToString(p => "--" + p));
    }

    [Fact]
    public void An_error_names_its_parameters_in_the_message_and_keeps_them_when_told_about_a_file()
    {
        var e = new NiSharpException($"choose edges with {new ParameterName("edges")}");
        Assert.Equal("choose edges with edges", e.Message);
        Assert.Null(e.Parameter);
        var inFile = e.InFile("/data/a.tsv");
        Assert.Equal("/data/a.tsv", inFile.FilePath);
        Assert.Equal("/data/a.tsv: choose edges with edges", inFile.Message);
        Assert.Equal("/data/a.tsv: choose edges with --edges", inFile.MessageNaming(p => "--" + p));

        var bad = NiSharpException.InParameter("dummy_scans", $" must be a number of volumes or 'auto', got 'x'");
        Assert.Equal("dummy_scans", bad.Parameter);
        Assert.Equal("dummy_scans must be a number of volumes or 'auto', got 'x'", bad.Message);
        Assert.Equal("--dummy-scans must be a number of volumes or 'auto', got 'x'", bad.MessageNaming(p => "--dummy-scans"));
        Assert.Equal("dummy_scans", bad.InFile("/x").Parameter);
    }

    [Fact]
    public void An_empty_sample_mask_keeps_its_type_when_told_about_a_file()
    {
        var e = new AllVolumesRemovedException().InFile("/data/bold.nii.gz");
        Assert.IsType<AllVolumesRemovedException>(e);
        Assert.StartsWith("/data/bold.nii.gz: the sample mask removes every volume", e.Message);
    }
}
