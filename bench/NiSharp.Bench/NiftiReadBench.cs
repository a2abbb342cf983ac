using System.IO.Compression;
using NiSharp.Nifti;

namespace NiSharp.Bench;

/// <summary>
/// Reads a lesson-sized BOLD run (65×77×49×152 float32 .nii.gz) volume by volume and compares it with
/// plain decompression of the same file to nowhere. Target: ≤ 1.2×, peak memory a few volumes.
/// </summary>
public static class NiftiReadBench
{
    public static int Run(string[] args)
    {
        var path = LessonBold.Ensure();
        var size = new FileInfo(path).Length;
        using (var f = NiftiFile.Open(path))
            Console.WriteLine($"file {path}: {Image.ShapeText(f.Shape)} {f.DataType.NumpyName()}, {Measure.Mb(size)} compressed");

        double decompress = Measure.BestSeconds(() => DecompressToNowhere(path));
        double read = Measure.BestSeconds(() => ReadVolumes(path));
        var (managed, process) = Measure.PeakMemory(() => ReadVolumes(path));
        int vol = 65 * 77 * 49;
        Console.WriteLine($"decompress only       {decompress * 1000,8:0.0} ms");
        Console.WriteLine($"NiftiFile.ReadVolume  {read * 1000,8:0.0} ms   ratio {read / decompress:0.00}x (target <= 1.2x)");
        Console.WriteLine($"peak managed memory during the read: {Measure.Mb(managed)} (one volume is {Measure.Mb(vol * 4L)}, the whole run {Measure.Mb(vol * 4L * 152)}); process peak RSS {Measure.Mb(process)}");
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

/// <summary>A generated 65×77×49×152 float32 run at TR 2 s (the lesson's BOLD size), cached in the temp folder.</summary>
public static class LessonBold
{
    public static string Ensure()
    {
        var path = Path.Combine(Path.GetTempPath(), "nisharp-bench", "lesson_bold_65x77x49x152.nii.gz");
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int nx = 65, ny = 77, nz = 49, nt = 152;
        var rng = new Random(42);
        var affine = Affine.Diagonal(3, 3, 3.000000, -96, -132, -78);
        var header = new NiftiHeader { Pixdim = [1, 3, 3, 3, 2, 1, 1, 1], XyztUnits = 2 | 8 };
        using var w = NiftiWriter.Create(path, [nx, ny, nz, nt], affine, NiftiDataType.Float32, header);
        var vol = new float[nx * ny * nz];
        var baseline = new float[vol.Length];
        for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
        {
            double dx = (i - nx / 2.0) / (nx / 2.4), dy = (j - ny / 2.0) / (ny / 2.4), dz = (k - nz / 2.0) / (nz / 2.4);
            bool brain = dx * dx + dy * dy + dz * dz < 1;
            baseline[i + nx * (j + ny * k)] = brain ? 800f + 200f * (float)Math.Sin(i * 0.3) * (float)Math.Cos(j * 0.2) : 0f;
        }
        for (int t = 0; t < nt; t++)
        {
            for (int v = 0; v < vol.Length; v++)
                vol[v] = baseline[v] == 0 ? 0 : baseline[v] + (float)(rng.NextDouble() * 20 - 10);
            w.WriteVolume<float>(vol);
        }
        w.Commit();
        return path;
    }
}
