using System.Numerics;
using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>
/// nilearn's <c>resample_to_img</c> / <c>resample_img</c> (0.10.4 semantics): put an image on another grid with
/// nearest, linear or continuous (cubic B-spline) interpolation, matching <c>scipy.ndimage.affine_transform</c>
/// with <c>mode='constant'</c>. 4D images are resampled volume by volume; files are streamed.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Same shape and (allclose) affine: the image is returned unchanged.</item>
/// <item>An identity matrix with an integer shift is a copy (nilearn's shortcut, unless <c>forceResample</c>):
/// the source is first cropped to where |value| &gt; 1e-8·max|value| (nilearn's <c>crop_img</c>) and the fill
/// value is not used. Unlike nilearn 0.10.4 the cropped block is placed at its shifted position even when part
/// of it falls outside the target (nilearn then copies the wrong part).</item>
/// <item><c>clip</c> limits the result to [min(data, 0), max(data, 0)] over the whole source; default false for
/// <see cref="ResampleToImage{T, TTarget}"/>, true for <see cref="ResampleImage{T}"/>, as in nilearn.</item>
/// <item>Non-finite source values (NaN, ±inf) are filled by nilearn's two-step extrapolation before
/// interpolating, and target voxels whose nearest source voxel is non-finite become NaN.</item>
/// <item>nearest keeps the datatype; nilearn casts signed integers to float for continuous interpolation
/// (use <see cref="Resample{TIn, TOut}"/> with a float output for that); other integer outputs are rounded as
/// scipy does.</item>
/// </list>
/// </remarks>
public static class Resampling
{
    /// <summary>nilearn <c>resample_to_img(source, target, interpolation)</c>: onto the target's grid (clip false by default).</summary>
    public static Image<T> ResampleToImage<T, TTarget>(Image<T> source, Image<TTarget> target, Interpolation interpolation = Interpolation.Continuous,
        bool clip = false, double fillValue = 0, bool forceResample = false)
        where T : unmanaged, INumber<T> where TTarget : unmanaged, INumber<TTarget> =>
        ResampleToGrid(source, Grid.Of(target), interpolation, clip, fillValue, forceResample);

    /// <summary>Resamples onto <paramref name="target"/> keeping the voxel type (clip false by default, like <c>resample_to_img</c>).</summary>
    public static Image<T> ResampleToGrid<T>(Image<T> source, Grid target, Interpolation interpolation = Interpolation.Continuous,
        bool clip = false, double fillValue = 0, bool forceResample = false) where T : unmanaged, INumber<T>
    {
        if (interpolation == Interpolation.Continuous && VoxelTypes.IsSignedInteger<T>() && !SameGrid(source, target))
            throw new NiSharpException($"continuous interpolation of {typeof(T).Name} data gives fractional values; nilearn casts such data to float: call Resampling.Resample<{typeof(T).Name}, float>(…) or load the image as float");
        return Resample<T, T>(source, target, interpolation, clip, fillValue, forceResample);
    }

    /// <summary>nilearn <c>resample_img(img, target_affine, target_shape, interpolation)</c> (clip true by default).</summary>
    public static Image<T> ResampleImage<T>(Image<T> source, Affine targetAffine, int[] targetShape, Interpolation interpolation = Interpolation.Continuous,
        bool clip = true, double fillValue = 0, bool forceResample = false) where T : unmanaged, INumber<T>
    {
        if (targetShape.Length != 3) throw new NiSharpException($"the target shape must have 3 dimensions, got {Image.ShapeText(targetShape)}");
        return ResampleToGrid(source, new Grid(targetShape, targetAffine), interpolation, clip, fillValue, forceResample);
    }

