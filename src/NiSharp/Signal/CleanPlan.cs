namespace NiSharp.Signal;

/// <summary>
/// Everything about one run's cleaning that does not depend on the signal values: which rows enter,
/// which censored rows are interpolated, the detrend ramp, the filter, the rows kept after filtering,
/// and the confound projection (the confounds are prepared once here, in float64). Blocks of signal
/// columns are then pushed through <see cref="ProcessBlock{T}"/> independently, in parallel.
/// </summary>
internal sealed class CleanPlan
{
    public required CleanOptions Options { get; init; }
    public required int InputRows { get; init; }
    /// <summary>Input rows gathered into the working block, in order.</summary>
    public required int[] LoadRows { get; init; }
    /// <summary>Positions (in the working block) of the kept rows that serve as spline knots.</summary>
    public int[]? KnotRows { get; init; }
    /// <summary>Positions (in the working block) replaced by the spline, and their times.</summary>
    public int[]? QueryRows { get; init; }
    public double[]? QueryTimes { get; init; }
    public CubicSpline? Spline { get; init; }
    public ZeroPhaseFilter? Filter { get; init; }
    /// <summary>Positions (in the working block) kept after filtering; null keeps all.</summary>
    public int[]? KeepAfterFilter { get; init; }
    public ConfoundProjection? Projection { get; init; }
    /// <summary>nilearn 0.10.4: the pre-detrend mean is added back before standardising.</summary>
    public required bool ReaddMean { get; init; }
    /// <summary>nilearn 0.14 with <c>psc</c>: whether the mean is added back is decided over every column once all
    /// are cleaned, so the standardisation waits (<see cref="ProcessBlock{T}"/> leaves it to
    /// <see cref="StandardizeDeferred{T}"/>).</summary>
    public bool DefersStandardization => Options.Semantics == NilearnSemantics.V0_14 && Options.Standardize == StandardizeMethod.Psc;
    public required double[] DetrendRegressor { get; init; }
    public required double[] DetrendRegressorSingle { get; init; }

    public int WorkingRows => LoadRows.Length;
    public int OutputRows => KeepAfterFilter?.Length ?? LoadRows.Length;

    /// <summary>Scratch values one block of <paramref name="width"/> columns needs.</summary>
    public int ScratchLength(int width)
    {
        int pad = Filter?.PadLength ?? 0;
        int w = WorkingRows;
        int rank = Projection?.Rank ?? 0;
        int knots = KnotRows?.Length ?? 0;
        int queries = QueryRows?.Length ?? 0;
        // block | mean | 2 rows of statistics | the largest of filter extension, projection, spline
        return width * (w + 3 + Math.Max(w + 2 * pad, Math.Max(rank + 1, knots + queries)));
    }

