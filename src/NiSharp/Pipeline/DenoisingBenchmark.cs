using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.Imaging;
using NiSharp.IO;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Qc;
using NiSharp.Signal;

namespace NiSharp.Pipeline;

/// <summary>
/// The parameters of <c>nisharp benchmark FMRIPREP_DIR OUTPUT_DIR</c>. The cleaning defaults follow the fMRIPrep
/// denoising benchmark (Wang et al. 2024): linear detrend, <c>zscore_sample</c>, no Butterworth filter — the
/// strategies' discrete cosines do the high-pass — and correlation; the strategies are
/// <see cref="DenoisingStrategies.All"/>.
/// </summary>
public sealed record BenchmarkOptions
{
    /// <summary>The fMRIPrep derivatives folder.</summary>
    public required string InputDirectory { get; init; }

    /// <summary>Where outputs go (the benchmark writes under <c>OUTPUT_DIR/benchmark/</c>).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Subjects to process (empty: all).</summary>
    public IReadOnlyList<string> ParticipantLabels { get; init; } = [];

    /// <summary>Task (null: every task).</summary>
    public string? Task { get; init; }

    /// <summary>Template space of the BOLD runs.</summary>
    public string Space { get; init; } = "MNI152NLin2009cAsym";

    /// <summary>A bundled atlas or a label image.</summary>
    public string Atlas { get; init; } = "yeo7-relabeled";

    /// <summary>A label table for an atlas file.</summary>
    public string? AtlasLabels { get; init; }

    /// <summary>The strategies, by name (<see cref="DenoisingStrategies.Find"/>).</summary>
    public IReadOnlyList<string> Strategies { get; init; } = DenoisingStrategies.DefaultNames;

    /// <summary>Leading volumes to drop (the same for every strategy).</summary>
    public DummyScans DummyScans { get; init; } = DummyScans.Auto;

    /// <summary>The cleaning of the region signals (default: linear detrend, <c>zscore_sample</c>, no Butterworth filter —
    /// the strategies' discrete cosines high-pass —, as the benchmark).</summary>
    public CleanOptions Clean { get; init; } = DefaultCleaning;

    /// <summary>The benchmark's cleaning, the default of <see cref="Clean"/>.</summary>
    public static CleanOptions DefaultCleaning { get; } = new() { Detrend = true, Standardize = StandardizeMethod.ZScoreSample };

    /// <summary>Subjects at once (<see cref="JobPlanner.Auto"/>: one per core, as many as fit in memory); checked like <see cref="RunOptions.Jobs"/>.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>A BIDS filter file, or null.</summary>
    public string? BidsFilterFile { get; init; }

    /// <summary>The participants table for the covariates (default: found as the group level finds it).</summary>
    public string? ParticipantsFile { get; init; }

    /// <summary>The motion exclusion rules.</summary>
    public MotionExclusionRules MotionExclusion { get; init; } = new();

    /// <summary>Seed of the community detection.</summary>
    public int Seed { get; init; }

    /// <summary>Whether to write the HTML report and its figures.</summary>
    public bool Reports { get; init; } = true;

    /// <summary>The run options these imply (selection, atlas, cleaning; the strategy is per benchmark strategy).</summary>
    public RunOptions ToRunOptions() => new()
    {
        InputDirectory = InputDirectory,
        OutputDirectory = OutputDirectory,
        ParticipantLabels = ParticipantLabels,
        Task = Task,
        Space = Space,
        Atlases = [Atlas],
        AtlasLabels = AtlasLabels,
        Strategy = "none",
        DummyScans = DummyScans,
        Clean = Clean,
        Kinds = [ConnectivityKind.Correlation],
        Jobs = Jobs,
        BidsFilterFile = BidsFilterFile,
        ParticipantsFile = ParticipantsFile,
        Seed = Seed,
        MotionExclusion = MotionExclusion,
        Reports = Reports,
    };
}

