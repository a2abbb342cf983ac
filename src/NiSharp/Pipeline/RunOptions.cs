using System.Globalization;
using NiSharp.Atlases;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.Maskers;
using NiSharp.Signal;
using NiSharp.Bids;

namespace NiSharp.Pipeline;

/// <summary>The BIDS-App analysis level.</summary>
public enum AnalysisLevel
{
    /// <summary>Per subject: region signals, cleaning, connectivity.</summary>
    Participant,
    /// <summary>Across subjects: the group comparison of the participant outputs.</summary>
    Group,
}

/// <summary>
/// The parameters of <c>nisharp run FMRIPREP_DIR OUTPUT_DIR participant|group</c>, with the lesson's analysis as
/// defaults: relabelled Yeo atlas, <c>yeo2011</c> confounds, dummy volumes from fMRIPrep's non-steady-state
/// outliers, linear detrend, Butterworth band-pass 0.009–0.08 Hz, <c>zscore_sample</c> (<see cref="Clean"/>), correlation; group
/// comparison of <c>diagnosis</c> CONTROL vs SCHZ over the DMN's intra-network edges. <see cref="Validate"/>
/// applies the BIDS-Apps rules.
/// </summary>
public sealed record RunOptions
{
    /// <summary>The fMRIPrep derivatives folder (BIDS-Apps' first argument).</summary>
    public required string InputDirectory { get; init; }

    /// <summary>Where outputs go (BIDS-Apps' second argument).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The analysis level.</summary>
    public AnalysisLevel Level { get; init; } = AnalysisLevel.Participant;

    /// <summary>Subjects to process, without <c>sub-</c> (empty: all subjects of the input).</summary>
    public IReadOnlyList<string> ParticipantLabels { get; init; } = [];

    /// <summary>Task to process (null: every task).</summary>
    public string? Task { get; init; }

    /// <summary>Template space of the BOLD runs.</summary>
    public string Space { get; init; } = "MNI152NLin2009cAsym";

    /// <summary>Whether the runs are grayordinates: <see cref="Space"/> is <c>fsLR</c>, fMRIPrep's CIFTI output
    /// (<c>*_space-fsLR_den-91k_bold.dtseries.nii</c>), parcellated with a grayordinate atlas.</summary>
    public bool OnGrayordinates => TemplateSpace.Same(Space, TemplateSpace.FsLR);

    /// <summary>The grayordinate density <c>--space fsLR</c> reads (fMRIPrep's <c>--cifti-output 91k</c>).</summary>
    public const string GrayordinateDensity = "91k";

    /// <summary>The atlas of a run in <paramref name="space"/> when none is given: <c>conte69-composite</c> on fsLR
    /// grayordinates, else <c>yeo7-relabeled</c>.</summary>
    public static string DefaultAtlas(string space) =>
        TemplateSpace.Same(space, TemplateSpace.FsLR) ? "conte69-composite" : "yeo7-relabeled";

    /// <summary>The atlases (each an <see cref="AtlasSpec.Atlas"/>): bundled names, label image files, <c>templateflow:ATLAS[:DESC]</c>
    /// (found for <see cref="Space"/> in the TemplateFlow home), or the <c>NAME[:DESC]</c> of an atlas in <see cref="AtlasDatasets"/>.
    /// Several atlases share one read of each BOLD file and give one complete set of outputs each, told apart by their
    /// <c>atlas-</c> entity (volume runs; a grayordinate run takes one).</summary>
    public IReadOnlyList<string> Atlases { get; init; } = ["yeo7-relabeled"];

    /// <summary>A label table that replaces the atlas's names (BIDS <c>dseg.tsv</c>, LUT, TXT or CSV), or null.</summary>
    public string? AtlasLabels { get; init; }

    /// <summary><c>--atlas-space</c>: the space of an atlas file whose name does not say it; for TemplateFlow and datasets, the
    /// space to take the atlas from when not <see cref="Space"/> (null: the file's <c>space-</c> entity; <see cref="Space"/>).</summary>
    public string? AtlasSpace { get; init; }

    /// <summary><c>--atlas-dataset</c>: BIDS-Atlas datasets searched for <see cref="Atlases"/>.</summary>
    public IReadOnlyList<string> AtlasDatasets { get; init; } = [];

    /// <summary><c>--templateflow-home</c>: the TemplateFlow home (null: <c>$TEMPLATEFLOW_HOME</c>, else <c>~/.cache/templateflow</c>).</summary>
    public string? TemplateFlowHome { get; init; }

    /// <summary>The request of one of <see cref="Atlases"/>, with these options' label table and atlas sources.</summary>
    public AtlasSpec AtlasSpec(string atlas) => new()
    {
        Atlas = atlas, Labels = AtlasLabels, Space = AtlasSpace, Datasets = AtlasDatasets, TemplateFlowHome = TemplateFlowHome,
    };

