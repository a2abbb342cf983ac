using System.Security.Cryptography;
using System.Text;
using NiSharp.Imaging;
using NiSharp.IO;
using NiSharp.Nifti;

namespace NiSharp.Atlases;

/// <summary>
/// A disk cache of what streaming a label atlas gives (nilearn's <c>memory=</c> is the analogue): its value counts, per
/// atlas content hash, and its labels on a data grid, per (content hash, grid shape and affine). Under
/// <c>$NISHARP_CACHE</c> (default <c>$XDG_CACHE_HOME/nisharp</c>, else <c>~/.cache/nisharp</c>), folder
/// <c>fitted-atlases</c>; capped at <c>$NISHARP_CACHE_MAX_MB</c> (default 1024), oldest entries evicted first.
/// An entry carries a versioned header, its full key and a SHA-256 of its content: a damaged, foreign or
/// other-version entry is ignored (and rewritten); entries are written atomically (renamed into place, not forced to
/// disk), so processes may share the cache.
/// The cache only saves reading: what it returns is bit for bit what streaming the atlas gives.
/// </summary>
public static class FittedAtlasCache
{
    private static readonly byte[] Magic = "NSFITATL"u8.ToArray();
    private const int Version = 1;

    private static readonly AsyncLocal<bool> Suppressed = new();
    private static readonly AsyncLocal<(string Folder, long MaxBytes)?> Here = new();

    /// <summary>Tests: the cache in <paramref name="folder"/> with a cap of <paramref name="maxBytes"/> for the work that follows on this flow.</summary>
    internal static IDisposable At(string folder, long maxBytes = 1L << 30)
    {
        var before = Here.Value;
        Here.Value = (folder, maxBytes);
        return new Action(() => Here.Value = before);
    }

    private sealed class Action(System.Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>Whether the cache is used here (not inside <see cref="Off"/>).</summary>
    public static bool Enabled => !Suppressed.Value;

    /// <summary>Turns the cache off for the work that follows on this flow (<c>--no-cache</c>) until disposed.</summary>
    public static IDisposable Off()
    {
        bool before = Suppressed.Value;
        Suppressed.Value = true;
        return new Action(() => Suppressed.Value = before);
    }

    /// <summary>The cache folder.</summary>
    public static string Folder
    {
        get
        {
            if (Here.Value is { } here) return here.Folder;
            var root = Environment.GetEnvironmentVariable("NISHARP_CACHE");
            if (string.IsNullOrEmpty(root))
            {
                var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                root = string.IsNullOrEmpty(xdg)
                    ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "nisharp")
                    : Path.Combine(xdg, "nisharp");
            }
            return Path.Combine(root, "fitted-atlases");
        }
    }

    /// <summary>The size cap in bytes.</summary>
    internal static long MaxBytes => Here.Value is { } here ? here.MaxBytes :
        long.TryParse(Environment.GetEnvironmentVariable("NISHARP_CACHE_MAX_MB"), out var mb) && mb >= 0 ? mb << 20 : 1024L << 20;

    /// <summary>The key of the value counts of an atlas.</summary>
    internal static string CountsKey(string contentHash) => $"counts|{contentHash}";

    /// <summary>The key of an atlas's labels on <paramref name="grid"/> (shape and the affine's exact bits).</summary>
    internal static string GridKey(string contentHash, Grid grid)
    {
        var sb = new StringBuilder($"grid|{contentHash}|{grid.Nx}x{grid.Ny}x{grid.Nz}");
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) sb.Append('|').Append(BitConverter.DoubleToInt64Bits(grid.Affine[r, c]).ToString("x16"));
        return sb.ToString();
    }

    private static string PathOf(string key) =>
        Path.Combine(Folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + ".fit");

    /// <summary>The entry under <paramref name="key"/>: value counts and, for a grid key, the labels on the grid; null when absent or not valid.</summary>
    internal static (int[] Values, long[] Counts, int[]? Labels)? Read(string key)
    {
        if (!Enabled) return null;
        var path = PathOf(key);
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) return null;
            bytes = InputFile.ReadAllBytes(path, 1L << 31, "a cache entry", asInput: false);
        }
        catch (Exception e) when (e is NiSharpException or IOException or UnauthorizedAccessException) { return null; }
        var entry = Decode(bytes, key);
        if (entry is not null)
            try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return entry;
    }

    /// <summary>Stores an entry (atomically), then evicts the oldest entries over the cap. A cache that cannot be written is skipped.</summary>
    internal static void Write(string key, int[] values, long[] counts, int[]? labels)
    {
        if (!Enabled) return;
        try
        {
            Directory.CreateDirectory(Folder);
            // Not forced to disk: an entry checks itself (SHA-256) and a lost or torn one is written again, while an fsync
            // costs a cold fit 10–100 ms.
            AtomicFile.Write(PathOf(key), s => s.Write(Encode(key, values, counts, labels)), durable: false);
            Evict();
        }
        catch (Exception e) when (e is NiSharpException or IOException or UnauthorizedAccessException) { }
    }

    internal static byte[] Encode(string key, int[] values, long[] counts, int[]? labels)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(key);
            w.Write(values.Length);
            foreach (var v in values) w.Write(v);
            foreach (var c in counts) w.Write(c);
            w.Write(labels?.Length ?? -1);
            if (labels is not null) w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(labels.AsSpan()));
        }
        var body = ms.ToArray();
        return [.. body, .. SHA256.HashData(body)];
    }

    internal static (int[] Values, long[] Counts, int[]? Labels)? Decode(byte[] bytes, string key)
    {
        if (bytes.Length < Magic.Length + 32) return null;
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32))) return null;
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || r.ReadInt32() != Version || r.ReadString() != key) return null;
            int n = r.ReadInt32();
            if (n < 0 || n > body.Length / 12) return null;
            var values = new int[n];
            var counts = new long[n];
            for (int i = 0; i < n; i++) values[i] = r.ReadInt32();
            for (int i = 0; i < n; i++) counts[i] = r.ReadInt64();
            int m = r.ReadInt32();
            int[]? labels = null;
            if (m >= 0)
            {
                if ((long)m * 4 != body.Length - r.BaseStream.Position) return null;
                labels = new int[m];
                r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(labels.AsSpan()));
            }
            else if (r.BaseStream.Position != body.Length) return null;
            return (values, counts, labels);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or DecoderFallbackException) { return null; }
    }

    /// <summary>Deletes the least recently used entries until the folder is within the cap (another process may delete them first).</summary>
    private static void Evict()
    {
        var files = new DirectoryInfo(Folder).GetFiles("*.fit").OrderByDescending(f => f.LastWriteTimeUtc).ToList();
        long total = 0, cap = MaxBytes;
        foreach (var f in files)
        {
            total += f.Length;
            if (total <= cap) continue;
            try { f.Delete(); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
