using System.Collections;
using System.Collections.Frozen;

namespace NiSharp.Bids;

/// <summary>
/// One BIDS entity of a file: the key as written in file names (<c>sub</c>, <c>acq</c>, <c>desc</c>),
/// the name pyBIDS gives it (<c>subject</c>, <c>acquisition</c>, <c>desc</c>) and the label.
/// </summary>
/// <param name="Key">The key as it appears in file names, e.g. <c>sub</c>.</param>
/// <param name="Value">The label, e.g. <c>10788</c> (never with the <c>sub-</c> prefix).</param>
public readonly record struct Entity(string Key, string Value)
{
    /// <summary>The pyBIDS name of the entity (<c>subject</c> for <c>sub</c>); the key itself for custom entities.</summary>
    public string Name => EntityKeys.NameOf(Key);

    /// <summary>The entity as written in a file name: <c>key-value</c>.</summary>
    public override string ToString() => $"{Key}-{Value}";
}

/// <summary>
/// The entities of one file, in the order they appear in its name (with <c>sub</c>/<c>ses</c> taken
/// from the folders first when the name lacks them, as pyBIDS does). Lookups accept either the
/// file-name key (<c>sub</c>) or the pyBIDS name (<c>subject</c>).
/// </summary>
/// <remarks>A small value: the index shares one key array among all files named alike, so a file's
/// entities cost one array of labels.</remarks>
public readonly struct BidsEntities : IReadOnlyList<Entity>
{
    private readonly string[]? _keys;
    private readonly string[]? _values;

    /// <summary>No entities.</summary>
    public static BidsEntities Empty => default;

    internal BidsEntities(string[] keys, string[] values)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>Builds an entity set from pairs (keys may be pyBIDS names); fails on a duplicate key.</summary>
    public static BidsEntities Of(params ReadOnlySpan<Entity> entities)
    {
        var keys = new string[entities.Length];
        var values = new string[entities.Length];
        for (int i = 0; i < entities.Length; i++)
        {
            keys[i] = EntityKeys.KeyOf(entities[i].Key);
            values[i] = entities[i].Value;
            for (int j = 0; j < i; j++)
                if (keys[j] == keys[i]) throw new ArgumentException($"entity '{keys[i]}' given twice");
        }
        return new BidsEntities(keys, values);
    }

    /// <summary>Number of entities.</summary>
    public int Count => _keys?.Length ?? 0;

    /// <summary>The entity at <paramref name="index"/> (name order).</summary>
    public Entity this[int index] => new(KeyAt(index), ValueAt(index));

    /// <summary>The label of an entity (key <c>sub</c> or name <c>subject</c>), or null when the file has none.</summary>
    public string? this[string entity] => Find(EntityKeys.KeyOf(entity));

    /// <summary>Whether the entity is present.</summary>
    public bool Contains(string entity) => Find(EntityKeys.KeyOf(entity)) is not null;

    /// <summary>Looks up a label by canonical key (no name translation: the hot path of queries).</summary>
    internal string? Find(string key)
    {
        var keys = _keys;
        if (keys is null) return null;
        for (int i = 0; i < keys.Length; i++)
            if (ReferenceEquals(keys[i], key) || keys[i] == key) return _values![i];
        return null;
    }

    internal string KeyAt(int i) => (_keys ?? throw new ArgumentOutOfRangeException(nameof(i)))[i];
    internal string ValueAt(int i) => (_values ?? throw new ArgumentOutOfRangeException(nameof(i)))[i];

    /// <summary>A copy without the given keys (file-name keys or pyBIDS names).</summary>
    public BidsEntities Without(params ReadOnlySpan<string> entities)
    {
        int n = Count;
        Span<bool> drop = n <= 64 ? stackalloc bool[n] : new bool[n];
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            foreach (var e in entities)
                if (_keys![i] == EntityKeys.KeyOf(e)) drop[i] = true;
            if (!drop[i]) kept++;
        }
        var k = new string[kept];
        var v = new string[kept];
        for (int i = 0, j = 0; i < n; i++)
            if (!drop[i]) { k[j] = _keys![i]; v[j++] = _values![i]; }
        return new BidsEntities(k, v);
    }

    /// <summary>The entities as a name prefix, <c>sub-01_ses-1_task-rest</c> (name order).</summary>
    public string ToNamePrefix() => string.Join('_', this.Select(e => e.ToString()));

    /// <inheritdoc />
    public IEnumerator<Entity> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => ToNamePrefix();
}

/// <summary>
/// Shares key arrays between files whose names have the same keys in the same order (a dataset has a
/// few dozen such patterns for tens of thousands of files). One per indexing worker: not thread-safe.
/// </summary>
internal sealed class KeySequences
{
    private readonly List<string[]> _seen = [];

