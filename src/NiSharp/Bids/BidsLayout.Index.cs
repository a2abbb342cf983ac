using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using NiSharp.IO;

namespace NiSharp.Bids;

/// <summary>A file the index could not read as a BIDS name, or a folder it could not list, and why.</summary>
/// <param name="Path">The file or folder.</param>
/// <param name="Problem">What is wrong, in one line.</param>
public sealed record BidsProblem(string Path, string Problem)
{
    /// <summary><c>PATH: problem</c>, the shape of every NiSharp message (control characters in the name escaped).</summary>
    public override string ToString() => NiSharpException.Printable($"{Path}: {Problem}");
}

public sealed partial class BidsLayout
{
    /// <summary>Folders at the dataset root that pyBIDS leaves out by default (and dot-folders everywhere).
    /// A nested <c>derivatives/</c> dataset is indexed on its own: <c>BidsLayout.Index(root + "/derivatives/fmriprep")</c>.
    /// (The index descends only into <c>sub-*</c> folders at the root in any case, see <see cref="Index"/>.)</summary>
    public static IReadOnlyList<string> IgnoredRootFolders { get; } = ["code", "derivatives", "sourcedata", "stimuli", "models"];

    private static readonly EnumerationOptions ListOptions = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    private static readonly EnumerationOptions NoLinksOptions = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = FileAttributes.ReparsePoint,
        ReturnSpecialDirectories = false,
    };

    /// <summary>What one indexing worker found (one per top-level folder, merged at the end).</summary>
    private sealed class Harvest
    {
        public readonly List<BidsFile> Files = [];
        public readonly List<BidsProblem> Problems = [];
        public readonly HashSet<string> Keys = new(StringComparer.Ordinal);
        public readonly KeySequences KeySequences = new();
        /// <summary>The folders this worker listed, by identity: a folder reached again (through a link) is not listed twice.</summary>
        public readonly Dictionary<FileIdentity, string> Visited = [];
    }

    /// <summary>Where a folder sits in the BIDS tree, which decides what the walk looks for in it.</summary>
    private enum Level { Subject, Session, Datatype }

    private void Build()
    {
        var rootHarvest = new Harvest();
        var links = new HashSet<string>(StringComparer.Ordinal);
        var entries = List(Root, rootHarvest, links) ?? throw new NiSharpException(Root, "cannot list the folder (permission denied?)");
        entries.RemoveAll(e => IsDirectory(e) && (IgnoredRootFolders.Contains(e[..^1], StringComparer.Ordinal) || !e.StartsWith(SubjectLabel.Prefix, StringComparison.Ordinal)));

        // Two subject folders that are one folder (a link beside its target) would index every file twice: keep the first.
        // Only a link makes two entries one folder: without one among the subject folders none is examined here (a run of
        // one subject of a thousand made a thousand stat calls), and each walk examines its own folder.
        var subjectFolders = new Dictionary<FileIdentity, string>();
        var sameAs = new string?[entries.Count];
        var identities = new FileIdentity?[entries.Count];
        if (entries.Any(e => IsDirectory(e) && links.Contains(e)))
            for (int i = 0; i < entries.Count; i++)
            {
                if (!IsDirectory(entries[i])) continue;
                var dir = string.Concat(Root, "/", entries[i][..^1]);
                identities[i] = Identify(dir);
                if (identities[i] is FileIdentity id && !subjectFolders.TryAdd(id, dir)) sameAs[i] = subjectFolders[id];
            }

        // Subjects are independent: list their folders in parallel (directory listing dominates indexing).
        var harvests = new Harvest?[entries.Count];
        Parallel.For(0, entries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            if (!IsDirectory(entries[i]) || !Indexes(entries[i])) return;
            var name = entries[i][..^1];
            var h = new Harvest();
            var dir = string.Concat(Root, "/", name);
            harvests[i] = h;
            if (sameAs[i] is string first)
            {
                h.Problems.Add(new BidsProblem(dir, $"is the same folder as {first} (a symbolic link?); indexed once, as {first}"));
                return;
            }
            string? subject = null;
            if (BidsName.IsAlphanumeric(name.AsSpan(4))) subject = _pool.Get(name.AsSpan(4));
            else h.Problems.Add(new BidsProblem(dir, $"folder name '{name}' is not sub-<letters and digits>"));
            Walk(dir, Level.Subject, subject, null, h, identities[i]);
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
            else if (!IsDirectory(entries[i])) // (a subject folder left out of a partial index has no harvest)
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

    /// <summary>
    /// Indexes one folder of a subject: its files (in the subject and session folders, only those named <c>sub-*</c>),
    /// and the folders where BIDS puts files — <c>ses-*</c> in the subject
    /// folder, a datatype folder (<c>anat</c>, <c>func</c>, …) in the subject or session folder — and no other. The
    /// walk is therefore at most three folders deep whatever links it meets, so a loop (<c>func/loop -&gt; ..</c>) or a
    /// link to <c>/</c> costs one listing, not the whole file system; and a folder met twice (by identity, through
    /// links) is listed once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Walk(string dir, Level level, string? subject, string? session, Harvest h, FileIdentity? known = null)
    {
        if ((known ?? Identify(dir)) is FileIdentity id && !h.Visited.TryAdd(id, dir))
        {
            h.Problems.Add(new BidsProblem(dir, $"is the same folder as {h.Visited[id]} (a symbolic-link loop?); not indexed again"));
            return;
        }
        var entries = List(dir, h);
        if (entries is null) return;
        string? datatype = level == Level.Datatype ? _pool.Get(NameOf(dir)) : null;
        foreach (var entry in entries)
        {
            if (!IsDirectory(entry))
            {
                // Beside the datatype folders BIDS puts only the subject's own files (sub-01_scans.tsv, sub-01.html):
                // other files there are not BIDS data (and a subject linked to /etc indexes nothing).
                if (level == Level.Datatype || entry.StartsWith(SubjectLabel.Prefix, StringComparison.Ordinal)) AddFile(entry, dir, datatype, subject, session, h);
                continue;
            }
            if (level == Level.Datatype) continue; // BIDS puts no folder inside a datatype folder
            var dn = entry[..^1];
            var path = string.Concat(dir, "/", dn);
            if (level == Level.Subject && dn.StartsWith("ses-", StringComparison.Ordinal))
            {
                string? ses = null;
                if (BidsName.IsAlphanumeric(dn.AsSpan(4))) ses = _pool.Get(dn.AsSpan(4));
                else h.Problems.Add(new BidsProblem(path, $"folder name '{dn}' is not ses-<letters and digits>"));
                Walk(path, Level.Session, subject, ses, h);
            }
            else if (EntityKeys.Datatypes.Contains(dn))
            {
                Walk(path, Level.Datatype, subject, session, h);
            }
            else if (EntityKeys.Datatypes.Contains(dn.ToLowerInvariant()))
            {
                h.Problems.Add(new BidsProblem(path, $"folder name '{dn}' is not a BIDS datatype (they are lower case: '{dn.ToLowerInvariant()}'); not indexed"));
            }
            // Other folders (fMRIPrep's figures/ and log/, anything a link leads to) hold no BIDS data: not descended.
        }
    }

    /// <summary>Whether the root entry <paramref name="entry"/> (a <c>sub-*</c> folder, with its trailing separator) is
    /// indexed: every subject, or those the layout was made for.</summary>
    private bool Indexes(string entry) => _onlySubjects is not { } only || only.Contains(entry[4..^1]);

    /// <summary>The folder's identity, or null when it cannot be examined (the listing then says why).</summary>
    private static FileIdentity? Identify(string dir)
    {
        try { return FileStatus.Of(dir) is { Kind: FileKind.Directory } s ? s.Identity : null; }
        catch (UnauthorizedAccessException) { return null; }
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
    /// yields every path in ordinal order. Files are not stat-ed (the listing gives the type). <paramref name="links"/>
    /// (when given) gets the entries that are symbolic links, also from listing the folder (a second time).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<string>? List(string dir, Harvest h, HashSet<string>? links = null)
    {
        var entries = new List<string>();
        try
        {
            var e = new FileSystemEnumerable<string>(dir, static (ref FileSystemEntry x) => Entry(ref x), ListOptions)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry x) => x.FileName.Length > 0 && x.FileName[0] != '.',
            };
            entries.AddRange(e);
            if (links is not null)
            {
                // The links are what a listing that skips reparse points leaves out: that skip reads the entry's type from
                // the listing itself, where asking an entry for its attributes would stat it.
                links.UnionWith(entries);
                links.ExceptWith(new FileSystemEnumerable<string>(dir, static (ref FileSystemEntry x) => Entry(ref x), NoLinksOptions));
            }
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

    private static string Entry(ref FileSystemEntry x) => x.IsDirectory ? string.Concat(x.FileName, "/") : x.FileName.ToString();

    private static bool IsDirectory(string entry) => entry[^1] == '/';

    private static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}
