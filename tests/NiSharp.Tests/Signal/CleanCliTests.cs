using System.Text.Json;
using NiSharp.Confounds;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary><c>nisharp clean</c>: the same result as the library, the sidecar, and every listed bad input.</summary>
public class CleanCliTests
{
    private static string Func => TestPaths.Nilearn("in_func.nii.gz");
    private static string Mask => TestPaths.Nilearn("in_mask.nii.gz");
    private static string Confounds => TestPaths.Nilearn("in_confounds_fmriprep_full.tsv");

    [Fact]
    public void Clean_with_a_strategy_dummy_volumes_and_band_pass_matches_the_library_and_records_every_parameter()
    {
        using var dir = new TempDir();
        var output = dir.File("clean.nii.gz");
        var r = CliRunner.Run("clean", Func, "--mask", Mask, "--confounds", Confounds, "--strategy", "scrubbing", "--detrend",
            "--low-pass", "0.08", "--high-pass", "0.009", "--t-r", "2", "--dummy-scans", "4", "-o", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var selection = ConfoundSelector.Select(FmriprepConfounds.Load(Confounds), ConfoundPresets.Scrubbing with { DummyScans = DummyScans.Fixed(4) });
        var options = new CleanOptions { LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 };
        var expected = dir.File("expected.nii.gz");
        ImageCleaner.Clean(Func, expected, options, Mask, selection.Regressors, selection.SampleMaskOrNull, dummyScans: 4);
        Assert.Equal(Image.Load(expected).Data, Image.Load(output).Data);
        Assert.Equal(selection.SampleMask.Length, Image.Load(output).Shape[3]);

        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("clean.json")));
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("RepetitionTime").GetDouble());
        Assert.Equal(4, root.GetProperty("dummy_scans").GetInt32());
        var clean = root.GetProperty("clean");
        Assert.True(clean.GetProperty("detrend").GetBoolean());
        Assert.Equal("zscore_sample", clean.GetProperty("standardize").GetString());
        Assert.Equal(0.009, clean.GetProperty("high_pass").GetDouble());
        Assert.Equal(35, clean.GetProperty("n_confounds").GetInt32());
        Assert.Equal("scrubbing", root.GetProperty("confounds").GetProperty("denoise_strategy").GetString());
    }

    [Fact]
    public void Without_columns_or_strategy_every_numeric_column_is_a_regressor()
    {
        using var dir = new TempDir();
        var output = dir.File("c.nii.gz");
        var conf = TestPaths.Nilearn("in_confounds_filled.tsv");
        var r = CliRunner.Run("clean", Func, "--mask", Mask, "--confounds", conf, "--detrend", "--low-pass", "0.08", "--high-pass", "0.009", "--t-r", "2", "-o", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        // This is nilearn's clean_img(func, confounds=matrix, mask_img=mask, ...) case, which the CLI's defaults
        // reproduce as nilearn 0.14 does it.
        var expected = Image.Load(TestPaths.Nilearn(TestPaths.V0_14, "out_clean_img_mask_bandpass_confounds.nii.gz"));
        Approx.Equal(expected.Data.Select(v => (double)v).ToArray(), Image.Load(output).Data.Select(v => (double)v).ToArray(), 0, 3e-5, "cli");
    }

    [Fact]
    public void Confounds_rows_that_do_not_match_the_volumes_name_both_numbers()
    {
        using var dir = new TempDir();
        var shortConf = dir.File("short_desc-confounds_timeseries.tsv");
        File.WriteAllLines(shortConf, File.ReadAllLines(Confounds).Take(101));
        var r = CliRunner.Run("clean", Func, "--confounds", shortConf, "--strategy", "yeo2011", "--dummy-scans", "4", "-o", dir.File("o.nii.gz"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{shortConf}: the confounds have 100 rows but in_func.nii.gz has 120 volumes (96 and 116 after dropping 4 dummy volumes)", r.Stderr);
        Assert.False(File.Exists(dir.File("o.nii.gz")));
    }

    [Fact]
    public void Missing_columns_and_NaN_beyond_the_first_row_are_errors()
    {
        using var dir = new TempDir();
        var a = CliRunner.Run("clean", Func, "--confounds", Confounds, "--columns", "csf,glob_signal", "-o", dir.File("o.nii.gz"));
        Assert.Equal(2, a.ExitCode);
        Assert.Contains("'glob_signal' (closest: global_signal", a.Stderr);
        var lines = File.ReadAllLines(Confounds);
        var header = lines[0].Split('\t');
        int csf = Array.IndexOf(header, "csf");
        var cells = lines[10].Split('\t');
        cells[csf] = "n/a";
        lines[10] = string.Join('\t', cells);
        var bad = dir.File("bad_desc-confounds_timeseries.tsv");
        File.WriteAllLines(bad, lines);
        var b = CliRunner.Run("clean", Func, "--confounds", bad, "--columns", "csf", "-o", dir.File("o.nii.gz"));
        Assert.Equal(2, b.ExitCode);
        Assert.Contains("column 'csf' has n/a in row 10", b.Stderr);
        Assert.False(File.Exists(dir.File("o.nii.gz")));
    }

    [Fact]
    public void High_pass_at_or_above_low_pass_is_an_error()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("clean", Func, "--low-pass", "0.01", "--high-pass", "0.08", "--t-r", "2", "-o", dir.File("o.nii.gz"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("high_pass (0.08 Hz) must be below low_pass (0.01 Hz)", r.Stderr);
    }

    [Fact]
    public void Filtering_an_image_without_any_repetition_time_is_an_error()
    {
        using var dir = new TempDir();
        var image = Image.Load(Func);
        var noTr = dir.File("notr.nii.gz");
        var header = image.Header! with { Pixdim = [1, 3, 3, 3, 0, 1, 1, 1] };
        new Image<float>(image.Shape, image.Affine, image.Data, header).Save(noTr);
        var r = CliRunner.Run("clean", noTr, "--low-pass", "0.08", "-o", dir.File("o.nii.gz"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("notr.nii.gz: filtering needs the repetition time", r.Stderr);
        // Without filtering no TR is needed.
        Assert.Equal(0, CliRunner.Run("clean", noTr, "--detrend", "-o", dir.File("o.nii.gz")).ExitCode);
    }

    [Fact]
    public void The_ICA_AROMA_strategy_requires_the_non_aggressive_image()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("clean", Func, "--confounds", Confounds, "--strategy", "ica_aroma", "-o", dir.File("o.nii.gz"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("desc-smoothAROMAnonaggr_bold", r.Stderr);
    }
}
