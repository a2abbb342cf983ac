using System.Buffers;
using System.Globalization;
using System.Text;

namespace NiSharp.IO;

/// <summary>
/// Writes a TSV table as UTF-8 straight into a stream through one pooled buffer: numbers are formatted in place, so a
/// table of thousands of values costs no string per cell and no copy of the whole text (a run writes one time-series
/// table and one matrix per atlas; built as a string, each took a megabyte of fresh memory). Numbers are written as
/// <see cref="TsvTable.FormatNumber(double)"/> writes them: the shortest text that reads back to the same value, NaN as
/// <c>n/a</c>.
/// </summary>
internal sealed class TsvWriter : IDisposable
{
    private const int Capacity = 1 << 15;
    // Longer than any shortest round-trip text of a double ("-1.2345678901234567E-308" is 24 bytes).
    private const int NumberBytes = 32;
    private static readonly byte[] NotANumber = "n/a"u8.ToArray();

    private readonly Stream _out;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Capacity);
    private int _used;

    private TsvWriter(Stream output) => _out = output;

    /// <summary>A writer into <paramref name="output"/>; disposing it writes what it holds (the stream stays open).</summary>
    public static TsvWriter On(Stream output) => new(output);

    /// <summary>Writes <paramref name="path"/> atomically (<see cref="AtomicFile.Write(string, Action{Stream})"/>) through a writer.</summary>
    public static void Write(string path, Action<TsvWriter> write) =>
        AtomicFile.Write(path, s =>
        {
            using var w = new TsvWriter(s);
            write(w);
        });

    /// <summary>A cell of text, as it is (the caller keeps tabs and line breaks out of it).</summary>
    public TsvWriter Text(string text)
    {
        Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
        _used += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
        return this;
    }

    /// <summary>A number, as <see cref="TsvTable.FormatNumber(double)"/> writes it.</summary>
    public TsvWriter Number(double value) => Formatted(value);

    /// <summary>A float32 number, as <see cref="TsvTable.FormatNumber(float)"/> writes it.</summary>
    public TsvWriter Number(float value) => Formatted(value);

    private TsvWriter Formatted<T>(T value) where T : System.Numerics.IFloatingPointIeee754<T>, IUtf8SpanFormattable
    {
        if (T.IsNaN(value)) return Bytes(NotANumber);
        Reserve(NumberBytes);
        if (!value.TryFormat(_buffer.AsSpan(_used), out int written, "R", CultureInfo.InvariantCulture))
            throw new InvalidOperationException("a number longer than its room");
        _used += written;
        return this;
    }

    /// <summary>The header row (or any row of text cells), tab-separated, with its line break.</summary>
    public TsvWriter Row(IEnumerable<string> cells)
    {
        bool first = true;
        foreach (var c in cells)
        {
            if (!first) Tab();
            Text(c);
            first = false;
        }
        return EndRow();
    }

    /// <summary>The separator between two cells.</summary>
    public TsvWriter Tab() => Byte((byte)'\t');

    /// <summary>The end of a row.</summary>
    public TsvWriter EndRow() => Byte((byte)'\n');

    private TsvWriter Byte(byte b)
    {
        Reserve(1);
        _buffer[_used++] = b;
        return this;
    }

    private TsvWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
        return this;
    }

    private void Reserve(int bytes)
    {
        if (_used + bytes <= _buffer.Length) return;
        Flush();
        if (bytes <= _buffer.Length) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = ArrayPool<byte>.Shared.Rent(bytes);
    }

    private void Flush()
    {
        _out.Write(_buffer, 0, _used);
        _used = 0;
    }

    /// <summary>Writes what is buffered and gives the buffer back.</summary>
    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        try { Flush(); }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
