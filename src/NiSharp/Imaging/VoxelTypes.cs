using System.Numerics;
using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>A computation that is generic in the voxel type, run with the type chosen at run time from a file's datatype.</summary>
public interface IVoxelTypeFunc<out TResult>
{
    /// <summary>Runs the computation with voxels of type <typeparamref name="T"/>.</summary>
    TResult Invoke<T>() where T : unmanaged, INumber<T>;
}

/// <summary>
/// Maps NIfTI datatypes to .NET voxel types, so that operations that keep the dtype (slicing, nearest
/// resampling, relabelling) read and write a file's voxels exactly as stored.
/// </summary>
public static class VoxelTypes
{
    /// <summary>
    /// The type nibabel hands out for the file's data (<c>np.asanyarray(img.dataobj)</c>): the stored type,
    /// or a float type when <c>scl_slope</c>/<c>scl_inter</c> scale the values.
    /// </summary>
    public static NiftiDataType InMemoryType(NiftiFile file) => InMemoryType(file.Header);

    /// <inheritdoc cref="InMemoryType(NiftiFile)"/>
    public static NiftiDataType InMemoryType(NiftiHeader header)
    {
        var t = header.DataType;
        if (!header.HasScaling) return t;
        return t is NiftiDataType.UInt8 or NiftiDataType.Int8 or NiftiDataType.Int16 or NiftiDataType.UInt16 or NiftiDataType.Float32
            ? NiftiDataType.Float32
            : NiftiDataType.Float64;
    }

    /// <summary>Runs <paramref name="func"/> with the .NET type that holds <paramref name="type"/> exactly.</summary>
    public static TResult Dispatch<TResult>(NiftiDataType type, IVoxelTypeFunc<TResult> func) => type switch
    {
        NiftiDataType.UInt8 => func.Invoke<byte>(),
        NiftiDataType.Int8 => func.Invoke<sbyte>(),
        NiftiDataType.Int16 => func.Invoke<short>(),
        NiftiDataType.UInt16 => func.Invoke<ushort>(),
        NiftiDataType.Int32 => func.Invoke<int>(),
        NiftiDataType.UInt32 => func.Invoke<uint>(),
        NiftiDataType.Int64 => func.Invoke<long>(),
        NiftiDataType.UInt64 => func.Invoke<ulong>(),
        NiftiDataType.Float32 => func.Invoke<float>(),
        NiftiDataType.Float64 => func.Invoke<double>(),
        _ => throw new NiSharpException($"unsupported datatype {type.NumpyName()}"),
    };

    /// <summary>Whether <typeparamref name="T"/> is a floating-point type.</summary>
    public static bool IsFloat<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half);

    /// <summary>Whether <typeparamref name="T"/> is a signed integer type (numpy dtype kind <c>'i'</c>).</summary>
    public static bool IsSignedInteger<T>() =>
        typeof(T) == typeof(sbyte) || typeof(T) == typeof(short) || typeof(T) == typeof(int) || typeof(T) == typeof(long);

    /// <summary>
    /// Stores an interpolated value into <typeparamref name="T"/> as <c>scipy.ndimage</c> does: floats are cast,
    /// integers are rounded half away from zero (unsigned: negatives become 0) and clamped to the type's range.
    /// </summary>
    public static T FromInterpolated<T>(double t) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float)) return (T)(object)(float)t;
        if (typeof(T) == typeof(double)) return (T)(object)t;
        if (double.IsNaN(t)) return T.Zero;
        bool unsigned = typeof(T) == typeof(byte) || typeof(T) == typeof(ushort) || typeof(T) == typeof(uint) || typeof(T) == typeof(ulong);
        double r = unsigned ? (t > 0 ? t + 0.5 : 0) : (t > 0 ? t + 0.5 : t - 0.5);
        return T.CreateSaturating(Math.Truncate(r));
    }
}
