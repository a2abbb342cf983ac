using System.Globalization;
using NiSharp.IO;

namespace NiSharp.Pipeline.Slurm;

/// <summary>What <see cref="SlurmSubmission.Prepare"/> found and wrote.</summary>
/// <param name="Options">The validated run options.</param>
/// <param name="Slurm">The validated Slurm options.</param>
/// <param name="Selected">Every subject the run selects, as a local run would (label order).</param>
/// <param name="ToSubmit">The subjects whose outputs are not complete: the array's tasks, in order.</param>
/// <param name="Complete">The subjects left out because their outputs are complete for these parameters and inputs.</param>
/// <param name="ParametersHash">The parameters hash of the analysis.</param>
/// <param name="Memory">The <c>--mem</c> of the jobs.</param>
/// <param name="MemoryNote">How <paramref name="Memory"/> was chosen when not given, else null.</param>
/// <param name="WorkingDirectory">The jobs' working directory.</param>
/// <param name="SubjectsPerTask">Subjects each array task processes (task <c>i</c>: lines <c>i·N+1</c> to <c>(i+1)·N</c>).</param>
public sealed record SlurmPlan(RunOptions Options, SlurmOptions Slurm, IReadOnlyList<string> Selected, IReadOnlyList<string> ToSubmit,
    IReadOnlyList<string> Complete, string ParametersHash, string Memory, string? MemoryNote, string WorkingDirectory, int SubjectsPerTask = 1)
{
    /// <summary>The array's tasks.</summary>
    public int Tasks => (ToSubmit.Count + SubjectsPerTask - 1) / SubjectsPerTask;

    /// <summary><c>OUTPUT_DIR/slurm</c>.</summary>
    public string SlurmDirectory => SlurmJobRecord.FolderOf(Options.OutputDirectory);

    /// <summary><c>OUTPUT_DIR/slurm/subjects.txt</c>: one label per line, line <c>i+1</c> for array task <c>i</c>.</summary>
    public string SubjectsFile => SlurmJobRecord.SubjectsFileOf(Options.OutputDirectory);

    /// <summary><c>OUTPUT_DIR/slurm/participant.sbatch</c>.</summary>
    public string ParticipantScript => SlurmJobRecord.ParticipantScriptOf(Options.OutputDirectory);

    /// <summary><c>OUTPUT_DIR/slurm/group.sbatch</c>.</summary>
    public string GroupScript => Path.Combine(SlurmDirectory, "group.sbatch");

    /// <summary><c>OUTPUT_DIR/logs</c>, where the jobs' output goes beside NiSharp's per-subject logs.</summary>
    public string LogsDirectory => Path.Combine(Options.OutputDirectory, "logs");

    /// <summary>Whether there is a participant array to submit.</summary>
    public bool HasArray => ToSubmit.Count > 0;

    /// <summary>Whether there is a group job to submit.</summary>
    public bool HasGroup => Slurm.WithGroup || Options.Level == AnalysisLevel.Group;

    /// <summary>Environment variables the scripts set before starting NiSharp (<c>TEMPLATEFLOW_HOME</c> for a TemplateFlow
    /// atlas found through it at submission), so that a script resubmitted by hand from another shell finds the same files.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>The scripts written, in submission order.</summary>
    public IReadOnlyList<string> Scripts => new[] { HasArray ? ParticipantScript : null, HasGroup ? GroupScript : null }.OfType<string>().ToList();
}

/// <summary>The outcome of <see cref="SlurmSubmission.Submit"/>.</summary>
/// <param name="Plan">What was submitted.</param>
/// <param name="ArrayJobId">The participant array's job id, or null when there was none.</param>
/// <param name="GroupJobId">The group job's id, or null when there was none.</param>
public sealed record SlurmSubmissionResult(SlurmPlan Plan, string? ArrayJobId, string? GroupJobId);

