using System.Globalization;
using NiSharp.Pipeline;
using NiSharp.Pipeline.Slurm;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.ScaleOut;

/// <summary>A stand-in for a Slurm cluster: what <c>squeue</c> and <c>scontrol</c> would answer, per job id.</summary>
public sealed class FakeCluster : SlurmCluster
{
    private readonly Dictionary<string, IReadOnlyList<SlurmJobState>> _queue = new();

    /// <summary>What <c>squeue -j ID</c> lists (missing: nothing queued).</summary>
    public IReadOnlyList<SlurmJobState> this[string jobId] { set => _queue[jobId] = value; }

    /// <summary>What <c>scontrol -o show job ID</c> still knows (missing: purged).</summary>
    public Dictionary<string, IReadOnlyList<SlurmJobState>> Shown { get; } = new();

    /// <summary>The cluster's MaxArraySize.</summary>
    public int? ArraySize { get; init; }

    public override string Submit(string script, IReadOnlyList<string> options) => throw new InvalidOperationException("no submission in these tests");
    public override IReadOnlyList<SlurmJobState>? Queue(string jobId) => _queue.TryGetValue(jobId, out var q) ? q : [];
    public override IReadOnlyList<SlurmJobState>? Show(string jobId) => Shown.TryGetValue(jobId, out var s) ? s : [];
    public override int? MaxArraySize() => ArraySize;
}

/// <summary><c>nisharp status</c>: what the status files, the submission record and the scheduler say, combined.</summary>
public class RunStatusTests
{
    private static readonly DateTime Submitted = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private static void Status(string output, string subject, string state, string? reason, DateTime finished) =>
        new SubjectStatus(subject, state, reason, reason is null ? null : "/in/bold.nii.gz", "h", 1.5, finished.ToString("o", CultureInfo.InvariantCulture)).Write(output);

    private static string NewOutput(TempDir tmp)
    {
        var output = tmp.File("out");
        Directory.CreateDirectory(Path.Combine(output, "logs"));
        return output;
    }

    [Fact]
    public void Submitted_subjects_are_pending_running_done_or_failed_with_the_reason()
    {
        using var tmp = new TempDir();
        var output = NewOutput(tmp);
        SlurmJobRecord.Append(output, new SlurmJobRecord(Submitted, "100", "101", ["a", "b", "c", "d", "e"], ["z"], "h"));
        Status(output, "a", "done", null, Submitted.AddMinutes(3));
        Status(output, "b", "failed", "/in/sub-b/bold.nii.gz: truncated data", Submitted.AddMinutes(4));
        Status(output, "c", "done", null, Submitted.AddDays(-1)); // from before the submission: not its result
        Status(output, "e", "failed", "old failure", Submitted.AddDays(-1));
        Status(output, "z", "done", null, Submitted.AddDays(-1));
        var cluster = new FakeCluster
        {
            ["100"] = [new SlurmJobState("103", "100", 2, "RUNNING", null, "node7"), new SlurmJobState("100", "100", 3, "PENDING", "JobArrayTaskLimit", null)],
            ["101"] = [new SlurmJobState("101", null, null, "PENDING", "Dependency", null)],
        };
        // Task 4 (e) ended without writing a status: Slurm killed it at its time limit.
        cluster.Shown["100"] = [new SlurmJobState("105", "100", 4, "TIMEOUT", "TimeLimit", "node7")];
        File.WriteAllText(Path.Combine(output, "logs", "slurm-participant-100_4.out"),
            "nisharp participant level: sub-e\nslurmstepd: error: *** JOB 105 ON node7 CANCELLED AT 2025-03-01T13:00:00 DUE TO TIME LIMIT ***\n");

        var report = RunStatus.Read(output, cluster);
        var by = report.Subjects.ToDictionary(s => s.Subject);
        Assert.Equal(["a", "b", "c", "d", "e", "z"], report.Subjects.Select(s => s.Subject));
        Assert.Equal(RunState.Done, by["a"].State);
        Assert.Equal(RunState.Failed, by["b"].State);
        Assert.Equal("/in/sub-b/bold.nii.gz: truncated data", by["b"].Detail);
        Assert.Equal((RunState.Running, "on node7", "100_2"), (by["c"].State, by["c"].Detail, by["c"].JobId));
        Assert.Equal((RunState.Pending, "queued: JobArrayTaskLimit", "100_3"), (by["d"].State, by["d"].Detail, by["d"].JobId));
        Assert.Equal(RunState.Failed, by["e"].State);
        Assert.StartsWith("Slurm: TIMEOUT (TimeLimit); ", by["e"].Detail);
        Assert.EndsWith("DUE TO TIME LIMIT ***", by["e"].Detail);
        Assert.Equal(RunState.Done, by["z"].State); // complete before the submission, left out of it
        Assert.Equal(new GroupRunStatus(RunState.Pending, "Dependency", "101"), report.Group);
        Assert.Equal("6 subject(s): 2 done, 2 failed, 1 running, 1 pending; group level: pending (Slurm job 101, Dependency)", report.Summary());
    }

