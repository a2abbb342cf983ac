using System.Diagnostics;

namespace NiSharp.Bench;

/// <summary>Timing and peak-memory measurement shared by the benchmarks.</summary>
public static class Measure
{
    /// <summary>The checkout these benchmarks were built from (the folder holding <c>NiSharp.slnx</c>); null when not run from one.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NiSharp.slnx"))) return dir.FullName;
        return null;
    }

    /// <summary>The <c>nisharp</c> a whole-process benchmark runs: <c>--program PATH</c> when given, else the checkout's
    /// <c>./nisharp</c> (NativeAOT), else <c>nisharp</c> on PATH.</summary>
    public static string Program(string[] args)
    {
        for (int i = 0; i < args.Length - 1; i++) if (args[i] == "--program") return args[i + 1];
        return RepositoryRoot() is string repo ? Path.Combine(repo, "nisharp") : "nisharp";
    }

    /// <summary>What to time for <paramref name="program"/> (<see cref="Program"/>): the checkout's <c>./nisharp</c> is a
    /// script that checks the sources and then execs the NativeAOT binary it built (<c>artifacts/clone/NiSharp.Cli</c>);
    /// once that is built (run the script first), the binary itself, so that a process's CPU is nisharp's own. Any other
    /// program as given.</summary>
    public static string Binary(string program)
    {
        if (RepositoryRoot() is not string repo || Path.GetFullPath(program) != Path.Combine(repo, "nisharp")) return program;
        var aot = Path.Combine(repo, "artifacts", "clone", "NiSharp.Cli");
        return File.Exists(aot) ? aot : program;
    }

    /// <summary>Best-of-<paramref name="repeats"/> wall time in seconds (after one warm-up run).</summary>
    public static double BestSeconds(Action action, int repeats = 5)
    {
        action();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    /// <summary>Runs <paramref name="action"/> and returns the peak of (GC heap + pooled) bytes allocated
    /// during it above the baseline, sampled, plus the process peak working set (VmHWM) after it.</summary>
    public static (long ManagedPeakBytes, long ProcessPeakBytes) PeakMemory(Action action)
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        ResetPeak();
        long before = GC.GetTotalMemory(true);
        long peak = before;
        using var cts = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(2);
            }
        });
        action();
        peak = Math.Max(peak, GC.GetTotalMemory(false));
        cts.Cancel();
        sampler.Wait();
        return (peak - before, ReadVmHwm());
    }

    private static void ResetPeak()
    {
        // Writing 5 to clear_refs resets VmHWM on Linux; ignore if not permitted.
        try { File.WriteAllText($"/proc/{Environment.ProcessId}/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static long ReadVmHwm()
    {
        foreach (var line in File.ReadLines($"/proc/{Environment.ProcessId}/status"))
            if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    /// <summary>Formats bytes as MB.</summary>
    public static string Mb(long bytes) => $"{bytes / 1048576.0:0.0} MB";
}
