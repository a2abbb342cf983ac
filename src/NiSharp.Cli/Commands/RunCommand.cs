using System.CommandLine;
using System.Globalization;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.Pipeline;
using Spectre.Console;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp run FMRIPREP_DIR OUTPUT_DIR participant|group [options]</c>: the BIDS App. The participant level writes
/// region signals, coverage and connectivity per run; the group level compares the groups. Exit code 0 when every
/// subject succeeded, 1 when some failed (they are reported), 2 for usage or input errors.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("FMRIPREP_DIR") { Description = "fMRIPrep derivatives folder (BIDS derivatives: sub-*/func/*_desc-preproc_bold.nii.gz, masks, confounds)" };
        var output = new Argument<string>("OUTPUT_DIR") { Description = "Output folder (a BIDS derivative dataset); not the input folder nor inside it" };
        var level = new Argument<string>("ANALYSIS_LEVEL") { Description = "participant (per subject: signals, cleaning, connectivity) or group (comparison)" };
        level.AcceptOnlyFromAmong("participant", "group");
        var labels = new Option<string[]>("--participant-label") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = "Subjects to process, with or without 'sub-' (default: all)" };
        var task = new Option<string?>("--task") { Description = "Task to process, e.g. rest (default: every task)" };
        var space = new Option<string>("--space") { Description = "Template space of the BOLD runs; fsLR: fMRIPrep's grayordinates (*_space-fsLR_den-91k_bold.dtseries.nii), parcellated with a grayordinate atlas", DefaultValueFactory = _ => "MNI152NLin2009cAsym" };
        var atlas = new Option<string[]>("--atlas") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = "Atlas(es): bundled (yeo7-relabeled, schaefer100-7, … see 'nisharp atlases'), a label image file, templateflow:ATLAS[:DESC] (in --space, from the TemplateFlow home) or NAME[:DESC] of an --atlas-dataset; with --space fsLR a grayordinate atlas (conte69-composite, conte69-brodmann) or a .dlabel.nii. Several (--atlas A B C) share one read of each BOLD and give one set of outputs each, told apart by atlas- [default: yeo7-relabeled; conte69-composite with --space fsLR]" };
        var atlasLabels = new Option<string?>("--atlas-labels") { Description = "Label table that replaces the atlas's names (BIDS dseg.tsv, LUT, TXT or CSV; a network column is kept)" };
        var strategy = new Option<string>("--strategy") { Description = $"Confound strategy: {string.Join(", ", ConfoundPresets.PresetNames)} (each also +gsr)", DefaultValueFactory = _ => "yeo2011" };
        var dummy = new Option<string>("--dummy-scans") { Description = "Leading volumes to drop: a number, or auto (fMRIPrep's non_steady_state_outlier columns)", DefaultValueFactory = _ => "auto" };
        var lowPass = new Option<string>("--low-pass") { Description = "Low-pass cut-off in Hz, or none", DefaultValueFactory = _ => "0.08" };
        var highPass = new Option<string>("--high-pass") { Description = "High-pass cut-off in Hz, or none", DefaultValueFactory = _ => "0.009" };
        var smoothingFwhm = SmoothCommand.FwhmOption("--smoothing-fwhm", "Smooth each BOLD volume before the region means (nilearn's smoothing_fwhm): FWHM in mm, three values (x y z) or 'fast'", required: false);
        var highVariance = new Option<bool>("--high-variance-confounds") { Description = "Also regress out the 5 high-variance confounds of each BOLD image (nilearn's high_variance_confounds=True), before the strategy's confounds" };
        var kinds = new Option<string[]>("--kind") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = $"Connectivity kinds: {string.Join(", ", ConnectivityKinds.All)} (default: correlation)" };
        var jobs = new Option<string>("--jobs", "-j") { Description = "Subjects processed at once: a number, or auto (one per core, as many as fit in the available memory); a number is also lowered to what fits", DefaultValueFactory = _ => "auto" };
        var filter = new Option<string?>("--bids-filter-file") { Description = "JSON file of BOLD filters, as fMRIPrep's: {\"bold\": {\"session\": \"1\", \"run\": [1, 2]}}" };
        var participants = new Option<string?>("--participants") { Description = "Group level: participants table (default: participants.tsv of FMRIPREP_DIR or of the raw dataset above it)" };
        var column = new Option<string>("--group-column") { Description = "Group level: participants column holding the groups", DefaultValueFactory = _ => "diagnosis" };
        var groups = new Option<string[]>("--groups") { Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true, Description = "Group level: the two groups (values of --group-column, default CONTROL SCHZ), or subject-id patterns such as '1*' '5*'" };
        var edges = new Option<string?>("--edges") { Description = "Group level: edges by atlas label id, e.g. 44-46,41-49 (default: the default-mode network's intra-network pairs, and 44-46)" };
        var permutations = new Option<int>("--permutations") { Description = "Group level: random relabellings for the permutation p", DefaultValueFactory = _ => 10000 };
        var seed = new Option<int>("--seed") { Description = "Group level: seed of the permutations", DefaultValueFactory = _ => 0 };
        var noReports = new Option<bool>("--no-reports") { Description = "Do not write the HTML pages" };
        var minGroupSize = new Option<int>("--min-group-size") { Description = "Group level: fail when a group has fewer subjects with participant outputs than this (at least 2)", DefaultValueFactory = _ => 2 };
        var slurm = new RunSlurm(input.Name, output.Name, level.Name, jobs.Name);
        var maxMeanFd = new Option<double>("--max-mean-fd") { Description = "Group level, motion QC: a subject whose mean FD exceeds this (mm) is excluded (Parkes et al. 2018)", DefaultValueFactory = _ => 0.25 };
        var maxCensored = new Option<double>("--max-censored-fraction") { Description = "Group level, motion QC: a subject with more than this fraction of volumes censored (FD > 0.2 mm or by the strategy) is excluded", DefaultValueFactory = _ => 0.2 };
        var maxFd = new Option<double>("--max-fd") { Description = "Group level, motion QC: a subject with any FD above this (mm) is excluded", DefaultValueFactory = _ => 5.0 };
        var excludeMotion = new Option<bool>("--exclude-high-motion") { Description = "Group level: leave the subjects the motion QC excludes out of the group comparison too" };
        var cmd = new Command("run", "The BIDS App: region signals, confound cleaning and connectivity per subject (participant), then the group comparison (group)")
        {
            input, output, level, labels, task, space, atlas, atlasLabels, strategy, dummy, lowPass, highPass, smoothingFwhm, highVariance, kinds, jobs, filter,
            participants, column, groups, edges, permutations, seed, noReports, minGroupSize, maxMeanFd, maxCensored, maxFd, excludeMotion,
        };
        slurm.AddTo(cmd);
        var compat = new CleanCompatibilityOptions();
        compat.AddTo(cmd);
        var atlasSources = new AtlasSourceOptions();
        atlasSources.AddTo(cmd);
        var noCache = new Option<bool>("--no-cache") { Description = "Do not use the disk cache of fitted atlases ($NISHARP_CACHE, default ~/.cache/nisharp): read and resample the atlas again" };
        cmd.Options.Add(noCache);
        cmd.SetAction(p =>
        {
            using var cacheScope = p.GetValue(noCache) ? NiSharp.Atlases.FittedAtlasCache.Off() : null;
            var options = new RunOptions
            {
                InputDirectory = p.GetValue(input)!,
                OutputDirectory = p.GetValue(output)!,
                Level = p.GetValue(level) == "group" ? AnalysisLevel.Group : AnalysisLevel.Participant,
                ParticipantLabels = p.GetValue(labels) ?? [],
                Task = p.GetValue(task),
                Space = p.GetValue(space)!,
                Atlases = p.GetValue(atlas) is { Length: > 0 } atlases ? atlases : [RunOptions.DefaultAtlas(p.GetValue(space)!)],
                AtlasLabels = p.GetValue(atlasLabels),
                AtlasSpace = p.GetValue(atlasSources.AtlasSpace),
                AtlasDatasets = p.GetValue(atlasSources.Datasets) ?? [],
                TemplateFlowHome = p.GetValue(atlasSources.TemplateFlowHome),
                Strategy = p.GetValue(strategy)!,
                DummyScans = DummyScans.Parse(p.GetValue(dummy)!),
                Clean = compat.Apply(p, RunOptions.DefaultCleaning with { LowPass = ParseHz(p.GetValue(lowPass)!, "--low-pass"), HighPass = ParseHz(p.GetValue(highPass)!, "--high-pass") }),
                SmoothingFwhm = p.GetValue(smoothingFwhm) is { Length: > 0 } fw ? Imaging.Fwhm.Parse(fw) : null,
                HighVarianceConfounds = p.GetValue(highVariance),
                Kinds = (p.GetValue(kinds) is { Length: > 0 } k ? k : ["correlation"]).Select(ConnectivityKinds.Parse).ToArray(),
                Jobs = ParseJobs(p.GetValue(jobs)!),
                BidsFilterFile = p.GetValue(filter),
                ParticipantsFile = p.GetValue(participants),
                GroupColumn = p.GetValue(column)!,
                Groups = p.GetValue(groups) is { Length: > 0 } g ? g : null,
                Edges = p.GetValue(edges),
                Permutations = p.GetValue(permutations),
                Seed = p.GetValue(seed),
                Reports = !p.GetValue(noReports),
                MinGroupSize = p.GetValue(minGroupSize),
                SharedOutput = slurm.IsArrayTask(p),
                MotionExclusion = new Qc.MotionExclusionRules { MaxMeanFd = p.GetValue(maxMeanFd), MaxCensoredFraction = p.GetValue(maxCensored), MaxFd = p.GetValue(maxFd) },
                ExcludeHighMotion = p.GetValue(excludeMotion),
            };
            if (slurm.IsRequested(p)) return RunSlurm.Execute(options, slurm.Options(p, labels), p.Out(), p.Err());
            if (options.SharedOutput && options.Level != AnalysisLevel.Participant) throw new NiSharpException("--array-task applies to the participant level");
            return Execute(options, p.Out(), p.Err());
        });
        return cmd;
    }

    /// <summary>Runs one level, printing progress and a summary; returns the exit code.</summary>
    internal static int Execute(RunOptions options, TextWriter o, TextWriter err)
    {
        if (options.Level == AnalysisLevel.Participant)
        {
            var summary = RunProgressDisplay.Participant(options, o);
            foreach (var f in summary.Failed)
                err.WriteLine($"nisharp: sub-{f.Subject} failed: {f.Reason} (log: {f.LogPath})");
            int done = summary.Subjects.Count(s => s.State == SubjectState.Done), skipped = summary.Subjects.Count(s => s.State == SubjectState.Skipped);
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"participant level: {done} done, {skipped} already complete, {summary.Failed.Count} failed in {summary.Elapsed.TotalSeconds:0.0} s → {options.OutputDirectory}"));
            if (summary.ReportPath is not null) o.WriteLine($"report: {summary.ReportPath}");
            return summary.ExitCode;
        }
        var groups = GroupLevel.RunEach(options, new PlainProgress(o));
        foreach (var group in groups)
        {
            string atlas = groups.Count > 1 ? $"atlas-{group.AtlasLabel}: " : "";
            foreach (var f in group.Failed) err.WriteLine($"nisharp: {atlas}{f.Subject} not included: {f.Reason}");
            if (groups.Count > 1) o.WriteLine($"atlas-{group.AtlasLabel}:");
            PrintGroup(group, o);
        }
        return groups.Max(g => g.ExitCode);
    }

    internal static void PrintGroup(GroupSummary group, TextWriter o)
    {
        o.WriteLine($"group level: {group.Included.Count} subjects included, {group.Failed.Count} failed or missing; {group.Group1} vs {group.Group2}");
        foreach (var (kind, table) in group.Comparisons)
        {
            int sig = table.Rows.Count(r => r.Significant);
            o.WriteLine($"  {kind.NilearnName()}: {table.Rows.Count} edge(s) tested, {sig} significant at FDR {table.Options.FdrLevel.ToString(CultureInfo.InvariantCulture)}");
            foreach (var r in table.Rows.OrderBy(r => double.IsNaN(r.Welch.P) ? 2 : r.Welch.P).Take(5))
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {r.Feature.Name,-8} {group.Group1} {r.Mean1,7:0.000}  {group.Group2} {r.Mean2,7:0.000}  d {r.CohensD,6:0.00}  t {r.Welch.T,6:0.00}  p {Group.GroupComparisonTable.FormatP(r.Welch.P),-6}  q {Group.GroupComparisonTable.FormatP(table.Options.Permutations > 0 ? r.PPermutationFdr : r.PFdr)}{(r.Significant ? "  *" : "")}"));
        }
        o.WriteLine($"tables: {Path.GetDirectoryName(group.Outputs[0])}");
        if (group.ReportPath is not null)
            o.WriteLine($"report: {Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(group.ReportPath)!)!, "report.html")} (the comparison: {group.ReportPath})");
    }

    /// <summary><c>--jobs</c>: a positive number, or <c>auto</c>.</summary>
    internal static int ParseJobs(string text)
    {
        if (text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)) return JobPlanner.Auto;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1) return n;
        throw new NiSharpException($"--jobs must be a number of subjects (at least 1) or auto, got '{text}'");
    }

    internal static double? ParseHz(string text, string option)
    {
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        throw new NiSharpException($"{option} must be a frequency in Hz or 'none', got '{text}'");
    }
}

