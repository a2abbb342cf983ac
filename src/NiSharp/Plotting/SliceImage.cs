using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using NiSharp.Nifti;
using SkiaSharp;

namespace NiSharp.Plotting;

/// <summary>
/// An image as the slice views (<see cref="BrainPlot"/>) read it: a float image, or an integer label image whose labels are
/// read as floats where they are sampled, never copied to a float image (an atlas on a BOLD grid is a megabyte of fresh
/// memory per page otherwise). What a view measures on the image — the extent of its non-zero voxels, its robust display
/// range — is measured once and kept, so views drawn over the same background (the pages of a run's atlases) share it.
/// The image must not change while views are drawn from it.
/// </summary>
public abstract class SliceImage
{
    private readonly ConcurrentDictionary<int, WorldBox?> _boxes = new();
    private readonly ConcurrentDictionary<int, (double Lo, double Hi)> _ranges = new();

    private protected SliceImage() { }

    /// <summary>A float image (anatomy, EPI, a statistical map, a float label image).</summary>
    public static SliceImage Of(Image<float> image) => new Typed<float>(image);

    /// <summary>An integer label image (an atlas), read without a float copy.</summary>
    public static SliceImage Of(Image<int> image) => new Typed<int>(image);

    /// <summary>The spatial shape (i, j, k).</summary>
    public abstract IReadOnlyList<int> SpatialShape { get; }

    /// <summary>Voxel to world (mm).</summary>
    public abstract Affine Affine { get; }

    /// <summary>Volumes (1 for a 3D image).</summary>
    public abstract int VolumeCount { get; }

    /// <summary>Whether this is a view of <paramref name="image"/>.</summary>
    public abstract bool Holds(object image);

    /// <summary>Throws the views' error for a volume out of range.</summary>
    internal void CheckVolume(int volume)
    {
        if (volume < 0 || volume >= VolumeCount)
            throw new NiSharpException($"volume {volume} is out of range: the image has {VolumeCount} volume(s)");
    }

    /// <summary><see cref="SliceGrid.Sample"/> of volume <paramref name="volume"/>.</summary>
    internal abstract void Sample(SliceGrid grid, int volume, SliceGrid.Interpolation interpolation, Span<float> destination);

    /// <summary><see cref="WorldBox.OfNonZero"/> of a volume, measured once.</summary>
    internal WorldBox? NonZeroBox(int volume) => _boxes.GetOrAdd(volume, NonZeroBoxOf);

    private protected abstract WorldBox? NonZeroBoxOf(int volume);

    /// <summary>The 2nd and 99.8th percentiles of a volume's non-zero finite values, measured once.</summary>
    internal (double Lo, double Hi) RobustRange(int volume) => _ranges.GetOrAdd(volume, RobustRangeOf);

    private protected abstract (double Lo, double Hi) RobustRangeOf(int volume);

    /// <summary>The largest |value| of a volume's finite values (0 when none).</summary>
    internal abstract double MaxAbs(int volume);

    /// <summary>The non-zero integer labels of a volume (values rounded), sorted.</summary>
    internal abstract IReadOnlyList<int> Labels(int volume);

    /// <summary>The voxel-index centre of mass (sums and weight) of the voxels <paramref name="colorize"/> draws, weighted by
    /// |value| when <paramref name="weighted"/>.</summary>
    internal abstract (double I, double J, double K, double W) Centre(int volume, Func<float, SKColor?> colorize, bool weighted);

    /// <summary>The <paramref name="k1"/>-th and <paramref name="k2"/>-th smallest (1-based) of finite values, exactly:
    /// a histogram of the top 16 bits of each value's order-preserving key finds the bucket that holds each rank, and only
    /// that bucket's values are sorted. One pass for the histogram and one per rank to gather its bucket; the values are not
    /// reordered (a selection moves them all).</summary>
    internal static (float, float) OrderStatistics(ReadOnlySpan<float> values, int k1, int k2)
    {
        const int Buckets = 1 << 16;
        var counts = ArrayPool<int>.Shared.Rent(Buckets);
        try
        {
            var hist = counts.AsSpan(0, Buckets);
            hist.Clear();
            foreach (var v in values) hist[(int)(Key(v) >> 16)]++;
            return (Kth(values, hist, k1), Kth(values, hist, k2));
        }
        finally { ArrayPool<int>.Shared.Return(counts); }

        // Floats ordered as unsigned integers: negatives flipped whole, positives with the sign bit set.
        static uint Key(float v)
        {
            uint b = BitConverter.SingleToUInt32Bits(v);
            return (b & 0x8000_0000u) != 0 ? ~b : b | 0x8000_0000u;
        }

        static float Kth(ReadOnlySpan<float> values, ReadOnlySpan<int> hist, int k)
        {
            int bucket = 0, below = 0;
            while (below + hist[bucket] < k) below += hist[bucket++];
            var inBucket = ArrayPool<float>.Shared.Rent(hist[bucket]);
            try
            {
                int c = 0;
                foreach (var v in values)
                    if ((int)(Key(v) >> 16) == bucket) inBucket[c++] = v;
                var span = inBucket.AsSpan(0, c);
                span.Sort();
                return span[k - below - 1];
            }
            finally { ArrayPool<float>.Shared.Return(inBucket); }
        }
    }

