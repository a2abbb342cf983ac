using System.Diagnostics;
using System.IO.Compression;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Bench;

/// <summary>
/// Labels extraction from the lesson-sized run (65×77×49×152 float32 .nii.gz) with the 1 mm relabelled Yeo atlas,
/// compared with plain decompression of the same file in the same run. Target: ≤ 1.5× and under 100 MB.
/// The atlas load and the one-off resampling (cached per grid) are timed apart: a pipeline pays them once.
/// </summary>
public static class ExtractBench
{
    public static int Run(string[] args)
    {
        var path = LessonBold.Ensure();
        using (var f = NiftiFile.Open(path))
            Console.WriteLine($"file {path}: {Image.ShapeText(f.Shape)} {f.DataType.NumpyName()}, {Measure.Mb(new FileInfo(path).Length)} compressed");

        var sw = Stopwatch.StartNew();
        var atlas = Atlas.Load("yeo7-relabeled");
        double load = sw.Elapsed.TotalSeconds;
        var grid = Grid.Of(path);
        var masker = new LabelsMasker(atlas);
        sw.Restart();
        var fit = masker.Fit(grid);
        double resample = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"atlas {atlas.Name} {atlas.Grid.Describe()} load {load * 1000:0} ms; resample to the data grid once {resample * 1000:0} ms; " +
                          $"{fit.ExtractedLabels.Count} of {fit.Coverage.Count} labels on the grid");

        var cleaning = new LabelsMasker(new LabelsMaskerOptions
        {
            Atlas = atlas, Clean = MaskerOptions.DefaultCleaning with { Detrend = true, Standardize = StandardizeMethod.ZScore, LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 },
        });
        cleaning.Fit(grid);

        double decompress = Measure.BestSeconds(() => DecompressToNowhere(path));
        double read = Measure.BestSeconds(() => ReadVolumes(path));
        double extract = Measure.BestSeconds(() => masker.FitTransform(path));
        double extractClean = Measure.BestSeconds(() => cleaning.FitTransform(path));
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long rssBefore = Rss();
        var (managed, process) = Measure.PeakMemory(() => masker.FitTransform(path));

        Console.WriteLine($"decompress only              {decompress * 1000,8:0.0} ms");
        Console.WriteLine($"read volumes (NiftiFile)     {read * 1000,8:0.0} ms   ratio {read / decompress:0.00}x");
        Console.WriteLine($"LabelsMasker.FitTransform    {extract * 1000,8:0.0} ms   ratio {extract / decompress:0.00}x (target <= 1.5x)");
        Console.WriteLine($"  + detrend, band-pass, zscore {extractClean * 1000,6:0.0} ms   ratio {extractClean / decompress:0.00}x");
        int vol = grid.VoxelCount;
        Console.WriteLine($"peak managed memory during the extraction: {Measure.Mb(managed)} (one volume is {Measure.Mb(vol * 4L)}, the whole run {Measure.Mb(vol * 4L * 152)}); " +
                          $"process RSS {Measure.Mb(rssBefore)} before (the 1 mm atlas alone is {Measure.Mb(atlas.Grid.VoxelCount * 4L)}), peak {Measure.Mb(process)} during: +{Measure.Mb(Math.Max(0, process - rssBefore))}");

        // The whole thing from nothing in a fresh masker: atlas load, resampling, extraction.
        GC.Collect();
        var (coldManaged, coldProcess) = Measure.PeakMemory(() => new LabelsMasker(Atlas.Load("yeo7-relabeled")).FitTransform(path));
        Console.WriteLine($"cold (load atlas + resample + extract): peak managed {Measure.Mb(coldManaged)}, process peak RSS {Measure.Mb(coldProcess)}");
        return 0;
    }

    private static long Rss()
    {
        foreach (var line in File.ReadLines($"/proc/{Environment.ProcessId}/status"))
            if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    private static void DecompressToNowhere(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var gz = new GZipStream(fs, CompressionMode.Decompress);
        var buf = new byte[1 << 20];
        while (gz.Read(buf) > 0) { }
    }

    private static double ReadVolumes(string path)
    {
        using var f = NiftiFile.Open(path);
        var vol = new float[f.VoxelsPerVolume];
        double sum = 0;
        for (int t = 0; t < f.VolumeCount; t++)
        {
            f.ReadVolume<float>(t, vol);
            sum += vol[vol.Length / 2];
        }
        return sum;
    }
}