    public string[] Intern(ReadOnlySpan<string> keys)
    {
        foreach (var s in _seen)
        {
            if (s.Length != keys.Length) continue;
            int i = 0;
            while (i < s.Length && ReferenceEquals(s[i], keys[i])) i++;
            if (i == s.Length) return s;
        }
        var fresh = keys.ToArray();
        // Unbounded growth would turn the search quadratic on pathological datasets; stop sharing then.
        if (_seen.Count < 256) _seen.Add(fresh);
        return fresh;
    }
}

/// <summary>
/// The entity keys BIDS (and its derivatives extension, and fMRIPrep) write in file names, with the
/// names pyBIDS uses for them. Any other <c>key-value</c> pair in a name is a custom entity whose
/// name is its key.
/// </summary>
public static class EntityKeys
{
    // BIDS specification entity table order, then the derivatives entities fMRIPrep and atlases use.
    private static readonly (string Key, string Name)[] Known =
    [
        ("sub", "subject"), ("ses", "session"), ("sample", "sample"), ("task", "task"), ("tracksys", "tracksys"),
        ("acq", "acquisition"), ("nuc", "nucleus"), ("voi", "volume"), ("ce", "ceagent"), ("trc", "tracer"),
        ("stain", "staining"), ("rec", "reconstruction"), ("dir", "direction"), ("run", "run"), ("mod", "modality"),
        ("echo", "echo"), ("flip", "flip"), ("inv", "inv"), ("mt", "mt"), ("part", "part"), ("proc", "proc"),
        ("hemi", "hemi"), ("space", "space"), ("split", "split"), ("recording", "recording"), ("chunk", "chunk"),
        ("cohort", "cohort"), ("res", "res"), ("den", "den"), ("from", "from"), ("to", "to"), ("mode", "mode"),
        ("atlas", "atlas"), ("roi", "roi"), ("seg", "seg"), ("label", "label"), ("stat", "stat"), ("meas", "meas"),
        ("desc", "desc"),
    ];

    /// <summary>Pseudo-entity: the last part of the name before the extension (<c>bold</c>, <c>T1w</c>, <c>mask</c>).</summary>
    public const string Suffix = "suffix";

    /// <summary>Pseudo-entity: the folder naming the kind of data (<c>anat</c>, <c>func</c>, ...).</summary>
    public const string Datatype = "datatype";

    /// <summary>Pseudo-entity: everything from the first dot, with the dot (<c>.nii.gz</c>).</summary>
    public const string Extension = "extension";

    /// <summary>File-name keys of the known entities, in BIDS order.</summary>
    public static IReadOnlyList<string> KnownKeys { get; } = Known.Select(k => k.Key).ToArray();

    /// <summary>Folders that name a datatype (BIDS 1.9).</summary>
    public static IReadOnlySet<string> Datatypes { get; } = new[]
    {
        "anat", "func", "fmap", "dwi", "perf", "beh", "eeg", "meg", "ieeg", "pet", "micr", "nirs", "motion", "mrs",
    }.ToFrozenSet(StringComparer.Ordinal);

    // Both spellings map to the canonical (interned) key string so entity lookups can compare references.
    private static readonly FrozenDictionary<string, string> ToKey = BuildToKey();
    private static readonly FrozenDictionary<string, string> ToName = Known.ToFrozenDictionary(k => k.Key, k => k.Name, StringComparer.Ordinal);
    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KeyBySpan = ToKey.GetAlternateLookup<ReadOnlySpan<char>>();

    private static FrozenDictionary<string, string> BuildToKey()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, name) in Known)
        {
            d[key] = key;
            d.TryAdd(name, key);
        }
        return d.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Whether <paramref name="keyOrName"/> is a known entity (either spelling).</summary>
    public static bool IsKnown(string keyOrName) => ToKey.ContainsKey(keyOrName);

    /// <summary>The file-name key for a key or a pyBIDS name (<c>subject</c> → <c>sub</c>); custom keys are returned as given.</summary>
    public static string KeyOf(string keyOrName) => ToKey.TryGetValue(keyOrName, out var k) ? k : keyOrName;

    /// <summary>The pyBIDS name for a file-name key (<c>sub</c> → <c>subject</c>); custom keys are returned as given.</summary>
    public static string NameOf(string key) => ToName.TryGetValue(key, out var n) ? n : key;

    /// <summary>The canonical key string for a key read from a file name, or null for a custom key.</summary>
    internal static string? KnownKey(ReadOnlySpan<char> key) =>
        KeyBySpan.TryGetValue(key, out var k) && k.Length == key.Length ? k : null;

    /// <summary>Whether run labels (and echo indices) compare as numbers, as pyBIDS does (<c>run-1</c> = <c>run-01</c>).</summary>
    internal static bool IsIndex(string key) => key is "run" or "echo" or "chunk" or "flip" or "inv" or "split";
}
