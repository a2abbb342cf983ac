using System.Buffers;
using System.IO.Compression;
using System.Numerics;

namespace NiSharp.Nifti;

/// <summary>Choices for writing NIfTI files.</summary>
public sealed record NiftiWriteOptions
{
    /// <summary>1 (default) or 2.</summary>
    public int Version { get; init; } = 1;
    /// <summary>Write big-endian (for tests and old tools); little-endian by default.</summary>
    public bool BigEndian { get; init; }
    /// <summary>gzip level for <c>.gz</c> names; fastest by default, as nibabel's level 1.</summary>
    public CompressionLevel Compression { get; init; } = CompressionLevel.Fastest;
}

/// <summary>
/// Writes a NIfTI file volume by volume to a temporary name and renames it into place on
/// <see cref="Commit"/>; disposing without committing leaves nothing behind.
/// </summary>
public sealed class NiftiWriter : IDisposable
{
    private readonly IO.AtomicFileStream _file;
    private readonly Stream _stream;
    private readonly NiftiDataType _type;
    private readonly bool _swap;
    private readonly long _expectedVoxels;
    private long _written;

    /// <summary>The header being written.</summary>
    public NiftiHeader Header { get; }

    /// <summary>Voxels per volume.</summary>
    public int VoxelsPerVolume { get; }

    private NiftiWriter(string path, NiftiHeader header, NiftiWriteOptions options, IReadOnlyList<NiftiExtension>? extensions = null)
    {
        if (extensions is { Count: > 0 })
        {
            // the extensions fill the space between the header and the data
            int headerSize = options.Version == 1 ? NiftiHeader.Nifti1Size : NiftiHeader.Nifti2Size;
            header = header with { VoxOffset = headerSize + NiftiExtension.Encode(extensions).Length };
        }
        Header = header;
        _type = header.DataType;
        _swap = options.BigEndian == BitConverter.IsLittleEndian;
        var shape = header.Shape;
        VoxelsPerVolume = shape[0] * (shape.Length > 1 ? shape[1] : 1) * (shape.Length > 2 ? shape[2] : 1);
        _expectedVoxels = shape.Aggregate(1L, (a, b) => a * b);
        _file = IO.AtomicFile.Create(path);
        _stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(_file, options.Compression, leaveOpen: true)
            : _file; // the temporary FileStream already buffers
        try
        {
            var hdr = header.Encode(options.Version, options.BigEndian);
            _stream.Write(hdr);
            var tail = NiftiExtension.Encode(extensions ?? [], options.BigEndian); // the extender (0 = none) and the extensions
            _stream.Write(tail);
            if (header.VoxOffset > hdr.Length + tail.Length) _stream.Write(new byte[header.VoxOffset - hdr.Length - tail.Length]);
        }
        catch
        {
            Dispose(); // nobody else holds the writer yet: remove the temporary file
            throw;
        }
    }

    /// <summary>
    /// Starts writing an image of <paramref name="shape"/> with <paramref name="affine"/> as
    /// <paramref name="dataType"/>. Fields the affine does not fix (TR, units, description, intent,
    /// sform/qform codes) come from <paramref name="template"/> when given.
    /// </summary>
    public static NiftiWriter Create(string path, int[] shape, Affine affine, NiftiDataType dataType,
        NiftiHeader? template = null, NiftiWriteOptions? options = null)
    {
        options ??= new NiftiWriteOptions();
        RejectPairName(path);
        var header = BuildHeader(shape, affine, dataType, template, options.Version);
        return new NiftiWriter(path, header, options);
    }

    /// <summary>
    /// Starts writing a single-file image with exactly <paramref name="header"/> (its version, shape, datatype, intent,
    /// codes) followed by <paramref name="extensions"/>; <c>vox_offset</c> is set to where they end. For formats built on
    /// NIfTI whose header is not about a voxel grid, such as CIFTI-2.
    /// </summary>
    public static NiftiWriter Create(string path, NiftiHeader header, IReadOnlyList<NiftiExtension> extensions, NiftiWriteOptions? options = null)
    {
        options = (options ?? new NiftiWriteOptions()) with { Version = header.Version };
        RejectPairName(path);
        if (!header.DataType.IsSupported()) throw new NiSharpException($"cannot write datatype {header.DataType.NumpyName()}");
        int headerSize = header.Version == 1 ? NiftiHeader.Nifti1Size : NiftiHeader.Nifti2Size;
        return new NiftiWriter(path, header with { VoxOffset = headerSize + 4, Magic = header.Version == 1 ? "n+1" : "n+2" }, options, extensions);
    }

