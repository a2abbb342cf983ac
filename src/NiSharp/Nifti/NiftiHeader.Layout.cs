using System.Buffers.Binary;
using System.Text;

namespace NiSharp.Nifti;

/// <summary>How a header field is stored on disk.</summary>
internal enum NiftiStorage
{
    /// <summary><c>uint8</c> (<c>char</c> in the standard's C struct).</summary>
    U8,
    /// <summary><c>int16</c>.</summary>
    I16,
    /// <summary><c>int32</c>.</summary>
    I32,
    /// <summary><c>int64</c>.</summary>
    I64,
    /// <summary><c>float32</c>.</summary>
    F32,
    /// <summary><c>float64</c>.</summary>
    F64,
    /// <summary>Latin-1 text, NUL-padded to its length.</summary>
    Text,
}

/// <summary>
/// One row of a header layout, as nibabel's <c>header_dtd</c>: the standard's field name, its storage, its byte offset
/// and element count (bytes for text); <see cref="Constant"/> for the fields every header of the version writes the
/// same (<c>sizeof_hdr</c>, NIfTI-1's <c>regular</c>). Which <see cref="NiftiHeader"/> property a name is, and how it is
/// kept, is said once for both versions (<see cref="NiftiProperty"/>).
/// </summary>
internal sealed record NiftiField(string Name, NiftiStorage Storage, int Offset, int Count = 1)
{
    /// <summary>The value written by every header (parsing checks <c>sizeof_hdr</c> before choosing the layout).</summary>
    public long? Constant { get; init; }

    /// <summary>Bytes one element takes.</summary>
    public int ElementSize => Storage switch
    {
        NiftiStorage.I16 => 2,
        NiftiStorage.I32 or NiftiStorage.F32 => 4,
        NiftiStorage.I64 or NiftiStorage.F64 => 8,
        _ => 1,
    };

    /// <summary>Bytes the field takes.</summary>
    public int Size => Count * ElementSize;

    /// <summary>Element <paramref name="i"/> as an integer (a float rounded toward zero: NIfTI-1's <c>vox_offset</c>).</summary>
    public long ReadInteger(ReadOnlySpan<byte> b, int i, bool big)
    {
        var s = b[(Offset + i * ElementSize)..];
        return Storage switch
        {
            NiftiStorage.U8 => s[0],
            NiftiStorage.I16 => big ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s),
            NiftiStorage.I32 => big ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s),
            NiftiStorage.I64 => big ? BinaryPrimitives.ReadInt64BigEndian(s) : BinaryPrimitives.ReadInt64LittleEndian(s),
            _ => (long)ReadReal(b, i, big),
        };
    }

    /// <summary>Element <paramref name="i"/> as a real number.</summary>
    public double ReadReal(ReadOnlySpan<byte> b, int i, bool big)
    {
        var s = b[(Offset + i * ElementSize)..];
        return Storage switch
        {
            NiftiStorage.F32 => big ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s),
            NiftiStorage.F64 => big ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s),
            _ => ReadInteger(b, i, big),
        };
    }

    /// <summary>Writes element <paramref name="i"/>; narrowing wraps as a C cast does, or fails when <paramref name="mustFit"/>.</summary>
    public void WriteInteger(Span<byte> b, int i, long v, bool big, bool mustFit = false)
    {
        var s = b[(Offset + i * ElementSize)..];
        switch (Storage)
        {
            case NiftiStorage.U8: s[0] = mustFit ? checked((byte)v) : unchecked((byte)v); break;
            case NiftiStorage.I16:
                short v16 = mustFit ? checked((short)v) : unchecked((short)v);
                if (big) BinaryPrimitives.WriteInt16BigEndian(s, v16); else BinaryPrimitives.WriteInt16LittleEndian(s, v16);
                break;
            case NiftiStorage.I32:
                int v32 = mustFit ? checked((int)v) : unchecked((int)v);
                if (big) BinaryPrimitives.WriteInt32BigEndian(s, v32); else BinaryPrimitives.WriteInt32LittleEndian(s, v32);
                break;
            case NiftiStorage.I64:
                if (big) BinaryPrimitives.WriteInt64BigEndian(s, v); else BinaryPrimitives.WriteInt64LittleEndian(s, v);
                break;
            default: WriteReal(b, i, v, big); break;
        }
    }

    /// <summary>Writes element <paramref name="i"/> as a real number (rounded to float32 for <see cref="NiftiStorage.F32"/>).</summary>
    public void WriteReal(Span<byte> b, int i, double v, bool big)
    {
        var s = b[(Offset + i * ElementSize)..];
        switch (Storage)
        {
            case NiftiStorage.F32:
                if (big) BinaryPrimitives.WriteSingleBigEndian(s, (float)v); else BinaryPrimitives.WriteSingleLittleEndian(s, (float)v);
                break;
            case NiftiStorage.F64:
                if (big) BinaryPrimitives.WriteDoubleBigEndian(s, v); else BinaryPrimitives.WriteDoubleLittleEndian(s, v);
                break;
            default: WriteInteger(b, i, (long)v, big); break;
        }
    }
}

