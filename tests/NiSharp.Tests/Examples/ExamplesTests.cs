using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;
using SkiaSharp;

namespace NiSharp.Tests.Examples;

/// <summary>
/// The lesson's dataset for the examples, generated once (the notebooks' four subjects, as <c>dotnet run
/// examples/…</c> uses by default) into a temporary folder, and a temporary output root.
/// </summary>
public sealed class ExamplesFixture : IDisposable
{
    private readonly TempDir _root = new();

    /// <summary>The repository checkout (the folder holding <c>NiSharp.slnx</c>).</summary>
    public string Repository { get; }

    /// <summary>What <c>NISHARP_EXAMPLES_DATA</c> points the examples to.</summary>
    public string DataRoot => Path.Combine(_root.Path, "data");

    /// <summary>What <c>NISHARP_EXAMPLES_OUTPUT</c> points the examples to.</summary>
    public string OutputRoot => Path.Combine(_root.Path, "output");

    public ExamplesFixture()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NiSharp.slnx"))) dir = dir.Parent;
        Repository = dir?.FullName ?? throw new InvalidOperationException("the tests do not run from a checkout (no NiSharp.slnx above " + AppContext.BaseDirectory + ")");
        DemoDataset.Ensure(Path.Combine(DataRoot, "notebook"), DemoOptions.LessonNotebook);
    }

    /// <summary>Runs <c>dotnet run -c Release examples/<paramref name="name"/>.cs</c> (Release: the library the test build
    /// already compiled is reused) and returns its exit code and output.</summary>
    public (int ExitCode, string Stdout, string Stderr) Run(string name)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["run", "-c", "Release", Path.Combine("examples", name + ".cs")])
        {
            WorkingDirectory = Repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NISHARP_EXAMPLES_DATA"] = DataRoot;
        start.Environment["NISHARP_EXAMPLES_OUTPUT"] = OutputRoot;
        start.Environment["NISHARP_LESSON_FULL"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{name} did not finish in 5 minutes:\n{stdout}");
        }
        return (p.ExitCode, stdout, stderr.Result);
    }

    public void Dispose() => _root.Dispose();
}

/// <summary>
/// Every runnable example of the lesson (<c>examples/NN-*.cs</c>) runs as a child process on the notebooks' four
/// subjects, exits 0, prints the shapes and lists the lesson prints for that data, and draws every figure of its
/// episode (each PNG decodes and is not blank). Expected values come from the lesson and the demo's design
/// (subject ids, 65×77×49×152 runs, 18 regressors, the relabelled Yeo atlas's 49 regions), not from the examples.
/// </summary>
public sealed class ExamplesTests(ExamplesFixture fixture) : IClassFixture<ExamplesFixture>
{
    private static readonly IReadOnlyDictionary<string, string[]> Figures = new Dictionary<string, string[]>
    {
        ["02-exploring-fmriprep"] = [],
        ["03-image-manipulation"] = ["t1_img", "bm_img", "invert_img", "masked_t1", "inverted_mask", "inverted_mask_t1", "t1_cut_coords"],
        ["04-functional-data"] = ["fmri_data", "timeseries", "downsample_t1", "exercise_inverted_mask", "exercise_hollow_skull",
            "exercise_resampled_hollow_skull", "exercise_fmri", "exercise_masked_fmri", "exercise_complete"],
        ["05-cleaning-confounds"] = ["clean_img_vol50", "carpet_before", "carpet_after", "signals_cleaned_img_vol50"],
        ["06-parcellation"] = ["thin_7", "thin_17", "thick_7", "thick_17", "yeo_sep", "resampled_yeo", "roi_44", "roi_46"],
        ["07-functional-connectivity"] = ["heatmap", "heatmap_show_zeroes", "group_compare"],
    };

    [Fact]
    public void Every_episode_has_its_example()
    {
        var files = Directory.GetFiles(Path.Combine(fixture.Repository, "examples"), "*.cs").Select(Path.GetFileNameWithoutExtension).Order();
        Assert.Equal(Figures.Keys.Order(), files);
    }

