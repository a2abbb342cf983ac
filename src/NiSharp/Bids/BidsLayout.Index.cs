using System.IO.Enumeration;
using System.Runtime.CompilerServices;

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
        public readonly KeySequences KeySequences = new();
    }

    private void Build()
    {
        var rootHarvest = new Harvest();
        var entries = List(Root, rootHarvest) ?? throw new NiSharpException(Root, "cannot list the folder (permission denied?)");
        entries.RemoveAll(e => IsDirectory(e) && IgnoredRootFolders.Contains(e[..^1], StringComparer.Ordinal));

        // Subjects are independent: list their folders in parallel (directory listing dominates indexing).
        var harvests = new Harvest?[entries.Count];
        Parallel.For(0, entries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            if (!IsDirectory(entries[i])) return;
            var h = new Harvest();
            var name = entries[i][..^1];
            var dir = string.Concat(Root, "/", name);
            string? subject = null;
            if (name.StartsWith("sub-", StringComparison.Ordinal))
            {
                if (BidsName.IsAlphanumeric(name.AsSpan(4))) subject = _pool.Get(name.AsSpan(4));
                else h.Problems.Add(new BidsProblem(dir, $"folder name '{name}' is not sub-<letters and digits>"));
            }
            Walk(dir, 1, subject, null, h);
            harvests[i] = h;
        });

        // Entries are in path order and each folder's files follow in path order, so concatenating keeps
        // the whole index sorted by path without a global sort.
        int total = 0;
        foreach (var h in harvests) total += h?.Files.Count ?? 1;
        var all = new List<BidsFile>(total);
        var problems = new List<BidsProblem>();
        var keys = rootHarvest.Keys;
        for (int i = 0; i < entries.Count; i++)
        {
            if (harvests[i] is Harvest h)
            {
                all.AddRange(h.Files);
                problems.AddRange(h.Problems);
                keys.UnionWith(h.Keys);
            }
            else
            {
                AddFile(entries[i], Root, null, null, null, rootHarvest);
                all.AddRange(rootHarvest.Files);
                rootHarvest.Files.Clear();
            }
        }
        problems.AddRange(rootHarvest.Problems);
        problems.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        _files = all.ToArray();
        _problems = problems;
        _keysInDataset = keys;
        if (!File.Exists(Path.Combine(Root, "dataset_description.json")))
            _warnings.Add($"{Root}: no dataset_description.json; indexed anyway (as pyBIDS with validate=False)");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Walk(string dir, int depth, string? subject, string? session, Harvest h)
    {
        if (depth > MaxDepth)
        {
            h.Problems.Add(new BidsProblem(dir, $"more than {MaxDepth} folders deep (a symbolic-link loop?); not indexed further"));
            return;
        }
        var entries = List(dir, h);
        if (entries is null) return;
        var folder = NameOf(dir);
        string? datatype = EntityKeys.Datatypes.Contains(folder) ? _pool.Get(folder) : null;
        foreach (var entry in entries)
        {
            if (!IsDirectory(entry))
            {
                AddFile(entry, dir, datatype, subject, session, h);
                continue;
            }
            var dn = entry[..^1];
            var path = string.Concat(dir, "/", dn);
            string? ses = session;
            // BIDS puts sessions directly under the subject folder.
            if (depth == 1 && subject is not null && dn.StartsWith("ses-", StringComparison.Ordinal))
            {
                if (BidsName.IsAlphanumeric(dn.AsSpan(4))) ses = _pool.Get(dn.AsSpan(4));
                else h.Problems.Add(new BidsProblem(path, $"folder name '{dn}' is not ses-<letters and digits>"));
            }
            Walk(path, depth + 1, subject, ses, h);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddFile(string name, string dir, string? datatype, string? subject, string? session, Harvest h)
    {
        var r = BidsName.Parse(name, _pool, subject, session, h.KeySequences);
        if (r.Name is null)
        {
            h.Problems.Add(new BidsProblem(string.Concat(dir, "/", name), r.Problem!));
            return;
        }
        if (r.Name.HasCustomKeys)
        {
            var e = r.Name.Entities;
            for (int i = 0; i < e.Count; i++) h.Keys.Add(e.KeyAt(i));
        }
        h.Files.Add(new BidsFile(name, dir, Root.Length, r.Name, datatype, this));
    }

    /// <summary>
    /// Lists a folder's entry names, folders with a trailing '/', sorted ordinally: a depth-first walk then
    /// yields every path in ordinal order. Files are not stat-ed (the listing gives the type).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<string>? List(string dir, Harvest h)
    {
        var entries = new List<string>();
        try
        {
            var e = new FileSystemEnumerable<string>(
                dir,
                static (ref FileSystemEntry x) => x.IsDirectory ? string.Concat(x.FileName, "/") : x.FileName.ToString(),
                ListOptions)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry x) => x.FileName.Length > 0 && x.FileName[0] != '.',
            };
            entries.AddRange(e);
        }
        catch (UnauthorizedAccessException)
        {
            h.Problems.Add(new BidsProblem(dir, "cannot list the folder: permission denied"));
            return null;
        }
        catch (IOException ex)
        {
            h.Problems.Add(new BidsProblem(dir, $"cannot list the folder: {ex.Message}"));
            return null;
        }
        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    private static bool IsDirectory(string entry) => entry[^1] == '/';

    private static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}
