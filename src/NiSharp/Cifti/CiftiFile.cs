using System.IO.Compression;
using System.Numerics;
using NiSharp.IO;
using NiSharp.Nifti;

namespace NiSharp.Cifti;

/// <summary>
/// An opened CIFTI-2 file (nibabel's <c>Cifti2Image</c> with its array proxy): a NIfTI-2 file whose extension 32 holds
/// the CIFTI XML. Opening reads and checks the NIfTI header and the XML; the matrix stays on disk. Rows are indices
/// along dimension 0 (the time points of a <c>.dtseries.nii</c>), columns along dimension 1 (its grayordinates), as
/// nibabel's <c>get_fdata()</c> has them. On disk dimension 0 varies fastest, so a column (one grayordinate's time
/// series) is contiguous and a row is gathered across the file: <see cref="ReadRows{T}"/> reads a block of rows in one
/// forward pass, memory a few rows. Not thread-safe: open one per thread.
/// </summary>
public sealed class CiftiFile : IDisposable
{
    private NiftiFile _nifti;
    private string? _inflated;
    private int _partialReads;

    private CiftiFile(string path, NiftiFile nifti, CiftiHeader header)
    {
        Path = path; _nifti = nifti; Header = header; Shape = header.Shape;
    }

    /// <summary>The path it was opened from.</summary>
    public string Path { get; }

    /// <summary>The CIFTI XML: the axes and the matrix metadata.</summary>
    public CiftiHeader Header { get; }

    /// <summary>The NIfTI-2 header (intent, datatype, dims).</summary>
    public NiftiHeader NiftiHeader => _nifti.Header;

    /// <summary>The axis of each dimension.</summary>
    public IReadOnlyList<CiftiAxis> Axes => Header.Axes;

    /// <summary>The matrix shape (NIfTI <c>dim[5..]</c>, equal to the axes' lengths).</summary>
    public int[] Shape { get; }

    /// <summary>The file type its axes make.</summary>
    public CiftiKind Kind => Header.Kind;

    /// <summary>The on-disk datatype.</summary>
    public NiftiDataType DataType => _nifti.DataType;

    /// <summary>Whether the file is gzip-compressed (Workbench writes CIFTI uncompressed).</summary>
    public bool IsCompressed { get; private set; }

    /// <summary>Indices along dimension 0 (time points of a dense time series).</summary>
    public int Rows => Shape[0];

    /// <summary>Indices along dimension 1 (grayordinates of a dense file).</summary>
    public int Columns => Shape[1];

    /// <summary>Whether the file at <paramref name="path"/> announces CIFTI (<see cref="NiftiHeader.IsCifti"/>; reads the header only).</summary>
    public static bool IsCifti(string path) => NiftiFile.ReadHeader(path).IsCifti;

    /// <summary>Reads only the CIFTI XML of <paramref name="path"/> (checked against the matrix size).</summary>
    public static CiftiHeader ReadHeader(string path)
    {
        using var f = Open(path);
        return f.Header;
    }

    /// <summary>
    /// Opens <paramref name="path"/>. Every problem is a one-line <see cref="NiSharpException"/> naming the file: not
    /// NIfTI, NIfTI-1, no CIFTI extension, malformed or invalid XML, a matrix size that is not what the XML describes.
    /// </summary>
    public static CiftiFile Open(string path)
    {
        var nifti = NiftiFile.Open(path);
        try
        {
            var h = nifti.Header;
            var extensions = nifti.ReadExtensions();
            var cifti = extensions.FirstOrDefault(e => e.Code == NiftiExtension.CiftiCode);
            if (h.Version != 2)
                throw new NiSharpException(path, cifti is null && h.IntentCode is < 3000 or >= 3100
                    ? "not a CIFTI file: a NIfTI-1 image (CIFTI-2 files are NIfTI-2 with a CIFTI extension)"
                    : "invalid CIFTI file: CIFTI-2 is stored in NIfTI-2, this file is NIfTI-1");
            if (cifti is null)
                throw new NiSharpException(path, h.IsCifti
                    ? $"invalid CIFTI file: intent {h.IntentCode} ({h.IntentName}) but no CIFTI XML (NIfTI extension 32)"
                    : "not a CIFTI file: no CIFTI XML (NIfTI extension 32) in this NIfTI-2 image");
            var header = CiftiHeader.Parse(cifti.Content, path);
            CheckMatrixSize(path, h, header);
            return new CiftiFile(path, nifti, header) { IsCompressed = nifti.IsCompressed };
        }
        catch
        {
            nifti.Dispose();
            throw;
        }
    }