/// <summary>
/// <c>nisharp run BIDS_DIR OUTPUT_DIR participant --slurm</c>: the participant level as a Slurm job array (one task
/// per subject whose outputs are not complete), optionally followed by the group level
/// (<c>--dependency=afterany</c>, so that it runs and reports when some subjects failed). Slurm is the distributed
/// engine: NiSharp only resolves the subjects exactly as a local run would, writes <c>OUTPUT_DIR/slurm/subjects.txt</c>
/// and the batch scripts, submits them with <c>sbatch --parsable</c> and records the job ids in
/// <c>OUTPUT_DIR/slurm/jobs.json</c> for <c>nisharp status</c>.
/// </summary>
public static class SlurmSubmission
{
    /// <summary>Memory of a job beside its subject: the .NET runtime, the atlas, the index, page-cache slack.</summary>
    public const long JobBaselineBytes = 384L << 20;

    /// <summary>
    /// Resolves the subjects, checks that no earlier submission is still queued and that no local run is writing to
    /// the folder, and writes <c>subjects.txt</c> and the scripts (nothing is submitted).
    /// </summary>
    /// <exception cref="NiSharpException">Input or usage errors, as for a local run; an earlier submission still
    /// active; an array larger than the cluster's <c>MaxArraySize</c>.</exception>
    public static SlurmPlan Prepare(RunOptions options, SlurmOptions slurm)
    {
        options = options.Validate();
        slurm = slurm.Validate();
        var selection = RunSelection.Select(options);
        var atlases = ParticipantContext.ForEach(options, selection);
        var selected = selection.Subjects.Select(s => s.Subject).ToList();
        var toSubmit = new List<string>();
        var complete = new List<string>();
        if (options.Level == AnalysisLevel.Participant)
            foreach (var (subject, runs) in selection.Subjects)
                (runs.All(r => atlases.All(ctx => RunAnalysis.IsComplete(r, ctx))) ? complete : toSubmit).Add(subject);

        var output = options.OutputDirectory;
        RefuseWhileActive(output, slurm);
        if (Directory.Exists(output))
        {
            // A local run holds the folder's lock for its whole duration; the jobs would collide with it.
            using var probe = OutputLock.Acquire(output);
        }
        int? maxArray = slurm.DryRun || toSubmit.Count == 0 ? null : slurm.Cluster.MaxArraySize();
        int perTask = slurm.SubjectsPerTaskFor(toSubmit.Count, maxArray is int ma ? ma - 1 : null);
        int tasks = (toSubmit.Count + perTask - 1) / perTask;
        if (maxArray is int maxTasks && tasks > maxTasks - 1)
            throw new NiSharpException(output,
                $"{tasks} array tasks exceed the cluster's MaxArraySize {maxArray} (array indices 0..{maxArray - 1}): give more subjects per task ({new ParameterName("slurm_subjects_per_task")}), or submit them in parts with {new ParameterName("participant_label")}, each once the previous part has finished (the parts may share OUTPUT_DIR), or ask the administrators to raise MaxArraySize");

        var submitting = toSubmit.ToHashSet(StringComparer.Ordinal);
        var (memory, note) = slurm.Memory is string m
            ? (m, null)
            : DefaultMemory(selection.Subjects.Where(s => submitting.Count == 0 || submitting.Contains(s.Subject)).SelectMany(s => s.Runs).ToList(), atlases.Sum(c => c.Atlas.Labels.Regions.Count), options.Reports, JobPlanner.ExtraBytesPerVoxel(options));
        var plan = new SlurmPlan(options, slurm, selected, toSubmit, complete, ParticipantContext.ParametersHash(atlases), memory, note,
            Path.GetFullPath(slurm.WorkingDirectory ?? System.Environment.CurrentDirectory), perTask)
        {
            // --templateflow-home travels with the other flags; the environment's home is written out.
            Environment = atlases.Select(c => c.Atlas.Source).FirstOrDefault(s => s is { Origin: Atlases.AtlasOrigin.TemplateFlow, Root: not null }) is { Root: string home } && options.TemplateFlowHome is null
                ? [new("TEMPLATEFLOW_HOME", Path.GetFullPath(home))]
                : [],
        };

        OutputFolder.Create(plan.SlurmDirectory);
        OutputFolder.Create(plan.LogsDirectory); // Slurm does not create the folder of --output
        if (options.Level == AnalysisLevel.Participant)
            AtomicFile.WriteAllText(plan.SubjectsFile, string.Concat(toSubmit.Select(s => s + "\n")));
        if (plan.HasArray) AtomicFile.WriteAllText(plan.ParticipantScript, SlurmScripts.Participant(plan));
        else if (File.Exists(plan.ParticipantScript)) File.Delete(plan.ParticipantScript); // nothing left for it to do
        if (plan.HasGroup) AtomicFile.WriteAllText(plan.GroupScript, SlurmScripts.Group(plan));
        return plan;
    }

