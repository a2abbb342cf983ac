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
    /// <summary>The labels masker's options; each run adds its own brain mask and repetition time.</summary>
    public required LabelsMaskerOptions Masker { get; init; }
    public required ConfoundStrategy Strategy { get; init; }
    public required IReadOnlyList<ConnectivityKind> Kinds { get; init; }

    /// <summary>The context of validated <paramref name="options"/>: the atlas loaded, the parameters hashed.</summary>
    public static ParticipantContext For(RunOptions options)
    {
        var atlas = Atlas.Load(options.Atlas, options.AtlasLabels);
        var atlasLabel = DerivativeNames.AtlasLabel(options.Atlas);
        var masker = options.MaskerOptions(atlas);
        return new ParticipantContext
        {
            Options = options,
            Provenance = new Provenance(options, atlasLabel, masker),
            Atlas = atlas,
            AtlasLabel = atlasLabel,
            Masker = masker,
            Strategy = options.ConfoundStrategy(),
            Kinds = Provenance.ParticipantKinds(options),
        };
    }

    /// <summary>A BIDS URI of an input file (<c>bids:preprocessed:sub-X/func/…</c>, resolved through the
    /// <c>DatasetLinks</c> of <c>dataset_description.json</c>).</summary>
    public string SourceUri(string path) => "bids:" + DerivativesDataset.InputLinkName + ":" + Path.GetRelativePath(Options.InputDirectory, path).Replace('\\', '/');

    /// <summary>A BIDS URI of a file of this derivative dataset (<c>bids::sub-X/func/…</c>).</summary>
    public string OutputUri(string path) => "bids::" + Path.GetRelativePath(Options.OutputDirectory, path).Replace('\\', '/');
}