    /// <summary>The general form: source voxels <typeparamref name="TIn"/>, output voxels <typeparamref name="TOut"/>.</summary>
    public static Image<TOut> Resample<TIn, TOut>(Image<TIn> source, Grid target, Interpolation interpolation = Interpolation.Continuous,
        bool clip = false, double fillValue = 0, bool forceResample = false)
        where TIn : unmanaged, INumber<TIn> where TOut : unmanaged, INumber<TOut>
    {
        var srcGrid = Grid.Of(source);
        int nt = source.VolumeCount;
        var outShape = target.Shape.Concat(source.Shape.Skip(3)).ToArray();
        if (SameGrid(source, target))
        {
            var copy = new TOut[source.Data.Length];
            for (int i = 0; i < copy.Length; i++) copy[i] = TOut.CreateTruncating(source.Data[i]);
            return new Image<TOut>(outShape, source.Affine, copy, source.Header);
        }
        var kernel = new ResampleKernel(srcGrid, target, interpolation);
        bool needCrop = kernel.IsIntegerShift && !forceResample;
        // the range (clip) and the crop box (shift shortcut) need a pass over the whole source: only when used
        var stats = clip || needCrop ? SourceStats.Compute<TIn>(source.Data, srcGrid.VoxelCount, needCrop) : new SourceStats();
        var output = new TOut[(long)target.VoxelCount * nt];
        var work = new VolumeWork<TIn, TOut>(kernel, srcGrid, target, fillValue, forceResample, stats);
        for (int t = 0; t < nt; t++)
            work.Run(source.Volume(t), output.AsSpan(t * target.VoxelCount, target.VoxelCount));
        if (clip) Clip<TOut>(output, stats);
        return new Image<TOut>(outShape, target.Affine, output, source.Header);
    }

    /// <summary>
    /// The datatype nilearn gives the result: the source type, except signed integers with continuous
    /// interpolation become float (int64 → float64, smaller → float32).
    /// </summary>
    public static NiftiDataType OutputType(NiftiDataType source, Interpolation interpolation) =>
        interpolation == Interpolation.Continuous
            ? source switch
            {
                NiftiDataType.Int8 or NiftiDataType.Int16 or NiftiDataType.Int32 => NiftiDataType.Float32,
                NiftiDataType.Int64 => NiftiDataType.Float64,
                _ => source,
            }
            : source;

    /// <summary>
    /// Streams <paramref name="sourcePath"/> volume by volume onto <paramref name="target"/> and writes
    /// <paramref name="outputPath"/> (atomically), with nilearn's output datatype. Memory: a few volumes,
    /// whatever the number of volumes. The next volume is read while the current one is interpolated.
    /// </summary>
    public static void ResampleFile(string sourcePath, Grid target, string outputPath, Interpolation interpolation = Interpolation.Continuous,
        bool clip = false, double fillValue = 0, bool forceResample = false)
    {
        using var f = NiftiFile.Open(sourcePath);
        var inType = VoxelTypes.InMemoryType(f);
        var outType = OutputType(inType, interpolation);
        VoxelTypes.Dispatch(inType, new FileRunIn(f, target, outputPath, interpolation, clip, fillValue, forceResample, outType));
    }

    private sealed class FileRunIn(NiftiFile f, Grid target, string outputPath, Interpolation interpolation, bool clip, double fill, bool force, NiftiDataType outType)
        : IVoxelTypeFunc<bool>
    {
        public bool Invoke<TIn>() where TIn : unmanaged, INumber<TIn> =>
            VoxelTypes.Dispatch(outType, new FileRun<TIn>(f, target, outputPath, interpolation, clip, fill, force));
    }

