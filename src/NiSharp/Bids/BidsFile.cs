namespace NiSharp.Bids;

/// <summary>
/// One file of an indexed dataset (pyBIDS's <c>BIDSFile</c>): its path and what its name and folders say
/// about it. Sorts, compares and prints as its path.
/// </summary>
public sealed class BidsFile : IComparable<BidsFile>
{
    private readonly int _rootLength;
    private string? _path;

    /// <summary>The full path.</summary>
    // Built on first use: an index of 50 000 files keeps only names and one string per folder.
    public string Path => _path ??= string.Concat(DirectoryPath, "/", Filename);

    /// <summary>The file name.</summary>
    public string Filename { get; }

    /// <summary>The folder holding the file (full path; one shared string per folder).</summary>
    public string DirectoryPath { get; }

    /// <summary>Entities from the name (and <c>sub</c>/<c>ses</c> from the folders when the name lacks them).</summary>
    public BidsEntities Entities { get; }

    /// <summary>The suffix, or null when the name has none.</summary>
    public string? Suffix { get; }

    /// <summary>The extension with the leading dot (<c>.nii.gz</c>), or an empty string.</summary>
    public string Extension { get; }

    /// <summary>The datatype named by the file's folder (<c>anat</c>, <c>func</c>, <c>fmap</c>, <c>dwi</c>, <c>perf</c>, ...), or null.</summary>
    public string? Datatype { get; }

    /// <summary>Whether the name is pre-1.2 fMRIPrep naming, read as its current equivalent (see <see cref="BidsName"/>).</summary>
    public bool IsLegacyName { get; }

    /// <summary>The layout that indexed the file (null for a file built on its own).</summary>
    public BidsLayout? Layout { get; }

    internal BidsFile(string filename, string directoryPath, int rootLength, BidsName name, string? datatype, BidsLayout? layout)
    {
        Filename = filename;
        DirectoryPath = directoryPath;
        _rootLength = rootLength;
        Entities = name.Entities;
        Suffix = name.Suffix;
        Extension = name.Extension;
        IsLegacyName = name.IsLegacy;
        Datatype = datatype;
        Layout = layout;
    }

    /// <summary>The path relative to the dataset root, with <c>/</c> separators.</summary>
    public string RelativePath => DirectoryPath.Length > _rootLength
        ? string.Concat(DirectoryPath.AsSpan(_rootLength + 1), "/", Filename).Replace('\\', '/')
        : Filename;

    /// <summary>The subject label (without <c>sub-</c>), or null.</summary>
    public string? Subject => Entities.Find("sub");

    /// <summary>The session label (without <c>ses-</c>), or null.</summary>
    public string? Session => Entities.Find("ses");

    /// <summary>The task label, or null.</summary>
    public string? Task => Entities.Find("task");

    /// <summary>The run index as written (<c>01</c>), or null.</summary>
    public string? Run => Entities.Find("run");

    /// <summary>The space label, or null (native space for most fMRIPrep outputs).</summary>
    public string? Space => Entities.Find("space");

    /// <summary>The description label, or null.</summary>
    public string? Desc => Entities.Find("desc");

    /// <summary>
    /// The value of an entity (key <c>sub</c> or pyBIDS name <c>subject</c>) or of the pseudo-entities
    /// <c>suffix</c>, <c>datatype</c>, <c>extension</c>; null when absent (an empty extension counts as absent).
    /// </summary>
    public string? Get(string entity) => GetByKey(EntityKeys.KeyOf(entity));

    internal string? GetByKey(string key) => key switch
    {
        EntityKeys.Suffix => Suffix,
        EntityKeys.Datatype => Datatype,
        EntityKeys.Extension => Extension.Length == 0 ? null : Extension,
        _ => Entities.Find(key),
    };

    /// <summary>The metadata of this file with BIDS sidecar inheritance (see <see cref="BidsLayout.GetMetadata(BidsFile)"/>).</summary>
    public BidsMetadata GetMetadata() =>
        Layout is null ? throw new InvalidOperationException("this file was not indexed by a BidsLayout") : Layout.GetMetadata(this);

    /// <inheritdoc />
    public int CompareTo(BidsFile? other) => other is null ? 1 : string.CompareOrdinal(Path, other.Path);

    /// <summary>The path.</summary>
    public override string ToString() => Path;

    /// <summary>The path, so a file can be passed where a path is expected.</summary>
    public static implicit operator string(BidsFile file) => file.Path;
}

/// <summary>Conversions on lists of <see cref="BidsFile"/> (pyBIDS's <c>return_type='file'</c>).</summary>
public static class BidsFileList
{
    /// <summary>The paths of the files, in order.</summary>
    public static string[] Paths(this IEnumerable<BidsFile> files) => files.Select(f => f.Path).ToArray();
}
