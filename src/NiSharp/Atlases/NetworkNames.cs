using NiSharp.IO;

namespace NiSharp.Atlases;

/// <summary>
/// The names of resting-state networks: Yeo 2011's seven as Schaefer 2018 and NiSharp's label tables spell them
/// (<see cref="AtlasCatalog.Yeo7Networks"/>), and the abbreviations papers use for them (DMN, FPN, DAN, VAN, SMN,
/// VIS, LIM…), so that <c>--network DMN</c> finds the <c>Default</c> regions.
/// </summary>
public static class NetworkNames
{
    /// <summary>Usual abbreviations and names → the Yeo 7-network name (case-insensitive keys).</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["DMN"] = "Default", ["DN"] = "Default", ["DEF"] = "Default", ["DefaultMode"] = "Default", ["Default-mode"] = "Default",
        ["FPN"] = "Cont", ["FPCN"] = "Cont", ["FP"] = "Cont", ["CN"] = "Cont", ["ECN"] = "Cont", ["Control"] = "Cont",
        ["Frontoparietal"] = "Cont", ["FrontoParietalControl"] = "Cont",
        ["DAN"] = "DorsAttn", ["DA"] = "DorsAttn", ["DorsalAttention"] = "DorsAttn",
        ["VAN"] = "SalVentAttn", ["SAL"] = "SalVentAttn", ["SN"] = "SalVentAttn", ["Salience"] = "SalVentAttn",
        ["VentralAttention"] = "SalVentAttn", ["SalVAttn"] = "SalVentAttn",
        ["SMN"] = "SomMot", ["SM"] = "SomMot", ["SMOT"] = "SomMot", ["MOT"] = "SomMot", ["Somatomotor"] = "SomMot", ["Sensorimotor"] = "SomMot",
        ["VIS"] = "Vis", ["VN"] = "Vis", ["Visual"] = "Vis",
        ["LIM"] = "Limbic", ["LN"] = "Limbic",
    };

    /// <summary>The abbreviations a message lists (one per network).</summary>
    public const string CommonAbbreviations = "DMN = Default, FPN = Cont, DAN = DorsAttn, VAN = SalVentAttn, SMN = SomMot, VIS = Vis, LIM = Limbic";

    /// <summary>The Yeo name an abbreviation stands for, or <paramref name="name"/> itself.</summary>
    public static string Canonical(string name) => Aliases.TryGetValue(name.Trim(), out var yeo) ? yeo : name.Trim();

    /// <summary>
    /// The network of <paramref name="available"/> that <paramref name="requested"/> names: itself (any case), else the Yeo
    /// network its abbreviation stands for; null when neither is there.
    /// </summary>
    public static string? Resolve(string requested, IEnumerable<string> available)
    {
        var names = available.ToList();
        var r = requested.Trim();
        return names.FirstOrDefault(n => string.Equals(n, r, StringComparison.OrdinalIgnoreCase))
               ?? names.FirstOrDefault(n => string.Equals(n, Canonical(r), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Why <paramref name="requested"/> names none of <paramref name="available"/>: the networks there are, the
    /// abbreviations understood, and the nearest spelling.</summary>
    public static string Unknown(string requested, IReadOnlyCollection<string> available) =>
        $"not among the regions' networks{NearestNames.DidYouMean(requested.Trim(), available)}: " +
        $"{string.Join(", ", available)} (abbreviations: {CommonAbbreviations})";
}
