using System.Globalization;

namespace NiSharp.Pipeline;

/// <summary>
/// What <see cref="DemoDataset.Generate"/> writes: a cohort in the image of ds000030 (controls 1xxxx,
/// schizophrenia 5xxxx) preprocessed as fMRIPrep would have, with a planted connectome. Defaults give the
/// lesson-sized dataset (20 subjects, 65×77×49 voxels of 3 mm, 152 volumes at TR 2 s).
/// </summary>
public sealed record DemoOptions
{
    /// <summary>Number of subjects; the first half (rounded up) are controls, the rest patients.</summary>
    public int Subjects { get; init; } = 20;

    /// <summary>Seed: the same seed gives the same files, byte for byte.</summary>
    public int Seed { get; init; } = 2024;

    /// <summary>Isotropic voxel size in mm of the MNI152NLin2009cAsym grid (3 mm gives 65×77×49; tests use larger
    /// voxels for speed).</summary>
    public double VoxelSize { get; init; } = 3;

    /// <summary>Volumes per run (ds000030's rest runs have 152).</summary>
    public int Volumes { get; init; } = 152;

    /// <summary>Seconds between volumes.</summary>
    public double RepetitionTime { get; init; } = 2;

    /// <summary>Leading volumes before the steady state (brighter; flagged as <c>non_steady_state_outlierXX</c>).</summary>
    public int NonSteadyStateVolumes { get; init; } = 4;

    /// <summary>The planted correlation between DMN regions 44 and 46 of the relabelled Yeo atlas in controls.</summary>
    public double ControlDmnCorrelation { get; init; } = 0.75;

    /// <summary>The same in patients; equal to <see cref="ControlDmnCorrelation"/> for a null cohort.</summary>
    public double PatientDmnCorrelation { get; init; } = 0.25;

    /// <summary>Median per-subject motion severity (mm of mean framewise displacement, roughly); each subject's
    /// severity is drawn log-normally around it.</summary>
    public double MotionSeverity { get; init; } = 0.15;

    /// <summary>
    /// Strength of the motion-locked artefacts in the BOLD (1: the default; 0: none, motion then only shifts the image
    /// through its gradient): spin-history signal drops at high-displacement volumes, and the coil's sensitivity
    /// moving with the head. Both are spatially smooth but not uniform, so that on raw data connectivity depends on
    /// motion, more for nearby regions (QC-FC and its distance dependence), and denoising must remove them.
    /// </summary>
    public double MotionArtifacts { get; init; } = 1;

    /// <summary>How much more patients move than controls (1 = no difference, the default, so that motion does
    /// not masquerade as a group effect).</summary>
    public double PatientMotionFactor { get; init; } = 1;

    /// <summary>Subjects generated at once (default: the number of cores).</summary>
    public int? Jobs { get; init; }

    /// <summary>Explicit subject labels (digits; <c>1xxxx</c> controls, <c>5xxxx</c> patients, as in ds000030) instead of
    /// labels drawn from the seed; <see cref="Subjects"/> must then equal their number.</summary>
    public IReadOnlyList<string>? SubjectIds { get; init; }

    /// <summary>Also write each subject's run on fsLR grayordinates, as fMRIPrep's <c>--cifti-output 91k</c> does
    /// (<see cref="DemoCifti"/>: the planted connectome on the parcels of conte69-composite); default false.</summary>
    public bool Cifti { get; init; }

    /// <summary>Write each subject's <c>anat/</c> folder as fMRIPrep does: the preprocessed T1w and its brain mask in
    /// native (T1w) space and in MNI152NLin2009cAsym (1 mm, 193×229×193), from the bundled FSL MNI152 head
    /// (default true; it costs one resampling per dataset).</summary>
    public bool Anatomical { get; init; } = true;

    /// <summary>Subjects whose run is also written in <c>space-T1w</c> (the same series on the native grid), as
    /// fMRIPrep does when asked for <c>--output-spaces T1w</c>; default none.</summary>
    public IReadOnlyList<string> T1wSpaceSubjects { get; init; } = [];

