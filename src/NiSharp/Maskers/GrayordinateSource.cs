using NiSharp.Cifti;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Maskers;

/// <summary>
/// A dense time series (<c>.dtseries.nii</c>) as the maskers read data: one time point at a time, each a "volume" of
/// the file's grayordinates in column order, so the labels reduction, the confound passes and the cleaning run
/// unchanged. Time points are gathered in blocks of a few rows (<see cref="BlockRows"/>: 8 MB, 22 rows of 91k), the next block read on a
/// second thread while the masker reduces the current one. Memory: two blocks, never the matrix.
/// </summary>
internal sealed class GrayordinateSource : VolumeSource
{
    /// <summary>Bytes a block of rows may take (the read-ahead adds one more).</summary>
    private const int BlockBytes = 8 << 20;

    private readonly CiftiFile _file;

    /// <summary>A source over <paramref name="file"/> (series × brain models); the file stays owned by the caller.</summary>
    public GrayordinateSource(CiftiFile file)
    {
        _file = file;
        // grayordinates have no voxel grid: the "grid" is only the row length, which the reductions index into
        Grid = new Grid(file.Columns, 1, 1, Affine.Identity);
    }

    /// <inheritdoc />
    public override Grid Grid { get; }

    /// <inheritdoc />
    public override int VolumeCount => _file.Rows;

    /// <inheritdoc />
    public override bool IsFloat32 => VoxelTypes.InMemoryType(_file.NiftiHeader) == NiftiDataType.Float32;

    /// <inheritdoc />
    public override bool IsInteger => VoxelTypes.InMemoryType(_file.NiftiHeader) is not (NiftiDataType.Float32 or NiftiDataType.Float64);

    /// <inheritdoc />
    public override string? Path => _file.Path;

    /// <summary>Rows per block for rows of <paramref name="columns"/> values of <paramref name="bytesPerValue"/> bytes: a
    /// few megabytes, at least one row.</summary>
    public static int BlockRows(int columns, int bytesPerValue) => Math.Clamp(BlockBytes / Math.Max(1, columns * bytesPerValue), 1, 64);

    /// <inheritdoc />
    public override void ForEach<T>(int first, int count, VolumeAction<T> action)
    {
        if (count <= 0) return;
        int cols = _file.Columns;
        int block = Math.Min(count, BlockRows(cols, System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));
        T[] current = new T[block * cols], next = new T[block * cols];
        int end = first + count;
        int currentRows = Math.Min(block, count);
        _file.ReadRows<T>(first, currentRows, current);
        Task? reading = null;
        try
        {
            for (int start = first; start < end; start += block)
            {
                reading = null;
                int nextStart = start + block, nextRows = Math.Min(block, end - nextStart);
                if (nextRows > 0)
                {
                    var buffer = next;
                    reading = Task.Run(() => _file.ReadRows<T>(nextStart, nextRows, buffer));
                }
                for (int r = 0; r < currentRows; r++) action(start + r, current.AsSpan(r * cols, cols));
                if (reading is not null)
                {
                    reading.GetAwaiter().GetResult();
                    (current, next) = (next, current);
                    currentRows = nextRows;
                }
            }
        }
        catch
        {
            // the background read must finish before the caller disposes the file
            try { reading?.Wait(); } catch (AggregateException) { }
            throw;
        }
    }
}
