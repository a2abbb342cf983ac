using NiSharp.Atlases;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.Maskers;

namespace NiSharp.Pipeline;

/// <summary>What every run of a participant-level invocation shares, for one of its atlases (<see cref="ForEach"/>: one per atlas).</summary>
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
    /// <summary>The grayordinate atlas of a run on fsLR grayordinates (<see cref="RunOptions.OnGrayordinates"/>), else null;
    /// <see cref="Atlas"/> then stands for its keys and labels.</summary>
    public GrayordinateAtlas? Grayordinates { get; init; }

    /// <summary>
    /// The context of validated <paramref name="options"/> with one atlas (<see cref="RunOptions.Atlases"/> holds one; the
    /// denoising benchmark's): see <see cref="ForEach"/>.
    /// </summary>
    public static ParticipantContext For(RunOptions options, RunSelection selection)
    {
        if (options.Atlases.Count != 1) throw new InvalidOperationException($"one atlas expected, got {options.Atlases.Count}");
        return ForEach(options, selection)[0];
    }

    /// <summary>
    /// One context per atlas of validated <paramref name="options"/> for the runs of <paramref name="selection"/>, in the
    /// order given: each atlas resolved once (for <see cref="RunOptions.Space"/>; a TemplateFlow or dataset atlas at the
    /// resolution nearest the voxels of the first run in that space of the whole input, so that every Slurm task of a
    /// dataset picks the same) and loaded, its parameters hashed on their own — an atlas's outputs are the same whether it
    /// runs alone or beside others. Fails naming the atlas that cannot be used, or two atlases with one <c>atlas-</c> label.
    /// </summary>
    public static IReadOnlyList<ParticipantContext> ForEach(RunOptions options, RunSelection selection)
    {
        var specs = options.Atlases.Select(options.AtlasSpec).ToList();
        var target = new AtlasTarget(TemplateSpace.Normalize(options.Space),
            !options.OnGrayordinates && specs.Any(s => s.IsTemplateFlow || s.Datasets.Count > 0) ? ReferenceVoxelSize(options, selection) : null);
        var grid = options.OnGrayordinates ? null : FirstGrid(selection);
        var contexts = new List<ParticipantContext>();
        var labelsSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var source = AtlasResolver.Resolve(spec, target);
            if (source.Kind == AtlasKind.Maps)
                throw new NiSharpException(source.Name, "is a probabilistic atlas (probseg): nisharp run extracts label atlases (dseg); extract maps with nisharp extract --atlas");
            var atlasLabel = DerivativeNames.AtlasLabel(source);
            if (labelsSeen.TryGetValue(atlasLabel, out var other))
                throw NiSharpException.InParameter("atlas", $": '{other}' and '{spec.Atlas}' both have the label atlas-{atlasLabel}; give each atlas once");
            labelsSeen[atlasLabel] = spec.Atlas;
            var grayordinates = GrayordinateRunAnalysis.LoadAtlas(options, source);
            var atlas = grayordinates is null ? source.LoadLabels() : Atlas.OfGrayordinates(grayordinates, source);
            // The parameters hash names the labels, which a cold atlas knows (and checks) once its voxels are read: read
            // them by its fit on the first run's grid — what that run's fit, and every other run on that grid, then takes
            // from memory (Atlas.LabelsOn) — rather than by a count of their own and again by the fit.
            if (grayordinates is null && grid is not null) atlas.LabelsOn(grid);
            var masker = options.MaskerOptions(atlas);
            contexts.Add(new ParticipantContext
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
                Grayordinates = grayordinates,
            });
        }
        return contexts;
    }

    /// <summary>The parameters hash of the whole atlas set (<see cref="Provenance.SetHash"/>): what a subject's status and
    /// log, and a Slurm submission, record.</summary>
    public static string ParametersHash(IReadOnlyList<ParticipantContext> contexts) =>
        Provenance.SetHash(contexts.Select(c => c.Provenance.ParametersHash).ToList());

    // The data grid of the first selected run (its header), or null when there is none or it cannot be read (that run's
    // subject then fails with the reason; the atlas is counted on its own).
    private static Imaging.Grid? FirstGrid(RunSelection selection)
    {
        var first = selection.Subjects.SelectMany(s => s.Runs).FirstOrDefault();
        if (first is null) return null;
        try { return Imaging.Grid.Of(first.Bold.Path); }
        catch (NiSharpException) { return null; }
    }

    // The first preprocessed run in the space, over every subject (not only those selected), read for its header alone.
    private static double? ReferenceVoxelSize(RunOptions options, RunSelection selection)
    {
        var first = selection.WholeLayout.GetBoldRuns(space: options.Space).FirstOrDefault() ?? selection.Subjects.SelectMany(s => s.Runs).FirstOrDefault();
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
