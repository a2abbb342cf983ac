using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace NiSharp.Bids;

/// <summary>
/// An indexed BIDS dataset, raw or derivatives (fMRIPrep output), with or without sessions: pyBIDS's
/// <c>BIDSLayout(dir, config=['bids', 'derivatives'], validate=False)</c>.
/// </summary>
/// <remarks>
/// <para>Indexing reads folder listings only; sidecars, <c>dataset_description.json</c> and
/// <c>participants.tsv</c> are read when first asked for. Names that are not BIDS names are listed in
/// <see cref="Problems"/>, never fatal. A layout is immutable once built: queries, metadata and
/// <see cref="BoldRun"/>s may be asked from many threads at once (e.g. one per subject).</para>
/// <example><code>
/// var layout = BidsLayout.Index(fmriprepDir);
/// layout.GetSubjects();   // ["10438", "10788", "11108", "50052"]
/// layout.GetTasks();      // ["rest"]
/// var t1w = layout.Get(subject: "10788", datatype: "anat", desc: "preproc", suffix: "T1w", extension: ".nii.gz");
/// var native = layout.Get(datatype: "anat", desc: "preproc", space: BidsQuery.None, extension: ".nii.gz");
/// foreach (var run in layout.GetBoldRuns(space: "MNI152NLin2009cAsym"))
///     Console.WriteLine($"{run.Bold} {run.Mask} {run.Confounds} TR={run.RepetitionTime}");
/// </code></example>
/// </remarks>
public sealed partial class BidsLayout
{
    private readonly LabelPool _pool = new();
    private readonly List<string> _warnings = [];
    private BidsFile[] _files = [];
    private List<BidsProblem> _problems = [];
    private HashSet<string> _keysInDataset = [];
    private readonly Lazy<Dictionary<string, int[]>> _bySubject;
    private readonly Lazy<Dictionary<string, List<BidsFile>>> _byDirectory;
    private readonly Lazy<Dictionary<string, BidsFile>> _byPath;
    private readonly Lazy<DatasetDescription?> _description;
    private readonly Lazy<Participants?> _participants;
    private readonly ConcurrentDictionary<string, JsonObject> _sidecars = new(StringComparer.Ordinal);

    /// <summary>The dataset folder (full path, no trailing separator).</summary>
    public string Root { get; }

    /// <summary>Every indexed file, sorted by path.</summary>
    public IReadOnlyList<BidsFile> Files => _files;

    /// <summary>Files whose names are not BIDS names and folders that could not be listed (left out of <see cref="Files"/>).</summary>
    public IReadOnlyList<BidsProblem> Problems => _problems;

    /// <summary>Things worth telling the user once (a missing <c>dataset_description.json</c>).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary><c>dataset_description.json</c>, read on first use; null when the dataset has none. Fails with
    /// the file named when it is not valid JSON.</summary>
    public DatasetDescription? Description => _description.Value;

    /// <summary><c>participants.tsv</c> at the dataset root, read on first use; null when there is none.</summary>
    public Participants? Participants => _participants.Value;

    /// <summary>The subjects a partial index (<see cref="IndexSubjects"/>) holds, or null for the whole dataset.</summary>
    private readonly IReadOnlySet<string>? _onlySubjects;

    /// <summary>Whether this index holds only some subjects' folders (<see cref="IndexSubjects"/>).</summary>
    internal bool IsPartial => _onlySubjects is not null;

    private BidsLayout(string root, IReadOnlySet<string>? onlySubjects = null)
    {
        Root = root;
        _onlySubjects = onlySubjects;
        _bySubject = new(BuildSubjectIndex);
        _byDirectory = new(() =>
        {
            var d = new Dictionary<string, List<BidsFile>>(StringComparer.Ordinal);
            foreach (var f in _files)
            {
                if (!d.TryGetValue(f.DirectoryPath, out var list)) d[f.DirectoryPath] = list = [];
                list.Add(f);
            }
            return d;
        });
        _byPath = new(() => _files.ToDictionary(f => f.Path, StringComparer.Ordinal));
        _description = new(() =>
        {
            var p = Path.Combine(Root, "dataset_description.json");
            return File.Exists(p) ? DatasetDescription.Read(p) : null;
        });
        _participants = new(() =>
        {
            var p = Path.Combine(Root, "participants.tsv");
            return File.Exists(p) ? Participants.Read(p) : null;
        });
    }