/// <summary>
/// The <see cref="NiftiHeader"/> side of a field, the same in both versions: which property it is and how its value
/// is kept (an integer, a real, arrays of them, text). Reads the field into a header, writes it out, compares it.
/// </summary>
internal abstract class NiftiProperty
{
    /// <summary><paramref name="h"/> with this property read from <paramref name="field"/> of <paramref name="bytes"/>.</summary>
    public abstract NiftiHeader Read(NiftiField field, NiftiHeader h, ReadOnlySpan<byte> bytes, bool big);

    /// <summary>Writes this property of <paramref name="h"/> as <paramref name="field"/>.</summary>
    public abstract void Write(NiftiField field, NiftiHeader h, Span<byte> bytes, bool big);

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> hold the same value (NaN equal to NaN).</summary>
    public abstract bool Same(NiftiHeader a, NiftiHeader b);

    public static NiftiProperty Integer(Func<NiftiHeader, long> get, Func<NiftiHeader, long, NiftiHeader> set) => new IntegerProperty(get, set);
    public static NiftiProperty Integers(Func<NiftiHeader, long[]> get, Func<NiftiHeader, long[], NiftiHeader> set) => new IntegersProperty(get, set);
    public static NiftiProperty Real(Func<NiftiHeader, double> get, Func<NiftiHeader, double, NiftiHeader> set) => new RealProperty(get, set);
    public static NiftiProperty Reals(Func<NiftiHeader, double[]> get, Func<NiftiHeader, double[], NiftiHeader> set) => new RealsProperty(get, set);
    public static NiftiProperty Text(Func<NiftiHeader, string> get, Func<NiftiHeader, string, NiftiHeader> set, Func<NiftiHeader, int, string>? encoded = null) =>
        new TextProperty(get, set, encoded);

    private sealed class IntegerProperty(Func<NiftiHeader, long> get, Func<NiftiHeader, long, NiftiHeader> set) : NiftiProperty
    {
        public override NiftiHeader Read(NiftiField f, NiftiHeader h, ReadOnlySpan<byte> bytes, bool big) => set(h, f.ReadInteger(bytes, 0, big));
        public override void Write(NiftiField f, NiftiHeader h, Span<byte> bytes, bool big) => f.WriteInteger(bytes, 0, get(h), big);
        public override bool Same(NiftiHeader a, NiftiHeader b) => get(a) == get(b);
    }

    // Each must fit its storage (dim: a NIfTI-2 size too large for NIfTI-1 is an error, not a wrapped number).
    private sealed class IntegersProperty(Func<NiftiHeader, long[]> get, Func<NiftiHeader, long[], NiftiHeader> set) : NiftiProperty
    {
        public override NiftiHeader Read(NiftiField f, NiftiHeader h, ReadOnlySpan<byte> bytes, bool big)
        {
            var values = new long[f.Count];
            for (int i = 0; i < values.Length; i++) values[i] = f.ReadInteger(bytes, i, big);
            return set(h, values);
        }

        public override void Write(NiftiField f, NiftiHeader h, Span<byte> bytes, bool big)
        {
            var values = get(h);
            for (int i = 0; i < f.Count; i++) f.WriteInteger(bytes, i, values[i], big, mustFit: true);
        }

        public override bool Same(NiftiHeader a, NiftiHeader b) => get(a).AsSpan().SequenceEqual(get(b));
    }

    private sealed class RealProperty(Func<NiftiHeader, double> get, Func<NiftiHeader, double, NiftiHeader> set) : NiftiProperty
    {
        public override NiftiHeader Read(NiftiField f, NiftiHeader h, ReadOnlySpan<byte> bytes, bool big) => set(h, f.ReadReal(bytes, 0, big));
        public override void Write(NiftiField f, NiftiHeader h, Span<byte> bytes, bool big) => f.WriteReal(bytes, 0, get(h), big);
        public override bool Same(NiftiHeader a, NiftiHeader b) => get(a).Equals(get(b));
    }