    private sealed class FileRun<TIn>(NiftiFile f, Grid target, string outputPath, Interpolation interpolation, bool clip, double fill, bool force)
        : IVoxelTypeFunc<bool> where TIn : unmanaged, INumber<TIn>
    {
        public bool Invoke<TOut>() where TOut : unmanaged, INumber<TOut>
        {
            var srcGrid = Grid.Of(f);
            int nt = f.VolumeCount;
            int nIn = f.VoxelsPerVolume;
            bool same = srcGrid.Nx == target.Nx && srcGrid.Ny == target.Ny && srcGrid.Nz == target.Nz && srcGrid.Affine.AllClose(target.Affine);
            var outShape = target.Shape.Concat(f.Shape.Skip(3)).ToArray();
            var kernel = same ? null : new ResampleKernel(srcGrid, target, interpolation);
            bool needCrop = kernel is { IsIntegerShift: true } && !force;
            SourceStats? stats = null;
            if (!same && (clip || needCrop))
            {
                // nilearn clips to the range of the whole 4D source and crops over all volumes: one pass first.
                stats = new SourceStats();
                var buf = new TIn[nIn];
                for (int t = 0; t < nt; t++)
                {
                    f.ReadVolume<TIn>(t, buf);
                    stats.Add<TIn>(buf, srcGrid, needCrop);
                }
                stats.Finish(srcGrid, needCrop);
            }
            stats ??= new SourceStats();
            using var w = NiftiWriter.Create(outputPath, outShape, same ? f.Affine : target.Affine, NiftiDataTypes.For<TOut>(), f.Header);
            var work = same ? null : new VolumeWork<TIn, TOut>(kernel!, srcGrid, target, fill, force, stats);
            int nOut = same ? nIn : target.VoxelCount;
            // Three stages overlap: reading (and gunzipping) volume t+1, interpolating volume t, writing (gzipping)
            // volume t−1. Two input and two output buffers: memory stays at a few volumes.
            TIn[] current = new TIn[nIn], next = new TIn[nIn];
            TOut[] outVol = new TOut[nOut], spare = new TOut[nOut];
            if (nt > 0) f.ReadVolume<TIn>(0, current);
            Task? writing = null, reading = null;
            try
            {
                for (int t = 0; t < nt; t++)
                {
                    reading = null;
                    if (t + 1 < nt)
                    {
                        int tn = t + 1;
                        var nb = next;
                        reading = Task.Run(() => f.ReadVolume<TIn>(tn, nb));
                    }
                    if (same)
                    {
                        for (int i = 0; i < nIn; i++) outVol[i] = TOut.CreateTruncating(current[i]);
                    }
                    else
                    {
                        work!.Run(current, outVol);
                        if (clip) Clip<TOut>(outVol, stats);
                    }
                    writing?.GetAwaiter().GetResult();
                    var ready = outVol;
                    writing = Task.Run(() => w.WriteVolume<TOut>(ready));
                    (outVol, spare) = (spare, outVol);
                    if (reading is not null)
                    {
                        reading.GetAwaiter().GetResult();
                        (current, next) = (next, current);
                    }
                }
                writing?.GetAwaiter().GetResult();
            }
            catch
            {
                // let the background read and write finish before the file and the writer are disposed
                try { reading?.Wait(); } catch (AggregateException) { }
                try { writing?.Wait(); } catch (AggregateException) { }
                throw;
            }
            w.Commit();
            return true;
        }
    }

    private static bool SameGrid<T>(Image<T> source, Grid target) where T : unmanaged, INumber<T>
    {
        var g = Grid.Of(source);
        return g.Nx == target.Nx && g.Ny == target.Ny && g.Nz == target.Nz && g.Affine.AllClose(target.Affine);
    }

    private static void Clip<TOut>(Span<TOut> data, SourceStats stats) where TOut : unmanaged, INumber<TOut>
    {
        double lo = Math.Min(stats.Min, 0), hi = Math.Max(stats.Max, 0);
        if (double.IsNaN(lo) || double.IsNaN(hi)) return;
        var tlo = VoxelTypes.FromInterpolated<TOut>(lo);
        var thi = VoxelTypes.FromInterpolated<TOut>(hi);
        for (int i = 0; i < data.Length; i++)
        {
            var v = data[i];
            if (v < tlo) data[i] = tlo;
            else if (v > thi) data[i] = thi;
        }
    }

