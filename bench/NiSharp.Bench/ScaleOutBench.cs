using System.Diagnostics;
using System.Globalization;
using NiSharp.Pipeline;
using NiSharp.Pipeline.Slurm;

namespace NiSharp.Bench;

/// <summary>
/// Throughput of the participant level on N lesson-sized demo subjects (default 100: 65×77×49×152 float32 .nii.gz,
/// reports included), run the two ways on this machine in the same session: locally with <c>--jobs auto</c>, and as a
/// Slurm job array on the single-node Slurm of <c>tests/slurm/slurm-localhost.sh</c> (one CPU per task, so as many
/// tasks at once as cores). Both run the built CLI as a child process. Prints subjects per minute, the per-subject
/// overhead of Slurm over the local run in core-seconds, where it goes, and the <c>--jobs auto</c> memory estimate
/// against measured peaks. Options: <c>--subjects N</c>, <c>--voxel-size MM</c>, <c>--no-slurm</c>, <c>--keep</c>.
/// </summary>
public static class ScaleOutBench
{
    public static int Run(string[] args)
    {
        int subjects = Arg(args, "--subjects", 100);
        double voxel = Arg(args, "--voxel-size", 3.0);
        bool slurm = !args.Contains("--no-slurm");
        var repo = Measure.RepositoryRoot() ?? throw new InvalidOperationException("run from the repository (bench/run.sh scale-out)");
        var cli = Path.Combine(repo, "src", "NiSharp.Cli", "bin", "Release", "net10.0", "NiSharp.Cli.dll");
        Console.WriteLine("building the CLI the jobs run …");
        if (Shell("dotnet", ["build", Path.Combine(repo, "src", "NiSharp.Cli"), "-c", "Release", "-v", "quiet", "-nologo"], repo).Code != 0) return 1;

        var root = Path.Combine(Path.GetTempPath(), "nisharp-bench", "scale-out");
        var data = Path.Combine(root, "data");
        var options = new DemoOptions { Subjects = subjects, VoxelSize = voxel };
        var generate = Stopwatch.StartNew();
        if (!DemoDataset.IsComplete(data, options))
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            DemoDataset.Generate(data, options);
        }
        generate.Stop();
        foreach (var d in Directory.GetDirectories(root).Where(d => Path.GetFileName(d) != "data")) Directory.Delete(d, recursive: true);
        long bytes = Directory.EnumerateFiles(data, "*_bold.nii.gz", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        int cores = Environment.ProcessorCount;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{subjects} demo subjects, {voxel} mm voxels ({BoldShape(data)}), {bytes / 1048576.0:0} MB of BOLD .nii.gz; data {(generate.Elapsed.TotalSeconds > 1 ? $"generated in {generate.Elapsed.TotalSeconds:0} s" : "reused")}; {cores} cores; load average now {LoadAverage()}"));

        // Local, --jobs auto: one process, subjects in parallel.
        var localOut = Path.Combine(root, "local");
        var (local, localPeak, localText) = TimedCli(cli, ["run", data, localOut, "participant", "--jobs", "auto"], repo);
        var plan = localText.Split('\n').FirstOrDefault(l => l.StartsWith("--jobs auto:", StringComparison.Ordinal)) ?? "";
        int localJobs = int.TryParse(plan.Split(' ').ElementAtOrDefault(2), CultureInfo.InvariantCulture, out var j) ? j : cores;
        var localCompute = SubjectSeconds(localOut);
        Console.WriteLine();
        Console.WriteLine($"  {plan}");
        Row("local --jobs auto", subjects, local, localJobs, localCompute, $"peak RSS {Measure.Mb(localPeak)}");

        // Memory: the estimate --jobs auto plans with, against the peak of one process with 1 and with 2 subjects in flight.
        var few = Directory.GetDirectories(data, "sub-*").Take(4).Select(d => Path.GetFileName(d)[4..]).ToArray();
        var (_, peak1, _) = TimedCli(cli, ["run", data, Path.Combine(root, "mem1"), "participant", "--jobs", "1", "--participant-label", .. few], repo);
        var (_, peak2, _) = TimedCli(cli, ["run", data, Path.Combine(root, "mem2"), "participant", "--jobs", "2", "--participant-label", .. few], repo);
        var runs = RunSelection.Select(new RunOptions { InputDirectory = data, OutputDirectory = localOut }.Validate()).Subjects.SelectMany(s => s.Runs).ToList();
        var estimate = JobPlanner.EstimateSubject(runs, 49, reports: true);
        Console.WriteLine($"  memory: estimate {Measure.Mb(estimate.Bytes)} per subject in flight ({estimate.Basis}) + {Measure.Mb(JobPlanner.ProcessBaselineBytes)} process baseline;" +
                          $" measured peak RSS {Measure.Mb(peak1)} with 1 subject in flight, {Measure.Mb(peak2)} with 2 (+{Measure.Mb(peak2 - peak1)} for the second)");

        if (!slurm) return 0;
        var script = Path.Combine(repo, "tests", "slurm", "slurm-localhost.sh");
        var env = new Dictionary<string, string> { ["SLURMCTLD_PORT"] = "6827", ["SLURMD_PORT"] = "6828" };
        var start = Shell("bash", ["-c", $"source '{script}' && slurm_install && slurm_start && echo \"@SLURM_DIR=$SLURM_DIR\" && echo \"@SLURM_CONF=$SLURM_CONF\" && " +
                                          "echo \"@SLURMCTLD_PID=$SLURMCTLD_PID\" && echo \"@SLURMD_PID=$SLURMD_PID\" && echo \"@MUNGED_PID=$MUNGED_PID\""], repo, env);
        var daemons = start.Output.Split('\n').Where(l => l.StartsWith('@') && l.Contains('=')).Select(l => l[1..].Split('=', 2)).ToDictionary(p => p[0], p => p[1].Trim());
        try
        {
            if (start.Code != 0 || !daemons.TryGetValue("SLURM_CONF", out var conf))
            {
                Console.WriteLine($"  Slurm: could not start the local cluster: {start.Output.Trim()}");
                return 1;
            }
            Environment.SetEnvironmentVariable("SLURM_CONF", conf);
            var slurmOut = Path.Combine(root, "slurm");
            var clock = Stopwatch.StartNew();
            var prepared = SlurmSubmission.Prepare(new RunOptions { InputDirectory = data, OutputDirectory = slurmOut },
                new SlurmOptions { NisharpCommand = $"dotnet {cli}", WorkingDirectory = repo });
            var submitted = SlurmSubmission.Submit(prepared);
            double submitSeconds = clock.Elapsed.TotalSeconds;
            var states = Wait(submitted.ArrayJobId!);
            var wall = clock.Elapsed;
            int failed = states.Count(s => s.State != "COMPLETED");
            var slurmCompute = SubjectSeconds(slurmOut);
            var (tasks, taskSeconds) = TaskSeconds(submitted.ArrayJobId!);
            Row("Slurm job array", subjects, wall, cores, slurmCompute, $"{failed} task(s) not COMPLETED; submission {submitSeconds:0.0} s");
            // Per subject, in core-seconds: what each way spends beyond the subject's own analysis.
            double localPer = local.TotalSeconds * localJobs / subjects;
            double slurmPer = wall.TotalSeconds * cores / subjects;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  per subject: local {localPer:0.00} core-s (analysis {localCompute.Average():0.00} s), Slurm {slurmPer:0.00} core-s (analysis {slurmCompute.Average():0.00} s, task {taskSeconds:0.00} s by scontrol's 1-s Start/EndTime over {tasks} tasks)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  Slurm overhead vs local: {slurmPer - localPer:+0.00;-0.00} core-s per subject ({(slurmPer / localPer - 1) * 100:+0;-0}%): a process per subject (runtime start, atlas load, BIDS index of the whole input) and the scheduler's dispatch"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  throughput: local {subjects / local.TotalMinutes:0.0} subjects/min, Slurm {subjects / wall.TotalMinutes:0.0} subjects/min (ratio {local.TotalSeconds / wall.TotalSeconds:0.00})"));
        }
        finally
        {
            Shell("bash", ["-c", $"source '{script}' && slurm_stop"], repo, daemons);
            if (daemons.TryGetValue("SLURM_DIR", out var dir) && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        if (!args.Contains("--keep"))
            foreach (var d in Directory.GetDirectories(root).Where(d => Path.GetFileName(d) != "data")) Directory.Delete(d, recursive: true);
        return 0;
    }

    private static void Row(string what, int subjects, TimeSpan wall, int slots, List<double> compute, string note) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what,-20} {wall.TotalSeconds,7:0.0} s  {subjects / wall.TotalMinutes,6:0.0} subjects/min  ({slots} at a time; analysis per subject mean {compute.Average():0.00} s, median {Median(compute):0.00} s; {note})"));