    /// <summary>
    /// Builds the plan for one run of <paramref name="rows"/> timepoints. <paramref name="keep"/> is the
    /// run's sample mask (strictly increasing positions) or null; <paramref name="confounds"/> the run's
    /// confound rows or null.
    /// </summary>
    public static CleanPlan Create(int rows, CleanOptions o, int[]? keep, SignalMatrix<double>? confounds, ICollection<string>? warnings)
    {
        if (keep is { Length: 0 }) throw new AllVolumesRemovedException();
        bool butter = o.UsesButterworth;
        ZeroPhaseFilter? filter = !butter ? null
            : o.Semantics == NilearnSemantics.V0_10_4
                ? Butterworth.Design(o.LowPass, o.HighPass, 1.0 / o.RepetitionTime!.Value, CleanOptions.ButterworthOrder, warnings)
                : Butterworth.DesignSections(o.LowPass, o.HighPass, 1.0 / o.RepetitionTime!.Value, CleanOptions.ButterworthOrder, warnings);
        if (butter && filter is null) butter = false; // band collapsed: nilearn returns the signals unfiltered

        if (o.UsesCosine)
        {
            var drift = CosineDrift.Create(o.HighPass!.Value, rows, o.RepetitionTime!.Value, warnings);
            if (drift.Features == 0)
                warnings?.Add("no cosine drift term was created: the run is too short or high_pass too low");
            else if (confounds is null)
                confounds = drift;
            else if (CosineDrift.AlreadyInConfounds(drift, confounds))
                warnings?.Add("cosine drift terms already exist in the confounds (correlation above 0.9): only the given confounds are used");
            else
                confounds = HStack(confounds, drift);
        }

        int[] load;
        int[]? knotRows = null, queryRows = null, keepAfter = null;
        double[]? queryTimes = null;
        CubicSpline? spline = null;
        if (keep is null)
        {
            load = Enumerable.Range(0, rows).ToArray();
        }
        else if (!butter)
        {
            // No filter, or cosine: censor first.
            load = keep;
        }
        else
        {
            // Butterworth: interpolate the censored volumes, filter, then drop the censored rows.
            double tr = o.RepetitionTime!.Value;
            (load, knotRows, queryRows, keepAfter) = o.CensoredInterpolation == CensoredInterpolation.NilearnIndexMask
                ? NilearnIndexMaskLayout(rows, keep, o.Extrapolate)
                : InterpolationLayout(rows, keep, o.Extrapolate);
            queryTimes = queryRows.Select(q => load[q] * tr).ToArray();
            spline = new CubicSpline(keep.Select(k => k * tr).ToArray());
        }

        ConfoundProjection? projection = null;
        if (confounds is not null && confounds.Features > 0)
            projection = PrepareConfounds(confounds, o, load, knotRows, queryRows, queryTimes, spline, filter, keepAfter);

        return new CleanPlan
        {
            Options = o,
            InputRows = rows,
            LoadRows = load,
            KnotRows = knotRows,
            QueryRows = queryRows,
            QueryTimes = queryTimes,
            Spline = spline,
            Filter = butter ? filter : null,
            KeepAfterFilter = keepAfter,
            Projection = projection,
            // nilearn 0.10.4 re-adds the pre-detrend mean before standardising when it Butterworth-filters,
            // and for psc after detrending (otherwise the mean it divides by would be ~0).
            ReaddMean = o.Semantics == NilearnSemantics.V0_10_4 && o.Standardize != StandardizeMethod.None
                && (butter || (o.Standardize == StandardizeMethod.Psc && o.Detrend)),
            DetrendRegressor = Detrending.Regressor(load.Length, single: false),
            DetrendRegressorSingle = Detrending.Regressor(load.Length, single: true),
        };
    }

    // The intended interpolation: every censored volume between the first and last kept ones is replaced by the
    // spline; censored volumes before the first or after the last kept one are extrapolated, or (extrapolate=false)
    // left out of the filtering altogether.
    private static (int[] Load, int[] Knots, int[] Queries, int[] KeepAfter) InterpolationLayout(int rows, int[] keep, bool extrapolate)
    {
        int first = extrapolate ? 0 : keep[0], last = extrapolate ? rows - 1 : keep[^1];
        var load = Enumerable.Range(first, last - first + 1).ToArray();
        var kept = new bool[rows];
        foreach (var k in keep) kept[k] = true;
        var queries = load.Where(t => !kept[t]).Select(t => t - first).ToArray();
        var knots = keep.Select(k => k - first).ToArray();
        return (load, knots, queries, knots);
    }

    // nilearn's literal code (0.10.4 to 0.14.0, _handle_scrubbed_volumes): `volumes[~sample_mask] = spline[~sample_mask]`
    // on an integer index array replaces censored volume t only when volume n-1-t is kept; without extrapolation the
    // rows the spline left NaN are dropped, and the kept indices are shifted by the first kept one, whatever was dropped.
    private static (int[] Load, int[] Knots, int[] Queries, int[] KeepAfter) NilearnIndexMaskLayout(int rows, int[] keep, bool extrapolate)
    {
        var kept = new bool[rows];
        foreach (var k in keep) kept[k] = true;
        bool Replaced(int t) => !kept[t] && kept[rows - 1 - t];
        bool Dropped(int t) => !extrapolate && Replaced(t) && (t < keep[0] || t > keep[^1]);
        var load = Enumerable.Range(0, rows).Where(t => !Dropped(t)).ToArray();
        var position = new int[rows];
        for (int i = 0; i < load.Length; i++) position[load[i]] = i;
        var knots = keep.Select(k => position[k]).ToArray();
        var queries = load.Where(Replaced).Select(t => position[t]).ToArray();
        var keepAfter = extrapolate ? knots : keep.Select(k => k - keep[0]).ToArray();
        return (load, knots, queries, keepAfter);
    }

    private static SignalMatrix<double> HStack(SignalMatrix<double> a, SignalMatrix<double> b)
    {
        var m = new SignalMatrix<double>(a.Timepoints, a.Features + b.Features);
        for (int t = 0; t < a.Timepoints; t++)
        {
            a.Row(t).CopyTo(m.Row(t));
            b.Row(t).CopyTo(m.Row(t)[a.Features..]);
        }
        return m;
    }

