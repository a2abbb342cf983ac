using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Bench;

/// <summary>
/// clean_img of the lesson-sized run (65×77×49×152 float32 .nii.gz) inside a ~74 k-voxel brain mask with
/// 18 confounds, detrending, 0.009–0.08 Hz band-pass at TR 2 s and z-scoring — the lesson's call. Compared
/// with reading the run into the masked (T × V) matrix alone, in the same process. Target: under 1 s.
/// </summary>
public static class CleanBench
{
    public static int Run(string[] args)
    {
        var bold = LessonBold.Ensure();
        var dir = Path.GetDirectoryName(bold)!;
        var mask = EnsureMask(bold, Path.Combine(dir, "lesson_brain_mask.nii.gz"));
        var confounds = Confounds(152, 18);
        var options = new CleanOptions { Detrend = true, Standardize = StandardizeMethod.ZScoreSample, LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 };
        var output = Path.Combine(dir, "lesson_bold_clean.nii.gz");
        int voxels;
        using (var m = NiftiFile.Open(mask))
        {
            var v = new float[m.VoxelsPerVolume];
            m.ReadVolume<float>(0, v);
            voxels = v.Count(x => x != 0);
        }
        Console.WriteLine($"run {Path.GetFileName(bold)}: 65×77×49×152 float32, mask {voxels} voxels, 18 confounds, band-pass 0.009–0.08 Hz, TR 2 s, {Environment.ProcessorCount} cores");

        double read = Measure.BestSeconds(() => ReadMasked(bold, mask), 3);
        var matrix = ReadMasked(bold, mask);
        double compute = Measure.BestSeconds(() =>
        {
            var copy = new SignalMatrix<float>(matrix.Timepoints, matrix.Features, (float[])matrix.Data.Clone());
            var plans = SignalCleaner.Plan(copy.Timepoints, options, confounds, null, null, null);
            SignalCleaner.Run(plans[0].Plan, copy.Data, copy.Data, 0, copy.Features);
        }, 3);
        double write = Measure.BestSeconds(() => WriteOnly(bold, mask, output, matrix), 3);
        double endToEnd = Measure.BestSeconds(() => ImageCleaner.Clean(bold, output, options, mask, confounds), 3);
        var (managed, process) = Measure.PeakMemory(() => ImageCleaner.Clean(bold, output, options, mask, confounds));
        double uncompressedOut = Measure.BestSeconds(() => ImageCleaner.Clean(bold, output[..^3], options, mask, confounds), 3);

        Console.WriteLine($"read + mask only (baseline)      {read * 1000,8:0} ms");
        Console.WriteLine($"clean the (152 × {voxels}) matrix {compute * 1000,8:0} ms   (in memory, {voxels / compute / 1e6:0.0} M voxel series/s)");
        Console.WriteLine($"write the output .nii.gz only     {write * 1000,8:0} ms   (unmask + gzip level 'fastest', one thread)");
        Console.WriteLine($"clean_img .nii.gz → .nii.gz      {endToEnd * 1000,8:0} ms   = {endToEnd / (read + compute + write):0.00} × (read + clean + write); target < 1 s");
        Console.WriteLine($"clean_img .nii.gz → .nii         {uncompressedOut * 1000,8:0} ms");
        Console.WriteLine($"peak managed memory during clean_img: {Measure.Mb(managed)} (masked float32 series {Measure.Mb(4L * 152 * voxels)}, whole run {Measure.Mb(4L * 65 * 77 * 49 * 152)}); process peak RSS {Measure.Mb(process)}");
        File.Delete(output);
        File.Delete(output[..^3]);
        return 0;
    }

    private static void WriteOnly(string bold, string mask, string output, SignalMatrix<float> matrix)
    {
        using var m = NiftiFile.Open(mask);
        var mv = new float[m.VoxelsPerVolume];
        m.ReadVolume<float>(0, mv);
        var idx = Enumerable.Range(0, mv.Length).Where(i => mv[i] != 0).ToArray();
        using var f = NiftiFile.Open(bold);
        using var w = NiftiWriter.Create(output, f.Shape, f.Affine, NiftiDataType.Float32, f.Header);
        var vol = new float[f.VoxelsPerVolume];
        for (int t = 0; t < matrix.Timepoints; t++)
        {
            var row = matrix.Row(t);
            for (int i = 0; i < idx.Length; i++) vol[idx[i]] = row[i];
            w.WriteVolume<float>(vol);
        }
        w.Commit();
    }

    private static SignalMatrix<float> ReadMasked(string bold, string mask)
    {
        using var m = NiftiFile.Open(mask);
        var mv = new float[m.VoxelsPerVolume];
        m.ReadVolume<float>(0, mv);
        var idx = Enumerable.Range(0, mv.Length).Where(i => mv[i] != 0).ToArray();
        using var f = NiftiFile.Open(bold);
        var result = new SignalMatrix<float>(f.VolumeCount, idx.Length);
        var vol = new float[f.VoxelsPerVolume];
        for (int t = 0; t < f.VolumeCount; t++)
        {
            f.ReadVolume<float>(t, vol);
            var row = result.Row(t);
            for (int i = 0; i < idx.Length; i++) row[i] = vol[idx[i]];
        }
        return result;
    }

    // The brain of the generated run: its nonzero voxels.
    private static string EnsureMask(string bold, string path)
    {
        if (File.Exists(path)) return path;
        using var f = NiftiFile.Open(bold);
        var vol = new float[f.VoxelsPerVolume];
        f.ReadVolume<float>(0, vol);
        var mask = vol.Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
        new Image<byte>(f.SpatialShape, f.Affine, mask).Save(path);
        return path;
    }

    // 18 smooth random-walk regressors (motion-like), deterministic.
    private static SignalMatrix<double> Confounds(int n, int k)
    {
        var rng = new Random(7);
        var m = new SignalMatrix<double>(n, k);
        for (int j = 0; j < k; j++)
        {
            double v = 0;
            for (int t = 0; t < n; t++) { v += rng.NextDouble() - 0.5; m[t, j] = v; }
        }
        return m;
    }
}