    [Fact]
    public void A_task_that_ended_unseen_after_slurm_forgot_it_is_failed_with_its_log_line()
    {
        using var tmp = new TempDir();
        var output = NewOutput(tmp);
        SlurmJobRecord.Append(output, new SlurmJobRecord(Submitted, "7", null, ["a"], [], "h"));
        File.WriteAllText(Path.Combine(output, "logs", "slurm-participant-7_0.out"), "/opt/nisharp: No such file or directory\n");
        var report = RunStatus.Read(output, new FakeCluster());
        var a = report.Subjects.Single();
        Assert.Equal(RunState.Failed, a.State);
        Assert.Contains("the task ended without a result", a.Detail);
        Assert.EndsWith("slurm-participant-7_0.out: /opt/nisharp: No such file or directory", a.Detail);
        Assert.Null(report.Group);
    }

    [Fact]
    public void Without_a_reachable_slurm_the_files_decide()
    {
        using var tmp = new TempDir();
        var output = NewOutput(tmp);
        SlurmJobRecord.Append(output, new SlurmJobRecord(Submitted, "7", "8", ["a", "b"], [], "h"));
        Status(output, "a", "done", null, Submitted.AddMinutes(1));
        var nowhere = new SlurmCluster { SqueueCommand = "nisharp-test-no-squeue", ScontrolCommand = "nisharp-test-no-scontrol" };
        var report = RunStatus.Read(output, nowhere);
        Assert.False(report.SlurmReachable);
        Assert.Equal([RunState.Done, RunState.Unknown], report.Subjects.Select(s => s.State));
        Assert.Equal(RunState.Unknown, report.Group!.State);
        Assert.Contains("1 unknown", report.Summary());
    }

    [Fact]
    public void Group_job_that_failed_reports_the_nisharp_error_from_its_log()
    {
        using var tmp = new TempDir();
        var output = NewOutput(tmp);
        SlurmJobRecord.Append(output, new SlurmJobRecord(Submitted, "7", "8", ["a"], [], "h"));
        Status(output, "a", "done", null, Submitted.AddMinutes(1));
        File.WriteAllText(Path.Combine(output, "logs", "slurm-group-8.out"),
            "nisharp group level (job 8)\nnisharp: error: /out: group 'SCHZ' has 1 subject(s) with participant outputs, fewer than the minimum 2 (--min-group-size)\n");
        var cluster = new FakeCluster();
        cluster.Shown["8"] = [new SlurmJobState("8", null, null, "FAILED", "NonZeroExitCode", "n1")];
        var group = RunStatus.Read(output, cluster).Group!;
        Assert.Equal(RunState.Failed, group.State);
        Assert.StartsWith("Slurm: FAILED (NonZeroExitCode); ", group.Detail);
        Assert.EndsWith("fewer than the minimum 2 (--min-group-size)", group.Detail);
    }

