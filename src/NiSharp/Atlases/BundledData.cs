using System.Reflection;

namespace NiSharp.Atlases;

/// <summary>
/// The atlases, templates and coordinate tables embedded in the NiSharp assembly (copied from
/// <c>data/</c> in the repository; licences in <c>data/README.md</c>). They are written once to a cache
/// folder (<see cref="CacheCandidates"/>) so that everything that reads files (NIfTI streaming, other tools) can use
/// them offline; a cache folder is only written to when a file it lacks is needed.
/// </summary>
public static class BundledData
{
    private static readonly Assembly Assembly = typeof(BundledData).Assembly;
    private static readonly Lock Gate = new();
    private static IReadOnlyList<string>? _candidates;

    /// <summary>
    /// The folders that may hold the cache, most preferred first: <c>$NISHARP_DATA</c> if set, else
    /// <c>$XDG_CACHE_HOME/nisharp</c> (or <c>~/.cache/nisharp</c>), then the temp folder; each in a folder named after the
    /// embedded files (so rebuilding the library does not extract them again unless they change). Nothing is created
    /// or written until a file has to be cached.
    /// </summary>
    public static IReadOnlyList<string> CacheCandidates
    {
        get
        {
            lock (Gate)
            {
                if (_candidates is not null) return _candidates;
                string build = ContentKey();
                var candidates = new List<string>();
                var env = Environment.GetEnvironmentVariable("NISHARP_DATA");
                if (!string.IsNullOrEmpty(env)) candidates.Add(Path.Combine(env, "data-" + build));
                var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                var baseDir = !string.IsNullOrEmpty(xdg) ? xdg : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache") : null;
                if (baseDir is not null) candidates.Add(Path.Combine(baseDir, "nisharp", "data-" + build));
                candidates.Add(Path.Combine(Path.GetTempPath(), "nisharp", "data-" + build));
                return _candidates = candidates;
            }
        }
    }

    /// <summary>The preferred cache folder (<see cref="CacheCandidates"/>[0]); it may not exist yet.</summary>
    public static string CacheDirectory => CacheCandidates[0];

    /// <summary>The cached copy of <paramref name="relativePath"/> (of <paramref name="length"/> bytes, when given) in
    /// the first cache folder holding one, or null. Reads nothing and writes nothing.</summary>
    public static string? FindCached(string relativePath, long? length = null)
    {
        foreach (var dir in CacheCandidates)
        {
            var path = Path.Combine(dir, relativePath.Replace('/', Path.DirectorySeparatorChar));
            var s = IO.FileStatus.Of(path);
            if (s.Kind == IO.FileKind.Regular && (length is null || s.Length == length)) return path;
        }
        return null;
    }

    /// <summary>Writes <paramref name="relativePath"/> into the first cache folder that can take it (atomically) and
    /// returns its path; fails with one line when none can.</summary>
    public static string WriteCached(string relativePath, Action<Stream> write)
    {
        var problems = new List<string>();
        foreach (var dir in CacheCandidates)
        {
            var path = Path.Combine(dir, relativePath.Replace('/', Path.DirectorySeparatorChar));
            try
            {
                IO.OutputFolder.Create(Path.GetDirectoryName(path)!);
                IO.AtomicFile.Write(path, write);
                return path;
            }
            catch (NiSharpException e) { problems.Add(e.Message); }
        }
        throw new NiSharpException($"no writable folder for NiSharp's data cache (set NISHARP_DATA): {string.Join("; ", problems)}");
    }

    /// <summary>A short key of the embedded files' names and sizes.</summary>
    private static string ContentKey()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var n in Assembly.GetManifestResourceNames().Where(n => n.StartsWith("data/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var st = Assembly.GetManifestResourceStream(n)!;
            sb.Append(n).Append(':').Append(st.Length).Append('\n');
        }
        // SHA-256, not the fast digest: the folder's name shows in outputs (an extract sidecar records a bundled atlas's path).
        return IO.Digest.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(sb.ToString()), 12);
    }

    /// <summary>The embedded files, as paths relative to <c>data/</c> (e.g. <c>atlases/yeo2011/…nii.gz</c>).</summary>
    public static IReadOnlyList<string> Files { get; } = Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("data/", StringComparison.Ordinal))
        .Select(n => n["data/".Length..])
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Whether <paramref name="relativePath"/> is embedded.</summary>
    public static bool Contains(string relativePath) => Assembly.GetManifestResourceInfo("data/" + relativePath) is not null;

    /// <summary>Opens an embedded file for reading.</summary>
    public static Stream Open(string relativePath) =>
        Assembly.GetManifestResourceStream("data/" + relativePath)
        ?? throw new NiSharpException($"bundled file '{relativePath}' is missing from this build of NiSharp");

    /// <summary>The path of an embedded file on disk, writing it to the cache on first use.</summary>
    public static string PathOf(string relativePath)
    {
        using var s = Open(relativePath);
        return FindCached(relativePath, s.Length) ?? WriteCached(relativePath, o => s.CopyTo(o));
    }

    /// <summary>The text of an embedded file.</summary>
    public static string[] ReadLines(string relativePath)
    {
        using var s = Open(relativePath);
        using var r = new StreamReader(s);
        var lines = new List<string>();
        while (r.ReadLine() is { } l) lines.Add(l);
        return lines.ToArray();
    }

    /// <summary>
    /// An image given on the command line: an existing file, or the name of a bundled atlas or template
    /// (<c>yeo7</c>, <c>mni152</c>, …). Unknown names are an error listing the known ones.
    /// </summary>
    public static string ResolveImage(string fileOrName)
    {
        if (File.Exists(fileOrName) || Directory.Exists(fileOrName)) return fileOrName;
        var atlas = AtlasCatalog.Find(fileOrName);
        if (atlas is not null) return PathOf(atlas.ImageFile);
        var template = Templates.Find(fileOrName);
        if (template is not null) return PathOf(template.File);
        if (fileOrName.Contains('/') || fileOrName.Contains('.'))
            throw new NiSharpException(fileOrName, "file not found");
        throw new NiSharpException($"'{fileOrName}' is neither a file nor a bundled atlas or template (atlases: {string.Join(", ", AtlasCatalog.All.Select(a => a.Name))}; templates: {string.Join(", ", Templates.All.Select(t => t.Name))})");
    }
}