    /// <summary>The four subjects of the lesson's notebooks (sub-10438, 10788, 11108 controls; sub-50052 patient), two of
    /// them also in T1w space as there: the examples' default cohort.</summary>
    public static DemoOptions LessonNotebook { get; } = new()
    {
        Subjects = 4,
        SubjectIds = ["10438", "10788", "11108", "50052"],
        T1wSpaceSubjects = ["10788", "50052"],
    };

    /// <summary>The twenty subjects the lesson lists for ds000030 (ten controls, ten schizophrenia patients).</summary>
    public static DemoOptions Lesson { get; } = new()
    {
        Subjects = 20,
        SubjectIds = ["10171", "10292", "10365", "10438", "10565", "10788", "11106", "11108", "11122", "11131",
                      "50010", "50035", "50047", "50048", "50052", "50067", "50075", "50077", "50081", "50083"],
        T1wSpaceSubjects = ["10788", "50052"],
    };

    /// <summary>Checks the values; throws <see cref="NiSharpException"/> naming the bad one.</summary>
    public DemoOptions Validate()
    {
        if (Subjects < 1) throw NiSharpException.InParameter("subjects", $" must be at least 1, got {Subjects}");
        if (Subjects > 1800) throw NiSharpException.InParameter("subjects", $" must be at most 1800 (the id ranges of ds000030's groups), got {Subjects}");
        if (!(VoxelSize >= 2 && VoxelSize <= 12)) throw new NiSharpException($"the voxel size must be between 2 and 12 mm, got {F(VoxelSize)}");
        if (Volumes < NonSteadyStateVolumes + 20) throw new NiSharpException($"at least {NonSteadyStateVolumes + 20} volumes are needed, got {Volumes}");
        if (!(RepetitionTime > 0.2 && RepetitionTime <= 5)) throw new NiSharpException($"the repetition time must be in (0.2, 5] s, got {F(RepetitionTime)}");
        if (NonSteadyStateVolumes < 0) throw new NiSharpException("the number of non-steady-state volumes must be 0 or more");
        foreach (var (name, r) in new[] { ("control", ControlDmnCorrelation), ("patient", PatientDmnCorrelation) })
            if (!(r > -0.9 && r < 0.95)) throw new NiSharpException($"the planted {name} DMN correlation must be in (-0.9, 0.95), got {F(r)}");
        if (!(MotionSeverity >= 0 && MotionSeverity <= 2)) throw new NiSharpException($"the motion severity must be in [0, 2] mm, got {F(MotionSeverity)}");
        if (!(PatientMotionFactor > 0)) throw new NiSharpException("the patient motion factor must be positive");
        if (!(MotionArtifacts >= 0 && MotionArtifacts <= 10)) throw new NiSharpException($"the motion artefact strength must be in [0, 10], got {F(MotionArtifacts)}");
        if (Jobs is < 1) throw NiSharpException.InParameter("jobs", $" must be at least 1, got {Jobs}");
        if (SubjectIds is { } ids)
        {
            if (ids.Count != Subjects)
                throw new NiSharpException($"{ids.Count} subject ids given but {new ParameterName("subjects")} is {Subjects}");
            foreach (var id in ids)
                if (id.Length == 0 || !id.All(char.IsAsciiDigit) || (id[0] != '1' && id[0] != '5'))
                    throw new NiSharpException($"subject id '{id}' must be digits starting with 1 (control) or 5 (patient), as in ds000030");
            if (ids.Distinct().Count() != ids.Count) throw new NiSharpException("the subject ids must be unique");
        }
        foreach (var id in T1wSpaceSubjects)
            if (SubjectIds is null || !SubjectIds.Contains(id))
                throw new NiSharpException($"T1w-space subject '{id}' is not one of the explicit subject ids");
        return this;
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
