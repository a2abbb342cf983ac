using System.IO.Compression;
using System.IO.MemoryMappedFiles;

namespace NiSharp.Nifti;

/// <summary>Where voxel bytes come from: positional reads over the (decompressed) file content.</summary>
internal interface IVoxelSource : IDisposable
{
    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/> of the decompressed content.</summary>
    void Read(long offset, Span<byte> destination);

    /// <summary>Reads to the end of the stream so that gzip's CRC and length are verified.</summary>
    void VerifyEnd();
}

/// <summary>An uncompressed file, memory-mapped: random access at the cost of a copy per read.</summary>
internal sealed unsafe class MappedVoxelSource : IVoxelSource
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long _length;
    private readonly string _path;

    public MappedVoxelSource(string path, long length)
    {
        _path = path;
        _length = length;
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
    }

    /// <summary>The first byte of the mapped file, for readers that gather in place (valid until disposed).</summary>
    public byte* Pointer => _base;

    /// <summary>The file's length in bytes.</summary>
    public long Length => _length;

    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > _length)
            throw new NiSharpException(_path, $"truncated data: needs bytes up to {offset + destination.Length} but the file has {_length}");
        new ReadOnlySpan<byte>(_base + offset, destination.Length).CopyTo(destination);
    }

    public void VerifyEnd() { }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}

/// <summary>
/// A gzip file read sequentially: reads at increasing offsets stream through the decompressor without
/// inflating the whole file; a read behind the current position reopens the stream.
/// </summary>
internal sealed class GzipVoxelSource : IVoxelSource
{
    private readonly string _path;
    private FileStream? _file;
    private GZipStream? _gz;
    private long _position;
    private byte[]? _skip;

    public GzipVoxelSource(string path)
    {
        _path = path;
        Reopen();
    }

    private void Reopen()
    {
        _gz?.Dispose();
        _file?.Dispose();
        _file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        _gz = new GZipStream(_file, CompressionMode.Decompress);
        _position = 0;
    }

    public void Read(long offset, Span<byte> destination)
    {
        if (offset < _position) Reopen();
        Skip(offset - _position);
        Fill(destination, offset);
        _position = offset + destination.Length;
    }

    private void Skip(long count)
    {
        if (count <= 0) return;
        _skip ??= new byte[1 << 16];
        while (count > 0)
        {
            int n = (int)Math.Min(count, _skip.Length);
            Fill(_skip.AsSpan(0, n), _position);
            _position += n;
            count -= n;
        }
    }

    private void Fill(Span<byte> destination, long offset)
    {
        int done = 0;
        try
        {
            while (done < destination.Length)
            {
                int n = _gz!.Read(destination[done..]);
                if (n == 0)
                    throw new NiSharpException(_path, $"truncated data: the decompressed file ends at byte {offset + done} but the header needs data up to byte {offset + destination.Length}");
                done += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(_path, e);
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw new NiSharpException(_path, $"cannot read: {e.Message}", e);
        }
    }

    public void VerifyEnd()
    {
        _skip ??= new byte[1 << 16];
        long total = _position;
        try
        {
            int n;
            while ((n = _gz!.Read(_skip)) > 0) total += n;
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(_path, e);
        }
        CheckTrailer(total);
    }

    /// <summary>
    /// .NET's GZipStream stops quietly at bytes that do not start another gzip member, where Python's gzip
    /// (hence nibabel) refuses the file. A single-member file ends with ISIZE, the decompressed length
    /// mod 2^32; appended bytes replace it. Zero padding after the member (which Python allows) and BGZF
    /// files (many members, ending with an empty one) are accepted.
    /// </summary>
    private void CheckTrailer(long total)
    {
        var f = _file!;
        long length = f.Length;
        int tailLength = (int)Math.Min(length, (1 << 16) + 4);
        if (tailLength < 4) return;
        var tail = new byte[tailLength];
        long saved = f.Position;
        try
        {
            f.Position = length - tailLength;
            f.ReadExactly(tail);
            uint isize = (uint)total;
            int zeros = 0;
            while (zeros < tailLength - 4 && tail[tailLength - 1 - zeros] == 0) zeros++;
            for (int k = 0; k <= zeros; k++)
                if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(tailLength - 4 - k)) == isize) return;
            f.Position = 0;
            Span<byte> head = stackalloc byte[16];
            int got = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            // BGZF: FEXTRA set and a 'BC' subfield first.
            if (got >= 14 && (head[3] & 4) != 0 && head[12] == (byte)'B' && head[13] == (byte)'C') return;
        }
        catch (IOException e)
        {
            throw new NiSharpException(_path, $"cannot read: {e.Message}", e);
        }
        finally
        {
            f.Position = saved;
        }
        throw new NiSharpException(_path, "corrupt gzip data: the file goes on after its compressed stream ends (trailing garbage), or the stream's recorded length is wrong");
    }

    /// <summary>The error for a damaged gzip stream. .NET reports every zlib data error (a bad CRC, a
    /// broken block, a bad header) as an "unsupported compression method", which misleads, so say what it is.</summary>
    internal static NiSharpException Corrupt(string path, InvalidDataException e) =>
        new(path, "corrupt gzip data: the compressed stream is damaged or fails its checksum (copy or download the file again)", e);

    public void Dispose()
    {
        _gz?.Dispose();
        _file?.Dispose();
    }
}
