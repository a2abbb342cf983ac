using System.Diagnostics.CodeAnalysis;
using NiSharp.Imaging;

namespace NiSharp.Maskers;

/// <summary>
/// A masker's fits, one per data layout (a voxel grid, a set of grayordinates): computed on first use by one thread
/// (the others asking for the same layout wait for it instead of computing it again), then reused for every run with
/// that layout; beyond <c>capacity</c> layouts the oldest is forgotten (computed again if asked). Thread-safe.
/// </summary>
/// <remarks>TFit carries the annotation of <see cref="Lazy{T}"/>'s type parameter (whose factory-less constructor
/// creates a T by reflection) so that trimming keeps what it needs; the fits here always come from a factory.</remarks>
internal class LayoutFits<TLayout, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TFit>(Func<TLayout, TFit> compute, Func<TLayout, TLayout, bool> same, int capacity = int.MaxValue)
{
    private readonly object _gate = new();
    private readonly List<(TLayout Layout, Lazy<TFit> Fit)> _fits = [];

    /// <summary>The fit on <paramref name="layout"/> (any layout the same as it shares it).</summary>
    public TFit For(TLayout layout)
    {
        Lazy<TFit> fit;
        lock (_gate)
        {
            var found = _fits.FirstOrDefault(f => same(f.Layout, layout));
            if (found.Fit is null)
            {
                found = (layout, new Lazy<TFit>(() => compute(layout), LazyThreadSafetyMode.ExecutionAndPublication));
                _fits.Add(found);
                if (_fits.Count > capacity) _fits.RemoveAt(0);
            }
            fit = found.Fit;
        }
        return fit.Value;
    }
}

/// <summary>Fits per data grid: any grid with the same field of view shares one.</summary>
internal sealed class GridFits<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TFit>(Func<Grid, TFit> compute, int capacity = int.MaxValue)
    : LayoutFits<Grid, TFit>(compute, (a, b) => a.SameFieldOfView(b), capacity);
