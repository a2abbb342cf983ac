using System.IO.Enumeration;

namespace NiSharp.Bids;

/// <summary>A file the index could not read as a BIDS name, or a folder it could not list, and why.</summary>
/// <param name="Path">The file or folder.</param>
/// <param name="Problem">What is wrong, in one line.</param>
public sealed record BidsProblem(string Path, string Problem)
{
    /// <summary><c>PATH: problem</c>, the shape of every NiSharp message.</summary>
    public override string ToString() => $"{Path}: {Problem}";
}

public sealed partial class BidsLayout
{
    /// <summary>Folders at the dataset root that pyBIDS leaves out by default (and dot-folders everywhere).
    /// A nested <c>derivatives/</c> dataset is indexed on its own: <c>BidsLayout.Index(root + "/derivatives/fmriprep")</c>.</summary>
    public static IReadOnlyList<string> IgnoredRootFolders { get; } = ["code", "derivatives", "sourcedata", "stimuli", "models"];

    // Symbolic-link loops would otherwise recurse forever; real datasets are 4-6 levels deep.
    private const int MaxDepth = 32;

    private static readonly EnumerationOptions ListOptions = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>What one indexing worker found (one per top-level folder, merged at the end).</summary>
    private sealed class Harvest
    {
        public readonly List<BidsFile> Files = [];
        public readonly List<BidsProblem> Problems = [];
        public readonly HashSet<string> Keys = new(StringComparer.Ordinal);
    }

    private void Build()
    {
        var rootHarvest = new Harvest();
        var (files, dirs) = List(Root, rootHarvest);
        if (files is null) throw new NiSharpException(Root, "cannot list the folder (permission denied?)");
        foreach (var f in files) AddFile(f, Root, null, null, null, rootHarvest);

        dirs!.RemoveAll(d => IgnoredRootFolders.Contains(NameOf(d), StringComparer.Ordinal));
        var harvests = new Harvest[dirs.Count];
        // Subjects are independent: list their folders in parallel (directory listing dominates indexing).
        Parallel.For(0, dirs.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var h = new Harvest();
            var name = NameOf(dirs[i]);
            string? subject = name.StartsWith("sub-", StringComparison.Ordinal) && BidsName.IsAlphanumeric(name.AsSpan(4)) ? _pool.Get(name.AsSpan(4)) : null;
            if (name.StartsWith("sub-", StringComparison.Ordinal) && subject is null)
                h.Problems.Add(new BidsProblem(dirs[i], $"folder name '{name}' is not sub-<letters and digits>"));
            Walk(dirs[i], 1, subject, null, h);
            harvests[i] = h;
        });

        int total = rootHarvest.Files.Count;
        foreach (var h in harvests) total += h.Files.Count;
        var all = new BidsFile[total];
        int o = 0;
        var problems = new List<BidsProblem>(rootHarvest.Problems);
        var keys = new HashSet<string>(rootHarvest.Keys, StringComparer.Ordinal);
        rootHarvest.Files.CopyTo(all, o);
        o += rootHarvest.Files.Count;
        foreach (var h in harvests)
        {
            h.Files.CopyTo(all, o);
            o += h.Files.Count;
            problems.AddRange(h.Problems);
            keys.UnionWith(h.Keys);
        }
        Array.Sort(all, static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        problems.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        _files = all;
        _problems = problems;
        _keysInDataset = keys;
        if (!File.Exists(Path.Combine(Root, "dataset_description.json")))
            _warnings.Add($"{Root}: no dataset_description.json; indexed anyway (as pyBIDS with validate=False)");
    }

    private void Walk(string dir, int depth, string? subject, string? session, Harvest h)
    {
        if (depth > MaxDepth)
        {
            h.Problems.Add(new BidsProblem(dir, $"more than {MaxDepth} folders deep (a symbolic-link loop?); not indexed further"));
            return;
        }
        var (files, dirs) = List(dir, h);
        if (files is null) return;
        var name = NameOf(dir);
        string? datatype = EntityKeys.Datatypes.Contains(name) ? _pool.Get(name) : null;
        foreach (var f in files) AddFile(f, dir, datatype, subject, session, h);
        foreach (var d in dirs!)
        {
            string? ses = session;
            var dn = NameOf(d);
            // BIDS puts sessions directly under the subject folder.
            if (depth == 1 && subject is not null && dn.StartsWith("ses-", StringComparison.Ordinal))
            {
                if (BidsName.IsAlphanumeric(dn.AsSpan(4))) ses = _pool.Get(dn.AsSpan(4));
                else h.Problems.Add(new BidsProblem(d, $"folder name '{dn}' is not ses-<letters and digits>"));
            }
            Walk(d, depth + 1, subject, ses, h);
        }
    }

    private void AddFile(string path, string dir, string? datatype, string? subject, string? session, Harvest h)
    {
        var name = path.AsSpan(dir.Length + 1);
        var r = BidsName.Parse(name, _pool, subject, session);
        if (r.Name is null)
        {
            h.Problems.Add(new BidsProblem(path, r.Problem!));
            return;
        }
        var e = r.Name.Entities;
        for (int i = 0; i < e.Count; i++) h.Keys.Add(e.KeyAt(i));
        h.Files.Add(new BidsFile(path, dir, Root.Length, r.Name, datatype, this));
    }

    /// <summary>Lists a folder's entries without stat-ing files (the entry type comes with the listing).</summary>
    private static (List<string>? Files, List<string>? Dirs) List(string dir, Harvest h)
    {
        var files = new List<string>();
        var dirs = new List<string>();
        try
        {
            var e = new FileSystemEnumerable<(string Path, bool IsDirectory)>(
                dir,
                (ref FileSystemEntry x) => (string.Concat(dir, "/", x.FileName), x.IsDirectory),
                ListOptions)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry x) => x.FileName.Length > 0 && x.FileName[0] != '.',
            };
            foreach (var (path, isDir) in e)
                (isDir ? dirs : files).Add(path);
        }
        catch (UnauthorizedAccessException)
        {
            h.Problems.Add(new BidsProblem(dir, "cannot list the folder: permission denied"));
            return (null, null);
        }
        catch (IOException ex)
        {
            h.Problems.Add(new BidsProblem(dir, $"cannot list the folder: {ex.Message}"));
            return (null, null);
        }
        return (files, dirs);
    }

    private static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}
