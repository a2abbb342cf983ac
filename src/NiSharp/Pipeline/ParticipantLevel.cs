using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.IO;

namespace NiSharp.Pipeline;

/// <summary>The result of a participant-level invocation.</summary>
/// <param name="Subjects">One outcome per selected subject, in label order.</param>
/// <param name="Jobs">Subjects processed at once.</param>
/// <param name="LeftoversRemoved">Temporary files of an interrupted run that were deleted.</param>
/// <param name="ReportPath">The summary page, or null without reports.</param>
/// <param name="Elapsed">Wall time of the whole invocation.</param>
public sealed record ParticipantSummary(IReadOnlyList<SubjectOutcome> Subjects, int Jobs, int LeftoversRemoved, string? ReportPath, TimeSpan Elapsed)
{
    /// <summary>0 when every subject succeeded (or was already complete), 1 when some failed.</summary>
    public int ExitCode => Subjects.Any(s => s.State == SubjectState.Failed) ? 1 : 0;

    /// <summary>Subjects that failed.</summary>
    public IReadOnlyList<SubjectOutcome> Failed => Subjects.Where(s => s.State == SubjectState.Failed).ToList();
}

/// <summary>
/// <c>nisharp run FMRIPREP_DIR OUTPUT_DIR participant</c>: every selected subject's runs analysed (see
/// <see cref="RunAnalysis"/>), subjects in parallel up to <see cref="RunOptions.Jobs"/> (fewer when memory is short).
/// A failing subject is logged with the file and the reason and the others go on; subjects whose outputs are complete
/// for the same parameters and inputs are skipped; one run at a time per output folder (<see cref="OutputLock"/>),
/// whose leftovers from a killed run are removed first. The tasks of a Slurm job array
/// (<see cref="RunOptions.SharedOutput"/>) share the folder instead, see <see cref="OutputLock.AcquireShared"/>.
/// </summary>
public static class ParticipantLevel
{
    /// <summary>Runs the participant level.</summary>
    /// <exception cref="NiSharpException">Usage and input errors (unknown label, no runs, output inside the input,
    /// another run on the folder, unknown atlas or strategy): nothing is processed.</exception>
    public static ParticipantSummary Run(RunOptions options, IRunProgress? progress = null) => Run(options, progress, null);