    [Fact]
    public void Episode_02_lists_subjects_tasks_and_files()
    {
        var o = RunOk("02-exploring-fmriprep");
        Assert.Contains("layout.get_subjects():\n  10438\n  10788\n  11108\n  50052\n", o);
        Assert.Contains("layout.get_tasks():\n  rest\n", o);
        Assert.Equal(8, Section(o, "preproc_T1").Length);                 // native + MNI T1w for 4 subjects
        Assert.All(Section(o, "mni_preproc_T1"), f => Assert.Contains("_space-MNI152NLin2009cAsym_desc-preproc_T1w.nii.gz", f));
        Assert.All(Section(o, "native_preproc_T1"), f => Assert.DoesNotContain("_space-", f));
        Assert.Equal(Section(o, "native_preproc_T1"), Section(o, "native_preproc_T1 (space: None)"));
        Assert.Equal(12, Section(o, "func_data").Length);                  // 4 MNI runs + 2 T1w runs, .nii.gz and .json
        Assert.Equal(8, Section(o, "mni_func_data").Length);
        var t1w = Section(o, "t1w_func_data");
        Assert.Equal(4, t1w.Length);
        Assert.All(t1w, f => Assert.Matches("sub-(10788|50052)_task-rest_space-T1w_desc-preproc_bold", f));
    }

    [Fact]
    public void Episode_03_prints_the_T1_and_slice_shapes()
    {
        var o = RunOk("03-image-manipulation");
        Assert.Contains("t1_img.shape (193, 229, 193), x_slice.shape (1, 229, 193), t1_data[10, :, :] holds 44197 voxels", o);
        AssertFigures("03-image-manipulation");
        Assert.True(File.Exists(Path.Combine(fixture.OutputRoot, "03-image-manipulation", "t1_img.html")));
    }

    [Fact]
    public void Episode_04_prints_the_4D_shapes()
    {
        var o = RunOk("04-functional-data");
        Assert.Contains("func_mni_img.shape (65, 77, 49, 152)", o);
        Assert.Contains("single_vox.shape (1, 1, 1, 152), flattened (152,)", o);
        Assert.Contains("T1_mni_img.shape (193, 229, 193), func_mni_img.shape (65, 77, 49, 152)", o);
        Assert.Contains("resamp_t1.shape (65, 77, 49), func_mni_img.shape (65, 77, 49, 152)", o);
        Assert.Contains("resamp_skull.shape (65, 77, 49), ex_func.shape (65, 77, 49, 152)", o);
        AssertFigures("04-functional-data");
    }

