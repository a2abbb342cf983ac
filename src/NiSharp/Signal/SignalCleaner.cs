using System.Buffers;
using System.Globalization;
using System.Numerics;

namespace NiSharp.Signal;

/// <summary>
/// <c>nilearn.signal.clean</c> (0.14 semantics by default, 0.10.4's with <see cref="CleanOptions.Semantics"/>; see the
/// fixtures READMEs): for each run, optional
/// interpolation of censored volumes, linear detrending, Butterworth (or cosine) filtering of signals
/// and confounds, censoring, confound removal by projection, and standardisation, composed from the
/// small steps in this folder. Signal columns are cleaned in blocks, in parallel.
/// </summary>
/// <remarks>
/// Differences from nilearn, on purpose: every censored volume between kept ones is interpolated before filtering
/// (nilearn negates an index array and interpolates only volumes whose mirror is kept, see
/// <see cref="CensoredInterpolation"/>); the caller's sample mask is never modified; each run gets every option
/// (nilearn drops standardize_confounds and extrapolate for runs); filtering without a repetition time is an error
/// rather than t_r = 2.5.
/// </remarks>
public static class SignalCleaner
{
    /// <summary>Columns per block: the block and its filter padding stay in the core's cache.</summary>
    internal const int BlockWidth = 128;

    /// <summary>
    /// Cleans <paramref name="signals"/> (timepoints × features, float32 kept float32) and returns a new
    /// matrix with one row per kept timepoint. This is also the entry point for region signals
    /// (a maskers' T × R matrix).
    /// </summary>
    /// <param name="signals">Time series, one column per feature.</param>
    /// <param name="options">nilearn's parameters.</param>
    /// <param name="confounds">Regressors (timepoints × k, float64) or null.</param>
    /// <param name="sampleMask">Kept timepoints, strictly increasing indices into all rows (across runs), or null.</param>
    /// <param name="runs">A run label per timepoint, or null for a single run; runs are cleaned independently
    /// and stacked in increasing label order.</param>
    /// <param name="warnings">Receives nilearn's warnings for this call, if given.</param>
    public static SignalMatrix<T> Clean<T>(SignalMatrix<T> signals, CleanOptions options, SignalMatrix<double>? confounds = null,
        IReadOnlyList<int>? sampleMask = null, IReadOnlyList<int>? runs = null, ICollection<string>? warnings = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        CleanWithPlans(signals, options, confounds, sampleMask, runs, warnings, null);

    /// <summary><see cref="Clean{T}(SignalMatrix{T}, CleanOptions, SignalMatrix{double}?, IReadOnlyList{int}?, IReadOnlyList{int}?, ICollection{string}?)"/>
    /// with the plan of a single run taken from <paramref name="plans"/> (shared with the run's other cleanings).</summary>
    internal static SignalMatrix<T> CleanWithPlans<T>(SignalMatrix<T> signals, CleanOptions options, SignalMatrix<double>? confounds,
        IReadOnlyList<int>? sampleMask, IReadOnlyList<int>? runs, ICollection<string>? warnings, CleanPlanCache? plans)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var planned = plans is not null && runs is null
            ? plans.Plan(signals.Timepoints, options, confounds, sampleMask, warnings)
            : Plan(signals.Timepoints, options, confounds, sampleMask, runs, warnings);
        return Run(signals, planned);
    }

