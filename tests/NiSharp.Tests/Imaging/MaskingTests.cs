using CsCheck;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

public class MaskingTests
{
    private static string F(string name) => TestPaths.Fixture("imaging", name);

    [Fact]
    public void Apply_mask_columns_follow_nilearns_c_order()
    {
        // in_signals.npy is func.reshape(-1, T)[:, idx] for ascending C-order indices idx: a mask of exactly
        // those voxels must give the same matrix.
        var func = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        var idx = NpyArray.Load(TestPaths.Nilearn("in_signals_voxel_index.npy")).Data.Select(v => (int)v).ToArray();
        var (rows, cols, values) = LoadFortranMatrix(TestPaths.Nilearn("in_signals.npy"));
        var s = func.SpatialShape;
        var mask = Image<byte>.Zeros(s, func.Affine);
        foreach (var c in idx)
        {
            // C order over (x, y, z): c = (i*ny + j)*nz + k
            int k = c % s[2], j = c / s[2] % s[1], i = c / (s[1] * s[2]);
            mask[i, j, k] = 1;
        }
        var x = Masking.ApplyMask(func, mask);
        Assert.Equal(rows, x.GetLength(0));
        Assert.Equal(cols, x.GetLength(1));
        for (int t = 0; t < rows; t++)
        for (int v = 0; v < cols; v++)
            Assert.Equal(values[t + rows * v], x[t, v]);
    }

