using System.Numerics;
using CsCheck;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Nifti;

public class RoundTripTests
{
    public static IEnumerable<object[]> Cases()
    {
        var types = new[]
        {
            NiftiDataType.UInt8, NiftiDataType.Int8, NiftiDataType.Int16, NiftiDataType.UInt16, NiftiDataType.Int32,
            NiftiDataType.UInt32, NiftiDataType.Int64, NiftiDataType.UInt64, NiftiDataType.Float32, NiftiDataType.Float64,
        };
        foreach (var t in types)
        foreach (var big in new[] { false, true })
        foreach (var version in new[] { 1, 2 })
        foreach (var ext in new[] { ".nii", ".nii.gz" })
            yield return [t, big, version, ext];
    }

    /// <summary>Values every type represents exactly (0..100 and, for signed types, down to -100).</summary>
    private static double[] Values(NiftiDataType t, int n)
    {
        var rng = new Random(7);
        bool signed = t is NiftiDataType.Int8 or NiftiDataType.Int16 or NiftiDataType.Int32 or NiftiDataType.Int64 or NiftiDataType.Float32 or NiftiDataType.Float64;
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = rng.Next(signed ? -100 : 0, 101);
            if (t == NiftiDataType.Float32) v[i] = (float)(v[i] + rng.NextDouble());
            if (t == NiftiDataType.Float64) v[i] += rng.NextDouble();
        }
        return v;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_datatype_byte_order_version_and_compression_round_trips(NiftiDataType type, bool bigEndian, int version, string ext)
    {
        using var dir = new TempDir();
        var path = dir.File("img" + ext);
        int[] shape = [4, 3, 2, 5];
        var values = Values(type, 4 * 3 * 2 * 5);
        var affine = Affine.FromMatVec([0, -2, 0, 3, 0, 0, 0, 0, 2.5], [10, -20, 30]);
        var template = new NiftiHeader { Pixdim = [1, 1, 1, 1, 0.8, 1, 1, 1], Descrip = "round trip", XyztUnits = 2 | 8 };
        new Image<double>(shape, affine, values, template).Save(path, type, new NiftiWriteOptions { BigEndian = bigEndian, Version = version });

        using var f = NiftiFile.Open(path);
        Assert.Equal(type, f.DataType);
        Assert.Equal(bigEndian, f.Header.IsBigEndian);
        Assert.Equal(version, f.Header.Version);
        Assert.Equal(ext.EndsWith(".gz"), f.IsCompressed);
        Assert.Equal(shape, f.Shape);
        Assert.Equal(0.8, f.RepetitionTime!.Value, 6);
        Assert.Equal("round trip", f.Header.Descrip);
        Assert.True(f.Affine.AllClose(affine, 1e-6, 1e-5), $"affine {f.Affine} vs {affine}");
        Assert.True(f.Header.GetQForm().AllClose(affine, 1e-6, 1e-5), "qform must encode the same affine");
        var back = f.Load<double>();
        Assert.Equal(values, back.Data);
        Assert.DoesNotContain(Directory.EnumerateFiles(dir.Path), p => p.Contains(NiSharp.IO.AtomicFile.TemporaryMarker));
    }

