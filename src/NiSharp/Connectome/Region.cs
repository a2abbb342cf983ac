using System.Globalization;

namespace NiSharp.Connectome;

/// <summary>
/// One region (a column of region signals, a row and column of a connectivity matrix): its name and,
/// when known, its label id in the atlas it came from.
/// </summary>
/// <param name="Name">The column name, e.g. <c>label_44</c> or <c>7Networks_LH_Default_PFC_1</c>.</param>
/// <param name="LabelId">The atlas label id (e.g. 44), or null when the name does not carry it and no
/// sidecar gave it.</param>
/// <remarks>
/// Regions are looked up by <see cref="LabelId"/>, never by column position: maskers drop or reorder
/// labels (nilearn drops labels without voxels), so "column 44" is not "label 44" — the lesson's
/// padding trick exists because of that.
/// </remarks>
public sealed record Region(string Name, int? LabelId)
{
    /// <summary>
    /// The label id a column name carries: <c>label_44</c>, <c>label-44</c>, <c>label44</c> (any
    /// case) or a bare integer <c>44</c>; null otherwise.
    /// </summary>
    public static int? ParseLabelId(string name)
    {
        // By hand rather than with a regular expression: a table of 100 000 columns parses without a Match object each.
        var s = name.AsSpan().Trim();
        if (s.StartsWith("label", StringComparison.OrdinalIgnoreCase))
        {
            s = s[5..];
            if (s.Length > 1 && s[0] is '-' or '_' && (char.IsAsciiDigit(s[1]) || s[1] == '-')) s = s[1..];
        }
        var digits = s.Length > 0 && s[0] == '-' ? s[1..] : s;
        if (digits.Length == 0 || digits.ContainsAnyExceptInRange('0', '9')) return null;
        return int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id) ? id : null;
    }

    /// <summary>A region named <paramref name="name"/> with the label id parsed from the name.</summary>
    public static Region FromName(string name) => new(name, ParseLabelId(name));

    /// <summary>The column name NiSharp writes for a label without a name: <c>label_44</c>.</summary>
    public static string DefaultName(int labelId) => "label_" + labelId.ToString(CultureInfo.InvariantCulture);
}