    private sealed class RealsProperty(Func<NiftiHeader, double[]> get, Func<NiftiHeader, double[], NiftiHeader> set) : NiftiProperty
    {
        public override NiftiHeader Read(NiftiField f, NiftiHeader h, ReadOnlySpan<byte> bytes, bool big)
        {
            var values = new double[f.Count];
            for (int i = 0; i < values.Length; i++) values[i] = f.ReadReal(bytes, i, big);
            return set(h, values);
        }

        public override void Write(NiftiField f, NiftiHeader h, Span<byte> bytes, bool big)
        {
            var values = get(h);
            for (int i = 0; i < f.Count; i++) f.WriteReal(bytes, i, values[i], big);
        }

        public override bool Same(NiftiHeader a, NiftiHeader b) => get(a).AsSpan().SequenceEqual(get(b));
    }

    // Latin-1 text read up to its first NUL; 'encoded' (given the field's length), when given, is what is written
    // instead of the property (the magic, which follows the file kind and the version).
    private sealed class TextProperty(Func<NiftiHeader, string> get, Func<NiftiHeader, string, NiftiHeader> set, Func<NiftiHeader, int, string>? encoded) : NiftiProperty
    {
        public override NiftiHeader Read(NiftiField f, NiftiHeader h, ReadOnlySpan<byte> bytes, bool big)
        {
            var s = bytes.Slice(f.Offset, f.Count);
            int end = s.IndexOf((byte)0);
            return set(h, Encoding.Latin1.GetString(end >= 0 ? s[..end] : s));
        }

        public override void Write(NiftiField f, NiftiHeader h, Span<byte> bytes, bool big)
        {
            var text = Encoding.Latin1.GetBytes(encoded is null ? get(h) : encoded(h, f.Count));
            text.AsSpan(0, Math.Min(f.Count, text.Length)).CopyTo(bytes.Slice(f.Offset, f.Count));
        }

        public override bool Same(NiftiHeader a, NiftiHeader b) => get(a) == get(b);
    }
}

public sealed partial record NiftiHeader
{
    /// <summary>Each field's property, by the standard's name: written once for both versions.</summary>
    internal static IReadOnlyDictionary<string, NiftiProperty> Properties { get; } = new Dictionary<string, NiftiProperty>(StringComparer.Ordinal)
    {
        ["dim_info"] = NiftiProperty.Integer(h => h.DimInfo, (h, v) => h with { DimInfo = (byte)v }),
        ["dim"] = NiftiProperty.Integers(h => h.Dim, (h, v) => h with { Dim = v }),
        ["intent_p1"] = NiftiProperty.Real(h => h.IntentP1, (h, v) => h with { IntentP1 = v }),
        ["intent_p2"] = NiftiProperty.Real(h => h.IntentP2, (h, v) => h with { IntentP2 = v }),
        ["intent_p3"] = NiftiProperty.Real(h => h.IntentP3, (h, v) => h with { IntentP3 = v }),
        ["intent_code"] = NiftiProperty.Integer(h => h.IntentCode, (h, v) => h with { IntentCode = (int)v }),
        ["datatype"] = NiftiProperty.Integer(h => (short)h.DataType, (h, v) => h with { DataType = (NiftiDataType)(short)v }),
        ["bitpix"] = NiftiProperty.Integer(h => h.Bitpix, (h, v) => h with { Bitpix = (int)v }),
        ["slice_start"] = NiftiProperty.Integer(h => h.SliceStart, (h, v) => h with { SliceStart = v }),
        ["pixdim"] = NiftiProperty.Reals(h => h.Pixdim, (h, v) => h with { Pixdim = v }),
        ["vox_offset"] = NiftiProperty.Integer(h => h.VoxOffset, (h, v) => h with { VoxOffset = v }),
        ["scl_slope"] = NiftiProperty.Real(h => h.SclSlope, (h, v) => h with { SclSlope = v }),
        ["scl_inter"] = NiftiProperty.Real(h => h.SclInter, (h, v) => h with { SclInter = v }),
        ["slice_end"] = NiftiProperty.Integer(h => h.SliceEnd, (h, v) => h with { SliceEnd = v }),
        ["slice_code"] = NiftiProperty.Integer(h => h.SliceCode, (h, v) => h with { SliceCode = (int)v }),
        ["xyzt_units"] = NiftiProperty.Integer(h => h.XyztUnits, (h, v) => h with { XyztUnits = (int)v }),
        ["cal_max"] = NiftiProperty.Real(h => h.CalMax, (h, v) => h with { CalMax = v }),
        ["cal_min"] = NiftiProperty.Real(h => h.CalMin, (h, v) => h with { CalMin = v }),
        ["slice_duration"] = NiftiProperty.Real(h => h.SliceDuration, (h, v) => h with { SliceDuration = v }),
        ["toffset"] = NiftiProperty.Real(h => h.Toffset, (h, v) => h with { Toffset = v }),
        ["descrip"] = NiftiProperty.Text(h => h.Descrip, (h, v) => h with { Descrip = v }),
        ["aux_file"] = NiftiProperty.Text(h => h.AuxFile, (h, v) => h with { AuxFile = v }),
        ["qform_code"] = NiftiProperty.Integer(h => h.QformCode, (h, v) => h with { QformCode = (int)v }),
        ["sform_code"] = NiftiProperty.Integer(h => h.SformCode, (h, v) => h with { SformCode = (int)v }),
        ["quatern_b"] = NiftiProperty.Real(h => h.QuaternB, (h, v) => h with { QuaternB = v }),
        ["quatern_c"] = NiftiProperty.Real(h => h.QuaternC, (h, v) => h with { QuaternC = v }),
        ["quatern_d"] = NiftiProperty.Real(h => h.QuaternD, (h, v) => h with { QuaternD = v }),
        ["qoffset_x"] = NiftiProperty.Real(h => h.QoffsetX, (h, v) => h with { QoffsetX = v }),
        ["qoffset_y"] = NiftiProperty.Real(h => h.QoffsetY, (h, v) => h with { QoffsetY = v }),
        ["qoffset_z"] = NiftiProperty.Real(h => h.QoffsetZ, (h, v) => h with { QoffsetZ = v }),
        ["srow_x"] = NiftiProperty.Reals(h => h.SrowX, (h, v) => h with { SrowX = v }),
        ["srow_y"] = NiftiProperty.Reals(h => h.SrowY, (h, v) => h with { SrowY = v }),
        ["srow_z"] = NiftiProperty.Reals(h => h.SrowZ, (h, v) => h with { SrowZ = v }),
        ["intent_name"] = NiftiProperty.Text(h => h.IntentName, (h, v) => h with { IntentName = v }),
        // written from the file kind: "n+1"/"ni1" in NIfTI-1's 4 bytes, "n+2"/"ni2" and the line-ending check bytes in
        // NIfTI-2's 8
        ["magic"] = NiftiProperty.Text(h => h.Magic, (h, v) => h with { Magic = v },
            (h, length) => (h.IsPair ? "ni" : "n+") + (length == 4 ? "1" : "2\0\r\n\u001a\n")),
    };

