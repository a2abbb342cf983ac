using System.Diagnostics;
using NiSharp.Pipeline;

namespace NiSharp.Bench;

/// <summary>
/// Start-up as users run it (issue 23, "instant start"): whole processes of <c>nisharp --version</c> and
/// <c>nisharp mean</c> of the lesson BOLD (the demo's 65×77×49×152 float32 <c>.nii.gz</c>), for <c>./nisharp</c>
/// (the NativeAOT build of the checkout, through its script), the NativeAOT binary alone, and the JIT build
/// (<c>dotnet NiSharp.Cli.dll</c>), interleaved in one run; the target is <c>--version</c> ≤ 0.1× <c>mean</c>.
/// Other builds to compare: <c>bench/run.sh startup --also NAME=PROGRAM</c>.
/// </summary>
public static class StartupBench
{
    public static int Run(string[] args)
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "NiSharp.slnx"))) repo = repo.Parent;
        if (repo is null) { Console.Error.WriteLine("startup: run from a checkout"); return 2; }
        string root = repo.FullName;

        // The checkout's own builds: ./nisharp compiles ahead of time on first use; NISHARP_JIT=1 builds the JIT one.
        Time(Path.Combine(root, "nisharp"), ["--version"], null);
        Time(Path.Combine(root, "nisharp"), ["--version"], new() { ["NISHARP_JIT"] = "1" });
        var builds = new List<(string Name, string Program, string[] Prefix)>
        {
            ("./nisharp (NativeAOT)", Path.Combine(root, "nisharp"), []),
            ("NativeAOT binary", Path.Combine(root, "artifacts", "clone", "NiSharp.Cli"), []),
            ("JIT (dotnet NiSharp.Cli.dll)", "dotnet", [Path.Combine(root, "src", "NiSharp.Cli", "bin", "Release", "net10.0", "NiSharp.Cli.dll")]),
        };
        for (int i = 0; i < args.Length - 1; i++)
            if (args[i] == "--also" && args[i + 1].Split('=', 2) is [var name, var program])
                builds.Add((name, program, []));

        var bold = Directory.Exists(Path.Combine(root, "demo-output", "data"))
            ? Directory.GetFiles(Path.Combine(root, "demo-output", "data"), "*_desc-preproc_bold.nii.gz", SearchOption.AllDirectories).Order().FirstOrDefault()
            : null;
        if (bold is null)
        {
            var data = Path.Combine(Path.GetTempPath(), "nisharp-bench", "startup-demo");
            DemoDataset.Ensure(data, new DemoOptions { Subjects = 2 });
            bold = Directory.GetFiles(data, "*_desc-preproc_bold.nii.gz", SearchOption.AllDirectories).Order().First();
        }
        var output = Path.Combine(Path.GetTempPath(), "nisharp-bench", "startup-mean.nii.gz");
        Console.WriteLine($"BOLD: {bold}");

        // Best of several, the builds interleaved so that the machine's load hits them alike.
        var version = builds.Select(_ => double.MaxValue).ToArray();
        var mean = builds.Select(_ => double.MaxValue).ToArray();
        for (int round = 0; round < 7; round++)
            for (int b = 0; b < builds.Count; b++)
            {
                for (int k = 0; k < 3; k++)
                    version[b] = Math.Min(version[b], Time(builds[b].Program, [.. builds[b].Prefix, "--version"], null));
                mean[b] = Math.Min(mean[b], Time(builds[b].Program, [.. builds[b].Prefix, "mean", bold, "-o", output], null));
            }
        Console.WriteLine($"{"build",-30} {"--version",10} {"mean",10} {"version/mean",13}");
        for (int b = 0; b < builds.Count; b++)
            Console.WriteLine($"{builds[b].Name,-30} {version[b] * 1000,8:0.0} ms {mean[b] * 1000,7:0} ms {version[b] / mean[b],12:0.000}×");
        Console.WriteLine($"NativeAOT binary --version vs the JIT build's: {version[1] / version[2]:0.00}×; mean: {mean[1] / mean[2]:0.00}×");
        return 0;
    }

    /// <summary>Wall time of one whole process (its output discarded); throws when it fails.</summary>
    private static double Time(string program, string[] args, Dictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in environment ?? []) psi.Environment[k] = v;
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        sw.Stop();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: exit {p.ExitCode}: {err.Result}");
        return sw.Elapsed.TotalSeconds;
    }
}
