using NiSharp.Confounds;
using NiSharp.Signal;

namespace NiSharp.Maskers;

/// <summary>
/// What goes with one run into a masker's <c>fit_transform</c> besides the image: the confounds, the sample
/// mask and the dummy volumes to skip. All row indices refer to the volumes left after the dummy volumes.
/// </summary>
public sealed record MaskerInputs
{
    /// <summary>Regressors (volumes after dummy removal × k), or null.</summary>
    public SignalMatrix<double>? Confounds { get; init; }

    /// <summary>The regressors' names, for the sidecar.</summary>
    public IReadOnlyList<string>? ConfoundNames { get; init; }

    /// <summary>nilearn's <c>sample_mask</c>: the kept volumes (after dummy removal), or null for all.</summary>
    public IReadOnlyList<int>? SampleMask { get; init; }

    /// <summary>Leading volumes of the image to skip (fMRIPrep's non-steady-state volumes).</summary>
    public int DummyScans { get; init; }

    /// <summary>The selection these came from, reported in the sidecar under <c>confounds</c>.</summary>
    public ConfoundSelection? Selection { get; init; }

    /// <summary>Cleaning plans shared with the run's other users of these inputs (its QC), or null: the extraction plans its
    /// own. Holds plans for these <see cref="Confounds"/> and <see cref="SampleMask"/>, which stay as they are.</summary>
    internal CleanPlanCache? Plans { get; init; }

    /// <summary>No confounds, no censoring, nothing skipped.</summary>
    public static MaskerInputs None { get; } = new();

    /// <summary>The regressors, sample mask and dummy volumes of a confound selection.</summary>
    public static MaskerInputs From(ConfoundSelection? selection) => selection is null
        ? None
        : new MaskerInputs
        {
            Confounds = selection.Columns.Count > 0 ? selection.Regressors : null,
            ConfoundNames = selection.Columns,
            SampleMask = selection.SampleMaskOrNull,
            DummyScans = selection.DummyScans,
            Selection = selection,
        };
}
