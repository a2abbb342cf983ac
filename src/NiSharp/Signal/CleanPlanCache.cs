namespace NiSharp.Signal;

/// <summary>
/// Cleaning plans shared by the callers that clean alike — a run's atlases, and their QC: a plan (confound projection,
/// filter, interpolation of censored volumes) depends on the number of timepoints, the cleaning, the confounds and the
/// sample mask, never on the signals, and is read, never written. The confounds and the sample mask are matched by
/// identity: the owner (one run's analysis) keeps them unchanged while the cache lives.
/// </summary>
internal sealed class CleanPlanCache
{
    private readonly List<Entry> _entries = [];

    private sealed record Entry(int Timepoints, CleanOptions Options, SignalMatrix<double>? Confounds, IReadOnlyList<int>? SampleMask,
        List<(CleanPlan Plan, int[]? Rows)> Plans, string[] Warnings);

    /// <summary><see cref="SignalCleaner.Plan"/> of one run, planned once per cleaning: a later call with the same inputs gets
    /// the same plans and the same warnings.</summary>
    public List<(CleanPlan Plan, int[]? Rows)> Plan(int timepoints, CleanOptions options, SignalMatrix<double>? confounds,
        IReadOnlyList<int>? sampleMask, ICollection<string>? warnings)
    {
        foreach (var e in _entries)
            if (e.Timepoints == timepoints && e.Options == options && ReferenceEquals(e.Confounds, confounds) && ReferenceEquals(e.SampleMask, sampleMask))
            {
                foreach (var w in e.Warnings) warnings?.Add(w);
                return e.Plans;
            }
        var own = new List<string>();
        var plans = SignalCleaner.Plan(timepoints, options, confounds, sampleMask, null, own);
        foreach (var w in own) warnings?.Add(w);
        _entries.Add(new Entry(timepoints, options, confounds, sampleMask, plans, own.ToArray()));
        return plans;
    }
}
