using System.Diagnostics;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Bench;

/// <summary>
/// Resampling as the lesson does it:
/// (1) nearest: the 1 mm 256³ Yeo atlas (LIA) onto the 65×77×49 3 mm BOLD grid — target &lt; 100 ms — against a naive
///     per-voxel loop (world coordinates through both affines, single thread) in the same run;
/// (2) continuous: a 65×77×49×152 float32 run streamed onto the 2 mm FSL MNI grid (91×109×91), file to file,
///     against the interpolation alone and the cost of gzipping that output, with peak memory;
/// (3) one volume onto an oblique 2 mm grid (the general 64-tap path).
/// </summary>
public static class ResampleBench
{
    private static readonly Grid BoldGrid = new(65, 77, 49, Affine.Diagonal(3, 3, 3, -96, -132, -78));

    public static int Run(string[] args)
    {
        NearestAtlas();
        ContinuousRun();
        return 0;
    }

    private static void NearestAtlas()
    {
        var atlas = Regions.LoadLabelImage(BundledData.PathOf(AtlasCatalog.Find("yeo7")!.ImageFile));
        Console.WriteLine($"nearest: yeo7 {atlas.ShapeText()} {atlas.Affine.AxisCodes} → {BoldGrid.Describe()}");
        Image<int>? result = null;
        double ours = Measure.BestSeconds(() => result = Resampling.ResampleToGrid(atlas, BoldGrid, Interpolation.Nearest), repeats: 10);
        int[]? naive = null;
        double baseline = Measure.BestSeconds(() => naive = Naive(atlas, BoldGrid), repeats: 3);
        bool same = naive!.AsSpan().SequenceEqual(result!.Data);
        Console.WriteLine($"  Resampling (parallel slabs)   {ours * 1000,8:0.00} ms   (target < 100 ms)");
        Console.WriteLine($"  naive per-voxel loop          {baseline * 1000,8:0.00} ms   ratio {baseline / ours:0.0}x; identical labels: {same}");
    }

    /// <summary>
    /// What scipy's affine_transform does for order 0, in one thread: for each target voxel, the source coordinate
    /// from the combined matrix, rounded, bounds-checked, copied.
    /// </summary>
    private static int[] Naive(Image<int> src, Grid target)
    {
        var m = src.Affine.Inverse() * target.Affine;
        var outp = new int[target.VoxelCount];
        int nx = src.SpatialShape[0], ny = src.SpatialShape[1], nz = src.SpatialShape[2];
        var data = src.Data;
        int o = 0;
        for (int k = 0; k < target.Nz; k++)
        for (int j = 0; j < target.Ny; j++)
        for (int i = 0; i < target.Nx; i++, o++)
        {
            var (a, b, c) = m.Apply(i, j, k);
            if (!(a >= 0 && b >= 0 && c >= 0 && a <= nx - 1 && b <= ny - 1 && c <= nz - 1)) continue;
            outp[o] = data[(int)Math.Floor(a + 0.5) + nx * ((int)Math.Floor(b + 0.5) + ny * (long)Math.Floor(c + 0.5))];
        }
        return outp;
    }