/// <summary>The result of a benchmark.</summary>
/// <param name="Metrics">One row per strategy, in the order asked.</param>
/// <param name="Subjects">One outcome per subject.</param>
/// <param name="MetricsPath"><c>OUTPUT_DIR/benchmark/strategy_metrics.tsv</c>.</param>
/// <param name="ReportPath">The benchmark report, or null without reports.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record BenchmarkSummary(IReadOnlyList<StrategyMetrics> Metrics, IReadOnlyList<SubjectOutcome> Subjects, string MetricsPath, string? ReportPath, TimeSpan Elapsed)
{
    /// <summary>0 when every subject was processed, 1 when some failed.</summary>
    public int ExitCode => Subjects.Any(s => s.State == SubjectState.Failed) ? 1 : 0;
}

/// <summary>
/// <c>nisharp benchmark</c>: the participant level once per denoising strategy, and the group motion QC of each
/// (Wang et al. 2024's measures: tDOF loss, QC-FC, its distance dependence, modularity and its motion dependence),
/// compared in <c>OUTPUT_DIR/benchmark/strategy_metrics.tsv</c> and a report.
/// </summary>
/// <remarks>
/// Each BOLD file is read once: the labels masker extracts the raw region means (and the voxel statistics of the
/// temporal SNR) in one pass, and every strategy then cleans those means. The masker's cleaning (detrend, filter,
/// confound projection, censoring, standardisation) is linear in the region means and applied column by column, so
/// cleaning the means equals extracting with cleaning, exactly, for mean extraction. Per strategy and run it writes
/// <c>OUTPUT_DIR/benchmark/STRATEGY/sub-X/func/…_stat-pearsoncorrelation_relmat.tsv</c> and
/// <c>…_desc-qc_motion.tsv</c>; per strategy the group QC tables in <c>OUTPUT_DIR/benchmark/STRATEGY/group/</c>.
/// </remarks>
public static class DenoisingBenchmark
{
    /// <summary>The benchmark's folder.</summary>
    public static string BenchmarkDirectory(string outputDir) => Path.Combine(outputDir, "benchmark");

