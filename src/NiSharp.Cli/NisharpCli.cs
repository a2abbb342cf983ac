using System.CommandLine;
using NiSharp.Cli.Commands;

namespace NiSharp.Cli;

/// <summary>
/// The <c>nisharp</c> command line: a thin shell over the library. Each command lives in
/// <c>Commands/</c> and only parses options, calls the library and prints.
/// </summary>
public static class NisharpCli
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;

    /// <summary>Exit code when some subjects of a batch failed but the rest completed.</summary>
    public const int PartialFailure = 1;

    /// <summary>Exit code for usage or input errors.</summary>
    public const int InputError = NiSharpException.InputErrorExitCode;

    /// <summary>Builds the command tree.</summary>
    /// <remarks>A plain command named <c>nisharp</c> rather than a <see cref="RootCommand"/>, whose name
    /// would be the assembly's (<c>NiSharp.Cli</c>) in every usage line.</remarks>
    public static Command BuildRoot() => BuildRoot(rootOptions: true);

    // The tokens of the root's help and version options (System.CommandLine's HelpOption and VersionOption).
    private static readonly string[] RootOptionTokens = ["--help", "-h", "/h", "-?", "/?", "--version"];

    /// <summary>The command tree; without <paramref name="rootOptions"/>, no help and version options: making either loads
    /// the parser's resource strings (milliseconds in every process), and a valid command line without their tokens has no
    /// use for them.</summary>
    private static Command BuildRoot(bool rootOptions)
    {
        var root = new Command("nisharp", "NiSharp: resting-state functional connectivity on fMRIPrep outputs.");
        if (rootOptions)
        {
            root.Options.Add(new System.CommandLine.Help.HelpOption());
            root.Options.Add(new VersionOption());
        }
        foreach (var c in new[]
                 {
                     InfoCommand.Create(),
                     DemoCommand.Create(),
                     RunCommand.Create(),
                     StatusCommand.Create(),
                     BenchmarkCommand.Create(),
                     ExtractCommand.Create(),
                     ConnectivityCommand.Create(),
                     CompareCommand.Create(),
                     PlotCommand.Create(),
                     ViewCommand.Create(),
                     LayoutCommand.Create(),
                     ConfoundsCommand.Create(),
                     CleanCommand.Create(),
                     MathCommand.Create(),
                     IndexCommand.Create(),
                     MeanCommand.Create(),
                     ConcatCommand.Create(),
                     MaskCommand.Create(),
                     SmoothCommand.Create(),
                     ResampleCommand.Create(),
                     RelabelCommand.Create(),
                     AtlasesCommand.Create(),
                 })
            root.Subcommands.Add(c);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        // Messages quote file names, which may hold newlines or terminal escape sequences.
        stderr = new PrintableWriter(stderr);
        // What this command reads, so that none of its outputs can replace an input (-o X on input X).
        using var inputs = IO.CommandInputs.Begin();
        if (args.Length == 0) args = ["--help"]; // a bare 'nisharp' shows what it can do
        bool rootOptions = args.Any(a => RootOptionTokens.Contains(a));
        var parse = BuildRoot(rootOptions).Parse(args);
        // A command line in error is parsed again with them: its messages (the nearest spelling) are the full tree's.
        if (!rootOptions && UsageErrors.Any(parse)) parse = BuildRoot(rootOptions: true).Parse(args);
        if (UsageErrors.Any(parse))
        {
            var (lines, suggested) = UsageErrors.Describe(parse);
            foreach (var line in lines) stderr.WriteLine($"nisharp: {line}");
            // A suggested spelling is the one line the user needs; otherwise, where the usage is.
            if (!suggested) stderr.WriteLine("Run 'nisharp --help' (or 'nisharp COMMAND --help') for usage.");
            return InputError;
        }
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(config);
        }
        catch (NiSharpException e)
        {
            stderr.WriteLine($"nisharp: error: {CliFlags.Message(e)}");
            return e.ExitCode;
        }
        catch (AggregateException a) when (a.Flatten().InnerExceptions.OfType<NiSharpException>().FirstOrDefault() is { } e)
        {
            // Our error from inside a parallel loop (e.g. a full disk met by several writers at once): the first one, as
            // one line, like any other.
            stderr.WriteLine($"nisharp: error: {CliFlags.Message(e)}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("nisharp: cancelled");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file system refused something no library check foresaw (a disk gone read-only mid-run, say): still
            // one line and the input-error exit code, not a stack trace.
            stderr.WriteLine($"nisharp: error: {NiSharpException.Printable(e.Message)}");
            return InputError;
        }
    }

    /// <summary>Writes text with every control character but newline and tab escaped (see
    /// <see cref="NiSharpException.Printable"/>): whatever a message quotes cannot drive the terminal.</summary>
    private sealed class PrintableWriter(TextWriter inner) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;
        public override void Write(char value)
        {
            if (value == '\n') inner.Write(value);
            else inner.Write(NiSharpException.Printable(value.ToString()));
        }
        public override void Write(string? value)
        {
            if (value is null) return;
            var lines = value.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (i > 0) inner.Write('\n');
                inner.Write(NiSharpException.Printable(lines[i]));
            }
        }
        public override void WriteLine(string? value)
        {
            Write(value);
            inner.WriteLine();
        }
        public override void Flush() => inner.Flush();
    }
}
