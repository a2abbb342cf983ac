using System.Text.RegularExpressions;

namespace NiSharp.Confounds;

/// <summary>The three generations of fMRIPrep confounds files.</summary>
public enum FmriprepNaming
{
    /// <summary>fMRIPrep ≤ 1.1: CamelCase headers (<c>X Y Z RotX … WhiteMatter GlobalSignal CSF stdDVARS
    /// FramewiseDisplacement aCompCor00 tCompCor00 Cosine00 NonSteadyStateOutlier00</c>), no JSON.</summary>
    CamelCase,
    /// <summary>fMRIPrep 1.2 – 20: snake_case, <c>*_desc-confounds_regressors.tsv</c>.</summary>
    Regressors,
    /// <summary>fMRIPrep ≥ 21 (20.2): snake_case, <c>*_desc-confounds_timeseries.tsv</c>.</summary>
    Timeseries,
}

/// <summary>
/// fMRIPrep's confound column names across versions. Old names are mapped to the current ones so that
/// users, selections and outputs only ever see current names.
/// </summary>
public static partial class ConfoundNames
{
    /// <summary>The six rigid-body motion parameters, current names, in fMRIPrep's order.</summary>
    public static IReadOnlyList<string> Motion { get; } = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"];

    private static readonly Dictionary<string, string> Exact = new(StringComparer.Ordinal)
    {
        ["X"] = "trans_x", ["Y"] = "trans_y", ["Z"] = "trans_z",
        ["RotX"] = "rot_x", ["RotY"] = "rot_y", ["RotZ"] = "rot_z",
        ["CSF"] = "csf", ["WhiteMatter"] = "white_matter", ["GlobalSignal"] = "global_signal",
        ["stdDVARS"] = "std_dvars", ["non-stdDVARS"] = "dvars",
        ["FramewiseDisplacement"] = "framewise_displacement",
    };

    [GeneratedRegex(@"^(aCompCor|tCompCor|Cosine|cosine_|NonSteadyStateOutlier|AROMAAggrComp|MotionOutlier)(\d+)$")]
    private static partial Regex Numbered();

    /// <summary>The current name of <paramref name="name"/> (itself when it is current or unknown).</summary>
    public static string ToCurrent(string name)
    {
        if (Exact.TryGetValue(name, out var current)) return current;
        var m = Numbered().Match(name);
        if (!m.Success) return name;
        string n = m.Groups[2].Value;
        return m.Groups[1].Value switch
        {
            "aCompCor" => $"a_comp_cor_{n}",
            "tCompCor" => $"t_comp_cor_{n}",
            "Cosine" or "cosine_" => $"cosine{n}",
            "NonSteadyStateOutlier" => $"non_steady_state_outlier{n}",
            "AROMAAggrComp" => $"aroma_motion_{n}",
            _ => $"motion_outlier{n}",
        };
    }

    /// <summary>Whether <paramref name="name"/> is an fMRIPrep ≤ 1.1 (CamelCase) name.</summary>
    public static bool IsLegacy(string name) =>
        Exact.ContainsKey(name) || (Numbered().Match(name) is { Success: true } m && m.Groups[1].Value != "cosine_");

    /// <summary>The generation of a confounds file from its name and header.</summary>
    public static FmriprepNaming DetectNaming(string path, IEnumerable<string> columns)
    {
        if (columns.Any(IsLegacy)) return FmriprepNaming.CamelCase;
        return Path.GetFileName(path).Contains("_regressors", StringComparison.Ordinal) ? FmriprepNaming.Regressors : FmriprepNaming.Timeseries;
    }

    /// <summary>Up to <paramref name="max"/> names from <paramref name="candidates"/> closest to
    /// <paramref name="name"/>, for "did you mean" messages (<see cref="IO.NearestNames.Closest"/>).</summary>
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int max = 3) => IO.NearestNames.Closest(name, candidates, max);

    /// <summary>"missing 'x' (closest: a, b)" for error messages.</summary>
    internal static string DescribeMissing(string name, IEnumerable<string> present)
    {
        var close = Closest(name, present);
        return close.Count == 0 ? $"'{name}'" : $"'{name}' (closest: {string.Join(", ", close)})";
    }
}