    /// <summary>Runs the benchmark.</summary>
    public static BenchmarkSummary Run(BenchmarkOptions options, IRunProgress? progress = null)
    {
        var clock = Stopwatch.StartNew();
        progress ??= SilentProgress.Instance;
        var run = options.ToRunOptions().Validate();
        var strategies = options.Strategies.Count == 0
            ? throw NiSharpException.InParameter("strategies", ": give at least one strategy")
            : DenoisingStrategies.Parse(string.Join(',', options.Strategies));
        var selection = RunSelection.Select(run);
        var ctx = ParticipantContext.For(run, selection);
        var (atlas, atlasLabel) = (ctx.Atlas, ctx.AtlasLabel);
        // Extraction without cleaning: the raw means every strategy cleans.
        var rawMasker = ctx.Masker with { Clean = ctx.Masker.Clean with { Detrend = false, Standardize = StandardizeMethod.None, LowPass = null, HighPass = null } };
        CheckStrategies(selection, strategies, run.DummyScans, progress);

        var root = BenchmarkDirectory(run.OutputDirectory);
        OutputFolder.Create(run.OutputDirectory);
        using var outputLock = OutputLock.Acquire(run.OutputDirectory);
        int leftovers = outputLock.RemoveLeftovers(run.OutputDirectory);
        if (leftovers > 0) progress.Message($"removed {leftovers} temporary file(s) left by an interrupted run");
        DerivativesDataset.Write(run.OutputDirectory, run.InputDirectory, selection.Layout.Description);
        OutputFolder.Create(root);
        progress.Message($"{strategies.Count} strateg{(strategies.Count == 1 ? "y" : "ies")}: {string.Join(", ", strategies.Select(s => s.Name))}; " +
                         $"cleaning: detrend {run.Clean.Detrend}, band-pass {Hz(run.Clean.HighPass)}–{Hz(run.Clean.LowPass)}, standardize {CleanOptions.Name(run.Clean.Standardize)}");

        var subjects = selection.Subjects;
        var outcomes = new SubjectOutcome[subjects.Count];
        var results = new SubjectResult?[subjects.Count];
        var plan = JobPlanner.Plan(run.Jobs, subjects.SelectMany(x => x.Runs).ToList(), rawMasker.Atlas.Labels.Regions.Count, reports: false);
        int jobs = plan.Jobs;
        if (subjects.Count > 1 && (run.Jobs == JobPlanner.Auto || plan.Jobs < run.Jobs)) progress.Message(plan.Describe());
        progress.Planned(subjects.Count, subjects.Count, jobs);
        Parallel.For(0, subjects.Count, new ParallelOptions { MaxDegreeOfParallelism = jobs }, i =>
        {
            var (subject, runs) = subjects[i];
            progress.Started(subject);
            (outcomes[i], results[i]) = ProcessSubject(subject, runs, ctx, rawMasker, strategies, root);
            progress.Finished(outcomes[i]);
        });

        // Group QC per strategy over the subjects that succeeded.
        var done = Enumerable.Range(0, subjects.Count).Where(i => results[i] is not null).ToList();
        if (done.Count == 0)
            throw new NiSharpException(run.OutputDirectory, "no subject could be processed: " + string.Join("; ", outcomes.Select(o => $"sub-{o.Subject}: {o.Reason}").Take(5)));
        var ids = done.Select(i => subjects[i].Subject).ToList();
        var notes = new List<string>();
        var participantsPath = run.ParticipantsFile ?? GroupLevel.FindParticipants(run.InputDirectory);
        Participants? participants = null;
        if (participantsPath is not null)
        {
            try { participants = Participants.Read(participantsPath); }
            catch (NiSharpException e) { notes.Add($"{e.Message}: QC-FC is not adjusted for age and sex"); }
        }
        var covariates = GroupMotionQc.Covariates(participants, ids, notes);
        foreach (var n in notes) progress.Message("covariates: " + n);
        var centroids = DistanceDependence.Centroids(atlas);
        var metrics = new List<StrategyMetrics>();
        var perStrategy = new List<StrategyOutcome>();
        foreach (var (strategy, s) in strategies.Select((x, k) => (x, k)))
        {
            var matrices = done.Select(i => SubjectMatrix(results[i]!.RelmatFiles[s])).ToList();
            var motion = done.Select(i => SubjectMotion.FromRuns(subjects[i].Subject, results[i]!.Qc[s])).ToList();
            var regions = matrices[0].Regions;
            var qc = GroupMotionQc.Compute(new GroupQcInput
            {
                Subjects = ids,
                Connectivity = matrices.Select(m => m.Values).ToList(),
                RegionLabels = regions.Select(r => r.LabelId).ToList(),
                Motion = motion,
                Covariates = covariates,
                Centroids = centroids,
                Rules = run.MotionExclusion,
                Seed = run.Seed,
            });
            var row = StrategyMetrics.From(strategy.Name, qc);
            metrics.Add(row);
            var groupDir = Path.Combine(root, strategy.Name, "group");
            OutputFolder.Create(groupDir);
            var prefix = $"space-{run.Space}_atlas-{atlasLabel}";
            var meta = new JsonObject
            {
                ["ConfoundStrategy"] = strategy.Name,
                ["StrategyDescription"] = strategy.Description,
                ["GeneratedBy"] = Provenance.GeneratedBy("nisharp benchmark"),
            };
            GroupQcFiles.WriteSubjects(Path.Combine(groupDir, $"{prefix}_desc-motionqc_participants.tsv"), qc, motion, run.MotionExclusion, meta);
            GroupQcFiles.WriteEdges(Path.Combine(groupDir, $"{prefix}_stat-pearsoncorrelation_desc-qcfc_edges.tsv"), qc, regions, meta);
            var dof = done.SelectMany(i => results[i]!.Qc[s]).ToList();
            perStrategy.Add(new StrategyOutcome(strategy, qc, motion,
                (dof.Average(d => (double)d.Dof.Regressors), dof.Average(d => (double)d.Dof.Censored), dof.Average(d => d.Dof.Filter)),
                dof.Average(d => (double)d.Volumes)));
            progress.Message($"{strategy.Name,-16} tDOF lost {N(row.TdofLossMean, "0.0"),6}  QC-FC significant {N(100 * row.QcFcSignificantFraction, "0.0'%'"),6}  " +
                             $"median |QC-FC| {N(row.QcFcMedianAbs, "0.000")}  distance ρ {N(row.DistanceDependence, "0.000"),6}  modularity {N(row.Modularity, "0.000")}  excluded {row.SubjectsExcluded}");
        }

        var metricsPath = Path.Combine(root, "strategy_metrics.tsv");
        StrategyMetrics.Write(metricsPath, metrics, new JsonObject
        {
            ["Description"] = "Denoising strategies compared on this dataset with the measures of Wang et al. 2024 (PLOS Comput Biol 20:e1011942)",
            ["Strategies"] = new JsonObject(strategies.Select(x => KeyValuePair.Create(x.Name, (JsonNode?)new JsonObject
            {
                ["Description"] = x.Description,
                ["load_confounds"] = Sanitize(x.Confounds.ToParameters()),
            }))),
            ["Cleaning"] = Sanitize(run.Clean.ToParameters(repetitionTime: false)),
            ["Atlas"] = new JsonObject { ["Name"] = atlas.Name, ["Label"] = atlasLabel },
            ["Connectivity"] = "Pearson correlation (Ledoit-Wolf covariance, as nilearn's ConnectivityMeasure)",
            ["Covariates"] = new JsonArray(covariates.Select(c => (JsonNode?)c.Name).ToArray()),
            ["MotionExclusion"] = run.MotionExclusion.ToJson(),
            ["Subjects"] = new JsonArray(ids.Select(x => (JsonNode?)("sub-" + x)).ToArray()),
            ["FailedSubjects"] = new JsonArray(outcomes.Where(o => o.State == SubjectState.Failed).Select(o => (JsonNode?)("sub-" + o.Subject)).ToArray()),
            ["SharedExtraction"] = "each BOLD file is read once; the raw region means are cleaned per strategy (the masker's cleaning is linear in them)",
            ["Seed"] = run.Seed,
            ["GeneratedBy"] = Provenance.GeneratedBy("nisharp benchmark"),
        });

        string? report = null;
        if (run.Reports)
        {
            report = Path.Combine(root, "report.html");
            BenchmarkReport.Save(report, Path.Combine(root, "figures"), new BenchmarkReportInput
            {
                Metrics = metrics,
                Strategies = perStrategy.Select(p => new BenchmarkStrategyResult(p.Strategy.Name, p.Strategy.Description, p.Qc, p.Motion, p.Dof, p.Volumes)).ToList(),
                Details = RunReports.Details(run, atlas.Name, ctx.Provenance.ParametersHash, selection.Tasks).Where(d => d.Item1 != "confound strategy" && d.Item1 != "parameters hash").ToList(),
                Failures = outcomes.Where(o => o.State == SubjectState.Failed).Select(o => new Reports.FailedSubject("sub-" + o.Subject, o.Reason ?? "", o.File)).ToList(),
                Rules = run.MotionExclusion,
                Notes = notes,
            });
        }
        return new BenchmarkSummary(metrics, outcomes, metricsPath, report, clock.Elapsed);
    }

