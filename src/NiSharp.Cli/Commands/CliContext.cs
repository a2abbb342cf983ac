using System.CommandLine;

namespace NiSharp.Cli.Commands;

/// <summary>What a command's action needs from the invocation: where to print.</summary>
internal static class CliContext
{
    /// <summary>Standard output for this invocation (a test may redirect it).</summary>
    public static TextWriter Out(this ParseResult p) => p.InvocationConfiguration.Output;

    /// <summary>Standard error for this invocation.</summary>
    public static TextWriter Err(this ParseResult p) => p.InvocationConfiguration.Error;
}