    /// <summary>The participant level; <paramref name="contextsMade"/> (tests) sees the atlases' contexts once made.</summary>
    internal static ParticipantSummary Run(RunOptions options, IRunProgress? progress, Action<IReadOnlyList<ParticipantContext>>? contextsMade)
    {
        var clock = Stopwatch.StartNew();
        progress ??= SilentProgress.Instance;
        options = options.Validate();
        var selection = RunSelection.SelectParticipants(options);
        var atlases = ParticipantContext.ForEach(options, selection);
        contextsMade?.Invoke(atlases);

        OutputFolder.Create(options.OutputDirectory);
        using var outputLock = options.SharedOutput
            ? OutputLock.AcquireShared(options.OutputDirectory, selection.Subjects.Select(s => s.Subject).ToList())
            : OutputLock.Acquire(options.OutputDirectory);
        int leftovers = outputLock.RemoveLeftovers(options.OutputDirectory);
        if (leftovers > 0) progress.Message($"removed {leftovers} temporary file(s) left by an interrupted run");
        DerivativesDataset.Write(options.OutputDirectory, options.InputDirectory, selection.Layout.Description);
        if (selection.WithoutRuns.Count > 0)
            progress.Message($"{selection.WithoutRuns.Count} subject(s) have no run in space {options.Space}: sub-{string.Join(", sub-", selection.WithoutRuns)}");
        foreach (var spaceWarning in atlases.Select(c => c.SpaceWarning).OfType<string>()) progress.Message("warning: " + spaceWarning);
        if (options.Kinds.Contains(Connectome.ConnectivityKind.Tangent))
            progress.Message("kind tangent is relative to the group: the group level computes it");

        var outcomes = new SubjectOutcome[selection.Subjects.Count];
        var todo = new List<int>();
        for (int i = 0; i < selection.Subjects.Count; i++)
        {
            var (subject, runs) = selection.Subjects[i];
            if (runs.All(r => atlases.All(ctx => RunAnalysis.IsComplete(r, ctx))))
                outcomes[i] = new SubjectOutcome(subject, SubjectState.Skipped, TimeSpan.Zero, runs.Count, null, null, SubjectStatus.LogPathOf(options.OutputDirectory, subject));
            else
                todo.Add(i);
        }
        var plan = JobPlanner.Plan(options.Jobs, todo.SelectMany(i => selection.Subjects[i].Runs).ToList(), atlases.Sum(c => c.Atlas.Labels.Regions.Count), options.Reports, JobPlanner.ExtraBytesPerVoxel(options));
        int jobs = plan.Jobs;
        if (todo.Count > 1 && (options.Jobs == JobPlanner.Auto || plan.Jobs < options.Jobs)) progress.Message(plan.Describe());
        progress.Planned(selection.Subjects.Count, todo.Count, jobs);
        foreach (var o in outcomes.Where(o => o is not null)) progress.Finished(o);

        SubjectLoop.ForEach(selection.Subjects, todo, jobs, progress, outcomes, i => ProcessSubject(selection.Subjects[i].Subject, selection.Subjects[i].Runs, atlases));

        string? report = null;
        if (options.Reports && !options.SharedOutput) // an array task's one subject would overwrite the others' page
        {
            report = Path.Combine(options.OutputDirectory, "report.html");
            RunReports.WriteTopPage(atlases, selection);
        }
        return new ParticipantSummary(outcomes, jobs, leftovers, report, clock.Elapsed);
    }

    // A subject's runs, each read once for every atlas; its log and status record the atlas set's parameters hash.
    private static SubjectOutcome ProcessSubject(string subject, IReadOnlyList<BoldRun> runs, IReadOnlyList<ParticipantContext> atlases)
    {
        var clock = Stopwatch.StartNew();
        var ctx = atlases[0];
        var outputDir = ctx.Options.OutputDirectory;
        var parametersHash = ParticipantContext.ParametersHash(atlases);
        var log = new SubjectLog();
        log.Add($"sub-{subject}: {runs.Count} run(s); NiSharp {Provenance.Version}; parameters {parametersHash}" +
                (atlases.Count > 1 ? $" ({atlases.Count} atlases: {string.Join(", ", atlases.Select(c => $"atlas-{c.AtlasLabel} {c.Provenance.ParametersHash}"))})" : ""));
        foreach (var spaceWarning in atlases.Select(c => c.SpaceWarning).OfType<string>()) log.Add("warning: " + spaceWarning);
        var (reason, file) = SubjectLoop.RunEach(runs, log, run =>
        {
            var runClock = Stopwatch.StartNew();
            RunAnalysis.Execute(run, atlases, log.Add);
            log.Add($"  done in {runClock.Elapsed.TotalSeconds:0.00} s → {RunAnalysis.OutputsOf(run, ctx).Directory}");
        });
        var state = reason is null ? SubjectState.Done : SubjectState.Failed;
        log.Add(state == SubjectState.Done ? $"sub-{subject} done in {clock.Elapsed.TotalSeconds:0.00} s" : $"sub-{subject} FAILED: {reason}");
        var logPath = SubjectStatus.LogPathOf(outputDir, subject);
        TreeBoundary.CheckOutputFolder(outputDir, Path.GetDirectoryName(logPath)!);
        OutputFolder.Create(Path.GetDirectoryName(logPath)!);
        AtomicFile.WriteAllText(logPath, log.ToString());
        new SubjectStatus(subject, state == SubjectState.Done ? "done" : "failed", reason, file, parametersHash,
            clock.Elapsed.TotalSeconds, DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture)).Write(outputDir);
        return new SubjectOutcome(subject, state, clock.Elapsed, runs.Count, reason, file, logPath);
    }
}
