using System.Text.Json;
using NiSharp.Atlases;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Maskers;

/// <summary><c>nisharp extract</c>: parity through the CLI, the file format, the flags, errors, and the chain
/// extract → connectivity → compare on small generated subjects.</summary>
public class ExtractCliTests
{
    private static string Nilearn(string name) => TestPaths.Nilearn(name);

    private static CliRunner.Result Run(params string[] args)
    {
        var r = CliRunner.Run(args);
        return r;
    }

    private static void Ok(CliRunner.Result r) => Assert.True(r.ExitCode == 0, r.Stderr);

    [Fact]
    public void Raw_extraction_with_keep_empty_drop_is_nilearns_output()
    {
        using var dir = new TempDir();
        var ts = dir.File("ts.tsv");
        var r = Run("extract", Nilearn("in_func.nii.gz"), "--atlas", Nilearn("in_atlas.nii.gz"), "--keep-empty", "drop", "-o", ts);
        Ok(r);
        Assert.Contains("120 volumes × 7 regions", r.Stdout);
        var table = TsvTable.Read(ts);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"label_{i}"), table.Columns);
        var got = Enumerable.Range(0, 120).SelectMany(t => table.Rows[t].Select(double.Parse)).ToArray();
        Approx.Equal(MaskerFixtures.Nilearn("out_masker_raw.npy").Data, got, 1e-6, 0, "cli raw");
        // the connectome layer reads it with the label ids of the sidecar
        var read = RegionTimeSeries.Read(ts);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (int?)i), read.Regions.Select(x => x.LabelId));
    }

    [Fact]
    public void Cli_writes_exactly_what_the_library_computes_with_confounds_scrubbing_and_cleaning()
    {
        using var dir = new TempDir();
        var ts = dir.File("sub-01_timeseries.tsv");
        Ok(Run("extract", Nilearn("in_func.nii.gz"), "--atlas", Nilearn("in_atlas.nii.gz"), "--confounds", Nilearn("in_confounds_fmriprep_full.tsv"),
            "--strategy", "median", "--strategy", "scrubbing", "--detrend", "--standardize", "zscore_sample", "--low-pass", "0.08", "--high-pass", "0.009",
            "--t-r", "2", "--coverage-out", dir.File("coverage.tsv"), "-o", ts));

        var selection = NiSharp.Confounds.ConfoundSelector.Select(NiSharp.Confounds.FmriprepConfounds.Load(Nilearn("in_confounds_fmriprep_full.tsv")), NiSharp.Confounds.ConfoundPresets.Scrubbing);
        var expected = new LabelsMasker(new LabelsMaskerOptions
        {
            Atlas = Atlas.Load(Nilearn("in_atlas.nii.gz")), Strategy = ReductionStrategy.Median,
            Clean = MaskerOptions.DefaultCleaning with { Detrend = true, Standardize = StandardizeMethod.ZScoreSample, LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 },
        }).FitTransform(Nilearn("in_func.nii.gz"), selection);
        var table = TsvTable.Read(ts);
        Assert.Equal(103, table.RowCount);
        var got = table.Rows.SelectMany(row => row.Select(c => (double)float.Parse(c))).ToArray();
        Assert.Equal(expected.Values.Data, got);   // float32 values written with round-trip precision

        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("sub-01_timeseries.json")));
        var root = json.RootElement;
        Assert.Equal(2.0, root.GetProperty("RepetitionTime").GetDouble());
        Assert.Equal("--t-r", root.GetProperty("RepetitionTimeSource").GetString());   // the fixture's header says 1 s
        Assert.Equal("median", root.GetProperty("masker").GetProperty("strategy").GetString());
        Assert.Equal("scrubbing", root.GetProperty("confounds").GetProperty("denoise_strategy").GetString());
        Assert.Equal(0.009, root.GetProperty("clean").GetProperty("high_pass").GetDouble());
        Assert.Equal(17, root.GetProperty("CensoredVolumes").GetArrayLength());
        Assert.Equal(103, root.GetProperty("KeptVolumes").GetArrayLength());
        Assert.Equal(7, root.GetProperty("Coverage").GetArrayLength());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], root.GetProperty(NiSharp.IO.RegionTimeSeriesFile.LabelIdsKey).EnumerateArray().Select(e => e.GetInt32()));
        var coverage = TsvTable.Read(dir.File("coverage.tsv"));
        Assert.Equal(["index", "name", "network", "atlas_voxels", "grid_voxels", "mask_voxels", "coverage", "status"], coverage.Columns);
        Assert.All(coverage.GetStrings("status"), s => Assert.Equal("extracted", s));
    }

    [Theory]
    [InlineData(TestPaths.V0_14, new string[0])]
    [InlineData(TestPaths.V0_10_4, new[] { "--extrapolate", "--nilearn-semantics", "0.10.4" })]
    public void Scrubbing_with_a_band_pass_gives_nilearns_numbers_with_its_interpolation_and_the_sidecar_says_how(string version, string[] release)
    {
        // nilearn's e2e case: load_confounds_strategy('scrubbing', fd 0.5, dvars 1.5) into the labels masker
        using var dir = new TempDir();
        string[] common = ["extract", Nilearn("in_func.nii.gz"), "--atlas", Nilearn("in_atlas.nii.gz"), "--confounds", TestPaths.Nilearn(version, "in_confounds_fmriprep_full.tsv"),
            "--strategy", "scrubbing", "--detrend", "--standardize", "zscore_sample", "--low-pass", "0.08", "--high-pass", "0.009", "--t-r", "2", "--keep-empty", "drop"];
        var nilearns = dir.File("nilearn_timeseries.tsv");
        Ok(Run([.. common, .. release, "--censored-interpolation", "nilearn", "-o", nilearns]));
        var expected = MaskerFixtures.Nilearn(version, "out_e2e_scrubbing_timeseries.npy");
        var got = TsvTable.Read(nilearns).Rows.SelectMany(row => row.Select(c => (double)float.Parse(c))).ToArray();
        Approx.Equal(expected.Data, got, 1e-5, 1e-5, $"cli e2e {version}");

        var ours = dir.File("ours_timeseries.tsv");
        Ok(Run([.. common, .. release, "-o", ours]));
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("ours_timeseries.json")));
        var clean = json.RootElement.GetProperty("clean");
        Assert.Equal(version == TestPaths.V0_10_4, clean.GetProperty("extrapolate").GetBoolean());
        Assert.StartsWith("every censored volume", clean.GetProperty("sample_mask_interpolation").GetString());
        Assert.Equal($"nilearn {(version == TestPaths.V0_10_4 ? "0.10.4" : "0.14")} signal.clean", clean.GetProperty("semantics").GetString());
        Assert.Equal(version == TestPaths.V0_10_4 ? "ba" : "sos", clean.GetProperty("butterworth_output").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("BackgroundLabel").GetInt32());
    }

    [Fact]
    public void Unknown_release_or_interpolation_is_refused_with_the_choices()
    {
        using var dir = new TempDir();
        var r = Run("extract", Nilearn("in_func.nii.gz"), "--atlas", Nilearn("in_atlas.nii.gz"), "--nilearn-semantics", "0.9", "-o", dir.File("t.tsv"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown nilearn release '0.9': use 0.14", r.Stderr);
        var c = Run("extract", Nilearn("in_func.nii.gz"), "--atlas", Nilearn("in_atlas.nii.gz"), "--censored-interpolation", "some", "-o", dir.File("t.tsv"));
        Assert.NotEqual(0, c.ExitCode);
        Assert.False(File.Exists(dir.File("t.tsv")));
    }

    [Fact]
    public void Defaults_are_nilearns_masker_no_detrend_no_standardisation_no_filter()
    {
        using var dir = new TempDir();
        Ok(Run("extract", Nilearn("in_func.nii.gz"), "--atlas", Nilearn("in_atlas.nii.gz"), "-o", dir.File("ts.tsv")));
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("ts.json")));
        var clean = json.RootElement.GetProperty("clean");
        Assert.False(clean.GetProperty("detrend").GetBoolean());
        Assert.Equal("none", clean.GetProperty("standardize").GetString());
        Assert.Equal(JsonValueKind.Null, clean.GetProperty("low_pass").ValueKind);
        Assert.Equal(JsonValueKind.Null, clean.GetProperty("high_pass").ValueKind);
        Assert.Equal("nan", json.RootElement.GetProperty("masker").GetProperty("keep_empty").GetString());
    }

    [Fact]
    public void Empty_labels_are_n_a_columns_by_default_and_dummy_volumes_are_dropped()
    {
        using var dir = new TempDir();
        var ts = dir.File("ts.tsv");
        var r = Run("extract", Nilearn("in_func.nii.gz"), "--atlas", Nilearn("in_atlas.nii.gz"), "--mask", Nilearn("in_mask_no_label7.nii.gz"),
            "--dummy-scans", "4", "-o", ts);
        Ok(r);
        Assert.Contains("1 empty kept as nan", r.Stdout);
        Assert.Contains("warning", r.Stderr);
        var lines = File.ReadAllLines(ts);
        Assert.Equal(117, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Equal("n/a", l.Split('\t')[6]));
        Assert.Contains("\"dummy_scans\": 4", File.ReadAllText(dir.File("ts.json")));
    }

    [Theory]
    [InlineData("--strategy", "mode", "unknown --strategy 'mode'")]
    [InlineData("--strategy", "scrubbing", "give --confounds")]
    [InlineData("--keep-empty", "maybe", "maybe")]
    [InlineData("--low-pass", "0.001", "high_pass")]
    [InlineData("--min-coverage", "2", "min_coverage")]
    [InlineData("--dummy-scans", "auto", "--confounds")]
    public void Bad_flags_fail_with_one_line_and_write_nothing(string flag, string value, string message)
    {
        using var dir = new TempDir();
        var extra = flag == "--low-pass" ? new[] { "--high-pass", "0.01" } : [];
        var r = Run([.. new[] { "extract", Nilearn("in_func.nii.gz"), "--atlas", Nilearn("in_atlas.nii.gz"), flag, value }, .. extra, "-o", dir.File("ts.tsv")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Bad_inputs_name_the_file()
    {
        using var dir = new TempDir();
        var r = Run("extract", dir.File("nope.nii.gz"), "--atlas", "yeo7", "-o", dir.File("ts.tsv"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("nope.nii.gz", r.Stderr);
        r = Run("extract", Nilearn("in_func.nii.gz"), "--atlas", "no-such-atlas", "-o", dir.File("ts.tsv"));
        Assert.Contains("unknown atlas", r.Stderr);
        r = Run("extract", Nilearn("in_func.nii.gz"), "--atlas", Nilearn("in_atlas.nii.gz"), "--confounds", TestPaths.Nilearn("in_confounds_raw.tsv"), "--dummy-scans", "3",
            "--columns", "trans_x", "-o", Path.Combine(dir.Path, "missing", "ts.tsv"));
        Assert.Contains("folder does not exist", r.Stderr);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Coordinate_atlas_gives_spheres()
    {
        using var dir = new TempDir();
        var ts = dir.File("ts.tsv");
        var r = Run("extract", Nilearn("in_func.nii.gz"), "--atlas", "dosenbach2010", "--radius", "3", "--keep-empty", "drop", "-o", ts);
        Ok(r);
        Assert.Contains("(spheres", r.Stdout);
        var read = RegionTimeSeries.Read(ts);
        Assert.All(read.Regions, x => Assert.NotNull(x.LabelId));
    }

    /// <summary>Small subjects: an 8×8×6 grid at 3 mm with labels 3, 44, 45, 46 (and 50 outside the mask); in
    /// controls (sub-1xx) labels 44 and 46 share a signal, in patients (sub-5xx) they do not.</summary>
    private static (string[] Bold, string Atlas, string Mask) Cohort(TempDir dir)
    {
        int nx = 8, ny = 8, nz = 6, n = nx * ny * nz, nt = 40;
        var affine = Affine.Diagonal(3, 3, 3, -12, -12, -9);
        var labels = new int[n];
        var mask = new byte[n];
        for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
        {
            int v = i + nx * (j + ny * k);
            labels[v] = k >= 4 ? (i < 4 ? 3 : 50) : i < 2 ? 44 : i < 4 ? 45 : i < 6 ? 46 : 0;
            mask[v] = (byte)(labels[v] == 50 ? 0 : 1);
        }
        var atlas = dir.File("atlas.nii.gz");
        new Image<int>([nx, ny, nz], affine, labels).Save(atlas);
        var maskPath = dir.File("mask.nii.gz");
        new Image<byte>([nx, ny, nz], affine, mask).Save(maskPath);
        var bold = new List<string>();
        string[] ids = ["101", "102", "103", "501", "502", "503"];
        for (int s = 0; s < ids.Length; s++)
        {
            var rng = new Random(s + 1);
            var data = new float[n * nt];
            bool control = ids[s][0] == '1';
            for (int t = 0; t < nt; t++)
            {
                double shared = rng.NextDouble() * 10, other = rng.NextDouble() * 10;
                for (int v = 0; v < n; v++)
                {
                    double signal = labels[v] switch { 44 => shared, 46 => control ? shared : other, _ => rng.NextDouble() * 10 };
                    data[t * n + v] = (float)(100 + signal + rng.NextDouble());
                }
            }
            var path = dir.File($"sub-{ids[s]}_task-rest_bold.nii.gz");
            MaskerFixtures.Write(path, data, [nx, ny, nz, nt], affine, tr: 2);
            bold.Add(path);
        }
        return (bold.ToArray(), atlas, maskPath);
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("zero")]
    public void Extract_then_connectivity_then_compare_edge_44_46(string keepEmpty)
    {
        using var dir = new TempDir();
        var (bold, atlas, mask) = Cohort(dir);
        var series = new List<string>();
        foreach (var b in bold)
        {
            var ts = b.Replace("_bold.nii.gz", "_timeseries.tsv");
            Ok(Run("extract", b, "--atlas", atlas, "--mask", mask, "--keep-empty", keepEmpty, "--detrend", "--standardize", "zscore_sample", "-o", ts));
            series.Add(ts);
        }
        var header = File.ReadLines(series[0]).First().Split('\t');
        Assert.Equal(keepEmpty == "drop" ? ["label_3", "label_44", "label_45", "label_46"] : ["label_3", "label_44", "label_45", "label_46", "label_50"], header);
        Ok(Run([.. new[] { "connectivity" }, .. series, "--kind", "correlation", "-o", dir.File("conn")]));
        var matrices = Directory.GetFiles(dir.File("conn"), "*_relmat.tsv");
        var r = Run([.. new[] { "compare" }, .. matrices, "--groups", "1*", "5*", "--edges", "44-46", "--permutations", "0", "-o", dir.File("stats.tsv")]);
        Ok(r);
        var stats = TsvTable.Read(dir.File("stats.tsv"));
        Assert.Equal("44-46", stats.GetStrings("feature")[0]);
        Assert.Equal("label_44", stats.GetStrings("region_a")[0]);
        Assert.Equal("label_46", stats.GetStrings("region_b")[0]);
        Assert.True(stats.GetNumbers("mean1")[0] > 0.8, "controls share the signal");
        Assert.True(stats.GetNumbers("mean2")[0] < 0.5, "patients do not");
    }

    [Fact]
    public void Several_atlases_on_one_read_write_each_atlas_exactly_as_alone()
    {
        using var dir = new TempDir();
        var first = Nilearn("in_atlas.nii.gz");
        var second = dir.File("second.nii.gz");
        File.Copy(first, second);
        string[] common = ["--confounds", Nilearn("in_confounds_fmriprep_full.tsv"), "--strategy", "scrubbing", "--detrend", "--standardize", "zscore_sample",
                           "--low-pass", "0.08", "--t-r", "2"];
        var both = CliRunner.Run(["extract", Nilearn("in_func.nii.gz"), "--atlas", first, second, "-o", dir.File("sub-01_timeseries.tsv"),
                                  "--coverage-out", dir.File("cov.tsv"), .. common]);
        Ok(both);
        var names = new[] { ("inatlas", first), ("second", second) };
        foreach (var (label, atlas) in names)
        {
            var alone = dir.File($"alone-{label}_timeseries.tsv");
            Ok(CliRunner.Run(["extract", Nilearn("in_func.nii.gz"), "--atlas", atlas, "-o", alone, "--coverage-out", dir.File($"cov-{label}.tsv"), .. common]));
            var multi = dir.File($"sub-01_atlas-{label}_timeseries.tsv");
            Assert.Contains(multi, both.Stdout);
            Assert.Equal(File.ReadAllBytes(alone), File.ReadAllBytes(multi));
            Assert.Equal(File.ReadAllBytes(RegionTimeSeriesFile.SidecarPath(alone)), File.ReadAllBytes(RegionTimeSeriesFile.SidecarPath(multi)));
            Assert.Equal(File.ReadAllBytes(dir.File($"cov-{label}.tsv")), File.ReadAllBytes(dir.File($"cov_atlas-{label}.tsv")));
        }
        Assert.False(File.Exists(dir.File("sub-01_timeseries.tsv")));
        // the same atlas twice would write one name twice
        var twice = CliRunner.Run("extract", Nilearn("in_func.nii.gz"), "--atlas", first, first, "-o", dir.File("x_timeseries.tsv"));
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("--atlas", twice.Stderr);
        var labels = CliRunner.Run("extract", Nilearn("in_func.nii.gz"), "--atlas", first, second, "--labels", dir.File("none.tsv"), "-o", dir.File("y.tsv"));
        Assert.Equal(2, labels.ExitCode);
        Assert.Contains("--labels names the labels of one atlas", labels.Stderr);
    }

    [Theory]
    [InlineData("sub-01_task-rest_timeseries.tsv", "sub-01_task-rest_atlas-Yeo7_timeseries.tsv")]
    [InlineData("out.tsv", "out_atlas-Yeo7.tsv")]
    [InlineData("a/b.c/ts", "a/b.c/ts_atlas-Yeo7")]
    public void Several_atlases_name_each_output_with_its_atlas_entity(string output, string expected) =>
        Assert.Equal(expected, NiSharp.Pipeline.Extraction.OutputFor(output, "Yeo7"));
}
