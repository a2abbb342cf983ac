using System.Diagnostics;
using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary>BIDS-App conventions, failures of one subject, a killed run, and concurrent runs.</summary>
[Collection(PipelineCollection.Name)]
public class RunRobustnessTests(DemoCohorts cohorts)
{
    [Fact]
    public void Labels_work_with_or_without_sub_and_an_unknown_label_is_an_error_naming_it()
    {
        var data = cohorts.Planted.DataDirectory;
        var id = cohorts.Planted.Participants[0].Id;
        var output = cohorts.NewFolder("labels");
        var r = CliRunner.Run("run", data, output, "participant", "--participant-label", "sub-" + id, "99999", "--no-reports");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("participant label '99999' is not in the dataset", r.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output)); // nothing written on an input error

        var ok = CliRunner.Run("run", data, output, "participant", "--participant-label", id, "--no-reports");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        var same = CliRunner.Run("run", data, output, "participant", "--participant-label", "sub-" + id, "--no-reports");
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("0 done, 1 already complete", same.Stdout);
    }

    [Fact]
    public void Output_equal_to_or_inside_the_input_is_refused()
    {
        var data = cohorts.Planted.DataDirectory;
        var equal = CliRunner.Run("run", data, data + "/", "participant");
        Assert.Equal(2, equal.ExitCode);
        Assert.Contains("OUTPUT_DIR is the input folder", equal.Stderr);
        var inside = CliRunner.Run("run", data, Path.Combine(data, "derivatives", "nisharp"), "participant");
        Assert.Equal(2, inside.ExitCode);
        Assert.Contains("inside the input folder", inside.Stderr);
        Assert.False(Directory.Exists(Path.Combine(data, "derivatives")));
    }

    [Fact]
    public void Bad_values_are_usage_errors()
    {
        var data = cohorts.Planted.DataDirectory;
        var output = cohorts.NewFolder("usage");
        foreach (var args in new[]
                 {
                     new[] { "--strategy", "nonsense" },
                     new[] { "--atlas", "nonsense" },
                     new[] { "--kind", "nonsense" },
                     new[] { "--dummy-scans", "many" },
                     new[] { "--low-pass", "0.001" },
                     new[] { "--jobs", "0" },
                     new[] { "--space", "T1w" },
                 })
        {
            var r = CliRunner.Run(["run", data, output, "participant", .. args]);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: {r.Stderr}");
            Assert.StartsWith("nisharp:", r.Stderr);
            Assert.DoesNotContain("   at ", r.Stderr); // no stack trace
        }
        var level = CliRunner.Run("run", data, output, "everything");
        Assert.Equal(2, level.ExitCode);
    }

    [Fact]
    public void A_corrupted_bold_fails_that_subject_only_with_the_file_and_reason_in_log_and_group_summary()
    {
        var data = cohorts.NewFolder("corrupt-data");
        var people = cohorts.Planted.Participants;
        var chosen = people.Where(p => !p.IsPatient).Take(3).Concat(people.Where(p => p.IsPatient).Take(3)).ToList();
        foreach (var f in new[] { "dataset_description.json", "participants.tsv" })
            File.Copy(Path.Combine(cohorts.Planted.DataDirectory, f), Path.Combine(data, f));
        foreach (var p in chosen)
            DemoCohorts.Copy(Path.Combine(cohorts.Planted.DataDirectory, $"sub-{p.Id}"), Path.Combine(data, $"sub-{p.Id}"));
        var victim = chosen[1].Id;
        var bold = Directory.GetFiles(Path.Combine(data, $"sub-{victim}", "func"), "*_desc-preproc_bold.nii.gz").Single();
        var bytes = File.ReadAllBytes(bold);
        File.WriteAllBytes(bold, bytes[..(bytes.Length / 2)]); // a transfer cut short

        var output = cohorts.NewFolder("corrupt-out");
        var r = CliRunner.Run("run", data, output, "participant", "--no-reports");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"sub-{victim} FAILED", r.Stdout);
        Assert.Contains(bold, r.Stderr);
        Assert.Contains("5 done, 0 already complete, 1 failed", r.Stdout);
        var log = File.ReadAllText(Path.Combine(output, "logs", $"sub-{victim}.log"));
        Assert.Contains("FAILED", log);
        Assert.Contains(bold, log);
        Assert.Contains("truncated", log);
        var status = SubjectStatus.Read(output, victim)!;
        Assert.Equal("failed", status.State);
        Assert.Equal(bold, status.File);
        Assert.False(Directory.Exists(Path.Combine(output, $"sub-{victim}")), "a failed subject leaves no outputs");
        Assert.Empty(DemoCohorts.Leftovers(output));

        var g = CliRunner.Run("run", data, output, "group", "--no-reports", "--permutations", "100");
        Assert.Equal(1, g.ExitCode);
        Assert.Contains("5 subjects included, 1 failed", g.Stdout);
        var failed = TsvTable.Read(Path.Combine(output, "group", "failed_subjects.tsv"));
        Assert.Equal([$"sub-{victim}"], failed.GetStrings("participant_id"));
        Assert.Equal([bold], failed.GetStrings("file"));
        Assert.Contains("truncated", failed.GetStrings("reason")[0]);
    }

    [Fact]
    public void A_second_run_on_the_same_output_folder_is_refused_while_the_first_holds_the_lock()
    {
        var output = cohorts.NewFolder("locked");
        using (OutputLock.Acquire(output))
        {
            var r = CliRunner.Run("run", cohorts.Planted.DataDirectory, output, "participant", "--no-reports");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("another nisharp run is writing to this folder", r.Stderr);
        }
        // Released with the holder: the next run goes ahead.
        var id = cohorts.Planted.Participants[0].Id;
        Assert.Equal(0, CliRunner.Run("run", cohorts.Planted.DataDirectory, output, "participant", "--participant-label", id, "--no-reports").ExitCode);
    }

    [Fact]
    public void A_run_killed_mid_way_leaves_no_partial_file_and_a_rerun_completes_with_identical_outputs()
    {
        // Lesson-sized runs, so that a subject takes long enough to be caught in the middle.
        var data = cohorts.NewFolder("kill-data");
        DemoDataset.Generate(data, new DemoOptions { Subjects = 4, Seed = 5 });
        var reference = cohorts.NewFolder("kill-reference");
        Assert.Equal(0, ParticipantLevel.Run(DemoCohorts.Options(data, reference) with { Jobs = 1 }).ExitCode);

        var output = cohorts.NewFolder("kill-output");
        var cli = Path.Combine(AppContext.BaseDirectory, "NiSharp.Cli.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", cli, "run", data, output, "participant", "--jobs", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        // SIGKILL as soon as the child reports its first subject done: the second is then being computed, the
        // last two are not started. (Reading the child's output, not polling files, so the kill is not late.)
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null && !(line.Contains("] sub-", StringComparison.Ordinal) && line.Contains(" done", StringComparison.Ordinal))) { }
        bool running = line is not null && !process.HasExited;
        if (running) process.Kill();
        else Assert.Fail("the run ended before it could be killed: " + process.StandardError.ReadToEnd());
        process.WaitForExit();
        int completeAtKill = Directory.GetFiles(Path.Combine(output, "logs"), "*_status.json").Length;
        Assert.InRange(completeAtKill, 1, 3);
        // Every file under its final name is whole: the same bytes as the uninterrupted run's.
        static bool Compared(string p) => p.StartsWith("sub-", StringComparison.Ordinal) && !p.EndsWith(".html", StringComparison.Ordinal)
                                          || p == "dataset_description.json";
        var expected = DemoCohorts.Contents(reference, Compared);
        foreach (var (name, bytes) in DemoCohorts.Contents(output, p => Compared(p) && !AtomicFile.IsTemporary(p)))
            Assert.True(bytes.AsSpan().SequenceEqual(expected[name]), $"{name} is partial after the kill");

        var rerun = CliRunner.Run("run", data, output, "participant", "--jobs", "1");
        Assert.True(rerun.ExitCode == 0, rerun.Stdout + rerun.Stderr);
        var counts = System.Text.RegularExpressions.Regex.Match(rerun.Stdout, @"participant level: (\d+) done, (\d+) already complete");
        Assert.True(int.Parse(counts.Groups[1].Value) >= 1, rerun.Stdout);                // the killed subjects were redone
        Assert.True(int.Parse(counts.Groups[2].Value) >= completeAtKill, rerun.Stdout);   // the finished ones were not
        Assert.Empty(DemoCohorts.Leftovers(output));
        Assert.True(CanLock(output), "the lock is still held after the rerun");

        var actual = DemoCohorts.Contents(output, Compared);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} differs after the rerun");
    }

    [Fact]
    public async Task A_process_confined_to_one_CPU_writes_the_outputs_a_run_with_more_writes()
    {
        // One CPU (a Slurm task's default, here DOTNET_PROCESSOR_COUNT=1): the BOLD is read on the pass's thread, without
        // the read-ahead thread; the outputs are the same bytes.
        var data = cohorts.Planted.DataDirectory;
        var id = cohorts.Planted.Participants[1].Id;
        var reference = cohorts.NewFolder("cpus-many");
        Assert.Equal(0, ParticipantLevel.Run(DemoCohorts.Options(data, reference) with { ParticipantLabels = [id], Jobs = 1 }).ExitCode);
        var output = cohorts.NewFolder("cpus-one");
        var cli = Path.Combine(AppContext.BaseDirectory, "NiSharp.Cli.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", cli, "run", data, output, "participant", "--participant-label", id, "--jobs", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_PROCESSOR_COUNT"] = "1";
        using (var process = Process.Start(start)!)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await stderr);
            await stdout;
        }
        // The pages name their output folder; everything else of the subject is compared byte for byte.
        static bool Compared(string p) => p.StartsWith("sub-", StringComparison.Ordinal) && !p.EndsWith(".html", StringComparison.Ordinal);
        var expected = DemoCohorts.Contents(reference, Compared);
        var actual = DemoCohorts.Contents(output, Compared);
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.Contains(expected.Keys, k => k.EndsWith("_stat-mean_timeseries.tsv", StringComparison.Ordinal));
        Assert.Contains(expected.Keys, k => k.EndsWith("_relmat.tsv", StringComparison.Ordinal));
        Assert.Contains(expected.Keys, k => k.EndsWith("_desc-qc_motion.json", StringComparison.Ordinal)); // the tSNR saw every volume
        foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} differs on one CPU");
    }

    private static bool CanLock(string output)
    {
        try
        {
            using var l = OutputLock.Acquire(output);
            return true;
        }
        catch (NiSharpException) { return false; }
    }
}
