using System.Text.Json;
using NiSharp.Confounds;
using NiSharp.IO;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Confounds;

/// <summary><c>nisharp confounds</c>: the regressors TSV, the kept-volume list, the sidecar, and errors.</summary>
public class ConfoundsCliTests
{
    [Fact]
    public void Yeo2011_with_four_dummy_volumes_writes_regressors_sample_mask_and_sidecar()
    {
        using var dir = new TempDir();
        var output = dir.File("regressors.tsv");
        var r = CliRunner.Run("confounds", ConfoundFixtures.NilearnFull, "--strategy", "yeo2011", "--dummy-scans", "4", "-o", output);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("116 volumes × 18 regressors", r.Stdout);
        var table = TsvTable.Read(output);
        var expected = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(), ConfoundPresets.Yeo2011 with { DummyScans = DummyScans.Fixed(4) });
        Assert.Equal(expected.Columns, table.Columns);
        Assert.Equal(116, table.RowCount);
        for (int j = 0; j < 18; j++)
            Assert.Equal(Enumerable.Range(0, 116).Select(t => expected.Regressors[t, j]), table.GetNumbers(j));
        var mask = TsvTable.Read(dir.File("regressors_samplemask.tsv"));
        Assert.Equal(["sample_mask", "original_volume"], mask.Columns);
        Assert.Equal(Enumerable.Range(0, 116).Select(i => (double)i), mask.GetNumbers("sample_mask"));
        Assert.Equal(Enumerable.Range(4, 116).Select(i => (double)i), mask.GetNumbers("original_volume"));
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("regressors.json")));
        Assert.Equal("yeo2011", json.RootElement.GetProperty("denoise_strategy").GetString());
        Assert.Equal(4, json.RootElement.GetProperty("dummy_scans").GetInt32());
        Assert.Equal(18, json.RootElement.GetProperty("columns").GetArrayLength());
    }

    [Fact]
    public void Old_CamelCase_files_come_out_with_current_names_and_computed_derivatives()
    {
        using var dir = new TempDir();
        var output = dir.File("reg.tsv");
        var r = CliRunner.Run("confounds", ConfoundFixtures.NeurocapsOld, "--columns", "X,RotY,WhiteMatter", "--derivatives", "--fd-threshold", "0.3", "-o", output);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("X→trans_x", r.Stderr);
        Assert.Contains("uses fMRIPrep ≤ 1.1 names", r.Stderr);
        Assert.Contains("computed trans_x_derivative1", r.Stderr);
        Assert.Equal(["trans_x", "rot_y", "white_matter", "trans_x_derivative1", "rot_y_derivative1", "white_matter_derivative1"], TsvTable.Read(output).Columns);
        var kept = TsvTable.Read(dir.File("reg_samplemask.tsv")).RowCount;
        Assert.True(kept < 40);
    }

    [Fact]
    public void A_current_file_with_a_stray_old_name_is_not_called_fmriprep_1_1()
    {
        // The ds000031 file is snake_case except for its cosine_00 columns, which become cosine00.
        using var dir = new TempDir();
        var r = CliRunner.Run("confounds", ConfoundFixtures.Neurocaps, "--columns", "cosine00,trans_x", "-o", dir.File("reg.tsv"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("uses non-current names; renamed cosine_00→cosine00", r.Stderr);
        Assert.DoesNotContain("1.1", r.Stderr);
        Assert.Equal(["cosine00", "trans_x"], TsvTable.Read(dir.File("reg.tsv")).Columns);
    }

    [Fact]
    public void Missing_columns_exit_2_with_the_closest_names()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("confounds", ConfoundFixtures.NilearnFull, "--columns", "white_mater", "-o", dir.File("x.tsv"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'white_mater' (closest: white_matter", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_selection_is_required_and_derivatives_need_columns()
    {
        using var dir = new TempDir();
        var none = CliRunner.Run("confounds", ConfoundFixtures.NilearnFull, "-o", dir.File("x.tsv"));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--strategy and/or --columns", none.Stderr);
        var deriv = CliRunner.Run("confounds", ConfoundFixtures.NilearnFull, "--strategy", "simple", "--derivatives", "-o", dir.File("x.tsv"));
        Assert.Equal(2, deriv.ExitCode);
        Assert.Contains("--derivatives applies to --columns", deriv.Stderr);
        var dummy = CliRunner.Run("confounds", ConfoundFixtures.NilearnFull, "--strategy", "simple", "--dummy-scans", "four", "-o", dir.File("x.tsv"));
        Assert.Equal(2, dummy.ExitCode);
        Assert.Contains("'auto'", dummy.Stderr);
    }

    [Fact]
    public void Scrubbing_thresholds_turn_censoring_on()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("confounds", ConfoundFixtures.NilearnFull, "--strategy", "scrubbing", "--fd-threshold", "0.2", "--std-dvars-threshold", "3", "-o", dir.File("s.tsv"));
        Assert.Equal(0, r.ExitCode);
        var expected = NpyArray.Load(TestPaths.Nilearn("out_lc_load_confounds_strategy_scrubbing_sample_mask.npy")).Data;
        Assert.Equal(expected, TsvTable.Read(dir.File("s_samplemask.tsv")).GetNumbers("sample_mask"));
    }
}
