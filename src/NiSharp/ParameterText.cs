using System.Runtime.CompilerServices;

namespace NiSharp;

/// <summary>
/// A library parameter named inside a message (<c>groups</c>, <c>participants_file</c>): put it into a
/// <see cref="ParameterText"/> (<c>$"choose two with {new ParameterName("groups")}"</c>) and a front end spells it its own
/// way (the CLI: <c>--groups</c>).
/// </summary>
/// <param name="Name">The parameter as the library calls it (nilearn's name where there is one, else the options
/// property in snake case).</param>
public readonly record struct ParameterName(string Name)
{
    /// <summary>The library's name.</summary>
    public override string ToString() => Name;
}

/// <summary>
/// Text that names library parameters (<see cref="ParameterName"/>) among its words, written as an interpolated string:
/// <see cref="ToString()"/> reads with the library's names, <see cref="ToString(Func{string, string})"/> with a front
/// end's (the CLI prints its flags). Other values are formatted exactly as in a plain interpolated string. A plain string
/// converts to one without parameters.
/// </summary>
[InterpolatedStringHandler]
public sealed class ParameterText
{
    private readonly List<(string Text, bool IsParameter)> _parts = [];

    /// <summary>The compiler's constructor for an interpolated string.</summary>
    public ParameterText(int literalLength, int formattedCount) { }

    private ParameterText(IEnumerable<(string, bool)> parts) => _parts.AddRange(parts);

    /// <summary>Text without parameters.</summary>
    public static implicit operator ParameterText(string text)
    {
        var t = new ParameterText(0, 0);
        t.AppendLiteral(text);
        return t;
    }

    /// <summary>Appends words.</summary>
    public void AppendLiteral(string value)
    {
        if (value.Length > 0) _parts.Add((value, false));
    }

    /// <summary>Appends a value: a <see cref="ParameterName"/> as a parameter, a <see cref="ParameterText"/> with its
    /// parameters, anything else as a plain interpolated string formats it.</summary>
    public void AppendFormatted<T>(T value) => AppendFormatted(value, 0, null);

    /// <inheritdoc cref="AppendFormatted{T}(T)"/>
    public void AppendFormatted<T>(T value, string? format) => AppendFormatted(value, 0, format);

    /// <inheritdoc cref="AppendFormatted{T}(T)"/>
    public void AppendFormatted<T>(T value, int alignment) => AppendFormatted(value, alignment, null);

    /// <inheritdoc cref="AppendFormatted{T}(T)"/>
    public void AppendFormatted<T>(T value, int alignment, string? format)
    {
        if (value is ParameterName p)
        {
            _parts.Add((p.Name, true));
            return;
        }
        if (value is ParameterText text)
        {
            _parts.AddRange(text._parts);
            return;
        }
        var plain = new DefaultInterpolatedStringHandler(0, 1);
        plain.AppendFormatted(value, alignment, format);
        AppendLiteral(plain.ToStringAndClear());
    }

    /// <summary>The parameters named, in order.</summary>
    public IEnumerable<string> Parameters => _parts.Where(p => p.IsParameter).Select(p => p.Text);

    /// <summary><paramref name="prefix"/> (words, or a parameter's name) followed by this text.</summary>
    internal ParameterText Prefixed(string prefix, bool isParameter = false) => new(_parts.Prepend((prefix, isParameter)));

    /// <summary>The text with each parameter spelled by <paramref name="spell"/> (e.g. the CLI's flag).</summary>
    public string ToString(Func<string, string> spell) =>
        string.Concat(_parts.Select(p => p.IsParameter ? spell(p.Text) : p.Text));

    /// <summary>The text with the library's parameter names.</summary>
    public override string ToString() => ToString(static name => name);
}
