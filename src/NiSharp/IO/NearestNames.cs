namespace NiSharp.IO;

/// <summary>
/// "Did you mean …?": the names closest to a misspelt one (Levenshtein distance, names sharing a prefix first), for
/// the messages that refuse an unknown confound column, atlas, network or command-line flag.
/// </summary>
public static class NearestNames
{
    /// <summary>Up to <paramref name="max"/> names from <paramref name="candidates"/> closest to <paramref name="name"/>:
    /// within an edit distance of half its length (at least 3), a shared prefix counting as 2 edits fewer.</summary>
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int max = 3)
    {
        int limit = Math.Max(3, name.Length / 2);
        bool Prefix(string c) => c.StartsWith(name, StringComparison.Ordinal) || name.StartsWith(c, StringComparison.Ordinal);
        // The edit distance is at least the length difference: most names of a wide file are ruled out unmeasured.
        return candidates
            .Where(c => Prefix(c) || Math.Abs(c.Length - name.Length) <= limit)
            .Select(c => (c, d: Distance(name, c) - (Prefix(c) ? 2 : 0)))
            .Where(x => x.d <= limit)
            .OrderBy(x => x.d).ThenBy(x => x.c, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.c)
            .ToList();
    }

    /// <summary><c>" (did you mean X?)"</c> for the closest candidate, or an empty string when none is close.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates) =>
        Closest(name, candidates, 1) is [var best] ? $" (did you mean {best}?)" : "";

    /// <summary>The Levenshtein distance (insertions, deletions, substitutions).</summary>
    public static int Distance(string a, string b)
    {
        Span<int> prev = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        Span<int> cur = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            var t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.Length];
    }
}