    private sealed record SubjectResult(List<string>[] RelmatFiles, List<RunQc>[] Qc);

    private sealed record StrategyOutcome(DenoisingStrategy Strategy, GroupQcResult Qc, IReadOnlyList<SubjectMotion> Motion,
        (double Regressors, double Censored, double Filter) Dof, double Volumes);

    /// <summary>Fails before any work when a strategy cannot be selected from the first run's confounds (no CompCor in
    /// the JSON, no cosines…), naming the strategy; warns when one is selected other than asked (compcor6 with fewer
    /// than 6 CompCor components, which makes it another strategy's row).</summary>
    private static void CheckStrategies(RunSelection selection, IReadOnlyList<DenoisingStrategy> strategies, DummyScans dummy, IRunProgress progress)
    {
        var first = selection.Subjects[0].Runs[0];
        var file = first.RequireConfounds();
        var table = FmriprepConfounds.Load(file.Path, first.ConfoundsJson?.Path);
        foreach (var s in strategies)
        {
            try
            {
                foreach (var w in ConfoundSelector.Select(table, s.Confounds with { DummyScans = dummy }).Warnings)
                    progress.Message($"warning: strategy {s.Name}: {w} (sub-{first.Subject}; each subject's log says what its runs used)");
            }
            catch (NiSharpException e)
            {
                throw new NiSharpException(e.FilePath ?? file.Path, $"strategy {s.Name}: {StripFile(e)}; leave it out of {new ParameterName("strategies")}");
            }
        }
    }

