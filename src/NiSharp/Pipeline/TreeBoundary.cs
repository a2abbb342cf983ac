using NiSharp.Bids;

namespace NiSharp.Pipeline;

/// <summary>
/// The one rule for symbolic links in <c>nisharp run</c>: <b>reading follows links wherever they lead; writing never
/// goes through a link into the input or out of the output folder.</b>
/// <list type="bullet">
/// <item>Reading: DataLad / git-annex datasets are made of links (into <c>.git/annex/objects</c>, often of a dataset
/// above the input folder), a cluster's subjects are links to other disks (<c>sub-01 -&gt; /scratch/…</c>). All are
/// read. What bounds reading is the index (<see cref="BidsLayout"/> descends only where BIDS puts files, each folder
/// once) and the file rule (<see cref="IO.InputFile"/>: only regular files, text of bounded size), so a link to
/// <c>/</c> or a loop costs one folder listing.</item>
/// <item>Writing: the output folder may not be, contain or lie inside the input folder, nor any folder the selected
/// input files really are in (<see cref="CheckOutputRoot"/>); every folder a run writes to (or reads its own outputs
/// from) must resolve, through any links in its path, to a folder under the output folder
/// (<see cref="CheckOutputFolder"/>). Names from the data cannot escape (BIDS labels are letters and digits, and a
/// file name has no separator), so links are the only way out, and they are refused with a message.</item>
/// </list>
/// </summary>
/// <remarks>
/// Output files themselves are safe even when a link sits at their name: they are written to a fresh temporary
/// name and renamed onto the final one, which replaces the link instead of writing through it.
/// </remarks>
public static class TreeBoundary
{
    /// <summary>
    /// Fails, naming <paramref name="outputRoot"/>, when it is, contains or lies inside <paramref name="inputRoot"/>
    /// or one of <paramref name="inputFolders"/> (the folders the input files really are in, links resolved): a BIDS
    /// App never writes into its input. Paths are compared with their links resolved.
    /// </summary>
    public static void CheckOutputRoot(string inputRoot, string outputRoot, IEnumerable<string>? inputFolders = null)
    {
        var output = RealPath(outputRoot);
        var input = RealPath(inputRoot);
        if (output == input)
            throw new NiSharpException(outputRoot, "OUTPUT_DIR is the input folder; BIDS Apps never write into their input: choose another folder");
        if (IsInside(output, input))
            throw new NiSharpException(outputRoot, $"OUTPUT_DIR is inside the input folder {inputRoot}; BIDS Apps never write into their input: choose a folder outside it");
        if (IsInside(input, output))
            throw new NiSharpException(outputRoot, $"OUTPUT_DIR contains the input folder {inputRoot}; BIDS Apps never write into their input: choose a folder beside it, not above it");
        foreach (var folder in inputFolders ?? [])
        {
            if (IsInside(folder, input)) continue;
            if (output == folder || IsInside(output, folder) || IsInside(folder, output))
                throw new NiSharpException(outputRoot, $"OUTPUT_DIR overlaps {folder}, where input files of {inputRoot} lead (through symbolic links); BIDS Apps never write into their input: choose another folder");
        }
    }

    /// <summary>The folders, links resolved, that hold the files of <paramref name="runs"/> (for
    /// <see cref="CheckOutputRoot"/>): a linked subject or session folder leads there. Folders that cannot be resolved
    /// are left to fail their subject later, with the reason.</summary>
    public static IReadOnlyList<string> InputFolders(IEnumerable<BoldRun> runs)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
            foreach (var p in new[] { run.Bold.Path, run.Mask?.Path, run.Boldref?.Path, run.Confounds?.Path, run.ConfoundsJson?.Path }.Concat(run.SidecarPaths))
                if (p is not null) written.Add(Path.GetDirectoryName(Path.GetFullPath(p))!);
        return RealFolders(written);
    }

    /// <summary>The real paths of <paramref name="folders"/> (absolute), sorted and without those that cannot be resolved:
    /// <see cref="RealPath(string)"/> of each, with the parents they share (the input folder, each subject's) resolved once.</summary>
    internal static IReadOnlyList<string> RealFolders(IEnumerable<string> folders)
    {
        var real = new SortedSet<string>(StringComparer.Ordinal);
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            try { real.Add(RealPath(folder, resolved)); }
            catch (NiSharpException) { }
        }
        return real.ToList();
    }

    // RealPath of an absolute path through the real paths of its parents, each kept in resolved: the same walk, component
    // by component, with the prefixes shared between the paths of one call resolved once.
    private static string RealPath(string full, Dictionary<string, string> resolved)
    {
        if (resolved.TryGetValue(full, out var known)) return known;
        var parent = Path.GetDirectoryName(full);
        var result = parent is null ? full : Step(RealPath(parent, resolved), Path.GetFileName(full), full, 0); // (null: the root)
        resolved[full] = result;
        return result;
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
        foreach (var part in parts) current = Step(current, part, asked, depth);
        return Path.TrimEndingDirectorySeparator(current) is { Length: > 0 } t ? t : current;
    }

    // One step of the walk: the resolved folder current joined with name, through the link there when it is one.
    private static string Step(string current, string name, string asked, int depth)
    {
        var next = Path.Combine(current, name);
        // FileInfo reads a link whatever it points to (file or folder) without following it.
        if (new FileInfo(next).LinkTarget is not string target) return next;
        next = RealPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target), asked, depth + 1);
        if (!File.Exists(next) && !Directory.Exists(next))
            throw new NiSharpException(asked, $"is (or passes through) a symbolic link to {target}, which does not exist (a DataLad file not fetched? run 'datalad get')");
        return next;
    }
}
