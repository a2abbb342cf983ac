using System.Text;

namespace NiSharp.IO;

/// <summary>
/// Writes files so that a reader never sees a half-written one: the content goes to a temporary
/// name in the same folder and is renamed into place only when complete. A crash, a kill or an
/// exception leaves at most a <c>.tmp-*</c> file, which <see cref="IsTemporary"/> recognises.
/// </summary>
public static class AtomicFile
{
    /// <summary>The marker in temporary file names; a rerun may delete files that contain it.</summary>
    public const string TemporaryMarker = ".nisharp-tmp-";

    /// <summary>Whether <paramref name="path"/> is a temporary file left by an interrupted write.</summary>
    public static bool IsTemporary(string path) => Path.GetFileName(path).Contains(TemporaryMarker, StringComparison.Ordinal);

    /// <summary>Creates a stream on a temporary file beside <paramref name="path"/>; call
    /// <see cref="AtomicFileStream.Commit()"/> to rename it into place. Disposing without committing deletes it.</summary>
    public static AtomicFileStream Create(string path) => new(path);

    /// <summary>Writes through <paramref name="write"/> and renames into place if it returns normally.</summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, durable: true);

    /// <summary>
    /// <see cref="Write(string, Action{Stream})"/>; when not <paramref name="durable"/> the content is not forced to disk
    /// before the rename (readers still never see a half-written file, but a power cut may lose or tear it): for files
    /// that check themselves and are rebuilt when damaged, such as cache entries, where waiting for the disk costs more
    /// than the file saves.
    /// </summary>
    public static void Write(string path, Action<Stream> write, bool durable)
    {
        using var s = Create(path);
        write(s);
        s.Commit(durable);
    }

    /// <summary>
    /// Writes UTF-8 text atomically unless the file already holds exactly it, so that a rerun that changes nothing leaves
    /// the file (and its time stamp) as it was. Returns whether it wrote.
    /// </summary>
    public static bool WriteAllTextIfChanged(string path, string text) => WriteAllBytesIfChanged(path, new UTF8Encoding(false).GetBytes(text), durable: true);

    /// <summary>Writes <paramref name="content"/> atomically unless the file already holds exactly it (see
    /// <see cref="WriteAllTextIfChanged"/>; <paramref name="durable"/> as in <see cref="Write(string, Action{Stream}, bool)"/>).
    /// Returns whether it wrote.</summary>
    public static bool WriteAllBytesIfChanged(string path, ReadOnlyMemory<byte> content, bool durable)
    {
        var bytes = content.Span;
        try
        {
            // Only a regular file is compared (a FIFO or device in the way is never opened here: the write names it).
            var status = FileStatus.Of(path);
            if (status.Kind == FileKind.Regular && status.Length == bytes.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* unreadable: write it */ }
        Write(path, s => s.Write(content.Span), durable);
        return true;
    }

    /// <summary>Writes UTF-8 text (no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            var bytes = new UTF8Encoding(false).GetBytes(text);
            s.Write(bytes);
        });
}

/// <summary>A file stream on a temporary name that becomes the target file on <see cref="Commit()"/>.</summary>
public sealed class AtomicFileStream : Stream
{
    private readonly FileStream _inner;
    private bool _committed;

    /// <summary>The final path.</summary>
    public string TargetPath { get; }

    /// <summary>The temporary path being written.</summary>
    public string TemporaryPath { get; }

