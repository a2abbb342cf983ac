namespace NiSharp.Bids;

/// <summary>A BIDS subject label as the entity writes it (<c>sub-10159</c>) and as users and tables give it
/// (<c>10159</c>): the one place that adds or removes the <c>sub-</c> prefix.</summary>
public static class SubjectLabel
{
    /// <summary>The entity's prefix.</summary>
    public const string Prefix = "sub-";

    /// <summary>The label without a leading <c>sub-</c> (the text as given otherwise, not trimmed).</summary>
    public static string Strip(string label) => label.StartsWith(Prefix, StringComparison.Ordinal) ? label[Prefix.Length..] : label;

    /// <summary>The label with its <c>sub-</c> prefix, whether or not it had one.</summary>
    public static string WithPrefix(string label) => Prefix + Strip(label);
}
