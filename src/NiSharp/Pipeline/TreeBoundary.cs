using NiSharp.Bids;

namespace NiSharp.Pipeline;

/// <summary>
/// Keeps <c>nisharp run</c> inside its two folders. Every input file of a run must resolve, through any symbolic
/// links in its path, to a file under the input folder; every folder the run writes to (or reads its own outputs
/// from) must resolve to a folder under the output folder. Names from the data cannot escape (BIDS labels are
/// letters and digits, and a file name has no separator), so links are the only way out, and they are refused
/// with a message rather than followed. One exception: git-annex / DataLad datasets keep file contents in
/// <c>.git/annex/objects</c>, possibly of a dataset above the input folder; links into such a store are content,
/// not an escape, and are allowed.
/// </summary>
/// <remarks>
/// Output files themselves are safe even when a link sits at their name: they are written to a fresh temporary
/// name and renamed onto the final one, which replaces the link instead of writing through it.
/// </remarks>
public static class TreeBoundary
{
    private const string AnnexStore = "/.git/annex/objects/";

    /// <summary>
    /// Fails, naming <paramref name="path"/>, when it resolves outside <paramref name="inputRoot"/> (an annex store
    /// excepted) or is a link to nothing.
    /// </summary>
    public static void CheckInput(string inputRoot, string path)
    {
        var real = RealPath(path);
        if (IsInside(real, RealPath(inputRoot)) || real.Replace('\\', '/').Contains(AnnexStore, StringComparison.Ordinal)) return;
        throw new NiSharpException(path, $"leads to {real} (through a symbolic link), outside the input folder {inputRoot}; " +
                                         "nisharp run reads only inside its input: copy the file in, or give the folder that holds it");
    }

    /// <summary>Checks every file a BOLD run reads: the run's own files and the JSON sidecars it inherits, before any is read.</summary>
    public static void CheckInputs(string inputRoot, BoldRun run)
    {
        foreach (var p in new[] { run.Bold.Path, run.Mask?.Path, run.Boldref?.Path, run.Confounds?.Path, run.ConfoundsJson?.Path })
            if (p is not null) CheckInput(inputRoot, p);
        foreach (var p in run.SidecarPaths) CheckInput(inputRoot, p);
    }

    /// <summary>
    /// Fails, naming <paramref name="folder"/>, when the part of it that exists resolves outside
    /// <paramref name="outputRoot"/> (a folder of the output replaced by a link to elsewhere). Call before creating,
    /// writing into or reading outputs from the folder.
    /// </summary>
    public static void CheckOutputFolder(string outputRoot, string folder)
    {
        var existing = Path.GetFullPath(folder);
        while (!Directory.Exists(existing) && !File.Exists(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null) return;
            existing = parent;
        }
        // The output folder itself does not exist yet: nothing in it can lead elsewhere.
        if (!IsInside(existing, Path.GetFullPath(outputRoot))) return;
        var real = RealPath(existing);
        if (IsInside(real, RealPath(outputRoot))) return;
        throw new NiSharpException(folder, $"leads to {real} (through a symbolic link), outside the output folder {outputRoot}; " +
                                           "nisharp run writes only inside its output folder: remove the link");
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it (both already resolved).</summary>
    public static bool IsInside(string path, string root)
    {
        var r = Path.TrimEndingDirectorySeparator(root);
        return path == r || path.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>
    /// The absolute path with every symbolic link along it resolved (POSIX <c>realpath</c>; the parts that do not exist
    /// are kept as written). A dangling link or a loop fails naming <paramref name="path"/>.
    /// </summary>
    public static string RealPath(string path) => RealPath(path, path, 0);

    private static string RealPath(string path, string asked, int depth)
    {
        if (depth > 40) throw new NiSharpException(asked, "too many levels of symbolic links (a loop?)");
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var current = root;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            // FileInfo reads a link whatever it points to (file or folder) without following it.
            if (new FileInfo(next).LinkTarget is string target)
            {
                next = RealPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target), asked, depth + 1);
                if (!File.Exists(next) && !Directory.Exists(next))
                    throw new NiSharpException(asked, $"is (or passes through) a symbolic link to {target}, which does not exist (a DataLad file not fetched? run 'datalad get')");
            }
            current = next;
        }
        return current;
    }
}