    private static string StripFile(NiSharpException e) =>
        e.FilePath is string f && e.Message.StartsWith(f + ": ", StringComparison.Ordinal) ? e.Message[(f.Length + 2)..] : e.Message;

    private static (SubjectOutcome, SubjectResult?) ProcessSubject(string subject, IReadOnlyList<BoldRun> runs, ParticipantContext ctx,
        LabelsMaskerOptions rawMasker, IReadOnlyList<DenoisingStrategy> strategies, string root)
    {
        var clock = Stopwatch.StartNew();
        var log = new SubjectLog();
        var result = new SubjectResult(strategies.Select(_ => new List<string>()).ToArray(), strategies.Select(_ => new List<RunQc>()).ToArray());
        var (reason, file) = SubjectLoop.RunEach(runs, log, run => ProcessRun(run, ctx, rawMasker, strategies, root, result, log.Add));
        var logPath = Path.Combine(root, "logs", $"sub-{subject}.log");
        OutputFolder.Create(Path.GetDirectoryName(logPath)!);
        AtomicFile.WriteAllText(logPath, log.ToString());
        var state = reason is null ? SubjectState.Done : SubjectState.Failed;
        return (new SubjectOutcome(subject, state, clock.Elapsed, runs.Count, reason, file, logPath), reason is null ? result : null);
    }

