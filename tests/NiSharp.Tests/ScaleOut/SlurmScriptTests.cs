using System.Diagnostics;
using NiSharp.Pipeline;
using NiSharp.Pipeline.Slurm;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.ScaleOut;

/// <summary>
/// <c>nisharp run --slurm --dry-run</c> without a cluster: the subject list resolved as a local run resolves it,
/// the scripts' lines, what they pass on, and the array script run by bash as Slurm would run task i.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public class SlurmScriptTests(LocalSlurm fixture)
{
    private string Data => fixture.Cohort.DataDirectory;

    private static CliRunner.Result DryRun(string data, string output, params string[] extra) =>
        CliRunner.Run(["run", data, output, "participant", "--slurm", "--dry-run", "--nisharp-command", LocalSlurm.NisharpCommand, .. extra]);

    [Fact]
    public void Array_tasks_get_the_high_variance_confounds_flag()
    {
        var output = fixture.NewFolder("dry-hv");
        var r = DryRun(Data, output, "--high-variance-confounds");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var participant = File.ReadAllText(Path.Combine(output, "slurm", "participant.sbatch"));
        Assert.Contains("--array-task --high-variance-confounds\n", participant);
    }

    [Fact]
    public void Array_tasks_and_the_group_job_get_every_atlas()
    {
        var output = fixture.NewFolder("dry-atlases");
        var r = DryRun(Data, output, "--with-group", "--atlas", "yeo7-relabeled", "schaefer100-7");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var participant = File.ReadAllText(Path.Combine(output, "slurm", "participant.sbatch"));
        Assert.Contains("--array-task --atlas yeo7-relabeled schaefer100-7\n", participant);
        var group = File.ReadAllText(Path.Combine(output, "slurm", "group.sbatch"));
        Assert.Contains(" group --atlas yeo7-relabeled schaefer100-7 ", group);
        foreach (var script in new[] { participant, group }) Assert.True(BashSyntaxOk(script), script);
    }

    [Fact]
    public void Array_tasks_get_the_atlas_source_flags_and_the_templateflow_home_of_the_environment()
    {
        var output = fixture.NewFolder("dry-atlas");
        var home = Atlases.AtlasHomes.TemplateFlow(fixture.NewFolder("tf"), NiSharp.Atlases.TemplateSpace.MNI152NLin2009cAsym, Atlases.AtlasHomes.Names());
        var datasets = Atlases.AtlasHomes.Dataset(fixture.NewFolder("atlases"), NiSharp.Atlases.TemplateSpace.MNI152NLin2009cAsym, Atlases.AtlasHomes.Names());
        var r = DryRun(Data, output, "--with-group", "--atlas", Atlases.AtlasHomes.Spec, "--templateflow-home", home, "--atlas-dataset", datasets, "--atlas-space", "MNI152NLin2009cAsym");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        foreach (var script in new[] { "participant.sbatch", "group.sbatch" })
        {
            var text = File.ReadAllText(Path.Combine(output, "slurm", script));
            Assert.Contains($" --atlas {Atlases.AtlasHomes.Spec} --templateflow-home {home} --atlas-dataset {datasets} --atlas-space MNI152NLin2009cAsym", text);
            Assert.DoesNotContain("export TEMPLATEFLOW_HOME", text); // given as a flag, it travels as one
        }

        // A home found through $TEMPLATEFLOW_HOME at submission is written out, so that a script resubmitted by hand
        // from another shell finds the same atlas.
        var plan = SlurmSubmission.Prepare(new RunOptions { InputDirectory = Data, OutputDirectory = fixture.NewFolder("dry-env") },
            new SlurmOptions { DryRun = true, NisharpCommand = LocalSlurm.NisharpCommand });
        var withHome = plan with { Environment = [new("TEMPLATEFLOW_HOME", "/shared/template flow")] };
        foreach (var text in new[] { SlurmScripts.Participant(withHome), SlurmScripts.Group(withHome) })
        {
            Assert.Contains("\nexport TEMPLATEFLOW_HOME='/shared/template flow'\n", text);
            Assert.True(BashSyntaxOk(text), text);
        }
    }

    [Fact]
    public void Dry_run_writes_the_subjects_and_both_scripts_with_every_flag_and_submits_nothing()
    {
        var output = fixture.NewFolder("dry");
        var r = DryRun(Data, output, "--with-group", "--slurm-partition", "short", "--slurm-time", "01:30:00", "--slurm-mem", "3G",
            "--slurm-cpus", "2", "--slurm-max-parallel", "3", "--slurm-account", "lab1", "--slurm-extra", "--qos=low --comment='two words'",
            "--strategy", "simple", "--kind", "correlation", "covariance", "--jobs", "4", "--seed", "3");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);

        // The subjects: exactly those a local run selects, one per line, in its order.
        var expected = RunSelection.Select(new RunOptions { InputDirectory = Data, OutputDirectory = output }.Validate()).Subjects.Select(s => s.Subject);
        Assert.Equal(string.Concat(expected.Select(s => s + "\n")), File.ReadAllText(Path.Combine(output, "slurm", "subjects.txt")));
        Assert.Contains("6 subject(s) selected: 6 to submit, 0 already complete", r.Stdout);

        var participant = File.ReadAllText(Path.Combine(output, "slurm", "participant.sbatch"));
        var group = File.ReadAllText(Path.Combine(output, "slurm", "group.sbatch"));
        Assert.StartsWith("#!/bin/bash\n", participant);
        foreach (var line in new[]
                 {
                     "#SBATCH --array=0-5%3", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=3G", "#SBATCH --time=01:30:00",
                     "#SBATCH --partition=short", "#SBATCH --account=lab1", "#SBATCH --qos=low", "#SBATCH --comment=\"two words\"",
                     $"#SBATCH --output={output}/logs/slurm-participant-%A_%a.out", $"#SBATCH --chdir={Environment.CurrentDirectory}",
                     $"subject=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {output}/slurm/subjects.txt)",
                     $"{LocalSlurm.NisharpCommand} run {Data} {output} participant --participant-label \"$subject\" --jobs 1 --array-task --strategy simple --kind correlation covariance --seed 3",
                 })
            Assert.Contains(line + "\n", participant);
        foreach (var line in new[]
                 {
                     "#SBATCH --cpus-per-task=2", "#SBATCH --mem=3G", "#SBATCH --time=01:30:00", "#SBATCH --partition=short",
                     $"#SBATCH --output={output}/logs/slurm-group-%j.out",
                     $"{LocalSlurm.NisharpCommand} run {Data} {output} group --strategy simple --kind correlation covariance --seed 3 || status=$?",
                 })
            Assert.Contains(line + "\n", group);
        Assert.DoesNotContain("--array", group);
        foreach (var script in new[] { participant, group })
        {
            var command = script.Split('\n').Single(l => l.StartsWith(LocalSlurm.NisharpCommand, StringComparison.Ordinal));
            Assert.DoesNotContain("--slurm", command);
            Assert.DoesNotContain("--jobs 4", command);
            Assert.DoesNotContain("--dry-run", command);
            Assert.DoesNotContain("--with-group", command);
            Assert.DoesNotContain("--nisharp-command", command);
            Assert.True(BashSyntaxOk(script), script);
        }
        // Printed, with how to submit by hand; nothing recorded as submitted.
        Assert.Contains($"==> {output}/slurm/participant.sbatch <==\n{participant}", r.Stdout);
        Assert.Contains($"==> {output}/slurm/group.sbatch <==\n{group}", r.Stdout);
        Assert.Contains($"sbatch --parsable --dependency=afterany:$array {output}/slurm/group.sbatch", r.Stdout);
        Assert.False(File.Exists(SlurmJobRecord.PathOf(output)));
    }

    [Fact]
    public void Participant_labels_select_the_array_and_go_to_the_group_job_only()
    {
        var ids = fixture.Cohort.Participants.Select(p => p.Id).Order(StringComparer.Ordinal).ToArray();
        var output = fixture.NewFolder("labels");
        var r = DryRun(Data, output, "--with-group", "--participant-label", ids[4], "sub-" + ids[1], ids[2]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        // As a local run: the order of the labels given.
        Assert.Equal($"{ids[4]}\n{ids[1]}\n{ids[2]}\n", File.ReadAllText(Path.Combine(output, "slurm", "subjects.txt")));
        var participant = File.ReadAllText(Path.Combine(output, "slurm", "participant.sbatch"));
        Assert.Contains("#SBATCH --array=0-2\n", participant);
        Assert.Single(participant.Split("--participant-label").Skip(1));
        Assert.Contains($" group --participant-label {ids[4]} sub-{ids[1]} {ids[2]}", File.ReadAllText(Path.Combine(output, "slurm", "group.sbatch")));
    }

    [Fact]
    public void Subjects_with_complete_outputs_are_left_out_of_the_array()
    {
        var output = fixture.CopyFolder(fixture.LocalResults, "partly-done");
        var ids = fixture.Cohort.Participants.Select(p => p.Id).Order(StringComparer.Ordinal).ToArray();
        Directory.Delete(Path.Combine(output, $"sub-{ids[1]}"), recursive: true);
        Directory.Delete(Path.Combine(output, $"sub-{ids[3]}", "func"), recursive: true);
        var r = DryRun(Data, output, "--no-reports");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("6 subject(s) selected: 2 to submit, 4 already complete (not submitted again)", r.Stdout);
        Assert.Equal($"{ids[1]}\n{ids[3]}\n", File.ReadAllText(Path.Combine(output, "slurm", "subjects.txt")));
        Assert.Contains("#SBATCH --array=0-1\n", File.ReadAllText(Path.Combine(output, "slurm", "participant.sbatch")));

        // Other parameters make every output stale: all six go again.
        var other = DryRun(Data, output, "--no-reports", "--strategy", "simple");
        Assert.Contains("6 subject(s) selected: 6 to submit, 0 already complete", other.Stdout);
    }

    [Fact]
    public void Nothing_to_submit_when_every_subject_is_complete()
    {
        var output = fixture.CopyFolder(fixture.LocalResults, "all-done");
        var r = DryRun(Data, output, "--no-reports");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("every selected subject is complete: nothing to submit", r.Stdout);
        Assert.Equal("", File.ReadAllText(Path.Combine(output, "slurm", "subjects.txt")));
        Assert.False(File.Exists(Path.Combine(output, "slurm", "participant.sbatch")));
    }

    [Fact]
    public void The_group_level_alone_is_one_job_without_dependency()
    {
        var output = fixture.NewFolder("group-only");
        var r = CliRunner.Run("run", Data, output, "group", "--slurm", "--dry-run", "--groups", "1*", "5*", "--nisharp-command", LocalSlurm.NisharpCommand);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal(["group.sbatch"], Directory.GetFiles(Path.Combine(output, "slurm")).Select(Path.GetFileName));
        Assert.Contains($" group --groups '1*' '5*' || status=$?", File.ReadAllText(Path.Combine(output, "slurm", "group.sbatch")));
        Assert.Contains($"  sbatch {output}/slurm/group.sbatch", r.Stdout);
    }

    [Fact]
    public async Task The_array_script_run_as_task_2_processes_the_third_subject_only()
    {
        var output = fixture.NewFolder("by-hand");
        var r = DryRun(Data, output, "--no-reports");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var lines = File.ReadAllLines(Path.Combine(output, "slurm", "subjects.txt"));
        // What slurmstepd does for task 2: run the script with the array variables set.
        var info = new ProcessStartInfo("bash", [Path.Combine(output, "slurm", "participant.sbatch")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = output,
        };
        info.Environment["SLURM_ARRAY_TASK_ID"] = "2";
        info.Environment["SLURM_ARRAY_JOB_ID"] = "77";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, await stdout + await stderr);
        Assert.Contains($"sub-{lines[2]} (task 2 of array job 77)", await stdout);
        Assert.Equal([$"sub-{lines[2]}"], Directory.GetDirectories(output, "sub-*").Select(Path.GetFileName));
        Assert.Equal("done", SubjectStatus.Read(output, lines[2])!.State);
        Assert.False(File.Exists(Path.Combine(output, "report.html"))); // an array task leaves the summary page to the group level
    }

    [Fact]
    public void An_array_index_past_the_subjects_fails_with_a_message()
    {
        var output = fixture.NewFolder("past-end");
        Assert.Equal(0, DryRun(Data, output, "--no-reports", "--participant-label", fixture.Cohort.Participants[0].Id).ExitCode);
        var info = new ProcessStartInfo("bash", [Path.Combine(output, "slurm", "participant.sbatch")]) { RedirectStandardError = true, RedirectStandardOutput = true };
        info.Environment["SLURM_ARRAY_TASK_ID"] = "5";
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("no subject on line 6 of", err);
    }

    [Theory]
    [InlineData("--slurm-partition", "x", "--slurm-partition only applies with --slurm")]
    [InlineData("--with-group", null, "--with-group only applies with --slurm")]
    [InlineData("--dry-run", null, "--dry-run only applies with --slurm")]
    public void Slurm_flags_without_slurm_are_refused(string flag, string? value, string message)
    {
        var output = fixture.NewFolder("noslurm");
        string[] args = value is null ? ["run", Data, output, "participant", flag] : ["run", Data, output, "participant", flag, value];
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Theory]
    [InlineData("--slurm-time", "90 minutes", "--slurm-time '90 minutes' is not a Slurm time limit")]
    [InlineData("--slurm-mem", "4GB", "--slurm-mem '4GB' is not a Slurm memory size")]
    [InlineData("--slurm-cpus", "0", "--slurm-cpus must be at least 1")]
    [InlineData("--slurm-max-parallel", "0", "--slurm-max-parallel must be at least 1")]
    [InlineData("--slurm-partition", "a b", "--slurm-partition 'a b' is not a Slurm name")]
    [InlineData("--slurm-extra", "qos=low", "--slurm-extra: 'qos=low' is not an sbatch option")]
    [InlineData("--slurm-extra", "--comment='open", "--slurm-extra: unclosed ' quote")]
    public void Bad_slurm_values_are_refused_before_anything_is_written(string flag, string value, string message)
    {
        var output = fixture.NewFolder("badslurm");
        var r = CliRunner.Run("run", Data, output, "participant", "--slurm", "--dry-run", flag, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public void Without_sbatch_submission_fails_clearly_after_writing_the_scripts()
    {
        var output = fixture.NewFolder("nosbatch");
        var options = new RunOptions { InputDirectory = Data, OutputDirectory = output, Reports = false };
        var absent = new SlurmCluster { SbatchCommand = "nisharp-test-no-sbatch", SqueueCommand = "nisharp-test-no-squeue", ScontrolCommand = "nisharp-test-no-scontrol" };
        var slurm = new SlurmOptions { Cluster = absent, NisharpCommand = LocalSlurm.NisharpCommand };
        var plan = SlurmSubmission.Prepare(options, slurm);
        var e = Assert.Throws<NiSharpException>(() => SlurmSubmission.Submit(plan));
        Assert.Contains("'sbatch' was not found on PATH", e.Message);
        Assert.True(File.Exists(plan.ParticipantScript));
        Assert.False(File.Exists(SlurmJobRecord.PathOf(output)));
    }

    [Fact]
    public void A_submission_while_the_previous_jobs_are_queued_is_refused()
    {
        var output = fixture.NewFolder("busy");
        SlurmJobRecord.Append(output, new SlurmJobRecord(DateTime.UtcNow, "41", "42", ["x"], [], "h"));
        var cluster = new FakeCluster { ["41"] = [new SlurmJobState("43", "41", 0, "RUNNING", null, "node1")], ["42"] = [new SlurmJobState("42", null, null, "PENDING", "Dependency", null)] };
        var options = new RunOptions { InputDirectory = Data, OutputDirectory = output };
        var e = Assert.Throws<NiSharpException>(() => SlurmSubmission.Prepare(options, new SlurmOptions { Cluster = cluster, DryRun = true }));
        Assert.Contains("Slurm job(s) 41, 42 of the previous submission are still queued or running", e.Message);
        Assert.Contains("scancel 41 42", e.Message);
    }

    [Fact]
    public void More_subjects_than_the_cluster_array_size_fail_with_advice()
    {
        var output = fixture.NewFolder("toobig");
        var options = new RunOptions { InputDirectory = Data, OutputDirectory = output };
        var e = Assert.Throws<NiSharpException>(() => SlurmSubmission.Prepare(options, new SlurmOptions { Cluster = new FakeCluster { ArraySize = 4 }, SubjectsPerTask = 1 }));
        Assert.Contains("6 array tasks exceed the cluster's MaxArraySize 4", e.Message);
        Assert.Contains("give more subjects per task (slurm_subjects_per_task), or submit them in parts with participant_label,", e.Message);
        Assert.Equal(["slurm_subjects_per_task", "participant_label"], e.Text.Parameters); // which the CLI prints as flags
        // by default the subjects are batched so that the array fits: 6 subjects in 3 tasks (indices 0..2) of 2
        var plan = SlurmSubmission.Prepare(options, new SlurmOptions { Cluster = new FakeCluster { ArraySize = 4 } });
        Assert.Equal((2, 3), (plan.SubjectsPerTask, plan.Tasks));
        Assert.Contains("#SBATCH --array=0-2\n", SlurmScripts.Participant(plan));
    }

    [Theory]
    [InlineData(6, null, null, null, 1)]     // one subject per task without a limit
    [InlineData(6, 2, null, null, 1)]        // fewer than four rounds of parallel tasks: one each
    [InlineData(100, 5, null, null, 5)]      // four rounds of 5 tasks of 5
    [InlineData(103, 5, null, null, 5)]
    [InlineData(6, 10, null, null, 1)]
    [InlineData(6, 2, 1, null, 1)]           // given: as given
    [InlineData(5000, null, null, 1000, 5)]  // the cluster's array size
    public void Subjects_per_task_by_default_fill_the_parallel_tasks(int subjects, int? maxParallel, int? given, int? maxTasks, int expected) =>
        Assert.Equal(expected, new SlurmOptions { MaxParallel = maxParallel, SubjectsPerTask = given }.SubjectsPerTaskFor(subjects, maxTasks));

    [Fact]
    public async Task A_batched_array_task_processes_its_subjects_in_one_process()
    {
        var output = fixture.NewFolder("batched");
        var r = DryRun(Data, output, "--no-reports", "--slurm-subjects-per-task", "2");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("2 per array task: 3 task(s)", r.Stdout);
        var script = File.ReadAllText(Path.Combine(output, "slurm", "participant.sbatch"));
        Assert.Contains("#SBATCH --array=0-2\n", script);
        Assert.True(BashSyntaxOk(script), script);
        var lines = File.ReadAllLines(Path.Combine(output, "slurm", "subjects.txt"));
        var info = new ProcessStartInfo("bash", [Path.Combine(output, "slurm", "participant.sbatch")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = output,
        };
        info.Environment["SLURM_ARRAY_TASK_ID"] = "1";
        info.Environment["SLURM_ARRAY_JOB_ID"] = "78";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, await stdout + await stderr);
        Assert.Contains($"2 subject(s), sub-{lines[2]} {lines[3]} (task 1 of array job 78)", await stdout);
        Assert.Equal([$"sub-{lines[2]}", $"sub-{lines[3]}"], Directory.GetDirectories(output, "sub-*").Select(Path.GetFileName).Order());
        // status maps each subject to its task
        var record = new SlurmJobRecord(DateTime.UtcNow, "78", null, lines, [], "h", 2);
        SlurmJobRecord.Append(output, record);
        Assert.Equal(2, SlurmJobRecord.Latest(output)!.SubjectsPerTask);
        Assert.Equal([0, 0, 1, 1, 2, 2], Enumerable.Range(0, 6).Select(record.TaskOf));
    }

    [Fact]
    public void Default_memory_is_estimated_from_the_bold_headers()
    {
        var output = fixture.NewFolder("mem");
        var r = DryRun(Data, output);
        var script = File.ReadAllText(Path.Combine(output, "slurm", "participant.sbatch"));
        Assert.Contains("# --mem: estimated from the BOLD header 32×38×24×152, 49 regions, with reports", script);
        Assert.Contains("#SBATCH --mem=1G\n", script); // a 6 mm subject needs far less than the 1 GB floor
    }

    private static bool BashSyntaxOk(string script)
    {
        var info = new ProcessStartInfo("bash", ["-n"]) { RedirectStandardInput = true, RedirectStandardError = true };
        using var p = Process.Start(info)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