    private sealed class Typed<T> : SliceImage where T : unmanaged, INumber<T>
    {
        private readonly Image<T> _image;

        public Typed(Image<T> image) => _image = image;

        public override IReadOnlyList<int> SpatialShape => _image.SpatialShape;
        public override Affine Affine => _image.Affine;
        public override int VolumeCount => _image.VolumeCount;
        public override bool Holds(object image) => ReferenceEquals(image, _image);

        private ReadOnlySpan<T> Volume(int volume)
        {
            CheckVolume(volume);
            return _image.Volume(volume);
        }

        internal override void Sample(SliceGrid grid, int volume, SliceGrid.Interpolation interpolation, Span<float> destination) =>
            grid.Sample(Volume(volume), _image.SpatialShape, _image.Affine, interpolation, destination);

        private protected override WorldBox? NonZeroBoxOf(int volume) => WorldBox.OfNonZero(Volume(volume), _image.SpatialShape, _image.Affine);

        private protected override (double Lo, double Hi) RobustRangeOf(int volume)
        {
            var vol = Volume(volume);
            int count = 0;
            foreach (var x in vol)
            {
                float v = float.CreateTruncating(x);
                if (float.IsFinite(v) && v != 0) count++;
            }
            if (count == 0) return (0, 1);
            int stride = Math.Max(1, count / 200_000);
            var pooled = ArrayPool<float>.Shared.Rent((count + stride - 1) / stride);
            double lo, hi;
            try
            {
                int n = 0, m = 0;
                foreach (var x in vol)
                {
                    float v = float.CreateTruncating(x);
                    if (!float.IsFinite(v) || v == 0) continue;
                    if (n++ % stride == 0) pooled[m++] = v;
                }
                // Two order statistics (1-based ranks) of the sample: the page draws this for every subject.
                (lo, hi) = OrderStatistics(pooled.AsSpan(0, m), (int)((m - 1) * 0.02) + 1, (int)((m - 1) * 0.998) + 1);
            }
            finally { ArrayPool<float>.Shared.Return(pooled); }
            if (lo > 0 && lo < hi * 0.25) lo = 0; // anatomy: keep dark tissue dark rather than stretching it
            if (!(hi > lo))
            {
                // A constant image: show it at the top of the scale (a mask looks white, not black).
                if (hi > 0) lo = 0;
                else hi = lo + 1;
            }
            return (lo, hi);
        }

        internal override double MaxAbs(int volume)
        {
            double m = 0;
            foreach (var x in Volume(volume))
            {
                float v = float.CreateTruncating(x);
                if (float.IsFinite(v)) m = Math.Max(m, Math.Abs(v));
            }
            return m;
        }

        internal override IReadOnlyList<int> Labels(int volume)
        {
            var seen = new HashSet<int>();
            // A label image is runs of equal values: each run is looked at once, not each voxel.
            T last = T.Zero;
            foreach (var x in Volume(volume))
            {
                if (x == last) continue;
                last = x;
                float v = float.CreateTruncating(x);
                if (float.IsNaN(v)) continue;
                int id = (int)MathF.Round(v);
                if (id != 0) seen.Add(id);
            }
            return seen.Order().ToList();
        }

        internal override (double I, double J, double K, double W) Centre(int volume, Func<float, SKColor?> colorize, bool weighted)
        {
            var vol = _image.Volume(volume);
            var s = _image.SpatialShape;
            // Weighted, double sums; unweighted, the sums are of voxel indices and kept as integers (exact, as the double
            // sums would be below 2^53): an integer add a drawn voxel, and j and k added once a row.
            double wi = 0, wj = 0, wk = 0, w = 0;
            long si = 0, sj = 0, sk = 0, n = 0;
            int idx = 0;
            // Runs of equal values (a label image's regions, a mask) ask colorize once: it depends on the value only.
            bool known = false, drawn = false;
            T last = T.Zero;
            for (int k = 0; k < s[2]; k++)
            for (int j = 0; j < s[1]; j++)
            {
                long before = n;
                for (int i = 0; i < s[0]; i++, idx++)
                {
                    var x = vol[idx];
                    if (!known || x != last)
                    {
                        drawn = colorize(float.CreateTruncating(x)) is not null;
                        last = x;
                        known = true;
                    }
                    if (!drawn) continue;
                    if (weighted)
                    {
                        double weight = Math.Abs(float.CreateTruncating(x));
                        wi += weight * i; wj += weight * j; wk += weight * k; w += weight;
                    }
                    else
                    {
                        si += i;
                        n++;
                    }
                }
                sj += (n - before) * j;
                sk += (n - before) * k;
            }
            return weighted ? (wi, wj, wk, w) : (si, sj, sk, n);
        }
    }
}
