using System.Buffers;
using System.Runtime.InteropServices;
using System.Numerics;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Maskers;

/// <summary>Receives volume <c>t</c> of a 4D image (index into the whole image) while a masker streams it.</summary>
internal delegate void VolumeAction<T>(int t, ReadOnlySpan<T> volume);

/// <summary>
/// The 4D data a masker reads, volume by volume: an opened file (read and gunzipped on a second thread, one
/// volume ahead, so decompression overlaps the masker's work) or an image in memory. Memory: two volumes.
/// A compressed file opened with <see cref="ReadingAhead"/> starts gunzipping at once, a few volumes deep, so that what the
/// masker does before its pass (fitting an atlas: reading it) runs beside the decompression on the second core.
/// </summary>
internal abstract class VolumeSource : IDisposable
{
    /// <summary>How much a source opened with <see cref="ReadingAhead"/> may hold before its pass starts: at about 1 ms per
    /// lesson-sized volume, 32 of them cover reading a 1 mm atlas (~50 ms cold), within the 70 MB the issue allows.</summary>
    internal const int ReadAheadBytes = 32 << 20;

    /// <summary>Volumes a source opened with <see cref="ReadingAhead"/> reads before its pass: <see cref="ReadAheadBytes"/>
    /// worth of stored volumes, at least two, at most the file's.</summary>
    internal static int ReadAheadDepth(long volumeBytes, int volumeCount) =>
        (int)Math.Clamp(ReadAheadBytes / Math.Max(1, volumeBytes), 2, Math.Max(2, volumeCount));

    /// <summary>The most a source opened with <see cref="ReadingAhead"/> on a compressed file holds: its
    /// <see cref="ReadAheadDepth"/> volumes as stored, and the one its pass is decoding.</summary>
    internal static long ReadAheadHeldBytes(long volumeBytes, int volumeCount) => (ReadAheadDepth(volumeBytes, volumeCount) + 1L) * volumeBytes;

    /// <summary>Whether a second thread may read ahead: not in a process confined to one CPU (a Slurm task's default
    /// <c>--cpus-per-task=1</c>, a <c>taskset</c>), where it would only take turns with the pass — the same
    /// decompression plus a switch of threads at every volume (~1,600 a lesson run) and a colder cache.</summary>
    internal static bool ReadsAhead => Environment.ProcessorCount > 1;

    /// <summary>Stops any reading ahead (waiting for it), so that the caller may dispose the file.</summary>
    public virtual void Dispose() { }

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
    public static VolumeSource Of(NiftiFile file) => ReadsAhead ? new FileSource(file, null, true) : OnOneThread(file);

    /// <summary>A file source that reads each volume in turn with the work on it, on the caller's thread: what
    /// <see cref="Of(NiftiFile)"/> and <see cref="ReadingAhead"/> give in a process confined to one CPU.</summary>
    internal static VolumeSource OnOneThread(NiftiFile file) => new FileSource(file, null, false);

    /// <summary>A file source that starts reading now (a compressed file; up to <see cref="ReadAheadBytes"/> before its first
    /// pass, then one volume ahead). Dispose it before the file.</summary>
    public static VolumeSource ReadingAhead(NiftiFile file) =>
        !ReadsAhead ? OnOneThread(file)
        : new FileSource(file, file.IsCompressed && file.VolumeCount > 1 ? new ReadAhead(file, ReadAheadDepth(file.VolumeBytes, file.VolumeCount)) : null, true);

    /// <summary>An in-memory source.</summary>
    public static VolumeSource Of<TImage>(Image<TImage> image) where TImage : unmanaged, INumber<TImage> => new ImageSource<TImage>(image);

    private sealed class FileSource(NiftiFile f, ReadAhead? ahead, bool secondThread) : VolumeSource
    {
        public override Grid Grid { get; } = Grid.Of(f);
        public override int VolumeCount => f.VolumeCount;
        public override bool IsFloat32 => VoxelTypes.InMemoryType(f) == NiftiDataType.Float32;
        public override bool IsInteger => VoxelTypes.InMemoryType(f) is not (NiftiDataType.Float32 or NiftiDataType.Float64);
        public override string? Path => f.Path;

        public override void Dispose()
        {
            ahead?.Dispose();
            ahead = null;
        }

