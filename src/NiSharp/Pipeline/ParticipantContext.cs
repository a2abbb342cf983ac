using NiSharp.Atlases;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.Maskers;

namespace NiSharp.Pipeline;

/// <summary>What every run of a participant-level invocation shares.</summary>
internal sealed class ParticipantContext
{
    public required RunOptions Options { get; init; }
    public required Provenance Provenance { get; init; }
    public required Atlas Atlas { get; init; }
    public required string AtlasLabel { get; init; }
    /// <summary>The data the atlas was resolved for: <see cref="RunOptions.Space"/> and the voxel size of the reference run.</summary>
    public required AtlasTarget AtlasTarget { get; init; }
    /// <summary>The warning that the atlas is in another space than the runs (said once per invocation), or null.</summary>
    public string? SpaceWarning { get; init; }
    /// <summary>The labels masker's options; each run adds its own brain mask and repetition time.</summary>
    public required LabelsMaskerOptions Masker { get; init; }
    public required ConfoundStrategy Strategy { get; init; }
    public required IReadOnlyList<ConnectivityKind> Kinds { get; init; }

    /// <summary>
    /// The context of validated <paramref name="options"/> for the runs of <paramref name="selection"/>: the atlas resolved
    /// once (for <see cref="RunOptions.Space"/>; a TemplateFlow or dataset atlas at the resolution nearest the voxels of the
    /// first run in that space of the whole input, so that every Slurm task of a dataset picks the same) and loaded, the
    /// parameters hashed.
    /// </summary>
    public static ParticipantContext For(RunOptions options, RunSelection selection)
    {
        var spec = options.AtlasSpec();
        var target = new AtlasTarget(TemplateSpace.Normalize(options.Space), spec.IsTemplateFlow || spec.Datasets.Count > 0 ? ReferenceVoxelSize(options, selection) : null);
        var source = AtlasResolver.Resolve(spec, target);
        if (source.Kind == AtlasKind.Maps)
            throw new NiSharpException(source.Name, "is a probabilistic atlas (probseg): nisharp run extracts label atlases (dseg); extract maps with nisharp extract --atlas");
        var atlas = source.LoadLabels();
        var atlasLabel = DerivativeNames.AtlasLabel(source);
        var masker = options.MaskerOptions(atlas);
        return new ParticipantContext
        {
            Options = options,
            Provenance = new Provenance(options, atlasLabel, masker),
            Atlas = atlas,
            AtlasLabel = atlasLabel,
            AtlasTarget = target,
            SpaceWarning = source.SpaceWarning(target),
            Masker = masker,
            Strategy = options.ConfoundStrategy(),
            Kinds = Provenance.ParticipantKinds(options),
        };
    }

    // The first preprocessed run in the space, over every subject (not only those selected), read for its header alone.
    private static double? ReferenceVoxelSize(RunOptions options, RunSelection selection)
    {
        var first = selection.Layout.GetBoldRuns(space: options.Space).FirstOrDefault() ?? selection.Subjects.SelectMany(s => s.Runs).FirstOrDefault();
        if (first is null) return null;
        using var f = Nifti.NiftiFile.Open(first.Bold.Path);
        return AtlasTarget.MeanVoxelSize(f.Affine);
    }

    /// <summary>A BIDS URI of an input file (<c>bids:preprocessed:sub-X/func/…</c>, resolved through the
    /// <c>DatasetLinks</c> of <c>dataset_description.json</c>).</summary>
    public string SourceUri(string path) => "bids:" + DerivativesDataset.InputLinkName + ":" + Path.GetRelativePath(Options.InputDirectory, path).Replace('\\', '/');

    /// <summary>A BIDS URI of a file of this derivative dataset (<c>bids::sub-X/func/…</c>).</summary>
    public string OutputUri(string path) => "bids::" + Path.GetRelativePath(Options.OutputDirectory, path).Replace('\\', '/');
}