    /// <summary>
    /// NiSharp writes single-file NIfTI only: a <c>.hdr</c>/<c>.img</c> name would get a single file that no
    /// reader (nibabel included) opens as the pair its name promises.
    /// </summary>
    private static void RejectPairName(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
        if (name.EndsWith(".hdr", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".img", StringComparison.OrdinalIgnoreCase))
            throw new NiSharpException(path, "cannot write a .hdr/.img pair; name the output .nii or .nii.gz");
    }

    /// <summary>The header NiSharp writes for an image: sform and qform from the affine, no scaling.</summary>
    public static NiftiHeader BuildHeader(int[] shape, Affine affine, NiftiDataType dataType, NiftiHeader? template, int version = 1)
    {
        if (!dataType.IsSupported()) throw new NiSharpException($"cannot write datatype {dataType.NumpyName()}");
        if (!affine.IsFinite) throw new NiSharpException("cannot write an image whose affine has NaN or infinite values");
        if (shape.Length is < 1 or > 7) throw new ArgumentException("1 to 7 dimensions");
        if (version == 1 && shape.Any(d => d > short.MaxValue))
            throw new NiSharpException($"a dimension of {Image.ShapeText(shape)} exceeds NIfTI-1's limit of {short.MaxValue}; write NIfTI-2");
        var dim = new long[8];
        dim[0] = shape.Length;
        for (int i = 0; i < 7; i++) dim[i + 1] = i < shape.Length ? shape[i] : 1;
        var pix = new double[8];
        for (int i = 0; i < 8; i++) pix[i] = template is not null && i > 3 ? template.Pixdim[i] : 1;
        if (template is null || shape.Length < 4) { for (int i = 4; i < 8; i++) pix[i] = template?.Pixdim[i] is > 0 and var p ? p : (i == 4 ? 0 : 1); }
        var t = template ?? new NiftiHeader();
        var h = t with
        {
            Version = version,
            IsBigEndian = false,
            Dim = dim,
            DataType = dataType,
            Bitpix = dataType.ByteSize() * 8,
            Pixdim = pix,
            VoxOffset = version == 1 ? NiftiHeader.Nifti1Size + 4 : NiftiHeader.Nifti2Size + 4,
            SclSlope = 1,
            SclInter = 0,
            Magic = version == 1 ? "n+1" : "n+2",
            CalMax = 0,
            CalMin = 0,
            XyztUnits = template?.XyztUnits is int u && u != 0 ? u : 2 | 8,
        };
        int sformCode = template is { SformCode: > 0 } ? template.SformCode : template is { QformCode: > 0 } ? template.QformCode : 2;
        int qformCode = template is { QformCode: > 0 } ? template.QformCode : sformCode;
        return h.WithAffine(affine, sformCode, qformCode);
    }

    /// <summary>Writes the next volume(s); values are converted to the file's datatype.</summary>
    public void WriteVolumes<T>(ReadOnlySpan<T> values) where T : unmanaged, INumber<T>
    {
        if (_written + values.Length > _expectedVoxels)
            throw new InvalidOperationException($"writing {values.Length} more voxels exceeds the image size {_expectedVoxels}");
        int size = _type.ByteSize();
        const int chunk = 1 << 16;
        var buf = ArrayPool<byte>.Shared.Rent(chunk * size);
        try
        {
            for (int start = 0; start < values.Length; start += chunk)
            {
                int n = Math.Min(chunk, values.Length - start);
                var raw = buf.AsSpan(0, n * size);
                VoxelConversion.Encode(values.Slice(start, n), _type, raw);
                if (_swap) VoxelConversion.SwapInPlace(raw, size);
                _stream.Write(raw);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
        _written += values.Length;
    }

    /// <summary>Writes one volume (length <see cref="VoxelsPerVolume"/>).</summary>
    public void WriteVolume<T>(ReadOnlySpan<T> volume) where T : unmanaged, INumber<T>
    {
        if (volume.Length != VoxelsPerVolume) throw new ArgumentException($"a volume has {VoxelsPerVolume} voxels, got {volume.Length}");
        WriteVolumes(volume);
    }

    /// <summary>Finishes the file and renames it into place. Fails if fewer voxels were written than the shape needs.</summary>
    public void Commit()
    {
        if (_written != _expectedVoxels)
            throw new InvalidOperationException($"only {_written} of {_expectedVoxels} voxels were written");
        _stream.Flush();
        if (!ReferenceEquals(_stream, _file)) _stream.Dispose(); // gzip footer
        _file.Commit();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // After a failed write (a full disk) the gzip stream may fail to close in other ways too; whatever it
        // throws, the temporary file must still be removed.
        if (!ReferenceEquals(_stream, _file))
            try { _stream.Dispose(); } catch (IOException) { } catch (NiSharpException) { } catch (InvalidOperationException) { }
        _file.Dispose();
    }
}
