namespace NiSharp.Atlases;

/// <summary>
/// nilearn's <c>datasets.fetch_atlas_yeo_2011()</c> from the bundled files (nothing is downloaded): the four
/// Yeo 2011 parcellations under nilearn's keys (<c>thin_7</c>, <c>thick_7</c>, <c>thin_17</c>, <c>thick_17</c>),
/// each an <see cref="Atlas"/> with the Yeo colour table and network names, loaded on first use.
/// </summary>
public sealed class Yeo2011Atlases
{
    private static readonly IReadOnlyDictionary<string, string> Bundled = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["thin_7"] = "yeo7",
        ["thick_7"] = "yeo7-thick",
        ["thin_17"] = "yeo17",
        ["thick_17"] = "yeo17-thick",
    };

    private readonly Dictionary<string, Lazy<Atlas>> _atlases = Bundled.ToDictionary(
        kv => kv.Key, kv => new Lazy<Atlas>(() => Atlas.Load(kv.Value)), StringComparer.Ordinal);

    /// <summary>The keys, in nilearn's order.</summary>
    public IReadOnlyList<string> Keys { get; } = ["thin_7", "thick_7", "thin_17", "thick_17"];

    /// <summary>The atlas under a nilearn key; fails naming the keys for another one.</summary>
    public Atlas this[string key] => _atlases.TryGetValue(key, out var a)
        ? a.Value
        : throw new NiSharpException($"no Yeo 2011 atlas '{key}' (keys: {string.Join(", ", Keys)})");

    /// <summary>7 networks, thin (cortical ribbon).</summary>
    public Atlas Thin7 => this["thin_7"];

    /// <summary>7 networks, thick (liberal mask): the lesson's choice.</summary>
    public Atlas Thick7 => this["thick_7"];

    /// <summary>17 networks, thin.</summary>
    public Atlas Thin17 => this["thin_17"];

    /// <summary>17 networks, thick.</summary>
    public Atlas Thick17 => this["thick_17"];
}
