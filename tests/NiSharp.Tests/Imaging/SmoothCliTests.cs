using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

/// <summary><c>nisharp smooth</c> and <c>--smoothing-fwhm</c> of <c>nisharp extract</c>.</summary>
public class SmoothCliTests
{
    private static string S(string f) => TestPaths.Fixture("smoothing", f);

    private static void Ok(CliRunner.Result r) => Assert.True(r.ExitCode == 0, r.Stderr);

    [Theory]
    [InlineData("4d_f32", new[] { "6" }, 1e-5)]
    [InlineData("oblique_f64", new[] { "4", "6", "8" }, 1e-10)]
    [InlineData("fast_f32", new[] { "fast" }, 1e-5)]
    public void Smooth_writes_nilearns_smooth_img(string name, string[] fwhm, double rtol)
    {
        using var dir = new TempDir();
        var r = CliRunner.Run([ "smooth", S($"in_{name}.nii.gz"), "--fwhm", .. fwhm, "-o", dir.File("s.nii.gz") ]);
        Ok(r);
        Assert.Contains("fwhm " + string.Join(' ', fwhm), r.Stdout);
        var expected = Image.Load<double>(S($"ref_{name}.nii.gz")).Data;
        Approx.Equal(expected, Image.Load<double>(dir.File("s.nii.gz")).Data, rtol, rtol * expected.Max(Math.Abs) * 0.1, name);
    }

    [Theory]
    [InlineData("-1", "fwhm must be a finite number of mm >= 0, got -1")]
    [InlineData("6 8", "fwhm takes one value, three values")]
    [InlineData("big", "fwhm 'big' is not a number")]
    public void Smooth_errors_exit_2_with_one_line_and_write_nothing(string fwhm, string message)
    {
        using var dir = new TempDir();
        var r = CliRunner.Run([ "smooth", S("in_4d_f32.nii.gz"), "--fwhm", .. fwhm.Split(' '), "-o", dir.File("s.nii.gz") ]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Smooth_of_a_missing_or_broken_file_exits_2_and_writes_nothing()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("broken.nii.gz"), [0x1f, 0x8b, 1, 2, 3]);
        foreach (var input in new[] { dir.File("missing.nii.gz"), dir.File("broken.nii.gz") })
        {
            var r = CliRunner.Run("smooth", input, "--fwhm", "6", "-o", dir.File("s.nii.gz"));
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(Path.GetFileName(input), r.Stderr);
            Assert.False(File.Exists(dir.File("s.nii.gz")));
        }
    }

    [Fact]
    public void Extract_with_smoothing_fwhm_matches_nilearn_and_records_it()
    {
        using var dir = new TempDir();
        var ts = dir.File("ts.tsv");
        Ok(CliRunner.Run("extract", S("in_4d_f32.nii.gz"), "--atlas", S("labels_4d.nii.gz"), "--smoothing-fwhm", "6", "--t-r", "2", "-o", ts));
        var table = TsvTable.Read(ts);
        var got = table.Rows.SelectMany(row => row.Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        Approx.Equal(NpyArray.Load(S("ref_labels_means_fwhm6.npy")).Data, got, 1e-5, 0, "extract --smoothing-fwhm");
        Assert.Contains("\"smoothing_fwhm\": 6", File.ReadAllText(Path.ChangeExtension(ts, ".json")));

        var bad = CliRunner.Run("extract", S("in_4d_f32.nii.gz"), "--atlas", S("labels_4d.nii.gz"), "--smoothing-fwhm", "-3", "--t-r", "2", "-o", dir.File("bad.tsv"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("fwhm must be", bad.Stderr);
        Assert.False(File.Exists(dir.File("bad.tsv")));
    }
}