    /// <summary>The confound strategy preset (<see cref="ConfoundPresets.PresetNames"/>, optionally <c>+gsr</c>).</summary>
    public string Strategy { get; init; } = "yeo2011";

    /// <summary>Leading volumes to drop (default: those fMRIPrep flags as non-steady-state).</summary>
    public DummyScans DummyScans { get; init; } = DummyScans.Auto;

    /// <summary>
    /// The cleaning of the region signals (the lesson's by default: linear detrend, Butterworth band-pass 0.009–0.08 Hz,
    /// <c>zscore_sample</c>; <c>--low-pass</c>, <c>--high-pass</c>, <c>--extrapolate</c>, <c>--censored-interpolation</c>,
    /// <c>--nilearn-semantics</c>). Its repetition time is each run's own: leave <see cref="CleanOptions.RepetitionTime"/> unset.
    /// </summary>
    public CleanOptions Clean { get; init; } = DefaultCleaning;

    /// <summary>The lesson's cleaning, the default of <see cref="Clean"/>.</summary>
    public static CleanOptions DefaultCleaning { get; } = new() { Detrend = true, Standardize = StandardizeMethod.ZScoreSample, LowPass = 0.08, HighPass = 0.009 };

    /// <summary>nilearn's <c>smoothing_fwhm</c> of the labels masker (<c>--smoothing-fwhm</c>; null: none, as the lesson).</summary>
    public Imaging.Fwhm? SmoothingFwhm { get; init; }

    /// <summary>nilearn's <c>high_variance_confounds</c> of the labels masker (<c>--high-variance-confounds</c>; false, as the lesson).</summary>
    public bool HighVarianceConfounds { get; init; }

    /// <summary>Connectivity kinds (the first one is compared at the group level first).</summary>
    public IReadOnlyList<ConnectivityKind> Kinds { get; init; } = [ConnectivityKind.Correlation];

    /// <summary>Subjects processed at once, or <see cref="JobPlanner.Auto"/> (<c>--jobs auto</c>: one per core); either
    /// way never more than fit in the memory available (see <see cref="JobPlanner"/>).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Set for the tasks of a Slurm job array (<c>--array-task</c>): several invocations write to the output folder at
    /// once, each for its own subjects. The folder's lock is then taken shared (a local run still cannot start beside
    /// them) and each subject's lock exclusively; leftovers are removed only from the subjects' own folders; the
    /// participant summary page is left to the group level.
    /// </summary>
    public bool SharedOutput { get; init; }

    /// <summary>Group level: the fewest subjects with participant outputs a group may have (<c>--min-group-size</c>;
    /// at least 2, what a t test needs); fewer fails with the failed or missing subjects named.</summary>
    public int MinGroupSize { get; init; } = 2;

    /// <summary>A BIDS filter file (fMRIPrep's <c>--bids-filter-file</c>), or null.</summary>
    public string? BidsFilterFile { get; init; }

    /// <summary>Whether to write the HTML report pages.</summary>
    public bool Reports { get; init; } = true;

    /// <summary>Group level: the participants table (default: <c>participants.tsv</c> of the input, or of the raw
    /// dataset two folders up, as in <c>ds000030/derivatives/fmriprep</c>).</summary>
    public string? ParticipantsFile { get; init; }

    /// <summary>Group level: the participants column holding the groups.</summary>
    public string GroupColumn { get; init; } = "diagnosis";

    /// <summary>Group level: the two groups, as values of <see cref="GroupColumn"/> or as subject-id patterns
    /// (<c>1*</c> <c>5*</c>); null: CONTROL and SCHZ when the column has them.</summary>
    public IReadOnlyList<string>? Groups { get; init; }

    /// <summary>Group level: edges to compare by label id (<c>44-46,41-49</c>); null: the DMN's intra-network edges.</summary>
    public string? Edges { get; init; }

    /// <summary>Group level: random relabellings for the permutation test.</summary>
    public int Permutations { get; init; } = 10000;

    /// <summary>Group level: seed of the permutations.</summary>
    public int Seed { get; init; }

    /// <summary>Group level: when a subject moved too much (defaults of Parkes et al. 2018; see <see cref="Qc.MotionExclusionRules"/>).</summary>
    public Qc.MotionExclusionRules MotionExclusion { get; init; } = new();

    /// <summary>Group level: leave the subjects <see cref="MotionExclusion"/> excludes out of the group comparison too (they
    /// are always left out of the motion QC measures).</summary>
    public bool ExcludeHighMotion { get; init; }

