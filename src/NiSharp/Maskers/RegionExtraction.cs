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
    /// (<see cref="Regions"/> values). Non-finite voxel values count as 0 (nilearn's <c>ensure_finite</c>).
    /// <paramref name="scratch"/> is this call's own working memory, reused across volumes.</summary>
    void Reduce<T>(ReadOnlySpan<T> volume, Span<T> row, ref T[]? scratch) where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>
/// What every region masker does after it knows its regions on the data grid: one streaming pass over the
/// volumes into a (volumes × extracted regions) matrix, then <see cref="SignalCleaner"/> with the masker's
/// parameters, confounds and sample mask, then the empty regions put back as NaN or zero columns (or left out).
/// </summary>
internal static class RegionExtraction
{
    /// <summary>The regions of a fitted masker: every region with its coverage, and how many are extracted
    /// (the extracted ones are, in order, the rows of <see cref="RegionCoverage"/> with status Extracted).</summary>
    public static RegionSignals Run(VolumeSource source, IRegionReducer reducer, IReadOnlyList<RegionCoverage> regions,
        MaskerOptions options, MaskerInputs inputs, Dictionary<string, object?> maskerParameters, ICollection<string>? warningsOut,
        IExtractionObserver? observer = null, int? backgroundLabel = null)
    {
        // nilearn's smooth_img turns integer data into float32 before the reduction sees it
        return source.IsFloat32 || (options.Smooths && source.IsInteger)
            ? Run<float>(source, reducer, regions, options, inputs, maskerParameters, warningsOut, observer, "float32", backgroundLabel)
            : Run<double>(source, reducer, regions, options, inputs, maskerParameters, warningsOut, observer, "float64", backgroundLabel);
    }

    private static RegionSignals Run<T>(VolumeSource source, IRegionReducer reducer, IReadOnlyList<RegionCoverage> regions,
        MaskerOptions options, MaskerInputs inputs, Dictionary<string, object?> maskerParameters, ICollection<string>? warningsOut,
        IExtractionObserver? observer, string dtype, int? backgroundLabel)
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

        // Resolve the repetition time and validate the whole cleaning before reading any voxel.
        var repetitionTime = options.ResolveRepetitionTime(source.Path);
        double? tr = repetitionTime.Seconds;
        if (options.Clean.NeedsRepetitionTime && tr is null)
            throw Error(source, "filtering needs the repetition time (t_r): give it, or use an image whose sidecar or header has it");
        var clean = options.Clean with { RepetitionTime = tr };
        var warnings = new List<string>();
        List<(CleanPlan Plan, int[]? Rows)> plans;
        try
        {
            plans = SignalCleaner.Plan(n, clean, inputs.Confounds, inputs.SampleMask, null, warnings);
        }
        catch (NiSharpException ex) when (ex.FilePath is null && source.Path is not null)
        {
            throw ex.InFile(source.Path);
        }
        int planWarnings = warnings.Count;
        // An atlas in another space than the data (MNI labels on a native-space run, say) leaves every region
        // off the grid: all-n/a columns would look like a result, so stop here and say why.
        if (regions.Count > 0 && regions.All(x => x.Status == RegionStatus.NotOnDataGrid))
        {
            string atlasName = maskerParameters.TryGetValue("atlas", out var a) && a is not null ? $" '{a}'" : "";
            throw Error(source, $"none of the {regions.Count} regions of the atlas{atlasName} lies in the image's field of view {source.Grid.Describe()}: " +
                                "they do not overlap (is the atlas in another space?)");
        }

        // One pass over the volumes: each becomes one row of region values.
        int r = reducer.Regions;
        var raw = new T[(long)n * r];
        T[]? scratch = null;
        long nonFinite = 0;
        var smoother = options.Smooths ? new VolumeSmoother<T>(source.Grid.Shape, source.Grid.Affine, options.SmoothingFwhm) : null;
        var smoothed = smoother is null ? null : new T[source.Grid.VoxelCount];
        // high_variance_confounds: this pass also accumulates the first pass of their computation, on the raw volumes
        // (nilearn computes them in transform, before filter_and_extract smooths and reduces)
        var hvSums = options.HighVarianceConfounds ? new HighVarianceSums(null, source.Grid.VoxelCount, n, detrend: true) : null;
        // an observer sees the dummy volumes too (they are read anyway from a compressed stream)
        int first = observer is null ? dummy : 0;
        source.ForEach<T>(first, volumesIn - first, (t, volume) =>
        {
            observer?.Volume(t, volume);
            if (t < dummy) return;
            hvSums?.Add(t - dummy, volume);
            var row = raw.AsSpan((t - dummy) * r, r);
            if (smoother is not null)
            {
                // smooth a copy: an in-memory source hands out the caller's own image
                volume.CopyTo(smoothed);
                smoother.Apply(smoothed!, 0);
                reducer.Reduce<T>(smoothed, row, ref scratch);
                observer?.Reduced<T>(t - dummy, smoothed, row);
            }
            else
            {
                reducer.Reduce(volume, row, ref scratch);
                observer?.Reduced(t - dummy, volume, row);
            }
            // The reducers read NaN/Inf as 0 (ensure_finite); count them for the warning. A vectorised sum is
            // finite exactly when no value is NaN/Inf (barring float overflow, which the exact count settles).
            if (!T.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum<T>(volume))) nonFinite += CountNonFinite(volume);
        });
        if (nonFinite > 0)
            warnings.Add($"{who}: {nonFinite} non-finite voxel value{(nonFinite == 1 ? "" : "s")} (NaN or Inf) replaced by 0, as nilearn's ensure_finite does");

        if (hvSums is not null)
        {
            inputs = HighVarianceImageConfounds.AddTo(inputs, source, hvSums);
            try
            {
                // planned again with the stacked confounds; its warnings replace the first plan's
                var replanned = new List<string>();
                plans = SignalCleaner.Plan(n, clean, inputs.Confounds, inputs.SampleMask, null, replanned);
                warnings.RemoveRange(0, planWarnings);
                warnings.InsertRange(0, replanned);
            }
            catch (NiSharpException ex) when (ex.FilePath is null && source.Path is not null)
            {
                throw ex.InFile(source.Path);
            }
        }
        var plan = plans[0].Plan;
        var cleaned = new T[(long)plan.OutputRows * r];
        if (r > 0) SignalCleaner.Run(plan, raw, cleaned, 0, r);

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
        foreach (var w in warnings) warningsOut?.Add(w);

        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["masker"] = maskerParameters,
            ["clean"] = SignalCleaner.EffectiveParameters(clean, inputs.ConfoundNames, inputs.SampleMask, n),
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
            RepetitionTimeSource = repetitionTime.Source,
            Parameters = parameters,
            Warnings = warnings,
            BackgroundLabel = backgroundLabel,
        };
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
