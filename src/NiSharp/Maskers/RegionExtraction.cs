using NiSharp.Bids;
using System.Numerics;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Maskers;

/// <summary>Turns one volume into one value per extracted region (a labels reduction, sphere means, map least squares).</summary>
internal interface IRegionReducer
{
    /// <summary>Number of extracted regions (the values per volume).</summary>
    int Regions { get; }

    /// <summary>Reduces <paramref name="volume"/> (the whole grid, NIfTI order) into <paramref name="row"/>
    /// (<see cref="Regions"/> values). Every value is finite: the extraction replaces NaN/Inf by 0 before (nilearn's
    /// <c>ensure_finite</c>).
    /// <paramref name="scratch"/> is this call's own working memory, reused across volumes.</summary>
    void Reduce<T>(ReadOnlySpan<T> volume, Span<T> row, ref T[]? scratch) where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>
/// What every region masker does after it knows its regions on the data grid: one streaming pass over the
/// volumes into a (volumes × extracted regions) matrix, then <see cref="SignalCleaner"/> with the masker's
/// parameters, confounds and sample mask, then the empty regions put back as NaN or zero columns (or left out).
/// </summary>
/// <summary>One masker's part of a pass: its reducer and regions on the data grid, its options and parameters, where its
/// warnings go and who watches its reduction.</summary>
internal sealed record ExtractionJob(IRegionReducer Reducer, IReadOnlyList<RegionCoverage> Regions, MaskerOptions Options,
    Dictionary<string, object?> MaskerParameters, int? BackgroundLabel = null, ICollection<string>? Warnings = null, IExtractionObserver? Observer = null);

internal static class RegionExtraction
{
    /// <summary>The regions of a fitted masker: every region with its coverage, and how many are extracted
    /// (the extracted ones are, in order, the rows of <see cref="RegionCoverage"/> with status Extracted).</summary>
    public static RegionSignals Run(VolumeSource source, IRegionReducer reducer, IReadOnlyList<RegionCoverage> regions,
        MaskerOptions options, MaskerInputs inputs, Dictionary<string, object?> maskerParameters, ICollection<string>? warningsOut,
        IExtractionObserver? observer = null, int? backgroundLabel = null) =>
        Run(source, [new ExtractionJob(reducer, regions, options, maskerParameters, backgroundLabel, warningsOut, observer)], inputs)[0];

    /// <summary>
    /// Several maskers on one pass over <paramref name="source"/> (several atlases on one read of a BOLD file): each
    /// volume is read (and smoothed) once and reduced by every job; each job is then cleaned on its own, exactly as if it
    /// had been run alone. The jobs share the confounds, sample mask and dummy volumes of <paramref name="inputs"/>, and
    /// must agree on what is done to the volumes before the reduction (smoothing, high-variance confounds).
    /// </summary>
    public static RegionSignals[] Run(VolumeSource source, IReadOnlyList<ExtractionJob> jobs, MaskerInputs inputs)
    {
        if (jobs.Count == 0) return [];
        var first = jobs[0].Options;
        foreach (var j in jobs)
            if (!Equals(j.Options.SmoothingFwhm, first.SmoothingFwhm) || j.Options.HighVarianceConfounds != first.HighVarianceConfounds)
                throw new NiSharpException("maskers on one pass must smooth alike and agree on high_variance_confounds");
        // nilearn's smooth_img turns integer data into float32 before the reduction sees it
        return source.IsFloat32 || (first.Smooths && source.IsInteger)
            ? Run<float>(source, jobs, inputs, "float32")
            : Run<double>(source, jobs, inputs, "float64");
    }

