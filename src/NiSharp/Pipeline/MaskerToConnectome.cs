using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;
using NiSharp.Maskers;

namespace NiSharp.Pipeline;

/// <summary>The one adapter between the maskers' output and the connectome layer (which knows no masker).</summary>
public static class MaskerToConnectome
{
    /// <summary>The region signals a masker returned as <see cref="RegionTimeSeries"/>: one region per column with its
    /// unique column name, label id and network. <paramref name="sourcePath"/> (the image they came from) names the
    /// subject in the connectome's error messages.</summary>
    public static RegionTimeSeries ToTimeSeries(this RegionSignals signals, string? sourcePath = null)
    {
        var v = signals.Values;
        var regions = signals.Regions.Select((r, j) => new Region(signals.ColumnNames[j], r.Id)).ToArray();
        return new RegionTimeSeries(regions, Matrix<double>.Build.Dense(v.Timepoints, v.Features, (t, j) => v[t, j]), sourcePath)
        {
            RegionNetworks = signals.Regions.Select(r => r.Network).ToArray(),
        };
    }
}
