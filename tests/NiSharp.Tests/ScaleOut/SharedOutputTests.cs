using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.ScaleOut;

/// <summary>
/// The tasks of a job array share one output folder: each holds the folder's lock shared and its subject's lock
/// exclusively, so tasks run side by side while a local run (which wants the folder to itself) cannot start among them.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public class SharedOutputTests(LocalSlurm fixture)
{
    [Fact]
    public void Array_tasks_share_the_folder_but_exclude_a_local_run_and_each_other_on_one_subject()
    {
        using var tmp = new TempDir();
        var output = tmp.File("out");
        using (var a = OutputLock.AcquireShared(output, ["01"]))
        using (var b = OutputLock.AcquireShared(output, ["02", "03"]))
        {
            var local = Assert.Throws<NiSharpException>(() => OutputLock.Acquire(output));
            Assert.Contains("another nisharp run is writing to this folder", local.Message);
            var same = Assert.Throws<NiSharpException>(() => OutputLock.AcquireShared(output, ["03"]));
            Assert.Contains("another nisharp run is processing sub-03 in this folder", same.Message);
        }
        using (OutputLock.Acquire(output))
        {
            var task = Assert.Throws<NiSharpException>(() => OutputLock.AcquireShared(output, ["01"]));
            Assert.Contains("a local nisharp run is writing to this folder", task.Message);
        }
        using (OutputLock.AcquireShared(output, ["01"])) { } // all released
    }

    [Fact]
    public void A_task_removes_only_its_own_subjects_leftovers()
    {
        using var tmp = new TempDir();
        var output = tmp.File("out");
        var mine = Path.Combine(output, "sub-01", "func", "x.tsv" + AtomicFile.TemporaryMarker + "aa");
        var myLog = Path.Combine(output, "logs", "sub-01.log" + AtomicFile.TemporaryMarker + "bb");
        var similar = Path.Combine(output, "logs", "sub-010.log" + AtomicFile.TemporaryMarker + "cc");
        var theirs = Path.Combine(output, "sub-02", "func", "y.tsv" + AtomicFile.TemporaryMarker + "dd");
        var top = Path.Combine(output, "dataset_description.json" + AtomicFile.TemporaryMarker + "ee");
        foreach (var f in new[] { mine, myLog, similar, theirs, top })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(f)!);
            File.WriteAllText(f, "half");
        }
        using (var task = OutputLock.AcquireShared(output, ["01"]))
            Assert.Equal(2, task.RemoveLeftovers(output));
        Assert.False(File.Exists(mine));
        Assert.False(File.Exists(myLog));
        Assert.True(File.Exists(similar));
        Assert.True(File.Exists(theirs)); // another task may be writing it right now
        Assert.True(File.Exists(top));
        using (var local = OutputLock.Acquire(output))
            Assert.Equal(3, local.RemoveLeftovers(output)); // a local run owns the folder and tidies everything
    }

    [Fact]
    public void Two_array_tasks_at_once_write_their_subjects_without_a_summary_page()
    {
        var output = fixture.NewFolder("two-tasks");
        var ids = fixture.Cohort.Participants.Select(p => p.Id).Take(2).ToArray();
        var results = new CliRunner.Result[2];
        Parallel.For(0, 2, i => results[i] = CliRunner.Run("run", fixture.Cohort.DataDirectory, output, "participant",
            "--participant-label", ids[i], "--jobs", "1", "--array-task"));
        foreach (var r in results) Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        foreach (var id in ids) Assert.Equal("done", SubjectStatus.Read(output, id)!.State);
        Assert.False(File.Exists(Path.Combine(output, "report.html")));
        Assert.True(File.Exists(Path.Combine(output, "dataset_description.json")));

        var group = CliRunner.Run("run", fixture.Cohort.DataDirectory, output, "group", "--array-task");
        Assert.Equal(2, group.ExitCode);
        Assert.Contains("--array-task applies to the participant level", group.Stderr);
    }

    [Fact]
    public void A_group_smaller_than_the_minimum_fails_naming_the_missing_subjects()
    {
        var output = fixture.CopyFolder(fixture.LocalResults, "small-group");
        var patient = fixture.Cohort.Participants.First(p => p.IsPatient).Id;
        Directory.Delete(Path.Combine(output, $"sub-{patient}"), recursive: true);
        var r = CliRunner.Run("run", fixture.Cohort.DataDirectory, output, "group", "--no-reports", "--min-group-size", "3");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("group 'SCHZ' has 2 subject(s) with participant outputs, fewer than the minimum 3 (--min-group-size)", r.Stderr);
        Assert.Contains($"1 subject(s) failed or have no outputs: sub-{patient} (no participant-level outputs", r.Stderr);
        // The default minimum, 2, lets the comparison go on, reporting the missing subject.
        var ok = CliRunner.Run("run", fixture.Cohort.DataDirectory, output, "group", "--no-reports");
        Assert.Equal(1, ok.ExitCode);
        Assert.Contains($"sub-{patient} not included", ok.Stderr);
        var bad = CliRunner.Run("run", fixture.Cohort.DataDirectory, output, "group", "--min-group-size", "1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--min-group-size must be at least 2, got 1", bad.Stderr);
    }
}