    private sealed class JobState<T>(ExtractionJob job, List<(CleanPlan Plan, int[]? Rows)> plans, int planWarnings,
        List<string> warnings, ResolvedRepetitionTime repetitionTime, long rows) where T : unmanaged
    {
        public ExtractionJob Job { get; } = job;
        public List<(CleanPlan Plan, int[]? Rows)> Plans { get; set; } = plans;
        public int PlanWarnings { get; } = planWarnings;
        public List<string> Warnings { get; } = warnings;
        public ResolvedRepetitionTime RepetitionTime { get; } = repetitionTime;
        /// <summary>The cleaning with its repetition time, which <see cref="Plans"/> carry out.</summary>
        public required CleanOptions Clean { get; init; }
        public T[] Raw { get; } = new T[rows * job.Reducer.Regions];
        public T[]? Scratch;
    }

    private static RegionSignals[] Run<T>(VolumeSource source, IReadOnlyList<ExtractionJob> jobs, MaskerInputs inputs, string dtype)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string who = source.Path ?? "the image";
        int volumesIn = source.VolumeCount;
        int dummy = inputs.DummyScans;
        if (dummy < 0 || dummy >= volumesIn)
            throw Error(source, $"cannot drop {dummy} dummy volumes from {volumesIn}");
        int n = volumesIn - dummy;
        if (inputs.Confounds is { } c && c.Timepoints != n)
            throw Error(source, $"the confounds have {c.Timepoints} rows but {FileName(who)} has {n} volumes" + (dummy > 0 ? $" after dropping {dummy} dummy volumes" : ""));

        // Resolve the repetition time and validate the whole cleaning of every job before reading any voxel.
        var states = new JobState<T>[jobs.Count];
        var ownPlans = new CleanPlanCache();
        for (int j = 0; j < jobs.Count; j++)
        {
            var job = jobs[j];
            var options = job.Options;
            var repetitionTime = options.ResolveRepetitionTime(source.Path);
            double? tr = repetitionTime.Seconds;
            if (options.Clean.NeedsRepetitionTime && tr is null)
                throw Error(source, "filtering needs the repetition time (t_r): give it, or use an image whose sidecar or header has it");
            var clean = options.Clean with { RepetitionTime = tr };
            var warnings = new List<string>();
            List<(CleanPlan Plan, int[]? Rows)> plans;
            try
            {
                // The jobs of a run's atlases clean alike: one plan for them all.
                plans = (inputs.Plans ?? ownPlans).Plan(n, clean, inputs.Confounds, inputs.SampleMask, warnings);
            }
            catch (NiSharpException ex) when (ex.FilePath is null && source.Path is not null)
            {
                throw ex.InFile(source.Path);
            }
            // An atlas in another space than the data (MNI labels on a native-space run, say) leaves every region
            // off the grid: all-n/a columns would look like a result, so stop here and say why.
            var regions = job.Regions;
            if (regions.Count > 0 && regions.All(x => x.Status == RegionStatus.NotOnDataGrid))
            {
                string atlasName = job.MaskerParameters.TryGetValue("atlas", out var a) && a is not null ? $" '{a}'" : "";
                throw Error(source, $"none of the {regions.Count} regions of the atlas{atlasName} lies in the image's field of view {source.Grid.Describe()}: " +
                                    "they do not overlap (is the atlas in another space?)");
            }
            states[j] = new JobState<T>(job, plans, warnings.Count, warnings, repetitionTime, n) { Clean = clean };
        }

