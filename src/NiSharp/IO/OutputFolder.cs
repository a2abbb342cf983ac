using System.Text.RegularExpressions;

namespace NiSharp.IO;

/// <summary>
/// Folders that outputs go to: created with one-line errors naming the folder (a read-only disk, a file where a
/// folder should be, no permission) instead of the system's exceptions, as <see cref="AtomicFile"/> does for files.
/// </summary>
public static partial class OutputFolder
{
    /// <summary>Creates <paramref name="folder"/> and the folders above it that are missing.</summary>
    public static void Create(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (Directory.Exists(full)) return;
        CheckNoFileAbove(folder, full);
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new NiSharpException(folder, "cannot write: permission denied", e);
        }
        catch (IOException e)
        {
            throw new NiSharpException(folder, $"cannot write: {Reason(e)}", e);
        }
    }

    /// <summary>Fails, naming <paramref name="path"/>, when the folder it is to be written in does not exist.</summary>
    internal static void CheckExists(string path, string folder)
    {
        if (Directory.Exists(folder)) return;
        CheckNoFileAbove(path, folder);
        throw new NiSharpException(path, "cannot write: the folder does not exist");
    }

    // "The file '/out/logs' already exists" says nothing of folders; name the file that stands in the way.
    private static void CheckNoFileAbove(string path, string full)
    {
        for (var p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p)) return;
            var s = FileStatus.Of(p);
            if (s.Kind != FileKind.Missing)
                throw new NiSharpException(path, $"cannot write: {p} is {FileStatus.Describe(s.Kind)}, not a folder");
        }
    }

    /// <summary>The system's reason for a failed write, without the path .NET appends (the message names the file
    /// already): <c>No space left on device</c>, <c>Read-only file system</c>.</summary>
    internal static string Reason(IOException e) => e switch
    {
        PathTooLongException => "the path, or a name in it, is too long for the file system",
        _ => PathSuffix().Replace(e.Message, ""),
    };

    [GeneratedRegex(" : '[^']*'$")]
    private static partial Regex PathSuffix();
}
