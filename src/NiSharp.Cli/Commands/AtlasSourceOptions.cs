using System.CommandLine;
using NiSharp.Atlases;

namespace NiSharp.Cli.Commands;

/// <summary>
/// The flags that say where an atlas is looked for, shared by extract, run and atlases: <c>--atlas-space</c>,
/// <c>--atlas-dataset DIR</c> (repeatable) and <c>--templateflow-home DIR</c>. The library resolves
/// (<see cref="AtlasResolver"/>); these only carry the strings.
/// </summary>
internal sealed class AtlasSourceOptions
{
    public Option<string?> AtlasSpace { get; } = new("--atlas-space")
    {
        Description = "Template space of the atlas (e.g. MNI152NLin6Asym) when its file name has no space- entity; for templateflow: and dataset atlases, " +
                      "the space to take it from when not the BOLD's (it is then resampled onto the BOLD, with a warning)",
    };

    public Option<string[]> Datasets { get; } = new("--atlas-dataset")
    {
        Arity = ArgumentArity.OneOrMore,
        Description = "BIDS-Atlas dataset (XCP-D's --datasets): --atlas NAME[:DESC] is then DIR/atlas-NAME/atlas-NAME_space-SPACE[_res-R][_desc-D]_dseg.nii.gz " +
                      "with atlas-NAME_dseg.tsv; repeat for several",
    };

    public Option<string?> TemplateFlowHome { get; } = new("--templateflow-home")
    {
        Description = "TemplateFlow home searched for --atlas templateflow:ATLAS[:DESC] (default: $TEMPLATEFLOW_HOME, else ~/.cache/templateflow); never downloads",
    };

    /// <summary>Adds the flags to <paramref name="cmd"/> (<paramref name="withSpace"/>: <c>--atlas-space</c> too).</summary>
    public void AddTo(Command cmd, bool withSpace = true)
    {
        if (withSpace) cmd.Options.Add(AtlasSpace);
        cmd.Options.Add(Datasets);
        cmd.Options.Add(TemplateFlowHome);
    }

    /// <summary>The atlas request of <paramref name="atlas"/> (and <paramref name="labels"/>) with these flags.</summary>
    public AtlasSpec Spec(ParseResult p, string atlas, string? labels) => new()
    {
        Atlas = atlas,
        Labels = labels,
        Space = p.GetValue(AtlasSpace),
        Datasets = p.GetValue(Datasets) ?? [],
        TemplateFlowHome = p.GetValue(TemplateFlowHome),
    };
}
