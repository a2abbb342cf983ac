using NiSharp.IO;

namespace NiSharp.Pipeline;

/// <summary>
/// One <c>nisharp run</c> at a time per output folder: a lock file (<c>OUTPUT_DIR/logs/nisharp.lock</c>) held open
/// with an exclusive lock for the whole run. The operating system releases the lock when the process ends, however it
/// ends (a <c>kill -9</c> included), so a stale lock file never blocks the next run. While holding it, the run deletes
/// the temporary files an interrupted run left behind (see <see cref="AtomicFile.IsTemporary"/>).
/// </summary>
public sealed class OutputLock : IDisposable
{
    private readonly FileStream _stream;

    /// <summary>The lock file.</summary>
    public string Path { get; }

    private OutputLock(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The lock file of an output folder.</summary>
    public static string LockPath(string outputDir) => System.IO.Path.Combine(outputDir, "logs", "nisharp.lock");

    /// <summary>Takes the lock of <paramref name="outputDir"/> (creating the folder), or fails naming the folder when
    /// another run holds it.</summary>
    public static OutputLock Acquire(string outputDir)
    {
        var path = LockPath(outputDir);
        TreeBoundary.CheckOutputFolder(outputDir, System.IO.Path.GetDirectoryName(path)!);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        // Opening a planted link would truncate whatever it points to.
        if (new FileInfo(path).LinkTarget is not null)
            throw new NiSharpException(path, "is a symbolic link; nisharp will not write through it: remove it");
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix and a share lock on Windows; both
            // belong to the open file, so they vanish with the process.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var pid = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n");
            stream.Write(pid);
            stream.Flush();
            return new OutputLock(path, stream);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new NiSharpException(outputDir, $"another nisharp run is writing to this folder (it holds {path}); wait for it to finish or use another OUTPUT_DIR");
        }
        catch (UnauthorizedAccessException)
        {
            throw new NiSharpException(outputDir, "cannot write: permission denied");
        }
    }

    /// <summary>Deletes the temporary files left by interrupted writes anywhere under <paramref name="outputDir"/>;
    /// returns how many. Only safe while holding the lock.</summary>
    public int RemoveLeftovers(string outputDir)
    {
        int removed = 0;
        if (!Directory.Exists(outputDir)) return 0;
        // Not through links: .NET's recursive enumeration follows linked folders, which may lead out of the output.
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var f in Directory.EnumerateFiles(outputDir, "*" + AtomicFile.TemporaryMarker + "*", walk))
        {
            try
            {
                File.Delete(f);
                removed++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
