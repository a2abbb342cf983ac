namespace NiSharp.Cifti;

/// <summary>
/// The brain structures a CIFTI-2 brain model or parcel can name: the fixed list of the CIFTI-2 standard
/// (<c>CIFTI_STRUCTURE_CORTEX_LEFT</c>, …), which Workbench and nibabel check against. A name outside it is an error,
/// not a new structure: grayordinates are matched by structure, and a misspelt one would match nothing.
/// </summary>
public static class CiftiStructures
{
    /// <summary>The prefix every standard name has.</summary>
    public const string Prefix = "CIFTI_STRUCTURE_";

    /// <summary>Every standard structure name, in the standard's (alphabetical) order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "CIFTI_STRUCTURE_ACCUMBENS_LEFT", "CIFTI_STRUCTURE_ACCUMBENS_RIGHT", "CIFTI_STRUCTURE_ALL_WHITE_MATTER",
        "CIFTI_STRUCTURE_ALL_GREY_MATTER", "CIFTI_STRUCTURE_AMYGDALA_LEFT", "CIFTI_STRUCTURE_AMYGDALA_RIGHT",
        "CIFTI_STRUCTURE_BRAIN_STEM", "CIFTI_STRUCTURE_CAUDATE_LEFT", "CIFTI_STRUCTURE_CAUDATE_RIGHT",
        "CIFTI_STRUCTURE_CEREBELLAR_WHITE_MATTER_LEFT", "CIFTI_STRUCTURE_CEREBELLAR_WHITE_MATTER_RIGHT",
        "CIFTI_STRUCTURE_CEREBELLUM", "CIFTI_STRUCTURE_CEREBELLUM_LEFT", "CIFTI_STRUCTURE_CEREBELLUM_RIGHT",
        "CIFTI_STRUCTURE_CEREBRAL_WHITE_MATTER_LEFT", "CIFTI_STRUCTURE_CEREBRAL_WHITE_MATTER_RIGHT", "CIFTI_STRUCTURE_CORTEX",
        "CIFTI_STRUCTURE_CORTEX_LEFT", "CIFTI_STRUCTURE_CORTEX_RIGHT", "CIFTI_STRUCTURE_DIENCEPHALON_VENTRAL_LEFT",
        "CIFTI_STRUCTURE_DIENCEPHALON_VENTRAL_RIGHT", "CIFTI_STRUCTURE_HIPPOCAMPUS_LEFT", "CIFTI_STRUCTURE_HIPPOCAMPUS_RIGHT",
        "CIFTI_STRUCTURE_OTHER", "CIFTI_STRUCTURE_OTHER_GREY_MATTER", "CIFTI_STRUCTURE_OTHER_WHITE_MATTER",
        "CIFTI_STRUCTURE_PALLIDUM_LEFT", "CIFTI_STRUCTURE_PALLIDUM_RIGHT", "CIFTI_STRUCTURE_PUTAMEN_LEFT",
        "CIFTI_STRUCTURE_PUTAMEN_RIGHT", "CIFTI_STRUCTURE_THALAMUS_LEFT", "CIFTI_STRUCTURE_THALAMUS_RIGHT",
    ];

    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> is a standard structure name (exact spelling, as Workbench requires).</summary>
    public static bool IsKnown(string name) => Known.Contains(name);

    /// <summary>The name without the prefix, as people say it: <c>CORTEX_LEFT</c>.</summary>
    public static string ShortName(string name) => name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;
}
