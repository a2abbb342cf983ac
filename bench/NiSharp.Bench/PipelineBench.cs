using System.Diagnostics;
using System.IO.Compression;
using NiSharp.Pipeline;

namespace NiSharp.Bench;

/// <summary>
/// <c>nisharp demo</c> as the CLI runs it (20 lesson-sized subjects: 65×77×49×152 float32 .nii.gz, generation, participant
/// level with one subject per core, group level), timed as a whole (target: under 2 minutes on this 2-core machine);
/// then, for every subject, its participant-level time against plain decompression of its BOLD file, measured in the
/// same run: in the parallel demo run, and again one subject at a time.
/// </summary>
public static class PipelineBench
{
    public static int Run(string[] args)
    {
        int subjects = args.SkipWhile(a => a != "--subjects").Skip(1).Select(int.Parse).FirstOrDefault(20);
        var root = Path.Combine(Path.GetTempPath(), "nisharp-bench", "pipeline");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        var data = Path.Combine(root, "data");
        var results = Path.Combine(root, "results");
        int cores = Environment.ProcessorCount;

        var total = Stopwatch.StartNew();
        var generate = Stopwatch.StartNew();
        var dataset = DemoDataset.Generate(data, new DemoOptions { Subjects = subjects });
        generate.Stop();
        var run = new RunOptions { InputDirectory = data, OutputDirectory = results, Jobs = cores };
        var participant = ParticipantLevel.Run(run);
        var group = GroupLevel.Run(run with { Level = AnalysisLevel.Group });
        total.Stop();
        if (participant.ExitCode != 0 || group.ExitCode != 0)
        {
            Console.Error.WriteLine("the demo failed: " + string.Join("; ", participant.Failed.Select(f => f.Reason)));
            return 1;
        }

        long bytes = Directory.EnumerateFiles(data, "*_bold.nii.gz", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"nisharp demo, {subjects} lesson-sized subjects ({dataset.Grid.Describe()}, 152 volumes, {Measure.Mb(bytes)} of BOLD .nii.gz), {cores} cores:");
        Console.WriteLine($"  generate data      {generate.Elapsed.TotalSeconds,7:0.0} s");
        Console.WriteLine($"  participant level  {participant.Elapsed.TotalSeconds,7:0.0} s   ({participant.Jobs} subjects at a time, reports included)");
        Console.WriteLine($"  group level        {group.Elapsed.TotalSeconds,7:0.0} s   ({group.Comparisons[0].Table.PermutationsRun} permutations)");
        Console.WriteLine($"  total              {total.Elapsed.TotalSeconds,7:0.0} s   (target < 120 s)  {(total.Elapsed.TotalSeconds < 120 ? "OK" : "TOO SLOW")}");

        // One subject at a time, so that a subject's time is not shared with another's.
        var alone = ParticipantLevel.Run(run with { OutputDirectory = Path.Combine(root, "results-serial"), Jobs = 1 });
        var aloneBy = alone.Subjects.ToDictionary(s => s.Subject, s => s.Elapsed.TotalSeconds);
        var bare = ParticipantLevel.Run(run with { OutputDirectory = Path.Combine(root, "results-bare"), Jobs = 1, Reports = false });
        var bareBy = bare.Subjects.ToDictionary(s => s.Subject, s => s.Elapsed.TotalSeconds);
        Console.WriteLine();
        Console.WriteLine($"  {"subject",-10} {"decompress",11} {"in demo",9} {"ratio",7} {"alone",9} {"ratio",7} {"no page",9} {"ratio",7}");
        var ratios = new List<double>();
        var aloneRatios = new List<double>();
        var bareRatios = new List<double>();
        foreach (var s in participant.Subjects)
        {
            var bold = Directory.GetFiles(Path.Combine(data, $"sub-{s.Subject}", "func"), "*_desc-preproc_bold.nii.gz").Single();
            double decompress = Measure.BestSeconds(() => DecompressToNowhere(bold), repeats: 2);
            double inDemo = s.Elapsed.TotalSeconds, single = aloneBy[s.Subject], noPage = bareBy[s.Subject];
            ratios.Add(inDemo / decompress);
            aloneRatios.Add(single / decompress);
            bareRatios.Add(noPage / decompress);
            Console.WriteLine($"  sub-{s.Subject,-6} {decompress * 1000,8:0} ms {inDemo * 1000,6:0} ms {inDemo / decompress,6:0.00}x {single * 1000,6:0} ms {single / decompress,6:0.00}x {noPage * 1000,6:0} ms {noPage / decompress,6:0.00}x");
        }
        Console.WriteLine($"  median ratio to decompression: {Median(ratios):0.00}x in the demo ({participant.Jobs} at a time), {Median(aloneRatios):0.00}x alone, " +
                          $"{Median(bareRatios):0.00}x alone without the report page (a subject: read + masker fit and pass + cleaning + connectivity + outputs [+ page])");
        Console.WriteLine($"  process peak RSS {Measure.Mb(ReadPeak())}");
        return 0;
    }

    private static double Median(List<double> x)
    {
        var s = x.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static void DecompressToNowhere(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var gz = new GZipStream(fs, CompressionMode.Decompress);
        var buf = new byte[1 << 20];
        while (gz.Read(buf) > 0) { }
    }

    private static long ReadPeak()
    {
        foreach (var line in File.ReadLines($"/proc/{Environment.ProcessId}/status"))
            if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }
}
