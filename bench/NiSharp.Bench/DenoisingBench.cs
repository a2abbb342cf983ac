using System.Diagnostics;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Pipeline;
using NiSharp.Qc;
using NiSharp.Signal;

namespace NiSharp.Bench;

/// <summary>
/// The denoising benchmark's shared extraction on one lesson-sized demo run (65×77×49×152 float32 .nii.gz, brain mask,
/// fMRIPrep confounds): the nine strategies by one masker pass each (what running the participant level once per
/// strategy costs) against one pass recording the raw means, cleaned nine times — with the outputs compared — and the
/// cost of the per-run motion QC (recording the raw means and the tSNR statistics on the masker's pass) against the
/// plain extraction. Then <c>nisharp benchmark</c> end to end on a lesson-sized cohort (<c>--subjects</c>, default 20).
/// </summary>
public static class DenoisingBench
{
    public static int Run(string[] args)
    {
        int subjects = args.SkipWhile(a => a != "--subjects").Skip(1).Select(int.Parse).FirstOrDefault(20);
        var root = Path.Combine(Path.GetTempPath(), "nisharp-bench", "denoising");
        var data = Path.Combine(root, "data");
        var options = new DemoOptions { Subjects = subjects };
        if (!DemoDataset.IsComplete(data, options))
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            DemoDataset.Generate(data, options);
        }
        var run = BidsLayout.Index(data).GetBoldRuns()[0];
        var table = FmriprepConfounds.Load(run.Confounds!.Path, run.ConfoundsJson?.Path);
        var strategies = DenoisingStrategies.Parse(string.Join(',', DenoisingStrategies.DefaultNames));
        var selections = strategies.Select(s => ConfoundSelector.Select(table, s.Confounds with { DummyScans = DummyScans.Auto })).ToArray();
        int dummy = selections[0].DummyScans;
        var atlas = Atlas.Load("yeo7-relabeled");
        var maskerOptions = new LabelsMaskerOptions
        {
            Atlas = atlas, Clean = MaskerOptions.DefaultCleaning with { Detrend = true, Standardize = StandardizeMethod.ZScoreSample, RepetitionTime = 2 },
            MaskImg = Masking.LoadMask(run.Mask!.Path), KeepEmpty = KeepEmpty.Drop,
        };
        var cleaning = new LabelsMasker(maskerOptions);
        var raw = new LabelsMasker(maskerOptions with { Clean = MaskerOptions.DefaultCleaning with { RepetitionTime = 2 } });
        cleaning.Fit(Grid.Of(run.Bold.Path));
        raw.Fit(Grid.Of(run.Bold.Path));
        int volumes;
        using (var f = Nifti.NiftiFile.Open(run.Bold.Path)) volumes = f.VolumeCount;
        var clean = maskerOptions.Clean;
        Console.WriteLine($"run {run.Bold.Filename}: {volumes} volumes, {strategies.Count} strategies, {atlas.Name}");

        RegionSignals[] PerStrategy() => selections.Select(s => cleaning.FitTransform(run.Bold.Path, MaskerInputs.From(s))).ToArray();
        (RawRegionSignals Raw, double[][] Cleaned) Shared()
        {
            using var file = Nifti.NiftiFile.Open(run.Bold.Path);
            var fit = raw.Fit(Grid.Of(file));
            var recorder = new RegionSignalRecorder(volumes - dummy, fit.Index.Regions, TemporalSnr.ForMask(fit));
            raw.FitTransform(file, new MaskerInputs { DummyScans = dummy }, null, recorder);
            var r = recorder.Signals();
            return (r, selections.Select(s => r.Clean(clean, s.Columns.Count > 0 ? s.Regressors : null, s.SampleMaskOrNull).Data).ToArray());
        }

        // Same numbers both ways (the masker's cleaning is linear in the region means).
        var a = PerStrategy();
        var b = Shared().Cleaned;
        double worst = 0;
        for (int s = 0; s < a.Length; s++)
            for (int i = 0; i < a[s].Values.Data.Length; i++)
                worst = Math.Max(worst, Math.Abs(a[s].Values.Data[i] - b[s][i]));
        Console.WriteLine($"largest difference between the two ways over all strategies: {worst:G3}");

        double perStrategy = Measure.BestSeconds(() => PerStrategy(), 3);
        double shared = Measure.BestSeconds(() => Shared(), 3);
        Console.WriteLine($"{strategies.Count} strategies, one masker pass each   {perStrategy * 1000,8:0} ms");
        Console.WriteLine($"one pass + {strategies.Count} cleanings of the means      {shared * 1000,8:0} ms   ratio {perStrategy / shared:0.0}x faster");

        var yeo = ConfoundSelector.Select(table, ConfoundPresets.Yeo2011 with { DummyScans = DummyScans.Auto });
        double plain = Measure.BestSeconds(() => cleaning.FitTransform(run.Bold.Path, MaskerInputs.From(yeo)));
        double withQc = Measure.BestSeconds(() =>
        {
            using var file = Nifti.NiftiFile.Open(run.Bold.Path);
            var fit = cleaning.Fit(Grid.Of(file));
            var snr = TemporalSnr.ForMask(fit);
            var recorder = new RegionSignalRecorder(volumes - dummy, fit.Index.Regions, snr);
            cleaning.FitTransform(file, MaskerInputs.From(yeo), null, recorder);
            RunQcStep.Measure(table, yeo, clean, recorder.Signals(), snr, fit.Coverage);
        });
        Console.WriteLine($"extraction (yeo2011)                     {plain * 1000,8:0} ms");
        Console.WriteLine($"  + per-run motion QC on the same pass   {withQc * 1000,8:0} ms   ratio {withQc / plain:0.00}x");
        var (managed, process) = Measure.PeakMemory(() => Shared());
        Console.WriteLine($"peak managed memory of the shared pass: {Measure.Mb(managed)}; process peak {Measure.Mb(process)}");

        var output = Path.Combine(root, "out");
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var clock = Stopwatch.StartNew();
        var summary = DenoisingBenchmark.Run(new BenchmarkOptions { InputDirectory = data, OutputDirectory = output });
        Console.WriteLine($"nisharp benchmark, {subjects} lesson-sized subjects × {strategies.Count} strategies, {Environment.ProcessorCount} cores: {clock.Elapsed.TotalSeconds:0.0} s (exit {summary.ExitCode})");
        Console.WriteLine($"{"strategy",-16} {"tDOF lost",9} {"QC-FC sig.",10} {"FDR sig.",8} {"|QC-FC|",8} {"dist. ρ",8} {"modularity",10} {"Q~FD r",7} {"excluded",8}");
        foreach (var m in summary.Metrics)
            Console.WriteLine(FormattableString.Invariant(
                $"{m.Strategy,-16} {m.TdofLossMean,9:0.0} {100 * m.QcFcSignificantFraction,9:0.0}% {100 * m.QcFcFdrSignificantFraction,7:0.0}% {m.QcFcMedianAbs,8:0.000} {m.DistanceDependence,8:0.000} {m.Modularity,10:0.000} {m.ModularityMotionR,7:0.00} {m.SubjectsExcluded,8}"));
        Console.WriteLine($"report: {summary.ReportPath}");
        return 0;
    }
}
