using NiSharp.IO;

namespace NiSharp.Pipeline;

/// <summary>
/// One <c>nisharp run</c> at a time per output folder: a lock file (<c>OUTPUT_DIR/logs/nisharp.lock</c>) held open
/// with an exclusive lock for the whole run. The operating system releases the lock when the process ends, however it
/// ends (a <c>kill -9</c> included), so a stale lock file never blocks the next run. While holding it, the run deletes
/// the temporary files an interrupted run left behind (see <see cref="AtomicFile.IsTemporary"/>).
/// The tasks of a Slurm job array share the folder instead (<see cref="AcquireShared"/>): each holds the folder's lock
/// shared, so that they run side by side but a local run cannot start among them, and its subjects' locks exclusively.
/// </summary>
public sealed class OutputLock : IDisposable
{
    private readonly FileStream _stream;
    private readonly List<FileStream> _subjectLocks = [];
    private IReadOnlyList<string>? _subjects;

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
        OutputFolder.Create(System.IO.Path.GetDirectoryName(path)!);
        CheckLockFile(path);
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
        catch (IOException e) when (IsLockedByOther(e))
        {
            throw new NiSharpException(outputDir, $"another nisharp run is writing to this folder (it holds {path}); wait for it to finish or use another OUTPUT_DIR");
        }
        catch (IOException e)
        {
            throw new NiSharpException(path, $"cannot write: {OutputFolder.Reason(e)}", e);
        }
        catch (UnauthorizedAccessException)
        {
            throw new NiSharpException(outputDir, "cannot write: permission denied");
        }
    }

    /// <summary>
    /// Takes <paramref name="outputDir"/>'s lock shared, as one of several concurrent invocations for different subjects
    /// (the tasks of a Slurm job array), and the lock of each of <paramref name="subjects"/> (<c>logs/sub-X.lock</c>)
    /// exclusively; fails naming the folder when a local run holds it, or the subject when another task is on it.
    /// </summary>
    public static OutputLock AcquireShared(string outputDir, IReadOnlyList<string> subjects)
    {
        var path = LockPath(outputDir);
        TreeBoundary.CheckOutputFolder(outputDir, System.IO.Path.GetDirectoryName(path)!);
        OutputFolder.Create(System.IO.Path.GetDirectoryName(path)!);
        CheckLockFile(path);
        FileStream stream;
        try
        {
            // Read access with sharing takes a shared advisory lock (flock LOCK_SH) on Unix: compatible with the other
            // tasks' shared locks, not with a local run's exclusive one.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (IOException e) when (IsLockedByOther(e))
        {
            throw new NiSharpException(outputDir, $"a local nisharp run is writing to this folder (it holds {path}); wait for it to finish or use another OUTPUT_DIR");
        }
        catch (IOException e)
        {
            throw new NiSharpException(path, $"cannot write: {OutputFolder.Reason(e)}", e);
        }
        catch (UnauthorizedAccessException)
        {
            throw new NiSharpException(outputDir, "cannot write: permission denied");
        }
        var result = new OutputLock(path, stream) { _subjects = subjects };
        try
        {
            foreach (var subject in subjects)
            {
                var subjectPath = System.IO.Path.Combine(outputDir, "logs", $"sub-{subject}.lock");
                CheckLockFile(subjectPath);
                try
                {
                    result._subjectLocks.Add(new FileStream(subjectPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException e) when (IsLockedByOther(e))
                {
                    throw new NiSharpException(outputDir, $"another nisharp run is processing sub-{subject} in this folder (it holds {subjectPath})");
                }
                catch (IOException e)
                {
                    throw new NiSharpException(subjectPath, $"cannot write: {OutputFolder.Reason(e)}", e);
                }
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    // .NET reports a held lock as a sharing violation: ERROR_SHARING_VIOLATION on Windows, the errno of flock's
    // EWOULDBLOCK on Unix (11 on Linux, 35 on macOS). Any other error (a read-only disk, say) is a write error, not
    // another run.
    private static bool IsLockedByOther(IOException e) =>
        e.HResult == unchecked((int)0x80070020) || (OperatingSystem.IsLinux() && e.HResult == 11) || (OperatingSystem.IsMacOS() && e.HResult == 35);

    /// <summary>
    /// A lock file may be missing (it is created) or a regular file: opening a planted link would truncate whatever it
    /// points to, a FIFO would block or refuse the lock, a device would be written to.
    /// </summary>
    private static void CheckLockFile(string path)
    {
        var kind = FileStatus.Of(path, followLinks: false).Kind;
        if (kind == FileKind.SymbolicLink)
            throw new NiSharpException(path, "is a symbolic link; nisharp will not write through it: remove it");
        if (kind is not (FileKind.Missing or FileKind.Regular))
            throw new NiSharpException(path, $"is {FileStatus.Describe(kind)}, not a lock file; nisharp will not open it: remove it");
    }

    /// <summary>Deletes the temporary files left by interrupted writes anywhere under <paramref name="outputDir"/>
    /// (with a shared lock: only in the subjects' own folders and logs); returns how many. Only safe while holding the
    /// lock.</summary>
    public int RemoveLeftovers(string outputDir)
    {
        int removed = 0;
        if (!Directory.Exists(outputDir)) return 0;
        var pattern = "*" + AtomicFile.TemporaryMarker + "*";
        IEnumerable<string> leftovers = _subjects is null
            ? Directory.EnumerateFiles(outputDir, pattern, NotThroughLinks)
            : _subjects.SelectMany(s => SubjectLeftovers(outputDir, s, pattern));
        foreach (var f in leftovers)
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

    // .NET's recursive enumeration follows linked folders, which may lead out of the output: never delete through them.
    private static readonly EnumerationOptions NotThroughLinks = new()
    {
        RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true,
    };

    private static IEnumerable<string> SubjectLeftovers(string outputDir, string subject, string pattern)
    {
        var folder = System.IO.Path.Combine(outputDir, $"sub-{subject}");
        var logs = System.IO.Path.Combine(outputDir, "logs");
        var own = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, pattern, NotThroughLinks) : [];
        var logged = Directory.Exists(logs)
            ? Directory.EnumerateFiles(logs, $"sub-{subject}*" + AtomicFile.TemporaryMarker + "*")
                .Where(f => System.IO.Path.GetFileName(f) is var n && (n.StartsWith($"sub-{subject}.", StringComparison.Ordinal) || n.StartsWith($"sub-{subject}_", StringComparison.Ordinal)))
            : [];
        return own.Concat(logged).ToList();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var s in _subjectLocks) s.Dispose();
        _stream.Dispose();
    }
}