    private static SignalMatrix<T> Run<T>(SignalMatrix<T> signals, List<(CleanPlan Plan, int[]? Rows)> plans)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int outRows = plans.Sum(p => p.Plan.OutputRows);
        var result = new SignalMatrix<T>(outRows, signals.Features);
        int outStart = 0;
        foreach (var (plan, rows) in plans)
        {
            var src = rows is null ? signals : signals.SelectRows(rows);
            Run(plan, src.Data, result.Data, outStart * signals.Features, signals.Features);
            outStart += plan.OutputRows;
        }
        return result;
    }

    /// <summary>Validates everything and builds one plan per run (with the run's rows, null for all).</summary>
    internal static List<(CleanPlan Plan, int[]? Rows)> Plan(int timepoints, CleanOptions options, SignalMatrix<double>? confounds,
        IReadOnlyList<int>? sampleMask, IReadOnlyList<int>? runs, ICollection<string>? warnings)
    {
        options.Validate();
        foreach (var w in options.Warnings(confounds is not null)) warnings?.Add(w);
        if (confounds is not null)
        {
            if (confounds.Timepoints != timepoints)
                throw new NiSharpException($"the confounds have {confounds.Timepoints} rows but the signals have {timepoints} timepoints");
            for (int i = 0; i < confounds.Data.Length; i++)
                if (!double.IsFinite(confounds.Data[i]))
                    throw new NiSharpException($"the confounds hold a non-finite value ({confounds.Data[i].ToString(CultureInfo.InvariantCulture)}) in row {i / confounds.Features + 1}, column {i % confounds.Features + 1}");
        }
        int[]? keep = sampleMask is null ? null : CheckSampleMask(sampleMask, timepoints);
        var plans = new List<(CleanPlan, int[]?)>();
        if (runs is null)
        {
            plans.Add((CleanPlan.Create(timepoints, options, keep, confounds, warnings), null));
            return plans;
        }
        if (runs.Count != timepoints)
            throw new NiSharpException($"the run labels have {runs.Count} entries but the signals have {timepoints} timepoints");
        var keptSet = keep is null ? null : new HashSet<int>(keep);
        foreach (var label in runs.Distinct().Order())
        {
            var rows = Enumerable.Range(0, timepoints).Where(t => runs[t] == label).ToArray();
            int[]? runKeep = keptSet is null ? null : rows.Select((r, i) => (r, i)).Where(x => keptSet.Contains(x.r)).Select(x => x.i).ToArray();
            var runConfounds = confounds?.SelectRows(rows);
            plans.Add((CleanPlan.Create(rows.Length, options, runKeep, runConfounds, warnings), rows));
        }
        return plans;
    }

    /// <summary>Checks a sample mask: kept indices, strictly increasing, within the run.</summary>
    internal static int[] CheckSampleMask(IReadOnlyList<int> sampleMask, int timepoints)
    {
        if (sampleMask.Count == 0) throw new AllVolumesRemovedException();
        var keep = sampleMask.ToArray();
        for (int i = 0; i < keep.Length; i++)
        {
            if (keep[i] < 0 || keep[i] >= timepoints)
                throw new NiSharpException($"the sample mask holds index {keep[i]}, outside 0..{timepoints - 1}");
            if (i > 0 && keep[i] <= keep[i - 1])
                throw new NiSharpException("the sample mask must list kept volumes in increasing order without repeats");
        }
        return keep;
    }

    /// <summary>
    /// Runs a plan over every column of <paramref name="source"/> (the run's rows, <paramref name="features"/>
    /// per row) into <paramref name="destination"/> starting at <paramref name="destinationOffset"/>, in
    /// parallel blocks. Source and destination may be the same array with offset 0.
    /// </summary>
    internal static void Run<T>(CleanPlan plan, T[] source, T[] destination, int destinationOffset, int features)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int blocks = (features + BlockWidth - 1) / BlockWidth;
        var means = plan.DefersStandardization ? new double[2 * features] : null;
        ForEachBlock(plan, blocks, features, (col0, width, scratch) =>
            plan.ProcessBlock<T>(source.AsSpan(0, plan.InputRows * features), destination.AsSpan(destinationOffset, plan.OutputRows * features),
                features, col0, width, scratch, means is null ? default : means.AsSpan(2 * col0, 2 * width)));
        if (means is null) return;
        // psc in nilearn 0.14: the mean goes back in if cleaning removed it, judged over every column at once
        var original = new double[features];
        var cleaned = new double[features];
        for (int b = 0; b < blocks; b++)
        {
            int col0 = b * BlockWidth, width = Math.Min(BlockWidth, features - col0);
            means.AsSpan(2 * col0, width).CopyTo(original.AsSpan(col0));
            means.AsSpan(2 * col0 + width, width).CopyTo(cleaned.AsSpan(col0));
        }
        bool addBack = CleanPlan.PscAddsMeanBack(original, cleaned);
        ForEachBlock(plan, blocks, features, (col0, width, scratch) =>
            plan.StandardizeDeferred<T>(destination.AsSpan(destinationOffset, plan.OutputRows * features), features, col0, width,
                addBack ? original.AsSpan(col0, width) : default, scratch));
    }

    private delegate void BlockAction(int col0, int width, Span<double> scratch);

    // Columns in blocks of BlockWidth, in parallel when there is more than one, each with pooled scratch.
    private static void ForEachBlock(CleanPlan plan, int blocks, int features, BlockAction action)
    {
        int scratchLength = plan.ScratchLength(BlockWidth);
        void Do(int b, double[] scratch)
        {
            int col0 = b * BlockWidth;
            int width = Math.Min(BlockWidth, features - col0);
            action(col0, width, scratch.AsSpan(0, plan.ScratchLength(width)));
        }
        if (blocks <= 1)
        {
            var scratch = ArrayPool<double>.Shared.Rent(scratchLength);
            try { for (int b = 0; b < blocks; b++) Do(b, scratch); }
            finally { ArrayPool<double>.Shared.Return(scratch); }
            return;
        }
        Parallel.For(0, blocks,
            () => ArrayPool<double>.Shared.Rent(scratchLength),
            (b, _, scratch) => { Do(b, scratch); return scratch; },
            scratch => ArrayPool<double>.Shared.Return(scratch));
    }

    /// <summary>
    /// The effective parameters of a cleaning, under nilearn's names, for JSON sidecars: the options
    /// (<see cref="CleanOptions.ToParameters"/>) plus the confound names, the timepoints in and out and
    /// the kept volumes.
    /// </summary>
    public static Dictionary<string, object?> EffectiveParameters(CleanOptions options, IReadOnlyList<string>? confoundNames = null,
        IReadOnlyList<int>? sampleMask = null, int? timepoints = null, IReadOnlyList<int>? runs = null)
    {
        var d = new Dictionary<string, object?>(options.ToParameters(), StringComparer.Ordinal);
        d["confounds"] = confoundNames?.ToArray();
        d["n_confounds"] = confoundNames?.Count ?? 0;
        d["sample_mask"] = sampleMask?.ToArray();
        if (timepoints is int n)
        {
            d["n_timepoints_in"] = n;
            d["n_timepoints_out"] = sampleMask?.Count ?? n;
        }
        d["n_runs"] = runs is null ? 1 : runs.Distinct().Count();
        return d;
    }
}
