using System.Numerics;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Maskers;

/// <summary>Receives volume <c>t</c> of a 4D image (index into the whole image) while a masker streams it.</summary>
internal delegate void VolumeAction<T>(int t, ReadOnlySpan<T> volume);

/// <summary>
/// The 4D data a masker reads, volume by volume: an opened file (read and gunzipped on a second thread, one
/// volume ahead, so decompression overlaps the masker's work) or an image in memory. Memory: two volumes.
/// </summary>
internal abstract class VolumeSource
{
    /// <summary>The data grid.</summary>
    public abstract Grid Grid { get; }

    /// <summary>Number of volumes.</summary>
    public abstract int VolumeCount { get; }

    /// <summary>Whether the values are float32 as nilearn reads them (<c>dataobj</c>'s dtype), which makes
    /// region signals float32; otherwise float64.</summary>
    public abstract bool IsFloat32 { get; }

    /// <summary>Whether the values are integers as nilearn reads them (unscaled integer files), which nilearn's
    /// <c>smooth_img</c> turns into float32.</summary>
    public abstract bool IsInteger { get; }

    /// <summary>The file, for messages (null in memory).</summary>
    public abstract string? Path { get; }

    /// <summary>Calls <paramref name="action"/> for volumes <paramref name="first"/> .. <paramref name="first"/>+<paramref name="count"/>-1 in order.</summary>
    public abstract void ForEach<T>(int first, int count, VolumeAction<T> action) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>A file source; the file stays owned by the caller.</summary>
    public static VolumeSource Of(NiftiFile file) => new FileSource(file);

    /// <summary>An in-memory source.</summary>
    public static VolumeSource Of<TImage>(Image<TImage> image) where TImage : unmanaged, INumber<TImage> => new ImageSource<TImage>(image);

    private sealed class FileSource(NiftiFile f) : VolumeSource
    {
        public override Grid Grid { get; } = Grid.Of(f);
        public override int VolumeCount => f.VolumeCount;
        public override bool IsFloat32 => VoxelTypes.InMemoryType(f) == NiftiDataType.Float32;
        public override bool IsInteger => VoxelTypes.InMemoryType(f) is not (NiftiDataType.Float32 or NiftiDataType.Float64);
        public override string? Path => f.Path;

        public override void ForEach<T>(int first, int count, VolumeAction<T> action)
        {
            if (count <= 0) return;
            int n = f.VoxelsPerVolume;
            T[] current = new T[n], next = new T[n];
            f.ReadVolume<T>(first, current);
            Task? reading = null;
            try
            {
                for (int t = first; t < first + count; t++)
                {
                    reading = null;
                    if (t + 1 < first + count)
                    {
                        int tn = t + 1;
                        var buffer = next;
                        reading = Task.Run(() => f.ReadVolume<T>(tn, buffer));
                    }
                    action(t, current);
                    if (reading is not null)
                    {
                        reading.GetAwaiter().GetResult();
                        (current, next) = (next, current);
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

    private sealed class ImageSource<TImage>(Image<TImage> image) : VolumeSource where TImage : unmanaged, INumber<TImage>
    {
        public override Grid Grid { get; } = Grid.Of(image);
        public override int VolumeCount => image.VolumeCount;
        public override bool IsFloat32 => typeof(TImage) == typeof(float);
        public override bool IsInteger => !VoxelTypes.IsFloat<TImage>();
        public override string? Path => null;

        public override void ForEach<T>(int first, int count, VolumeAction<T> action)
        {
            if (typeof(T) == typeof(TImage))
            {
                var data = (T[])(object)image.Data;
                int n = image.VoxelsPerVolume;
                for (int t = first; t < first + count; t++) action(t, data.AsSpan(t * n, n));
                return;
            }
            var buffer = new T[image.VoxelsPerVolume];
            for (int t = first; t < first + count; t++)
            {
                var vol = image.Volume(t);
                for (int i = 0; i < buffer.Length; i++) buffer[i] = T.CreateTruncating(vol[i]);
                action(t, buffer);
            }
        }
    }
}
