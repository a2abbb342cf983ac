using System.Buffers;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using NiSharp.IO;

namespace NiSharp.Nifti;

/// <summary>
/// An opened NIfTI file (nibabel's image with an array proxy): opening reads and checks the header
/// only; voxel data stay on disk until asked for, one volume (or a few) at a time. Volumes read in
/// increasing order stream through gzip without inflating the whole file; uncompressed files are
/// memory-mapped for random access. Not thread-safe: open one per thread.
/// </summary>
public sealed class NiftiFile : IDisposable
{
    private readonly IVoxelSource _source;
    private readonly bool _swap;
    private readonly (double Slope, double Inter) _scaling;

    /// <summary>The path the image was opened from (the header file for a .hdr/.img pair).</summary>
    public string Path { get; }

    /// <summary>The file holding the voxels (differs from <see cref="Path"/> for .hdr/.img pairs).</summary>
    public string DataPath { get; }

    /// <summary>The parsed header.</summary>
    public NiftiHeader Header { get; }

    /// <summary>Voxel-to-world affine, derived as nibabel does (sform, else qform, else pixdim).</summary>
    public Affine Affine { get; }

    /// <summary>Whether the voxel file is gzip-compressed.</summary>
    public bool IsCompressed { get; }

    /// <summary>The shape as stored (<c>dim[1..dim[0]]</c>), trailing singleton dimensions included.</summary>
    public int[] Shape => Header.Shape;

    /// <summary>The first three dimensions (1 where the image has fewer).</summary>
    public int[] SpatialShape { get; }

    /// <summary>Number of volumes: the product of dimensions 4 and above (1 for a 3D image).</summary>
    public int VolumeCount { get; }

    /// <summary>Voxels in one volume.</summary>
    public int VoxelsPerVolume { get; }

    /// <summary>The on-disk datatype.</summary>
    public NiftiDataType DataType => Header.DataType;

    /// <summary>Seconds between volumes, or null for images without a time dimension.</summary>
    public double? RepetitionTime => Header.RepetitionTime;

