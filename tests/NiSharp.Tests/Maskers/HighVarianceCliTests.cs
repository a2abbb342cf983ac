using System.Globalization;
using System.Text.Json;
using NiSharp.IO;
using NiSharp.Tests.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Maskers;

/// <summary><c>nisharp extract --high-variance-confounds</c> and <c>nisharp run --high-variance-confounds</c>.</summary>
public class HighVarianceCliTests
{
    private static string F(string name) => HighVarianceConfoundsTests.F(name);

    private static double[] Values(string tsv)
    {
        var table = TsvTable.Read(tsv);
        return table.Rows.SelectMany(r => r.Select(v => double.Parse(v, CultureInfo.InvariantCulture))).ToArray();
    }

    [Fact]
    public void Extract_with_the_flag_equals_extract_with_the_reference_confounds_as_a_file()
    {
        using var dir = new TempDir();
        // the reference confounds (fixtures) written as a confounds TSV
        var reference = NpyArray.Load(F("img_nomask_ref.npy"));
        var conf = dir.File("hv_confounds.tsv");
        File.WriteAllLines(conf, new[] { "c1\tc2\tc3\tc4\tc5" }.Concat(reference.ToRows().Select(r => string.Join('\t', r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))));

        var a = CliRunner.Run("extract", F("img_f64.nii.gz"), "--atlas", F("labels.nii.gz"), "--t-r", "2", "--detrend", "--standardize", "zscore",
            "--high-variance-confounds", "-o", dir.File("hv.tsv"));
        Assert.True(a.ExitCode == 0, a.Stderr);
        var b = CliRunner.Run("extract", F("img_f64.nii.gz"), "--atlas", F("labels.nii.gz"), "--t-r", "2", "--detrend", "--standardize", "zscore",
            "--confounds", conf, "-o", dir.File("explicit.tsv"));
        Assert.True(b.ExitCode == 0, b.Stderr);
        Approx.Equal(Values(dir.File("explicit.tsv")), Values(dir.File("hv.tsv")), 0, 1e-8, "cli region signals");

        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("hv.json")));
        Assert.True(json.RootElement.GetProperty("masker").GetProperty("high_variance_confounds").GetBoolean());
        Assert.Equal(5, json.RootElement.GetProperty("clean").GetProperty("n_confounds").GetInt32());
        // without the flag the sidecar does not mention it
        var c = CliRunner.Run("extract", F("img_f64.nii.gz"), "--atlas", F("labels.nii.gz"), "-o", dir.File("plain.tsv"));
        Assert.True(c.ExitCode == 0, c.Stderr);
        using var plain = JsonDocument.Parse(File.ReadAllText(dir.File("plain.json")));
        Assert.False(plain.RootElement.GetProperty("masker").TryGetProperty("high_variance_confounds", out _));
    }

    [Fact]
    public void Clean_has_no_such_flag_as_nilearns_clean_img()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("clean", F("img_f64.nii.gz"), "--high-variance-confounds", "-o", dir.File("x.nii.gz"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("'--high-variance-confounds'", r.Stderr + r.Stdout);
        Assert.False(File.Exists(dir.File("x.nii.gz")));
    }

    [Fact]
    public void Run_accepts_the_flag()
    {
        var r = CliRunner.Run("run", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--high-variance-confounds", r.Stdout);
    }
}
