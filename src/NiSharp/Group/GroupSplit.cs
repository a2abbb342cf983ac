using System.Text.RegularExpressions;
using NiSharp.IO;

namespace NiSharp.Group;

/// <summary>Subject ids as BIDS writes them (<c>sub-10159</c>) and as users type them (<c>10159</c>).</summary>
public static partial class SubjectIds
{
    /// <summary>The id without a leading <c>sub-</c>.</summary>
    public static string Normalize(string id)
    {
        return Bids.SubjectLabel.Strip(id.Trim());
    }

    /// <summary>
    /// The subject of a file: the BIDS <c>sub-&lt;label&gt;</c> entity of its name, or else the part of
    /// the name before the first <c>_</c> (so <c>10159_relmat.tsv</c> → <c>10159</c>).
    /// </summary>
    public static string FromPath(string path)
    {
        var name = Path.GetFileName(path);
        if (Bids.SubjectLabel.FromFileName(name) is string label) return label;
        int us = name.IndexOf('_');
        var stem = us > 0 ? name[..us] : Path.GetFileNameWithoutExtension(name);
        return Normalize(stem);
    }
}

/// <summary>
/// Which of two groups each subject belongs to (0 = first, 1 = second, −1 = neither, left out).
/// </summary>
/// <param name="Group1">Name of the first group (its mean comes first in differences).</param>
/// <param name="Group2">Name of the second group.</param>
/// <param name="Membership">Per subject, 0, 1 or −1.</param>
public sealed record GroupSplit(string Group1, string Group2, IReadOnlyList<int> Membership)
{
    /// <summary>Subjects in the first group.</summary>
    public int Count1 => Membership.Count(m => m == 0);

    /// <summary>Subjects in the second group.</summary>
    public int Count2 => Membership.Count(m => m == 1);

    /// <summary>
    /// Groups from a participants table (BIDS <c>participants.tsv</c>): subject s is in group 1 when
    /// its <paramref name="column"/> value equals <paramref name="group1"/>, in group 2 when it equals
    /// <paramref name="group2"/>, left out otherwise. Ids match with or without <c>sub-</c>.
    /// </summary>
    /// <param name="participants">The table; it needs a <c>participant_id</c> column.</param>
    /// <param name="column">The grouping column, e.g. <c>diagnosis</c>.</param>
    /// <param name="group1">Value of the first group, e.g. <c>CONTROL</c>.</param>
    /// <param name="group2">Value of the second group, e.g. <c>SCHZ</c>.</param>
    /// <param name="subjectIds">The subjects to place.</param>
    /// <param name="sources">Per subject, the file it came from (for error messages).</param>
    /// <exception cref="NiSharpException">No <c>participant_id</c> or grouping column, a value that
    /// appears nowhere in the column, a subject missing from the table or listed twice.</exception>
    public static GroupSplit FromParticipants(TsvTable participants, string column, string group1, string group2,
        IReadOnlyList<string> subjectIds, IReadOnlyList<string>? sources = null)
    {
        var file = participants.SourcePath ?? "participants table";
        int idCol = participants.IndexOf("participant_id");
        if (idCol < 0) throw new NiSharpException(file, "no 'participant_id' column");
        int gCol = participants.IndexOf(column);
        if (gCol < 0) throw new NiSharpException(file, $"no column '{column}'; columns are {string.Join(", ", participants.Columns)}");
        var valueOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in participants.Rows)
        {
            var id = SubjectIds.Normalize(row[idCol]);
            if (!valueOf.TryAdd(id, row[gCol].Trim()))
                throw new NiSharpException(file, $"participant '{row[idCol]}' is listed twice");
        }
        var values = valueOf.Values.ToHashSet(StringComparer.Ordinal);
        foreach (var g in new[] { group1, group2 })
            if (!values.Contains(g))
                throw new NiSharpException(file, $"no participant has {column} = '{g}'; values are {string.Join(", ", values.Order(StringComparer.Ordinal))}");
        if (group1 == group2) throw new NiSharpException($"the two groups are the same ('{group1}')");
        var membership = new int[subjectIds.Count];
        for (int s = 0; s < subjectIds.Count; s++)
        {
            var id = SubjectIds.Normalize(subjectIds[s]);
            if (!valueOf.TryGetValue(id, out var v))
                throw new NiSharpException(sources is not null ? sources[s] : id, $"subject '{id}' is not in {file}");
            membership[s] = v == group1 ? 0 : v == group2 ? 1 : -1;
        }
        return new GroupSplit(group1, group2, membership);
    }

    /// <summary>
    /// Groups from an id rule, as the lesson does (<c>sub.startswith('1')</c> → control,
    /// <c>'5'</c> → schizophrenia): each pattern is a glob on the id without <c>sub-</c>
    /// (<c>*</c> any text, <c>?</c> one character), e.g. <c>1*</c> and <c>5*</c>. A subject matching
    /// both patterns is an error; matching neither leaves it out.
    /// </summary>
    public static GroupSplit FromIdPatterns(string pattern1, string pattern2, IReadOnlyList<string> subjectIds, IReadOnlyList<string>? sources = null)
    {
        var r1 = Glob(pattern1);
        var r2 = Glob(pattern2);
        var membership = new int[subjectIds.Count];
        for (int s = 0; s < subjectIds.Count; s++)
        {
            var id = SubjectIds.Normalize(subjectIds[s]);
            bool a = r1.IsMatch(id), b = r2.IsMatch(id);
            if (a && b) throw new NiSharpException(sources is not null ? sources[s] : id, $"subject '{id}' matches both '{pattern1}' and '{pattern2}'");
            membership[s] = a ? 0 : b ? 1 : -1;
        }
        return new GroupSplit(pattern1, pattern2, membership);
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(SubjectIds.Normalize(pattern)).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant);
}
