using System.Globalization;
using System.Text;

namespace NiSharp.IO;

/// <summary>
/// The one way NiSharp opens a file it reads: only a regular file, examined before it is opened (a named pipe would
/// block forever, <c>/dev/zero</c> never ends), and for text read whole, only up to a size that kind of file can
/// have. Symbolic links are followed wherever they lead (DataLad / git-annex datasets, <c>sub-01 -&gt; /scratch/…</c>);
/// a link to nothing says so. Each file read inside a <see cref="CommandInputs"/> scope is recorded there, so that no
/// output of the command can replace it (see <see cref="AtomicFile"/>).
/// </summary>
public static class InputFile
{
    /// <summary>The most a JSON file (a sidecar, a filter file, a confounds JSON) may hold: fMRIPrep's largest are a
    /// few MB.</summary>
    public const long MaxJsonBytes = 64L << 20;

    /// <summary>The most a label table or other small text table read whole may hold.</summary>
    public const long MaxTextBytes = 64L << 20;

    /// <summary>
    /// Checks that <paramref name="path"/> is a regular file (following links), without opening it; returns its
    /// status. Fails with one line naming the path: not found, a link to nothing, a folder, a named pipe, a device,
    /// a socket, permission denied.
    /// </summary>
    public static FileStatus Check(string path)
    {
        FileStatus s;
        try { s = FileStatus.Of(path); }
        catch (UnauthorizedAccessException) { throw new NiSharpException(path, "cannot read: permission denied"); }
        switch (s.Kind)
        {
            case FileKind.Regular:
                return s;
            case FileKind.Missing:
                var link = new FileInfo(path);
                if (link.LinkTarget is string target)
                {
                    // A chain of links that comes back on itself never ends in a file: say so, not "does not exist".
                    try { link.ResolveLinkTarget(returnFinalTarget: true); }
                    catch (IOException) { throw new NiSharpException(path, $"is a symbolic link to {target} that leads back to itself (a loop of links); NiSharp reads only regular files"); }
                    throw new NiSharpException(path, $"is a symbolic link to {target}, which does not exist (a DataLad file not fetched? run 'datalad get')");
                }
                throw new NiSharpException(path, "file not found");
            case FileKind.Directory:
                throw new NiSharpException(path, "is a folder, not a file");
            default:
                throw new NiSharpException(path, $"is {FileStatus.Describe(s.Kind)}, not a regular file; NiSharp reads only regular files");
        }
    }