    // The confounds go through the same interpolation, detrending, filtering and censoring as the
    // signals (Lindquist et al. 2018: keep the filters orthogonal), in float64, then are standardised.
    private static ConfoundProjection PrepareConfounds(SignalMatrix<double> confounds, CleanOptions o, int[] load,
        int[]? knotRows, int[]? queryRows, double[]? queryTimes, CubicSpline? spline, ZeroPhaseFilter? filter, int[]? keepAfter)
    {
        int k = confounds.Features;
        int w = load.Length;
        var block = new double[w * k];
        for (int i = 0; i < w; i++) confounds.Row(load[i]).CopyTo(block.AsSpan(i * k, k));
        if (spline is not null) Interpolate(block, k, spline, knotRows!, queryRows!, queryTimes!, o.Extrapolate, single: false, new double[(knotRows!.Length + queryRows!.Length) * k]);
        var scratch = new double[Math.Max(2 * k, k + 2)];
        if (o.Detrend) Detrending.RemoveLinearTrend(block, k, single: false, scratch);
        int rows = w;
        if (filter is not null)
        {
            filter.FiltFiltBlock(block, k, single: false, new double[(w + 2 * filter.PadLength) * k]);
            if (keepAfter is not null)
            {
                Compact(block, k, keepAfter);
                rows = keepAfter.Length;
            }
        }
        var kept = block.AsSpan(0, rows * k);
        if (o.StandardizeConfounds)
        {
            // z-scored with the sample std since nilearn 0.11 (the population std before): the same span, other rounding
            var ddof = o.Semantics == NilearnSemantics.V0_10_4 ? StandardizeMethod.ZScore : StandardizeMethod.ZScoreSample;
            Standardization.Standardize(kept, k, ddof, single: false, scratch);
        }
        else
        {
            // nilearn controls the range instead: divide by the largest |value| (a zero column stays zero).
            var max = new double[k];
            for (int t = 0; t < rows; t++)
                for (int j = 0; j < k; j++) max[j] = Math.Max(max[j], Math.Abs(kept[t * k + j]));
            for (int t = 0; t < rows; t++)
                for (int j = 0; j < k; j++) kept[t * k + j] /= max[j] == 0 ? 1 : max[j];
        }
        return new ConfoundProjection(kept, rows, k);
    }

    /// <summary>Replaces the query rows of a time-major block by the spline through its knot rows.</summary>
    internal static void Interpolate(Span<double> block, int width, CubicSpline spline, int[] knotRows, int[] queryRows,
        double[] queryTimes, bool extrapolate, bool single, Span<double> scratch)
    {
        if (queryRows.Length == 0) return;
        var y = scratch[..(knotRows.Length * width)];
        for (int i = 0; i < knotRows.Length; i++) block.Slice(knotRows[i] * width, width).CopyTo(y.Slice(i * width, width));
        var res = scratch.Slice(knotRows.Length * width, queryRows.Length * width);
        spline.Evaluate(y, width, queryTimes, res, extrapolate);
        for (int i = 0; i < queryRows.Length; i++)
        {
            var dst = block.Slice(queryRows[i] * width, width);
            res.Slice(i * width, width).CopyTo(dst);
            BlockArithmetic.Round(dst, single);
        }
    }

    /// <summary>Moves rows <paramref name="keep"/> (increasing) to the top of the block.</summary>
    internal static void Compact(Span<double> block, int width, int[] keep)
    {
        for (int i = 0; i < keep.Length; i++)
            if (keep[i] != i) block.Slice(keep[i] * width, width).CopyTo(block.Slice(i * width, width));
    }

