using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NiSharp.Pipeline;

namespace NiSharp.Bench;

/// <summary>
/// The participant level at the read floor inside one process (issue 23: "over 1000 subjects in one process, ≤ 1.1× per
/// subject"): whole processes, measured with <c>/usr/bin/time</c>, of <c>nisharp run DATA OUT participant</c> over N
/// lesson-sized subjects (65×77×49×152 float32 <c>.nii.gz</c>; default 1000, <c>--subjects N</c> for a quick run), its
/// CPU seconds (user + system) per subject against those of <c>nisharp mean</c> of a subject's BOLD as a process of its
/// own; with <c>--no-reports</c> and with the reports and QC (the default). Also: one subject alone as its own process
/// (the Slurm array case) and the marginal cost of a subject ((N − 1 subjects' CPU) over the one-subject process's).
/// Disk: the N subjects are hard links (symbolic links where a hard link fails) to the files of a few demo subjects
/// (<c>--sources K</c>, default 4) under new labels <c>sub-0001</c>…, removed afterwards with the outputs. The fitted-atlas
/// cache is a folder of the benchmark's, filled by a first one-subject run. The program is the NativeAOT binary of the
/// checkout's <c>./nisharp</c> (built first) unless <c>--program PATH</c>; default <c>--jobs</c> (one subject per core).
/// </summary>
public static class RunManyBench
{
    public static int Run(string[] args)
    {
        int subjects = 1000, sources = 4;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--subjects") subjects = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--sources") sources = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }
        if (subjects < 2 || sources < 1) { Console.Error.WriteLine("run-many: --subjects ≥ 2, --sources ≥ 1"); return 2; }
        var script = Measure.Program(args);
        ExtractProcessBench.Time(script, ["--version"]); // builds ./nisharp when the checkout changed
        string program = Measure.Binary(script);
        var root = Path.Combine(Path.GetTempPath(), "nisharp-bench", "run-many");
        var demo = DemoDataset.Ensure(Path.Combine(root, $"demo-{sources}"), new DemoOptions { Subjects = sources });
        var data = Path.Combine(root, $"data-{subjects}");
        var output = Path.Combine(root, "out");
        var cache = Path.Combine(root, "cache");
        try
        {
            var how = Link(demo, data, subjects);
            Console.WriteLine($"program {program}; {subjects} subjects in {data} ({how} to the {sources} demo subjects of {demo})");

            // The baseline: each source BOLD read by a process of its own, best of three, averaged over the sources.
            var bolds = Directory.GetFiles(demo, "*_desc-preproc_bold.nii.gz", SearchOption.AllDirectories).Order().ToArray();
            var meanOut = Path.Combine(root, "mean.nii.gz");
            double mean = bolds.Average(b => Enumerable.Range(0, 3).Min(_ => ExtractProcessBench.Time(program, ["mean", b, "-o", meanOut], cache).Cpu));
            File.Delete(meanOut);
            string first = Label(1, subjects);
            Run(program, data, output, cache, ["--participant-label", first]); // fills the cache (not counted)

            Console.WriteLine($"nisharp mean of a subject's BOLD: cpu {mean * 1000:0} ms (mean over {bolds.Length} BOLD files, best of 3 each)");
            Console.WriteLine($"{"case",-12} {"1 subject: cpu",15} {"/ mean",7}   {subjects + " subjects: wall",20} {"cpu",9} {"max RSS",9} {"cpu/subject",12} {"/ mean",7} {"marginal",9} {"/ mean",7}");
            foreach (var (name, extra) in new (string, string[])[] { ("no reports", ["--no-reports"]), ("reports", []) })
            {
                var one = Enumerable.Range(0, 3).Select(_ => Run(program, data, output, cache, ["--participant-label", first, .. extra])).MinBy(r => r.Cpu);
                var many = Run(program, data, output, cache, extra);
                double perSubject = many.Cpu / subjects, marginal = (many.Cpu - one.Cpu) / (subjects - 1);
                Console.WriteLine($"{name,-12} {one.Cpu * 1000,12:0} ms {one.Cpu / mean,6:0.00}×   {many.Wall,18:0.0} s {many.Cpu,7:0.0} s {many.RssKb / 1024.0,6:0} MB " +
                                  $"{perSubject * 1000,9:0} ms {perSubject / mean,6:0.00}× {marginal * 1000,6:0} ms {marginal / mean,6:0.00}×");
                if (extra.Length == 0) OneMore(program, data, output, cache, first, Label(subjects, subjects), mean);
            }
            // The Slurm array's task: one subject with the reports and QC, as participant.sbatch runs it (--array-task: the
            // dataset's top page is left to the group job that follows the array, instead of each task indexing the dataset).
            var task = Enumerable.Range(0, 3).Select(_ => Run(program, data, output, cache, ["--participant-label", first, "--array-task"])).MinBy(r => r.Cpu);
            Console.WriteLine($"{"array task",-12} {task.Cpu * 1000,12:0} ms {task.Cpu / mean,6:0.00}×   (one subject with reports as a Slurm array task runs it: --array-task; max RSS {task.RssKb / 1024.0:0} MB)");
            // Slurm gives a task one CPU unless asked (participant.sbatch: --cpus-per-task=1, a cpuset): the same task and its
            // baseline confined to one CPU with taskset, where NiSharp reads on the pass's thread (no read-ahead thread).
            if (File.Exists("/usr/bin/taskset"))
            {
                double mean1 = bolds.Average(b => Enumerable.Range(0, 3).Min(_ => ExtractProcessBench.Time("/usr/bin/taskset", ["-c", "0", program, "mean", b, "-o", meanOut], cache).Cpu));
                File.Delete(meanOut);
                var task1 = Enumerable.Range(0, 3).Select(_ => Run("/usr/bin/taskset", data, output, cache, ["--participant-label", first, "--array-task"], ["-c", "0", program])).MinBy(r => r.Cpu);
                Console.WriteLine($"{"task 1 CPU",-12} {task1.Cpu * 1000,12:0} ms {task1.Cpu / mean1,6:0.00}×   (the array task and nisharp mean ({mean1 * 1000:0} ms) on one CPU, as Slurm's --cpus-per-task=1 runs them; max RSS {task1.RssKb / 1024.0:0} MB)");
            }
            Console.WriteLine($"targets: {subjects} subjects in one process ≤ 1.1× mean per subject; one subject as its own process ≤ 1.5× (with reports)");
        }
        finally
        {
            foreach (var dir in new[] { data, output })
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    // A subject not yet run, as its own process, into the output folder where every other subject is complete (a shell
    // loop over subjects, one process each): the subject's outputs and status removed, the top page refreshed without it
    // (a run of the first subject, already complete), then the subject run alone; best of three.
    private static void OneMore(string program, string data, string output, string cache, string first, string last, double mean)
    {
        var runs = Enumerable.Range(0, 3).Select(_ =>
        {
            Directory.Delete(Path.Combine(output, "sub-" + last), recursive: true);
            File.Delete(SubjectStatus.PathOf(output, last));
            File.Delete(SubjectStatus.LogPathOf(output, last));
            ExtractProcessBench.Time(program, ["run", data, output, "participant", "--participant-label", first], cache);
            return ExtractProcessBench.Time(program, ["run", data, output, "participant", "--participant-label", last], cache);
        }).MinBy(r => r.Cpu);
        Console.WriteLine($"{"one more",-12} {runs.Cpu * 1000,12:0} ms {runs.Cpu / mean,6:0.00}×   (a subject not yet run, as its own process, into the output where the others are complete; max RSS {runs.RssKb / 1024.0:0} MB)");
    }

    // One participant level into an empty output folder.
    private static (double Wall, double Cpu, long RssKb) Run(string program, string data, string output, string cache, string[] extra, string[]? programArgs = null)
    {
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        return ExtractProcessBench.Time(program, [.. programArgs ?? [], "run", data, output, "participant", .. extra], cache);
    }

    private static string Label(int i, int subjects) => i.ToString("D" + Math.Max(4, subjects.ToString(CultureInfo.InvariantCulture).Length), CultureInfo.InvariantCulture);

    // A dataset of `subjects` subjects sub-0001… whose files are links to the demo's subjects' files in turn (renamed to
    // the new label), with the demo's description and a participants.tsv of the new labels. Returns what links were made.
    private static string Link(string demo, string data, int subjects)
    {
        if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        Directory.CreateDirectory(data);
        var rows = File.ReadAllLines(Path.Combine(demo, "participants.tsv"));
        var sources = rows.Skip(1).Select(r => r.Split('\t')).ToArray();
        int hard = 0, symbolic = 0;
        void LinkFile(string from, string to)
        {
            if (link(from, to) == 0) hard++;
            else { File.CreateSymbolicLink(to, from); symbolic++; }
        }
        LinkFile(Path.Combine(demo, "dataset_description.json"), Path.Combine(data, "dataset_description.json"));
        var participants = new StringBuilder(rows[0]).Append('\n');
        for (int i = 1; i <= subjects; i++)
        {
            var row = sources[(i - 1) % sources.Length];
            string from = row[0], to = "sub-" + Label(i, subjects);
            participants.Append(string.Join('\t', [to, .. row[1..]])).Append('\n');
            var src = Path.Combine(demo, from);
            foreach (var file in Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(data, to, Path.GetRelativePath(src, file).Replace(from, to, StringComparison.Ordinal));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                LinkFile(file, target);
            }
        }
        File.WriteAllText(Path.Combine(data, "participants.tsv"), participants.ToString());
        return symbolic == 0 ? "hard links" : hard == 0 ? "symbolic links" : $"{hard} hard and {symbolic} symbolic links";
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);
}
