using System.Numerics;
using System.Numerics.Tensors;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Maskers;

/// <summary>
/// nilearn 0.10.4's <c>image.high_variance_confounds(imgs, n_confounds=5, percentile=2., detrend=True, mask_img=None)</c>:
/// <see cref="HighVarianceConfounds"/> on the voxel time series of a 4D image: the voxels inside <c>mask_img</c> when
/// one is given, otherwise every voxel of the image (zeros outside the brain included, as nilearn).
/// </summary>
/// <remarks>
/// Streaming, in two passes over the volumes instead of holding the 4D image (a 65×77×49×152 run is 150 MB in float32):
/// the first pass accumulates, per voxel, Σy, Σt·y and Σy² of y = x − x₀ (the voxel's first value, so the closed form
/// does not cancel catastrophically on BOLD intensities), which give the detrended sum of squares in closed form:
/// Σy² − (Σy)²/n − (Σ(t − t̄)y)²/Σ(t − t̄)². That selects the voxels above the percentile; the second pass keeps only
/// their series (2% of the voxels), which are then detrended exactly as nilearn's <c>_detrend</c> does before the
/// decomposition. Memory: four doubles per voxel plus the selected series. The selection agrees with nilearn's two-pass
/// variance except for a voxel within ~1e-12 (relative) of the threshold.
/// </remarks>
public static class HighVarianceImageConfounds
{
    /// <summary>The high-variance confounds of a 4D image file (streamed), optionally within <paramref name="maskImg"/>
    /// (on the image's grid, as nilearn's <c>apply_mask</c> requires).</summary>
    public static SignalMatrix<double> Compute(string path, Image<byte>? maskImg = null, int count = HighVarianceConfounds.DefaultCount,
        double percentile = HighVarianceConfounds.DefaultPercentile, bool detrend = true)
    {
        using var f = NiftiFile.Open(path);
        RegionExtraction.CheckData(f);
        var source = VolumeSource.Of(f);
        return Compute(source, 0, source.VolumeCount, Voxels(source, maskImg), count, percentile, detrend);
    }

    /// <summary>The high-variance confounds of a 4D image in memory, optionally within <paramref name="maskImg"/>.</summary>
    public static SignalMatrix<double> Compute<T>(Image<T> image, Image<byte>? maskImg = null, int count = HighVarianceConfounds.DefaultCount,
        double percentile = HighVarianceConfounds.DefaultPercentile, bool detrend = true) where T : unmanaged, INumber<T>
    {
        var source = VolumeSource.Of(image);
        return Compute(source, 0, source.VolumeCount, Voxels(source, maskImg), count, percentile, detrend);
    }

    /// <summary>The voxel indices inside <paramref name="maskImg"/>, or null for every voxel.</summary>
    private static int[]? Voxels(VolumeSource source, Image<byte>? maskImg)
    {
        if (maskImg is null) return null;
        if (!Grid.Of(maskImg).SameFieldOfView(source.Grid))
            throw Error(source, $"mask_img is on {Grid.Of(maskImg).Describe()}, not on the image's grid {source.Grid.Describe()}");
        var m = maskImg.Data.AsSpan(0, source.Grid.VoxelCount);
        var voxels = new List<int>();
        for (int v = 0; v < m.Length; v++) if (m[v] != 0) voxels.Add(v);
        if (voxels.Count == 0) throw Error(source, "mask_img is empty");
        return voxels.ToArray();
    }

    /// <summary>
    /// The confounds of volumes <paramref name="first"/> .. <paramref name="first"/>+<paramref name="n"/>-1 of
    /// <paramref name="source"/>, over <paramref name="voxels"/> (null: every voxel). Two passes, see the remarks.
    /// </summary>
    internal static SignalMatrix<double> Compute(VolumeSource source, int first, int n, int[]? voxels, int count, double percentile, bool detrend)
    {
        HighVarianceConfounds.Check(count, percentile);
        var sums = new HighVarianceSums(voxels, voxels?.Length ?? source.Grid.VoxelCount, n, detrend);
        source.ForEach<double>(first, n, (t, volume) => sums.Add(t - first, volume));
        return Finish(source, first, sums, count, percentile);
    }

    /// <summary>The second pass, after <paramref name="sums"/> has seen every volume: the selected voxels' series,
    /// nilearn's detrending of them, and the decomposition.</summary>
    internal static SignalMatrix<double> Finish(VolumeSource source, int first, HighVarianceSums sums, int count, double percentile)
    {
        int n = sums.Timepoints;
        var image = sums.SelectVoxels(percentile);
        int k = image.Length;
        if (k < count)
            throw Error(source, $"only {k} voxels are above the {100 - percentile:R}th variance percentile, fewer than the {count} confounds asked for");
        var kept = new double[(long)n * k];
        source.ForEach<double>(first, n, (t, volume) =>
        {
            var row = kept.AsSpan((t - first) * k, k);
            for (int j = 0; j < k; j++) row[j] = volume[image[j]];
        });
        if (sums.Detrend && n > 1) Detrending.RemoveLinearTrend(kept, k, single: false, new double[k + 1]);
        try
        {
            return HighVarianceConfounds.FromSelected(kept, n, k, count);
        }
        catch (NiSharpException e) when (e.FilePath is null && source.Path is not null)
        {
            throw e.InFile(source.Path);
        }
    }

