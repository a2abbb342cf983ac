using System.Diagnostics;
using System.Security.Cryptography;
using NiSharp.IO;
using NiSharp.Pipeline;

namespace NiSharp.Tests.Robustness;

/// <summary>What <see cref="KillHarness.Run"/> saw.</summary>
/// <param name="Attempts">Runs started before the final, uninterrupted one.</param>
/// <param name="Killed">Of those, runs killed (SIGKILL) before they finished.</param>
/// <param name="Completed">Reruns that completed (the final one included), each compared with the reference.</param>
/// <param name="Problems">Everything that broke the promise: a partial or wrong file under a final name after a
/// kill, a final output that differs from the uninterrupted run's, a temporary file left at the end.</param>
/// <param name="ReferenceSeconds">Wall time of the uninterrupted reference run (both levels).</param>
/// <param name="OutputFiles">Files compared at the end.</param>
public sealed record KillOutcome(int Attempts, int Killed, int Completed, IReadOnlyList<string> Problems, double ReferenceSeconds, int OutputFiles);

/// <summary>
/// Crash safety of <c>nisharp run</c>, tested from outside: a tiny demo cohort is processed once without
/// interruption (the reference: participant level, then group level), then again by child processes
/// (<c>dotnet NiSharp.Cli.dll run …</c>) killed with SIGKILL at seeded random moments of a whole run, each kill
/// followed by a rerun. After every kill, each file under a final name must be byte-identical to the reference's
/// after one of the levels (a page the participant level writes and the group level rewrites may be in either
/// state), so nothing half-written is ever visible; at the end, after one uninterrupted rerun, the whole output
/// must equal the reference and hold no temporary file. The reference is computed in the same folder the killed
/// runs use, so even the pages that name the output folder compare byte for byte; only <c>logs/</c> (times,
/// process ids) is left out. Shared by the test suite (a few kills) and <c>bench/run.sh kill</c> (≥ 20).
/// </summary>
public static class KillHarness
{
    /// <summary>Files that legitimately differ between two uninterrupted runs: the logs carry times and process ids.</summary>
    public static bool IsVolatile(string relativePath) =>
        relativePath.StartsWith("logs" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The levels of one whole run, in order.</summary>
    public static readonly string[] Levels = ["participant", "group"];

    /// <summary>The demo cohort: 4 subjects on a 6 mm grid, 60 volumes (a whole run takes a few seconds).</summary>
    public static DemoOptions Cohort { get; } = new() { Subjects = 4, VoxelSize = 6, Volumes = 60, Seed = 7, Jobs = 1 };

    /// <summary>Generates the cohort (once per <paramref name="workDir"/>) and runs the experiment.</summary>
    public static KillOutcome Run(string cliDll, string workDir, int kills, int seed, Action<string>? log = null)
    {
        var data = Path.Combine(workDir, "data");
        if (!DemoDataset.IsComplete(data, Cohort))
            DemoDataset.Generate(data, Cohort);
        var output = Path.Combine(workDir, "output");
        var problems = new List<string>();

        // The reference, in the folder the killed runs will use, then moved aside.
        if (Directory.Exists(output)) Directory.Delete(output, true);
        var clock = Stopwatch.StartNew();
        var states = new List<Dictionary<string, string>>();
        foreach (var level in Levels)
        {
            var (code, err) = RunToEnd(cliDll, data, output, level);
            if (code != 0) problems.Add($"reference {level} run exited {code}: {err}");
            states.Add(Snapshot(output));
        }
        double refSeconds = clock.Elapsed.TotalSeconds;
        var expected = states[^1];
        Directory.Delete(output, true);
        log?.Invoke($"reference run: {refSeconds:0.0} s for both levels, {expected.Count} output files");

        var rng = new Random(seed);
        int killed = 0, attempts = 0, completed = 0;
        // Until enough runs have really been killed: a run that completes before its moment (a rerun that had
        // little left to do) is compared with the reference, and the next one starts again from an empty folder.
        while (killed < kills && attempts < 6 * kills + 6)
        {
            attempts++;
            var at = TimeSpan.FromSeconds(rng.NextDouble() * refSeconds);
            var attempt = Stopwatch.StartNew();
            bool wasKilled = false;
            foreach (var level in Levels)
            {
                using var p = Start(cliDll, data, output, level);
                var left = at - attempt.Elapsed;
                if (left > TimeSpan.Zero && p.WaitForExit(left)) continue; // this level finished before the moment
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true); // SIGKILL on Unix
                    p.WaitForExit();
                    wasKilled = true;
                }
                break;
            }
            if (wasKilled)
            {
                killed++;
                foreach (var problem in CompareVisible(output, states))
                    problems.Add($"after kill {killed} at {at.TotalMilliseconds:0} ms: {problem}");
                log?.Invoke($"attempt {attempts,2}: killed at {at.TotalMilliseconds,5:0} ms");
            }
            else
            {
                completed++;
                foreach (var problem in CompareFinal(output, expected))
                    problems.Add($"run completed on attempt {attempts}: {problem}");
                log?.Invoke($"attempt {attempts,2}: completed before its moment ({at.TotalMilliseconds:0} ms); output compared, starting again from an empty folder");
                Directory.Delete(output, true);
            }
        }

