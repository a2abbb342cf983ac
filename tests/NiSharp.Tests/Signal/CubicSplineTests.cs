using System.Text.Json;
using CsCheck;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary>Not-a-knot cubic splines against scipy.interpolate.CubicSpline, and the censored-volume
/// interpolation against nilearn's _interpolate_volumes fixture (boolean mask = every censored volume).</summary>
public class CubicSplineTests
{
    [Theory]
    [InlineData("two")]
    [InlineData("three")]
    [InlineData("five")]
    [InlineData("eight_uneven")]
    public void Spline_matches_scipy_CubicSpline(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("signal", "ref_cubic_splines.json")));
        var c = doc.RootElement.GetProperty(name);
        double[] A(string k) => c.GetProperty(k).EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble()).ToArray();
        var spline = new CubicSpline(A("x"));
        var at = A("at");
        var got = new double[at.Length];
        spline.Evaluate(A("y"), 1, at, got, extrapolate: true);
        Approx.Equal(A("extrapolate"), got, 1e-12, 1e-12, name);
        spline.Evaluate(A("y"), 1, at, got, extrapolate: false);
        Approx.Equal(A("no_extrapolate"), got, 1e-12, 1e-12, name + " (no extrapolation)");
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("signal_interpolate_volumes_quirk")]
    public void Every_censored_volume_is_interpolated_like_nilearn_with_a_boolean_mask(string version)
    {
        var x = SignalFixtures.Signals;
        var first4 = new SignalMatrix<double>(x.Timepoints, 4);
        for (int t = 0; t < x.Timepoints; t++) x.Row(t)[..4].CopyTo(first4.Row(t));
        var keep = SignalFixtures.SampleMask;
        Interpolate(first4, keep, quirk: false);
        Approx.Equal(SignalFixtures.Matrix(version, "out_interp_quirk_bool_mask.npy").Data, first4.Data, 1e-10, 1e-10, "bool mask");
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("signal_interpolate_volumes_quirk")]
    public void The_index_mask_quirk_leaves_censored_volumes_whose_mirror_is_censored(string version)
    {
        var x = SignalFixtures.Signals;
        var first4 = new SignalMatrix<double>(x.Timepoints, 4);
        for (int t = 0; t < x.Timepoints; t++) x.Row(t)[..4].CopyTo(first4.Row(t));
        Interpolate(first4, SignalFixtures.SampleMask, quirk: true);
        Approx.Equal(SignalFixtures.Matrix(version, "out_interp_quirk_index_mask.npy").Data, first4.Data, 1e-10, 1e-10, "index mask");
    }

    private static void Interpolate(SignalMatrix<double> m, int[] keep, bool quirk)
    {
        int n = m.Timepoints;
        var kept = new bool[n];
        foreach (var k in keep) kept[k] = true;
        var query = Enumerable.Range(0, n).Where(t => !kept[t] && (!quirk || kept[n - 1 - t])).ToArray();
        var spline = new CubicSpline(keep.Select(k => k * 2.0).ToArray());
        CleanPlan.Interpolate(m.Data, m.Features, spline, keep, query, query.Select(t => t * 2.0).ToArray(), extrapolate: true, single: false,
            new double[(keep.Length + query.Length) * m.Features]);
    }

    [Fact]
    public void Not_a_knot_splines_reproduce_cubic_polynomials()
    {
        var gen = Gen.Select(Gen.Double[-2, 2].Array[4], Gen.Double[0.2, 3].Array[4, 12]);
        gen.Sample((coef, steps) =>
        {
            var knots = new double[steps.Length + 1];
            for (int i = 0; i < steps.Length; i++) knots[i + 1] = knots[i] + steps[i];
            double P(double t) => ((coef[0] * t + coef[1]) * t + coef[2]) * t + coef[3];
            var spline = new CubicSpline(knots);
            var at = Enumerable.Range(0, 40).Select(i => -1 + (knots[^1] + 2) * i / 39.0).ToArray();
            var got = new double[at.Length];
            spline.Evaluate(knots.Select(P).ToArray(), 1, at, got, extrapolate: true);
            Approx.Equal(at.Select(P).ToArray(), got, 1e-8, 1e-8, "cubic");
        }, iter: 200);
    }

    [Fact]
    public void A_single_kept_volume_cannot_drive_an_interpolation()
    {
        var e = Assert.Throws<NiSharpException>(() => new CubicSpline([4.0]));
        Assert.Contains("at least 2 kept volumes", e.Message);
    }
}
