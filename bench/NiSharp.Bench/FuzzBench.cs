using System.Diagnostics;
using NiSharp.Tests.Robustness;

namespace NiSharp.Bench;

/// <summary>
/// The full-size fuzz run: ≥ 1 000 000 cases over the NIfTI, gzip, TSV, confounds and JSON readers (mutated files),
/// file types (FIFOs, devices, link loops, dangling links, folders and links to <c>/</c> where a file is expected,
/// and as subject folders of the BIDS index) and sizes (long lines, many columns, many labels, long names, on both
/// sides of each bound) — the same generators and property as the test suite's seeded sample, <see cref="FuzzHarness"/>.
/// Prints cases, refusals, failures (must be 0) and the largest allocation relative to what the file
/// justifies. Usage: <c>bench/run.sh fuzz [--cases N] [--seed S]</c>.
/// </summary>
public static class FuzzBench
{
    public static int Run(string[] args)
    {
        int total = IntArg(args, "--cases", 1_000_000);
        ulong seed = (ulong)IntArg(args, "--seed", 1);
        var targets = Enum.GetValues<FuzzTarget>();
        int perTarget = (total + targets.Length - 1) / targets.Length;
        int shards = Environment.ProcessorCount;
        var root = Directory.CreateTempSubdirectory("nisharp-fuzz-").FullName;
        Console.WriteLine($"{perTarget * targets.Length} cases ({perTarget} per reader), seed {seed}, {shards} threads; work folder {root}");
        int failedAll = 0;
        long casesAll = 0;
        var sw = Stopwatch.StartNew();
        try
        {
            foreach (var target in targets)
            {
                var t0 = sw.Elapsed;
                var parts = new FuzzSummary[shards];
                Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = shards }, s =>
                {
                    var dir = Directory.CreateDirectory(Path.Combine(root, $"{target}-{s}")).FullName;
                    parts[s] = FuzzHarness.RunMany(target, perTarget, seed, dir, keep: 10, step: shards, first: s);
                });
                int cases = parts.Sum(p => p.Cases), accepted = parts.Sum(p => p.Accepted), failed = parts.Sum(p => p.Failed);
                long maxAlloc = parts.Max(p => p.MaxAllocatedBytes);
                double maxRatio = parts.Max(p => p.MaxAllocationRatio);
                double secs = (sw.Elapsed - t0).TotalSeconds;
                Console.WriteLine($"{target,-10} {cases,9} cases  {accepted,8} read  {cases - accepted,8} refused (NiSharpException)  {failed,3} failures  " +
                                  $"max allocation {Measure.Mb(maxAlloc)} ({maxRatio:P1} of the allowance)  {cases / secs,8:0} cases/s");
                foreach (var f in parts.SelectMany(p => p.Failures).Take(10)) Console.WriteLine("  FAIL " + f);
                failedAll += failed;
                casesAll += cases;
            }
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
        Console.WriteLine($"total: {casesAll} cases, {failedAll} failures, {sw.Elapsed.TotalSeconds:0} s");
        return failedAll == 0 ? 0 : 1;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
