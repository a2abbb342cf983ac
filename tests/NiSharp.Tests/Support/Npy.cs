using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace NiSharp.Tests.Support;

/// <summary>Reads numpy <c>.npy</c> files (format 1.0, C order, little-endian f4/f8/i8/b1) as the fixtures use.</summary>
public sealed class NpyArray
{
    /// <summary>Shape, numpy order.</summary>
    public int[] Shape { get; init; } = [];
    /// <summary>Values in C order, as double.</summary>
    public double[] Data { get; init; } = [];
    /// <summary>numpy dtype string, e.g. <c>&lt;f8</c>.</summary>
    public string Descr { get; init; } = "";

    /// <summary>Rows (first dim).</summary>
    public int Rows => Shape.Length > 0 ? Shape[0] : 1;
    /// <summary>Columns (second dim, 1 for a vector).</summary>
    public int Cols => Shape.Length > 1 ? Shape[1] : 1;
    /// <summary>Element (r, c) of a 2D array.</summary>
    public double this[int r, int c] => Data[r * Cols + c];

    /// <summary>As a jagged array of rows.</summary>
    public double[][] ToRows() => Enumerable.Range(0, Rows).Select(r => Data.AsSpan(r * Cols, Cols).ToArray()).ToArray();

    /// <summary>Reorders column-major (first axis fastest) values into C order.</summary>
    private static double[] FortranToC(double[] f, int[] shape)
    {
        var c = new double[f.Length];
        var idx = new int[shape.Length];
        for (int k = 0; k < f.Length; k++)
        {
            // idx is the multi-index of Fortran position k; its C position is computed from it.
            long pos = 0;
            for (int d = 0; d < shape.Length; d++) pos = pos * shape[d] + idx[d];
            c[pos] = f[k];
            for (int d = 0; d < shape.Length; d++)
            {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return c;
    }

    /// <summary>Loads a .npy file (C or Fortran order; values are returned in C order).</summary>
    public static NpyArray Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY") throw new InvalidDataException($"{path}: not npy");
        int major = bytes[6];
        int headerLen, start;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); start = 10; }
        else { headerLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); start = 12; }
        var header = Encoding.ASCII.GetString(bytes, start, headerLen);
        var descr = Regex.Match(header, "'descr':\\s*'([^']+)'").Groups[1].Value;
        bool fortran = Regex.IsMatch(header, "'fortran_order':\\s*True");
        var shapeText = Regex.Match(header, "'shape':\\s*\\(([^)]*)\\)").Groups[1].Value;
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var data = new double[n];
        var body = bytes.AsSpan(start + headerLen);
        for (int i = 0; i < n; i++)
        {
            data[i] = descr switch
            {
                "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(body[(8 * i)..]),
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(body[(4 * i)..]),
                "<i8" => BinaryPrimitives.ReadInt64LittleEndian(body[(8 * i)..]),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(body[(4 * i)..]),
                "|b1" => body[i],
                _ => throw new NotSupportedException(descr),
            };
        }
        if (fortran) data = FortranToC(data, shape);
        return new NpyArray { Shape = shape, Data = data, Descr = descr };
    }
}
