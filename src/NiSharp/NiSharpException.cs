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

    /// <summary>The process exit code the CLI uses for this error.</summary>
    public int ExitCode { get; init; } = InputErrorExitCode;

    /// <summary>An error that is not tied to one file (a bad parameter value, say).</summary>
    public NiSharpException(string message) : base(OneLine(message)) { }

    /// <summary>An error in <paramref name="filePath"/>; the message reads <c>FILE: problem</c>.</summary>
    public NiSharpException(string filePath, string problem, Exception? inner = null)
        : base(OneLine($"{filePath}: {problem}"), inner)
    {
        FilePath = filePath;
    }

    // One line is a promise to users who grep logs of thousands of subjects.
    private static string OneLine(string s) => s.Replace("\r", " ").Replace("\n", " ");
}