    [Fact]
    public void Header_encode_then_parse_is_the_identity()
    {
        var gen =
            from version in Gen.Int[1, 2]
            from big in Gen.Bool
            from ndim in Gen.Int[1, 7]
            from dims in Gen.Int[1, 300].Array[7]
            from pix in Gen.Float[0.1f, 10f].Array[8]
            from type in Gen.OneOfConst(NiftiDataType.UInt8, NiftiDataType.Int16, NiftiDataType.Float32, NiftiDataType.Float64, NiftiDataType.Int64)
            from slope in Gen.Float[-5f, 5f]
            from inter in Gen.Float[-100f, 100f]
            from codes in Gen.Int[0, 4].Array[2]
            from quat in Gen.Float[-0.5f, 0.5f].Array[3]
            from srow in Gen.Float[-200f, 200f].Array[12]
            from units in Gen.OneOfConst(0, 10, 18, 26, 2, 3)
            from descrip in Gen.String[Gen.Char['a', 'z'], 0, 79]
            select (version, big, ndim, dims, pix, type, slope, inter, codes, quat, srow, units, descrip);
        gen.Sample(c =>
        {
            var dim = new long[8];
            dim[0] = c.ndim;
            for (int i = 1; i < 8; i++) dim[i] = i <= c.ndim ? c.dims[i - 1] : 1;
            var h = new NiftiHeader
            {
                Version = c.version,
                IsBigEndian = c.big,
                Dim = dim,
                DataType = c.type,
                Bitpix = c.type.ByteSize() * 8,
                Pixdim = c.pix.Select(p => (double)p).ToArray(),
                VoxOffset = c.version == 1 ? 352 : 544,
                SclSlope = c.slope,
                SclInter = c.inter,
                QformCode = c.codes[0],
                SformCode = c.codes[1],
                QuaternB = c.quat[0], QuaternC = c.quat[1], QuaternD = c.quat[2],
                QoffsetX = c.srow[3], QoffsetY = c.srow[7], QoffsetZ = c.srow[11],
                SrowX = c.srow[..4].Select(v => (double)v).ToArray(),
                SrowY = c.srow[4..8].Select(v => (double)v).ToArray(),
                SrowZ = c.srow[8..].Select(v => (double)v).ToArray(),
                XyztUnits = c.units,
                Descrip = c.descrip,
                Magic = c.version == 1 ? "n+1" : "n+2",
            };
            var parsed = NiftiHeader.Parse(h.Encode(), "generated");
            Assert.Equal(h, parsed);
        }, iter: 500, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Affine_to_header_and_back_is_the_identity_for_any_rotation_flip_and_zoom()
    {
        var gen =
            from q in Gen.Double[-1, 1].Array[4]
            from zooms in Gen.Double[0.5, 4].Array[3]
            from flip in Gen.Bool
            from t in Gen.Double[-150, 150].Array[3]
            select (q, zooms, flip, t);
        gen.Sample(c =>
        {
            double n = Math.Sqrt(c.q.Sum(v => v * v));
            if (n < 1e-3) return;
            var r = NiftiHeader.QuaternionToMatrix(c.q[0] / n, c.q[1] / n, c.q[2] / n, c.q[3] / n);
            var m = new double[9];
            for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                m[i * 3 + j] = r[i * 3 + j] * c.zooms[j] * (c.flip && j == 2 ? -1 : 1);
            var affine = Affine.FromMatVec(m, c.t);
            var h = new NiftiHeader().WithAffine(affine);
            // NIfTI stores only b, c, d and recomputes a = sqrt(1 - b² - c² - d²): near 180° rotations
            // (a → 0) that loses about sqrt(eps) ≈ 1e-8, so the bound is 1e-6 mm.
            Assert.True(h.GetQForm().AllClose(affine, 0, 1e-6), $"qform {h.GetQForm()} vs {affine}");
            Assert.True(h.GetSForm().AllClose(affine, 0, 0));
            Assert.True(affine.Inverse().Multiply(affine).AllClose(Affine.Identity, 0, 1e-9));
        }, iter: 300, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Volumes_read_in_any_order_from_gzip_equal_the_whole_image()
    {
        using var dir = new TempDir();
        var path = dir.File("run.nii.gz");
        int[] shape = [7, 6, 5, 9];
        var data = Enumerable.Range(0, 7 * 6 * 5 * 9).Select(i => (float)Math.Sin(i)).ToArray();
        new Image<float>(shape, Affine.Diagonal(3, 3, 3), data).Save(path);
        using var f = NiftiFile.Open(path);
        var vol = new float[f.VoxelsPerVolume];
        foreach (var t in new[] { 3, 4, 8, 0, 2, 2, 7 })
        {
            f.ReadVolume<float>(t, vol);
            Assert.Equal(data.AsSpan(t * vol.Length, vol.Length).ToArray(), vol);
        }
        var two = new float[2 * f.VoxelsPerVolume];
        f.ReadVolumes<float>(5, 2, two);
        Assert.Equal(data.AsSpan(5 * vol.Length, two.Length).ToArray(), two);
    }

    [Fact]
    public void Labels_load_exactly_as_integers()
    {
        var atlas = Image.Load<int>(TestPaths.Nilearn("in_atlas.nii.gz"));
        var asFloat = Image.Load<double>(TestPaths.Nilearn("in_atlas.nii.gz"));
        Assert.Equal(asFloat.Data.Select(v => (int)v), atlas.Data);
        Assert.Contains(7, atlas.Data);
    }

    [Fact]
    public void Scaled_integers_are_read_scaled()
    {
        using var f = NiftiFile.Open(TestPaths.Fixture("nifti", "scaled_int16_tr_msec.nii.gz"));
        Assert.Equal((0.5, 10.0), f.Header.EffectiveScaling);
        var raw = f.Load<double>();
        // every value is 0.5·k + 10 for an integer k
        Assert.All(raw.Data, v => Assert.Equal(0, ((v - 10) * 2) % 1, 12));
    }

    [Fact]
    public void A_failed_write_leaves_nothing_behind()
    {
        using var dir = new TempDir();
        var path = dir.File("partial.nii.gz");
        using (var w = NiftiWriter.Create(path, [4, 4, 4, 3], Affine.Identity, NiftiDataType.Float32))
        {
            w.WriteVolume<float>(new float[64]);
            // disposed without Commit: simulates an exception mid-write
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("out.hdr")]
    [InlineData("out.img")]
    [InlineData("out.hdr.gz")]
    public void Writing_to_a_pair_name_is_refused_and_writes_nothing(string name)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        var e = Assert.Throws<NiSharpException>(() => new Image<float>([2, 2, 2], Affine.Identity, new float[8]).Save(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(".nii or .nii.gz", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));

        // and from the command line: one line, exit code 2
        var r = CliRunner.Run("mean", TestPaths.Nilearn("in_mask.nii.gz"), "-o", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(".hdr/.img pair", r.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Writing_floats_to_integer_types_rounds_and_saturates()
    {
        using var dir = new TempDir();
        var img = new Image<float>([5, 1, 1], Affine.Identity, [1.4f, 1.6f, -300f, 300f, float.NaN]);
        img.Save(dir.File("u8.nii"), NiftiDataType.UInt8);
        Assert.Equal(new byte[] { 1, 2, 0, 255, 0 }, Image.Load<byte>(dir.File("u8.nii")).Data);
    }
}
