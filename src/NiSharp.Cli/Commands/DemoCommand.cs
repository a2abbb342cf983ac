using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NiSharp.Pipeline;
using Spectre.Console;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp demo [--output DIR] [--subjects N] [--seed S]</c>: writes a synthetic fMRIPrep dataset in the image of
/// ds000030 into <c>DIR/data</c> (what was planted into <c>DIR/truth</c>), then runs <c>nisharp run</c>'s participant
/// and group levels with their defaults — the lesson's analysis — into <c>DIR/results</c>, and says where to look.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "Folder for the demo's data, truth and results", DefaultValueFactory = _ => "demo-output" };
        var subjects = new Option<int>("--subjects") { Description = "Number of subjects (half controls 1xxxx, half schizophrenia 5xxxx)", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed gives the same dataset", DefaultValueFactory = _ => new DemoOptions().Seed };
        var voxelSize = new Option<double>("--voxel-size") { Description = "Voxel size in mm (3 gives the lesson's 65×77×49 grid; larger is faster)", DefaultValueFactory = _ => 3.0 };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Subjects generated and processed at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cifti = new Option<bool>("--cifti") { Description = "Also write each subject's run on fsLR grayordinates (sub-X_task-rest_space-fsLR_den-91k_bold.dtseries.nii, the planted connectome on conte69-composite's parcels), for run --space fsLR" };
        var cmd = new Command("demo", "Generate a ds000030-like fMRIPrep dataset with a planted connectome and run the whole analysis on it")
        {
            output, subjects, seed, voxelSize, jobs, cifti,
        };
        cmd.SetAction(p =>
        {
            var dir = Path.GetFullPath(p.GetValue(output)!);
            var options = new DemoOptions
            {
                Subjects = p.GetValue(subjects),
                Seed = p.GetValue(seed),
                VoxelSize = p.GetValue(voxelSize),
                Jobs = p.GetValue(jobs),
                Cifti = p.GetValue(cifti),
            }.Validate();
            return Run(dir, options, p.Out(), p.Err());
        });
        return cmd;
    }

    internal static int Run(string dir, DemoOptions options, TextWriter o, TextWriter err)
    {
        var clock = Stopwatch.StartNew();
        var data = Path.Combine(dir, "data");
        var results = Path.Combine(dir, "results");
        var truth = Path.Combine(dir, "truth");
        if (File.Exists(dir)) throw new NiSharpException(dir, "--output is a file");

        if (DemoDataset.IsComplete(data, options))
        {
            o.WriteLine($"reusing the demo dataset in {data} (same parameters)");
        }
        else
        {
            if (Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any())
            {
                if (!DemoDataset.IsDemo(data))
                    throw new NiSharpException(data, "exists and is not a NiSharp demo dataset; choose another --output");
                Directory.Delete(data, recursive: true);
            }
            // Results of other data would only be stale: start them afresh too (only if NiSharp wrote them).
            if (Directory.Exists(results) && DerivativesDataset.IsWrittenByNiSharp(results)) Directory.Delete(results, recursive: true);
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"writing a ds000030-like fMRIPrep dataset: {options.Subjects} subjects, {options.Volumes} volumes at TR {options.RepetitionTime} s, {options.VoxelSize} mm voxels, seed {options.Seed} → {data}"));
            var dataset = Generate(data, options, o);
            dataset.WriteTruth(truth);
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  done in {clock.Elapsed.TotalSeconds:0.0} s; planted connectome and motion in {truth}"));
        }

        var run = new RunOptions { InputDirectory = data, OutputDirectory = results, Jobs = options.Jobs ?? Environment.ProcessorCount };
        o.WriteLine($"nisharp run {data} {results} participant   (relabelled Yeo atlas, yeo2011 confounds, dummy volumes auto, band-pass 0.009–0.08 Hz, correlation)");
        int participant = RunCommand.Execute(run, o, err);
        o.WriteLine($"nisharp run {data} {results} group   (diagnosis CONTROL vs SCHZ, DMN intra-network edges)");
        var group = GroupLevel.Run(run with { Level = AnalysisLevel.Group }, new PlainProgress(o));
        foreach (var f in group.Failed) err.WriteLine($"nisharp: {f.Subject} not included: {f.Reason}");
        RunCommand.PrintGroup(group, o);

        o.WriteLine();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo finished in {clock.Elapsed.TotalSeconds:0.0} s"));
        o.WriteLine($"  data     {data}");
        o.WriteLine($"  truth    {truth}");
        o.WriteLine($"  results  {results}  (per subject: sub-*/func/*_timeseries.tsv, *_relmat.tsv; group tables: {Path.Combine(results, "group")})");
        o.WriteLine($"  report   {Path.Combine(results, "report.html")}");
        o.WriteLine($"  compare denoising strategies on it: nisharp benchmark {data} {results}");
        return Math.Max(participant, group.ExitCode);
    }

    private static DemoDataset Generate(string data, DemoOptions options, TextWriter o)
    {
        if (!RunProgressDisplay.IsTerminal(o))
        {
            int count = 0;
            var gate = new object();
            return DemoDataset.Generate(data, options, new SynchronousProgress<DemoParticipant>(d =>
            {
                lock (gate) o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  [{++count,3}/{options.Subjects}] sub-{d.Id} {d.Diagnosis,-7} mean FD {d.MeanFramewiseDisplacement:0.000} mm"));
            }));
        }
        DemoDataset? result = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("generating subjects", maxValue: options.Subjects);
                result = DemoDataset.Generate(data, options, new SynchronousProgress<DemoParticipant>(_ => task.Increment(1)));
            });
        return result!;
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (<see cref="Progress{T}"/> would post to a
    /// thread-pool context, after the work has finished).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
