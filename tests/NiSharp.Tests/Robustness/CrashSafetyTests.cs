using NiSharp.Tests.Support;

namespace NiSharp.Tests.Robustness;

/// <summary>
/// <c>nisharp run</c> killed with SIGKILL at seeded random moments and rerun (<see cref="KillHarness"/>; the
/// full-size run of ≥ 20 kills is <c>bench/run.sh kill</c>): never a half-written file under a final name, and
/// the final outputs byte-identical to an uninterrupted run's, with no temporary file left.
/// </summary>
[Collection(Pipeline.PipelineCollection.Name)]
public class CrashSafetyTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "NiSharp.Cli.dll");

    [SkippableFact]
    public void Runs_killed_at_random_moments_and_rerun_end_byte_identical_to_an_uninterrupted_run()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGKILL semantics");
        using var dir = new TempDir();
        var o = KillHarness.Run(Cli, dir.Path, kills: 2, seed: 12);
        Assert.True(o.Problems.Count == 0, string.Join('\n', o.Problems));
        Assert.True(o.OutputFiles > 20, $"{o.OutputFiles} output files");
    }
}
