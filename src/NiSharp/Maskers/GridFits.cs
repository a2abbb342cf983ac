using System.Diagnostics.CodeAnalysis;
using NiSharp.Imaging;

namespace NiSharp.Maskers;

/// <summary>
/// A masker's fits, one per data grid: computed on first use by one thread (the others asking for the same grid wait
/// for it instead of computing it again), then reused for every run on that grid. Thread-safe.
/// </summary>
/// <remarks>TFit carries the annotation of <see cref="Lazy{T}"/>'s type parameter (whose factory-less constructor
/// creates a T by reflection) so that trimming keeps what it needs; the fits here always come from a factory.</remarks>
internal sealed class GridFits<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TFit>(Func<Grid, TFit> compute)
{
    private readonly object _gate = new();
    private readonly List<(Grid Grid, Lazy<TFit> Fit)> _fits = [];

    /// <summary>The fit on <paramref name="grid"/> (any grid with the same field of view shares it).</summary>
    public TFit For(Grid grid)
    {
        Lazy<TFit> fit;
        lock (_gate)
        {
            var found = _fits.FirstOrDefault(f => f.Grid.SameFieldOfView(grid));
            if (found.Fit is null)
            {
                found = (grid, new Lazy<TFit>(() => compute(grid), LazyThreadSafetyMode.ExecutionAndPublication));
                _fits.Add(found);
            }
            fit = found.Fit;
        }
        return fit.Value;
    }
}
