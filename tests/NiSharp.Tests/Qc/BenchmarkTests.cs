using System.Text.Json.Nodes;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Qc;
using NiSharp.Tests.Plotting;
using NiSharp.Tests.Support;
using SkiaSharp;

namespace NiSharp.Tests.Qc;

/// <summary>
/// <c>nisharp benchmark</c> and the participant/group motion QC on the demo cohort, whose motion matters: raw data show
/// QC-FC and distance dependence, and the motion-aware strategies remove them.
/// </summary>
[Collection(QcCollection.Name)]
public class BenchmarkTests(QcCohort cohort)
{
    private const string Prefix = "task-rest_space-MNI152NLin2009cAsym_atlas-Yeo7relabeled";

    private StrategyMetrics Row(string strategy) => cohort.Benchmark.Metrics.Single(m => m.Strategy == strategy);

    [Fact]
    public void Strategy_metrics_has_one_row_per_strategy_with_the_issue_columns()
    {
        var summary = cohort.Benchmark;
        Assert.Equal(0, summary.ExitCode);
        Assert.Equal(Path.Combine(cohort.BenchmarkOutput, "benchmark", "strategy_metrics.tsv"), summary.MetricsPath);
        var table = TsvTable.Read(summary.MetricsPath);
        foreach (var c in new[] { "strategy", "tdof_loss_mean", "qcfc_significant_fraction", "qcfc_median_abs", "distance_dependence", "modularity", "modularity_motion_r", "subjects_excluded" })
            Assert.Contains(c, table.Columns);
        Assert.Equal(DenoisingStrategies.DefaultNames, table.GetStrings("strategy"));
        Assert.All(table.Columns.Skip(1), c => Assert.True(table.IsNumeric(table.IndexOf(c)), c));
        var meta = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(summary.MetricsPath, ".json")))!;
        Assert.Equal("Spearman correlation of QC-FC with the Euclidean distance between the regions' centroids (negative: motion inflates short-range connectivity)",
            meta["distance_dependence"]!["Description"]!.GetValue<string>());
        Assert.Equal(["age", "sex"], meta["Covariates"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Null(meta["Strategies"]!["scrubbing.5"]!["load_confounds"]!["std_dvars_threshold"]); // FD only, as the benchmark
        Assert.Equal(16, Row("baseline").Subjects);
    }

    [Fact]
    public void The_baseline_has_the_largest_qcfc_and_motion_regressors_and_scrubbing_lower_it()
    {
        var baseline = Row("baseline");
        var others = cohort.Benchmark.Metrics.Where(m => m.Strategy != "baseline").ToList();
        Assert.All(others, m => Assert.True(m.QcFcMedianAbs < baseline.QcFcMedianAbs,
            $"{m.Strategy}: median |QC-FC| {m.QcFcMedianAbs:0.000} vs baseline {baseline.QcFcMedianAbs:0.000}"));
        foreach (var s in new[] { "simple", "scrubbing.5", "scrubbing.2" })
        {
            Assert.True(Row(s).QcFcMedianAbs < baseline.QcFcMedianAbs - 0.08, $"{s} {Row(s).QcFcMedianAbs:0.000} vs baseline {baseline.QcFcMedianAbs:0.000}");
            Assert.True(Row(s).QcFcSignificantFraction < baseline.QcFcSignificantFraction / 2, s);
        }
        // Raw data: motion inflates short-range connectivity (negative distance dependence); motion regression removes it.
        Assert.True(baseline.DistanceDependence < -0.2, $"baseline distance dependence {baseline.DistanceDependence:0.000}");
        Assert.True(Math.Abs(Row("simple").DistanceDependence) < Math.Abs(baseline.DistanceDependence) / 2);
    }

    [Fact]
    public void Temporal_dof_loss_grows_with_regressors_and_scrubbing()
    {
        Assert.True(Row("baseline").TdofLossMean < Row("simple").TdofLossMean);
        Assert.True(Row("simple").TdofLossMean < Row("scrubbing.5").TdofLossMean);
        Assert.True(Row("scrubbing.5").TdofLossMean < Row("scrubbing.2").TdofLossMean);
        Assert.True(Row("scrubbing.2").TdofLossMean < Row("scrubbing.2+gsr").TdofLossMean);
        Assert.Equal(0, Row("simple").CensoredFractionMean);
        Assert.True(Row("scrubbing.2").CensoredFractionMean > Row("scrubbing.5").CensoredFractionMean);
        Assert.True(Row("scrubbing.2").SubjectsExcluded >= Row("simple").SubjectsExcluded);

        // The per-run counts: the demo's confounds have three discrete cosines (148 volumes of 2 s, 128 s cut-off).
        var any = cohort.Data.Participants[0].Id;
        RunQc Qc(string s) => RunQc.Read(Path.Combine(cohort.BenchmarkOutput, "benchmark", s, $"sub-{any}", "func", $"sub-{any}_{Prefix}_desc-qc_motion.tsv"));
        Assert.Equal(3, Qc("baseline").Dof.Regressors);
        Assert.Equal(3 + 24 + 2, Qc("simple").Dof.Regressors);
        Assert.Equal(3 + 24 + 2 + 1, Qc("simple+gsr").Dof.Regressors);
        Assert.Equal(3 + 24 + 8, Qc("scrubbing.2").Dof.Regressors);
        Assert.Equal(Qc("scrubbing.2").Censored, Qc("scrubbing.2").Dof.Censored);
        Assert.All(new[] { "baseline", "simple", "compcor" }, s => Assert.Equal(0, Qc(s).Dof.Filter));
    }

    [Fact]
    public void Without_motion_artefacts_the_baseline_shows_no_more_qcfc_than_chance()
    {
        var dir = cohort.NewFolder("clean");
        var data = DemoDataset.Generate(Path.Combine(dir, "data"), QcCohort.Options with { MotionArtifacts = 0 });
        // Same subjects, same motion: only the artefacts are gone.
        Assert.Equal(cohort.Data.Participants.Select(p => p.MeanFramewiseDisplacement), data.Participants.Select(p => p.MeanFramewiseDisplacement));
        var clean = DenoisingBenchmark.Run(new BenchmarkOptions
        {
            InputDirectory = data.DataDirectory,
            OutputDirectory = Path.Combine(dir, "out"),
            Strategies = ["baseline"],
            Jobs = 2,
            Reports = false,
        });
        var noArtefacts = clean.Metrics.Single();
        Assert.True(noArtefacts.QcFcMedianAbs < Row("baseline").QcFcMedianAbs - 0.1,
            $"median |QC-FC| without artefacts {noArtefacts.QcFcMedianAbs:0.000}, with {Row("baseline").QcFcMedianAbs:0.000}");
        Assert.True(noArtefacts.QcFcSignificantFraction < 0.15, $"{noArtefacts.QcFcSignificantFraction:0.000}");
    }

    [Fact]
    public void Cleaning_the_shared_raw_means_equals_the_participant_level_for_the_same_strategy()
    {
        // nisharp run with the benchmark's cleaning and the simple strategy gives the same matrices and QC, to the bit.
        var ids = cohort.Data.Participants.Take(2).Select(p => p.Id).ToArray();
        var output = cohort.NewFolder("participant-simple");
        var r = CliRunner.Run("run", cohort.Data.DataDirectory, output, "participant", "--participant-label", ids[0], ids[1],
            "--strategy", "simple", "--low-pass", "none", "--high-pass", "none", "--no-reports");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        _ = cohort.Benchmark;
        foreach (var id in ids)
        {
            var name = $"sub-{id}/func/sub-{id}_{Prefix}";
            var participant = Path.Combine(output, name);
            var benchmark = Path.Combine(cohort.BenchmarkOutput, "benchmark", "simple", name);
            Assert.Equal(File.ReadAllBytes(participant + "_stat-pearsoncorrelation_relmat.tsv"), File.ReadAllBytes(benchmark + "_stat-pearsoncorrelation_relmat.tsv"));
            Assert.Equal(File.ReadAllBytes(participant + "_desc-qc_motion.tsv"), File.ReadAllBytes(benchmark + "_desc-qc_motion.tsv"));
        }
    }

    [SkippableFact]
    public async Task The_benchmark_report_opens_in_headless_chromium_with_its_plots()
    {
        var report = cohort.Benchmark.ReportPath!;
        Assert.Equal(Path.Combine(cohort.BenchmarkOutput, "benchmark", "report.html"), report);
        var figures = Path.Combine(cohort.BenchmarkOutput, "benchmark", "figures");
        foreach (var f in new[] { "qcfc_distributions", "qcfc_significant_fraction", "qcfc_median_abs", "distance_dependence", "tdof_loss", "modularity", "distance_baseline" })
        {
            using var png = SKBitmap.Decode(Path.Combine(figures, f + ".png"));
            Assert.True(png.Width > 100, f);
            Assert.StartsWith("<?xml", File.ReadAllText(Path.Combine(figures, f + ".svg")));
        }
        var html = File.ReadAllText(report);
        Assert.Contains("QC-FC", html);
        Assert.Contains("scrubbing.2+gsr", html);

        Skip.If(HeadlessChromium.Executable is null, "Chromium is not installed (apt-get install chromium)");
        await using var chrome = await HeadlessChromium.StartAsync(1200, 900);
        await chrome.OpenFileAsync(report);
        Assert.True(await chrome.WaitForAsync("Array.from(document.images).every(i => i.complete)", 20));
        int images = (await chrome.EvaluateAsync("document.images.length"))!.GetValue<int>();
        int broken = (await chrome.EvaluateAsync("Array.from(document.images).filter(i => !(i.naturalWidth > 0)).length"))!.GetValue<int>();
        Assert.True(images >= 7 + 9, $"{images} images"); // 7 summary figures and one distance scatter per strategy
        Assert.Equal(0, broken);
        using var shot = SKBitmap.Decode(await chrome.ScreenshotAsync());
        var colours = new HashSet<SKColor>();
        for (int y = 0; y < shot.Height; y += 4)
            for (int x = 0; x < shot.Width; x += 4) colours.Add(shot.GetPixel(x, y));
        Assert.True(colours.Count > 20, "the page looks blank");
        Assert.Empty(chrome.Errors);
    }

    [Fact]
    public void Participant_and_group_levels_write_the_motion_qc_and_show_it_in_their_reports()
    {
        var output = cohort.NewFolder("run");
        var r = CliRunner.Run("run", cohort.Data.DataDirectory, output, "participant", "--no-reports");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var id = cohort.Data.Participants[0].Id;
        var qcPath = Path.Combine(output, $"sub-{id}/func/sub-{id}_{Prefix}_desc-qc_motion.tsv");
        var qc = TsvTable.Read(qcPath);
        foreach (var c in new[] { "fd_mean", "fd_max", "fd_over_0.2", "fd_over_0.5", "fd_threshold", "censored", "dvars_before", "dvars_after", "tsnr_mean",
                     "tdof_regressors", "tdof_censored", "tdof_filter", "tdof_loss", "coverage_mean", "regions_empty" })
            Assert.Contains(c, qc.Columns);
        var measures = RunQc.Read(qcPath);
        Assert.Equal(cohort.Data.Participants[0].MeanFramewiseDisplacement, measures.FdMean, 1e-6);
        Assert.True(measures.DvarsAfter < measures.DvarsBefore, "cleaning lowers DVARS");
        Assert.True(measures.TsnrMean > 5);
        Assert.True(measures.Dof.Filter > 90); // the lesson's band-pass keeps about 42 of 148 DOF
        var sidecar = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(qcPath, ".json")))!;
        Assert.NotNull(sidecar["ParametersHash"]);
        Assert.Equal("yeo2011", sidecar["ConfoundStrategy"]!.GetValue<string>());

        // The subject page shows the run's motion QC.
        var pages = cohort.NewFolder("page");
        var one = CliRunner.Run("run", cohort.Data.DataDirectory, pages, "participant", "--participant-label", id);
        Assert.True(one.ExitCode == 0, one.Stdout + one.Stderr);
        var page = Directory.GetFiles(Path.Combine(pages, $"sub-{id}", "figures"), "*_report.html").Single();
        var html = File.ReadAllText(page);
        Assert.Contains("Motion quality control", html);
        Assert.Contains("temporal DOF used", html);

        var group = GroupLevel.Run(new RunOptions { InputDirectory = cohort.Data.DataDirectory, OutputDirectory = output, Level = AnalysisLevel.Group, Permutations = 100 });
        Assert.Equal(0, group.ExitCode);
        var motionQc = group.MotionQc!;
        Assert.Equal(16, motionQc.Subjects.Count);
        Assert.Equal("yeo2011", motionQc.Metrics.Strategy);
        var groupDir = Path.Combine(output, "group");
        var summary = TsvTable.Read(Path.Combine(groupDir, $"{Prefix}_stat-pearsoncorrelation_desc-qcfc_summary.tsv"));
        Assert.Equal(StrategyMetrics.Columns.Select(c => c.Column), summary.Columns);
        var edges = TsvTable.Read(Path.Combine(groupDir, $"{Prefix}_stat-pearsoncorrelation_desc-qcfc_edges.tsv"));
        Assert.Equal(["region_a", "region_b", "label_a", "label_b", "distance_mm", "qcfc", "p", "q_fdr"], edges.Columns);
        Assert.Equal(49 * 48 / 2, edges.RowCount);
        var people = TsvTable.Read(Path.Combine(groupDir, $"{Prefix}_desc-motionqc_participants.tsv"));
        Assert.Equal(16, people.RowCount);
        Assert.Equal(motionQc.Result.ExcludedCount, people.GetNumbers("excluded").Count(x => x == 1));
        var report = File.ReadAllText(group.ReportPath!);
        Assert.Contains("Motion quality control", report);
        Assert.Contains("median |QC-FC|", report);

        // --exclude-high-motion leaves the excluded subjects out of the comparison too.
        var excluded = GroupLevel.Run(new RunOptions
        {
            InputDirectory = cohort.Data.DataDirectory, OutputDirectory = output, Level = AnalysisLevel.Group, Permutations = 100, Reports = false,
            ExcludeHighMotion = true, MotionExclusion = new MotionExclusionRules { MaxMeanFd = 0.15 },
        });
        int left = excluded.MotionQc!.Result.ExcludedCount;
        Assert.True(left > 0);
        var row = excluded.Comparisons[0].Table.Rows[0];
        Assert.Equal(16 - left, row.N1 + row.N2);
    }

    [Fact]
    public void Bad_strategies_fail_with_one_line_before_any_work()
    {
        var output = cohort.NewFolder("bad");
        var r = CliRunner.Run("benchmark", cohort.Data.DataDirectory, output, "--strategies", "baseline,nonsense");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown strategy 'nonsense'", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(output, "benchmark")));
        var aroma = CliRunner.Run("benchmark", cohort.Data.DataDirectory, output, "--strategies", "aroma");
        Assert.Equal(2, aroma.ExitCode);
        Assert.Contains("ICA-AROMA", aroma.Stderr);
        var inside = CliRunner.Run("benchmark", cohort.Data.DataDirectory, Path.Combine(cohort.Data.DataDirectory, "out"));
        Assert.Equal(2, inside.ExitCode);
        Assert.Contains("inside the input folder", inside.Stderr);
        var jobs = CliRunner.Run("benchmark", cohort.Data.DataDirectory, output, "--jobs", "0");
        Assert.Equal(2, jobs.ExitCode);
        Assert.Contains("--jobs must be a number of subjects (at least 1) or auto, got '0'", jobs.Stderr);
        Assert.False(Directory.Exists(Path.Combine(output, "benchmark")));
    }

    [Fact]
    public void Nisharp_benchmark_prints_the_table_and_where_it_is()
    {
        var output = cohort.NewFolder("cli");
        var r = CliRunner.Run("benchmark", cohort.Data.DataDirectory, output, "--strategies", "baseline, simple, compcor6", "--participant-label",
            cohort.Data.Participants[0].Id, cohort.Data.Participants[1].Id, cohort.Data.Participants[2].Id, cohort.Data.Participants[3].Id, cohort.Data.Participants[4].Id,
            "--no-reports", "--jobs", "2");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("strategy ", r.Stdout);
        Assert.Contains("baseline", r.Stdout);
        // 5 subjects with age and sex leave too few degrees of freedom for QC-FC: said, not printed as ±1 or NaN.
        Assert.Contains("n/a: QC-FC needs at least 4 subjects kept beyond the covariates", r.Stdout);
        Assert.DoesNotContain("NaN", r.Stdout);
        Assert.Contains(Path.Combine(output, "benchmark", "strategy_metrics.tsv"), r.Stdout);
        Assert.False(File.Exists(Path.Combine(output, "benchmark", "report.html")));
        // The demo's confounds have fewer than 6 anatomical CompCor components: compcor6 says so rather than being
        // compcor's row silently.
        Assert.Matches(@"warning: strategy compcor6: n_compcor 6: only [0-5] of 6 anatomical CompCor components \(combined mask\) exist in sub-\w+_task-rest_desc-confounds_timeseries.json", r.Stdout + r.Stderr);
        Assert.Equal(3, TsvTable.Read(Path.Combine(output, "benchmark", "strategy_metrics.tsv")).RowCount);
        var matrix = ConnectivityMatrix.Read(Directory.GetFiles(Path.Combine(output, "benchmark", "simple", $"sub-{cohort.Data.Participants[0].Id}", "func"), "*_relmat.tsv").Single());
        Assert.Equal(49, matrix.Regions.Count);
    }
}
