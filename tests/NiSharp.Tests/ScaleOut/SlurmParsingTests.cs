using System.Diagnostics;
using CsCheck;
using NiSharp.Pipeline.Slurm;

namespace NiSharp.Tests.ScaleOut;

/// <summary>Reading Slurm's answers and writing shell words: the text below was captured from Slurm 22.05
/// (Debian 12) running the local test cluster.</summary>
public class SlurmParsingTests
{
    [Fact]
    public void Squeue_lines_give_one_state_per_array_task_and_the_plain_group_job()
    {
        const string text = "2_2|2|2|PENDING|JobArrayTaskLimit|\n3|3|N/A|PENDING|Dependency|\n2_0|2|0|RUNNING|None|vm\n";
        var jobs = SlurmCluster.ParseQueue(text);
        Assert.Equal(
            [
                new SlurmJobState("2_2", "2", 2, "PENDING", "JobArrayTaskLimit", null),
                new SlurmJobState("3", null, null, "PENDING", "Dependency", null),
                new SlurmJobState("2_0", "2", 0, "RUNNING", null, "vm"),
            ], jobs);
        Assert.Equal(["2_2", "3", "2_0"], jobs.Select(j => j.DisplayId));
        Assert.All(jobs, j => Assert.True(j.IsActive));
        Assert.Equal([true, true, false], jobs.Select(j => j.IsPending));
    }

    [Fact]
    public void Scontrol_records_expand_a_pending_task_range_and_keep_final_states()
    {
        const string text =
            "JobId=18 ArrayJobId=18 ArrayTaskId=1-3%1 ArrayTaskThrottle=1 JobName=wrap UserId=root(0) JobState=PENDING Reason=JobArrayTaskLimit Dependency=(null) ExitCode=0:0 Partition=debug NodeList= \n" +
            "JobId=19 ArrayJobId=18 ArrayTaskId=0 ArrayTaskThrottle=1 JobName=wrap JobState=RUNNING Reason=None Dependency=(null) ExitCode=0:0 Partition=debug NodeList=vm \n" +
            "JobId=3 JobName=nisharp-group UserId=root(0) JobState=COMPLETED Reason=None Dependency=(null) ExitCode=0:0 Comment=a b  NodeList=vm StdOut=/out/logs/slurm-group-3.out\n";
        var jobs = SlurmCluster.ParseShowJob(text);
        Assert.Equal(
            [
                new SlurmJobState("18", "18", 1, "PENDING", "JobArrayTaskLimit", null),
                new SlurmJobState("18", "18", 2, "PENDING", "JobArrayTaskLimit", null),
                new SlurmJobState("18", "18", 3, "PENDING", "JobArrayTaskLimit", null),
                new SlurmJobState("19", "18", 0, "RUNNING", null, "vm"),
                new SlurmJobState("3", null, null, "COMPLETED", null, "vm"),
            ], jobs);
        Assert.False(jobs[^1].IsActive);
    }

    [Theory]
    [InlineData("4", new[] { 4 })]
    [InlineData("2-5%2", new[] { 2, 3, 4, 5 })]
    [InlineData("1,3-4", new[] { 1, 3, 4 })]
    [InlineData("0-6:3", new[] { 0, 3, 6 })]
    public void Array_task_ranges_expand(string value, int[] expected) => Assert.Equal(expected, SlurmCluster.ExpandTaskIds(value));

    [Fact]
    public void Quoted_words_split_back_to_themselves() =>
        Gen.String.Sample(word => Assert.Equal([word], SlurmOptions.SplitWords(SlurmScripts.Quote(word))), iter: 2000);

    [Fact]
    public void Quoted_words_reach_a_program_unchanged_through_bash()
    {
        string[] words = ["plain", "two words", "it's", "$HOME", "`date`", "a\\b", "\"q\"", "tab\there", "ünï*?[x]", "--kind=a b", ""];
        var line = "printf '%s\\n' " + string.Join(' ', words.Select(SlurmScripts.Quote));
        var p = Process.Start(new ProcessStartInfo("bash", ["-c", line]) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(string.Concat(words.Select(w => w + "\n")), output);
    }

    [Fact]
    public void Slurm_extra_splits_like_a_shell_and_spaced_values_are_quoted_for_sbatch()
    {
        var options = new SlurmOptions { Extra = "--qos=low  --comment='two words' --mail-type=END \"--constraint=a&b\"" }.Validate();
        Assert.Equal(["--qos=low", "--comment=two words", "--mail-type=END", "--constraint=a&b"], options.ExtraDirectives());
        Assert.Equal("--comment=\"two words\"", SlurmScripts.Directive("--comment=two words"));
        Assert.Equal("--qos=low", SlurmScripts.Directive("--qos=low"));
    }

    [Theory]
    [InlineData("4G", 4096L)]
    [InlineData("500M", 500L)]
    [InlineData("2048", 2048L)]
    [InlineData("1T", 1048576L)]
    public void Memory_sizes_read_as_slurm_reads_them(string text, long megabytes) =>
        Assert.Equal(megabytes, new SlurmOptions { Memory = text }.Validate().MemoryMegabytes());

    [Theory]
    [InlineData("01:30:00")]
    [InlineData("90")]
    [InlineData("2-00:00:00")]
    [InlineData("1-12")]
    [InlineData("45:00")]
    public void Slurm_time_forms_are_accepted(string time) => Assert.Equal(time, new SlurmOptions { Time = time }.Validate().Time);
}
