using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Bench;

/// <summary>
/// Smooths the lesson-sized BOLD run (65×77×49×152 float32 .nii.gz) at FWHM 6 mm into a .nii.gz, against the
/// unavoidable part of that job measured in the same run: reading every volume and writing it back compressed
/// (decompress + recompress, no smoothing). Peak memory should stay a few volumes.
/// </summary>
public static class SmoothBench
{
    public static int Run(string[] args)
    {
        var path = LessonBold.Ensure();
        var dir = Path.Combine(Path.GetTempPath(), "nisharp-bench");
        var copy = Path.Combine(dir, "smooth_copy.nii.gz");
        var smoothed = Path.Combine(dir, "smooth_fwhm6.nii.gz");
        int vol = 65 * 77 * 49;

        double baseline = Measure.BestSeconds(() => Recompress(path, copy), repeats: 3);
        double smooth = Measure.BestSeconds(() => Smoothing.SmoothFile(path, smoothed, Fwhm.Of(6)), repeats: 3);
        double fast = Measure.BestSeconds(() => Smoothing.SmoothFile(path, smoothed, Fwhm.Fast), repeats: 3);
        var (managed, process) = Measure.PeakMemory(() => Smoothing.SmoothFile(path, smoothed, Fwhm.Of(6)));
        Console.WriteLine($"decompress + recompress   {baseline * 1000,8:0.0} ms");
        Console.WriteLine($"smooth fwhm 6 → .nii.gz   {smooth * 1000,8:0.0} ms   ratio {smooth / baseline:0.00}x");
        Console.WriteLine($"smooth fwhm fast          {fast * 1000,8:0.0} ms   ratio {fast / baseline:0.00}x");
        Console.WriteLine($"peak managed memory while smoothing: {Measure.Mb(managed)} (one volume is {Measure.Mb(vol * 4L)}, the whole run {Measure.Mb(vol * 4L * 152)}); process peak RSS {Measure.Mb(process)}");
        File.Delete(copy);
        File.Delete(smoothed);
        return 0;
    }

    private static void Recompress(string input, string output)
    {
        using var f = NiftiFile.Open(input);
        using var w = NiftiWriter.Create(output, f.Shape, f.Affine, NiftiDataType.Float32, f.Header);
        var volume = new float[f.VoxelsPerVolume];
        for (int t = 0; t < f.VolumeCount; t++)
        {
            f.ReadVolume<float>(t, volume);
            w.WriteVolume<float>(volume);
        }
        w.Commit();
    }
}
