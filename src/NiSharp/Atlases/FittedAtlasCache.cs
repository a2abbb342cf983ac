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
/// An entry carries a versioned header, its full key and a checksum of its content (<see cref="Digest.Fast"/>: the cache
/// is NiSharp's own, so damage is what it guards against, not an attacker): a damaged, foreign or
/// other-version entry is ignored (and rewritten); entries are written atomically (renamed into place, not forced to
/// disk), so processes may share the cache.
/// The cache only saves reading: what it returns is bit for bit what streaming the atlas gives.
/// </summary>
public static class FittedAtlasCache
{
    private static readonly byte[] Magic = "NSFITATL"u8.ToArray();
    // 2: the header's length after the version, so that a reader takes the header, then the labels straight into their array.
    // 3: the checksum and the file name are XxHash128 (were SHA-256, which loads OpenSSL), the atlas key its Fingerprint.
    private const int Version = 3;

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

    /// <summary>The key of the value counts of an atlas (<paramref name="contentHash"/>: its <see cref="AtlasSource.Fingerprint"/>).</summary>
    internal static string CountsKey(string contentHash) => $"counts|{contentHash}";

    /// <summary>The key of an atlas's labels on <paramref name="grid"/> (shape and the affine's exact bits; <paramref name="contentHash"/>: the
    /// atlas's <see cref="AtlasSource.Fingerprint"/>).</summary>
    internal static string GridKey(string contentHash, Grid grid)
    {
        var sb = new StringBuilder($"grid|{contentHash}|{grid.Nx}x{grid.Ny}x{grid.Nz}");
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) sb.Append('|').Append(BitConverter.DoubleToInt64Bits(grid.Affine[r, c]).ToString("x16"));
        return sb.ToString();
    }

    /// <summary>The key of an atlas's <see cref="AtlasSource.ContentHash"/> (<paramref name="fingerprint"/>: its
    /// <see cref="AtlasSource.Fingerprint"/>).</summary>
    internal static string ContentHashKey(string fingerprint) => $"sha256|{fingerprint}";

    /// <summary>An atlas's content hash (hex digits) stored under its fingerprint, or null. Sidecars record the hash of
    /// every run's atlas, and a managed SHA-256 of a 1 mm atlas costs each process milliseconds; the fingerprint of the
    /// same bytes costs a tenth of one.</summary>
    internal static string? ReadContentHash(string fingerprint) =>
        Read(ContentHashKey(fingerprint)) is { } entry && entry.Labels is null && entry.Values.Length is > 0 and <= 16
            ? Convert.ToHexStringLower(System.Runtime.InteropServices.MemoryMarshal.AsBytes(entry.Values.AsSpan()))
            : null;

    /// <summary>Stores <paramref name="hash"/> (an even number of hex digits, at most 64) as <see cref="ReadContentHash"/> reads it.</summary>
    internal static void WriteContentHash(string fingerprint, string hash)
    {
        var bytes = Convert.FromHexString(hash);
        if (bytes.Length == 0 || bytes.Length % 4 != 0 || bytes.Length > 64) return;
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes).ToArray();
        Write(ContentHashKey(fingerprint), values, new long[values.Length], null);
    }

    private static string PathOf(string key) =>
        Path.Combine(Folder, Digest.FastHex(Encoding.UTF8.GetBytes(key), 32) + ".fit");

    /// <summary>The entry under <paramref name="key"/>: value counts and, for a grid key, the labels on the grid; null when absent or not valid.</summary>
    internal static (int[] Values, long[] Counts, int[]? Labels)? Read(string key)
    {
        if (!Enabled) return null;
        var path = PathOf(key);
        (int[] Values, long[] Counts, int[]? Labels)? entry;
        try
        {
            if (!File.Exists(path)) return null;
            // A cache entry is our own file, read as it is; it never outgrows an array.
            using var stream = InputFile.OpenRead(path, 1 << 12, FileOptions.SequentialScan, asInput: false);
            entry = Decode(stream, stream.Length, key);
        }
        catch (Exception e) when (e is NiSharpException or IOException or UnauthorizedAccessException) { return null; }
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
            // Not forced to disk: an entry checks itself (its checksum) and a lost or torn one is written again, while an fsync
            // costs a cold fit 10–100 ms.
            AtomicFile.Write(PathOf(key), s => Encode(key, values, counts, labels, s), durable: false);
            Evict();
        }
        catch (Exception e) when (e is NiSharpException or IOException or UnauthorizedAccessException) { }
    }

    /// <summary>An entry's bytes: magic, version, the header's length, the header (key, values, counts, label count), the
    /// labels, then the checksum of all that (<see cref="ChecksumLength"/> bytes).</summary>
    internal static byte[] Encode(string key, int[] values, long[] counts, int[]? labels)
    {
        var ms = new MemoryStream();
        Encode(key, values, counts, labels, ms);
        return ms.ToArray();
    }

    /// <summary><see cref="Encode(string, int[], long[], int[])"/> written into <paramref name="destination"/>: the labels (a
    /// grid entry is megabytes) go from their array to the file, checksummed on the way, never copied into a buffer.</summary>
    internal static void Encode(string key, int[] values, long[] counts, int[]? labels, Stream destination)
    {
        using var head = new MemoryStream();
        using (var w = new BinaryWriter(head, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(0); // the header's length, set below
            long start = head.Position;
            w.Write(key);
            w.Write(values.Length);
            foreach (var v in values) w.Write(v);
            foreach (var c in counts) w.Write(c);
            w.Write(labels?.Length ?? -1);
            w.Flush();
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(head.GetBuffer().AsSpan((int)start - 4, 4), (int)(head.Length - start));
        }
        var checksum = Digest.Fast();
        var prefix = head.GetBuffer().AsSpan(0, (int)head.Length);
        checksum.Append(prefix);
        destination.Write(prefix);
        if (labels is not null)
        {
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(labels.AsSpan());
            checksum.Append(bytes);
            destination.Write(bytes);
        }
        destination.Write(checksum.Finish());
    }

    /// <summary>The length of an entry's checksum, its last bytes.</summary>
    internal const int ChecksumLength = 16;

    internal static (int[] Values, long[] Counts, int[]? Labels)? Decode(byte[] bytes, string key) =>
        Decode(new MemoryStream(bytes, writable: false), bytes.Length, key);

    /// <summary>The entry in <paramref name="stream"/> (<paramref name="length"/> bytes) when it is whole and under
    /// <paramref name="key"/>, else null. The labels are read straight into their array: a grid entry is megabytes.</summary>
    internal static (int[] Values, long[] Counts, int[]? Labels)? Decode(Stream stream, long length, string key)
    {
        const int prefix = 16; // magic, version, header length
        long bodyLength = length - ChecksumLength;
        if (bodyLength < prefix) return null;
        try
        {
            var hash = Digest.Fast();
            Span<byte> start = stackalloc byte[prefix];
            stream.ReadExactly(start);
            hash.Append(start);
            int headerLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(start[12..]);
            if (!start[..Magic.Length].SequenceEqual(Magic) || System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(start[8..]) != Version
                || headerLength < 0 || headerLength > bodyLength - prefix) return null;
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            hash.Append(header);
            using var r = new BinaryReader(new MemoryStream(header), Encoding.UTF8);
            if (r.ReadString() != key) return null;
            int n = r.ReadInt32();
            if (n < 0 || n > headerLength / 12) return null;
            var values = new int[n];
            var counts = new long[n];
            for (int i = 0; i < n; i++) values[i] = r.ReadInt32();
            for (int i = 0; i < n; i++) counts[i] = r.ReadInt64();
            int m = r.ReadInt32();
            if (r.BaseStream.Position != headerLength) return null;
            long labelBytes = bodyLength - prefix - headerLength;
            int[]? labels = null;
            if (m >= 0)
            {
                if ((long)m * 4 != labelBytes) return null;
                labels = new int[m];
                var into = System.Runtime.InteropServices.MemoryMarshal.AsBytes(labels.AsSpan());
                stream.ReadExactly(into);
                hash.Append(into);
            }
            else if (labelBytes != 0) return null;
            Span<byte> stored = stackalloc byte[ChecksumLength];
            stream.ReadExactly(stored);
            return hash.Finish().AsSpan().SequenceEqual(stored) ? (values, counts, labels) : null;
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