    internal AtomicFileStream(string path)
    {
        TargetPath = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(TargetPath)!;
        OutputFolder.CheckExists(path, dir);
        var name = Path.GetFileName(TargetPath);
        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            throw new NiSharpException(path, $"cannot write: the file name is {Encoding.UTF8.GetByteCount(name)} bytes long; file systems allow {MaxNameBytes}");
        CheckNotAnInput(path);
        TemporaryPath = Path.Combine(dir, TemporaryName(name));
        try
        {
            _inner = new FileStream(TemporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new NiSharpException(path, "cannot write: permission denied", e);
        }
        catch (IOException e)
        {
            throw WriteError(e);
        }
    }

    private const int MaxNameBytes = 255;

    /// <summary>The temporary name beside <paramref name="name"/>: the name, the marker and a random tag, the name cut
    /// short when the whole would pass the file system's 255 bytes (it still starts like the final name, which is how
    /// a rerun finds a subject's leftovers).</summary>
    private static string TemporaryName(string name)
    {
        var tag = AtomicFile.TemporaryMarker + Guid.NewGuid().ToString("N")[..8];
        int room = MaxNameBytes - tag.Length;
        while (Encoding.UTF8.GetByteCount(name) > room) name = name[..^1];
        if (name.Length > 0 && char.IsHighSurrogate(name[^1])) name = name[..^1];
        return name + tag;
    }

    /// <summary>Refuses to replace a file the current command has read (<see cref="CommandInputs"/>), directly or
    /// through a link: <c>smooth X -o X</c> would otherwise lose X.</summary>
    private static void CheckNotAnInput(string path)
    {
        FileStatus s;
        try { s = FileStatus.Of(path); }
        catch (UnauthorizedAccessException) { return; } // the write itself will say
        if (s.Kind == FileKind.Missing) return;
        if (s.Kind == FileKind.Directory) throw new NiSharpException(path, "cannot write: it is a folder");
        if (CommandInputs.Find(s.Identity) is string input)
            throw new NiSharpException(path, input == path
                ? "cannot write: it is an input of this command, which would be replaced; choose another output name"
                : $"cannot write: it is the same file as the input {input}, which would be replaced; choose another output name");
    }

    /// <summary>Flushes to disk and renames the temporary file onto the target (replacing it).</summary>
    public void Commit() => Commit(durable: true);

    /// <summary>Renames the temporary file onto the target, flushed to disk first when <paramref name="durable"/>.</summary>
    public void Commit(bool durable)
    {
        if (_committed) return;
        try
        {
            _inner.Flush(flushToDisk: durable);
            _inner.Dispose();
            File.Move(TemporaryPath, TargetPath, overwrite: true);
            _committed = true;
        }
        catch (IOException e)
        {
            TryDelete();
            throw WriteError(e);
        }
        catch (UnauthorizedAccessException e)
        {
            TryDelete();
            throw new NiSharpException(TargetPath, "cannot write: permission denied", e);
        }
    }

    // .NET appends the file name to the OS error ("No space left on device : '/out/x.nisharp-tmp-1a2b'");
    // the user knows the file by its final name, which the message already starts with.
    private NiSharpException WriteError(IOException e)
    {
        var reason = OutputFolder.Reason(e).Replace($" : '{TemporaryPath}'", "", StringComparison.Ordinal)
                                           .Replace(TemporaryPath, Path.GetFileName(TargetPath), StringComparison.Ordinal);
        return new NiSharpException(TargetPath, $"cannot write: {reason}", e);
    }

    private void TryDelete()
    {
        // Closing flushes the buffer, which fails again on a full disk; the file must go all the same.
        try { _inner.Dispose(); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        try { File.Delete(TemporaryPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_committed) TryDelete();
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => WriteChecked(() => _inner.Write(buffer, offset, count));
    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try { _inner.Write(buffer); }
        catch (IOException e) { throw WriteError(e); }
    }
    private void WriteChecked(Action a)
    {
        try { a(); }
        catch (IOException e) { throw WriteError(e); }
    }
    /// <inheritdoc />
    public override void Flush() => WriteChecked(_inner.Flush);
    /// <inheritdoc />
    public override bool CanRead => false;
    /// <inheritdoc />
    public override bool CanSeek => _inner.CanSeek;
    /// <inheritdoc />
    public override bool CanWrite => true;
    /// <inheritdoc />
    public override long Length => _inner.Length;
    /// <inheritdoc />
    public override long Position { get => _inner.Position; set => _inner.Position = value; }
    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);
    /// <inheritdoc />
    public override void SetLength(long value) => _inner.SetLength(value);
}
