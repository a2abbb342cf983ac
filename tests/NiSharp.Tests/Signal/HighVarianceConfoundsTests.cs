using System.Text.Json;
using CsCheck;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary>nilearn 0.10.4's <c>signal.high_variance_confounds</c> and <c>image.high_variance_confounds</c> against a
/// float64 re-implementation (fixtures README), compared up to each vector's sign.</summary>
public class HighVarianceConfoundsTests
{
    internal static string F(string name) => TestPaths.Fixture("hvconfounds", name);

    private static JsonElement Case(string name) => JsonDocument.Parse(File.ReadAllText(F("cases.json"))).RootElement.GetProperty(name);

    /// <summary>Each column equal to the reference's, up to its sign, to <paramref name="atol"/>.</summary>
    internal static void EqualUpToSign(NpyArray expected, SignalMatrix<double> actual, double atol)
    {
        Assert.Equal(expected.Shape, new[] { actual.Timepoints, actual.Features });
        for (int c = 0; c < actual.Features; c++)
        {
            var e = Enumerable.Range(0, actual.Timepoints).Select(t => expected[t, c]).ToArray();
            var a = actual.Column(c);
            double dot = e.Zip(a, (x, y) => x * y).Sum();
            if (dot < 0) a = a.Select(v => -v).ToArray();
            Approx.Equal(e, a, 0, atol, $"confound {c}");
        }
    }

    private static SignalMatrix<double> Series(string name)
    {
        var x = NpyArray.Load(F(name));
        return new SignalMatrix<double>(x.Rows, x.Cols, x.Data);
    }

    [Theory]
    [InlineData("series_default")]
    [InlineData("series_nodetrend")]
    public void Signal_level_matches_nilearn(string name)
    {
        var c = Case(name);
        var input = Series(name + "_in.npy");
        var before = input.Data.ToArray();
        var u = HighVarianceConfounds.Compute(input, c.GetProperty("n_confounds").GetInt32(), c.GetProperty("percentile").GetDouble(),
            c.GetProperty("detrend").GetBoolean());
        Assert.Equal(before, input.Data);
        EqualUpToSign(NpyArray.Load(F(name + "_ref.npy")), u, 1e-8);
    }

    [Fact]
    public void Nan_percentile_is_numpys_linear_method()
    {
        foreach (var c in JsonDocument.Parse(File.ReadAllText(F("percentile_cases.json"))).RootElement.EnumerateArray())
        {
            var values = c.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();
            double expected = c.GetProperty("expected").GetDouble();
            double got = HighVarianceConfounds.NanPercentile(values, c.GetProperty("q").GetDouble());
            Assert.True(Math.Abs(expected - got) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{expected} vs {got}");
        }
        Assert.True(double.IsNaN(HighVarianceConfounds.NanPercentile([double.NaN, double.NaN], 50)));
    }

    [Fact]
    public void Image_level_without_mask_uses_every_voxel()
    {
        EqualUpToSign(NpyArray.Load(F("img_nomask_ref.npy")), HighVarianceImageConfounds.Compute(F("img_f64.nii.gz")), 1e-8);
        // in memory: the same
        var img = Image.Load<double>(F("img_f64.nii.gz"));
        EqualUpToSign(NpyArray.Load(F("img_nomask_ref.npy")), HighVarianceImageConfounds.Compute(img), 1e-8);
    }

    [Fact]
    public void Image_level_within_a_mask()
    {
        var mask = Image.Load<byte>(F("mask.nii.gz"));
        var u = HighVarianceImageConfounds.Compute(F("img_f64.nii.gz"), mask, count: 4, percentile: 5);
        EqualUpToSign(NpyArray.Load(F("img_mask_ref.npy")), u, 1e-8);
    }

    [Fact]
    public void Image_level_equals_signal_level_on_the_reshaped_series()
    {
        var img = Image.Load<double>(F("img_f64.nii.gz"));
        int n = img.VolumeCount, v = img.VoxelsPerVolume;
        // nilearn's reshape(-1, T).T of a C-ordered array is NIfTI's x-fastest order read backwards; the selection and
        // the decomposition do not depend on the column order, so volume-major rows will do
        var series = new SignalMatrix<double>(n, v);
        for (int t = 0; t < n; t++) img.Volume(t).CopyTo(series.Row(t));
        var fromSignals = HighVarianceConfounds.Compute(series, 3, 10, detrend: false);
        var fromImage = HighVarianceImageConfounds.Compute(img, count: 3, percentile: 10, detrend: false);
        for (int c = 0; c < 3; c++)
        {
            var a = fromSignals.Column(c);
            var b = fromImage.Column(c);
            double dot = a.Zip(b, (x, y) => x * y).Sum();
            Approx.Equal(a, dot < 0 ? b.Select(x => -x).ToArray() : b, 0, 1e-10, $"confound {c}");
        }
    }

    [Fact]
    public void Too_few_series_above_the_percentile_is_an_error()
    {
        var x = new SignalMatrix<double>(10, 20);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = Math.Sin(i * 0.7) * (1 + i % 20);
        var ex = Assert.Throws<NiSharpException>(() => HighVarianceConfounds.Compute(x));
        Assert.Contains("fewer than the 5 confounds", ex.Message);
        Assert.Throws<NiSharpException>(() => HighVarianceConfounds.Compute(x, count: 0));
        Assert.Throws<NiSharpException>(() => HighVarianceConfounds.Compute(x, percentile: 120));
    }

    [Fact]
    public void Returned_vectors_are_orthonormal()
    {
        Gen.Select(Gen.Int[6, 40], Gen.Int[60, 400], Gen.Int[1, 5], Gen.Bool, Gen.Int[0, 1_000_000]).Sample((n, k, count, detrend, seed) =>
        {
            var rng = new Random(seed);
            var x = new SignalMatrix<double>(n, k);
            for (int i = 0; i < x.Data.Length; i++) x.Data[i] = (rng.NextDouble() - 0.5) * (1 + i % k) + 100;
            var u = HighVarianceConfounds.Compute(x, count, percentile: 10, detrend);
            Assert.Equal((n, count), (u.Timepoints, u.Features));
            for (int a = 0; a < count; a++)
                for (int b = 0; b < count; b++)
                {
                    double dot = 0;
                    for (int t = 0; t < n; t++) dot += u[t, a] * u[t, b];
                    Assert.True(Math.Abs(dot - (a == b ? 1 : 0)) < 1e-9, $"u{a}·u{b} = {dot}");
                }
        }, iter: 50);
    }
}