    /// <summary>in_signals.npy is a Fortran-ordered float64 matrix, which the shared NpyArray reader does not take.</summary>
    private static (int Rows, int Cols, double[] ColumnMajor) LoadFortranMatrix(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int headerLen = BitConverter.ToUInt16(bytes, 8);
        var header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLen);
        Assert.Contains("'fortran_order': True", header);
        Assert.Contains("'<f8'", header);
        var shape = System.Text.RegularExpressions.Regex.Match(header, @"'shape':\s*\((\d+),\s*(\d+)\)");
        int rows = int.Parse(shape.Groups[1].Value), cols = int.Parse(shape.Groups[2].Value);
        var values = new double[rows * cols];
        Buffer.BlockCopy(bytes, 10 + headerLen, values, 0, values.Length * 8);
        return (rows, cols, values);
    }

    [Fact]
    public void Unmask_inverts_apply_mask_inside_the_mask()
    {
        var func = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        var mask = Masking.LoadMask(TestPaths.Nilearn("in_mask.nii.gz"));
        var x = Masking.ApplyMask(func, mask);
        var back = Masking.Unmask(x, mask);
        var expected = new float[func.Data.Length];
        for (int i = 0; i < expected.Length; i++)
            expected[i] = mask.Data[i % mask.VoxelsPerVolume] != 0 ? func.Data[i] : 0f;
        Assert.Equal(func.Shape, back.Shape);
        Assert.True(expected.AsSpan().SequenceEqual(back.Data));
        var streamed = Masking.ApplyMask(TestPaths.Nilearn("in_func.nii.gz"), mask);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref x[0, 0], x.Length)
            .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref streamed[0, 0], streamed.Length)));
    }

    [Theory]
    [InlineData("in_func")]
    [InlineData("in_func_sub02")]
    [InlineData("in_func_sub03")]
    public void Compute_epi_mask_matches_the_reference(string name)
    {
        var epi = Image.Load(TestPaths.Nilearn(name + ".nii.gz"));
        var expected = Image.Load<byte>(F($"ref_epi_mask_{name}.nii.gz"));
        Assert.Equal(expected.Data, Masking.ComputeEpiMask(epi).Data);
        Assert.Equal(expected.Data, Masking.ComputeEpiMask(TestPaths.Nilearn(name + ".nii.gz")).Data);
    }

    [Fact]
    public void Compute_epi_mask_options_match_the_reference()
    {
        var epi = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        var expected = Image.Load<byte>(F("ref_epi_mask_in_func_opening1_exclude_zeros.nii.gz"));
        Assert.Equal(expected.Data, Masking.ComputeEpiMask(epi, lowerCutoff: 0.3, opening: 1, excludeZeros: true).Data);
    }

    [Fact]
    public void Intersect_and_union_match_the_reference()
    {
        var masks = Enumerable.Range(0, 3).Select(i => Masking.LoadMask(F($"in_mask_variant{i}.nii.gz"))).ToList();
        Assert.Equal(Image.Load<byte>(F("ref_intersect_default.nii.gz")).Data, Masking.IntersectMasks(masks).Data);
        Assert.Equal(Image.Load<byte>(F("ref_intersect_all.nii.gz")).Data, Masking.IntersectMasks(masks, threshold: 1, connected: false).Data);
        Assert.Equal(Image.Load<byte>(F("ref_union.nii.gz")).Data, Masking.UnionMasks(masks).Data);
    }

    [Fact]
    public void Inverting_twice_is_the_mask()
    {
        Gen.Bool.Array[5 * 4 * 3].Sample(bits =>
        {
            var m = new Image<byte>([5, 4, 3], Affine.Identity, bits.Select(b => b ? (byte)1 : (byte)0).ToArray());
            Assert.Equal(m.Data, Masking.InvertMask(Masking.InvertMask(m)).Data);
        }, iter: 100);
    }

    [Fact]
    public void Bad_masks_are_rejected_like_nilearn()
    {
        var empty = new Image<float>([2, 2, 1], Affine.Identity, new float[4]);
        Assert.Contains("empty", Assert.Throws<NiSharpException>(() => Masking.ToMask(empty, "m.nii.gz")).Message);
        var three = new Image<float>([3, 1, 1], Affine.Identity, [0, 1, 2]);
        Assert.StartsWith("m.nii.gz: ", Assert.Throws<NiSharpException>(() => Masking.ToMask(three, "m.nii.gz")).Message);
        var noZero = new Image<float>([2, 1, 1], Affine.Identity, [1, 2]);
        Assert.Contains("background", Assert.Throws<NiSharpException>(() => Masking.ToMask(noZero)).Message);
        var func = Image.Load(TestPaths.Nilearn("in_func.nii.gz"));
        var other = Image<byte>.Zeros([3, 3, 3], Affine.Identity);
        other[0, 0, 0] = 1;
        Assert.Contains("shape", Assert.Throws<NiSharpException>(() => Masking.ApplyMask(func, other)).Message);
    }

    [Fact]
    public void A_uint8_mask_is_checked_and_binarised_as_the_same_values_in_float64()
    {
        // Few distinct values (0, one value, two or three values, all zero), in any order: the byte path's mask and
        // errors are those of the general path.
        Gen.Select(Gen.Int[1, 200], Gen.Int[0, 1000]).Sample((n, seed) =>
        {
            var rnd = new Random(seed);
            byte[] pool = [0, (byte)rnd.Next(1, 256), (byte)rnd.Next(1, 256), 0];
            int kinds = rnd.Next(1, pool.Length + 1);
            var bytes = Enumerable.Range(0, n).Select(_ => pool[rnd.Next(kinds)]).ToArray();
            var asBytes = new Image<byte>([n, 1, 1], Affine.Identity, bytes);
            var asDoubles = new Image<double>([n, 1, 1], Affine.Identity, bytes.Select(b => (double)b).ToArray());
            string? Error(Action a) { try { a(); return null; } catch (NiSharpException e) { return e.Message; } }
            Assert.Equal(Error(() => Masking.ToMask(asDoubles, "m")), Error(() => Masking.ToMask(asBytes, "m")));
            if (Error(() => Masking.ToMask(asDoubles, "m")) is null)
                Assert.Equal(Masking.ToMask(asDoubles).Data, Masking.ToMask(asBytes).Data);
        }, iter: 300);
    }
}
