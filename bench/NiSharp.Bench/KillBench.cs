using System.Diagnostics;
using NiSharp.Tests.Robustness;

namespace NiSharp.Bench;

/// <summary>
/// The full-size crash-safety run (<see cref="KillHarness"/>): <c>nisharp run</c> on a 4-subject demo cohort killed
/// with SIGKILL at ≥ 20 seeded random moments, rerun after each kill, then compared byte for byte with an
/// uninterrupted run. Usage: <c>bench/run.sh kill [--kills N] [--seed S]</c>.
/// </summary>
public static class KillBench
{
    public static int Run(string[] args)
    {
        int kills = IntArg(args, "--kills", 24);
        int seed = IntArg(args, "--seed", 1);
        // The CLI as a separate process, built like the benchmarks (Release).
        var build = Process.Start(new ProcessStartInfo("dotnet", ["build", "src/NiSharp.Cli", "-c", "Release", "-v", "quiet", "-nologo"]) { RedirectStandardOutput = true })!;
        build.StandardOutput.ReadToEnd();
        build.WaitForExit();
        if (build.ExitCode != 0) { Console.Error.WriteLine("building src/NiSharp.Cli failed"); return 2; }
        var cli = Path.GetFullPath("src/NiSharp.Cli/bin/Release/net10.0/NiSharp.Cli.dll");
        var work = Directory.CreateTempSubdirectory("nisharp-kill-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var o = KillHarness.Run(cli, work, kills, seed, Console.WriteLine);
            Console.WriteLine($"{o.Attempts} runs started, {o.Killed} killed mid-run with SIGKILL and rerun; {o.Completed} completed reruns compared with " +
                              $"the uninterrupted run ({o.OutputFiles} files each); problems: {o.Problems.Count}; {clock.Elapsed.TotalSeconds:0} s");
            foreach (var p in o.Problems) Console.WriteLine("  PROBLEM " + p);
            return o.Problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
