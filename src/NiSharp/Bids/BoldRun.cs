namespace NiSharp.Bids;

/// <summary>
/// A preprocessed BOLD series and what fMRIPrep wrote beside it for the same run: the brain mask,
/// the confounds table and its JSON, and the BOLD reference image. Companions are found by entities
/// in the same folder, so they are right whatever the number of sessions, runs, echoes or spaces.
/// </summary>
/// <remarks>
/// <para>Mask and boldref: same entities as the BOLD file except <c>desc</c> (mask: <c>desc-brain_mask</c>;
/// boldref: <c>_boldref</c> with no <c>desc</c> preferred over <c>desc-coreg</c>/<c>desc-hmc</c>), same extension
/// preferred. Confounds: same entities except the spatial ones (<c>space, res, den, cohort</c>) and <c>desc</c>,
/// with <c>desc-confounds</c> and suffix <c>timeseries</c> (fMRIPrep ≥ 20.2) or <c>regressors</c> (1.2–20.1, and
/// pre-1.2 <c>_bold_confounds.tsv</c>), as nilearn's <c>load_confounds</c> looks for them.</para>
/// <para>Everything is looked up in the index: building a run touches no file. <see cref="RepetitionTime"/>
/// reads sidecars, once, when first asked for.</para>
/// </remarks>
public sealed class BoldRun
{
    private static readonly string[] SpatialKeys = ["space", "res", "den", "cohort"];
    private readonly BidsLayout _layout;
    private readonly Lazy<BidsMetadata> _metadata;

    /// <summary>The preprocessed BOLD series.</summary>
    public BidsFile Bold { get; }

    /// <summary>Its brain mask (<c>desc-brain_mask</c>), or null when fMRIPrep did not write one.</summary>
    public BidsFile? Mask { get; }

    /// <summary>Its confounds table (<c>desc-confounds_timeseries.tsv</c>), or null.</summary>
    public BidsFile? Confounds { get; }

    /// <summary>The JSON describing the confounds (needed for CompCor selection), or null.</summary>
    public BidsFile? ConfoundsJson { get; }

    /// <summary>Its BOLD reference image (<c>_boldref</c>), or null.</summary>
    public BidsFile? Boldref { get; }

    /// <summary>The entities of the BOLD file.</summary>
    public BidsEntities Entities => Bold.Entities;

    /// <summary>Subject label (without <c>sub-</c>).</summary>
    public string? Subject => Bold.Subject;

    /// <summary>Session label, or null.</summary>
    public string? Session => Bold.Session;

    /// <summary>Task label, or null.</summary>
    public string? Task => Bold.Task;

    /// <summary>Run index as written, or null.</summary>
    public string? Run => Bold.Run;

    /// <summary>Space label, or null (native BOLD space).</summary>
    public string? Space => Bold.Space;

    /// <summary>The root of the dataset the run was found in.</summary>
    internal string DatasetRoot => _layout.Root;

    /// <summary>The JSON sidecars <see cref="Metadata"/> merges, found without reading them.</summary>
    internal IReadOnlyList<string> SidecarPaths => _layout.SidecarChain(Bold).Select(f => f.Path).ToList();

    /// <summary>The metadata of the BOLD file with sidecar inheritance (read on first use).</summary>
    public BidsMetadata Metadata => _metadata.Value;

    /// <summary><c>RepetitionTime</c> in seconds from the sidecars (BIDS inheritance), or null when none gives
    /// it (the caller may then fall back to the NIfTI header's <c>pixdim[4]</c>); a value that is not a positive
    /// number fails naming the sidecar (see <see cref="BidsMetadata.GetRepetitionTime"/>).</summary>
    public double? RepetitionTime => Metadata.GetRepetitionTime();

    /// <summary>The run's repetition time by the one rule of <see cref="ResolvedRepetitionTime.Resolve"/>: the inherited
    /// sidecars' <c>RepetitionTime</c>, else the NIfTI header's (<paramref name="header"/>, read when not given).</summary>
    public ResolvedRepetitionTime ResolveRepetitionTime(Nifti.NiftiHeader? header = null) =>
        ResolvedRepetitionTime.Resolve(Bold.Path, null, Metadata, header);

    /// <summary>The BOLD entities without <c>desc</c>, as a name prefix for outputs
    /// (<c>sub-01_ses-1_task-rest_run-1_space-MNI152NLin2009cAsym</c>).</summary>
    public string OutputPrefix => Bold.Entities.Without("desc").ToNamePrefix();

    internal BoldRun(BidsLayout layout, BidsFile bold)
    {
        _layout = layout;
        Bold = bold;
        _metadata = new Lazy<BidsMetadata>(() => _layout.GetMetadata(Bold));
        var beside = layout.FilesBeside(bold);
        var sameRun = bold.Entities.Without("desc");
        var sameRunAnySpace = sameRun.Without(SpatialKeys);
        Mask = Best(beside, f => f.Suffix == "mask" && f.Desc == "brain" && IsImage(f) && SameEntities(f, sameRun),
            f => f.Extension == bold.Extension ? 0 : 1);
        Boldref = Best(beside, f => f.Suffix == "boldref" && IsImage(f) && SameEntities(f, sameRun),
            f => (f.Desc is null ? 0 : 2) + (f.Extension == bold.Extension ? 0 : 1));
        Confounds = Best(beside, f => IsConfounds(f) && f.Extension == ".tsv" && SameEntities(f, sameRunAnySpace),
            f => f.Suffix == "timeseries" ? 0 : 1);
        ConfoundsJson = Best(beside, f => IsConfounds(f) && f.Extension == ".json" && SameEntities(f, sameRunAnySpace),
            f => f.Suffix == "timeseries" ? 0 : 1);
    }

    /// <summary>The brain mask, or a <see cref="NiSharpException"/> naming the BOLD file when there is none.</summary>
    public BidsFile RequireMask() => Mask ?? throw Missing("brain mask (desc-brain_mask)");

    /// <summary>The confounds table, or a <see cref="NiSharpException"/> naming the BOLD file when there is none.</summary>
    public BidsFile RequireConfounds() => Confounds ?? throw Missing("confounds table (desc-confounds_timeseries.tsv)");

    private NiSharpException Missing(string what) =>
        new(Bold.Path, $"no {what} for this run beside it in {Bold.DirectoryPath}");

    /// <inheritdoc />
    public override string ToString() => Bold.Path;

    private static bool IsImage(BidsFile f) => f.Extension is ".nii.gz" or ".nii";

    private static bool IsConfounds(BidsFile f) => f.Desc == "confounds" && f.Suffix is "timeseries" or "regressors";

    /// <summary>Whether <paramref name="f"/>, its <c>desc</c> set aside, has exactly the entities <paramref name="wanted"/>.</summary>
    private static bool SameEntities(BidsFile f, BidsEntities wanted)
    {
        int matched = 0;
        var e = f.Entities;
        for (int i = 0; i < e.Count; i++)
        {
            var key = e.KeyAt(i);
            if (key == "desc") continue;
            if (wanted.Find(key) is not string want || !BidsQuery.SameLabel(key, e.ValueAt(i), want)) return false;
            matched++;
        }
        return matched == wanted.Count;
    }

    private static BidsFile? Best(IReadOnlyList<BidsFile> files, Func<BidsFile, bool> ok, Func<BidsFile, int> rank)
    {
        BidsFile? best = null;
        int bestRank = int.MaxValue;
        foreach (var f in files)
        {
            if (!ok(f)) continue;
            int r = rank(f);
            if (r < bestRank) { best = f; bestRank = r; }
        }
        return best;
    }
}
