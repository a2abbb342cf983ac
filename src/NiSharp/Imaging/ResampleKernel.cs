using System.Buffers;
using System.Numerics;
using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>
/// One source grid mapped onto one target grid, as <c>scipy.ndimage.affine_transform</c> does it for nilearn:
/// output voxel o takes the source value at <c>A·o + b</c> where <c>[A b] = inv(source affine)·target affine</c>,
/// spline order 0/1/3, <c>mode='constant'</c> (a point outside [0, n−1] on any axis gets the fill value; inside,
/// spline coefficients beyond the edge are mirrored). A diagonal <c>A</c> takes scipy's <c>zoom_shift</c> path
/// (coordinates <c>(o + b/a)·a</c>), evaluated separably; any other <c>A</c> (oblique, permuted, flipped) takes the
/// general path. Work is split over slabs of output slices.
/// </summary>
internal sealed class ResampleKernel
{
    private readonly Grid _src, _dst;
    private readonly int _order;
    private readonly double[] _a = new double[9]; // row-major
    private readonly double[] _b = new double[3];

    public bool IsDiagonal { get; }

    /// <summary>A is the identity and b is integral: nilearn copies instead of interpolating.</summary>
    public bool IsIntegerShift { get; }

    /// <summary>The integer shift when <see cref="IsIntegerShift"/>.</summary>
    public (int X, int Y, int Z) Shift { get; }

    public int Order => _order;