    /// <summary>
    /// Checks the options as BIDS Apps do: the input must exist; the output may not be the input, inside it or above it
    /// (<see cref="TreeBoundary.CheckOutputRoot"/>);
    /// labels lose their <c>sub-</c>; values are in range. Returns the normalised options.
    /// </summary>
    public RunOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(InputDirectory)) throw new NiSharpException("no FMRIPREP_DIR given");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new NiSharpException("no OUTPUT_DIR given");
        var input = Path.GetFullPath(InputDirectory).TrimEnd('/');
        var output = Path.GetFullPath(OutputDirectory).TrimEnd('/');
        if (!Directory.Exists(input))
            throw new NiSharpException(InputDirectory, File.Exists(input) ? "is a file, not the fMRIPrep folder" : "the fMRIPrep folder does not exist");
        if (File.Exists(output)) throw new NiSharpException(OutputDirectory, "the output folder is a file");
        TreeBoundary.CheckOutputRoot(InputDirectory, OutputDirectory);
        if (Jobs < 1 && Jobs != JobPlanner.Auto) throw NiSharpException.InParameter("jobs", $" must be at least 1 or auto, got {Jobs}");
        if (MinGroupSize < 2) throw NiSharpException.InParameter("min_group_size", $" must be at least 2, got {MinGroupSize}");
        if (Kinds.Count == 0) throw NiSharpException.InParameter("kinds", ": give at least one connectivity kind");
        if (Permutations < 0) throw NiSharpException.InParameter("permutations", " must be 0 or more");
        if (Groups is { Count: not 2 }) throw NiSharpException.InParameter("groups", $" takes exactly two groups, got {Groups.Count}");
        if (BidsFilterFile is not null) IO.InputFile.Check(BidsFilterFile);
        if (ParticipantsFile is not null) IO.InputFile.Check(ParticipantsFile);
        if (Atlases.Count == 0 || Atlases.Any(string.IsNullOrWhiteSpace)) throw NiSharpException.InParameter("atlas", ": give at least one atlas");
        if (AtlasLabels is not null && Atlases.Distinct(StringComparer.Ordinal).Count() > 1)
            throw NiSharpException.InParameter("atlas_labels", $" names the labels of one atlas, and {Atlases.Count} atlases are given ({string.Join(", ", Atlases)}): give it with one atlas only");
        if (OnGrayordinates && Atlases.Distinct(StringComparer.Ordinal).Count() > 1)
            throw NiSharpException.InParameter("atlas", $": a run on fsLR grayordinates takes one atlas, and {Atlases.Count} are given ({string.Join(", ", Atlases)}): run each alone");
        if (AtlasLabels is not null) IO.InputFile.Check(AtlasLabels);
        foreach (var d in AtlasDatasets) _ = new BidsAtlasDataset(d);
        ConfoundStrategy();
        Clean.ValidateValues();
        if (Clean.RepetitionTime is not null)
            throw NiSharpException.InParameter(ResolvedRepetitionTime.ParameterName, " is each run's own (its sidecar's RepetitionTime, else its header's): leave it unset");
        MotionExclusion.Validate();
        var labels = ParticipantLabels.Select(NormalizeLabel).Distinct(StringComparer.Ordinal).ToArray();
        return this with { InputDirectory = input, OutputDirectory = output, ParticipantLabels = labels, Kinds = Kinds.Distinct().ToArray(),
            Atlases = Atlases.Distinct(StringComparer.Ordinal).ToArray() };
    }

    /// <summary>A participant label without <c>sub-</c>; fails on an empty or non-alphanumeric label.</summary>
    public static string NormalizeLabel(string label)
    {
        var s = SubjectLabel.Strip(label.Trim());
        if (s.Length == 0 || !s.All(char.IsAsciiLetterOrDigit))
            throw NiSharpException.InParameter("participant_label", $" '{label}' is not a BIDS subject label (letters and digits, with or without 'sub-')");
        return s;
    }

    /// <summary>The confound strategy with the dummy volumes (fails on an unknown preset).</summary>
    public ConfoundStrategy ConfoundStrategy() => ConfoundPresets.Parse(Strategy) with { DummyScans = DummyScans };

    /// <summary>The labels masker's options for <paramref name="atlas"/>: mean per label, empty labels kept as n/a columns,
    /// the cleaning of these options; the brain mask and repetition time are the run's.</summary>
    public LabelsMaskerOptions MaskerOptions(Atlas atlas) => new LabelsMaskerOptions
    {
        Atlas = atlas,
        Strategy = ReductionStrategy.Mean,
        KeepEmpty = KeepEmpty.Nan,
        Clean = Clean,
        SmoothingFwhm = SmoothingFwhm,
        HighVarianceConfounds = HighVarianceConfounds,
    }.Validate();

    internal static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
