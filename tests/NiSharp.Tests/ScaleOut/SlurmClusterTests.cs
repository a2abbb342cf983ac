using System.Diagnostics;
using System.Text.Json.Nodes;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Pipeline.Slurm;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.ScaleOut;

/// <summary>
/// <c>nisharp run --slurm</c> and <c>nisharp status</c> against a REAL single-node Slurm on localhost (see
/// <see cref="LocalSlurm"/>): the jobs run the CLI under test (<c>dotnet NiSharp.Cli.dll</c>) on the demo cohort.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public class SlurmClusterTests(LocalSlurm slurm)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(100);

    private static string[] Submit(string data, string output, params string[] extra) =>
        ["run", data, output, "participant", "--slurm", "--with-group", "--no-reports", "--slurm-max-parallel", "2",
            "--slurm-time", "00:10:00", "--slurm-mem", "1G", "--nisharp-command", LocalSlurm.NisharpCommand, .. extra];

    [SkippableFact]
    public void Array_and_group_jobs_give_the_same_matrices_and_group_tables_as_a_local_run()
    {
        slurm.SkipUnlessRunning();
        var data = slurm.Cohort.DataDirectory;
        var output = slurm.NewFolder("via-slurm");
        var r = CliRunner.Run(Submit(data, output));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var record = SlurmJobRecord.Latest(output)!;
        Assert.Equal(slurm.Cohort.Participants.Select(p => p.Id).Order(StringComparer.Ordinal), record.Subjects);
        Assert.Contains($"Slurm array job {record.ArrayJobId}, 6 task(s), at most 2 at a time", r.Stdout);
        Assert.Contains($"Slurm job {record.GroupJobId}, to start when every task of {record.ArrayJobId} has ended (--dependency=afterany:{record.ArrayJobId})", r.Stdout);
        Assert.Contains($"squeue -j {record.ArrayJobId},{record.GroupJobId}", r.Stdout);

        var states = LocalSlurm.WaitForJobs(record.JobIds, JobTimeout);
        Assert.Equal(7, states.Count); // six array tasks and the group job
        Assert.All(states, s => Assert.Equal("COMPLETED", s.State));

        // The same analysis run locally: every table (time series, coverage, matrices, group statistics) is byte-identical.
        var local = slurm.LocalResults;
        var viaSlurm = Tables(output);
        var here = Tables(local);
        Assert.Equal(here.Keys, viaSlurm.Keys);
        Assert.Equal(6 * 4 + 7, here.Count); // per subject: time series, coverage, correlation, motion QC; group: statistics, values, mean, failed, motion QC participants, QC-FC edges and summary
        foreach (var (name, bytes) in here) Assert.True(bytes.AsSpan().SequenceEqual(viaSlurm[name]), $"{name} differs between the Slurm and the local run");
        // …and they hold real matrices, not empty files that would compare equal.
        var m = ConnectivityMatrix.Read(Directory.GetFiles(Path.Combine(output, $"sub-{record.Subjects[0]}", "func"), "*_stat-pearsoncorrelation_relmat.tsv").Single());
        Assert.Equal(49, m.Regions.Count);
        int a = m.IndexOfLabel(44), b = m.IndexOfLabel(46);
        Assert.InRange(m.Values[a, b], -1, 1);
        Assert.NotEqual(0, m.Values[a, b]);

        // Each task logged into OUTPUT_DIR/logs: Slurm's output and NiSharp's own log and status.
        foreach (var (subject, task) in record.Subjects.Select((s, i) => (s, i)))
        {
            var slurmLog = File.ReadAllText(Path.Combine(output, "logs", $"slurm-participant-{record.ArrayJobId}_{task}.out"));
            Assert.Contains($"sub-{subject} (task {task} of array job {record.ArrayJobId})", slurmLog);
            Assert.True(File.Exists(Path.Combine(output, "logs", $"sub-{subject}.log")));
        }
        var status = CliRunner.Run("status", output);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains($"6 subject(s): 6 done, 0 failed, 0 running, 0 pending; group level: done (Slurm job {record.GroupJobId})", status.Stdout);
    }

    [SkippableFact]
    public void A_corrupted_bold_fails_only_its_subject_the_group_reports_it_and_resubmission_runs_only_that_subject()
    {
        slurm.SkipUnlessRunning();
        var data = slurm.CopyCohort("corrupt data"); // spaces in both paths: quoting in the scripts and #SBATCH lines
        var victim = slurm.Cohort.Participants.Where(p => p.IsPatient).Select(p => p.Id).Order(StringComparer.Ordinal).First();
        var bold = Directory.GetFiles(Path.Combine(data, $"sub-{victim}", "func"), "*_desc-preproc_bold.nii.gz").Single();
        var intact = File.ReadAllBytes(bold);
        File.WriteAllBytes(bold, intact[..(intact.Length / 3)]);
        var output = slurm.NewFolder("corrupt out");

        var r = CliRunner.Run(Submit(data, output));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var first = SlurmJobRecord.Latest(output)!;
        var states = LocalSlurm.WaitForJobs(first.JobIds, JobTimeout);
        int victimTask = first.Subjects.ToList().IndexOf(victim);
        foreach (var s in states.Where(s => s.ArrayJobId == first.ArrayJobId))
            Assert.Equal(s.ArrayTaskId == victimTask ? "FAILED" : "COMPLETED", s.State);
        Assert.Equal("COMPLETED", states.Single(s => s.JobId == first.GroupJobId).State); // ran after the failure, and succeeded

        // The group level compared the five others and reported the failure with its reason.
        var failed = TsvTable.Read(Path.Combine(output, "group", "failed_subjects.tsv"));
        Assert.Equal([$"sub-{victim}"], failed.GetStrings("participant_id"));
        Assert.Contains("truncated", failed.GetStrings("reason")[0]);
        var stats = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(output, "group"), "*_stat-pearsoncorrelation_desc-groupcomparison_statistics.json").Single()))!;
        Assert.Equal(5, stats["Subjects1"]!.AsArray().Count + stats["Subjects2"]!.AsArray().Count);
        Assert.Equal([$"sub-{victim}"], stats["FailedSubjects"]!.AsArray().Select(x => x!.GetValue<string>()));
        var groupLog = File.ReadAllText(Path.Combine(output, "logs", $"slurm-group-{first.GroupJobId}.out"));
        Assert.Contains($"sub-{victim} not included", groupLog);

        // nisharp status names the failure, its reason and file, and the summary counts it.
        var status = CliRunner.Run("status", output);
        var line = status.Stdout.Split('\n').Single(l => l.StartsWith($"sub-{victim} "));
        Assert.Contains("failed", line);
        Assert.Contains(bold, line);
        Assert.Contains("truncated", line);
        Assert.Contains("6 subject(s): 5 done, 1 failed, 0 running, 0 pending; group level: done", status.Stdout);
        Assert.Contains("1 subject(s) failed or missing", status.Stdout);

        // Repaired input, second submission: only the failed subject is submitted; the others' outputs are untouched.
        File.WriteAllBytes(bold, intact);
        var others = Snapshot(output, f => !f.Contains($"sub-{victim}") && f.StartsWith("sub-"));
        var again = CliRunner.Run(Submit(data, output));
        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Contains("6 subject(s) selected: 1 to submit, 5 already complete", again.Stdout);
        Assert.Equal(victim + "\n", File.ReadAllText(Path.Combine(output, "slurm", "subjects.txt")));
        var second = SlurmJobRecord.Latest(output)!;
        Assert.Equal([victim], second.Subjects);
        Assert.NotEqual(first.ArrayJobId, second.ArrayJobId);
        var rerun = LocalSlurm.WaitForJobs(second.JobIds, JobTimeout);
        Assert.Equal(2, rerun.Count); // one array task and the group job
        Assert.All(rerun, s => Assert.Equal("COMPLETED", s.State));
        Assert.Single(Directory.GetFiles(Path.Combine(output, "logs"), $"slurm-participant-{second.ArrayJobId}_*.out"));
        var after = Snapshot(output, f => !f.Contains($"sub-{victim}") && f.StartsWith("sub-"));
        Assert.Equal(others.Keys, after.Keys);
        foreach (var (f, (bytes, time)) in others)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[f].Bytes), $"{f} was rewritten");
            Assert.Equal(time, after[f].Time);
        }
        Assert.Equal(["participant_id", "file", "reason"], TsvTable.Read(Path.Combine(output, "group", "failed_subjects.tsv")).Columns);
        Assert.Equal(0, TsvTable.Read(Path.Combine(output, "group", "failed_subjects.tsv")).RowCount);
        var final = CliRunner.Run("status", output);
        Assert.Contains($"6 subject(s): 6 done, 0 failed, 0 running, 0 pending; group level: done (Slurm job {second.GroupJobId})", final.Stdout);
    }

    [SkippableFact]
    public void Dry_run_scripts_are_accepted_by_sbatch_and_nothing_is_submitted()
    {
        slurm.SkipUnlessRunning();
        var output = slurm.NewFolder("dry-slurm");
        var r = CliRunner.Run(Submit(slurm.Cohort.DataDirectory, output, "--dry-run", "--slurm-extra", "--comment='two words'"));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.False(File.Exists(SlurmJobRecord.PathOf(output)));
        foreach (var script in new[] { "participant.sbatch", "group.sbatch" })
        {
            // --test-only: Slurm parses the script and its #SBATCH lines and says when it would start, without submitting.
            var p = Process.Start(new ProcessStartInfo("sbatch", ["--test-only", Path.Combine(output, "slurm", script)])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{script}: {err}");
            Assert.Contains("to start at", err);
        }
    }

    /// <summary>Every TSV under the subjects' and group folders (relative path → bytes).</summary>
    private static SortedDictionary<string, byte[]> Tables(string root)
    {
        var d = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(root, "*.tsv", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, f);
            if (rel.StartsWith("sub-", StringComparison.Ordinal) || rel.StartsWith("group", StringComparison.Ordinal)) d[rel] = File.ReadAllBytes(f);
        }
        return d;
    }

    private static SortedDictionary<string, (byte[] Bytes, DateTime Time)> Snapshot(string root, Func<string, bool> include)
    {
        var d = new SortedDictionary<string, (byte[], DateTime)>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, f);
            if (include(rel)) d[rel] = (File.ReadAllBytes(f), File.GetLastWriteTimeUtc(f));
        }
        return d;
    }
}