    /// <summary>Each subject's analysis time as its status file records it.</summary>
    private static List<double> SubjectSeconds(string output) =>
        Directory.GetFiles(Path.Combine(output, "logs"), "sub-*_status.json").Select(f => SubjectStatus.Read(output, Path.GetFileName(f)[4..^12])!.Seconds).ToList();

    /// <summary>Mean wall time of the array's tasks from scontrol's StartTime/EndTime (1 s resolution).</summary>
    private static (int Tasks, double Mean) TaskSeconds(string array)
    {
        var text = Shell("scontrol", ["-o", "show", "job", array], ".").Output;
        var times = new List<double>();
        foreach (var line in text.Split('\n'))
        {
            var start = Field(line, "StartTime");
            var end = Field(line, "EndTime");
            if (DateTime.TryParse(start, CultureInfo.InvariantCulture, out var s) && DateTime.TryParse(end, CultureInfo.InvariantCulture, out var e)) times.Add((e - s).TotalSeconds);
        }
        return (times.Count, times.Count == 0 ? double.NaN : times.Average());
    }

    private static string? Field(string line, string key)
    {
        int i = line.IndexOf(" " + key + "=", StringComparison.Ordinal);
        if (i < 0) return null;
        var rest = line[(i + key.Length + 2)..];
        int space = rest.IndexOf(' ');
        return space < 0 ? rest : rest[..space];
    }

