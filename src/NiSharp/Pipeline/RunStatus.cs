using System.Globalization;
using NiSharp.IO;
using NiSharp.Pipeline.Slurm;
using NiSharp.Bids;

namespace NiSharp.Pipeline;

/// <summary>Where a subject (or the group level) of a run stands.</summary>
public enum RunState
{
    /// <summary>Finished with complete outputs.</summary>
    Done,
    /// <summary>Finished without them; the detail says why.</summary>
    Failed,
    /// <summary>Being processed now (a Slurm job running).</summary>
    Running,
    /// <summary>Waiting (a Slurm job queued).</summary>
    Pending,
    /// <summary>Nothing is known: no status file, and no scheduler to ask.</summary>
    Unknown,
}

/// <summary>One subject's state.</summary>
/// <param name="Subject">Label without <c>sub-</c>.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Detail">The reason of a failure (<c>FILE: problem</c>, from the status file or the Slurm log), the
/// node or the scheduler's reason for a job, the time a subject took; or null.</param>
/// <param name="JobId">The Slurm array task (<c>123_4</c>) of the latest submission that processes it, or null.</param>
/// <param name="LogPath">NiSharp's log of the subject.</param>
public sealed record SubjectRunStatus(string Subject, RunState State, string? Detail, string? JobId, string LogPath);

/// <summary>The group level's state.</summary>
/// <param name="State">Where it stands.</param>
/// <param name="Detail">What it reported or why it failed, or the scheduler's reason.</param>
/// <param name="JobId">Its Slurm job, or null.</param>
public sealed record GroupRunStatus(RunState State, string? Detail, string? JobId);

/// <summary>What <c>nisharp status OUTPUT_DIR</c> reports.</summary>
/// <param name="OutputDirectory">The folder.</param>
/// <param name="Subjects">Every subject known to the folder (status files, output folders, submissions), in label order.</param>
/// <param name="Group">The group level, or null when it has neither run nor been submitted.</param>
/// <param name="Submission">The latest Slurm submission, or null for local runs.</param>
/// <param name="SlurmReachable">Whether Slurm answered (false: states of submitted subjects come from files alone).</param>
/// <param name="LocalRunActive">Whether a local <c>nisharp run</c> is writing to the folder now (its subjects without a
/// status yet are pending or running).</param>
public sealed record RunStatusReport(string OutputDirectory, IReadOnlyList<SubjectRunStatus> Subjects, GroupRunStatus? Group,
    SlurmJobRecord? Submission, bool SlurmReachable, bool LocalRunActive)
{
    /// <summary>Subjects in <paramref name="state"/>.</summary>
    public int Count(RunState state) => Subjects.Count(s => s.State == state);

    /// <summary>The one-line summary: <c>6 subjects: 4 done, 1 failed, 1 running, 0 pending; group level: pending
    /// (Slurm job 124, Dependency)</c>.</summary>
    public string Summary()
    {
        var line = $"{Subjects.Count} subject(s): {Count(RunState.Done)} done, {Count(RunState.Failed)} failed, {Count(RunState.Running)} running, {Count(RunState.Pending)} pending";
        if (Count(RunState.Unknown) > 0) line += $", {Count(RunState.Unknown)} unknown";
        line += Group is null ? "; group level: not run" : $"; group level: {Name(Group.State)}{Paren(Group.JobId is null ? null : "Slurm job " + Group.JobId, Group.State is RunState.Pending or RunState.Running ? Group.Detail : null)}";
        if (LocalRunActive) line += "; a local nisharp run is writing to the folder now";
        return line;
    }

    /// <summary>The lower-case name of a state.</summary>
    public static string Name(RunState state) => state.ToString().ToLowerInvariant();

    private static string Paren(params string?[] parts) => parts.Where(p => p is not null).ToArray() is { Length: > 0 } a ? $" ({string.Join(", ", a)})" : "";
}

