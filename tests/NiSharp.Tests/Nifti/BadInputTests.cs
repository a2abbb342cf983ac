using System.Buffers.Binary;
using System.IO.Compression;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Nifti;

/// <summary>
/// Every kind of broken NIfTI gives one line naming the file and the problem, exit code 2 from the
/// CLI, no stack trace, and no allocation sized by a lying header.
/// </summary>
public class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Good(string name = "good.nii", int[]? shape = null, NiftiDataType type = NiftiDataType.Float32)
    {
        var path = _dir.File(name);
        shape ??= [4, 4, 3, 5];
        var n = shape.Aggregate(1, (a, b) => a * b);
        new Image<float>(shape, Affine.Diagonal(2, 2, 2), Enumerable.Range(0, n).Select(i => (float)i).ToArray()).Save(path, type);
        return path;
    }

    private static byte[] Patch(byte[] bytes, Action<Span<byte>> patch)
    {
        var copy = bytes.ToArray();
        patch(copy);
        return copy;
    }

    /// <summary>Runs <c>nisharp info</c> and checks the error contract; returns the message.</summary>
    private static string InfoFails(string path, string expectedFragment)
    {
        var r = CliRunner.Run("info", path, "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        var lines = r.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.Contains(path, lines[0]);
        Assert.Contains(expectedFragment, lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
        return lines[0];
    }

    /// <summary>Opening and reading everything must fail the same way in the library.</summary>
    private static void ReadFails(string path, string expectedFragment)
    {
        var e = Assert.Throws<NiSharpException>(() =>
        {
            using var f = NiftiFile.Open(path);
            f.Load<float>();
        });
        Assert.Contains(path, e.Message);
        Assert.Contains(expectedFragment, e.Message);
    }

    [Fact]
    public void Missing_file() => InfoFails(_dir.File("nope.nii.gz"), "file not found");

    [Fact]
    public void Folder_instead_of_file() => InfoFails(_dir.Path, "is a folder");

    [Fact]
    public void Empty_file()
    {
        var p = _dir.File("empty.nii");
        File.WriteAllBytes(p, []);
        InfoFails(p, "empty file");
    }

    [Fact]
    public void Text_file_is_not_nifti()
    {
        var p = _dir.File("notes.nii");
        File.WriteAllText(p, "this is a text file, long enough to look like it could hold a header but it does not at all. " + new string('x', 400));
        InfoFails(p, "not a NIfTI file: sizeof_hdr");
    }

    [Fact]
    public void Bad_magic()
    {
        var p = _dir.File("badmagic.nii");
        File.WriteAllBytes(p, Patch(File.ReadAllBytes(Good()), b => "XYZ"u8.CopyTo(b[344..])));
        InfoFails(p, "bad magic");
    }

    [Fact]
    public void Truncated_header()
    {
        var p = _dir.File("shorthdr.nii");
        File.WriteAllBytes(p, File.ReadAllBytes(Good())[..200]);
        InfoFails(p, "truncated header: 200 of 348 bytes");
    }

    [Fact]
    public void Truncated_data_in_nii()
    {
        var p = _dir.File("short.nii");
        var bytes = File.ReadAllBytes(Good());
        File.WriteAllBytes(p, bytes[..(bytes.Length - 10)]);
        InfoFails(p, "truncated data");
    }

    [Fact]
    public void Truncated_gzip_is_found_when_reading_the_data()
    {
        var full = Good("big.nii.gz", [40, 40, 20, 6]);
        var p = _dir.File("cut.nii.gz");
        var bytes = File.ReadAllBytes(full);
        File.WriteAllBytes(p, bytes[..(bytes.Length / 2)]);
        ReadFails(p, "truncated data");
        // the last volume is not there either when streamed
        using var f = NiftiFile.Open(p);
        var e = Assert.Throws<NiSharpException>(() => f.ReadVolume<float>(5, new float[f.VoxelsPerVolume]));
        Assert.Contains("truncated data", e.Message);
    }

    [Fact]
    public void Gzip_with_a_corrupt_crc_is_reported()
    {
        var full = Good("crc.nii.gz", [10, 10, 10, 2]);
        var bytes = File.ReadAllBytes(full);
        // The CRC32 is the 8th- to 5th-last bytes of a gzip member.
        bytes[^8] ^= 0xFF;
        var p = _dir.File("badcrc.nii.gz");
        File.WriteAllBytes(p, bytes);
        ReadFails(p, "corrupt gzip data");
    }

    [Fact]
    public void Gzip_of_garbage_header()
    {
        var p = _dir.File("garbage.nii.gz");
        using (var fs = File.Create(p))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
            gz.Write(new byte[500]);
        InfoFails(p, "not a NIfTI file");
    }

    [Theory]
    [InlineData(0, "dim[1] is 0")]
    [InlineData(-3, "dim[1] is -3")]
    public void Zero_or_negative_dims(short dim1, string fragment)
    {
        var p = _dir.File("baddim.nii");
        File.WriteAllBytes(p, Patch(File.ReadAllBytes(Good()), b => BinaryPrimitives.WriteInt16LittleEndian(b[42..], dim1)));
        InfoFails(p, fragment);
    }

    [Fact]
    public void Dim0_out_of_range()
    {
        var p = _dir.File("dim0.nii");
        File.WriteAllBytes(p, Patch(File.ReadAllBytes(Good()), b => BinaryPrimitives.WriteInt16LittleEndian(b[40..], 9)));
        InfoFails(p, "dim[0] is 9");
    }

    [Fact]
    public void Dims_that_need_more_bytes_than_the_file_holds_fail_before_allocating()
    {
        var p = _dir.File("huge.nii");
        File.WriteAllBytes(p, Patch(File.ReadAllBytes(Good()), b =>
        {
            for (int i = 1; i <= 4; i++) BinaryPrimitives.WriteInt16LittleEndian(b[(40 + 2 * i)..], 32000);
        }));
        var before = GC.GetTotalAllocatedBytes(true);
        InfoFails(p, "too large");
        Assert.True(GC.GetTotalAllocatedBytes(true) - before < 50_000_000, "no allocation sized by the header");
    }

    [Fact]
    public void Nifti2_dims_whose_product_overflows()
    {
        var p = _dir.File("overflow.nii");
        var src = _dir.File("v2.nii");
        new Image<float>([2, 2, 2], Affine.Identity, new float[8]).Save(src, options: new NiftiWriteOptions { Version = 2 });
        File.WriteAllBytes(p, Patch(File.ReadAllBytes(src), b =>
        {
            for (int i = 1; i <= 3; i++) BinaryPrimitives.WriteInt64LittleEndian(b[(16 + 8 * i)..], long.MaxValue / 4);
        }));
        InfoFails(p, "overflow");
    }

    [Fact]
    public void Gzip_header_claiming_more_than_deflate_can_expand()
    {
        var p = Good("claim.nii.gz", [4, 4, 4]);
        // rewrite the compressed file with a header asking for 1000×1000×100 float32 voxels (400 MB)
        var raw = new MemoryStream();
        using (var gz = new GZipStream(File.OpenRead(p), CompressionMode.Decompress)) gz.CopyTo(raw);
        var bytes = Patch(raw.ToArray(), b =>
        {
            BinaryPrimitives.WriteInt16LittleEndian(b[42..], 1000);
            BinaryPrimitives.WriteInt16LittleEndian(b[44..], 1000);
            BinaryPrimitives.WriteInt16LittleEndian(b[46..], 100);
        });
        var q = _dir.File("claim2.nii.gz");
        using (var fs = File.Create(q))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest)) gz.Write(bytes);
        InfoFails(q, "cannot hold that much");
    }

    [Theory]
    [InlineData((short)32, "complex64")]
    [InlineData((short)128, "RGB")]
    [InlineData((short)1792, "complex128")]
    [InlineData((short)77, "code 77")]
    public void Unsupported_datatypes(short code, string name)
    {
        var p = _dir.File($"dt{code}.nii");
        File.WriteAllBytes(p, Patch(File.ReadAllBytes(Good()), b => BinaryPrimitives.WriteInt16LittleEndian(b[70..], code)));
        var msg = InfoFails(p, "unsupported datatype");
        Assert.Contains(name, msg);
    }

    [Fact]
    public void Non_finite_affine()
    {
        var p = _dir.File("nanaff.nii");
        File.WriteAllBytes(p, Patch(File.ReadAllBytes(Good()), b => BinaryPrimitives.WriteSingleLittleEndian(b[280..], float.NaN)));
        InfoFails(p, "invalid affine");
    }

    [Fact]
    public void Vox_offset_beyond_the_end()
    {
        var p = _dir.File("voxoff.nii");
        File.WriteAllBytes(p, Patch(File.ReadAllBytes(Good()), b => BinaryPrimitives.WriteSingleLittleEndian(b[108..], 1e6f)));
        InfoFails(p, "truncated data");
    }

    [Fact]
    public void Missing_img_of_a_pair()
    {
        var hdr = _dir.File("lonely.hdr");
        File.Copy(TestPaths.Fixture("nifti", "pair_uint8.hdr"), hdr);
        InfoFails(hdr, "lonely.img is missing");
    }

    [Fact]
    public void One_bad_file_among_good_ones_still_fails_the_command()
    {
        var good = Good();
        var r = CliRunner.Run("info", good, _dir.File("missing.nii"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("missing.nii: file not found", r.Stderr);
    }
}
