using System.Buffers.Binary;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NiSharp.Nifti;

/// <summary>
/// Converts raw voxel bytes between the on-disk type/byte order and .NET element types, applying
/// <c>scl_slope</c>/<c>scl_inter</c>. Span in, span out: callers own the memory.
/// </summary>
internal static class VoxelConversion
{
    /// <summary>Swaps the byte order of raw elements of <paramref name="elementSize"/> bytes in place.</summary>
    public static void SwapInPlace(Span<byte> raw, int elementSize)
    {
        switch (elementSize)
        {
            case 1: return;
            case 2: var s = MemoryMarshal.Cast<byte, short>(raw); BinaryPrimitives.ReverseEndianness(s, s); return;
            case 4: var i = MemoryMarshal.Cast<byte, int>(raw); BinaryPrimitives.ReverseEndianness(i, i); return;
            case 8: var l = MemoryMarshal.Cast<byte, long>(raw); BinaryPrimitives.ReverseEndianness(l, l); return;
            default: throw new ArgumentOutOfRangeException(nameof(elementSize));
        }
    }

    /// <summary>
    /// Decodes raw native-order voxels of type <paramref name="type"/> into <paramref name="dst"/>,
    /// then applies <c>value·slope + inter</c> when scaling is not the identity.
    /// Integer destinations receive scaled values rounded to nearest and saturated.
    /// </summary>
    public static void Decode<T>(ReadOnlySpan<byte> raw, NiftiDataType type, double slope, double inter, Span<T> dst)
        where T : unmanaged, INumber<T>
    {
        bool scaled = slope != 1 || inter != 0;
        if (scaled && !IsFloat<T>())
        {
            DecodeScaledToInteger(raw, type, slope, inter, dst);
            return;
        }
        switch (type)
        {
            case NiftiDataType.UInt8: Convert(MemoryMarshal.Cast<byte, byte>(raw), dst); break;
            case NiftiDataType.Int8: Convert(MemoryMarshal.Cast<byte, sbyte>(raw), dst); break;
            case NiftiDataType.Int16: Convert(MemoryMarshal.Cast<byte, short>(raw), dst); break;
            case NiftiDataType.UInt16: Convert(MemoryMarshal.Cast<byte, ushort>(raw), dst); break;
            case NiftiDataType.Int32: Convert(MemoryMarshal.Cast<byte, int>(raw), dst); break;
            case NiftiDataType.UInt32: Convert(MemoryMarshal.Cast<byte, uint>(raw), dst); break;
            case NiftiDataType.Int64: Convert(MemoryMarshal.Cast<byte, long>(raw), dst); break;
            case NiftiDataType.UInt64: Convert(MemoryMarshal.Cast<byte, ulong>(raw), dst); break;
            case NiftiDataType.Float32: Convert(MemoryMarshal.Cast<byte, float>(raw), dst); break;
            case NiftiDataType.Float64: Convert(MemoryMarshal.Cast<byte, double>(raw), dst); break;
            default: throw new NotSupportedException($"datatype {type}");
        }
        if (scaled)
        {
            if (typeof(T) == typeof(float))
            {
                var f = MemoryMarshal.Cast<T, float>(dst);
                TensorPrimitives.Multiply(f, (float)slope, f);
                TensorPrimitives.Add(f, (float)inter, f);
            }
            else
            {
                var d = MemoryMarshal.Cast<T, double>(dst);
                TensorPrimitives.Multiply(d, slope, d);
                TensorPrimitives.Add(d, inter, d);
            }
        }
    }

    private static bool IsFloat<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    private static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> src, Span<TTo> dst)
        where TFrom : unmanaged, INumber<TFrom> where TTo : unmanaged, INumber<TTo>
    {
        if (typeof(TFrom) == typeof(TTo))
        {
            MemoryMarshal.Cast<TFrom, TTo>(src).CopyTo(dst);
            return;
        }
        // Truncating matches numpy's astype for integer widening and float narrowing.
        TensorPrimitives.ConvertTruncating(src, dst);
    }

    private static void DecodeScaledToInteger<T>(ReadOnlySpan<byte> raw, NiftiDataType type, double slope, double inter, Span<T> dst)
        where T : unmanaged, INumber<T>
    {
        const int chunk = 4096;
        Span<double> tmp = stackalloc double[chunk];
        int size = type.ByteSize();
        for (int start = 0; start < dst.Length; start += chunk)
        {
            int n = Math.Min(chunk, dst.Length - start);
            Decode(raw.Slice(start * size, n * size), type, slope, inter, tmp[..n]);
            for (int i = 0; i < n; i++) dst[start + i] = T.CreateSaturating(Math.Round(tmp[i]));
        }
    }

    /// <summary>
    /// Encodes values into raw native-order bytes of <paramref name="type"/>. Values going to an integer
    /// type are rounded to nearest and saturated (NaN → 0), as a cast after <c>np.round</c> and <c>np.clip</c>.
    /// </summary>
    public static void Encode<T>(ReadOnlySpan<T> src, NiftiDataType type, Span<byte> raw)
        where T : unmanaged, INumber<T>
    {
        switch (type)
        {
            case NiftiDataType.UInt8: EncodeTo(src, MemoryMarshal.Cast<byte, byte>(raw)); break;
            case NiftiDataType.Int8: EncodeTo(src, MemoryMarshal.Cast<byte, sbyte>(raw)); break;
            case NiftiDataType.Int16: EncodeTo(src, MemoryMarshal.Cast<byte, short>(raw)); break;
            case NiftiDataType.UInt16: EncodeTo(src, MemoryMarshal.Cast<byte, ushort>(raw)); break;
            case NiftiDataType.Int32: EncodeTo(src, MemoryMarshal.Cast<byte, int>(raw)); break;
            case NiftiDataType.UInt32: EncodeTo(src, MemoryMarshal.Cast<byte, uint>(raw)); break;
            case NiftiDataType.Int64: EncodeTo(src, MemoryMarshal.Cast<byte, long>(raw)); break;
            case NiftiDataType.UInt64: EncodeTo(src, MemoryMarshal.Cast<byte, ulong>(raw)); break;
            case NiftiDataType.Float32: EncodeTo(src, MemoryMarshal.Cast<byte, float>(raw)); break;
            case NiftiDataType.Float64: EncodeTo(src, MemoryMarshal.Cast<byte, double>(raw)); break;
            default: throw new NotSupportedException($"datatype {type}");
        }
    }

    private static void EncodeTo<TFrom, TTo>(ReadOnlySpan<TFrom> src, Span<TTo> dst)
        where TFrom : unmanaged, INumber<TFrom> where TTo : unmanaged, INumber<TTo>
    {
        if (typeof(TFrom) == typeof(TTo))
        {
            MemoryMarshal.Cast<TFrom, TTo>(src).CopyTo(dst);
            return;
        }
        bool toInteger = !IsFloat<TTo>();
        bool fromFloat = IsFloat<TFrom>();
        if (toInteger && fromFloat)
        {
            for (int i = 0; i < src.Length; i++)
            {
                double v = double.CreateTruncating(src[i]);
                dst[i] = double.IsNaN(v) ? TTo.Zero : TTo.CreateSaturating(Math.Round(v));
            }
        }
        else if (toInteger)
        {
            for (int i = 0; i < src.Length; i++) dst[i] = TTo.CreateSaturating(src[i]);
        }
        else
        {
            TensorPrimitives.ConvertTruncating(src, dst);
        }
    }
}
