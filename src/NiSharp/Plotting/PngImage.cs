using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace NiSharp.Plotting;

/// <summary>
/// A small PNG encoder for the pictures inside vector figures (a slice at its voxel size, a heatmap at one pixel per
/// cell): 8-bit RGB or RGBA, no filter, zlib from the runtime. Written by hand so that a page of vector figures needs
/// no raster engine at all: loading and starting one cost more than the science in a one-subject process.
/// </summary>
public static class PngImage
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Encodes <paramref name="width"/> × <paramref name="height"/> colours (row-major, top row first) as a PNG:
    /// RGB when every colour is opaque, RGBA otherwise.</summary>
    public static byte[] Encode(ReadOnlySpan<SKColor> pixels, int width, int height)
    {
        var png = new MemoryStream();
        Encode(pixels, width, height, png);
        return png.ToArray();
    }

    // The compressed rows of this thread's pictures, reused from one picture to the next: a page encodes several, each
    // copied out at once, and fresh memory costs more than the encoding.
    [ThreadStatic] private static MemoryStream? t_idat;

    /// <summary><see cref="Encode(ReadOnlySpan{SKColor}, int, int)"/> written into <paramref name="png"/> at its position.</summary>
    internal static void Encode(ReadOnlySpan<SKColor> pixels, int width, int height, MemoryStream png)
    {
        if (width <= 0 || height <= 0 || pixels.Length != width * height)
            throw new ArgumentException($"{pixels.Length} pixels for a {width}×{height} image");
        bool alpha = false;
        foreach (var p in pixels) if (p.Alpha != 255) { alpha = true; break; }
        int channels = alpha ? 4 : 3, stride = width * channels + 1;
        var idat = t_idat ??= new MemoryStream();
        idat.SetLength(0);
        // Row by row into the compressor: no whole raw copy. The fastest level: these are small, flat-coloured pictures
        // that compress well anyway, and the page is written in every participant process.
        var row = System.Buffers.ArrayPool<byte>.Shared.Rent(stride);
        try
        {
            using var z = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true);
            row[0] = 0; // filter "None"
            for (int y = 0; y < height; y++)
            {
                var line = pixels.Slice(y * width, width);
                for (int x = 0, p = 1; x < width; x++, p += channels)
                {
                    var c = line[x];
                    row[p] = c.Red; row[p + 1] = c.Green; row[p + 2] = c.Blue;
                    if (alpha) row[p + 3] = c.Alpha;
                }
                z.Write(row, 0, stride);
            }
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(row); }

        png.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;                       // bits per channel
        header[9] = (byte)(alpha ? 6 : 2);   // colour type: RGBA or RGB
        header[10] = header[11] = header[12] = 0; // deflate, adaptive filtering (each row's filter byte), no interlace
        Chunk(png, "IHDR"u8, header);
        Chunk(png, "IDAT"u8, idat.GetBuffer().AsSpan(0, (int)idat.Length));
        Chunk(png, "IEND"u8, []);
    }

    private static void Chunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        s.Write(four);
        s.Write(type);
        s.Write(data);
        // The chunk's CRC-32 (ISO 3309, as PNG specifies) over its type and data: the runtime's, vectorised.
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(four, crc.GetCurrentHashAsUInt32());
        s.Write(four);
    }
}