/// <summary>Progress as plain lines: one per subject, for logs, pipes and tests.</summary>
internal sealed class PlainProgress(TextWriter o) : IRunProgress
{
    private readonly object _gate = new();
    private int _finished, _total;

    public void Planned(int subjects, int toProcess, int jobs)
    {
        lock (_gate)
        {
            _total = subjects;
            o.WriteLine($"{subjects} subject(s): {toProcess} to process, {subjects - toProcess} already complete; {jobs} at a time");
        }
    }

    public void Started(string subject) { }

    public void Finished(SubjectOutcome outcome)
    {
        lock (_gate)
        {
            _finished++;
            var what = outcome.State switch
            {
                SubjectState.Done => string.Create(CultureInfo.InvariantCulture, $"done ({outcome.Elapsed.TotalSeconds:0.00} s)"),
                SubjectState.Skipped => "already complete, skipped",
                _ => $"FAILED: {outcome.Reason}",
            };
            o.WriteLine($"[{_finished,3}/{_total}] sub-{outcome.Subject} {what}");
        }
    }

    public void Message(ParameterText text)
    {
        lock (_gate) o.WriteLine(CliFlags.Text(text));
    }
}

/// <summary>
/// The participant level's progress: a Spectre.Console bar with done / failed counts and the remaining time when
/// standard output is an interactive terminal, plain lines otherwise.
/// </summary>
internal static class RunProgressDisplay
{
    /// <summary>Whether <paramref name="o"/> is the process's own terminal.</summary>
    public static bool IsTerminal(TextWriter o) =>
        ReferenceEquals(o, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static ParticipantSummary Participant(RunOptions options, TextWriter o)
    {
        if (!IsTerminal(o)) return ParticipantLevel.Run(options, new PlainProgress(o));
        var messages = new List<string>();
        ParticipantSummary? summary = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("participants", autoStart: true, maxValue: 1);
                summary = ParticipantLevel.Run(options, new SpectreProgress(task, messages));
            });
        foreach (var m in messages) o.WriteLine(m);
        return summary!;
    }

    private sealed class SpectreProgress(ProgressTask task, List<string> messages) : IRunProgress
    {
        private readonly object _gate = new();
        private int _done, _failed, _running, _toProcess;

        public void Planned(int subjects, int toProcess, int jobs)
        {
            lock (_gate)
            {
                _toProcess = toProcess;
                task.MaxValue = Math.Max(1, toProcess);
                if (toProcess == 0) task.Value = 1;
                messages.Add($"{subjects} subject(s): {toProcess} to process, {subjects - toProcess} already complete; {jobs} at a time");
                Describe();
            }
        }

        public void Started(string subject)
        {
            lock (_gate) { _running++; Describe(); }
        }

        public void Finished(SubjectOutcome outcome)
        {
            lock (_gate)
            {
                if (outcome.State == SubjectState.Skipped) return;
                _running--;
                if (outcome.State == SubjectState.Failed)
                {
                    _failed++;
                    messages.Add($"sub-{outcome.Subject} FAILED: {outcome.Reason}");
                }
                else _done++;
                task.Increment(1);
                Describe();
            }
        }

        public void Message(ParameterText text)
        {
            lock (_gate) messages.Add(CliFlags.Text(text));
        }

        private void Describe() =>
            task.Description = Markup.Escape($"participants: {_done} done, {_failed} failed, {_running} running, {_toProcess - _done - _failed - _running} waiting");
    }
}