        public override void ForEach<T>(int first, int count, VolumeAction<T> action)
        {
            if (count <= 0) return;
            if (ahead is { } buffered)
            {
                // The first pass takes what the reader has read (from volume 0 on); a later pass reads as below.
                ahead = null;
                try
                {
                    buffered.Shallow();
                    // Stored as T (float32 BOLD read as float32): the pass reads the stored bytes in place, without
                    // copying each volume; the buffer goes back to the reader after the pass has seen it.
                    bool inPlace = f.StoresAs<T>();
                    T[]? volume = null;
                    for (int t = 0; t < first + count; t++)
                    {
                        var raw = buffered.Take();
                        if (t < first)
                        {
                            buffered.Return(raw);
                            continue;
                        }
                        if (inPlace)
                        {
                            try { action(t, MemoryMarshal.Cast<byte, T>(raw.AsSpan(0, f.VolumeBytes))); }
                            finally { buffered.Return(raw); }
                            continue;
                        }
                        f.DecodeVolume<T>(raw, volume ??= new T[f.VoxelsPerVolume]);
                        buffered.Return(raw);
                        action(t, volume);
                    }
                }
                finally { buffered.Dispose(); }
                return;
            }
            int n = f.VoxelsPerVolume;
            T[] current = new T[n], next = new T[n];
            f.ReadVolume<T>(first, current);
            Task? reading = null;
            try
            {
                for (int t = first; t < first + count; t++)
                {
                    reading = null;
                    if (t + 1 < first + count && secondThread)
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
                    else if (t + 1 < first + count) f.ReadVolume<T>(t + 1, current);
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

    /// <summary>A second thread reading a file's volumes in order, as stored, into a few buffers: deep until the pass
    /// starts (<see cref="Shallow"/>), then one ahead. Errors reach the reader of the volume that failed.</summary>
    private sealed class ReadAhead : IDisposable
    {
        private readonly NiftiFile _file;
        private readonly object _gate = new();
        private readonly Queue<byte[]> _ready = new(), _free = new();
        private readonly Task _task;
        private int _depth;
        private bool _stop, _done;
        private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _error;

        public ReadAhead(NiftiFile file, int depth)
        {
            _file = file;
            _depth = depth;
            _task = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        private void Run()
        {
            try
            {
                for (int t = 0; t < _file.VolumeCount; t++)
                {
                    byte[]? buffer;
                    lock (_gate)
                    {
                        while (!_stop && _ready.Count >= _depth) Monitor.Wait(_gate);
                        if (_stop) return;
                        _free.TryDequeue(out buffer);
                    }
                    // Pooled: a process running many subjects reads each run into the same memory, not into megabytes
                    // of fresh pages (each first touched at a page fault); given back when the reading is disposed.
                    buffer ??= ArrayPool<byte>.Shared.Rent(_file.VolumeBytes);
                    _file.ReadVolumeBytes(t, buffer);
                    lock (_gate)
                    {
                        _ready.Enqueue(buffer);
                        Monitor.PulseAll(_gate);
                    }
                }
            }
            catch (Exception e)
            {
                lock (_gate) _error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                lock (_gate)
                {
                    _done = true;
                    Monitor.PulseAll(_gate);
                }
            }
        }

        /// <summary>One volume ahead from now on: the pass has started. One is enough to keep both threads busy (the
        /// reader decodes the next volume while the pass reduces this one), and each buffer is a volume of fresh memory.</summary>
        public void Shallow()
        {
            lock (_gate) _depth = 1;
        }

        /// <summary>The next volume's stored bytes (volumes come in order from 0); the reading's error when it failed there.</summary>
        public byte[] Take()
        {
            lock (_gate)
            {
                while (_ready.Count == 0 && !_done) Monitor.Wait(_gate);
                if (_ready.TryDequeue(out var buffer))
                {
                    Monitor.PulseAll(_gate);
                    return buffer;
                }
                _error?.Throw();
                throw new InvalidOperationException("read past the last volume");
            }
        }

        /// <summary>Gives a buffer back for the next volumes.</summary>
        public void Return(byte[] buffer)
        {
            lock (_gate) _free.Enqueue(buffer);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _stop = true;
                Monitor.PulseAll(_gate);
            }
            _task.Wait();
            // The reader has stopped: every buffer not handed out is here (a handed-out one comes back through Return).
            lock (_gate)
            {
                while (_ready.TryDequeue(out var b)) ArrayPool<byte>.Shared.Return(b);
                while (_free.TryDequeue(out var b)) ArrayPool<byte>.Shared.Return(b);
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
