using System.Globalization;

namespace NiSharp.Imaging;

/// <summary>
/// A python-style index along one axis: a single index (<c>4</c>, <c>-1</c>) or a slice
/// (<c>4:</c>, <c>:10</c>, <c>10:20:2</c>, <c>::-1</c>), with python's rules for negative and
/// out-of-range bounds.
/// </summary>
public readonly record struct PySlice
{
    /// <summary>First index (may be negative: counted from the end); null = from the start (or end for negative steps).</summary>
    public int? Start { get; init; }
    /// <summary>Stop (exclusive); null = to the end.</summary>
    public int? Stop { get; init; }
    /// <summary>Step (not 0).</summary>
    public int Step { get; init; }
    /// <summary>Whether this is a single index (<c>4</c>) rather than a slice (<c>4:5</c>): numpy drops the axis.</summary>
    public bool IsIndex { get; init; }

    /// <summary>The whole axis, <c>:</c>.</summary>
    public static PySlice All => new() { Step = 1 };

    /// <summary>A single index.</summary>
    public static PySlice At(int index) => new() { Start = index, Step = 1, IsIndex = true };

    /// <summary>The slice <c>start:stop:step</c>.</summary>
    public static PySlice Range(int? start, int? stop, int step = 1)
    {
        if (step == 0) throw new NiSharpException("slice step cannot be zero");
        return new PySlice { Start = start, Stop = stop, Step = step };
    }

    /// <summary>A single index, as numpy's <c>a[4]</c>: <c>img.Slicer[.., .., .., 4]</c>.</summary>
    public static implicit operator PySlice(int index) => At(index);

    /// <summary>A single index counted from the end: <c>^1</c> is python's <c>-1</c>.</summary>
    public static implicit operator PySlice(Index index) => At(index.IsFromEnd ? -index.Value : index.Value);

    /// <summary>
    /// A C# range as a python slice: <c>..</c> is <c>:</c>, <c>4..</c> is <c>4:</c>, <c>59..60</c> is <c>59:60</c>,
    /// <c>..^1</c> is <c>:-1</c> (an end of <c>^0</c> means "to the end").
    /// </summary>
    public static implicit operator PySlice(Range range)
    {
        // ^0.. starts at the end (empty), as python's len(a):
        int start = range.Start.IsFromEnd ? (range.Start.Value == 0 ? int.MaxValue : -range.Start.Value) : range.Start.Value;
        int? stop = range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value;
        return new PySlice { Start = start, Stop = stop, Step = 1 };
    }

    /// <summary>Parses <c>4</c>, <c>4:</c>, <c>:-1</c>, <c>10:20:2</c>, <c>::-1</c>, <c>:</c>.</summary>
    public static PySlice Parse(string text)
    {
        var s = text.Trim();
        if (s.Length == 0) throw new NiSharpException($"empty index '{text}' (use e.g. 4, 4:, 10:20:2)");
        var parts = s.Split(':');
        if (parts.Length > 3) throw new NiSharpException($"invalid slice '{text}': at most start:stop:step");
        int? Part(string p, string what)
        {
            p = p.Trim();
            if (p.Length == 0) return null;
            if (!int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                throw new NiSharpException($"invalid slice '{text}': {what} '{p}' is not an integer");
            return v;
        }
        if (parts.Length == 1) return At(Part(parts[0], "index")!.Value);
        int step = parts.Length == 3 ? Part(parts[2], "step") ?? 1 : 1;
        if (step == 0) throw new NiSharpException($"invalid slice '{text}': step cannot be zero");
        return new PySlice { Start = Part(parts[0], "start"), Stop = Part(parts[1], "stop"), Step = step };
    }

    /// <summary>
    /// The indices selected on an axis of <paramref name="length"/> (python's <c>slice.indices</c>).
    /// A single index out of range is an error, as in numpy.
    /// </summary>
    public int[] Indices(int length, string axisName = "axis")
    {
        if (IsIndex)
        {
            int i = Start!.Value;
            int j = i < 0 ? i + length : i;
            if (j < 0 || j >= length) throw new NiSharpException($"index {i} is out of range for {axisName} of size {length}");
            return [j];
        }
        int step = Step == 0 ? 1 : Step;
        int lower = step < 0 ? -1 : 0, upper = step < 0 ? length - 1 : length;
        int Clamp(int? v, int dflt)
        {
            if (v is null) return dflt;
            int x = v.Value < 0 ? v.Value + length : v.Value;
            return Math.Clamp(x, lower, upper);
        }
        int start = Clamp(Start, step < 0 ? upper : lower);
        int stop = Clamp(Stop, step < 0 ? lower : upper);
        var list = new List<int>();
        if (step > 0) for (int i = start; i < stop; i += step) list.Add(i);
        else for (int i = start; i > stop; i += step) list.Add(i);
        return list.ToArray();
    }

    /// <inheritdoc />
    public override string ToString()
    {
        if (IsIndex) return Start!.Value.ToString(CultureInfo.InvariantCulture);
        var s = $"{Start?.ToString(CultureInfo.InvariantCulture)}:{Stop?.ToString(CultureInfo.InvariantCulture)}";
        return Step == 1 ? s : s + ":" + Step.ToString(CultureInfo.InvariantCulture);
    }
}
