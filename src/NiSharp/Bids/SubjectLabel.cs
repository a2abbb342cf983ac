using System.Text.RegularExpressions;

namespace NiSharp.Bids;

/// <summary>A BIDS subject label as the entity writes it (<c>sub-10159</c>) and as users and tables give it
/// (<c>10159</c>): the one place that adds or removes the <c>sub-</c> prefix.</summary>
public static partial class SubjectLabel
{
    /// <summary>The entity's prefix.</summary>
    public const string Prefix = "sub-";

    /// <summary>The label without a leading <c>sub-</c> (the text as given otherwise, not trimmed).</summary>
    public static string Strip(string label) => label.StartsWith(Prefix, StringComparison.Ordinal) ? label[Prefix.Length..] : label;

    /// <summary>The label with its <c>sub-</c> prefix, whether or not it had one.</summary>
    public static string WithPrefix(string label) => Prefix + Strip(label);

    /// <summary>The label of the <c>sub-&lt;label&gt;</c> entity of a file name (<c>sub-01_task-rest_relmat.tsv</c> → <c>01</c>),
    /// or null when the name has none.</summary>
    public static string? FromFileName(string fileName) => SubEntity().Match(fileName) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"(?:^|_)sub-([A-Za-z0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SubEntity();
}
