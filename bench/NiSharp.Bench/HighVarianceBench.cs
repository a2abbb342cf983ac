using NiSharp.Atlases;
using NiSharp.Maskers;

namespace NiSharp.Bench;

/// <summary>
/// Labels-masker extraction of the lesson-sized BOLD run (65×77×49×152 float32 .nii.gz) with nilearn's
/// <c>high_variance_confounds=True</c> against the same extraction without it, in the same run; and the image-level
/// confounds alone. The option costs two more streaming passes over the file; peak memory should stay a few volumes
/// plus four doubles per voxel and the selected 2% of the series, not the 4D run.
/// </summary>
public static class HighVarianceBench
{
    public static int Run(string[] args)
    {
        var path = LessonBold.Ensure();
        int vol = 65 * 77 * 49;
        var atlas = Atlas.Load("yeo7-relabeled");
        var plain = new LabelsMasker(new LabelsMaskerOptions { Atlas = atlas });
        var withHv = new LabelsMasker(new LabelsMaskerOptions { Atlas = atlas, HighVarianceConfounds = true });
        plain.FitTransform(path); // resample the atlas once (cached per grid) before timing
        withHv.FitTransform(path);

        double read = Measure.BestSeconds(() => ReadAll(path), repeats: 3);
        double baseline = Measure.BestSeconds(() => plain.FitTransform(path), repeats: 3);
        double hv = Measure.BestSeconds(() => withHv.FitTransform(path), repeats: 3);
        double confounds = Measure.BestSeconds(() => HighVarianceImageConfounds.Compute(path), repeats: 3);
        var (managed, process) = Measure.PeakMemory(() => withHv.FitTransform(path));
        Console.WriteLine($"read every volume once (as float64)         {read * 1000,8:0.0} ms");
        Console.WriteLine($"labels masker                               {baseline * 1000,8:0.0} ms");
        Console.WriteLine($"labels masker + high_variance_confounds     {hv * 1000,8:0.0} ms   ratio {hv / baseline:0.00}x");
        Console.WriteLine($"image.high_variance_confounds alone         {confounds * 1000,8:0.0} ms   ratio {confounds / baseline:0.00}x");
        Console.WriteLine($"peak managed memory with the option: {Measure.Mb(managed)} (one volume is {Measure.Mb(vol * 4L)}, the whole run {Measure.Mb(vol * 4L * 152)}); process peak RSS {Measure.Mb(process)}");
        return 0;
    }

    private static void ReadAll(string path)
    {
        using var f = Nifti.NiftiFile.Open(path);
        var volume = new double[f.VoxelsPerVolume];
        for (int t = 0; t < f.VolumeCount; t++) f.ReadVolume<double>(t, volume);
    }
}
