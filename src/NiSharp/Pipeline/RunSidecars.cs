using System.Text.Json.Nodes;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.Maskers;

namespace NiSharp.Pipeline;

/// <summary>
/// The JSON sidecars of one run's participant outputs — time series, connectivity matrices, motion QC — built in one
/// place: what each records about itself, and what all record (their sources, the parameters and inputs hashes that
/// mark them current, <c>GeneratedBy</c>). Every key is set once: none is written by one step and replaced by another.
/// </summary>
internal sealed class RunSidecars(ParticipantContext ctx, string[] sources, string inputsHash)
{
    private const string Command = "nisharp run participant";

    /// <summary>
    /// The masker's parameters as the time series record them (<see cref="RegionSignals.Write"/>): its own, with the
    /// masker described as the outputs name it (<see cref="Provenance.MaskerParameters"/>: the atlas by name, the run's
    /// brain mask) rather than where its files lie on this machine.
    /// </summary>
    public Dictionary<string, object?> TimeSeriesParameters(RegionSignals region) =>
        ctx.Grayordinates is not null ? new(region.Parameters, StringComparer.Ordinal) // the grayordinate masker names its atlas itself
        : new(region.Parameters, StringComparer.Ordinal)
        {
            ["masker"] = Provenance.MaskerParameters((IReadOnlyDictionary<string, object?>)region.Parameters["masker"]!, ctx.Atlas),
        };

    /// <summary>The keys the time series' sidecar adds to the masker's own (<see cref="RegionSignals.SidecarContent"/>).</summary>
    public Dictionary<string, object?> TimeSeries(ConfoundSelection selection, JsonObject atlas) => new(StringComparer.Ordinal)
    {
        ["Description"] = ctx.Grayordinates is null
            ? "Mean BOLD signal of each atlas region after confound cleaning (nilearn NiftiLabelsMasker semantics), one row per kept volume; n/a columns are regions without voxels in the brain mask"
            : "Mean BOLD signal of each parcel of the grayordinate atlas (wb_command -cifti-parcellate semantics) after confound cleaning, one row per kept time point; n/a columns are parcels without grayordinates in the data; the same signals are in the .ptseries.nii beside this file",
        ["Sources"] = sources,
        ["Atlas"] = atlas,
        ["SelectedConfounds"] = selection.Columns.ToArray(),
        ["DummyVolumes"] = selection.DummyScans,
        ["Parameters"] = ctx.Provenance.Parameters,
        [Provenance.ParametersHashKey] = ctx.Provenance.ParametersHash,
        [Provenance.InputsHashKey] = inputsHash,
        ["GeneratedBy"] = Provenance.GeneratedBy(Command),
    };

    /// <summary>The sidecar of one connectivity matrix: the estimator's parameters, the regions left out, the time
    /// series it was computed from, and each region's network.</summary>
    public JsonObject Connectivity(ConnectivityKind kind, ConnectivityMatrix m, RegionSignals region, int[] empty, string timeSeriesUri)
    {
        var networkOf = region.Regions.ToDictionary(r => r.Id, r => r.Network);
        var meta = Provenance.Connectivity(kind).ToParameters();
        meta["EmptyRegions"] = new JsonArray(empty.Select(v => (JsonNode?)v).ToArray());
        meta["Description"] = $"{kind.NilearnName()} between the atlas regions' cleaned signals";
        meta["Sources"] = new JsonArray(timeSeriesUri);
        meta["TimePoints"] = region.Timepoints;
        Stamp(meta);
        meta[ConnectivityMatrix.RegionNetworksKey] = new JsonArray(m.Regions
            .Select(r => (JsonNode?)JsonValue.Create(r.LabelId is int id && networkOf.TryGetValue(id, out var net) ? net : null)).ToArray());
        return meta;
    }

    /// <summary>The sidecar of the motion QC table (<see cref="RunQcStep.Sidecar"/>, then the hashes).</summary>
    public JsonObject MotionQc()
    {
        var meta = RunQcStep.Sidecar(ctx.Strategy.Name, sources);
        Stamp(meta);
        return meta;
    }

    // What marks an output as made by these parameters from these inputs (RunAnalysis.IsComplete reads it back).
    private void Stamp(JsonObject meta)
    {
        meta[Provenance.ParametersHashKey] = ctx.Provenance.ParametersHash;
        meta[Provenance.InputsHashKey] = inputsHash;
        meta["GeneratedBy"] = Provenance.GeneratedBy(Command);
    }
}