    /// <summary>
    /// The NIfTI-1 header (<c>nifti1.h</c>, nibabel's <c>header_dtd</c>): name, storage, offset (and count) of every
    /// field NiSharp keeps. The ANALYZE leftovers (<c>data_type</c>, <c>db_name</c>, <c>extents</c>,
    /// <c>session_error</c>, <c>glmax</c>, <c>glmin</c>) are left out: read as nothing, written as zeros, as nibabel
    /// writes them.
    /// </summary>
    internal static IReadOnlyList<NiftiField> Nifti1Layout { get; } =
    [
        new("sizeof_hdr", NiftiStorage.I32, 0) { Constant = Nifti1Size },
        new("regular", NiftiStorage.U8, 38) { Constant = 'r' }, // "regular", as nibabel writes
        new("dim_info", NiftiStorage.U8, 39),
        new("dim", NiftiStorage.I16, 40, 8),
        new("intent_p1", NiftiStorage.F32, 56),
        new("intent_p2", NiftiStorage.F32, 60),
        new("intent_p3", NiftiStorage.F32, 64),
        new("intent_code", NiftiStorage.I16, 68),
        new("datatype", NiftiStorage.I16, 70),
        new("bitpix", NiftiStorage.I16, 72),
        new("slice_start", NiftiStorage.I16, 74),
        new("pixdim", NiftiStorage.F32, 76, 8),
        new("vox_offset", NiftiStorage.F32, 108),
        new("scl_slope", NiftiStorage.F32, 112),
        new("scl_inter", NiftiStorage.F32, 116),
        new("slice_end", NiftiStorage.I16, 120),
        new("slice_code", NiftiStorage.U8, 122),
        new("xyzt_units", NiftiStorage.U8, 123),
        new("cal_max", NiftiStorage.F32, 124),
        new("cal_min", NiftiStorage.F32, 128),
        new("slice_duration", NiftiStorage.F32, 132),
        new("toffset", NiftiStorage.F32, 136),
        new("descrip", NiftiStorage.Text, 148, 80),
        new("aux_file", NiftiStorage.Text, 228, 24),
        new("qform_code", NiftiStorage.I16, 252),
        new("sform_code", NiftiStorage.I16, 254),
        new("quatern_b", NiftiStorage.F32, 256),
        new("quatern_c", NiftiStorage.F32, 260),
        new("quatern_d", NiftiStorage.F32, 264),
        new("qoffset_x", NiftiStorage.F32, 268),
        new("qoffset_y", NiftiStorage.F32, 272),
        new("qoffset_z", NiftiStorage.F32, 276),
        new("srow_x", NiftiStorage.F32, 280, 4),
        new("srow_y", NiftiStorage.F32, 296, 4),
        new("srow_z", NiftiStorage.F32, 312, 4),
        new("intent_name", NiftiStorage.Text, 328, 16),
        new("magic", NiftiStorage.Text, 344, 4),
    ];