    [Fact]
    public void Episode_05_prints_the_confound_matrix_and_cleans_both_ways_alike()
    {
        var o = RunOk("05-cleaning-confounds");
        Assert.Matches(@"Read \d+ confounder items, each 152 TRs\.", o);
        Assert.Contains("func_img.shape (65, 77, 49, 148)", o);
        Assert.Contains("drop_confound_df.shape (148, 18)", o);
        Assert.Matches(@"signals\[:, brain_voxels\]\.shape \(148, \d+\)", o);
        var diff = double.Parse(Regex.Match(o, @"largest difference (\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(diff, 0, 1e-4);   // clean_img and signal.clean on the masked voxels are the same computation
        AssertFigures("05-cleaning-confounds");
    }

    [Fact]
    public void Episode_06_relabels_resamples_and_draws_the_atlases()
    {
        var o = RunOk("06-parcellation");
        Assert.Contains("atlas_yeo_2011.keys(): thin_7, thick_7, thin_17, thick_17", o);
        Assert.Contains("thick_7: 7 networks → 49 connected regions", o);
        Assert.Contains("Size of functional image: (65, 77, 49, 152)", o);
        Assert.Contains("Size of atlas image: (256, 256, 256)", o);
        Assert.Contains("Size of resampled atlas: (65, 77, 49)", o);
        AssertFigures("06-parcellation");
        Assert.True(File.Exists(Path.Combine(fixture.OutputRoot, "06-parcellation", "relabeled_yeo_atlas.nii.gz")));
    }

    [Fact]
    public void Episode_07_extracts_correlates_and_compares_groups()
    {
        var o = RunOk("07-functional-connectivity");
        Assert.Contains("time series shape (148, 49)", o);
        var kept = Regex.Match(o, @"masker\.labels_ \[([\d, ]+)\]\nNumber of labels (\d+)");
        Assert.True(kept.Success, o);
        var labels = kept.Groups[1].Value.Split(", ").Select(int.Parse).ToArray();
        Assert.Equal(labels.Length, int.Parse(kept.Groups[2].Value));
        Assert.Contains(44, labels);
        Assert.Contains(46, labels);
        Assert.Contains("labels in the atlas (np.unique, with background 0): 50", o);
        Assert.Contains($"nilearn's output (148, {labels.Length}) equals the kept columns: True", o);
        Assert.Contains("full_correlation_matrix.shape (1, 49, 49)", o);
        var r = Regex.Match(o, @"correlation between ROIs 44 and 46: (\S+) \(46 and 44: (\S+)\)");
        Assert.Equal(r.Groups[1].Value, r.Groups[2].Value);
        Assert.InRange(double.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture), -1, 1);
        Assert.Contains("ctrl_correlation_matrices.shape (3, 49, 49)", o);
        var rows = Regex.Matches(o, @"^  (\d{5})\s+(-?\d\.\d{6})  (control|schizophrenia)$", RegexOptions.Multiline);
        Assert.Equal(["10438 control", "10788 control", "11108 control", "50052 schizophrenia"], rows.Select(m => $"{m.Groups[1].Value} {m.Groups[3].Value}"));
        AssertFigures("07-functional-connectivity");
        // The README shows this episode's output: exactly what it prints (issue 18).
        var readme = File.ReadAllText(Path.Combine(fixture.Repository, "README.md")).ReplaceLineEndings("\n");
        var shown = Regex.Match(readme, @"\$ dotnet run examples/07-functional-connectivity\.cs\n(.*?)```", RegexOptions.Singleline);
        Assert.True(shown.Success, "the README has no output block of example 07");
        Assert.Equal(shown.Groups[1].Value, o);
        // The box plot's values are Pearson correlations: its axis says r, not ρ (Spearman's symbol).
        var source = File.ReadAllText(Path.Combine(fixture.Repository, "examples", "07-functional-connectivity.cs"));
        Assert.Contains("YLabel = \"Intra-network connectivity (Pearson r)\"", source);
        Assert.DoesNotContain("ρ", source);
    }

    private string RunOk(string name)
    {
        var (code, stdout, stderr) = fixture.Run(name);
        Assert.True(code == 0, $"{name} exited with {code}\n{stdout}\n{stderr}");
        return stdout.ReplaceLineEndings("\n");
    }

    /// <summary>The indented lines under <c>name:</c> in episode 2's output.</summary>
    private static string[] Section(string output, string name)
    {
        var m = Regex.Match(output, "^" + Regex.Escape(name) + ":\n((?:  .*\n)*)", RegexOptions.Multiline);
        Assert.True(m.Success, $"no section '{name}' in:\n{output}");
        return m.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToArray();
    }

    /// <summary>Every figure of the episode was written, decodes as a PNG and is not blank (many colours, no single
    /// colour covering almost the whole picture).</summary>
    private void AssertFigures(string episode)
    {
        foreach (var name in Figures[episode])
        {
            var path = Path.Combine(fixture.OutputRoot, episode, name + ".png");
            Assert.True(File.Exists(path), $"{episode}: {name}.png was not written");
            using var bmp = SKBitmap.Decode(path);
            Assert.True(bmp is not null, $"{path} is not a PNG");
            Assert.True(bmp.Width >= 200 && bmp.Height >= 150, $"{path} is only {bmp.Width}×{bmp.Height}");
            var counts = new Dictionary<uint, int>();
            foreach (var c in bmp.Pixels) counts[(uint)c] = counts.GetValueOrDefault((uint)c) + 1;
            double dominant = counts.Values.Max() / (double)bmp.Pixels.Length;
            Assert.True(counts.Count >= 16, $"{path} has only {counts.Count} colours");
            Assert.True(dominant < 0.97, $"{path} is {dominant:P1} one colour");
        }
    }
}