    private static IReadOnlyList<SlurmJobState> Wait(string jobId)
    {
        while (true)
        {
            var states = SlurmCluster.Default.Show(jobId) ?? throw new InvalidOperationException("scontrol cannot be run");
            if (states.Count > 0 && states.All(s => !s.IsActive)) return states;
            Thread.Sleep(500);
        }
    }

    /// <summary>Runs the CLI as a child process; returns its wall time, its peak RSS (sampled VmHWM) and its output.</summary>
    private static (TimeSpan Wall, long PeakBytes, string Output) TimedCli(string cli, string[] args, string cwd)
    {
        var info = new ProcessStartInfo("dotnet", [cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!p.WaitForExit(50))
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{p.Id}/status"))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Math.Max(peak, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
            }
            catch (IOException) { }
        }
        var wall = clock.Elapsed;
        if (p.ExitCode != 0) Console.WriteLine($"  (exit code {p.ExitCode}: {stderr.Result.Trim()})");
        return (wall, peak, stdout.Result);
    }

    private static (int Code, string Output) Shell(string command, string[] args, string cwd, Dictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
        foreach (var (k, v) in env ?? []) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string BoldShape(string data)
    {
        var bold = Directory.EnumerateFiles(data, "*_desc-preproc_bold.nii.gz", SearchOption.AllDirectories).First();
        using var f = Nifti.NiftiFile.Open(bold);
        return string.Join("×", f.Shape) + " " + f.DataType.ToString().ToLowerInvariant();
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Median(List<double> x)
    {
        var s = x.Order().ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static T Arg<T>(string[] args, string name, T fallback) where T : IParsable<T>
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? T.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