    private static void ProcessRun(BoldRun run, ParticipantContext ctx, LabelsMaskerOptions rawMasker, IReadOnlyList<DenoisingStrategy> strategies,
        string root, SubjectResult result, Action<string> log)
    {
        var options = ctx.Options;
        string bold = run.Bold.Path;
        string? mask = run.Mask?.Path;
        var confoundsFile = run.RequireConfounds();
        // one read of the BOLD file: its header here, its volumes in the masker's pass below
        using var file = NiftiFile.Open(bold);
        if (file.Header.NDim < 4 || file.VolumeCount < 2) throw new NiSharpException(bold, $"not a BOLD series: shape {Image.ShapeText(file.Shape)}");
        int volumes = file.VolumeCount;
        double tr = run.ResolveRepetitionTime(file.Header).Require(bold);
        var table = FmriprepConfounds.Load(confoundsFile.Path, run.ConfoundsJson?.Path);
        if (table.RowCount != volumes)
            throw new NiSharpException(confoundsFile.Path, $"the confounds have {table.RowCount} rows but {run.Bold.Filename} has {volumes} volumes");
        var chosen = strategies.Select(s => Select(table, s.Confounds with { DummyScans = options.DummyScans })).ToArray();
        var selections = chosen.Select(c => c.Selection).ToArray();
        for (int s = 0; s < strategies.Count; s++)
            foreach (var w in selections[s].Warnings) log($"  warning: {strategies[s].Name}: {w}");
        int dummy = selections[0].DummyScans;
        if (selections.Any(s => s.DummyScans != dummy)) throw new InvalidOperationException("the strategies disagree on the dummy volumes");

        // One pass: raw region means (no cleaning) and the voxel statistics of the temporal SNR.
        var masker = new LabelsMasker(rawMasker with
        {
            MaskImg = mask is null ? null : Masking.LoadMask(mask),
            MaskSource = mask is null ? null : ctx.SourceUri(mask),
            Clean = rawMasker.Clean with { RepetitionTime = tr },
        });
        var fit = masker.Fit(Grid.Of(file));
        var snr = TemporalSnr.ForMask(fit);
        var recorder = new RegionSignalRecorder(volumes - dummy, fit.Index.Regions, snr);
        var region = masker.FitTransform(file, new MaskerInputs { DummyScans = dummy }, null, recorder);
        var coverage = region.Coverage;
        if (coverage.Count(c => !c.IsEmpty) < 2)
            throw new NiSharpException(bold, $"only {coverage.Count(c => !c.IsEmpty)} atlas region(s) have voxels in the brain mask; is the atlas in the BOLD's space ({run.Space})?");
        var raw = recorder.Signals();
        var (tsnrMean, tsnrMedian, _) = snr.Result();
        var clean = (ctx.Masker.Clean with { RepetitionTime = tr }).Validate();
        var fd = RunQcStep.FramewiseDisplacement(table, dummy);
        var regions = region.Regions.Select((r, j) => new Region(region.ColumnNames[j], r.Id)).ToArray();
        var extracted = region.Regions.Select((r, j) => (r, j)).Where(x => !x.r.IsEmpty).Select(x => x.j).ToArray();
        log($"{run.Bold.Filename}: {volumes} volumes, TR {tr.ToString("0.###", CultureInfo.InvariantCulture)} s, {dummy} dummy; {extracted.Length} of {regions.Length} regions with signal");

        for (int s = 0; s < strategies.Count; s++)
        {
            var sel = selections[s];
            Matrix<double> m;
            int timepoints = 0;
            if (chosen[s].AllCensored)
            {
                // Nothing left to correlate: the subject is excluded for this strategy (its censored fraction is 1).
                m = Matrix<double>.Build.Dense(regions.Length, regions.Length, double.NaN);
                log($"  {strategies[s].Name}: every volume is censored");
            }
            else
            {
                var cleaned = raw.Clean(clean, sel.Columns.Count > 0 ? sel.Regressors : null, sel.SampleMaskOrNull);
                timepoints = cleaned.Timepoints;
                // Every atlas region is a column; empty ones are n/a and the measure leaves them out.
                var x = Matrix<double>.Build.Dense(cleaned.Timepoints, regions.Length, double.NaN);
                for (int t = 0; t < cleaned.Timepoints; t++)
                    for (int k = 0; k < extracted.Length; k++) x[t, extracted[k]] = cleaned[t, k];
                m = new ConnectivityMeasure(Provenance.Connectivity(ConnectivityKind.Correlation)).FitTransform([x], [bold])[0];
            }
            var qc = RunQc.Measure(new RunQcInputs
            {
                FramewiseDisplacement = fd,
                Selection = sel,
                Clean = clean,
                Raw = raw,
                TemporalSnr = (tsnrMean, tsnrMedian),
                Coverage = coverage,
            });
            if (chosen[s].AllCensored)
                qc = qc with { Censored = sel.Volumes, DvarsAfter = double.NaN, FdThreshold = strategies[s].Confounds.FdThreshold, Dof = qc.Dof with { Censored = sel.Volumes } };
            var dir = DerivativeNames.RunDirectory(Path.Combine(root, strategies[s].Name), run);
            OutputFolder.Create(dir);
            var prefix = DerivativeNames.RunPrefix(run, ctx.AtlasLabel);
            var relmat = Path.Combine(dir, $"{prefix}_stat-{DerivativeNames.StatLabel(ConnectivityKind.Correlation)}_relmat.tsv");
            var sources = new[] { bold, mask, confoundsFile.Path }.Where(p => p is not null).Select(p => ctx.SourceUri(p!)).ToArray();
            var meta = Provenance.ConnectivityParameters(ConnectivityKind.Correlation);
            meta["Description"] = $"Correlation between the atlas regions' signals cleaned with strategy {strategies[s].Name}";
            meta["Sources"] = new JsonArray(sources.Select(p => (JsonNode?)p).ToArray());
            meta["ConfoundStrategy"] = strategies[s].Name;
            meta["SelectedConfounds"] = new JsonArray(sel.Columns.Select(c => (JsonNode?)c).ToArray());
            meta["CensoredVolumes"] = qc.Censored;
            meta["DummyVolumes"] = dummy;
            meta["TimePoints"] = timepoints;
            meta["RepetitionTime"] = tr;
            meta["Cleaning"] = Sanitize(clean.ToParameters());
            meta["GeneratedBy"] = Provenance.GeneratedBy("nisharp benchmark");
            new ConnectivityMatrix(regions, m).Write(relmat, meta);
            var qcPath = Path.Combine(dir, prefix + RunQc.Suffix);
            var qcMeta = RunQcStep.Sidecar(strategies[s].Name, sources);
            qcMeta["GeneratedBy"] = Provenance.GeneratedBy("nisharp benchmark");
            qc.Write(qcPath, qcMeta);
            lock (result)
            {
                result.RelmatFiles[s].Add(relmat);
                result.Qc[s].Add(qc);
            }
            log(string.Create(CultureInfo.InvariantCulture,
                $"  {strategies[s].Name}: {sel.Columns.Count} regressors, {qc.Censored} censored, tDOF lost {qc.Dof.Loss:0.#}"));
        }
    }

    /// <summary>
    /// The selection of a strategy; when its scrubbing censors every volume (a subject who never keeps still), the
    /// selection without scrubbing and a flag, so that the subject is excluded for that strategy rather than failed.
    /// </summary>
    private static (ConfoundSelection Selection, bool AllCensored) Select(FmriprepConfounds table, ConfoundStrategy strategy)
    {
        try
        {
            return (ConfoundSelector.Select(table, strategy), false);
        }
        catch (NiSharpException) when ((strategy.Components & NoiseComponents.Scrub) != 0)
        {
            // If the same strategy without scrubbing works, scrubbing removed everything.
            return (ConfoundSelector.Select(table, strategy with { Components = strategy.Components & ~NoiseComponents.Scrub }), true);
        }
    }

    /// <summary>A subject's matrix: its run's, or the mean of its runs'.</summary>
    private static ConnectivityMatrix SubjectMatrix(IReadOnlyList<string> files)
    {
        var runs = files.Select(ConnectivityMatrix.Read).ToList();
        return runs.Count == 1 ? runs[0] : RunReports.MeanIgnoringNaN(runs)!;
    }

    /// <summary>Parameters as JSON with non-finite numbers (an unused threshold) as null, which JSON cannot hold.</summary>
    internal static JsonNode? Sanitize(IReadOnlyDictionary<string, object?> parameters)
    {
        var d = parameters.ToDictionary(kv => kv.Key, kv => kv.Value is double v && !double.IsFinite(v) ? null : kv.Value);
        return ParameterJson.ToNode(d);
    }

    private static string N(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);

    private static string Hz(double? v) => v is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) + " Hz" : "none";
}
