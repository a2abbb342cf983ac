using System.Collections.Concurrent;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Reports;
using NiSharp.Signal;

namespace NiSharp.Pipeline;

/// <summary>What a run asks of the labels masker.</summary>
internal sealed record RegionRequest(string BoldPath, string? MaskPath, int StartVolume, CleanOptions Clean,
    SignalMatrix<double>? Confounds, int[]? SampleMask);

/// <summary>Cleaned region signals of one run: one column per atlas label (empty labels as zero columns), the
/// coverage of each label, and the atlas on the data grid.</summary>
internal sealed record RegionSignals(IReadOnlyList<AtlasLabel> Labels, SignalMatrix<float> Signals,
    IReadOnlyList<RegionCoverage> Coverage, Image<int> AtlasOnGrid);

/// <summary>The labels masker as the pipeline uses it.</summary>
internal interface IRegionSignalSource
{
    RegionSignals Extract(RegionRequest request);
}

/// <summary>The masker the pipeline runs, and its parameters for the sidecars.</summary>
internal static class RegionExtraction
{
    /// <summary>The masker's parameters (they enter the parameters hash).</summary>
    public static Dictionary<string, object?> Parameters() => new(StringComparer.Ordinal)
    {
        ["strategy"] = "mean",
        ["resampling_target"] = "data",
        ["labels_interpolation"] = "nearest",
        ["mask_img"] = "the run's fMRIPrep brain mask",
        ["keep_empty"] = "zero",
    };

    /// <summary>A masker for <paramref name="atlas"/> (resampled once per data grid).</summary>
    public static IRegionSignalSource For(Atlas atlas) => new PlaceholderLabelsExtraction(atlas);
}

/// <summary>TEMPORARY stand-in for Maskers/LabelsMasker until it is merged: one streaming pass of mean per label
/// inside the mask, then <see cref="SignalCleaner"/>.</summary>
internal sealed class PlaceholderLabelsExtraction(Atlas atlas) : IRegionSignalSource
{
    private readonly ConcurrentDictionary<string, Image<int>> _resampled = new();

    public RegionSignals Extract(RegionRequest request)
    {
        using var bold = NiftiFile.Open(request.BoldPath);
        var grid = Grid.Of(bold);
        var labelsImage = _resampled.GetOrAdd(grid.Describe() + grid.Affine, _ => atlas.ResampleTo(grid).Image);
        var mask = request.MaskPath is null ? null : Masking.LoadMask(request.MaskPath);
        var labels = atlas.Labels.Regions;
        var column = new Dictionary<int, int>();
        for (int i = 0; i < labels.Count; i++) column[labels[i].Id] = i;
        int r = labels.Count;
        var atlasVoxels = new int[r];
        var covered = new int[r];
        var index = new List<(int Voxel, int Column)>();
        var data = labelsImage.Data;
        for (int v = 0; v < data.Length; v++)
        {
            if (data[v] == 0 || !column.TryGetValue(data[v], out int c)) continue;
            atlasVoxels[c]++;
            if (mask is not null && mask.Data[v] == 0) continue;
            covered[c]++;
            index.Add((v, c));
        }
        int nt = bold.VolumeCount - request.StartVolume;
        var signals = new SignalMatrix<float>(nt, r);
        var volume = new float[bold.VoxelsPerVolume];
        var sums = new double[r];
        for (int t = 0; t < nt; t++)
        {
            bold.ReadVolume<float>(request.StartVolume + t, volume);
            Array.Clear(sums);
            foreach (var (v, c) in index) sums[c] += float.IsFinite(volume[v]) ? volume[v] : 0;
            for (int c = 0; c < r; c++) signals[t, c] = covered[c] > 0 ? (float)(sums[c] / covered[c]) : 0;
        }
        var cleaned = SignalCleaner.Clean(signals, request.Clean, request.Confounds, request.SampleMask);
        var coverage = labels.Select((l, c) => new RegionCoverage(l.Id, l.Name, atlasVoxels[c], covered[c])).ToList();
        return new RegionSignals(labels, cleaned, coverage, labelsImage);
    }
}