    private static void ContinuousRun()
    {
        var bold = LessonBold.Ensure();
        var mni2 = Grid.Of(Templates.PathOf("mni152-fsl-2mm"));
        var dir = Path.Combine(Path.GetTempPath(), "nisharp-bench");
        var outNii = Path.Combine(dir, "resampled_2mm.nii");
        var outGz = Path.Combine(dir, "resampled_2mm.nii.gz");
        var regz = Path.Combine(dir, "regzip_2mm.nii.gz");
        int nt;
        using (var f = NiftiFile.Open(bold)) nt = f.VolumeCount;
        Console.WriteLine($"continuous: {Path.GetFileName(bold)} (65, 77, 49, {nt}) → {mni2.Describe()}, cubic spline, {Environment.ProcessorCount} cores");

        var compute = Timed(() =>
        {
            using var f = NiftiFile.Open(bold);
            for (int t = 0; t < f.VolumeCount; t++) Resampling.ResampleToGrid(f.LoadVolume<float>(t), mni2, Interpolation.Continuous);
        });
        var toNii = Timed(() => Resampling.ResampleFile(bold, mni2, outNii, Interpolation.Continuous));
        var toGz = Timed(() => Resampling.ResampleFile(bold, mni2, outGz, Interpolation.Continuous));
        // the cost of compressing this very output: re-encode the uncompressed result (reading it is a copy)
        var gzip = Timed(() => IoFloor(outNii, regz));
        var (managed, process) = Measure.PeakMemory(() => Resampling.ResampleFile(bold, mni2, outGz, Interpolation.Continuous));
        long outBytes = (long)mni2.VoxelCount * nt * 4;
        Console.WriteLine($"  read + interpolate, no output      {compute.Wall,6:0.00} s wall {compute.Cpu,6:0.00} s CPU  ({compute.Wall / nt * 1000:0.0} ms per volume)");
        Console.WriteLine($"  ResampleFile → .nii (streamed)     {toNii.Wall,6:0.00} s wall {toNii.Cpu,6:0.00} s CPU  ({toNii.Wall / compute.Wall:0.00}x the compute alone)");
        Console.WriteLine($"  gzip of that output alone          {gzip.Wall,6:0.00} s wall {gzip.Cpu,6:0.00} s CPU  (I/O floor for a .nii.gz result)");
        Console.WriteLine($"  ResampleFile → .nii.gz (streamed)  {toGz.Wall,6:0.00} s wall {toGz.Cpu,6:0.00} s CPU  ({toGz.Wall / gzip.Wall:0.00}x the gzip floor; read, interpolation and gzip overlap)");
        Console.WriteLine($"  peak managed memory {Measure.Mb(managed)} (the output run is {Measure.Mb(outBytes)}, the input run {Measure.Mb(65L * 77 * 49 * nt * 4)}); process peak RSS {Measure.Mb(process)}");

        // the general (oblique) path for one volume, and the separable path for the same volume
        using var file = NiftiFile.Open(bold);
        var vol = file.LoadVolume<float>(0);
        double c = Math.Cos(0.1), s = Math.Sin(0.1);
        var oblique = new Grid(mni2.Nx, mni2.Ny, mni2.Nz, Affine.FromMatVec([2 * c, -2 * s, 0, 2 * s, 2 * c, 0, 0, 0, 2], [-90, -126, -72]));
        double sep = Measure.BestSeconds(() => Resampling.ResampleToGrid(vol, mni2, Interpolation.Continuous), repeats: 5);
        double gen = Measure.BestSeconds(() => Resampling.ResampleToGrid(vol, oblique, Interpolation.Continuous), repeats: 3);
        Console.WriteLine($"  one volume in memory: axis-aligned target {sep * 1000:0.0} ms (separable), oblique target {gen * 1000:0.0} ms (64 taps per voxel)");
        foreach (var p in new[] { outNii, outGz, regz }) File.Delete(p);
    }

    private static (double Wall, double Cpu) Timed(Action action)
    {
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        action();
        double wall = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        return (wall, (proc.TotalProcessorTime - cpu0).TotalSeconds);
    }

    /// <summary>Copies a 4D image volume by volume into a (gzip) file: the encoding cost of that output.</summary>
    private static void IoFloor(string input, string output)
    {
        using var f = NiftiFile.Open(input);
        using var w = NiftiWriter.Create(output, f.Shape, f.Affine, NiftiDataType.Float32, f.Header);
        var vol = new float[f.VoxelsPerVolume];
        for (int t = 0; t < f.VolumeCount; t++)
        {
            f.ReadVolume<float>(t, vol);
            w.WriteVolume<float>(vol);
        }
        w.Commit();
    }
}