    /// <summary>
    /// What nilearn's masker <c>transform</c> does with <c>high_variance_confounds=True</c>: the confounds of the image
    /// it is given (here: the volumes after the dummy volumes, which the caller of nilearn drops before), over every
    /// voxel (nilearn does not pass the masker's <c>mask_img</c>), stacked before the user's confounds. The sample mask
    /// then censors both, inside <c>signal.clean</c>. <paramref name="sums"/>: the first pass, when the caller's own pass
    /// over the volumes fed it (the masker's extraction pass), so that only the second pass is added.
    /// </summary>
    internal static MaskerInputs AddTo(MaskerInputs inputs, VolumeSource source, HighVarianceSums? sums = null)
    {
        int dummy = inputs.DummyScans, n = source.VolumeCount - dummy;
        var hv = sums is null
            ? Compute(source, dummy, n, null, HighVarianceConfounds.DefaultCount, HighVarianceConfounds.DefaultPercentile, detrend: true)
            : Finish(source, dummy, sums, HighVarianceConfounds.DefaultCount, HighVarianceConfounds.DefaultPercentile);
        var names = Enumerable.Range(1, hv.Features).Select(i => $"high_variance_confound_{i}").ToList();
        var user = inputs.Confounds;
        int width = hv.Features + (user?.Features ?? 0);
        var stacked = new SignalMatrix<double>(n, width);
        for (int t = 0; t < n; t++)
        {
            var row = stacked.Row(t);
            hv.Row(t).CopyTo(row);
            if (user is not null) user.Row(t).CopyTo(row[hv.Features..]);
        }
        if (user is not null) names.AddRange(inputs.ConfoundNames ?? Enumerable.Range(1, user.Features).Select(i => $"confound_{i}"));
        return inputs with { Confounds = stacked, ConfoundNames = names };
    }

    private static NiSharpException Error(VolumeSource source, string problem) =>
        source.Path is null ? new NiSharpException(problem) : new NiSharpException(source.Path, problem);
}

/// <summary>
/// The first pass of <see cref="HighVarianceImageConfounds"/>: per voxel, Σy, Σt·y and Σy² of y = x − x₀ (x₀ its first
/// value when detrending, else 0), which give each voxel's (detrended) sum of squares in closed form. Fed one volume at
/// a time, in order, by whichever pass reads the volumes. Memory: four doubles per voxel.
/// </summary>
internal sealed class HighVarianceSums
{
    private readonly int[]? _voxels;
    private readonly double[] _x0, _s1, _st, _s2, _y;

    /// <summary>Sums over <paramref name="voxels"/> (image indices; null: all <paramref name="count"/> voxels) for a
    /// series of <paramref name="timepoints"/> volumes.</summary>
    public HighVarianceSums(int[]? voxels, int count, int timepoints, bool detrend)
    {
        _voxels = voxels;
        Timepoints = timepoints;
        Detrend = detrend;
        _x0 = new double[count]; _s1 = new double[count]; _st = new double[count]; _s2 = new double[count]; _y = new double[count];
    }

    /// <summary>The number of volumes of the series.</summary>
    public int Timepoints { get; }

    /// <summary>Whether the series are detrended.</summary>
    public bool Detrend { get; }

    /// <summary>Adds volume <paramref name="t"/> (0-based within the series; volumes come in order).</summary>
    public void Add<T>(int t, ReadOnlySpan<T> volume) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = _y;
        // y = the voxels' values (gathered when masked) minus their first value, then the three sums, vectorised
        if (_voxels is null) TensorPrimitives.ConvertTruncating<T, double>(volume, y);
        else for (int i = 0; i < y.Length; i++) y[i] = double.CreateTruncating(volume[_voxels[i]]);
        // without detrending the sum of squares is of the raw values: no shift
        if (t == 0 && Detrend && Timepoints > 1) y.CopyTo(_x0);
        Accumulate(y, _x0, _s1, _st, _s2, t);
    }

    /// <summary>The three sums in one sweep over memory (one read of each array instead of one per operation: the sums
    /// of a 245,000-voxel grid do not fit in cache, so memory traffic is the cost).</summary>
    private static void Accumulate(ReadOnlySpan<double> x, ReadOnlySpan<double> x0, Span<double> s1, Span<double> st, Span<double> s2, double t)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<double>.Count;
            var vt = new Vector<double>(t);
            for (; i <= x.Length - w; i += w)
            {
                var y = new Vector<double>(x[i..]) - new Vector<double>(x0[i..]);
                (new Vector<double>(s1[i..]) + y).CopyTo(s1[i..]);
                (new Vector<double>(st[i..]) + vt * y).CopyTo(st[i..]);
                (new Vector<double>(s2[i..]) + y * y).CopyTo(s2[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            double y = x[i] - x0[i];
            s1[i] += y;
            st[i] += t * y;
            s2[i] += y * y;
        }
    }

    /// <summary>The image indices of the voxels whose sum of squares is above the <c>100 − percentile</c> percentile.</summary>
    public int[] SelectVoxels(double percentile)
    {
        int n = Timepoints;
        var sumSquares = new double[_s2.Length];
        if (Detrend && n > 1)
        {
            double tMean = (n - 1) / 2.0;
            double stt = n * ((double)n * n - 1) / 12.0; // Σ(t − t̄)²
            for (int i = 0; i < sumSquares.Length; i++)
            {
                double centredTrend = _st[i] - tMean * _s1[i];
                double ss = _s2[i] - _s1[i] * _s1[i] / n - centredTrend * centredTrend / stt;
                sumSquares[i] = ss < 0 ? 0 : ss; // rounding below zero for a flat series
            }
        }
        else _s2.CopyTo(sumSquares);
        var selected = HighVarianceConfounds.Select(sumSquares, percentile);
        return _voxels is null ? selected : selected.Select(j => _voxels[j]).ToArray();
    }
}