        foreach (var level in Levels)
        {
            var (code, err) = RunToEnd(cliDll, data, output, level);
            if (code != 0) problems.Add($"final {level} run exited {code}: {err}");
        }
        problems.AddRange(CompareFinal(output, expected).Select(p => "after the final rerun: " + p));
        return new KillOutcome(attempts, killed, completed + 1, problems, refSeconds, expected.Count);
    }

    private static IEnumerable<string> CompareFinal(string output, Dictionary<string, string> expected)
    {
        var actual = Snapshot(output);
        foreach (var (rel, hash) in expected)
        {
            if (!actual.TryGetValue(rel, out var got)) yield return $"the output lacks {rel}";
            else if (got != hash) yield return $"{rel} differs from the uninterrupted run's";
        }
        foreach (var rel in actual.Keys.Where(r => !expected.ContainsKey(r))) yield return $"the output has an extra file {rel}";
        foreach (var f in Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Where(AtomicFile.IsTemporary))
            yield return $"temporary file left: {Path.GetRelativePath(output, f)}";
    }

    private static IEnumerable<string> CompareVisible(string output, IReadOnlyList<Dictionary<string, string>> states)
    {
        if (!Directory.Exists(output)) yield break;
        foreach (var f in Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(output, f);
            if (AtomicFile.IsTemporary(f) || IsVolatile(rel)) continue;
            var hash = Hash(f);
            if (!states.Any(s => s.ContainsKey(rel))) yield return $"{rel} is not an output of the uninterrupted run";
            else if (!states.Any(s => s.TryGetValue(rel, out var h) && h == hash))
                yield return $"{rel} is visible under its final name but matches no complete state of it (half-written?)";
        }
    }

    /// <summary>Relative path → SHA-256 of every non-volatile, non-temporary file under <paramref name="dir"/>.</summary>
    public static Dictionary<string, string> Snapshot(string dir)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(dir, f);
            if (!AtomicFile.IsTemporary(f) && !IsVolatile(rel)) d[rel] = Hash(f);
        }
        return d;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static ProcessStartInfo Command(string cliDll, string data, string output, string level, IEnumerable<string> extra)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", cliDll, "run", data, output, level, "--jobs", "1", "--permutations", "200" }.Concat(extra)) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Starts <c>dotnet exec CLI run DATA OUT LEVEL --jobs 1 --permutations 200</c>, its output drained and discarded.</summary>
    public static Process Start(string cliDll, string data, string output, string level, params string[] extra)
    {
        var p = Process.Start(Command(cliDll, data, output, level, extra))!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Runs one level to its end; returns the exit code and stderr.</summary>
    public static (int Code, string Stderr) RunToEnd(string cliDll, string data, string output, string level, params string[] extra)
    {
        using var p = Process.Start(Command(cliDll, data, output, level, extra))!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Result);
    }
}
