namespace NiSharp.Bids;

/// <summary>
/// What one entity of a file must be in a query, as in pyBIDS's <c>layout.get(space=...)</c>: one
/// label (<c>"T1w"</c>), any of several labels (<c>new[] { "T1w", "MNI152NLin2009cAsym" }</c>), absent
/// (<see cref="BidsQuery.None"/>, pyBIDS's <c>Query.NONE</c>), or present with any label
/// (<see cref="BidsQuery.Any"/>, pyBIDS's <c>Query.ANY</c>). The default value puts no constraint.
/// </summary>
/// <remarks>A null string means absent, as <c>None</c> does in pyBIDS: <c>Get(session: maybeSession)</c>
/// with no session picks the files without one.</remarks>
public readonly struct EntityFilter
{
    internal enum Kinds : byte { Unconstrained = 0, Absent, Present, OneOf }

    internal Kinds Kind { get; }
    internal string[]? Values { get; }

    private EntityFilter(Kinds kind, string[]? values)
    {
        Kind = kind;
        Values = values;
    }

    internal static EntityFilter AbsentFilter => new(Kinds.Absent, null);
    internal static EntityFilter PresentFilter => new(Kinds.Present, null);

    /// <summary>Whether this filter puts no constraint.</summary>
    public bool IsUnconstrained => Kind == Kinds.Unconstrained;

    /// <summary>Any of <paramref name="values"/> (an empty list matches nothing).</summary>
    public static EntityFilter OneOf(IEnumerable<string> values) => new(Kinds.OneOf, values.ToArray());

    /// <summary>Exactly this label; null means the entity must be absent.</summary>
    public static implicit operator EntityFilter(string? value) => value is null ? AbsentFilter : new(Kinds.OneOf, [value]);

    /// <summary>Any of these labels; null means the entity must be absent.</summary>
    public static implicit operator EntityFilter(string[]? values) => values is null ? AbsentFilter : new(Kinds.OneOf, (string[])values.Clone());

    /// <summary>Any of these labels; null means the entity must be absent.</summary>
    public static implicit operator EntityFilter(List<string>? values) => values is null ? AbsentFilter : new(Kinds.OneOf, values.ToArray());

    internal EntityFilter Map(Func<string, string> normalize) =>
        Kind == Kinds.OneOf ? new(Kinds.OneOf, Values!.Select(normalize).ToArray()) : this;

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        Kinds.Unconstrained => "(any or none)",
        Kinds.Absent => "(absent)",
        Kinds.Present => "(any)",
        _ => string.Join("|", Values!),
    };
}

/// <summary>
/// A query on a <see cref="BidsLayout"/>: a filter per entity (file-name key <c>sub</c> or pyBIDS name
/// <c>subject</c>) or pseudo-entity (<c>suffix</c>, <c>datatype</c>, <c>extension</c>). All filters must
/// hold. Extensions are compared with a leading dot whether or not the query has one (pyBIDS accepts
/// both); run and echo indices compare as numbers (<c>1</c> matches <c>run-01</c>); subject and session
/// labels may be given with their <c>sub-</c>/<c>ses-</c> prefix.
/// </summary>
/// <example><code>
/// var native = layout.Get(new BidsQuery().Where("datatype", "anat").Where("desc", "preproc")
///                                        .Where("space", BidsQuery.None).Where("extension", ".nii.gz"));
/// </code></example>
public sealed class BidsQuery
{
    private readonly List<(string Key, EntityFilter Filter)> _filters = [];

    /// <summary>The entity must be absent (pyBIDS <c>Query.NONE</c>).</summary>
    public static EntityFilter None => EntityFilter.AbsentFilter;

    /// <summary>The entity must be present, with any label (pyBIDS <c>Query.ANY</c>).</summary>
    public static EntityFilter Any => EntityFilter.PresentFilter;

    /// <summary>Adds (or replaces) the filter on <paramref name="entity"/>; an unconstrained filter removes it.</summary>
    public BidsQuery Where(string entity, EntityFilter filter)
    {
        var key = EntityKeys.KeyOf(entity);
        if (key == EntityKeys.Extension) filter = filter.Map(NormalizeExtension);
        // A label never contains '-', so "sub-01" can only mean "01" (pyBIDS would silently match nothing).
        else if (key is "sub" or "ses") filter = filter.Map(v => v.StartsWith(key + "-", StringComparison.Ordinal) ? v[(key.Length + 1)..] : v);
        for (int i = _filters.Count - 1; i >= 0; i--)
            if (_filters[i].Key == key) _filters.RemoveAt(i);
        if (!filter.IsUnconstrained) _filters.Add((key, filter));
        return this;
    }

    /// <summary>The filters, keyed by file-name key (or pseudo-entity name).</summary>
    public IReadOnlyList<(string Key, EntityFilter Filter)> Filters => _filters;

    /// <summary>Whether <paramref name="file"/> satisfies every filter.</summary>
    public bool Matches(BidsFile file)
    {
        foreach (var (key, filter) in _filters)
            if (!Matches(file.GetByKey(key), key, filter)) return false;
        return true;
    }

    internal static bool Matches(string? value, string key, EntityFilter filter)
    {
        switch (filter.Kind)
        {
            case EntityFilter.Kinds.Absent: return value is null;
            case EntityFilter.Kinds.Present: return value is not null;
            case EntityFilter.Kinds.OneOf:
                if (value is null) return false;
                foreach (var v in filter.Values!)
                    if (SameLabel(key, value, v)) return true;
                return false;
            default: return true;
        }
    }

    /// <summary>Label equality, numeric for indices (<c>run-1</c> = <c>run-01</c>, as pyBIDS's PaddedInt).</summary>
    internal static bool SameLabel(string key, string a, string b)
    {
        if (ReferenceEquals(a, b) || a == b) return true;
        return EntityKeys.IsIndex(key) && SameNumber(a, b);
    }

    private static bool SameNumber(string a, string b)
    {
        var x = a.AsSpan().TrimStart('0');
        var y = b.AsSpan().TrimStart('0');
        return x.Length > 0 || y.Length > 0
            ? x.SequenceEqual(y) && IsDigits(a) && IsDigits(b)
            : IsDigits(a) && IsDigits(b);
    }

    private static bool IsDigits(string s)
    {
        foreach (var c in s) if (!char.IsAsciiDigit(c)) return false;
        return s.Length > 0;
    }

    /// <summary><c>nii.gz</c> → <c>.nii.gz</c>; <c>.tsv</c> stays.</summary>
    public static string NormalizeExtension(string extension) =>
        extension.Length == 0 || extension[0] == '.' ? extension : "." + extension;

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _filters.Select(f => $"{EntityKeys.NameOf(f.Key)}={f.Filter}"));
}