    /// <summary>
    /// Indexes the dataset in <paramref name="root"/> (folder listings only). Fails with a
    /// <see cref="NiSharpException"/> when the folder does not exist or is a file.
    /// </summary>
    public static BidsLayout Index(string root) => IndexFolders(root, null);

    /// <summary>
    /// The index of the folders <c>sub-&lt;label&gt;</c> of <paramref name="subjects"/> alone, with the files at the root
    /// (the sidecars they inherit): what the full index holds for those subjects — the same files, problems and warnings —
    /// at the cost of their folders rather than the whole dataset's (a Slurm array task of one subject among thousands).
    /// Every subject folder is still identified, so that one that is the same folder as an earlier one is reported as the
    /// full index reports it. Queries see only these subjects.
    /// </summary>
    internal static BidsLayout IndexSubjects(string root, IEnumerable<string> subjects) =>
        IndexFolders(root, subjects.ToHashSet(StringComparer.Ordinal));

    private static BidsLayout IndexFolders(string root, IReadOnlySet<string>? onlySubjects)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Length == 0) throw new NiSharpException("no dataset folder given");
        var full = Path.GetFullPath(root);
        if (full.Length > 1) full = full.TrimEnd('/', Path.DirectorySeparatorChar);
        if (!Directory.Exists(full))
        {
            if (File.Exists(full)) throw new NiSharpException(root, "is a file, not a dataset folder");
            throw new NiSharpException(root, "dataset folder does not exist");
        }
        var layout = new BidsLayout(full, onlySubjects);
        layout.Build();
        return layout;
    }

    // ---------------------------------------------------------------- queries

    /// <summary>
    /// The files matching every given filter, sorted by path (pyBIDS's <c>layout.get(...)</c>). Each
    /// filter is a label, a list of labels, <see cref="BidsQuery.None"/> (absent) or <see cref="BidsQuery.Any"/>
    /// (present); omitted filters put no constraint. Other entities: <see cref="Get(BidsQuery)"/>.
    /// </summary>
    public IReadOnlyList<BidsFile> Get(
        EntityFilter subject = default, EntityFilter session = default, EntityFilter task = default,
        EntityFilter acquisition = default, EntityFilter run = default, EntityFilter echo = default,
        EntityFilter space = default, EntityFilter res = default, EntityFilter den = default,
        EntityFilter label = default, EntityFilter desc = default, EntityFilter suffix = default,
        EntityFilter datatype = default, EntityFilter extension = default) =>
        Get(Query(subject, session, task, acquisition, run, echo, space, res, den, label, desc, suffix, datatype, extension));

    /// <summary>The files matching <paramref name="query"/>, sorted by path. Fails on an entity that neither
    /// BIDS defines nor any file of the dataset has (a typo would otherwise silently match nothing).</summary>
    public IReadOnlyList<BidsFile> Get(BidsQuery query)
    {
        Validate(query);
        var result = new List<BidsFile>();
        foreach (int i in Candidates(query))
            if (query.Matches(_files[i])) result.Add(_files[i]);
        return result;
    }

    /// <summary>
    /// Why <paramref name="query"/> matches no file, in one line: the labels it asks for that no file of the dataset has,
    /// with the labels that exist (<c>no subject 99999 in DIR (subjects: 01, 02, …)</c>), or, when each label exists, that
    /// no file has all of them together. With <paramref name="entity"/>, the query asked for that entity's labels
    /// (<see cref="GetEntityValues"/>): a dataset where no file has it says so.
    /// </summary>
    public string DescribeNoMatch(BidsQuery query, string? entity = null)
    {
        Validate(query);
        if (entity is not null && GetEntityValues(entity).Count == 0)
            return $"no file of {Root} has a {EntityKeys.NameOf(EntityKeys.KeyOf(entity))} entity";
        foreach (var (key, filter) in query.Filters)
        {
            if (filter.Kind != EntityFilter.Kinds.OneOf) continue;
            var existing = GetEntityValues(key);
            var unknown = filter.Values!.Where(v => !existing.Any(e => BidsQuery.SameLabel(key, e, v))).ToList();
            if (unknown.Count < filter.Values!.Length || unknown.Count == 0) continue;
            var name = EntityKeys.NameOf(key);
            string shown = existing.Count == 0 ? "none"
                : existing.Count <= 12 ? string.Join(", ", existing)
                : $"{string.Join(", ", existing.Take(12))}, … ({existing.Count} in all)";
            return $"no {name} {string.Join(" or ", unknown)} in {Root} ({PluralOf(name)}: {shown})";
        }
        return query.Filters.Count == 0 ? $"{Root} holds no BIDS file" : $"no file of {Root} has {query} together";
    }

    private static string PluralOf(string entity) => entity switch
    {
        "subject" => "subjects",
        "session" => "sessions",
        "suffix" => "suffixes",
        "datatype" => "datatypes",
        "extension" => "extensions",
        _ => entity + " labels",
    };

    /// <summary>The sorted distinct labels of <paramref name="entity"/> (key or pyBIDS name, or
    /// <c>suffix</c>/<c>datatype</c>/<c>extension</c>) among the files matching <paramref name="where"/> (all files when null).
    /// Indices (run, echo) sort as numbers.</summary>
    public IReadOnlyList<string> GetEntityValues(string entity, BidsQuery? where = null)
    {
        var key = EntityKeys.KeyOf(entity);
        ValidateKey(key, entity);
        where ??= new BidsQuery();
        Validate(where);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? previous = null;
        foreach (int i in Candidates(where))
        {
            var f = _files[i];
            // A folder's files follow each other and share their labels' strings (pooled): the same string as the file
            // before is not hashed again — a dataset of 1000 subjects has ~46,000 files and 1000 subject labels.
            if (f.GetByKey(key) is string v && !ReferenceEquals(v, previous) && where.Matches(f))
            {
                seen.Add(v);
                previous = v;
            }
        }
        var list = seen.ToList();
        if (EntityKeys.IsIndex(key)) list.Sort(CompareIndex);
        else list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <summary>Subject labels without <c>sub-</c> (pyBIDS <c>get_subjects()</c>).</summary>
    public IReadOnlyList<string> GetSubjects(BidsQuery? where = null) => GetEntityValues("sub", where);

    /// <summary>Session labels without <c>ses-</c>.</summary>
    public IReadOnlyList<string> GetSessions(BidsQuery? where = null) => GetEntityValues("ses", where);

    /// <summary>Task labels.</summary>
    public IReadOnlyList<string> GetTasks(BidsQuery? where = null) => GetEntityValues("task", where);

    /// <summary>Run indices as written in the names, in numeric order.</summary>
    public IReadOnlyList<string> GetRuns(BidsQuery? where = null) => GetEntityValues("run", where);

    /// <summary>Space labels (<c>MNI152NLin2009cAsym</c>, <c>T1w</c>, ...).</summary>
    public IReadOnlyList<string> GetSpaces(BidsQuery? where = null) => GetEntityValues("space", where);

    /// <summary>The indexed file at <paramref name="path"/>, or null.</summary>
    public BidsFile? GetFile(string path) =>
        _byPath.Value.TryGetValue(Path.GetFullPath(path), out var f) ? f : null;

    /// <summary>Builds the query behind the named-argument <see cref="Get(EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter, EntityFilter)"/>.</summary>
    public static BidsQuery Query(
        EntityFilter subject = default, EntityFilter session = default, EntityFilter task = default,
        EntityFilter acquisition = default, EntityFilter run = default, EntityFilter echo = default,
        EntityFilter space = default, EntityFilter res = default, EntityFilter den = default,
        EntityFilter label = default, EntityFilter desc = default, EntityFilter suffix = default,
        EntityFilter datatype = default, EntityFilter extension = default) =>
        new BidsQuery()
            .Where("sub", subject).Where("ses", session).Where("task", task).Where("acq", acquisition)
            .Where("run", run).Where("echo", echo).Where("space", space).Where("res", res).Where("den", den)
            .Where("label", label).Where("desc", desc).Where(EntityKeys.Suffix, suffix)
            .Where(EntityKeys.Datatype, datatype).Where(EntityKeys.Extension, extension);

    private void Validate(BidsQuery query)
    {
        foreach (var (key, _) in query.Filters) ValidateKey(key, key);
    }

    private void ValidateKey(string key, string asGiven)
    {
        if (key is EntityKeys.Suffix or EntityKeys.Datatype or EntityKeys.Extension) return;
        if (EntityKeys.IsKnown(key) || _keysInDataset.Contains(key)) return;
        throw new NiSharpException($"unknown entity '{asGiven}': BIDS does not define it and no file in {Root} has it");
    }

    /// <summary>Indices of files that may match: only the named subjects' files when the query names subjects.</summary>
    private IEnumerable<int> Candidates(BidsQuery query)
    {
        foreach (var (key, filter) in query.Filters)
        {
            if (key != "sub" || filter.Kind != EntityFilter.Kinds.OneOf) continue;
            var index = _bySubject.Value;
            var values = filter.Values!;
            if (values.Length == 1)
                return index.TryGetValue(values[0], out var one) ? one : [];
            var merged = new List<int>();
            foreach (var v in values.Distinct(StringComparer.Ordinal))
                if (index.TryGetValue(v, out var some)) merged.AddRange(some);
            merged.Sort();
            return merged;
        }
        return Enumerable.Range(0, _files.Length);
    }

    private Dictionary<string, int[]> BuildSubjectIndex()
    {
        var lists = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < _files.Length; i++)
        {
            if (_files[i].Subject is not string s) continue;
            if (!lists.TryGetValue(s, out var l)) lists[s] = l = [];
            l.Add(i);
        }
        return lists.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    private static int CompareIndex(string a, string b)
    {
        bool na = long.TryParse(a, out var x), nb = long.TryParse(b, out var y);
        if (na && nb && x != y) return x.CompareTo(y);
        if (na != nb) return na ? -1 : 1;
        return string.CompareOrdinal(a, b);
    }

    // ---------------------------------------------------------------- metadata

    /// <summary>
    /// The metadata of <paramref name="file"/> with BIDS inheritance: every <c>.json</c> with the same suffix
    /// whose entities all appear (with the same labels) in the file, from the root folder down to the file's
    /// folder, merged with the more specific sidecar winning (within a folder, the one with more entities).
    /// Sidecars are read now, once each; a sidecar that is not valid JSON fails with its path named.
    /// </summary>
    public BidsMetadata GetMetadata(BidsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var chain = SidecarChain(file);
        if (chain.Count == 0) return BidsMetadata.Empty;
        var merged = new JsonObject();
        var sources = new string[chain.Count];
        for (int i = 0; i < chain.Count; i++)
        {
            var path = chain[i].Path;
            sources[i] = path;
            var json = _sidecars.TryGetValue(path, out var cached) ? cached : _sidecars.GetOrAdd(path, BidsMetadata.ReadSidecar(path));
            foreach (var (k, v) in json) merged[k] = v?.DeepClone();
        }
        return new BidsMetadata(merged, sources);
    }

    /// <summary>The sidecars <see cref="GetMetadata(BidsFile)"/> merges for <paramref name="file"/>, least specific
    /// first, found without reading them (so that a caller can vet them first).</summary>
    internal IReadOnlyList<BidsFile> SidecarChain(BidsFile file)
    {
        if (file.Suffix is null) return [];
        var chain = new List<(int Depth, BidsFile Sidecar)>();
        var byDir = _byDirectory.Value;
        string dir = file.DirectoryPath;
        int depth = 0;
        for (var d = dir; ; depth++)
        {
            if (byDir.TryGetValue(d, out var inDir))
                foreach (var s in inDir)
                    if (AppliesTo(s, file)) chain.Add((-depth, s));
            if (d.Length <= Root.Length) break;
            int cut = d.LastIndexOf('/');
            if (cut < Root.Length) break;
            d = d[..cut];
        }
        // Least specific first: shallower folders, then fewer entities; ties by name for a stable result.
        chain.Sort(static (a, b) =>
        {
            int c = a.Depth.CompareTo(b.Depth);
            if (c != 0) return c;
            c = a.Sidecar.Entities.Count.CompareTo(b.Sidecar.Entities.Count);
            return c != 0 ? c : string.CompareOrdinal(a.Sidecar.Path, b.Sidecar.Path);
        });
        return chain.Select(x => x.Sidecar).ToList();
    }

    /// <summary>The metadata of the indexed file at <paramref name="path"/>.</summary>
    public BidsMetadata GetMetadata(string path) =>
        GetMetadata(GetFile(path) ?? throw new NiSharpException(path, $"not a file of the dataset indexed at {Root}"));

    private static bool AppliesTo(BidsFile sidecar, BidsFile file)
    {
        if (sidecar.Extension != ".json" || sidecar.Suffix != file.Suffix) return false;
        var e = sidecar.Entities;
        for (int i = 0; i < e.Count; i++)
        {
            var key = e.KeyAt(i);
            if (file.Entities.Find(key) is not string v || !BidsQuery.SameLabel(key, v, e.ValueAt(i))) return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- preprocessed BOLD runs

    /// <summary>
    /// The preprocessed BOLD runs (<c>desc-preproc_bold</c>, <c>.nii.gz</c> or <c>.nii</c>; pre-1.2 fMRIPrep
    /// <c>bold_space-*_preproc</c> too) matching the filters, each with its companions found by entities.
    /// </summary>
    public IReadOnlyList<BoldRun> GetBoldRuns(
        EntityFilter subject = default, EntityFilter session = default, EntityFilter task = default,
        EntityFilter acquisition = default, EntityFilter run = default, EntityFilter echo = default,
        EntityFilter space = default, EntityFilter res = default, EntityFilter den = default)
    {
        var q = Query(subject, session, task, acquisition, run, echo, space, res, den,
            desc: "preproc", suffix: "bold", extension: new[] { ".nii.gz", ".nii" });
        return Get(q).Select(f => new BoldRun(this, f)).ToList();
    }

    /// <summary>
    /// fMRIPrep's grayordinate BOLD runs (<c>--cifti-output</c>: <c>*_space-fsLR_den-91k_bold.dtseries.nii</c>, no
    /// <c>desc</c>) matching the filters, each with its companions (confounds) found by entities.
    /// </summary>
    public IReadOnlyList<BoldRun> GetGrayordinateRuns(
        EntityFilter subject = default, EntityFilter session = default, EntityFilter task = default,
        EntityFilter run = default, EntityFilter space = default, EntityFilter den = default)
    {
        var q = Query(subject, session, task, default, run, default, space, default, den, suffix: "bold", extension: ".dtseries.nii");
        return Get(q).Select(f => new BoldRun(this, f)).ToList();
    }

    /// <summary>The run of a BOLD file of this layout, with its companions. Fails when the file is not a BOLD series.</summary>
    public BoldRun GetBoldRun(BidsFile bold)
    {
        ArgumentNullException.ThrowIfNull(bold);
        if (bold.Suffix != "bold")
            throw new NiSharpException(bold.Path, $"not a BOLD series (suffix '{bold.Suffix}', expected 'bold')");
        return new BoldRun(this, bold);
    }

    /// <summary>The run of the BOLD file at <paramref name="path"/>.</summary>
    public BoldRun GetBoldRun(string path) =>
        GetBoldRun(GetFile(path) ?? throw new NiSharpException(path, $"not a file of the dataset indexed at {Root}"));

    /// <summary>The files in the same folder as <paramref name="file"/> (itself included).</summary>
    internal IReadOnlyList<BidsFile> FilesBeside(BidsFile file) =>
        _byDirectory.Value.TryGetValue(file.DirectoryPath, out var l) ? l : [];
}
