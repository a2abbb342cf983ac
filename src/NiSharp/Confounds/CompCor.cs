using System.Text.Json;

namespace NiSharp.Confounds;

/// <summary>
/// Which CompCor columns nilearn's <c>load_confounds</c> takes, from the confounds JSON: for each prefix
/// (<c>t</c> temporal, <c>a</c> anatomical, and for separated masks also fMRIPrep ≥ 21's <c>w</c>/<c>c</c>),
/// as many <c>{prefix}_comp_cor_NN</c> names as the JSON has keys with that prefix; anatomical ones are
/// filtered by the JSON's <c>Mask</c> (<c>combined</c>, or <c>WM</c> then <c>CSF</c>) and each list is cut to
/// <c>n_compcor</c>.
/// </summary>
public static class CompCor
{
    /// <summary>The CompCor columns for <paramref name="method"/>, in nilearn's order. When <paramref name="nCompcor"/> asks
    /// for more components than a list has, the list is used as it is (as nilearn does) and <paramref name="warnings"/>
    /// hears how many of how many exist.</summary>
    public static List<string> Columns(IReadOnlyDictionary<string, JsonElement> metadata, CompcorMethod method, int? nCompcor, string jsonPath,
        ICollection<string>? warnings = null)
    {
        var (prefixes, masks) = method switch
        {
            CompcorMethod.AnatCombined => (new[] { "a" }, new[] { "combined" }),
            CompcorMethod.AnatSeparated => (new[] { "a", "w", "c" }, new[] { "WM", "CSF" }),
            CompcorMethod.Temporal => (new[] { "t" }, Array.Empty<string>()),
            CompcorMethod.TemporalAnatCombined => (new[] { "t", "a" }, new[] { "combined" }),
            _ => (new[] { "t", "a", "w", "c" }, new[] { "WM", "CSF" }),
        };
        var result = new List<string>();
        foreach (var prefix in prefixes)
        {
            int count = metadata.Keys.Count(k => k.Contains($"{prefix}_comp_cor", StringComparison.Ordinal));
            var names = Enumerable.Range(0, count).Select(i => $"{prefix}_comp_cor_{i:00}").ToList();
            if (prefix == "a")
            {
                foreach (var mask in masks)
                {
                    var inMask = names.Where(n => MaskOf(metadata, n, jsonPath) == mask).ToList();
                    Short(inMask, $"anatomical CompCor components ({mask} mask)");
                    result.AddRange(Cut(inMask, nCompcor));
                }
            }
            else
            {
                Short(names, prefix == "t" ? "temporal CompCor components" : $"{prefix}CompCor components");
                result.AddRange(Cut(names, nCompcor));
            }
        }
        return result;

        // A list with fewer components than asked for is silently shorter in nilearn: say so.
        void Short(List<string> available, string what)
        {
            if (nCompcor is int k && available.Count < k)
                warnings?.Add($"n_compcor {k}: only {available.Count} of {k} {what} exist in {Path.GetFileName(jsonPath)}" +
                              (available.Count == 0 ? "" : $" ({string.Join(", ", available)}); those are used"));
        }
    }

    private static IEnumerable<string> Cut(List<string> names, int? n) => n is int k && k < names.Count ? names.Take(k) : names;

    private static string? MaskOf(IReadOnlyDictionary<string, JsonElement> metadata, string column, string jsonPath)
    {
        if (!metadata.TryGetValue(column, out var e))
            throw new NiSharpException(jsonPath, $"the confounds JSON numbers CompCor components up to more than it describes: '{column}' is missing");
        return e.ValueKind == JsonValueKind.Object && e.TryGetProperty("Mask", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
    }
}