    /// <summary>What nilearn looks at in the whole source: the range (for clip) and the crop box (for the shift shortcut).</summary>
    internal sealed class SourceStats
    {
        public double Min = double.PositiveInfinity, Max = double.NegativeInfinity;
        private double _absMax;
        private bool[]? _anyAbove;
        private readonly List<double[]> _pending = [];
        /// <summary>Inclusive-exclusive crop box [x0,x1)×[y0,y1)×[z0,z1) of values above 1e-8·max|value|.</summary>
        public int X0, X1, Y0, Y1, Z0, Z1;

        public static SourceStats Compute<T>(T[] data, int voxelsPerVolume, bool needCrop) where T : unmanaged, INumber<T>
        {
            var s = new SourceStats();
            foreach (var v in data)
            {
                double d = double.CreateTruncating(v);
                if (double.IsNaN(d)) continue;
                if (d < s.Min) s.Min = d;
                if (d > s.Max) s.Max = d;
            }
            if (needCrop)
            {
                s._absMax = Math.Max(-s.Min, s.Max);
                double thr = 1e-8 * s._absMax;
                s._anyAbove = new bool[voxelsPerVolume];
                for (int i = 0; i < data.Length; i++)
                {
                    double d = double.CreateTruncating(data[i]);
                    if (d < -thr || d > thr) s._anyAbove[i % voxelsPerVolume] = true;
                }
            }
            return s;
        }

        /// <summary>Accumulates one volume of a streamed source.</summary>
        public void Add<T>(ReadOnlySpan<T> volume, Grid grid, bool needCrop) where T : unmanaged, INumber<T>
        {
            double mn = double.PositiveInfinity, mx = double.NegativeInfinity;
            foreach (var v in volume)
            {
                double d = double.CreateTruncating(v);
                if (double.IsNaN(d)) continue;
                if (d < mn) mn = d;
                if (d > mx) mx = d;
            }
            Min = Math.Min(Min, mn);
            Max = Math.Max(Max, mx);
            if (needCrop)
            {
                // The threshold needs the maximum over all volumes: keep |v| per voxel (max over time) until the end.
                var m = new double[volume.Length];
                for (int i = 0; i < volume.Length; i++) m[i] = Math.Abs(double.CreateTruncating(volume[i]));
                if (_pending.Count == 0) _pending.Add(m);
                else
                {
                    var acc = _pending[0];
                    for (int i = 0; i < m.Length; i++) if (m[i] > acc[i] || double.IsNaN(m[i])) acc[i] = m[i];
                }
            }
        }

        public void Finish(Grid grid, bool needCrop)
        {
            if (!needCrop) return;
            _absMax = Math.Max(-Min, Max);
            double thr = 1e-8 * _absMax;
            var acc = _pending[0];
            _anyAbove = new bool[acc.Length];
            for (int i = 0; i < acc.Length; i++) _anyAbove[i] = acc[i] > thr;
            _pending.Clear();
        }

        /// <summary>nilearn's <c>crop_img(pad=False)</c> box; the whole grid when nothing passes the threshold.</summary>
        public void ComputeBox(Grid grid)
        {
            int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz;
            X0 = nx; Y0 = ny; Z0 = nz; X1 = Y1 = Z1 = 0;
            if (_anyAbove is null) { X0 = Y0 = Z0 = 0; X1 = nx; Y1 = ny; Z1 = nz; return; }
            bool any = false;
            for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
            {
                if (!_anyAbove[i + nx * (j + ny * k)]) continue;
                any = true;
                if (i < X0) X0 = i; if (i + 1 > X1) X1 = i + 1;
                if (j < Y0) Y0 = j; if (j + 1 > Y1) Y1 = j + 1;
                if (k < Z0) Z0 = k; if (k + 1 > Z1) Z1 = k + 1;
            }
            if (!any) { X0 = Y0 = Z0 = 0; X1 = nx; Y1 = ny; Z1 = nz; }
        }
    }