    /// <summary>
    /// Opens a regular file for reading (see <see cref="Check"/>) and, when <paramref name="asInput"/>, records it as
    /// an input of the current command. Reading a run's own earlier outputs passes <c>asInput: false</c>, so that
    /// they can be rewritten.
    /// </summary>
    public static FileStream OpenRead(string path, int bufferSize = 4096, FileOptions options = FileOptions.None, bool asInput = true)
    {
        var s = Check(path);
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, options); }
        catch (FileNotFoundException) { throw new NiSharpException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new NiSharpException(path, "file not found"); }
        catch (UnauthorizedAccessException) { throw new NiSharpException(path, "cannot read: permission denied"); }
        catch (IOException e) { throw new NiSharpException(path, $"cannot read: {e.Message}", e); }
        if (asInput) CommandInputs.Record(s.Identity, path);
        return stream;
    }

    /// <summary>The bytes of a regular file of at most <paramref name="maxBytes"/>; <paramref name="what"/> names the
    /// kind of file in the message when it is larger ("a JSON sidecar").</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what, bool asInput = true)
    {
        var s = CheckSize(path, maxBytes, what);
        using var stream = OpenRead(path, 1, FileOptions.SequentialScan, asInput);
        // The length can change between the check and the read (and /proc files say 0): read on to the end, but never
        // more than one byte past the limit.
        // Sized to the length the file states, so that the usual read fills it exactly and returns it without a copy (a
        // fresh megabyte costs milliseconds on some machines); one more byte is asked for to see the end.
        var buffer = new byte[Math.Min(s.Length, maxBytes)];
        int got = 0;
        Span<byte> probe = stackalloc byte[1];
        try
        {
            while (true)
            {
                if (got == buffer.Length)
                {
                    if (got > maxBytes) break;
                    if (stream.Read(probe) == 0) break;
                    Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1, Math.Max(4096L, 2L * buffer.Length)));
                    buffer[got++] = probe[0];
                    continue;
                }
                int n = stream.Read(buffer, got, buffer.Length - got);
                if (n == 0) break;
                got += n;
            }
        }
        catch (IOException e) { throw new NiSharpException(path, $"cannot read: {e.Message}", e); }
        if (got > maxBytes) throw TooLarge(path, got, maxBytes, what);
        return got == buffer.Length ? buffer : buffer[..got];
    }

    /// <summary>
    /// The bytes of a JSON file (at most <see cref="MaxJsonBytes"/>), checked to be UTF-8 as JSON must be (RFC 8259):
    /// a parser would otherwise fail only when it first decodes a bad string, with an exception of its own.
    /// </summary>
    public static byte[] ReadJsonBytes(string path, string what, bool asInput = true)
    {
        var bytes = ReadAllBytes(path, MaxJsonBytes, what, asInput);
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw new NiSharpException(path, "invalid JSON: the file is not UTF-8 text");
        return bytes;
    }

    /// <summary>The text of a regular file of at most <paramref name="maxBytes"/>: UTF-8, or UTF-16 when a byte-order
    /// mark says so (a spreadsheet's "Unicode text"), the mark skipped; as <see cref="StreamReader"/> reads it.</summary>
    public static string ReadAllText(string path, long maxBytes, string what, bool asInput = true)
    {
        var bytes = ReadAllBytes(path, maxBytes, what, asInput);
        var span = bytes.AsSpan();
        if (span.StartsWith("\uFEFF"u8)) return Encoding.UTF8.GetString(span[3..]);
        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return Encoding.Unicode.GetString(span[2..]);
        if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return Encoding.BigEndianUnicode.GetString(span[2..]);
        return Encoding.UTF8.GetString(span);
    }

    /// <summary>The longest line a text input may have (characters): a table row of 100 000 numbers fits; a 1 GB line
    /// fails after this much is read, not after the whole line is in memory.</summary>
    public const int MaxLineChars = 16 << 20;

    /// <summary>
    /// The lines of a regular text file (UTF-8; <c>\n</c>, <c>\r\n</c> or <c>\r</c> end a line, as
    /// <see cref="File.ReadLines(string)"/>), read as they are enumerated. A line longer than
    /// <paramref name="maxLineChars"/> fails naming the file and the line number; <paramref name="what"/> names the
    /// kind of file ("a TSV table"). The file is checked (regular, found) before this returns.
    /// </summary>
    public static IEnumerable<string> ReadLines(string path, string what, int maxLineChars = MaxLineChars, bool asInput = true)
    {
        Check(path);
        return Lines(path, what, maxLineChars, asInput);
    }

    private static IEnumerable<string> Lines(string path, string what, int maxLineChars, bool asInput)
    {
        // Buffers well under the large-object threshold (85,000 bytes): a run reads dozens of small tables, and large
        // buffers would each take fresh memory until a full collection; the reader's buffer is the only one.
        using var stream = OpenRead(path, 1, FileOptions.SequentialScan, asInput);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 14);
        var buffer = new char[1 << 13];
        var line = new StringBuilder();
        int number = 1, start = 0, end = 0;
        bool afterCr = false;
        while (true)
        {
            if (start == end)
            {
                try { end = reader.Read(buffer, 0, buffer.Length); }
                catch (IOException e) { throw new NiSharpException(path, $"cannot read: {e.Message}", e); }
                start = 0;
                if (end == 0) break;
            }
            if (afterCr)
            {
                afterCr = false;
                if (buffer[start] == '\n') start++;
                continue;
            }
            int stop = buffer.AsSpan(start, end - start).IndexOfAny('\r', '\n');
            int take = stop < 0 ? end - start : stop;
            if (line.Length + take > maxLineChars)
                throw LineTooLong(path, number, maxLineChars, what);
            line.Append(buffer, start, take);
            start += take;
            if (stop < 0) continue;
            afterCr = buffer[start] == '\r';
            start++;
            yield return line.ToString();
            line.Clear();
            number++;
        }
        if (line.Length > 0) yield return line.ToString();
    }

    /// <summary>The error for line <paramref name="number"/> of <paramref name="path"/> being longer than
    /// <paramref name="maxLineChars"/> (<see cref="ReadLines"/>, and a table read whole).</summary>
    internal static NiSharpException LineTooLong(string path, int number, int maxLineChars, string what) =>
        new(path, string.Create(CultureInfo.InvariantCulture, $"line {number} is longer than {maxLineChars} characters, more than {what} holds: is it the right file?"));

    /// <summary>Fails when the file is larger than <paramref name="maxBytes"/>, before reading any of it.</summary>
    public static FileStatus CheckSize(string path, long maxBytes, string what)
    {
        var s = Check(path);
        if (s.Length > maxBytes) throw TooLarge(path, s.Length, maxBytes, what);
        return s;
    }

    private static NiSharpException TooLarge(string path, long length, long maxBytes, string what) =>
        new(path, $"is {Size(length)}, more than {what} can hold ({Size(maxBytes)}): is it the right file?");

    /// <summary>A byte count for people: 512 bytes, 3.4 MB, 1.1 GB.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 10_000 => bytes.ToString(CultureInfo.InvariantCulture) + " bytes",
        < 1_000_000 => (bytes / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " kB",
        < 1_000_000_000 => (bytes / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + " GB",
    };
}

/// <summary>
/// The files one command has read (by identity: device and inode), so that none of its outputs replaces one of them —
/// <c>nisharp smooth X -o X</c>, or an output name that is a link to an input. A scope covers one command and whatever
/// it runs in parallel (it flows with the execution context); outside any scope nothing is recorded.
/// </summary>
public sealed class CommandInputs : IDisposable
{
    private static readonly AsyncLocal<CommandInputs?> Current = new();
    private readonly Dictionary<FileIdentity, string> _read = [];
    private readonly CommandInputs? _outer;
    private bool _disposed;

    private CommandInputs(CommandInputs? outer) => _outer = outer;

    /// <summary>Starts recording the inputs of a command; dispose to stop.</summary>
    public static CommandInputs Begin()
    {
        var scope = new CommandInputs(Current.Value);
        Current.Value = scope;
        return scope;
    }

    internal static void Record(FileIdentity identity, string path)
    {
        if (Current.Value is not { } scope) return;
        lock (scope._read) scope._read.TryAdd(identity, path);
    }

    /// <summary>The input (as the command named it) that is the same file as <paramref name="identity"/>, or null.</summary>
    public static string? Find(FileIdentity identity)
    {
        if (Current.Value is not { } scope) return null;
        lock (scope._read) return scope._read.GetValueOrDefault(identity);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (Current.Value == this) Current.Value = _outer;
    }
}