    private NiftiFile(string path, string dataPath, NiftiHeader header, IVoxelSource source, bool compressed)
    {
        Path = path;
        DataPath = dataPath;
        Header = header;
        _source = source;
        IsCompressed = compressed;
        _swap = header.IsBigEndian != !BitConverter.IsLittleEndian;
        _scaling = header.EffectiveScaling;
        var d = header.Dim;
        SpatialShape = [(int)d[1], header.NDim >= 2 ? (int)d[2] : 1, header.NDim >= 3 ? (int)d[3] : 1];
        long vols = 1;
        for (int i = 4; i <= header.NDim; i++) vols *= d[i];
        VolumeCount = (int)vols;
        VoxelsPerVolume = SpatialShape[0] * SpatialShape[1] * SpatialShape[2];
        Affine = header.GetBestAffine();
        if (!Affine.IsFinite)
        {
            source.Dispose();
            throw new NiSharpException(path, "invalid affine: it contains NaN or infinite values");
        }
        // A zero column or coplanar axes leave voxels without a position in space: every resampling or
        // grid check would fail later with a linear-algebra error, so say it here, naming the file.
        var (sx, sy, sz) = Affine.VoxelSizes;
        if (!(Math.Abs(Affine.Determinant3x3) > 1e-12 * sx * sy * sz) || sx * sy * sz == 0)
        {
            source.Dispose();
            throw new NiSharpException(path, $"invalid affine: it is singular (voxel sizes {sx:0.###}×{sy:0.###}×{sz:0.###} mm, determinant {Affine.Determinant3x3:0.###}), so voxels have no position in space");
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> (<c>.nii</c>, <c>.nii.gz</c>, or a <c>.hdr</c>/<c>.img</c> pair), reading
    /// only the header. Fails with a one-line <see cref="NiSharpException"/> naming the file for every
    /// kind of bad input, before any voxel buffer is allocated.
    /// </summary>
    public static NiftiFile Open(string path)
    {
        if (Directory.Exists(path)) throw new NiSharpException(path, "is a folder, not a NIfTI file");
        // Only a regular file (a FIFO would block, /dev/zero never ends), links followed (DataLad datasets are links).
        long length = InputFile.Check(path).Length;
        if (length == 0) throw new NiSharpException(path, "empty file");
        bool gz;
        byte[] headerBytes;
        try
        {
            using var fs = InputFile.OpenRead(path);
            gz = IsGzip(fs);
            fs.Position = 0;
            headerBytes = ReadHeaderBytes(fs, path, gz);
        }
        catch (UnauthorizedAccessException e) { throw new NiSharpException(path, "cannot read: permission denied", e); }
        catch (IOException e) { throw new NiSharpException(path, $"cannot read: {e.Message}", e); }
        var header = NiftiHeader.Parse(headerBytes, path);

        string dataPath = path;
        bool dataGz = gz;
        if (header.IsPair)
        {
            dataPath = PairedImagePath(path);
            if (!File.Exists(dataPath)) throw new NiSharpException(path, $"the header's data file {System.IO.Path.GetFileName(dataPath)} is missing");
            using var fs = InputFile.OpenRead(dataPath);
            dataGz = IsGzip(fs);
        }
        long dataLength = dataPath == path ? length : InputFile.Check(dataPath).Length;
        if (!dataGz && header.VoxOffset >= dataLength)
            throw new NiSharpException(dataPath, $"truncated data or invalid header: vox_offset {header.VoxOffset} lies beyond the end of the file ({dataLength} bytes)");
        long needed = DataBytes(header, path) + header.VoxOffset;
        if (!dataGz && needed > dataLength)
            throw new NiSharpException(dataPath, $"truncated data: the header needs {needed} bytes (dims × {header.DataType.NumpyName()} + vox_offset) but the file has {dataLength}");
        // Deflate cannot expand data by more than ~1032:1; a header asking for more is lying (or the file is cut short).
        const long MaxDeflateRatio = 1032;
        if (dataGz && needed > dataLength * MaxDeflateRatio + 4096)
            throw new NiSharpException(dataPath, $"truncated data: the header needs {needed} bytes but a {dataLength}-byte gzip file cannot hold that much");

        IVoxelSource source = dataGz ? new GzipVoxelSource(dataPath) : new MappedVoxelSource(dataPath, dataLength);
        return new NiftiFile(path, dataPath, header, source, dataGz);
    }

    /// <summary>Reads only the header of <paramref name="path"/>.</summary>
    public static NiftiHeader ReadHeader(string path)
    {
        using var f = Open(path);
        return f.Header;
    }

    private static long DataBytes(NiftiHeader h, string path)
    {
        try
        {
            long n = 1;
            for (int i = 1; i <= h.NDim; i++) n = checked(n * h.Dim[i]);
            long bytes = checked(n * h.DataType.ByteSize());
            long perVolume = checked(h.Dim[1] * (h.NDim >= 2 ? h.Dim[2] : 1) * (h.NDim >= 3 ? h.Dim[3] : 1));
            if (perVolume > int.MaxValue / 8 || n / perVolume > int.MaxValue)
                throw new NiSharpException(path, $"dimensions {string.Join('×', h.Shape)} are too large (one volume must hold fewer than {int.MaxValue / 8} voxels)");
            return bytes;
        }
        catch (OverflowException)
        {
            throw new NiSharpException(path, $"invalid header: dimensions {string.Join('×', h.Dim.Skip(1).Take(h.NDim))} overflow");
        }
    }

    private static bool IsGzip(Stream fs)
    {
        Span<byte> magic = stackalloc byte[2];
        return fs.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static byte[] ReadHeaderBytes(Stream fs, string path, bool gz)
    {
        using Stream s = gz ? new GZipStream(fs, CompressionMode.Decompress, leaveOpen: true) : fs;
        var buf = new byte[NiftiHeader.Nifti2Size];
        int got = 0;
        try
        {
            // Read what is there, up to the larger header size; Parse decides what it needs.
            while (got < buf.Length)
            {
                int n = s.Read(buf, got, buf.Length - got);
                if (n == 0) break;
                got += n;
            }
        }
        catch (InvalidDataException e)
        {
            if (got == 0) throw GzipVoxelSource.Corrupt(path, e);
        }
        return buf[..got];
    }

    private static string PairedImagePath(string hdrPath)
    {
        string Swap(string p, string from, string to) => p[..^from.Length] + to;
        if (hdrPath.EndsWith(".hdr.gz", StringComparison.OrdinalIgnoreCase)) return Swap(hdrPath, ".hdr.gz", ".img.gz");
        if (hdrPath.EndsWith(".hdr", StringComparison.OrdinalIgnoreCase))
        {
            var img = Swap(hdrPath, ".hdr", ".img");
            return File.Exists(img) || !File.Exists(img + ".gz") ? img : img + ".gz";
        }
        return System.IO.Path.ChangeExtension(hdrPath, ".img");
    }

    /// <summary>
    /// The header extensions (between the header and <c>vox_offset</c>; CIFTI's XML is one), read from the file now.
    /// A .hdr/.img pair keeps none NiSharp reads: an empty list.
    /// </summary>
    public IReadOnlyList<NiftiExtension> ReadExtensions()
    {
        if (Header.IsPair) return [];
        int headerSize = Header.Version == 1 ? NiftiHeader.Nifti1Size : NiftiHeader.Nifti2Size;
        long length = Header.VoxOffset - headerSize;
        if (length < 4) return [];
        if (length > Array.MaxLength) throw new NiSharpException(Path, $"invalid header: {length} bytes of extensions before vox_offset");
        var region = new byte[length];
        _source.Read(headerSize, region);
        return NiftiExtension.Parse(region, Header, Path);
    }

    /// <summary>
    /// Reads <paramref name="runs"/> runs of <paramref name="runLength"/> consecutive values (scaled), run <c>r</c>
    /// starting at linear voxel index <paramref name="firstVoxel"/> + r·<paramref name="stride"/>, one after another into
    /// <paramref name="destination"/>. A block of a matrix stored column by column: CIFTI keeps the values of one
    /// grayordinate over time together, so a block of time points is a run per grayordinate. Runs are read in
    /// increasing order, so a gzip file streams forward (once per call).
    /// </summary>
    public void ReadRuns<T>(long firstVoxel, int runLength, long stride, int runs, Span<T> destination) where T : unmanaged, INumber<T>
    {
        long total = (long)VolumeCount * VoxelsPerVolume;
        if (runLength < 0 || runs < 0 || stride < runLength || firstVoxel < 0 || (runs > 0 && firstVoxel + (runs - 1) * stride + runLength > total))
            throw new ArgumentOutOfRangeException(nameof(firstVoxel), $"{runs} runs of {runLength} from voxel {firstVoxel} every {stride} lie outside 0..{total - 1}");
        if (destination.Length < (long)runs * runLength) throw new ArgumentException($"destination holds {destination.Length} values, need {(long)runs * runLength}");
        int size = DataType.ByteSize();
        for (int r = 0; r < runs; r++)
            ReadRaw(Header.VoxOffset + (firstVoxel + r * stride) * size, destination.Slice(r * runLength, runLength));
    }

    /// <summary>
    /// The runs of <see cref="ReadRuns{T}"/>, transposed: element <c>k</c> of run <c>r</c> goes to
    /// <paramref name="destination"/>[k·<paramref name="runs"/> + r]. A block of time points of a CIFTI file comes out
    /// one time point after another. An uncompressed file of the caller's type is gathered straight from the mapping,
    /// in one pass.
    /// </summary>
    public unsafe void ReadRunsTransposed<T>(long firstVoxel, int runLength, long stride, int runs, Span<T> destination) where T : unmanaged, INumber<T>
    {
        long total = (long)VolumeCount * VoxelsPerVolume;
        if (runLength < 0 || runs < 0 || stride < runLength || firstVoxel < 0 || (runs > 0 && firstVoxel + (runs - 1) * stride + runLength > total))
            throw new ArgumentOutOfRangeException(nameof(firstVoxel), $"{runs} runs of {runLength} from voxel {firstVoxel} every {stride} lie outside 0..{total - 1}");
        if (destination.Length < (long)runs * runLength) throw new ArgumentException($"destination holds {destination.Length} values, need {(long)runs * runLength}");
        if (_source is MappedVoxelSource mapped && !_swap && _scaling == (1, 0) && NiftiDataTypes.For<T>() == DataType)
        {
            if (Header.VoxOffset + total * sizeof(T) > mapped.Length)
                throw new NiSharpException(DataPath, $"truncated data: needs {Header.VoxOffset + total * sizeof(T)} bytes but the file has {mapped.Length}");
            T* data = (T*)(mapped.Pointer + Header.VoxOffset) + firstVoxel;
            fixed (T* dst = destination)
            {
                // the runs lie a page or more apart, beyond the hardware prefetcher: ask for a few runs ahead
                const int Ahead = 16;
                for (int r = 0; r < runs; r++)
                {
                    T* src = data + r * stride;
                    if (r + Ahead < runs && System.Runtime.Intrinsics.X86.Sse.IsSupported)
                    {
                        byte* next = (byte*)(src + Ahead * stride);
                        System.Runtime.Intrinsics.X86.Sse.Prefetch0(next);
                        if (runLength * sizeof(T) > 64) System.Runtime.Intrinsics.X86.Sse.Prefetch0(next + 64);
                    }
                    for (int k = 0; k < runLength; k++) dst[(long)k * runs + r] = src[k];
                }
            }
            return;
        }
        var rented = System.Buffers.ArrayPool<T>.Shared.Rent(runs * runLength);
        try
        {
            var block = rented.AsSpan(0, runs * runLength);
            ReadRuns(firstVoxel, runLength, stride, runs, block);
            for (int r = 0; r < runs; r++)
            {
                var run = block.Slice(r * runLength, runLength);
                for (int k = 0; k < runLength; k++) destination[k * runs + r] = run[k];
            }
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>Reads volume <paramref name="t"/> (scaled) into <paramref name="destination"/> (length <see cref="VoxelsPerVolume"/>).</summary>
    public void ReadVolume<T>(int t, Span<T> destination) where T : unmanaged, INumber<T> =>
        ReadVolumes(t, 1, destination);

    /// <summary>Reads <paramref name="count"/> consecutive volumes from <paramref name="start"/> into <paramref name="destination"/>.</summary>
    public void ReadVolumes<T>(int start, int count, Span<T> destination) where T : unmanaged, INumber<T>
    {
        if (start < 0 || count < 0 || start + count > VolumeCount)
            throw new ArgumentOutOfRangeException(nameof(start), $"volumes {start}..{start + count - 1} outside 0..{VolumeCount - 1}");
        long n = (long)count * VoxelsPerVolume;
        if (destination.Length < n) throw new ArgumentException($"destination holds {destination.Length} values, need {n}");
        int size = DataType.ByteSize();
        long offset = Header.VoxOffset + (long)start * VoxelsPerVolume * size;
        // Read in chunks of whole volumes so the scratch buffer stays small.
        int volumesPerChunk = Math.Max(1, (1 << 24) / Math.Max(1, VoxelsPerVolume * size));
        for (int v = 0; v < count; v += volumesPerChunk)
        {
            int nv = Math.Min(volumesPerChunk, count - v);
            int voxels = nv * VoxelsPerVolume;
            var dst = destination.Slice(v * VoxelsPerVolume, voxels);
            ReadRaw(offset + (long)v * VoxelsPerVolume * size, dst);
        }
        if (start + count == VolumeCount) _source.VerifyEnd();
    }

    /// <summary>
    /// Reads <paramref name="destination"/>.Length voxels starting at linear voxel index
    /// <paramref name="firstVoxel"/> (x fastest, volumes one after another), scaled. Lets callers walk a
    /// large 3D image in pieces instead of holding a second full-size copy.
    /// </summary>
    public void ReadVoxels<T>(long firstVoxel, Span<T> destination) where T : unmanaged, INumber<T>
    {
        long total = (long)VolumeCount * VoxelsPerVolume;
        if (firstVoxel < 0 || firstVoxel + destination.Length > total)
            throw new ArgumentOutOfRangeException(nameof(firstVoxel), $"voxels {firstVoxel}..{firstVoxel + destination.Length - 1} outside 0..{total - 1}");
        int size = DataType.ByteSize();
        const int chunk = 1 << 20;
        for (int done = 0; done < destination.Length; done += chunk)
        {
            int n = Math.Min(chunk, destination.Length - done);
            ReadRaw(Header.VoxOffset + (firstVoxel + done) * size, destination.Slice(done, n));
        }
        if (firstVoxel + destination.Length == total) _source.VerifyEnd();
    }

    private void ReadRaw<T>(long offset, Span<T> dst) where T : unmanaged, INumber<T>
    {
        int size = DataType.ByteSize();
        int bytes = dst.Length * size;
        // Fast path: same type on disk, native order, no scaling → read straight into the caller's memory.
        if (!_swap && _scaling == (1, 0) && NiftiDataTypes.For<T>() == DataType)
        {
            _source.Read(offset, MemoryMarshal.AsBytes(dst));
            return;
        }
        var rented = ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            var raw = rented.AsSpan(0, bytes);
            _source.Read(offset, raw);
            if (_swap) VoxelConversion.SwapInPlace(raw, size);
            VoxelConversion.Decode(raw, DataType, _scaling.Slope, _scaling.Inter, dst);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Bytes of one volume as stored.</summary>
    internal int VolumeBytes => VoxelsPerVolume * DataType.ByteSize();

    /// <summary>The stored bytes of volume <paramref name="t"/> (<see cref="VolumeBytes"/>), for <see cref="DecodeVolume"/>:
    /// reading and decoding apart, so that another thread may read ahead. The last volume verifies the end of the file.</summary>
    internal void ReadVolumeBytes(int t, Span<byte> raw)
    {
        _source.Read(Header.VoxOffset + (long)t * VolumeBytes, raw[..VolumeBytes]);
        if (t == VolumeCount - 1) _source.VerifyEnd();
    }

    /// <summary>Whether the stored bytes are the voxels as <typeparamref name="T"/> already (same type, our byte order, no
    /// scaling): a volume's bytes may then be read in place instead of decoded into a copy.</summary>
    internal bool StoresAs<T>() where T : unmanaged, INumber<T> => !_swap && _scaling == (1, 0) && NiftiDataTypes.For<T>() == DataType;

    /// <summary>The voxels of stored volume bytes (<see cref="ReadVolumeBytes"/>, swapped in place when the file's byte order
    /// is not ours), scaled: what <see cref="ReadVolume{T}"/> gives.</summary>
    internal void DecodeVolume<T>(Span<byte> raw, Span<T> destination) where T : unmanaged, INumber<T>
    {
        int size = DataType.ByteSize();
        raw = raw[..VolumeBytes];
        if (StoresAs<T>())
        {
            MemoryMarshal.Cast<byte, T>(raw).CopyTo(destination);
            return;
        }
        if (_swap) VoxelConversion.SwapInPlace(raw, size);
        VoxelConversion.Decode(raw, DataType, _scaling.Slope, _scaling.Inter, destination[..VoxelsPerVolume]);
    }

    /// <summary>Reads the whole image into memory as <typeparamref name="T"/> (scaled).</summary>
    public Image<T> Load<T>() where T : unmanaged, INumber<T>
    {
        long total = (long)VolumeCount * VoxelsPerVolume;
        if (total > Array.MaxLength)
            throw new NiSharpException(Path, $"too large to load at once ({total} voxels); read it volume by volume");
        var data = new T[total];
        ReadVolumes(0, VolumeCount, data);
        return new Image<T>(Shape, Affine, data, Header);
    }

    /// <summary>Reads one volume as a 3D image.</summary>
    public Image<T> LoadVolume<T>(int t) where T : unmanaged, INumber<T>
    {
        var data = new T[VoxelsPerVolume];
        ReadVolume(t, data.AsSpan());
        return new Image<T>(SpatialShape, Affine, data, Header);
    }

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();
}
