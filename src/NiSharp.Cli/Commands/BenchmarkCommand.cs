using System.CommandLine;
using System.Globalization;
using NiSharp.Confounds;
using NiSharp.Pipeline;
using NiSharp.Qc;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp benchmark FMRIPREP_DIR OUTPUT_DIR [--strategies …] [--atlas …] [--jobs N]</c>: runs the participant level
/// once per denoising strategy (one read of each BOLD file) and compares the strategies with the fMRIPrep denoising
/// benchmark's measures in <c>OUTPUT_DIR/benchmark/strategy_metrics.tsv</c> and <c>OUTPUT_DIR/benchmark/report.html</c>.
/// Exit code 0 when every subject was processed, 1 when some failed, 2 for usage or input errors.
/// </summary>
internal static class BenchmarkCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("FMRIPREP_DIR") { Description = "fMRIPrep derivatives folder (BOLD runs, brain masks, confounds with their JSON)" };
        var output = new Argument<string>("OUTPUT_DIR") { Description = "Output folder; the benchmark writes into OUTPUT_DIR/benchmark/" };
        var strategies = new Option<string>("--strategies") { Description = $"Comma-separated strategies (fMRIPrep denoising benchmark): {string.Join(",", DenoisingStrategies.DefaultNames)}; also the presets {string.Join(", ", ConfoundPresets.PresetNames)} (+gsr)", DefaultValueFactory = _ => string.Join(",", DenoisingStrategies.DefaultNames) };
        var atlas = new Option<string>("--atlas") { Description = "Bundled atlas (see 'nisharp atlases') or a label image file", DefaultValueFactory = _ => "yeo7-relabeled" };
        var atlasLabels = new Option<string?>("--atlas-labels") { Description = "Label table for an atlas file" };
        var jobs = new Option<string>("--jobs", "-j") { Description = "Subjects processed at once: a number, or auto (one per core, as many as fit in the available memory); a number is also lowered to what fits", DefaultValueFactory = _ => "auto" };
        var labels = new Option<string[]>("--participant-label") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = "Subjects to process, with or without 'sub-' (default: all)" };
        var task = new Option<string?>("--task") { Description = "Task to process (default: every task)" };
        var space = new Option<string>("--space") { Description = "Template space of the BOLD runs", DefaultValueFactory = _ => "MNI152NLin2009cAsym" };
        var dummy = new Option<string>("--dummy-scans") { Description = "Leading volumes to drop: a number, or auto (non_steady_state_outlier columns)", DefaultValueFactory = _ => "auto" };
        var lowPass = new Option<string>("--low-pass") { Description = "Butterworth low-pass in Hz, or none (the benchmark: none)", DefaultValueFactory = _ => "none" };
        var highPass = new Option<string>("--high-pass") { Description = "Butterworth high-pass in Hz, or none (the benchmark: none; the strategies' cosines high-pass)", DefaultValueFactory = _ => "none" };
        var maxMeanFd = new Option<double>("--max-mean-fd") { Description = "Exclude subjects whose mean FD exceeds this, mm (Parkes et al. 2018)", DefaultValueFactory = _ => 0.25 };
        var maxCensored = new Option<double>("--max-censored-fraction") { Description = "Exclude subjects with more than this fraction of volumes censored (FD > 0.2 mm or by the strategy)", DefaultValueFactory = _ => 0.2 };
        var maxFd = new Option<double>("--max-fd") { Description = "Exclude subjects with any FD above this, mm", DefaultValueFactory = _ => 5.0 };
        var participants = new Option<string?>("--participants") { Description = "Participants table for the age and sex covariates (default: participants.tsv of FMRIPREP_DIR or of the raw dataset above it)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the community detection (Louvain)", DefaultValueFactory = _ => 0 };
        var filter = new Option<string?>("--bids-filter-file") { Description = "JSON file of BOLD filters, as fMRIPrep's" };
        var noReports = new Option<bool>("--no-reports") { Description = "Do not write the HTML report and its figures" };
        var cmd = new Command("benchmark", "Compare denoising strategies on your data: tDOF loss, QC-FC, distance dependence, modularity (Wang et al. 2024)")
        {
            input, output, strategies, atlas, atlasLabels, jobs, labels, task, space, dummy, lowPass, highPass, maxMeanFd, maxCensored, maxFd,
            participants, seed, filter, noReports,
        };
        cmd.SetAction(p =>
        {
            var options = new BenchmarkOptions
            {
                InputDirectory = p.GetValue(input)!,
                OutputDirectory = p.GetValue(output)!,
                Strategies = p.GetValue(strategies)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Atlas = p.GetValue(atlas)!,
                AtlasLabels = p.GetValue(atlasLabels),
                Jobs = RunCommand.ParseJobs(p.GetValue(jobs)!),
                ParticipantLabels = p.GetValue(labels) ?? [],
                Task = p.GetValue(task),
                Space = p.GetValue(space)!,
                DummyScans = DummyScans.Parse(p.GetValue(dummy)!),
                Clean = BenchmarkOptions.DefaultCleaning with { LowPass = RunCommand.ParseHz(p.GetValue(lowPass)!, "--low-pass"), HighPass = RunCommand.ParseHz(p.GetValue(highPass)!, "--high-pass") },
                MotionExclusion = new MotionExclusionRules { MaxMeanFd = p.GetValue(maxMeanFd), MaxCensoredFraction = p.GetValue(maxCensored), MaxFd = p.GetValue(maxFd) },
                ParticipantsFile = p.GetValue(participants),
                Seed = p.GetValue(seed),
                BidsFilterFile = p.GetValue(filter),
                Reports = !p.GetValue(noReports),
            };
            return Execute(options, p.Out(), p.Err());
        });
        return cmd;
    }

    internal static int Execute(BenchmarkOptions options, TextWriter o, TextWriter err)
    {
        var summary = DenoisingBenchmark.Run(options, new PlainProgress(o));
        foreach (var f in summary.Subjects.Where(s => s.State == SubjectState.Failed))
            err.WriteLine($"nisharp: sub-{f.Subject} failed: {f.Reason} (log: {f.LogPath})");
        o.WriteLine();
        o.WriteLine($"{"strategy",-16} {"tDOF lost",9} {"QC-FC sig.",10} {"|QC-FC|",8} {"dist. ρ",8} {"modularity",10} {"Q~FD r",7} {"excluded",8}");
        foreach (var m in summary.Metrics)
            o.WriteLine($"{m.Strategy,-16} {N(m.TdofLossMean, "0.0"),9} {N(100 * m.QcFcSignificantFraction, "0.0'%'"),10} {N(m.QcFcMedianAbs, "0.000"),8} " +
                        $"{N(m.DistanceDependence, "0.000"),8} {N(m.Modularity, "0.000"),10} {N(m.ModularityMotionR, "0.00"),7} {m.SubjectsExcluded,8}");
        if (summary.Metrics.Any(m => double.IsNaN(m.QcFcMedianAbs)))
            o.WriteLine($"n/a: QC-FC needs at least {GroupMotionQc.MinimumSubjects} subjects kept beyond the covariates (age, sex)");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"benchmark done in {summary.Elapsed.TotalSeconds:0.0} s → {summary.MetricsPath}"));
        if (summary.ReportPath is not null) o.WriteLine($"report: {summary.ReportPath}");
        return summary.ExitCode;
    }

    /// <summary>A measure for the table: n/a when it could not be computed (too few subjects, no centroids).</summary>
    private static string N(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
}
