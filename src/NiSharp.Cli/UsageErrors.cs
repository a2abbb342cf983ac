using System.CommandLine;
using System.CommandLine.Parsing;
using NiSharp.IO;

namespace NiSharp.Cli;

/// <summary>
/// The lines printed for a command line that does not parse: System.CommandLine's errors, except that an unknown flag
/// or command is one line naming the nearest valid spelling (<c>unknown option '--participant-labl' for 'nisharp run'
/// (did you mean --participant-label?)</c>) and the values that followed it are not reported again.
/// </summary>
internal static class UsageErrors
{
    /// <summary>
    /// Whether the command line is wrong: System.CommandLine's errors, or a long flag that no option takes but that a
    /// command with a list argument (<c>plot groups FILES…</c>) swallowed as one of its values.
    /// </summary>
    public static bool Any(ParseResult parse) => parse.Errors.Count > 0 || SwallowedFlags(parse).Any();

    /// <summary>The error lines (without the <c>nisharp: </c> prefix), and whether one of them suggests a spelling.</summary>
    public static (IReadOnlyList<string> Lines, bool Suggested) Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var lines = new List<string>();
        var unknown = parse.UnmatchedTokens.Concat(SwallowedFlags(parse)).ToList();
        var explained = new HashSet<string>(unknown, StringComparer.Ordinal);
        bool suggested = false, afterUnknown = false, unknownCommand = false;
        foreach (var token in parse.Tokens.Select(t => t.Value))
        {
            if (!unknown.Remove(token)) continue;
            if (IsFlag(token))
            {
                var name = token.Split('=', 2)[0];
                // The options' names first: an old spelling kept as an alias is suggested only when nothing else is close.
                var hint = NearestNames.DidYouMean(name, OptionNames(command, aliases: false)) is { Length: > 0 } primary
                    ? primary : NearestNames.DidYouMean(name, OptionNames(command, aliases: true));
                suggested |= hint.Length > 0;
                lines.Add($"unknown option '{name}' for '{Path(command)}'{hint}");
                afterUnknown = true;
            }
            else if (afterUnknown)
            {
                // the value of the unknown option, or an argument of the unknown command: explained by it
            }
            else if (command.Subcommands.Count > 0)
            {
                var hint = NearestNames.DidYouMean(token, command.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)));
                suggested |= hint.Length > 0;
                lines.Add($"unknown command '{token}' for '{Path(command)}'{hint}");
                afterUnknown = unknownCommand = true;
            }
            else lines.Add($"unexpected argument '{token}' for '{Path(command)}'");
        }
        foreach (var e in parse.Errors)
        {
            if (explained.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal))) continue;
            // "Required command was not provided": the unknown command was meant to be it.
            if (unknownCommand && e.SymbolResult is CommandResult c && c.Command == command) continue;
            lines.Add(e.Message);
        }
        return (lines, suggested);
    }

    /// <summary>Tokens parsed as a command's argument values that are spelt as long flags (<c>--edgs</c>), up to a
    /// <c>--</c>. An option's own value may look like a flag (<c>--slurm-extra "--qos=high"</c>): it is not one.</summary>
    private static IEnumerable<string> SwallowedFlags(ParseResult parse)
    {
        var optionValues = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        CollectOptionValues(parse.RootCommandResult, optionValues);
        foreach (var t in parse.Tokens)
        {
            if (t.Type == TokenType.DoubleDash) yield break;
            if (t.Type == TokenType.Argument && t.Value.Length > 2 && t.Value.StartsWith("--", StringComparison.Ordinal) && !optionValues.Contains(t))
                yield return t.Value;
        }
    }

    private static void CollectOptionValues(SymbolResult result, HashSet<Token> into)
    {
        if (result is OptionResult o) into.UnionWith(o.Tokens);
        if (result is CommandResult c) foreach (var child in c.Children) CollectOptionValues(child, into);
    }

    // "-3" and "-0.5" are values (a negative number), not flags.
    private static bool IsFlag(string token) => token.Length > 1 && token[0] == '-' && !double.TryParse(token, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>Every spelling of the options <paramref name="command"/> takes, its own and its parents' recursive ones.</summary>
    private static IEnumerable<string> OptionNames(Command command, bool aliases)
    {
        var options = command.Options.AsEnumerable();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            options = options.Concat(parent.Options.Where(o => o.Recursive));
        return options.Where(o => !o.Hidden).SelectMany(o => aliases ? o.Aliases : [o.Name]).Where(n => n.StartsWith("--", StringComparison.Ordinal));
    }

    /// <summary><c>nisharp plot groups</c>.</summary>
    private static string Path(Command command)
    {
        var names = new List<string> { command.Name };
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, parent.Name);
        return string.Join(' ', names);
    }
}
