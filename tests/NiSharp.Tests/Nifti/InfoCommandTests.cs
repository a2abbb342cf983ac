using System.Text.Json;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Nifti;

public class InfoCommandTests
{
    [Fact]
    public void Json_has_the_promised_keys_and_nibabel_values()
    {
        var path = TestPaths.Data("samples", "nibabel_example4d.nii.gz");
        var r = CliRunner.Run("info", path, "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var o = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, o.ValueKind);
        Assert.Equal([128, 96, 24, 2], o.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("int16", o.GetProperty("datatype").GetString());
        Assert.Equal("LAS", o.GetProperty("orientation").GetString());
        Assert.Equal(2.0, o.GetProperty("repetition_time").GetDouble());
        Assert.Equal(2000.0, o.GetProperty("zooms")[3].GetDouble()); // as stored, like nibabel get_zooms
        Assert.Equal(4, o.GetProperty("affine").GetArrayLength());
        Assert.Equal(117.855103, o.GetProperty("affine")[0][3].GetDouble(), 5);
        Assert.Equal(1.0, o.GetProperty("scl_slope").GetDouble());
        Assert.Equal(0.0, o.GetProperty("scl_inter").GetDouble());
    }

    [Fact]
    public void Several_files_give_an_array_and_3d_has_null_tr()
    {
        var r = CliRunner.Run("info", TestPaths.Data("samples", "nipy_anatomical.nii.gz"), TestPaths.Nilearn("in_func.nii.gz"), "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(2, doc.RootElement.GetArrayLength());
        Assert.Equal(JsonValueKind.Null, doc.RootElement[0].GetProperty("repetition_time").ValueKind);
        Assert.Equal("big", doc.RootElement[0].GetProperty("byte_order").GetString());
        Assert.Equal([20, 24, 20, 120], doc.RootElement[1].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Text_output_names_shape_orientation_and_tr()
    {
        var r = CliRunner.Run("info", TestPaths.Data("samples", "nipy_functional.nii.gz"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("(17, 21, 3, 20)", r.Stdout);
        Assert.Contains("LAS", r.Stdout);
        Assert.Contains("2 s", r.Stdout);
        Assert.Contains("slope 0.0754", r.Stdout);
    }

    [Fact]
    public void Text_output_says_when_a_stored_slope_of_zero_is_not_applied()
    {
        // The Yeo atlas stores scl_slope 0: nibabel (and NiSharp) read the values unscaled.
        var r = CliRunner.Run("info", TestPaths.Data("atlases", "yeo2011", "Yeo2011_7Networks_MNI152_FreeSurferConformed1mm.nii.gz"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("(256, 256, 256, 1)", r.Stdout);
        Assert.Contains("LIA", r.Stdout);
        Assert.Contains("slope 0, inter 0  (not applied", r.Stdout);
        var scaled = CliRunner.Run("info", TestPaths.Fixture("nifti", "scaled_int16_tr_msec.nii.gz"));
        Assert.Contains("slope 0.5, inter 10", scaled.Stdout);
        Assert.DoesNotContain("not applied", scaled.Stdout);
        Assert.Contains("2.5 s", scaled.Stdout);
    }

    [Fact]
    public void Unknown_option_is_a_usage_error_with_exit_code_2()
    {
        var r = CliRunner.Run("info", "--bogus");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--bogus", r.Stderr);
    }
}