    /// <summary>Resamples one volume at a time with reusable scratch memory.</summary>
    private sealed class VolumeWork<TIn, TOut>
        where TIn : unmanaged, INumber<TIn> where TOut : unmanaged, INumber<TOut>
    {
        private readonly ResampleKernel _k;
        private readonly Grid _src, _dst;
        private readonly double _fill;
        private readonly bool _shortcut;
        private readonly SourceStats _stats;
        private double[]? _coef;
        private bool[]? _bad;
        private byte[]? _badOut;

        public VolumeWork(ResampleKernel k, Grid src, Grid dst, double fill, bool force, SourceStats stats)
        {
            _k = k; _src = src; _dst = dst; _fill = fill; _stats = stats;
            _shortcut = k.IsIntegerShift && !force;
            if (_shortcut) stats.ComputeBox(src);
        }

        public void Run(ReadOnlySpan<TIn> src, Span<TOut> dst)
        {
            if (_shortcut) { ShiftCopy(src, dst); return; }
            bool hasBad = false;
            if (VoxelTypes.IsFloat<TIn>())
            {
                foreach (var v in src)
                    if (!double.IsFinite(double.CreateTruncating(v))) { hasBad = true; break; }
            }
            if (_k.Order == 0)
            {
                _k.Nearest(src, dst, _fill);
                if (hasBad && VoxelTypes.IsFloat<TOut>())
                {
                    // nilearn sets NaN where the nearest-resampled non-finite mask is true: ±inf becomes NaN too.
                    for (int i = 0; i < dst.Length; i++)
                        if (!double.IsFinite(double.CreateTruncating(dst[i]))) dst[i] = TOut.CreateTruncating(double.NaN);
                }
                return;
            }
            _coef ??= new double[_src.VoxelCount];
            var coef = _coef.AsSpan();
            for (int i = 0; i < coef.Length; i++) coef[i] = double.CreateTruncating(src[i]);
            if (hasBad)
            {
                _bad ??= new bool[coef.Length];
                var finite = new bool[coef.Length];
                for (int i = 0; i < coef.Length; i++)
                {
                    _bad[i] = !double.IsFinite(coef[i]);
                    finite[i] = !_bad[i];
                }
                Extrapolation.ExtrapolateOutMask(_coef, finite, _src.Nx, _src.Ny, _src.Nz, iterations: 2);
            }
            if (_k.Order == 3) SplineFilter.Prefilter3D(coef, _src.Nx, _src.Ny, _src.Nz);
            _k.Interpolate(coef, dst, _fill);
            if (hasBad && VoxelTypes.IsFloat<TOut>())
            {
                var mask = new byte[_src.VoxelCount];
                for (int i = 0; i < mask.Length; i++) mask[i] = _bad![i] ? (byte)1 : (byte)0;
                _badOut ??= new byte[_dst.VoxelCount];
                _k.Nearest<byte, byte>(mask, _badOut, 0);
                for (int i = 0; i < dst.Length; i++)
                    if (_badOut[i] != 0) dst[i] = TOut.CreateTruncating(double.NaN);
            }
        }

        private void ShiftCopy(ReadOnlySpan<TIn> src, Span<TOut> dst)
        {
            dst.Clear();
            var (bx, by, bz) = _k.Shift;
            var s = _stats;
            int nx = _src.Nx, ny = _src.Ny;
            int nxo = _dst.Nx, nyo = _dst.Ny, nzo = _dst.Nz;
            // output voxel o takes source voxel o + b, if that lies in the crop box
            int i0 = Math.Max(0, s.X0 - bx), i1 = Math.Min(nxo, s.X1 - bx);
            int j0 = Math.Max(0, s.Y0 - by), j1 = Math.Min(nyo, s.Y1 - by);
            int k0 = Math.Max(0, s.Z0 - bz), k1 = Math.Min(nzo, s.Z1 - bz);
            for (int k = k0; k < k1; k++)
            for (int j = j0; j < j1; j++)
            {
                int srow = nx * (j + by + ny * (k + bz)) + bx;
                int orow = nxo * (j + nyo * k);
                for (int i = i0; i < i1; i++) dst[orow + i] = TOut.CreateTruncating(src[srow + i]);
            }
        }
    }
}
