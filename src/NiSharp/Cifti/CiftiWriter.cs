using System.Buffers;
using System.Numerics;
using NiSharp.Nifti;

namespace NiSharp.Cifti;

/// <summary>
/// Writes a CIFTI-2 file as Workbench does: a NIfTI-2 header (matrix in <c>dim[5..]</c>, dims 1–4 at 1, no spatial
/// codes, the kind's intent code and name), extension 32 with the XML, then the matrix with dimension 0 fastest.
/// Values go in the file's own order, column after column (<see cref="WriteColumns{T}"/>: one grayordinate's or
/// parcel's series at a time), so a large dense file streams out; <see cref="Write{T}"/> takes a whole small matrix.
/// Written to a temporary name and renamed into place on <see cref="Commit"/>.
/// </summary>
public sealed class CiftiWriter : IDisposable
{
    private readonly NiftiWriter _writer;

    private CiftiWriter(NiftiWriter writer, CiftiHeader header)
    {
        _writer = writer; Header = header;
    }

    /// <summary>The CIFTI header being written.</summary>
    public CiftiHeader Header { get; }

    /// <summary>
    /// Starts writing <paramref name="header"/>'s matrix to <paramref name="path"/> as <paramref name="dataType"/>.
    /// A name with a CIFTI extension must be the one of the header's kind (<c>.ptseries.nii</c> for series × parcels),
    /// so that no tool is misled by it.
    /// </summary>
    public static CiftiWriter Create(string path, CiftiHeader header, NiftiDataType dataType = NiftiDataType.Float32)
    {
        var kind = header.Kind;
        var name = System.IO.Path.GetFileName(path);
        var named = CiftiKind.All.FirstOrDefault(k => name.EndsWith(k.Extension, StringComparison.OrdinalIgnoreCase) || name.EndsWith(k.Extension + ".gz", StringComparison.OrdinalIgnoreCase));
        if (named is not null && named != kind)
            throw new NiSharpException(path, $"the name says {named.Extension} but the matrix is a {kind.Description} ({kind.Extension})");
        var shape = header.Shape;
        var dim = new long[8];
        dim[0] = 4 + shape.Length;
        for (int i = 1; i <= 4; i++) dim[i] = 1;
        for (int i = 0; i < 3; i++) dim[5 + i] = i < shape.Length ? shape[i] : 1;
        var nifti = new NiftiHeader
        {
            Version = 2,
            Dim = dim,
            DataType = dataType,
            Bitpix = dataType.ByteSize() * 8,
            // as Workbench: no spatial meaning (qfac 0, unit pixdims, no qform/sform), units field 12
            Pixdim = [0, 1, 1, 1, 1, 1, 1, 1],
            XyztUnits = 12,
            SclSlope = 1,
            SclInter = 0,
            QformCode = 0,
            SformCode = 0,
            IntentCode = kind.IntentCode,
            IntentName = kind.IntentName,
        };
        var writer = NiftiWriter.Create(path, nifti, [new NiftiExtension(NiftiExtension.CiftiCode, header.ToXml())]);
        return new CiftiWriter(writer, header);
    }

    /// <summary>Writes the next columns: each column's values along dimension 0 (a grayordinate's time series), column after column.</summary>
    public void WriteColumns<T>(ReadOnlySpan<T> values) where T : unmanaged, INumber<T> => _writer.WriteVolumes(values);

    /// <summary>Finishes the file and renames it into place; fails if the matrix is not complete.</summary>
    public void Commit() => _writer.Commit();

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();

    /// <summary>Writes a whole matrix given row after row (rows along dimension 0, as nibabel's arrays), atomically.</summary>
    public static void Write<T>(string path, CiftiHeader header, ReadOnlySpan<T> rowMajor, NiftiDataType dataType = NiftiDataType.Float32)
        where T : unmanaged, INumber<T>
    {
        var shape = header.Shape;
        if (shape.Length != 2) throw new ArgumentException("Write takes a 2-dimensional matrix; use WriteColumns for 3 dimensions");
        int rows = shape[0], cols = shape[1];
        if (rowMajor.Length != (long)rows * cols) throw new ArgumentException($"the header describes {rows}×{cols} values, got {rowMajor.Length}");
        using var w = Create(path, header, dataType);
        var column = ArrayPool<T>.Shared.Rent(rows);
        try
        {
            for (int c = 0; c < cols; c++)
            {
                for (int r = 0; r < rows; r++) column[r] = rowMajor[r * cols + c];
                w.WriteColumns<T>(column.AsSpan(0, rows));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(column);
        }
        w.Commit();
    }
}