        // One pass over the volumes: each becomes one row of region values of every job.
        var shared = jobs[0].Options;
        long nonFinite = 0;
        var smoother = shared.Smooths ? new VolumeSmoother<T>(source.Grid.Shape, source.Grid.Affine, shared.SmoothingFwhm) : null;
        var smoothed = smoother is null ? null : new T[source.Grid.VoxelCount];
        T[]? finiteCopy = null;
        // high_variance_confounds: this pass also accumulates the first pass of their computation, on the raw volumes
        // (nilearn computes them in transform, before filter_and_extract smooths and reduces)
        var hvSums = shared.HighVarianceConfounds ? new HighVarianceSums(null, source.Grid.VoxelCount, n, detrend: true) : null;
        // an observer sees the dummy volumes too (they are read anyway from a compressed stream)
        int firstVolume = jobs.Any(j => j.Observer is not null) ? 0 : dummy;
        source.ForEach<T>(firstVolume, volumesIn - firstVolume, (t, volume) =>
        {
            foreach (var s in states) s.Job.Observer?.Volume(t, volume);
            if (t < dummy) return;
            hvSums?.Add(t - dummy, volume);
            // NaN/Inf count as 0 (nilearn's ensure_finite); they are counted for the warning. A vectorised sum is finite
            // exactly when no value is NaN/Inf (barring float overflow, which the exact count settles).
            bool finite = T.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum<T>(volume));
            if (!finite) nonFinite += CountNonFinite(volume);
            ReadOnlySpan<T> reduced = volume;
            if (smoother is not null)
            {
                // smooth a copy: an in-memory source hands out the caller's own image
                volume.CopyTo(smoothed);
                smoother.Apply(smoothed!, 0);
                reduced = smoothed;
                finite = T.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum<T>(reduced));
            }
            // The reducers see finite values only, so that theirs is a plain sum per voxel: the rare volume with
            // NaN/Inf is reduced from a copy with zeros in their place (observers still see the volume as it is).
            var forReducers = finite ? reduced : Finite(reduced, ref finiteCopy);
            foreach (var s in states)
            {
                int r = s.Job.Reducer.Regions;
                var row = s.Raw.AsSpan((t - dummy) * r, r);
                s.Job.Reducer.Reduce(forReducers, row, ref s.Scratch);
                s.Job.Observer?.Reduced<T>(t - dummy, reduced, row);
            }
        });
        if (nonFinite > 0)
            foreach (var s in states)
                s.Warnings.Add($"{who}: {nonFinite} non-finite voxel value{(nonFinite == 1 ? "" : "s")} (NaN or Inf) replaced by 0, as nilearn's ensure_finite does");

        if (hvSums is not null)
        {
            inputs = HighVarianceImageConfounds.AddTo(inputs, source, hvSums);
            foreach (var s in states)
            {
                try
                {
                    // planned again with the stacked confounds (shared as above); its warnings replace the first plan's
                    var replanned = new List<string>();
                    s.Plans = (inputs.Plans ?? ownPlans).Plan(n, s.Clean, inputs.Confounds, inputs.SampleMask, replanned);
                    s.Warnings.RemoveRange(0, s.PlanWarnings);
                    s.Warnings.InsertRange(0, replanned);
                }
                catch (NiSharpException ex) when (ex.FilePath is null && source.Path is not null)
                {
                    throw ex.InFile(source.Path);
                }
            }
        }
        var result = new RegionSignals[states.Length];
        for (int j = 0; j < states.Length; j++) result[j] = Finish(states[j], inputs, volumesIn, dummy, n, dtype);
        return result;
    }

    // One job after the pass: its cleaning, its columns, its parameters.
    private static RegionSignals Finish<T>(JobState<T> s, MaskerInputs inputs, int volumesIn, int dummy, int n, string dtype)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var options = s.Job.Options;
        var regions = s.Job.Regions;
        var warnings = s.Warnings;
        int r = s.Job.Reducer.Regions;
        var plan = s.Plans[0].Plan;
        var cleaned = new T[(long)plan.OutputRows * r];
        if (r > 0) SignalCleaner.Run(plan, s.Raw, cleaned, 0, r);

        // Columns: extracted regions from the cleaned matrix, empty ones as NaN / 0, or left out.
        var columns = new List<RegionCoverage>();
        var sourceColumn = new List<int>();
        int e = 0;
        foreach (var region in regions)
        {
            if (!region.IsEmpty) { columns.Add(region); sourceColumn.Add(e++); }
            else if (options.KeepEmpty != KeepEmpty.Drop) { columns.Add(region); sourceColumn.Add(-1); }
        }
        if (e != r) throw new InvalidOperationException($"{e} extracted regions but the reducer gives {r}");
        int rows = plan.OutputRows, nc = columns.Count;
        var values = new SignalMatrix<double>(rows, nc);
        double fill = options.KeepEmpty == KeepEmpty.Zero ? 0 : double.NaN;
        for (int t = 0; t < rows; t++)
        {
            var src = cleaned.AsSpan(t * r, r);
            var dst = values.Row(t);
            for (int j = 0; j < nc; j++)
                dst[j] = sourceColumn[j] >= 0 ? double.CreateTruncating(src[sourceColumn[j]]) : fill;
        }

        var keep = inputs.SampleMask?.ToArray() ?? Enumerable.Range(0, n).ToArray();
        var kept = keep.Select(k => k + dummy).ToArray();
        if (kept.Length != rows) throw new InvalidOperationException($"cleaning kept {rows} rows for a sample mask of {kept.Length}");
        var keptSet = new HashSet<int>(kept);
        var censored = Enumerable.Range(dummy, n).Where(t => !keptSet.Contains(t)).ToArray();

        var empty = regions.Where(x => x.IsEmpty).ToList();
        if (empty.Count > 0)
        {
            string what = options.KeepEmpty switch { KeepEmpty.Drop => "left out", KeepEmpty.Zero => "kept as zero columns", _ => "kept as n/a columns" };
            warnings.Add($"{empty.Count} of {regions.Count} regions have no signal and are {what}: " +
                         string.Join(", ", empty.Take(20).Select(x => $"{x.Id} ({RegionCoverage.StatusName(x.Status)})")) + (empty.Count > 20 ? ", …" : ""));
        }
        foreach (var w in warnings) s.Job.Warnings?.Add(w);

        double? tr = s.RepetitionTime.Seconds;
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["masker"] = s.Job.MaskerParameters,
            ["clean"] = SignalCleaner.EffectiveParameters((options.Clean with { RepetitionTime = tr }), inputs.ConfoundNames, inputs.SampleMask, n),
            ["confounds"] = inputs.Selection?.ToParameters(),
        };
        return new RegionSignals
        {
            Values = values,
            DataType = dtype,
            Regions = columns,
            Coverage = regions,
            ColumnNames = RegionSignals.UniqueNames(columns),
            VolumesIn = volumesIn,
            DummyScans = dummy,
            KeptVolumes = kept,
            CensoredVolumes = censored,
            RepetitionTime = tr,
            RepetitionTimeSource = s.RepetitionTime.Source,
            Parameters = parameters,
            Warnings = warnings,
            BackgroundLabel = s.Job.BackgroundLabel,
        };
    }

    /// <summary><paramref name="volume"/> with NaN/Inf replaced by 0, in <paramref name="copy"/> (made on first use).</summary>
    private static ReadOnlySpan<T> Finite<T>(ReadOnlySpan<T> volume, ref T[]? copy) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        copy ??= new T[volume.Length];
        for (int v = 0; v < volume.Length; v++) copy[v] = T.IsFinite(volume[v]) ? volume[v] : T.Zero;
        return copy.AsSpan(0, volume.Length);
    }

    private static long CountNonFinite<T>(ReadOnlySpan<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        long count = 0;
        foreach (var v in values) if (!T.IsFinite(v)) count++;
        return count;
    }

    private static NiSharpException Error(VolumeSource source, string problem) =>
        source.Path is null ? new NiSharpException(problem) : new NiSharpException(source.Path, problem);

    private static string FileName(string path) => Path.GetFileName(path);

    /// <summary>Checks that an image given as data is 4D (or 3D: one volume).</summary>
    public static void CheckData(NiftiFile f)
    {
        if (f.Header.NDim > 4 && f.VolumeCount > 1 && f.Shape.Skip(4).Any(d => d > 1))
            throw new NiSharpException(f.Path, $"expected a 3D or 4D image, got shape {Image.ShapeText(f.Shape)}");
    }
}