/// <summary>
/// <c>nisharp status OUTPUT_DIR</c>: per subject done / failed (with the reason) / running / pending, and the group
/// level. Files say what has finished — <c>logs/sub-X_status.json</c> (written by every participant level, local or
/// Slurm task), <c>group/failed_subjects.tsv</c> — and, when the run was submitted to Slurm
/// (<c>slurm/jobs.json</c>), <c>squeue</c> says which array tasks still wait or run and <c>scontrol</c> why a task
/// ended without writing its status (time limit, memory, cancelled).
/// </summary>
public static class RunStatus
{
    /// <summary>Reads the state of <paramref name="outputDir"/>, asking <paramref name="cluster"/> (default: the Slurm on
    /// PATH) about submitted jobs.</summary>
    /// <exception cref="NiSharpException">The folder does not exist.</exception>
    public static RunStatusReport Read(string outputDir, SlurmCluster? cluster = null)
    {
        cluster ??= SlurmCluster.Default;
        outputDir = Path.GetFullPath(outputDir).TrimEnd('/');
        if (!Directory.Exists(outputDir))
            throw new NiSharpException(outputDir, File.Exists(outputDir) ? "is a file, not a nisharp run output folder" : "the output folder does not exist");
        // A folder nisharp run never wrote to (often the input dataset, given by mistake) has no state to show:
        // listing its subjects as "unknown" would look like a run that lost track of them.
        if (!Directory.Exists(Path.Combine(outputDir, "logs")) && !Directory.Exists(SlurmJobRecord.FolderOf(outputDir)) && !DerivativesDataset.IsWrittenByNiSharp(outputDir))
            throw new NiSharpException(outputDir, "is not the OUTPUT_DIR of a nisharp run (no logs/, slurm/ or dataset_description.json written by NiSharp)" +
                (Directory.EnumerateDirectories(outputDir, "sub-*").Any() ? "; it looks like an input dataset" : ""));
        var record = SlurmJobRecord.Latest(outputDir);

        var subjects = new SortedSet<string>(StringComparer.Ordinal);
        var logs = Path.Combine(outputDir, "logs");
        if (Directory.Exists(logs))
            foreach (var f in Directory.EnumerateFiles(logs, "sub-*_status.json"))
                subjects.Add(Path.GetFileName(f)[4..^"_status.json".Length]);
        foreach (var d in Directory.EnumerateDirectories(outputDir, "sub-*")) subjects.Add(SubjectLabel.Strip(Path.GetFileName(d)));
        if (record is not null)
        {
            subjects.UnionWith(record.Subjects);
            subjects.UnionWith(record.Complete);
        }
        // Scripts written by --dry-run and not (yet) submitted: their subjects are planned, so list them as pending.
        var planned = new HashSet<string>(StringComparer.Ordinal);
        var plannedFile = SlurmJobRecord.SubjectsFileOf(outputDir);
        if (record is null && File.Exists(plannedFile))
            foreach (var line in ReadOwn(plannedFile))
                if (line.Trim() is { Length: > 0 } label && !label.Contains('/')) planned.Add(SubjectLabel.Strip(label));
        subjects.UnionWith(planned);

        // The array's tasks as Slurm sees them: queued or running (squeue), else ended recently (scontrol).
        bool reachable = true;
        Dictionary<int, SlurmJobState>? queued = null;
        Lazy<Dictionary<int, SlurmJobState>> ended = new(() => []);
        if (record?.ArrayJobId is string array)
        {
            var q = cluster.Queue(array);
            reachable = q is not null;
            queued = q?.Where(j => j.ArrayTaskId is not null).GroupBy(j => j.ArrayTaskId!.Value).ToDictionary(g => g.Key, g => g.First());
            ended = new(() => cluster.Show(array)?.Where(j => j.ArrayTaskId is not null).GroupBy(j => j.ArrayTaskId!.Value).ToDictionary(g => g.Key, g => g.First()) ?? []);
        }
        var taskOf = record is null ? [] : record.Subjects.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => record.TaskOf(x.i), StringComparer.Ordinal);

