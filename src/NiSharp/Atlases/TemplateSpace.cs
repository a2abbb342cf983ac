using NiSharp.Bids;

namespace NiSharp.Atlases;

/// <summary>
/// Template spaces by their TemplateFlow identifiers (<c>MNI152NLin6Asym</c>, <c>MNI152NLin2009cAsym</c>, <c>fsLR</c>, …),
/// as BIDS <c>space-</c> entities and TemplateFlow <c>tpl-</c> folders write them: where a file says its space, whether
/// two spaces are the same, and the one warning given when an atlas and the data are in different ones.
/// </summary>
public static class TemplateSpace
{
    /// <summary>FSL's MNI152 template (the bundled volume atlases are drawn on it).</summary>
    public const string MNI152NLin6Asym = "MNI152NLin6Asym";

    /// <summary>fMRIPrep's default output space.</summary>
    public const string MNI152NLin2009cAsym = "MNI152NLin2009cAsym";

    /// <summary>The grayordinates' surface space (HCP, fMRIPrep's <c>--cifti-output</c>).</summary>
    public const string FsLR = "fsLR";

    // Other spellings of the same template: neuroparc writes FSL's MNI152 as MNI152NLin6.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["MNI152NLin6"] = MNI152NLin6Asym,
    };

    // Spaces of one subject's own anatomy or acquisition, where no template atlas fits without a registration.
    private static readonly HashSet<string> SubjectSpaces = new(StringComparer.OrdinalIgnoreCase) { "T1w", "T2w", "func", "boldref", "orig", "fsnative", "anat" };

    /// <summary>The identifier of <paramref name="space"/>: aliases replaced, surrounding blanks removed; null for null or blank.</summary>
    public static string? Normalize(string? space)
    {
        if (string.IsNullOrWhiteSpace(space)) return null;
        var s = space.Trim();
        return Aliases.TryGetValue(s, out var canonical) ? canonical : s;
    }

    /// <summary>Whether two spaces are the same template (identifiers compared without case, aliases resolved).</summary>
    public static bool Same(string a, string b) => string.Equals(Normalize(a), Normalize(b), StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="space"/> is a subject's own space (<c>T1w</c>, <c>func</c>, <c>fsnative</c>…), not a template.</summary>
    public static bool IsSubjectSpace(string space) => SubjectSpaces.Contains(space.Trim());

    /// <summary>
    /// The space a file's name states: its <c>space-</c> entity (BIDS derivatives, BIDS-Atlas), else its <c>tpl-</c>
    /// entity (TemplateFlow); null when the name says neither or is not a BIDS name.
    /// </summary>
    public static string? OfFile(string path)
    {
        if (!BidsName.TryParse(Path.GetFileName(path), out var name, out _)) return null;
        return Normalize(name!.Entities["space"] ?? name.Entities["tpl"]);
    }

    /// <summary>
    /// The warning when <paramref name="atlasSpace"/> differs from <paramref name="dataSpace"/>, naming both (null when
    /// either is unknown or they are the same). The atlas is then resampled onto the data's grid as the lesson does
    /// (nearest neighbour for labels), which aligns the grids, not the templates.
    /// </summary>
    public static string? MismatchWarning(string atlasName, string? atlasSpace, string? dataSpace, string dataName = "the BOLD")
    {
        if (Normalize(atlasSpace) is not string a || Normalize(dataSpace) is not string d || Same(a, d)) return null;
        string head = $"atlas {atlasName} is in {a} but {dataName} is in {d}";
        if (IsSubjectSpace(d))
            return head + $": {d} is a subject's own space, where a template atlas does not fit without a registration; use data in {a} (fMRIPrep --output-spaces {a})";
        return head + ": it is resampled onto the data's grid as the lesson does, which aligns the grids but not the two templates " +
               $"(regions may be off by a few millimetres); an atlas in {d} avoids this";
    }
}