    /// <summary>
    /// Submits the array (<c>sbatch --parsable participant.sbatch</c>) and then the group job
    /// (<c>sbatch --parsable --dependency=afterany:ARRAY group.sbatch</c>), and records both in <c>jobs.json</c>.
    /// </summary>
    public static SlurmSubmissionResult Submit(SlurmPlan plan)
    {
        if (plan.Slurm.DryRun) throw new InvalidOperationException("a dry run submits nothing");
        var cluster = plan.Slurm.Cluster;
        var submitted = DateTime.UtcNow;
        string? array = plan.HasArray ? cluster.Submit(plan.ParticipantScript, []) : null;
        string? group = null;
        try
        {
            if (plan.HasGroup)
                group = cluster.Submit(plan.GroupScript, array is null ? [] : [$"--dependency=afterany:{array}"]);
        }
        finally
        {
            // Recorded even when the group job was refused, so that status follows the array.
            if (array is not null || group is not null)
                SlurmJobRecord.Append(plan.Options.OutputDirectory,
                    new SlurmJobRecord(submitted, array, group, plan.ToSubmit, plan.Complete, plan.ParametersHash, plan.SubjectsPerTask));
        }
        return new SlurmSubmissionResult(plan, array, group);
    }

    /// <summary>
    /// The <c>--mem</c> of a job when <c>--slurm-mem</c> is not given: one subject as <see cref="JobPlanner"/> estimates
    /// it from the largest BOLD header, twice over for safety (a cluster kills a job that exceeds it), plus
    /// <see cref="JobBaselineBytes"/>; rounded up to 256 MB, at least 1 GB.
    /// </summary>
    public static (string Memory, string Note) DefaultMemory(IReadOnlyList<Bids.BoldRun> runs, int regions, bool reports, int extraBytesPerVoxel = 0)
    {
        var estimate = JobPlanner.EstimateSubject(runs, regions, reports, extraBytesPerVoxel);
        long bytes = JobBaselineBytes + 2 * estimate.Bytes;
        long mb = Math.Max(1024, (bytes / (256L << 20) + 1) * 256);
        string memory = mb % 1024 == 0 ? (mb / 1024).ToString(CultureInfo.InvariantCulture) + "G" : mb.ToString(CultureInfo.InvariantCulture) + "M";
        return (memory, $"estimated from the {estimate.Basis} (about {estimate.Bytes >> 20} MB per subject, twice over, plus {JobBaselineBytes >> 20} MB for the process)");
    }

    /// <summary>Fails when a job of the latest submission is still waiting or running: its tasks read
    /// <c>subjects.txt</c>, which a new submission rewrites.</summary>
    private static void RefuseWhileActive(string outputDir, SlurmOptions slurm)
    {
        if (SlurmJobRecord.Latest(outputDir) is not { } last) return;
        var active = new List<string>();
        foreach (var id in last.JobIds)
            if (slurm.Cluster.Queue(id) is { } jobs && jobs.Any(j => j.IsActive)) active.Add(id);
        if (active.Count > 0)
            throw new NiSharpException(outputDir,
                $"Slurm job(s) {string.Join(", ", active)} of the previous submission are still queued or running: wait for them (nisharp status {outputDir}) or cancel them (scancel {string.Join(' ', active)}) before submitting again");
    }
}
