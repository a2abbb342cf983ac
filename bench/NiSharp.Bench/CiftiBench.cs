using System.Diagnostics;
using NiSharp.Atlases;
using NiSharp.Cifti;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Bench;

/// <summary>
/// Grayordinate parcellation of an HCP-sized dense time series — the fsLR 91k layout of fMRIPrep's CIFTI output, 1200
/// time points, float32, uncompressed (438 MB), generated from the bundled 91k grayordinates — with the Conte69 composite
/// atlas, against reading the same file in its own order (one pass, grayordinate by grayordinate). Both from the page
/// cache, in the same run. The parcellation streams time points in blocks (a row of the matrix is spread across the
/// whole file), so the ratio is the cost of that gather plus the reductions.
/// </summary>
public static class CiftiBench
{
    private const int TimePoints = 1200;

    public static int Run(string[] args)
    {
        var path = EnsureDenseSeries();
        using (var f = CiftiFile.Open(path))
            Console.WriteLine($"file {path}: {f.Kind.Extension} {f.Rows}×{f.Columns} {f.DataType.NumpyName()}, {Measure.Mb(new FileInfo(path).Length)}");
        var atlas = GrayordinateAtlas.Load("conte69-composite");
        var masker = new GrayordinateLabelsMasker(atlas);
        var cleaning = new GrayordinateLabelsMasker(new GrayordinateLabelsMaskerOptions
        {
            Atlas = atlas, Clean = MaskerOptions.DefaultCleaning with { Detrend = true, Standardize = StandardizeMethod.ZScoreSample, LowPass = 0.08, HighPass = 0.009 },
        });
        var sw = Stopwatch.StartNew();
        var fit = masker.Fit(CiftiFile.ReadHeader(path).Axis<BrainModelAxis>(1, path));
        Console.WriteLine($"atlas {atlas.Name} map {atlas.Map}: {fit.Coverage.Count(c => !c.IsEmpty)} parcels, grayordinates matched once in {sw.Elapsed.TotalMilliseconds:0} ms");

        double read = Measure.BestSeconds(() => ReadColumns(path), repeats: 3);
        double rows = Measure.BestSeconds(() => ReadRows(path), repeats: 3);
        double parcellate = Measure.BestSeconds(() => masker.FitTransform(path, MaskerInputs.None), repeats: 3);
        double parcellateClean = Measure.BestSeconds(() => cleaning.FitTransform(path, MaskerInputs.None), repeats: 3);
        var (managed, process) = Measure.PeakMemory(() => masker.FitTransform(path, MaskerInputs.None));
        long matrix = (long)TimePoints * 91282 * 4;

        Console.WriteLine($"read it (columns, file order)         {read * 1000,8:0} ms");
        Console.WriteLine($"stream its time points (blocks)       {rows * 1000,8:0} ms   ratio {rows / read:0.00}x");
        Console.WriteLine($"parcellate (mean)                     {parcellate * 1000,8:0} ms   ratio {parcellate / read:0.00}x");
        Console.WriteLine($"  + detrend, band-pass, zscore_sample {parcellateClean * 1000,8:0} ms   ratio {parcellateClean / read:0.00}x");
        Console.WriteLine($"peak managed memory during the parcellation: {Measure.Mb(managed)} (one time point is {Measure.Mb(91282 * 4)}, the matrix {Measure.Mb(matrix)}); " +
                          $"process peak RSS {Measure.Mb(process)} (the file is mapped: its pages count while read)");
        return 0;
    }

    /// <summary>One pass over the file in its own order: every grayordinate's time series, a chunk at a time.</summary>
    private static double ReadColumns(string path)
    {
        using var f = CiftiFile.Open(path);
        const int chunk = 256;
        var buffer = new float[chunk * f.Rows];
        double sum = 0;
        for (int c = 0; c < f.Columns; c += chunk)
        {
            int n = Math.Min(chunk, f.Columns - c);
            f.ReadColumns<float>(c, n, buffer.AsSpan(0, n * f.Rows));
            sum += buffer[0];
        }
        return sum;
    }

    /// <summary>The time points as the masker gets them, without reducing them.</summary>
    private static double ReadRows(string path)
    {
        using var f = CiftiFile.Open(path);
        double sum = 0;
        new GrayordinateSource(f).ForEach<float>(0, f.Rows, (t, row) => sum += row[t]);
        return sum;
    }

    /// <summary>The 91k × 1200 dense time series, generated once: each grayordinate a smooth random walk plus noise.</summary>
    private static string EnsureDenseSeries()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nisharp-bench");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"sub-bench_task-rest_space-fsLR_den-91k_bold-{TimePoints}.dtseries.nii");
        if (File.Exists(path)) return path;
        Console.WriteLine($"generating {path} ...");
        var grayordinates = Templates.Fslr91kGrayordinates();
        var header = new CiftiHeader([new SeriesAxis(TimePoints, 0, 0.72), grayordinates]);
        using var w = CiftiWriter.Create(path, header);
        var series = new float[TimePoints];
        ulong state = 0x9E3779B97F4A7C15;
        for (int g = 0; g < grayordinates.Length; g++)
        {
            double walk = 0;
            for (int t = 0; t < TimePoints; t++)
            {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                double u = (state >> 11) * (1.0 / (1UL << 53)) - 0.5;
                walk = 0.95 * walk + u;
                series[t] = (float)(1000 + 10 * walk + 3 * u);
            }
            w.WriteColumns<float>(series);
        }
        w.Commit();
        return path;
    }
}
