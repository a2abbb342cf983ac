namespace NiSharp.Nifti;

/// <summary>NIfTI <c>datatype</c> codes (nifti1.h). Only the numeric real types are supported for voxel data.</summary>
public enum NiftiDataType : short
{
    /// <summary>Unknown / not set.</summary>
    Unknown = 0,
    /// <summary>1-bit binary (unsupported).</summary>
    Binary = 1,
    /// <summary>unsigned 8-bit integer.</summary>
    UInt8 = 2,
    /// <summary>signed 16-bit integer.</summary>
    Int16 = 4,
    /// <summary>signed 32-bit integer.</summary>
    Int32 = 8,
    /// <summary>32-bit IEEE float.</summary>
    Float32 = 16,
    /// <summary>64-bit complex (unsupported).</summary>
    Complex64 = 32,
    /// <summary>64-bit IEEE float.</summary>
    Float64 = 64,
    /// <summary>RGB triple of bytes (unsupported).</summary>
    Rgb24 = 128,
    /// <summary>signed 8-bit integer.</summary>
    Int8 = 256,
    /// <summary>unsigned 16-bit integer.</summary>
    UInt16 = 512,
    /// <summary>unsigned 32-bit integer.</summary>
    UInt32 = 768,
    /// <summary>signed 64-bit integer.</summary>
    Int64 = 1024,
    /// <summary>unsigned 64-bit integer.</summary>
    UInt64 = 1280,
    /// <summary>128-bit float (unsupported).</summary>
    Float128 = 1536,
    /// <summary>128-bit complex (unsupported).</summary>
    Complex128 = 1792,
    /// <summary>256-bit complex (unsupported).</summary>
    Complex256 = 2048,
    /// <summary>RGBA quadruple of bytes (unsupported).</summary>
    Rgba32 = 2304,
}

/// <summary>Facts about <see cref="NiftiDataType"/> values.</summary>
public static class NiftiDataTypes
{
    /// <summary>Whether NiSharp reads and writes voxel data of this type.</summary>
    public static bool IsSupported(this NiftiDataType t) => t switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 or NiftiDataType.Int16 or NiftiDataType.UInt16 or
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Int64 or NiftiDataType.UInt64 or
        NiftiDataType.Float32 or NiftiDataType.Float64 => true,
        _ => false,
    };

    /// <summary>Whether the type is an integer type.</summary>
    public static bool IsInteger(this NiftiDataType t) => t.IsSupported() && t is not (NiftiDataType.Float32 or NiftiDataType.Float64);

    /// <summary>Bytes per voxel of a supported type (0 for unsupported ones).</summary>
    public static int ByteSize(this NiftiDataType t) => t switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 => 4,
        NiftiDataType.Int64 or NiftiDataType.UInt64 or NiftiDataType.Float64 => 8,
        NiftiDataType.Rgb24 => 3,
        NiftiDataType.Rgba32 => 4,
        NiftiDataType.Complex64 => 8,
        NiftiDataType.Complex128 or NiftiDataType.Float128 => 16,
        NiftiDataType.Complex256 => 32,
        _ => 0,
    };

    /// <summary>The numpy name of the type (<c>int16</c>, <c>float32</c>, …), as nibabel reports it.</summary>
    public static string NumpyName(this NiftiDataType t) => t switch
    {
        NiftiDataType.UInt8 => "uint8",
        NiftiDataType.Int8 => "int8",
        NiftiDataType.Int16 => "int16",
        NiftiDataType.UInt16 => "uint16",
        NiftiDataType.Int32 => "int32",
        NiftiDataType.UInt32 => "uint32",
        NiftiDataType.Int64 => "int64",
        NiftiDataType.UInt64 => "uint64",
        NiftiDataType.Float32 => "float32",
        NiftiDataType.Float64 => "float64",
        NiftiDataType.Complex64 => "complex64",
        NiftiDataType.Complex128 => "complex128",
        NiftiDataType.Complex256 => "complex256",
        NiftiDataType.Float128 => "float128",
        NiftiDataType.Rgb24 => "RGB",
        NiftiDataType.Rgba32 => "RGBA",
        NiftiDataType.Binary => "bool",
        _ => $"code {(short)t}",
    };

    /// <summary>Parses a numpy-style name (<c>float32</c>, <c>int16</c>, <c>uint8</c>…).</summary>
    public static NiftiDataType Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "uint8" or "u1" => NiftiDataType.UInt8,
        "int8" or "i1" => NiftiDataType.Int8,
        "int16" or "i2" => NiftiDataType.Int16,
        "uint16" or "u2" => NiftiDataType.UInt16,
        "int32" or "i4" => NiftiDataType.Int32,
        "uint32" or "u4" => NiftiDataType.UInt32,
        "int64" or "i8" => NiftiDataType.Int64,
        "uint64" or "u8" => NiftiDataType.UInt64,
        "float32" or "f4" or "float" => NiftiDataType.Float32,
        "float64" or "f8" or "double" => NiftiDataType.Float64,
        _ => throw new NiSharpException($"unknown data type '{name}' (use one of uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64)"),
    };

    /// <summary>The NIfTI type that stores a .NET element type exactly.</summary>
    public static NiftiDataType For<T>() where T : unmanaged
    {
        var t = typeof(T);
        if (t == typeof(byte)) return NiftiDataType.UInt8;
        if (t == typeof(sbyte)) return NiftiDataType.Int8;
        if (t == typeof(short)) return NiftiDataType.Int16;
        if (t == typeof(ushort)) return NiftiDataType.UInt16;
        if (t == typeof(int)) return NiftiDataType.Int32;
        if (t == typeof(uint)) return NiftiDataType.UInt32;
        if (t == typeof(long)) return NiftiDataType.Int64;
        if (t == typeof(ulong)) return NiftiDataType.UInt64;
        if (t == typeof(float)) return NiftiDataType.Float32;
        if (t == typeof(double)) return NiftiDataType.Float64;
        throw new NotSupportedException($"no NIfTI type for {t.Name}");
    }
}
