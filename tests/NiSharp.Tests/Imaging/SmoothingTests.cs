using CsCheck;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

/// <summary>
/// nilearn 0.10.4 <c>smooth_img</c> / <c>_smooth_array</c> against references computed once with scipy 1.10
/// (tests/fixtures/smoothing/README.md): float64 to 1e-10 relative, float32 to 1e-5.
/// </summary>
public class SmoothingTests
{
    private static string S(string f) => TestPaths.Fixture("smoothing", f);

    public static TheoryData<string, string[]> Cases => new()
    {
        { "aniso_f64", ["6"] },
        { "oblique_f64", ["4", "6", "8"] },
        { "zero_axis_f64", ["5", "0", "9"] },
        { "shortline_f64", ["20"] },
        { "fast_f32", ["fast"] },
        { "nan_f32", ["5"] },
        { "4d_f32", ["6"] },
        { "4d_fast_f32", ["fast"] },
        { "int16", ["7"] },
    };

    private static void AssertMatches(string name, Image<double> expected, double[] actual)
    {
        bool f32 = name.EndsWith("f32", StringComparison.Ordinal) || name == "int16";
        double scale = expected.Data.Max(Math.Abs);
        // relative to each value, with an absolute floor at the image's scale for values that cancel to ~0
        Approx.Equal(expected.Data, actual, f32 ? 1e-5 : 1e-10, (f32 ? 1e-6 : 1e-13) * scale, name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Smooth_file_matches_nilearn_smooth_img(string name, string[] fwhm)
    {
        using var dir = new TempDir();
        Smoothing.SmoothFile(S($"in_{name}.nii.gz"), dir.File("out.nii.gz"), Fwhm.Parse(fwhm));
        var expected = Image.Load<double>(S($"ref_{name}.nii.gz"));
        using (var written = NiftiFile.Open(dir.File("out.nii.gz")))
        {
            using var reference = NiftiFile.Open(S($"ref_{name}.nii.gz"));
            Assert.Equal(reference.DataType, written.DataType);
            Assert.Equal(reference.Shape, written.Shape);
            Assert.True(reference.Affine.AllClose(written.Affine, 1e-6, 1e-6));
        }
        AssertMatches(name, expected, Image.Load<double>(dir.File("out.nii.gz")).Data);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Smooth_in_memory_matches_nilearn_smooth_img(string name, string[] fwhm)
    {
        var expected = Image.Load<double>(S($"ref_{name}.nii.gz"));
        var f = Fwhm.Parse(fwhm);
        double[] actual = name.EndsWith("f64", StringComparison.Ordinal)
            ? Smoothing.Smooth(Image.Load<double>(S($"in_{name}.nii.gz")), f).Data
            : Smoothing.Smooth(Image.Load<float>(S($"in_{name}.nii.gz")), f).Data.Select(v => (double)v).ToArray();
        AssertMatches(name, expected, actual);
    }

    [Fact]
    public void Kernel_is_scipys_truncated_normalised_gaussian()
    {
        // scipy: radius int(4·sigma + 0.5); sigma 1 → 9 taps, centre 1/Σexp(−x²/2)
        var w = Smoothing.Kernel(1.0);
        Assert.Equal(9, w.Length);
        double z = Enumerable.Range(-4, 9).Sum(x => Math.Exp(-0.5 * x * x));
        Assert.Equal(1 / z, w[4], 1e-15);
        Assert.Equal(Math.Exp(-8) / z, w[0], 1e-15);
        Assert.Equal(13, Smoothing.Kernel(1.5).Length); // int(6.5) = 6
    }

    [Fact]
    public void Reflect_mirrors_about_the_edge_sample_and_repeats()
    {
        // d c b a | a b c d | d c b a | a b ...
        int[] expected = [3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1];
        for (int i = -4; i < 10; i++) Assert.Equal(expected[i + 4], Smoothing.Reflect(i, 4));
        Assert.Equal(0, Smoothing.Reflect(-7, 1));
    }

    [Fact]
    public void Fwhm_parses_one_three_or_fast_and_rejects_the_rest()
    {
        Assert.Equal(Fwhm.Of(6), Fwhm.Parse(["6"]));
        Assert.Equal(Fwhm.Of(6, 6, 8), Fwhm.Parse(["6", "6", "8"]));
        Assert.True(Fwhm.Parse(["fast"]).IsFast);
        Assert.True(Fwhm.Parse(["0"]).IsNone);
        Assert.Equal("6 6 8", Fwhm.Of(6, 6, 8).ToString());
        Assert.Equal(6.0, Fwhm.Of(6).ToParameter());
        Assert.Contains("got 2", Assert.Throws<NiSharpException>(() => Fwhm.Parse(["6", "8"])).Message);
        Assert.Contains(">= 0", Assert.Throws<NiSharpException>(() => Fwhm.Parse(["-1"])).Message);
        Assert.Contains("not a number", Assert.Throws<NiSharpException>(() => Fwhm.Parse(["six"])).Message);
        Assert.Throws<NiSharpException>(() => Fwhm.Of(double.NaN));
    }

    [Fact]
    public void Zero_or_no_fwhm_only_replaces_non_finite_values()
    {
        var img = new Image<float>([2, 2, 1], Affine.Identity, [1, float.NaN, float.PositiveInfinity, 4]);
        Assert.Equal([1f, 0, 0, 4], Smoothing.Smooth(img, Fwhm.Of(0)).Data);
        Assert.Equal([1f, 0, 0, 4], Smoothing.Smooth(img, null).Data);
        Assert.True(float.IsNaN(img.Data[1])); // the input is not touched
    }

    private static readonly Gen<int[]> Shape = Gen.Int[1, 9].Array[3];

    private static readonly Gen<Affine> Zooms =
        Gen.Select(Gen.Double[0.8, 4], Gen.Double[0.8, 4], Gen.Double[0.8, 4]).Select((x, y, z) => Affine.Diagonal(x, y, z));

    [Fact]
    public void Smoothing_a_constant_image_returns_it_unchanged()
    {
        Gen.Select(Shape, Zooms, Gen.Double[0, 12], Gen.Double[-1000, 1000]).Sample((shape, affine, fwhm, c) =>
        {
            var img = new Image<double>(shape, affine, Enumerable.Repeat(c, shape[0] * shape[1] * shape[2]).ToArray());
            var s = Smoothing.Smooth(img, Fwhm.Of(fwhm));
            Approx.Equal(img.Data, s.Data, 1e-12, 1e-12);
        }, iter: 60);
    }

    [Fact]
    public void Fast_smoothing_keeps_a_constant_images_interior()
    {
        Gen.Select(Gen.Int[3, 8].Array[3], Gen.Double[-1000, 1000]).Sample((shape, c) =>
        {
            var img = new Image<double>(shape, Affine.Identity, Enumerable.Repeat(c, shape[0] * shape[1] * shape[2]).ToArray());
            var s = Smoothing.Smooth(img, Fwhm.Fast);
            for (int k = 1; k < shape[2] - 1; k++)
                for (int j = 1; j < shape[1] - 1; j++)
                    for (int i = 1; i < shape[0] - 1; i++)
                        Assert.Equal(c, s[i, j, k], Math.Abs(c) * 1e-14);
        }, iter: 40);
    }

    [Fact]
    public void Reflect_mode_smoothing_preserves_the_sum_of_the_image()
    {
        // half-sample reflection makes each line symmetric-periodic, so a kernel summing to 1 moves mass but loses none
        Gen.Select(Shape, Zooms, Gen.Double[0.5, 15], Gen.Int[0, 1000]).Sample((shape, affine, fwhm, seed) =>
        {
            var rng = new Random(seed);
            var data = Enumerable.Range(0, shape[0] * shape[1] * shape[2]).Select(_ => rng.NextDouble() * 100).ToArray();
            var s = Smoothing.Smooth(new Image<double>(shape, affine, data), Fwhm.Of(fwhm));
            Assert.Equal(data.Sum(), s.Data.Sum(), 1e-9 * data.Sum());
        }, iter: 60);
    }
}
