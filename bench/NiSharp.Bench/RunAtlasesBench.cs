using NiSharp.Pipeline;

namespace NiSharp.Bench;

/// <summary>
/// Many atlases in one pass as users run it (issue 23): whole processes, measured with <c>/usr/bin/time</c>, of
/// <c>nisharp run DATA OUT participant</c> on lesson-sized demo subjects (65×77×49×152 float32 <c>.nii.gz</c>) with one
/// atlas (<c>yeo7-relabeled</c>) against three in one run (<c>yeo7-relabeled schaefer100-7 aal</c>), each into a fresh
/// output folder, interleaved, best of several rounds; with the reports and QC (the default) and without reports.
/// Target: three atlases ≤ 1.3× the CPU (user + system) of one. The fitted-atlas cache is warm after the first round,
/// as in a study's second subject on. The program is the checkout's <c>./nisharp</c> (NativeAOT) unless
/// <c>--program PATH</c>; <c>--subjects N</c> (default 2).
/// </summary>
public static class RunAtlasesBench
{
    public static int Run(string[] args)
    {
        string program = Measure.Program(args);
        int subjects = 2;
        for (int i = 0; i < args.Length - 1; i++)
            if (args[i] == "--subjects") subjects = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
        var root = Path.Combine(Path.GetTempPath(), "nisharp-bench", "run-atlases");
        var data = Path.Combine(root, $"demo-{subjects}");
        DemoDataset.Ensure(data, new DemoOptions { Subjects = subjects });
        ExtractProcessBench.Time(program, ["--version"]); // builds ./nisharp when the checkout changed
        Console.WriteLine($"program {program}; {subjects} lesson-sized demo subject(s) in {data}");

        string[] one = ["--atlas", "yeo7-relabeled"];
        string[] three = ["--atlas", "yeo7-relabeled", "schaefer100-7", "aal"];
        var cases = new (string Name, string[] Args)[]
        {
            ("1 atlas", one), ("3 atlases", three),
            ("1 atlas, no reports", [.. one, "--no-reports"]), ("3 atlases, no reports", [.. three, "--no-reports"]),
        };
        var best = new Dictionary<string, (double Wall, double Cpu, long RssKb)>();
        for (int round = 0; round < 4; round++)
            foreach (var (name, extra) in cases)
            {
                var output = Path.Combine(root, "out");
                if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
                var r = ExtractProcessBench.Time(program, ["run", data, output, "participant", "--jobs", "1", .. extra]);
                best[name] = best.TryGetValue(name, out var b) ? (Math.Min(b.Wall, r.Wall), Math.Min(b.Cpu, r.Cpu), Math.Min(b.RssKb, r.RssKb)) : r;
            }
        Console.WriteLine($"{"process",-24} {"wall",9} {"cpu (u+s)",10} {"max RSS",9}");
        foreach (var (name, r) in best)
            Console.WriteLine($"{name,-24} {r.Wall * 1000,6:0} ms {r.Cpu * 1000,7:0} ms {r.RssKb / 1024.0,6:0.0} MB");
        foreach (var suffix in new[] { "", ", no reports" })
        {
            var (a, c) = (best["1 atlas" + suffix], best["3 atlases" + suffix]);
            Console.WriteLine($"3 atlases / 1 atlas{suffix}: cpu {c.Cpu / a.Cpu:0.00}× (target ≤ 1.3×), wall {c.Wall / a.Wall:0.00}×, peak RSS {c.RssKb / (double)a.RssKb:0.00}×");
        }
        return 0;
    }
}
