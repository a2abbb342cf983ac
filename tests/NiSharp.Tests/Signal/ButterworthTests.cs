using System.Text.Json;
using CsCheck;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary>Filter design against scipy.signal.butter, filtfilt against nilearn's butterworth, and the
/// invariants of a zero-phase linear filter.</summary>
public class ButterworthTests
{
    public static TheoryData<string> Designs => new() { "band_0.009_0.08_tr2", "low_0.08_tr2", "high_0.009_tr2", "band_0.01_0.1_tr0.72", "low_at_nyquist_tr2" };

    [Theory]
    [MemberData(nameof(Designs))]
    public void Design_matches_scipy_butter(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("signal", "ref_butterworth_designs.json")));
        var d = doc.RootElement.GetProperty(name);
        double? N(string k) => d.GetProperty(k).ValueKind == JsonValueKind.Null ? null : d.GetProperty(k).GetDouble();
        double[] A(string k) => d.GetProperty(k).EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var warnings = new List<string>();
        var f = Butterworth.Design(N("low_pass"), N("high_pass"), 1 / N("t_r")!.Value, warnings: warnings)!;
        // Coefficients: same algorithm in float64 (complex products in a different order): 1e-13.
        Approx.Equal(A("b"), f.B.ToArray(), rtol: 1e-13, atol: 1e-16, what: "b");
        Approx.Equal(A("a"), f.A.ToArray(), rtol: 1e-13, atol: 0, what: "a");
        // lfilter_zi solves a system whose condition number reaches 1e13 (poles near z = 1). We refine the
        // solution to full precision: from scipy's b and a it matches the exact rational solution, while
        // scipy's own LU is off by up to 1e-4 relative in the worst design here.
        var fromScipy = new IirFilter(A("b"), A("a"));
        Approx.Equal(A("zi_exact"), fromScipy.InitialState.ToArray(), rtol: 1e-12, atol: 0, what: "zi");
        Approx.Equal(A("zi"), fromScipy.InitialState.ToArray(), rtol: 1e-4, atol: 0, what: "zi vs scipy");
        Assert.Equal(name == "low_at_nyquist_tr2", warnings.Any(w => w.Contains("Nyquist")));
    }

    [Fact]
    public void Band_pass_is_order_10_with_padding_33_and_low_pass_order_5_with_padding_18()
    {
        var band = Butterworth.Design(0.08, 0.009, 0.5)!;
        var low = Butterworth.Design(0.08, null, 0.5)!;
        Assert.Equal(11, band.Taps);
        Assert.Equal(33, band.PadLength);
        Assert.Equal(6, low.Taps);
        Assert.Equal(18, low.PadLength);
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("butterworth_direct")]
    public void Filtfilt_matches_nilearn_butterworth(string version)
    {
        // nilearn.signal.butterworth(signals, sampling_rate=0.5, low_pass=0.08, high_pass=0.009): a transfer function
        // and filtfilt up to 0.10, second-order sections and sosfiltfilt since 0.11. Tolerance: see CleanParityTests.
        var x = SignalFixtures.Signals;
        ZeroPhaseFilter f = version == TestPaths.V0_10_4 ? Butterworth.Design(0.08, 0.009, 0.5)! : Butterworth.DesignSections(0.08, 0.009, 0.5)!;
        var y = new SignalMatrix<double>(x.Timepoints, x.Features);
        for (int j = 0; j < x.Features; j++)
        {
            var col = x.Column(j);
            f.FiltFilt(col);
            for (int t = 0; t < col.Length; t++) y[t, j] = col[t];
        }
        var expected = SignalFixtures.Matrix(version, "out_butterworth_direct.npy").Data;
        if (version == TestPaths.V0_10_4) Approx.Equal(expected, y.Data, rtol: 0, atol: 5e-8, what: "butterworth_direct");
        else Approx.Equal(expected, y.Data, rtol: 1e-10, atol: 1e-10 * expected.Max(Math.Abs), what: "butterworth_direct");
    }

    [Theory]
    [InlineData(0.08, 0.009, 2.0, 5, 33)]
    [InlineData(0.08, null, 2.0, 3, 18)]
    [InlineData(null, 0.009, 2.0, 3, 18)]
    [InlineData(0.1, 0.01, 0.72, 5, 33)]
    public void Sections_are_the_same_filter_as_the_transfer_function(double? low, double? high, double tr, int sections, int padding)
    {
        var sos = Butterworth.DesignSections(low, high, 1 / tr)!;
        var ba = Butterworth.Design(low, high, 1 / tr)!;
        Assert.Equal(sections, sos.Sections);
        Assert.Equal(padding, sos.PadLength);
        Assert.Equal(ba.PadLength, sos.PadLength);
        // the frequency responses agree: multiply out the sections' polynomials and compare with b and a
        var b = new[] { 1.0 };
        var a = new[] { 1.0 };
        for (int s = 0; s < sections; s++)
        {
            b = Convolve(b, sos.Coefficients.Skip(6 * s).Take(3).ToArray());
            a = Convolve(a, sos.Coefficients.Skip(6 * s + 3).Take(3).ToArray());
        }
        Approx.Equal(ba.B.ToArray(), b.Take(ba.B.Count).ToArray(), 1e-9, 1e-14, "b");
        Approx.Equal(ba.A.ToArray(), a.Take(ba.A.Count).ToArray(), 1e-9, 1e-14, "a");
        Assert.All(b.Skip(ba.B.Count).Concat(a.Skip(ba.A.Count)), v => Assert.Equal(0, v, 12));
        // every section's poles lie inside the unit circle
        for (int s = 0; s < sections; s++) Assert.InRange(Math.Abs(sos.Coefficients[6 * s + 5]), 0, 1);
    }

    private static double[] Convolve(double[] x, double[] y)
    {
        var r = new double[x.Length + y.Length - 1];
        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < y.Length; j++) r[i + j] += x[i] * y[j];
        return r;
    }

    [Theory]
    [MemberData(nameof(Designs))]
    public void Sections_match_scipy_butter_sos(string name)
    {
        // scipy.signal.butter(5, wn, btype, output='sos', fs=1/t_r) and sosfilt_zi (scipy 1.10.1; 1.15 designs alike)
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("signal", "ref_butterworth_designs.json")));
        var d = doc.RootElement.GetProperty(name);
        double? N(string k) => d.GetProperty(k).ValueKind == JsonValueKind.Null ? null : d.GetProperty(k).GetDouble();
        var sos = Butterworth.DesignSections(N("low_pass"), N("high_pass"), 1 / N("t_r")!.Value)!;
        double[] A(string k) => d.GetProperty(k).EnumerateArray().SelectMany(e => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(v => v.GetDouble()) : [e.GetDouble()]).ToArray();
        Approx.Equal(A("sos"), sos.Coefficients.ToArray(), 1e-12, 1e-15, "sos");
        Approx.Equal(A("sos_zi"), sos.InitialState.ToArray(), 1e-10, 1e-14, "sosfilt_zi");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Filtering_columns_side_by_side_gives_the_same_bits_as_one_at_a_time(bool sections)
    {
        var x = SignalFixtures.Signals;
        ZeroPhaseFilter f = sections ? Butterworth.DesignSections(0.08, 0.009, 0.5)! : Butterworth.Design(0.08, 0.009, 0.5)!;
        var block = (double[])x.Data.Clone();
        f.FiltFiltBlock(block, x.Features, single: false, new double[(x.Timepoints + 2 * f.PadLength) * x.Features]);
        for (int j = 0; j < x.Features; j++)
        {
            var col = x.Column(j);
            f.FiltFilt(col);
            for (int t = 0; t < col.Length; t++) Assert.Equal(col[t], block[t * x.Features + j]);
        }
    }

    [Fact]
    public void Filtfilt_is_linear()
    {
        var f = Butterworth.Design(0.1, 0.01, 1 / 2.0)!;
        Gen.Select(Gen.Double[-100, 100].Array[80], Gen.Double[-100, 100].Array[80], Gen.Double[-3, 3]).Sample((x, y, a) =>
        {
            var fx = (double[])x.Clone(); f.FiltFilt(fx);
            var fy = (double[])y.Clone(); f.FiltFilt(fy);
            var combo = x.Zip(y, (u, v) => a * u + v).ToArray(); f.FiltFilt(combo);
            var expected = fx.Zip(fy, (u, v) => a * u + v).ToArray();
            Approx.Equal(expected, combo, 0, 1e-6, "linearity"); // values reach ~300; the ba recursion rounds at ~1e-8
        }, iter: 50);
    }

    [Fact]
    public void Filtfilt_has_zero_phase_its_impulse_response_is_symmetric()
    {
        foreach (var f in new[] { Butterworth.Design(0.08, 0.009, 0.5)!, Butterworth.Design(0.1, null, 0.5)!, Butterworth.Design(null, 0.05, 0.5)! })
        {
            // Long enough that the impulse response has died out before the edges.
            var x = new double[6001];
            x[3000] = 1;
            f.FiltFilt(x);
            for (int k = 1; k < 300; k++) Assert.Equal(x[3000 - k], x[3000 + k], 1e-10); // the ba recursion rounds at ~1e-11
            Assert.NotEqual(0, x[3000]);
        }
    }

    [Fact]
    public void A_constant_passes_a_low_pass_and_vanishes_through_a_band_pass()
    {
        var c = Enumerable.Repeat(7.5, 100).ToArray();
        var low = (double[])c.Clone(); Butterworth.Design(0.08, null, 0.5)!.FiltFilt(low);
        Approx.Equal(c, low, 1e-9, 0, "low-pass DC gain 1");
        var band = (double[])c.Clone(); Butterworth.Design(0.08, 0.009, 0.5)!.FiltFilt(band);
        Approx.Equal(new double[100], band, 0, 1e-8, "band-pass DC gain 0");
    }

    [Fact]
    public void Float32_series_are_filtered_in_float64_and_rounded_once()
    {
        var x = SignalFixtures.Signals.Column(0);
        var f = Butterworth.Design(0.08, 0.009, 0.5)!;
        var single = x.Select(v => (float)v).ToArray();
        f.FiltFilt(single.AsSpan());
        var viaDouble = single.Length == 0 ? [] : x.Select(v => (double)(float)v).ToArray();
        f.FiltFilt(viaDouble);
        // The odd extension is computed in float32 (as numpy does for float32 input), so allow float32 rounding.
        Approx.Equal(viaDouble, single.Select(v => (double)v).ToArray(), 1e-5, 1e-5, "float32");
    }

    [Fact]
    public void High_pass_at_or_above_low_pass_is_an_error()
    {
        var e = Assert.Throws<NiSharpException>(() => Butterworth.Design(0.01, 0.01, 0.5));
        Assert.Contains("high_pass (0.01 Hz) must be below low_pass (0.01 Hz)", e.Message);
    }

    [Fact]
    public void Both_cut_offs_above_Nyquist_leave_the_signals_unfiltered_with_a_warning()
    {
        var warnings = new List<string>();
        Assert.Null(Butterworth.Design(0.4, 0.3, 0.5, warnings: warnings));
        Assert.Contains(warnings, w => w.Contains("unfiltered"));
    }

    [Fact]
    public void Series_not_longer_than_the_padding_are_refused()
    {
        var f = Butterworth.Design(0.08, 0.009, 0.5)!;
        var e = Assert.Throws<NiSharpException>(() => f.FiltFilt(new double[33]));
        Assert.Contains("more than 33 timepoints", e.Message);
        f.FiltFilt(new double[34]);
    }
}