        var result = new List<SubjectRunStatus>();
        foreach (var subject in subjects)
        {
            var status = SubjectStatus.Read(outputDir, subject);
            var log = SubjectStatus.LogPathOf(outputDir, subject);
            if (record?.ArrayJobId is string arrayId && taskOf.TryGetValue(subject, out var task))
                result.Add(SubmittedSubject(outputDir, subject, status, log, record, arrayId, task, queued, ended));
            else if (status is null && planned.Contains(subject))
                result.Add(new SubjectRunStatus(subject, RunState.Pending, $"in the scripts of a dry run, not submitted (sbatch {SlurmJobRecord.ParticipantScriptOf(outputDir)})", null, log));
            else
                result.Add(FromStatusFile(subject, status, log, record is not null && record.Complete.Contains(subject)));
        }
        return new RunStatusReport(outputDir, result, Group(outputDir, record, cluster), record, reachable, LocalRun(outputDir));
    }

    private static SubjectRunStatus SubmittedSubject(string outputDir, string subject, SubjectStatus? status, string log, SlurmJobRecord record,
        string arrayId, int task, Dictionary<int, SlurmJobState>? queued, Lazy<Dictionary<int, SlurmJobState>> ended)
    {
        var jobId = $"{arrayId}_{task}";
        if (queued is not null && queued.TryGetValue(task, out var q) && q.IsActive)
            return q.IsPending
                ? new SubjectRunStatus(subject, RunState.Pending, q.Reason is null ? "queued" : $"queued: {q.Reason}", jobId, log)
                : new SubjectRunStatus(subject, RunState.Running, q.Nodes is null ? q.State.ToLowerInvariant() : $"on {q.Nodes}", jobId, log);
        bool fresh = status is not null && FinishedAt(status) >= record.Submitted.AddSeconds(-1);
        if (fresh || queued is null) // Slurm unreachable: the files are all there is
            return FromStatusFile(subject, status, log, completeBefore: false) with { JobId = jobId };
        // The task ended without writing its status: Slurm stopped it (time, memory, cancel) or NiSharp could not start.
        var slurmLog = Path.Combine(outputDir, "logs", $"slurm-participant-{arrayId}_{task}.out");
        var why = ended.Value.TryGetValue(task, out var e) && e.State != "COMPLETED" ? $"Slurm: {e.State}{(e.Reason is null ? "" : " (" + e.Reason + ")")}" : "the task ended without a result";
        var tail = LastLine(slurmLog);
        return new SubjectRunStatus(subject, RunState.Failed, $"{why}; {slurmLog}{(tail is null ? "" : ": " + tail)}", jobId, log);
    }

    private static SubjectRunStatus FromStatusFile(string subject, SubjectStatus? status, string log, bool completeBefore)
    {
        if (status is null)
            return completeBefore
                ? new SubjectRunStatus(subject, RunState.Done, "complete before the submission", null, log)
                : new SubjectRunStatus(subject, RunState.Unknown, "no status file yet", null, log);
        return status.State == "done"
            ? new SubjectRunStatus(subject, RunState.Done, string.Create(CultureInfo.InvariantCulture, $"{status.Seconds:0.0} s"), null, log)
            : new SubjectRunStatus(subject, RunState.Failed, status.Reason ?? "failed (see the log)", null, log);
    }

    private static GroupRunStatus? Group(string outputDir, SlurmJobRecord? record, SlurmCluster cluster)
    {
        var report = Path.Combine(GroupLevel.GroupDirectory(outputDir), "failed_subjects.tsv");
        DateTime? written = File.Exists(report) ? File.GetLastWriteTimeUtc(report) : null;
        string Reported()
        {
            int failed = ReadOwn(report).Skip(1).Count(l => l.Trim().Length > 0);
            return failed == 0 ? "every selected subject included" : $"{failed} subject(s) failed or missing, left out (group/failed_subjects.tsv)";
        }
        if (record?.GroupJobId is not string id)
            return written is null ? null : new GroupRunStatus(RunState.Done, Reported(), null);
        var queued = cluster.Queue(id);
        if (queued?.FirstOrDefault(j => j.IsActive) is { } q)
            return new GroupRunStatus(q.IsPending ? RunState.Pending : RunState.Running, q.IsPending ? q.Reason ?? "queued" : q.Nodes is null ? null : $"on {q.Nodes}", id);
        if (written is DateTime w && w >= record.Submitted.AddSeconds(-1)) return new GroupRunStatus(RunState.Done, Reported(), id);
        if (queued is null) return new GroupRunStatus(RunState.Unknown, "Slurm cannot be asked (squeue not found) and the group outputs are not there yet", id);
        var slurmLog = Path.Combine(outputDir, "logs", $"slurm-group-{id}.out");
        var state = cluster.Show(id)?.FirstOrDefault();
        var why = state is null ? "ended without outputs" : $"Slurm: {state.State}{(state.Reason is null ? "" : " (" + state.Reason + ")")}";
        return new GroupRunStatus(RunState.Failed, $"{why}; {slurmLog}{(LastLine(slurmLog) is string t ? ": " + t : "")}", id);
    }

    private static DateTime FinishedAt(SubjectStatus status) =>
        DateTime.TryParse(status.Finished, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var d) ? d.ToUniversalTime() : DateTime.MinValue;

    /// <summary>The line of a job log that says what went wrong: the last <c>nisharp:</c> or <c>error</c> line, else
    /// the last line; null when the log is missing or empty.</summary>
    public static string? LastLine(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var lines = ReadOwn(path).Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(200).ToList();
            if (lines.Count == 0) return null;
            var line = lines.LastOrDefault(l => l.StartsWith("nisharp:", StringComparison.Ordinal) || l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? lines[^1];
            return line.Length > 300 ? line[..300] + "…" : line;
        }
        catch (IOException) { return null; }
    }

    /// <summary>The lines of a file the run wrote (regular files only, lines of bounded length); none when it cannot be
    /// read as such.</summary>
    private static IEnumerable<string> ReadOwn(string path)
    {
        try { return InputFile.ReadLines(path, "a run's own file", asInput: false).ToList(); }
        catch (NiSharpException) { return []; }
    }

    /// <summary>Whether a local run holds the folder's lock exclusively: a shared open of the lock file, as an array task
    /// makes, is refused exactly then (Slurm tasks hold it shared and do not count). The probe lasts microseconds.</summary>
    private static bool LocalRun(string outputDir)
    {
        var path = OutputLock.LockPath(outputDir);
        // Only a regular file: opening a FIFO planted there would block.
        if (FileStatus.Of(path, followLinks: false).Kind != FileKind.Regular) return false;
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return false;
        }
        catch (FileNotFoundException) { return false; }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