    /// <summary>CIFTI keeps space and time dims 1..4 at 1 and the matrix in dim[5..]; the XML must describe that size.</summary>
    private static void CheckMatrixSize(string path, NiftiHeader h, CiftiHeader header)
    {
        var described = header.Shape;
        int n = h.NDim - 4;
        var stored = n > 0 ? h.Dim.Skip(5).Take(n).Select(d => (int)d).ToArray() : [];
        bool spatialOnes = h.NDim >= 5 && h.Dim[1] == 1 && h.Dim[2] == 1 && h.Dim[3] == 1 && h.Dim[4] == 1;
        if (!spatialOnes || !stored.AsSpan().SequenceEqual(described))
        {
            string storedText = spatialOnes ? string.Join('×', stored) : $"dim {string.Join(',', h.Dim.Skip(1).Take(h.NDim))} (dims 1–4 should be 1)";
            throw new NiSharpException(path, $"invalid CIFTI file: the matrix is {storedText} but the CIFTI XML describes {string.Join('×', described)} " +
                                             $"({string.Join(" × ", header.Axes.Select(a => CiftiAxis.DisplayName(a.Kind)))})");
        }
    }

    /// <summary>
    /// Reads rows <paramref name="first"/> .. <paramref name="first"/>+<paramref name="count"/>-1 (scaled) into
    /// <paramref name="destination"/>, row after row (<paramref name="count"/> × <see cref="Columns"/>). One forward pass
    /// over the file gathers the block; scratch memory is the block's size. A gzipped file is inflated once into a
    /// temporary file when a second block of rows is asked for, so later blocks do not decompress it again.
    /// </summary>
    public void ReadRows<T>(int first, int count, Span<T> destination) where T : unmanaged, INumber<T>
    {
        RequireMatrix();
        if (first < 0 || count < 0 || first + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(first), $"rows {first}..{first + count - 1} outside 0..{Rows - 1}");
        int cols = Columns;
        if (destination.Length < (long)count * cols) throw new ArgumentException($"destination holds {destination.Length} values, need {(long)count * cols}");
        if (count == 0) return;
        if (count < Rows && _partialReads++ > 0) EnsureRandomAccess();
        // on disk each column's rows are together: a run of `count` per column, transposed into rows
        _nifti.ReadRunsTransposed(first, count, Rows, cols, destination);
    }

    /// <summary>Reads columns <paramref name="first"/> .. <paramref name="first"/>+<paramref name="count"/>-1 (scaled), each
    /// its <see cref="Rows"/> values (one grayordinate's time series), column after column: the file's own order.</summary>
    public void ReadColumns<T>(int first, int count, Span<T> destination) where T : unmanaged, INumber<T>
    {
        RequireMatrix();
        if (first < 0 || count < 0 || first + count > Columns)
            throw new ArgumentOutOfRangeException(nameof(first), $"columns {first}..{first + count - 1} outside 0..{Columns - 1}");
        _nifti.ReadVoxels((long)first * Rows, destination[..checked(count * Rows)]);
    }

    /// <summary>The whole matrix (scaled), row after row (<see cref="Rows"/> × <see cref="Columns"/>), as nibabel's
    /// <c>get_fdata()</c>; for small files (label maps, parcellated series, connectomes).</summary>
    public T[] ReadMatrix<T>() where T : unmanaged, INumber<T>
    {
        RequireMatrix();
        long n = (long)Rows * Columns;
        if (n > Array.MaxLength) throw new NiSharpException(Path, $"too large to load at once ({Rows}×{Columns}); read it row by row");
        var columns = new T[n];
        _nifti.ReadVoxels(0, columns);
        var rows = new T[n];
        for (int c = 0; c < Columns; c++)
            for (int r = 0; r < Rows; r++) rows[(long)r * Columns + c] = columns[(long)c * Rows + r];
        return rows;
    }

    private void RequireMatrix()
    {
        if (Shape.Length != 2)
            throw new NiSharpException(Path, $"a {Shape.Length}-dimensional CIFTI matrix ({string.Join('×', Shape)}): NiSharp reads the values of 2-dimensional ones");
    }

    /// <summary>Gathering a block of rows skips through the whole file; a gzip stream would be inflated again for each
    /// block, so inflate it once into a temporary file (removed as soon as it is mapped, or when this file is closed).</summary>
    private void EnsureRandomAccess()
    {
        if (!_nifti.IsCompressed) return;
        var temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"nisharp-cifti-{Guid.NewGuid():N}.nii");
        try
        {
            using (var input = new GZipStream(InputFile.OpenRead(_nifti.DataPath, 1 << 16, FileOptions.SequentialScan), CompressionMode.Decompress))
            using (var output = File.Create(temp))
                input.CopyTo(output);
            var inflated = NiftiFile.Open(temp);
            _nifti.Dispose();
            _nifti = inflated;
            _inflated = temp;
        }
        catch (InvalidDataException e)
        {
            File.Delete(temp);
            throw new NiSharpException(Path, "corrupt gzip data: the compressed stream is damaged or fails its checksum", e);
        }
        catch (IOException e)
        {
            File.Delete(temp);
            throw new NiSharpException(Path, $"cannot inflate into the temporary folder: {e.Message}", e);
        }
        // a mapped file stays readable after its name is removed (POSIX); elsewhere it goes at Dispose
        try { File.Delete(temp); _inflated = null; } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _nifti.Dispose();
        if (_inflated is not null)
            try { File.Delete(_inflated); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
