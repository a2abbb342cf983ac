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
            throw new NiSharpException(_path, $"corrupt gzip data ({e.Message.TrimEnd('.')})", e);
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw new NiSharpException(_path, $"cannot read: {e.Message}", e);
        }
    }

    public void VerifyEnd()
    {
        _skip ??= new byte[1 << 16];
        try
        {
            while (_gz!.Read(_skip) > 0) { }
        }
        catch (InvalidDataException e)
        {
            throw new NiSharpException(_path, $"corrupt gzip data ({e.Message.TrimEnd('.')})", e);
        }
    }

    public void Dispose()
    {
        _gz?.Dispose();
        _file?.Dispose();
    }
}
