using System.Buffers.Binary;
using CsCheck;
using NiSharp.Nifti;

namespace NiSharp.Tests.Nifti;

/// <summary>The NIfTI-1 and NIfTI-2 field tables that drive both parsing and encoding (<c>NiftiHeader.Nifti1Layout</c>,
/// <c>Nifti2Layout</c>).</summary>
public class HeaderLayoutTests
{
    [Theory]
    [InlineData(1, NiftiHeader.Nifti1Size)]
    [InlineData(2, NiftiHeader.Nifti2Size)]
    public void Each_field_has_its_own_bytes_inside_the_header(int version, int size)
    {
        var owner = new string?[size];
        foreach (var f in NiftiHeader.LayoutOf(version))
        {
            Assert.True(f.Offset >= 0 && f.Offset + f.Size <= size, $"{f.Name} at {f.Offset}+{f.Size} is outside the {size}-byte header");
            for (int b = f.Offset; b < f.Offset + f.Size; b++)
            {
                Assert.True(owner[b] is null, $"byte {b} is both {owner[b]} and {f.Name}");
                owner[b] = f.Name;
            }
        }
        // the offsets of nifti1.h / nifti2.h that are easy to get wrong
        var at = NiftiHeader.LayoutOf(version).ToDictionary(f => f.Name, f => f.Offset);
        Assert.Equal(version == 1 ? 108 : 168, at["vox_offset"]);
        Assert.Equal(version == 1 ? 344 : 4, at["magic"]);
        Assert.Equal(version == 1 ? 40 : 16, at["dim"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Each_version_lays_out_every_header_property_once(int version)
    {
        var stored = NiftiHeader.LayoutOf(version).Where(f => f.Constant is null).Select(f => f.Name).ToArray();
        Assert.Equal(stored.Length, stored.Distinct().Count());
        Assert.Equal(NiftiHeader.Properties.Keys.Order(), stored.Order());
    }

    /// <summary>
    /// Any valid header's bytes are parsed and encoded back to the same bytes, field by field, in either version and
    /// byte order: random bytes in every field (finite numbers, NUL-terminated text), a valid magic, dims, datatype and
    /// vox_offset, zeros where no field is.
    /// </summary>
    [Fact]
    public void Any_valid_header_encodes_back_to_its_own_bytes()
    {
        var supported = new[] { NiftiDataType.UInt8, NiftiDataType.Int16, NiftiDataType.Int32, NiftiDataType.Float32, NiftiDataType.Float64, NiftiDataType.UInt64 };
        var gen =
            from version in Gen.Int[1, 2]
            from big in Gen.Bool
            from raw in Gen.Byte.Array[NiftiHeader.Nifti2Size]
            from ndim in Gen.Int[1, 7]
            from dims in Gen.Int[1, 30000].Array[7]
            from type in Gen.OneOfConst(supported)
            from offset in Gen.Int[0, 1 << 20]
            from pair in Gen.Bool
            select (version, big, raw, ndim, dims, type, offset, pair);
        gen.Sample(c =>
        {
            int size = c.version == 1 ? NiftiHeader.Nifti1Size : NiftiHeader.Nifti2Size;
            var bytes = new byte[size];
            foreach (var f in NiftiHeader.LayoutOf(c.version))
            {
                var field = bytes.AsSpan(f.Offset, f.Size);
                c.raw.AsSpan(f.Offset, f.Size).CopyTo(field);
                Sanitize(f, field, c.big);
            }
            var fields = NiftiHeader.LayoutOf(c.version).ToDictionary(f => f.Name);
            WriteInt(fields["sizeof_hdr"], bytes, 0, size, c.big);
            if (c.version == 1) bytes[fields["regular"].Offset] = (byte)'r';
            var magic = c.version == 1 ? (c.pair ? "ni1\0" : "n+1\0") : (c.pair ? "ni2\0\r\n\u001a\n" : "n+2\0\r\n\u001a\n");
            for (int i = 0; i < magic.Length; i++) bytes[fields["magic"].Offset + i] = (byte)magic[i];
            WriteInt(fields["dim"], bytes, 0, c.ndim, c.big);
            for (int i = 1; i < 8; i++) WriteInt(fields["dim"], bytes, i, c.dims[i - 1], c.big);
            WriteInt(fields["datatype"], bytes, 0, (short)c.type, c.big);
            WriteInt(fields["vox_offset"], bytes, 0, size + c.offset, c.big);

            var h = NiftiHeader.Parse(bytes, "generated");
            Assert.Equal(c.version, h.Version);
            Assert.Equal(c.big, h.IsBigEndian);
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(h.Encode()));
            Assert.Equal(h, NiftiHeader.Parse(h.Encode(), "again"));
        }, iter: 300, seed: "0N0XIzNsQ0O2");
    }

    // Random bytes made into a value the field keeps: finite numbers, text up to its first NUL.
    private static void Sanitize(NiftiField f, Span<byte> field, bool big)
    {
        int n = f.Size / f.Count;
        for (int i = 0; i < f.Count; i++)
        {
            var e = field.Slice(i * n, n);
            bool finite = f.Storage switch
            {
                NiftiStorage.F32 => float.IsFinite(big ? BinaryPrimitives.ReadSingleBigEndian(e) : BinaryPrimitives.ReadSingleLittleEndian(e)),
                NiftiStorage.F64 => double.IsFinite(big ? BinaryPrimitives.ReadDoubleBigEndian(e) : BinaryPrimitives.ReadDoubleLittleEndian(e)),
                _ => true,
            };
            if (!finite) e.Clear();
        }
        if (f.Storage == NiftiStorage.Text && field.IndexOf((byte)0) is int end and >= 0) field[end..].Clear();
    }

    private static void WriteInt(NiftiField f, byte[] bytes, int i, long v, bool big)
    {
        var s = bytes.AsSpan(f.Offset + i * (f.Size / f.Count));
        switch (f.Storage)
        {
            case NiftiStorage.I16: if (big) BinaryPrimitives.WriteInt16BigEndian(s, (short)v); else BinaryPrimitives.WriteInt16LittleEndian(s, (short)v); break;
            case NiftiStorage.I32: if (big) BinaryPrimitives.WriteInt32BigEndian(s, (int)v); else BinaryPrimitives.WriteInt32LittleEndian(s, (int)v); break;
            case NiftiStorage.I64: if (big) BinaryPrimitives.WriteInt64BigEndian(s, v); else BinaryPrimitives.WriteInt64LittleEndian(s, v); break;
            case NiftiStorage.F32: if (big) BinaryPrimitives.WriteSingleBigEndian(s, v); else BinaryPrimitives.WriteSingleLittleEndian(s, v); break;
            default: throw new InvalidOperationException($"{f.Name}: {f.Storage}");
        }
    }
}