    /// <summary>The NIfTI-2 header (<c>nifti2.h</c>, nibabel's <c>Nifti2Header</c>): the same fields, wider and in
    /// another order.</summary>
    internal static IReadOnlyList<NiftiField> Nifti2Layout { get; } =
    [
        new("sizeof_hdr", NiftiStorage.I32, 0) { Constant = Nifti2Size },
        new("magic", NiftiStorage.Text, 4, 8),
        new("datatype", NiftiStorage.I16, 12),
        new("bitpix", NiftiStorage.I16, 14),
        new("dim", NiftiStorage.I64, 16, 8),
        new("intent_p1", NiftiStorage.F64, 80),
        new("intent_p2", NiftiStorage.F64, 88),
        new("intent_p3", NiftiStorage.F64, 96),
        new("pixdim", NiftiStorage.F64, 104, 8),
        new("vox_offset", NiftiStorage.I64, 168),
        new("scl_slope", NiftiStorage.F64, 176),
        new("scl_inter", NiftiStorage.F64, 184),
        new("cal_max", NiftiStorage.F64, 192),
        new("cal_min", NiftiStorage.F64, 200),
        new("slice_duration", NiftiStorage.F64, 208),
        new("toffset", NiftiStorage.F64, 216),
        new("slice_start", NiftiStorage.I64, 224),
        new("slice_end", NiftiStorage.I64, 232),
        new("descrip", NiftiStorage.Text, 240, 80),
        new("aux_file", NiftiStorage.Text, 320, 24),
        new("qform_code", NiftiStorage.I32, 344),
        new("sform_code", NiftiStorage.I32, 348),
        new("quatern_b", NiftiStorage.F64, 352),
        new("quatern_c", NiftiStorage.F64, 360),
        new("quatern_d", NiftiStorage.F64, 368),
        new("qoffset_x", NiftiStorage.F64, 376),
        new("qoffset_y", NiftiStorage.F64, 384),
        new("qoffset_z", NiftiStorage.F64, 392),
        new("srow_x", NiftiStorage.F64, 400, 4),
        new("srow_y", NiftiStorage.F64, 432, 4),
        new("srow_z", NiftiStorage.F64, 464, 4),
        new("slice_code", NiftiStorage.I32, 496),
        new("xyzt_units", NiftiStorage.I32, 500),
        new("intent_code", NiftiStorage.I32, 504),
        new("intent_name", NiftiStorage.Text, 508, 16),
        new("dim_info", NiftiStorage.U8, 524),
    ];

    /// <summary>The layout of NIfTI-<paramref name="version"/>.</summary>
    internal static IReadOnlyList<NiftiField> LayoutOf(int version) => version == 1 ? Nifti1Layout : Nifti2Layout;

    /// <summary>A header with every field of <paramref name="layout"/> read from <paramref name="bytes"/>.</summary>
    private static NiftiHeader Read(IReadOnlyList<NiftiField> layout, ReadOnlySpan<byte> bytes, bool big)
    {
        var h = new NiftiHeader();
        foreach (var field in layout)
            if (field.Constant is null) h = Properties[field.Name].Read(field, h, bytes, big);
        return h;
    }

    /// <summary>Writes every field of <paramref name="layout"/> of <paramref name="h"/> into <paramref name="bytes"/>
    /// (zeros elsewhere).</summary>
    private static void Write(IReadOnlyList<NiftiField> layout, NiftiHeader h, Span<byte> bytes, bool big)
    {
        foreach (var field in layout)
        {
            if (field.Constant is long value) field.WriteInteger(bytes, 0, value, big);
            else Properties[field.Name].Write(field, h, bytes, big);
        }
    }
}
