using CsCheck;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

public class ImageMathTests
{
    private static double[] D(float[] a) => a.Select(v => (double)v).ToArray();

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("math_img_mean")]
    public void Mean_over_time_matches_nilearn_math_img_mean(string version)
    {
        var func = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        var expected = Image.Load(TestPaths.Nilearn(version, "out_math_img_mean.nii.gz"));
        var got = ImageMath.Evaluate("np.mean(img, axis=-1)", ("img", func));
        Assert.Equal(expected.Shape, got.Shape);
        // nilearn sums in float32, we sum in double: float32 tolerance
        Approx.Equal(D(expected.Data), D(got.Data), rtol: 1e-5, atol: 1e-5);
        Assert.Equal(got.Data, ImageMath.Evaluate("mean(img)", ("img", func)).Data);
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("math_img_masked_tsnr")]
    public void Masked_tsnr_matches_nilearn_math_img(string version)
    {
        var func = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        var mask = Image.Load(TestPaths.Nilearn("in_mask.nii.gz"));
        var expected = Image.Load(TestPaths.Nilearn(version, "out_math_img_tsnr.nii.gz"));
        var got = ImageMath.Evaluate("np.where(m > 0, np.mean(img, axis=-1) / np.std(img, axis=-1), 0)", ("img", func), ("m", mask));
        Assert.Equal(expected.Shape, got.Shape);
        Approx.Equal(D(expected.Data), D(got.Data), rtol: 1e-5, atol: 1e-5);
        Assert.Equal(got.Data, ImageMath.Evaluate("where(m > 0, mean(img) / std(img), 0)", ("img", func), ("m", mask)).Data);
    }

    [Fact]
    public void Lesson_formulas_give_the_expected_voxels()
    {
        var a = new Image<float>([2, 2, 1], Affine.Identity, [1, -2, 44, 0]);
        var b = new Image<float>([2, 2, 1], Affine.Identity, [1, 0, 1, 1]);
        Assert.Equal([-1f, 2, -44, 0], ImageMath.Evaluate("-a", ("a", a)).Data);
        Assert.Equal([1f, 0, 44, 0], ImageMath.Evaluate("a*b", ("a", a), ("b", b)).Data);
        Assert.Equal([0f, 1, 0, 0], ImageMath.Evaluate("1-x", ("x", b)).Data);
        Assert.Equal([0f, 0, 1, 0], ImageMath.Evaluate("a == 44", ("a", a)).Data);
        Assert.Equal([2f, -2, 45, 1], ImageMath.Evaluate("a+b", ("a", a), ("b", b)).Data);
    }

    [Theory]
    [InlineData("2 + 3 * a", new float[] { 5, 8 })]
    [InlineData("(2 + 3) * a", new float[] { 5, 10 })]
    [InlineData("-a ** 2", new float[] { -1, -4 })]
    [InlineData("a > 1 and a < 3", new float[] { 0, 1 })]
    [InlineData("a < 1.5 or a > 10", new float[] { 1, 0 })]
    [InlineData("not a > 1", new float[] { 1, 0 })]
    [InlineData("abs(-a) + sqrt(a * a) + exp(log(a))", new float[] { 3, 6 })]
    [InlineData("min(a, 1.5) + max(a, 1.5)", new float[] { 2.5f, 3.5f })]
    [InlineData("np.minimum(a, 1.5)", new float[] { 1, 1.5f })]
    [InlineData("where(a != 1, 7, -7)", new float[] { -7, 7 })]
    [InlineData("1e1 * a - .5", new float[] { 9.5f, 19.5f })]
    [InlineData("a / 0 >= 0", new float[] { 1, 1 })]
    public void Operators_follow_python_precedence(string formula, float[] expected)
    {
        var a = new Image<float>([2, 1, 1], Affine.Identity, [1, 2]);
        Assert.Equal(expected, ImageMath.Evaluate(formula, ("a", a)).Data);
    }

    [Fact]
    public void Time_reductions_and_broadcast_of_3d_over_4d()
    {
        var ts = new Image<float>([1, 1, 1, 4], Affine.Identity, [1, 2, 3, 6]);
        var three = new Image<float>([1, 1, 1], Affine.Identity, [10]);
        Assert.Equal([3f], ImageMath.Evaluate("mean(x)", ("x", ts)).Data);
        Assert.Equal([(float)Math.Sqrt(3.5)], ImageMath.Evaluate("std(x)", ("x", ts)).Data);
        Assert.Equal([1f], ImageMath.Evaluate("min(x)", ("x", ts)).Data);
        Assert.Equal([6f], ImageMath.Evaluate("max(x)", ("x", ts)).Data);
        var demeaned = ImageMath.Evaluate("x - mean(x) + m", ("x", ts), ("m", three));
        Assert.Equal([1, 1, 1, 4], demeaned.Shape);
        Assert.Equal([8f, 9, 10, 13], demeaned.Data);
    }

    [Fact]
    public void One_minus_a_mask_twice_is_the_mask()
    {
        Gen.Bool.Array[4 * 3 * 2].Sample(bits =>
        {
            var m = new Image<float>([4, 3, 2], Affine.Identity, bits.Select(b => b ? 1f : 0f).ToArray());
            var once = ImageMath.Evaluate("1-x", ("x", m));
            var twice = ImageMath.Evaluate("1-x", ("x", once));
            Assert.Equal(m.Data, twice.Data);
        }, iter: 100);
    }

    [Fact]
    public void Mismatched_shapes_and_affines_name_both_files()
    {
        var a = new NamedImage("a", new Image<float>([2, 2, 2], Affine.Identity, new float[8]), "T1.nii.gz");
        var b = new NamedImage("b", new Image<float>([2, 2, 3], Affine.Identity, new float[12]), "mask.nii.gz");
        var c = new NamedImage("c", new Image<float>([2, 2, 2], Affine.Diagonal(2, 2, 2), new float[8]), "other.nii.gz");
        var e1 = Assert.Throws<NiSharpException>(() => ImageMath.Evaluate("a*b", [a, b]));
        Assert.Contains("T1.nii.gz", e1.Message);
        Assert.Contains("mask.nii.gz", e1.Message);
        Assert.Contains("shape", e1.Message);
        var e2 = Assert.Throws<NiSharpException>(() => ImageMath.Evaluate("a*c", [a, c]));
        Assert.Contains("T1.nii.gz", e2.Message);
        Assert.Contains("other.nii.gz", e2.Message);
        Assert.Contains("affine", e2.Message);
    }

    [Fact]
    public void Four_d_operands_must_agree_on_volumes()
    {
        var a = new NamedImage("a", new Image<float>([1, 1, 1, 3], Affine.Identity, new float[3]), "a.nii.gz");
        var b = new NamedImage("b", new Image<float>([1, 1, 1, 2], Affine.Identity, new float[2]), "b.nii.gz");
        var e = Assert.Throws<NiSharpException>(() => ImageMath.Evaluate("a+b", [a, b]));
        Assert.Contains("3 and 2 volumes", e.Message);
    }

    [Theory]
    [InlineData("a * foo(a)", "unknown function 'foo'")]
    [InlineData("a * c", "unknown name 'c'")]
    [InlineData("a +", "ends too early")]
    [InlineData("(a", "missing ')'")]
    [InlineData("a ; b", "unexpected character ';'")]
    [InlineData("np.mean(a)", "axis=-1")]
    [InlineData("mean(a)", "argument is 3D")]
    [InlineData("where(a, a)", "takes 3 arguments")]
    [InlineData("1 < a < 2", "chained comparisons")]
    [InlineData("__import__('os')", "unknown function")]
    [InlineData("2 + 3", "uses no image")]
    public void Bad_formulas_are_clear_errors(string formula, string message)
    {
        var a = new Image<float>([2, 1, 1], Affine.Identity, [1, 2]);
        var e = Assert.Throws<NiSharpException>(() => ImageMath.Evaluate(formula, ("a", a)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Boolean_formulas_are_flagged_as_masks()
    {
        Assert.True(Formula.Parse("a == 44").IsBoolean);
        Assert.True(Formula.Parse("a > 1 and b").IsBoolean);
        Assert.False(Formula.Parse("1 - a").IsBoolean);
        Assert.Equal(["a", "b"], Formula.Parse("a * (b + a)").Names);
    }
}