    public ResampleKernel(Grid source, Grid target, Interpolation interpolation)
    {
        _src = source;
        _dst = target;
        _order = interpolation.Order();
        // nilearn: an identical affine gives an exact identity transform (its "small trick").
        Affine t = source.Affine.Equals(target.Affine) ? Affine.Identity : Inverse(source.Affine) * target.Affine;
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++) _a[r * 3 + c] = t[r, c];
            _b[r] = t[r, 3];
        }
        IsDiagonal = _a[1] == 0 && _a[2] == 0 && _a[3] == 0 && _a[5] == 0 && _a[6] == 0 && _a[7] == 0;
        IsIntegerShift = IsDiagonal && _a[0] == 1 && _a[4] == 1 && _a[8] == 1 &&
                         _b.All(v => v == Math.Round(v) && Math.Abs(v) < int.MaxValue / 2);
        if (IsIntegerShift) Shift = ((int)_b[0], (int)_b[1], (int)_b[2]);
    }

    /// <summary>scipy.linalg.inv's result, bit for bit (see <see cref="LapackInverse"/>).</summary>
    private static Affine Inverse(Affine m) => new(LapackInverse.Invert(m.Values));

    // ---------------- nearest ----------------

    /// <summary>Order 0: copies the nearest source voxel (or the fill value) into <paramref name="dst"/>.</summary>
    public void Nearest<TIn, TOut>(ReadOnlySpan<TIn> src, Span<TOut> dst, double fill)
        where TIn : unmanaged, INumber<TIn> where TOut : unmanaged, INumber<TOut>
    {
        var fillT = VoxelTypes.FromInterpolated<TOut>(fill);
        int nxo = _dst.Nx, nyo = _dst.Ny, nzo = _dst.Nz;
        int nx = _src.Nx, ny = _src.Ny;
        unsafe
        {
            fixed (TIn* ps = src)
            fixed (TOut* pd = dst)
            {
                var s = (nint)ps; var d = (nint)pd;
                if (IsDiagonal)
                {
                    var ix = AxisTable(0, 0); var iy = AxisTable(1, 0); var iz = AxisTable(2, 0);
                    Slabs(nzo, k =>
                    {
                        var sp = (TIn*)s; var dp = (TOut*)d;
                        int zk = iz.Start[k];
                        for (int j = 0; j < nyo; j++)
                        {
                            long o = (long)nxo * (j + (long)nyo * k);
                            int yj = iy.Start[j];
                            if (iz.Zero[k] || iy.Zero[j])
                            {
                                new Span<TOut>(dp + o, nxo).Fill(fillT);
                                continue;
                            }
                            long row = (long)nx * (yj + (long)ny * zk);
                            for (int i = 0; i < nxo; i++)
                                dp[o + i] = ix.Zero[i] ? fillT : Convert<TIn, TOut>(sp[row + ix.Start[i]]);
                        }
                    });
                }
                else
                {
                    Slabs(nzo, k =>
                    {
                        var sp = (TIn*)s; var dp = (TOut*)d;
                        for (int j = 0; j < nyo; j++)
                        {
                            long o = (long)nxo * (j + (long)nyo * k);
                            for (int i = 0; i < nxo; i++)
                            {
                                if (NearestIndex(i, j, k, out long idx)) dp[o + i] = Convert<TIn, TOut>(sp[idx]);
                                else dp[o + i] = fillT;
                            }
                        }
                    });
                }
            }
        }
    }

    /// <summary>
    /// Order 0's mapping alone, by the same rule as <see cref="Nearest{TIn, TOut}"/>: for every target voxel the linear
    /// index of its nearest source voxel, or −1 where <see cref="Nearest{TIn, TOut}"/> writes the fill value. Lets a
    /// label image be resampled while it is streamed (<see cref="StreamedNearest"/>).
    /// </summary>
    /// <remarks>Indices as int32: a streamed label image is read in int32 voxel counts (<see cref="Regions.StreamLabelImage"/>),
    /// and half the bytes of a map that a cold fit writes fresh.</remarks>
    public void NearestSourceIndices(Span<int> index)
    {
        int nxo = _dst.Nx, nyo = _dst.Ny, nzo = _dst.Nz;
        long nx = _src.Nx, ny = _src.Ny;
        if (nx * ny * _src.Nz > int.MaxValue) throw new ArgumentException("a source of more than 2³¹ voxels", nameof(index));
        if (IsDiagonal)
        {
            var ix = AxisTable(0, 0); var iy = AxisTable(1, 0); var iz = AxisTable(2, 0);
            for (int k = 0; k < nzo; k++)
            for (int j = 0; j < nyo; j++)
            {
                long o = (long)nxo * (j + (long)nyo * k);
                bool outside = iz.Zero[k] || iy.Zero[j];
                long row = nx * (iy.Start[j] + ny * iz.Start[k]);
                for (int i = 0; i < nxo; i++) index[(int)(o + i)] = outside || ix.Zero[i] ? -1 : (int)(row + ix.Start[i]);
            }
            return;
        }
        if (AxisOf() is { } axisOf)
        {
            // Each source axis follows one target axis (a permuted or flipped grid, as an LIA atlas on an RAS run): its
            // coordinate, scipy's general sum with the other two terms exactly zero, is tabulated along that axis once.
            var (offI, outI) = PermutedAxis(axisOf, 0, nxo);
            var (offJ, outJ) = PermutedAxis(axisOf, 1, nyo);
            var (offK, outK) = PermutedAxis(axisOf, 2, nzo);
            for (int k = 0; k < nzo; k++)
            for (int j = 0; j < nyo; j++)
            {
                int o = nxo * (j + nyo * k);
                var row = index.Slice(o, nxo);
                if (outK[k] || outJ[j]) { row.Fill(-1); continue; }
                long based = offJ[j] + offK[k];
                for (int i = 0; i < nxo; i++) row[i] = outI[i] ? -1 : (int)(based + offI[i]);
            }
            return;
        }
        for (int k = 0; k < nzo; k++)
        for (int j = 0; j < nyo; j++)
        {
            long o = (long)nxo * (j + (long)nyo * k);
            for (int i = 0; i < nxo; i++) index[(int)(o + i)] = NearestIndex(i, j, k, out long idx) ? (int)idx : -1;
        }
    }

    /// <summary>For each source axis, the one target axis its coordinate depends on, when every row of A has exactly one
    /// non-zero; else null.</summary>
    private int[]? AxisOf()
    {
        var axisOf = new int[3];
        for (int h = 0; h < 3; h++)
        {
            int found = 0;
            for (int l = 0; l < 3; l++)
                if (_a[h * 3 + l] != 0) { found++; axisOf[h] = l; }
            if (found != 1) return null;
        }
        return axisOf;
    }

    /// <summary>Along target axis <paramref name="l"/> (<paramref name="n"/> voxels): the part of the source's linear index
    /// that the source axes following it give, and whether the point leaves the source on one of them — as
    /// <see cref="NearestIndex"/> finds them, coordinate for coordinate.</summary>
    private (long[] Offset, bool[] Outside) PermutedAxis(int[] axisOf, int l, int n)
    {
        var offset = new long[n];
        var outside = new bool[n];
        long stride = 1;
        for (int h = 0; h < 3; h++)
        {
            int len = h == 0 ? _src.Nx : h == 1 ? _src.Ny : _src.Nz;
            if (axisOf[h] == l)
                for (int t = 0; t < n; t++)
                {
                    // Coordinate's sum with the other target coordinates at 0: their terms are ±0 either way.
                    double cc = Coordinate(h, l == 0 ? t : 0, l == 1 ? t : 0, l == 2 ? t : 0);
                    if (NearestAlong(cc, len, out long voxel)) offset[t] += stride * voxel;
                    else outside[t] = true;
                }
            stride *= len;
        }
        return (offset, outside);
    }

    private static TOut Convert<TIn, TOut>(TIn v) where TIn : unmanaged, INumber<TIn> where TOut : unmanaged, INumber<TOut>
    {
        if (typeof(TIn) == typeof(TOut)) return (TOut)(object)v;
        return VoxelTypes.FromInterpolated<TOut>(double.CreateTruncating(v));
    }

    /// <summary>Order 0 along one axis (scipy, <c>mode='constant'</c>): the voxel nearest to coordinate <paramref name="cc"/>,
    /// or false when it lies outside [0, <paramref name="len"/> − 1], where the fill value goes.</summary>
    private static bool NearestAlong(double cc, int len, out long voxel)
    {
        voxel = 0;
        if (!(cc >= 0 && cc <= len - 1)) return false;
        voxel = (long)Math.Floor(cc + 0.5);
        return true;
    }

    private bool NearestIndex(int i, int j, int k, out long index)
    {
        index = 0;
        long offset = 0, stride = 1;
        for (int h = 0; h < 3; h++)
        {
            double cc = Coordinate(h, i, j, k);
            int len = h == 0 ? _src.Nx : h == 1 ? _src.Ny : _src.Nz;
            if (!NearestAlong(cc, len, out long start)) return false;
            offset += stride * start;
            stride *= len;
        }
        index = offset;
        return true;
    }

    /// <summary>scipy's general path: <c>icoor[h] = Σ_l o[l]·A[h,l] + b[h]</c>, summed in this order.</summary>
    private double Coordinate(int h, int i, int j, int k)
    {
        double c = 0.0;
        c += i * _a[h * 3];
        c += j * _a[h * 3 + 1];
        c += k * _a[h * 3 + 2];
        c += _b[h];
        return c;
    }

    // ---------------- linear / cubic ----------------

    /// <summary>
    /// Orders 1 and 3 on coefficients (the source values for order 1, the prefiltered spline coefficients for
    /// order 3), writing <typeparamref name="TOut"/> with scipy's rounding.
    /// </summary>
    public void Interpolate<TOut>(ReadOnlySpan<double> coef, Span<TOut> dst, double fill) where TOut : unmanaged, INumber<TOut>
    {
        // An integer output rounds x.5 one way or the other, so there scipy's exact order of operations is kept;
        // float outputs use the faster factored sums (differences of a few ulps of double).
        if (!VoxelTypes.IsFloat<TOut>()) InterpolateExact(coef, dst, fill);
        else if (IsDiagonal) InterpolateSeparable(coef, dst, fill);
        else InterpolateGeneral(coef, dst, fill);
    }

    /// <summary>
    /// scipy's own summation: for each tap (x slowest, z fastest) <c>coeff·wx·wy·wz</c>, multiplied in that order,
    /// added in that order.
    /// </summary>
    private void InterpolateExact<TOut>(ReadOnlySpan<double> coef, Span<TOut> dst, double fill) where TOut : unmanaged, INumber<TOut>
    {
        var fillT = VoxelTypes.FromInterpolated<TOut>(fill);
        int nxo = _dst.Nx, nyo = _dst.Ny, nzo = _dst.Nz;
        int order = _order, taps = order + 1;
        int[] lens = [_src.Nx, _src.Ny, _src.Nz];
        long[] strides = [1, _src.Nx, (long)_src.Nx * _src.Ny];
        Axis? tx = null, ty = null, tz = null;
        if (IsDiagonal) { tx = AxisTable(0, _order); ty = AxisTable(1, _order); tz = AxisTable(2, _order); }
        unsafe
        {
            fixed (double* pc = coef)
            fixed (TOut* pd = dst)
            {
                var c = (nint)pc; var d = (nint)pd;
                Slabs(nzo, k =>
                {
                    var cp = (double*)c; var dp = (TOut*)d;
                    Span<long> off = stackalloc long[3 * 4];
                    Span<double> w = stackalloc double[3 * 4];
                    for (int j = 0; j < nyo; j++)
                    {
                        long o = (long)nxo * (j + (long)nyo * k);
                        for (int i = 0; i < nxo; i++)
                        {
                            bool inside = true;
                            for (int h = 0; h < 3 && inside; h++)
                            {
                                if (tx is not null)
                                {
                                    var t = h == 0 ? tx : h == 1 ? ty! : tz!;
                                    int q = h == 0 ? i : h == 1 ? j : k;
                                    if (t.Zero[q]) { inside = false; break; }
                                    for (int u = 0; u < taps; u++)
                                    {
                                        off[h * 4 + u] = t.Index[q * taps + u];
                                        w[h * 4 + u] = t.Weight[q * taps + u];
                                    }
                                }
                                else
                                {
                                    inside = AxisTaps(Coordinate(h, i, j, k), lens[h], order, off.Slice(h * 4, taps), w.Slice(h * 4, taps));
                                }
                                if (inside)
                                    for (int u = 0; u < taps; u++) off[h * 4 + u] *= strides[h];
                            }
                            if (!inside) { dp[o + i] = fillT; continue; }
                            double sum = 0;
                            for (int ax = 0; ax < taps; ax++)
                            for (int ay = 0; ay < taps; ay++)
                            for (int az = 0; az < taps; az++)
                            {
                                double coeff = cp[off[ax] + off[4 + ay] + off[8 + az]];
                                coeff *= w[ax];
                                coeff *= w[4 + ay];
                                coeff *= w[8 + az];
                                sum += coeff;
                            }
                            dp[o + i] = VoxelTypes.FromInterpolated<TOut>(sum);
                        }
                    }
                });
            }
        }
    }

    private void InterpolateGeneral<TOut>(ReadOnlySpan<double> coef, Span<TOut> dst, double fill) where TOut : unmanaged, INumber<TOut>
    {
        var fillT = VoxelTypes.FromInterpolated<TOut>(fill);
        int nxo = _dst.Nx, nyo = _dst.Ny, nzo = _dst.Nz;
        int order = _order, taps = order + 1;
        int[] lens = [_src.Nx, _src.Ny, _src.Nz];
        long[] strides = [1, _src.Nx, (long)_src.Nx * _src.Ny];
        unsafe
        {
            fixed (double* pc = coef)
            fixed (TOut* pd = dst)
            {
                var c = (nint)pc; var d = (nint)pd;
                Slabs(nzo, k =>
                {
                    var cp = (double*)c; var dp = (TOut*)d;
                    // per-axis offsets (already multiplied by the axis stride) and weights
                    Span<long> off = stackalloc long[3 * 4];
                    Span<double> w = stackalloc double[3 * 4];
                    for (int j = 0; j < nyo; j++)
                    {
                        long o = (long)nxo * (j + (long)nyo * k);
                        for (int i = 0; i < nxo; i++)
                        {
                            bool inside = true;
                            for (int h = 0; h < 3 && inside; h++)
                            {
                                double cc = Coordinate(h, i, j, k);
                                inside = AxisTaps(cc, lens[h], order, off.Slice(h * 4, taps), w.Slice(h * 4, taps));
                                if (inside)
                                    for (int t = 0; t < taps; t++) off[h * 4 + t] *= strides[h];
                            }
                            if (!inside) { dp[o + i] = fillT; continue; }
                            double sum = 0;
                            for (int cz = 0; cz < taps; cz++)
                            {
                                double sy = 0;
                                for (int cy = 0; cy < taps; cy++)
                                {
                                    long baseIdx = off[8 + cz] + off[4 + cy];
                                    double sx = 0;
                                    for (int cx = 0; cx < taps; cx++) sx += cp[baseIdx + off[cx]] * w[cx];
                                    sy += sx * w[4 + cy];
                                }
                                sum += sy * w[8 + cz];
                            }
                            dp[o + i] = VoxelTypes.FromInterpolated<TOut>(sum);
                        }
                    }
                });
            }
        }
    }

    /// <summary>
    /// The source indices (mirrored at the edges, as scipy's spline boundary) and weights of the
    /// <c>order+1</c> taps at coordinate <paramref name="cc"/>; false when the point lies outside [0, len−1].
    /// </summary>
    private static bool AxisTaps(double cc, int len, int order, Span<long> index, Span<double> weights)
    {
        if (!(cc >= 0 && cc <= len - 1)) return false;
        long start = (order & 1) == 1 ? (long)Math.Floor(cc) - order / 2 : (long)Math.Floor(cc + 0.5) - order / 2;
        for (int t = 0; t <= order; t++) index[t] = Mirror(start + t, len);
        SplineWeights(cc, order, weights);
        return true;
    }

    /// <summary>scipy's whole-sample mirror of an integer index into [0, len).</summary>
    internal static long Mirror(long idx, int len)
    {
        if (len <= 1) return 0;
        long s2 = 2L * len - 2;
        if (idx < 0)
        {
            idx = s2 * (-idx / s2) + idx;
            idx = idx <= 1 - len ? idx + s2 : -idx;
        }
        else if (idx > len - 1)
        {
            idx -= s2 * (idx / s2);
            if (idx >= len) idx = s2 - idx;
        }
        return idx;
    }

    /// <summary>scipy's <c>get_spline_interpolation_weights</c> for orders 0, 1 and 3.</summary>
    internal static void SplineWeights(double x, int order, Span<double> w)
    {
        if (order == 0) { w[0] = 1; return; }
        x -= Math.Floor((order & 1) == 1 ? x : x + 0.5);
        if (order == 1)
        {
            w[0] = 1.0 - x;
        }
        else if (order == 3)
        {
            double y = x, z = 1.0 - x;
            w[1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
            w[2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
            w[0] = z * z * z / 6.0;
        }
        else throw new ArgumentOutOfRangeException(nameof(order), "spline order must be 0, 1 or 3");
        // all weights add up to 1; scipy sets the last one from the others
        w[order] = 1.0;
        for (int i = 0; i < order; i++) w[order] -= w[i];
    }

    /// <summary>Per-axis lookup for scipy's zoom_shift path: coordinate <c>(o + b/a)·a</c> for each output index.</summary>
    private sealed class Axis
    {
        public required bool[] Zero { get; init; }
        public required int[] Start { get; init; }      // nearest: the index; splines: unused
        public required int[] Index { get; init; }      // splines: (order+1) mirrored indices per output index
        public required double[] Weight { get; init; }  // splines: (order+1) weights per output index
    }

    private Axis AxisTable(int h, int order)
    {
        int n = h == 0 ? _dst.Nx : h == 1 ? _dst.Ny : _dst.Nz;
        int len = h == 0 ? _src.Nx : h == 1 ? _src.Ny : _src.Nz;
        double zoom = _a[h * 3 + h];
        double shift = _b[h] / zoom; // affine_transform passes offset/matrix as zoom_shift's shift
        int taps = order + 1;
        var zero = new bool[n];
        var start = new int[n];
        var index = new int[n * taps];
        var weight = new double[n * taps];
        Span<long> idx = stackalloc long[4];
        for (int k = 0; k < n; k++)
        {
            double cc = k;
            cc += shift;
            cc *= zoom;
            if (order == 0)
            {
                if (!NearestAlong(cc, len, out long voxel)) { zero[k] = true; continue; }
                start[k] = (int)voxel;
                index[k] = start[k];
                weight[k] = 1;
            }
            else if (!AxisTaps(cc, len, order, idx[..taps], weight.AsSpan(k * taps, taps)))
            {
                zero[k] = true;
            }
            else
            {
                for (int t = 0; t < taps; t++) index[k * taps + t] = (int)idx[t];
            }
        }
        return new Axis { Zero = zero, Start = start, Index = index, Weight = weight };
    }

    private void InterpolateSeparable<TOut>(ReadOnlySpan<double> coef, Span<TOut> dst, double fill) where TOut : unmanaged, INumber<TOut>
    {
        var fillT = VoxelTypes.FromInterpolated<TOut>(fill);
        int taps = _order + 1;
        var ax = AxisTable(0, _order); var ay = AxisTable(1, _order); var az = AxisTable(2, _order);
        int nx = _src.Nx, ny = _src.Ny, nz = _src.Nz;
        int nxo = _dst.Nx, nyo = _dst.Ny, nzo = _dst.Nz;
        // Only the source z-planes some output slice needs are interpolated along x and y.
        var zUsed = new bool[nz];
        for (int k = 0; k < nzo; k++)
            if (!az.Zero[k]) for (int t = 0; t < taps; t++) zUsed[az.Index[k * taps + t]] = true;
        long planeX = (long)nxo * ny;   // after the x pass: nxo × ny per source plane
        long planeXY = (long)nxo * nyo; // after the y pass: nxo × nyo per source plane
        var t2 = ArrayPool<double>.Shared.Rent((int)(planeXY * nz));
        try
        {
            unsafe
            {
                fixed (double* pc = coef)
                fixed (double* p2 = t2)
                fixed (TOut* pd = dst)
                {
                    var c = (nint)pc; var q2 = (nint)p2; var d = (nint)pd;
                    // x then y, one source plane at a time
                    Slabs(nz, z =>
                    {
                        if (!zUsed[z]) return;
                        var cp = (double*)c; var t2p = (double*)q2;
                        var t1 = ArrayPool<double>.Shared.Rent((int)planeX);
                        try
                        {
                            for (int y = 0; y < ny; y++)
                            {
                                double* line = cp + (long)nx * (y + (long)ny * z);
                                int o1 = nxo * y;
                                for (int i = 0; i < nxo; i++)
                                {
                                    if (ax.Zero[i]) { t1[o1 + i] = 0; continue; }
                                    double s = 0;
                                    int b = i * taps;
                                    for (int t = 0; t < taps; t++) s += line[ax.Index[b + t]] * ax.Weight[b + t];
                                    t1[o1 + i] = s;
                                }
                            }
                            double* plane = t2p + planeXY * z;
                            for (int j = 0; j < nyo; j++)
                            {
                                var row = new Span<double>(plane + (long)nxo * j, nxo);
                                if (ay.Zero[j]) { row.Clear(); continue; }
                                int b = j * taps;
                                var r0 = t1.AsSpan(nxo * ay.Index[b], nxo);
                                double w0 = ay.Weight[b];
                                for (int i = 0; i < nxo; i++) row[i] = r0[i] * w0;
                                for (int t = 1; t < taps; t++)
                                {
                                    var rt = t1.AsSpan(nxo * ay.Index[b + t], nxo);
                                    double wt = ay.Weight[b + t];
                                    for (int i = 0; i < nxo; i++) row[i] += rt[i] * wt;
                                }
                            }
                        }
                        finally { ArrayPool<double>.Shared.Return(t1); }
                    });
                    // z, one output slice at a time
                    Slabs(nzo, k =>
                    {
                        var t2p = (double*)q2; var dp = (TOut*)d;
                        long o = planeXY * k;
                        if (az.Zero[k])
                        {
                            new Span<TOut>(dp + o, (int)planeXY).Fill(fillT);
                            return;
                        }
                        int b = k * taps;
                        var acc = ArrayPool<double>.Shared.Rent((int)planeXY);
                        try
                        {
                            var a = acc.AsSpan(0, (int)planeXY);
                            var p0 = new ReadOnlySpan<double>(t2p + planeXY * az.Index[b], (int)planeXY);
                            double w0 = az.Weight[b];
                            for (int i = 0; i < a.Length; i++) a[i] = p0[i] * w0;
                            for (int t = 1; t < taps; t++)
                            {
                                var pt = new ReadOnlySpan<double>(t2p + planeXY * az.Index[b + t], (int)planeXY);
                                double wt = az.Weight[b + t];
                                for (int i = 0; i < a.Length; i++) a[i] += pt[i] * wt;
                            }
                            for (int j = 0; j < nyo; j++)
                            {
                                long row = (long)nxo * j;
                                bool zeroRow = ay.Zero[j];
                                for (int i = 0; i < nxo; i++)
                                    dp[o + row + i] = zeroRow || ax.Zero[i] ? fillT : VoxelTypes.FromInterpolated<TOut>(a[(int)row + i]);
                            }
                        }
                        finally { ArrayPool<double>.Shared.Return(acc); }
                    });
                }
            }
        }
        finally { ArrayPool<double>.Shared.Return(t2); }
    }

    /// <summary>Runs <paramref name="body"/> for every slice index, in parallel slabs when the work is large enough.</summary>
    private static void Slabs(int count, Action<int> body)
    {
        if (count < 4) { for (int i = 0; i < count; i++) body(i); return; }
        Parallel.For(0, count, body);
    }
}
