using System.Text.Json.Nodes;
using NiSharp.Confounds;
using NiSharp.Maskers;
using NiSharp.Qc;
using NiSharp.Signal;

namespace NiSharp.Pipeline;

/// <summary>
/// The motion QC of one run at the participant level (<see cref="RunQc"/>): measured from what the run's analysis
/// already has — the confounds, the selection, the raw region means and voxel statistics recorded during the masker's
/// pass — and written as <c>…_desc-qc_motion.tsv</c> + JSON beside the run's other outputs.
/// </summary>
internal static class RunQcStep
{
    /// <summary>Measures the run.</summary>
    public static RunQc Measure(FmriprepConfounds table, ConfoundSelection selection, CleanOptions clean, RawRegionSignals raw,
        TemporalSnr snr, IReadOnlyList<RegionCoverage> coverage, CleanPlanCache? plans = null)
    {
        var (mean, median, _) = snr.Result();
        return RunQc.Measure(new RunQcInputs
        {
            FramewiseDisplacement = FramewiseDisplacement(table, selection.DummyScans),
            Selection = selection,
            Clean = clean,
            Raw = raw,
            TemporalSnr = (mean, median),
            Coverage = coverage,
            Plans = plans,
        });
    }

    /// <summary>fMRIPrep's framewise displacement after the dummy volumes, or null when the file has none.</summary>
    public static double[]? FramewiseDisplacement(FmriprepConfounds table, int dummy) =>
        table.Has("framewise_displacement") ? table.Column("framewise_displacement")[dummy..] : null;

    /// <summary>The sidecar entries every motion QC table has.</summary>
    public static JsonObject Sidecar(string? strategy, IReadOnlyList<string> sources) => new()
    {
        ["Description"] = "Motion quality control of one BOLD run: framewise displacement, censoring, parcel DVARS before and after cleaning, temporal SNR, temporal degrees of freedom used, atlas coverage",
        ["Sources"] = new JsonArray(sources.Select(s => (JsonNode?)s).ToArray()),
        ["ConfoundStrategy"] = strategy,
        ["TemporalDegreesOfFreedom"] = "regressors + censored volumes + filter, where filter = 2·N·TR·(removed bandwidth in Hz not already removed by the discrete cosine regressors) for N volumes (Parkes et al. 2018; Wang et al. 2024 count regressors and censored volumes)",
        ["Dvars"] = "over atlas regions instead of voxels, in % of each region's mean raw signal",
    };
}