    [Fact]
    public void Local_runs_are_read_from_the_status_files_and_the_group_table()
    {
        using var tmp = new TempDir();
        var output = NewOutput(tmp);
        Status(output, "01", "done", null, Submitted);
        Status(output, "02", "failed", "/in/sub-02/bold.nii.gz: header says 152 volumes, data holds 3", Submitted);
        Directory.CreateDirectory(Path.Combine(output, "sub-03"));
        Directory.CreateDirectory(Path.Combine(output, "group"));
        File.WriteAllText(Path.Combine(output, "group", "failed_subjects.tsv"), "participant_id\tfile\treason\nsub-02\t/in\tbad\n");
        var r = CliRunner.Run("status", output);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("sub-02  failed    /in/sub-02/bold.nii.gz: header says 152 volumes, data holds 3", r.Stdout);
        Assert.Contains("sub-03  unknown   no status file yet", r.Stdout);
        Assert.Contains("group   done      1 subject(s) failed or missing, left out (group/failed_subjects.tsv)", r.Stdout);
        Assert.EndsWith("3 subject(s): 1 done, 1 failed, 0 running, 0 pending, 1 unknown; group level: done\n", r.Stdout);
        var json = CliRunner.Run("status", output, "--json");
        Assert.Contains("\"State\": \"failed\"", json.Stdout);
    }

    [Fact]
    public void A_local_run_holding_the_folder_is_reported()
    {
        using var tmp = new TempDir();
        var output = NewOutput(tmp);
        using (OutputLock.Acquire(output))
            Assert.True(RunStatus.Read(output, new FakeCluster()).LocalRunActive);
        Assert.False(RunStatus.Read(output, new FakeCluster()).LocalRunActive);
        using (OutputLock.AcquireShared(output, ["a"])) // array tasks are not a local run
            Assert.False(RunStatus.Read(output, new FakeCluster()).LocalRunActive);
    }

    [Fact]
    public void Status_of_a_missing_folder_fails_with_exit_code_2()
    {
        var r = CliRunner.Run("status", "/nonexistent/nisharp-out");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/nonexistent/nisharp-out: the output folder does not exist", r.Stderr);
    }
    [Fact]
    public void Subjects_of_a_dry_run_are_pending_until_submitted_and_those_already_run_keep_their_state()
    {
        using var tmp = new TempDir();
        var output = NewOutput(tmp);
        Directory.CreateDirectory(SlurmJobRecord.FolderOf(output));
        File.WriteAllText(Path.Combine(SlurmJobRecord.FolderOf(output), "subjects.txt"), "a\nb\nc\n");
        Status(output, "b", "failed", "/in/bold.nii.gz: truncated", Submitted);
        var report = RunStatus.Read(output, new FakeCluster());
        Assert.Equal(["a", "b", "c"], report.Subjects.Select(s => s.Subject));
        Assert.Equal([RunState.Pending, RunState.Failed, RunState.Pending], report.Subjects.Select(s => s.State));
        Assert.Contains("dry run, not submitted", report.Subjects[0].Detail);
        Assert.Contains("3 subject(s)", report.Summary());
    }

    [Fact]
    public void A_folder_no_run_wrote_to_is_refused_naming_it_an_input_dataset_when_it_looks_like_one()
    {
        using var tmp = new TempDir();
        var input = tmp.File("bids");
        Directory.CreateDirectory(Path.Combine(input, "sub-01", "func"));
        var e = Assert.Throws<NiSharpException>(() => RunStatus.Read(input, new FakeCluster()));
        Assert.Contains("is not the OUTPUT_DIR of a nisharp run", e.Message);
        Assert.Contains("looks like an input dataset", e.Message);
        var r = CliRunner.Run("status", input);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        // A derivatives folder written by NiSharp (no logs yet) is one.
        var output = tmp.File("out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "dataset_description.json"), "{\"GeneratedBy\": [{\"Name\": \"NiSharp\"}]}");
        Assert.Empty(RunStatus.Read(output, new FakeCluster()).Subjects);
    }
}