    /// <summary>
    /// Cleans columns <paramref name="col0"/> .. +<paramref name="width"/> of <paramref name="source"/>
    /// (this run's rows, <paramref name="stride"/> values per row) into the same columns of
    /// <paramref name="destination"/> (<see cref="OutputRows"/> rows). Source and destination may be the
    /// same memory: the block is read completely before anything is written. When the plan
    /// <see cref="DefersStandardization"/>, the columns are left unstandardised and <paramref name="means"/>
    /// (2 × <paramref name="width"/>) receives each column's mean before detrending, then after cleaning.
    /// </summary>
    public void ProcessBlock<T>(ReadOnlySpan<T> source, Span<T> destination, int stride, int col0, int width, Span<double> scratch,
        Span<double> means = default)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        var o = Options;
        int w = WorkingRows;
        var block = scratch[..(w * width)];
        var rest = scratch[(w * width)..];
        for (int i = 0; i < w; i++)
        {
            var src = source.Slice(LoadRows[i] * stride + col0, width);
            var dst = block.Slice(i * width, width);
            for (int j = 0; j < width; j++)
            {
                double v = double.CreateTruncating(src[j]);
                dst[j] = o.EnsureFinite && !double.IsFinite(v) ? 0 : v;
            }
        }
        if (Spline is not null)
            Interpolate(block, width, Spline, KnotRows!, QueryRows!, QueryTimes!, o.Extrapolate, single, rest[(3 * width)..]);

        var mean0 = rest[..width];
        var scratch2 = rest.Slice(width, 2 * width);
        if (ReaddMean || DefersStandardization) BlockArithmetic.ColumnMeans(block, width, mean0, single);
        if (o.Detrend) Detrending.RemoveLinearTrend(block, width, single, scratch2, single ? DetrendRegressorSingle : DetrendRegressor);
        int rows = w;
        if (Filter is not null)
        {
            Filter.FiltFiltBlock(block, width, single, rest[(3 * width)..]);
            if (KeepAfterFilter is not null)
            {
                Compact(block, width, KeepAfterFilter);
                rows = KeepAfterFilter.Length;
            }
        }
        var kept = block[..(rows * width)];
        Projection?.ProjectOut(kept, width, single, rest[(3 * width)..]);
        if (DefersStandardization)
        {
            mean0.CopyTo(means[..width]);
            BlockArithmetic.ColumnMeans(kept, width, means.Slice(width, width), single);
        }
        else if (o.Standardize != StandardizeMethod.None)
        {
            if (ReaddMean) BlockArithmetic.AddToRows(kept, width, mean0, single);
            Standardization.Standardize(kept, width, o.Standardize, single, scratch2);
        }
        for (int t = 0; t < rows; t++)
        {
            var src = kept.Slice(t * width, width);
            var dst = destination.Slice(t * stride + col0, width);
            for (int j = 0; j < width; j++) dst[j] = T.CreateTruncating(src[j]);
        }
    }

    /// <summary>
    /// nilearn 0.14's test before <c>psc</c>: the signals' mean is added back when cleaning (detrending, a high-pass
    /// filter) brought the columns' mean magnitude below a tenth of what it was. It is one decision for all columns.
    /// </summary>
    public static bool PscAddsMeanBack(ReadOnlySpan<double> originalMeans, ReadOnlySpan<double> cleanedMeans)
    {
        double before = 0, after = 0;
        for (int j = 0; j < originalMeans.Length; j++)
        {
            before += Math.Abs(originalMeans[j]);
            after += Math.Abs(cleanedMeans[j]);
        }
        return after / before < 0.1; // 0/0 is NaN: false, as in numpy
    }

    /// <summary>
    /// The standardisation <see cref="ProcessBlock{T}"/> left out when the plan <see cref="DefersStandardization"/>:
    /// columns <paramref name="col0"/> .. +<paramref name="width"/> of <paramref name="signals"/>
    /// (<see cref="OutputRows"/> rows), with <paramref name="addBack"/> (the means before detrending) added first
    /// unless it is empty.
    /// </summary>
    public void StandardizeDeferred<T>(Span<T> signals, int stride, int col0, int width, ReadOnlySpan<double> addBack, Span<double> scratch)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        int rows = OutputRows;
        var block = scratch[..(rows * width)];
        for (int t = 0; t < rows; t++)
        {
            var src = signals.Slice(t * stride + col0, width);
            var dst = block.Slice(t * width, width);
            for (int j = 0; j < width; j++) dst[j] = double.CreateTruncating(src[j]);
        }
        if (!addBack.IsEmpty) BlockArithmetic.AddToRows(block, width, addBack, single);
        Standardization.Standardize(block, width, Options.Standardize, single, scratch.Slice(rows * width, 2 * width));
        for (int t = 0; t < rows; t++)
        {
            var src = block.Slice(t * width, width);
            var dst = signals.Slice(t * stride + col0, width);
            for (int j = 0; j < width; j++) dst[j] = T.CreateTruncating(src[j]);
        }
    }
}
