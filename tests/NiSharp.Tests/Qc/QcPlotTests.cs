using NiSharp.Qc;

namespace NiSharp.Tests.Qc;

/// <summary>The QC figures' numbers: the density curves integrate to 1, and binning many values changes them little.</summary>
public class QcPlotTests
{
    [Fact]
    public void Kernel_density_integrates_to_one_and_binned_matches_exact()
    {
        var rng = new Random(5);
        var values = Enumerable.Range(0, 6000).Select(_ => 0.3 * CorrelationTests.Gauss(rng)).ToArray();
        var at = Enumerable.Range(0, 801).Select(i => -2 + 4.0 * i / 800).ToArray();
        var binned = QcPlots.Density(values, at);                 // 6000 values: binned
        var exact = QcPlots.Density(values[..4000], at);          // 4000 values: exact
        double area = binned.Sum() * 4.0 / 800;
        Assert.Equal(1, area, 1e-3);
        Assert.Equal(1, exact.Sum() * 4.0 / 800, 1e-3);
        // Both estimate the same N(0, 0.3²) density: its peak is 1/(0.3·√(2π)) ≈ 1.33.
        Assert.InRange(binned.Max(), 1.2, 1.45);
        Assert.InRange(exact.Max(), 1.2, 1.45);
    }

    [Fact]
    public void Figures_render_with_nan_values_and_empty_series()
    {
        var fig = QcPlots.QcFcDistributions([("a", [0.1, -0.2, 0.3, double.NaN]), ("b", [])]);
        Assert.True(fig.ToPng().Length > 1000);
        var bars = QcPlots.StrategyBars("t", "y", ["a", "b"], [0.5, double.NaN]);
        Assert.Contains("<svg", bars.ToSvg());
        var dof = QcPlots.TdofLoss(["a", "b"], [(3, 0, 0), (30, 20, 5.5)], 148);
        Assert.True(dof.ToPng().Length > 1000);
        var scatter = QcPlots.DistanceScatter("s", [10, 20, double.NaN], [0.1, double.NaN, 0.3], double.NaN);
        Assert.True(scatter.ToPng().Length > 1000);
    }
}
