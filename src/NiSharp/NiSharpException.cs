namespace NiSharp;

/// <summary>
/// An error caused by the user's input (a file, a parameter, a folder), as opposed to a bug.
/// The CLI prints <see cref="Exception.Message"/> as one line and exits with <see cref="ExitCode"/>;
/// it never prints a stack trace for this type.
/// </summary>
/// <remarks>
/// Messages follow one shape so that batch logs can be grepped: <c>FILE: problem</c> when a file is
/// at fault, otherwise just the problem.
/// </remarks>
public class NiSharpException : Exception
{
    /// <summary>The usage/input error exit code documented for the CLI.</summary>
    public const int InputErrorExitCode = 2;

    /// <summary>The file at fault, when there is one.</summary>
    public string? FilePath { get; }

    /// <summary>The parameter at fault, named as the library calls it (nilearn's name where there is one, else the
    /// options property in snake case: <c>dummy_scans</c>, <c>edges</c>), when the error is a bad parameter value; the
    /// message then starts with that name.</summary>
    public string? Parameter { get; private init; }

    /// <summary>The message as text whose parameters (<see cref="Parameter"/> and any other it names) a front end can
    /// spell its own way (<see cref="MessageNaming"/>: the CLI prints its flags, <c>--dummy-scans</c>).</summary>
    public ParameterText Text { get; }

    /// <summary>The process exit code the CLI uses for this error.</summary>
    public int ExitCode { get; init; } = InputErrorExitCode;

    /// <summary>An error that is not tied to one file (a bad parameter value, say).</summary>
    public NiSharpException(string message) : this((ParameterText)message) { }

    /// <summary>An error in <paramref name="filePath"/>; the message reads <c>FILE: problem</c>.</summary>
    public NiSharpException(string filePath, string problem, Exception? inner = null) : this(filePath, (ParameterText)problem, inner) { }

    /// <summary>An error whose message names parameters (<see cref="ParameterName"/>), not tied to one file.</summary>
    public NiSharpException(ParameterText message, Exception? inner = null) : base(Printable(message.ToString()), inner)
    {
        Text = message;
    }

    /// <summary>An error in <paramref name="filePath"/> whose problem names parameters; the message reads <c>FILE: problem</c>.</summary>
    public NiSharpException(string filePath, ParameterText problem, Exception? inner = null) : this(problem.Prefixed($"{filePath}: "), inner)
    {
        FilePath = filePath;
    }

    /// <summary>A bad value of <paramref name="parameter"/>: the message reads <c>parameter</c> followed by
    /// <paramref name="problem"/> (e.g. <c>": no pairs given"</c> or <c>" must be 0 or more"</c>).</summary>
    public static NiSharpException InParameter(string parameter, ParameterText problem) =>
        new(problem.Prefixed(parameter, isParameter: true)) { Parameter = parameter };

    /// <summary>This error told about <paramref name="filePath"/> (<c>FILE: problem</c>), its parameters kept; as it is
    /// when it already names a file.</summary>
    public NiSharpException InFile(string filePath) => FilePath is not null ? this
        : this is AllVolumesRemovedException ? new AllVolumesRemovedException(filePath, Message)
        : new NiSharpException(filePath, Text, this) { Parameter = Parameter, ExitCode = ExitCode };

    /// <summary>The message with each parameter it names spelled by <paramref name="spell"/> (a flag, a field).</summary>
    public string MessageNaming(Func<string, string> spell) => Printable(Text.ToString(spell));

    /// <summary>
    /// <paramref name="text"/> with every control character written as an escape (<c>\n</c>, <c>\r</c>, <c>\x1b</c>,
    /// <c>\u202e</c>): a file name with a newline cannot break a message into two lines (one line is a promise to users
    /// who grep logs of thousands of subjects), and one with terminal escape sequences cannot recolour or rewrite the
    /// terminal. Tabs are kept. Every message NiSharp prints goes through this.
    /// </summary>
    public static string Printable(string text)
    {
        int i = 0;
        while (i < text.Length && !NeedsEscape(text[i])) i++;
        if (i == text.Length) return text;
        var sb = new System.Text.StringBuilder(text.Length + 16).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (!NeedsEscape(c)) sb.Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c < 0x100) sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    // C0 and C1 controls and DEL (char.IsControl), and the bidirectional overrides that make text read backwards.
    private static bool NeedsEscape(char c) => c != '\t' && (char.IsControl(c) || c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069');
}
