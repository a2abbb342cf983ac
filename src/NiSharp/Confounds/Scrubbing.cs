namespace NiSharp.Confounds;

/// <summary>
/// Power et al. (2014) scrubbing as nilearn's <c>load_confounds</c> does it: a volume is an outlier when
/// its framewise displacement exceeds <c>fd_threshold</c> or its standardised DVARS exceeds
/// <c>std_dvars_threshold</c> (NaN never does), then segments of fewer than <c>scrub</c> volumes left
/// between outliers or at either end are censored too.
/// </summary>
public static class Scrubbing
{
    /// <summary>Indices of the outlier volumes (sorted), before the minimum-segment rule.</summary>
    public static int[] Outliers(ReadOnlySpan<double> framewiseDisplacement, ReadOnlySpan<double> stdDvars, double fdThreshold, double stdDvarsThreshold)
    {
        var list = new List<int>();
        for (int t = 0; t < framewiseDisplacement.Length; t++)
            if (framewiseDisplacement[t] > fdThreshold || stdDvars[t] > stdDvarsThreshold) list.Add(t);
        return list.ToArray();
    }

    /// <summary>
    /// nilearn's <c>optimize_scrub</c>: adds the volumes before the first outlier when fewer than
    /// <paramref name="minSegment"/>, the volumes after the last one when fewer than that, and every gap of
    /// 1..<paramref name="minSegment"/> volumes between outliers. Returns sorted unique indices.
    /// </summary>
    public static int[] ApplyMinimumSegment(IReadOnlyList<int> outliers, int volumes, int minSegment)
    {
        if (minSegment <= 0 || outliers.Count == 0) return outliers.Distinct().Order().ToArray();
        var set = new SortedSet<int>(outliers);
        int first = set.Min, last = set.Max;
        if (first < minSegment)
            for (int t = 0; t < first; t++) set.Add(t);
        if (volumes - (last + 1) < minSegment)
            for (int t = last; t < volumes; t++) set.Add(t);
        var sorted = set.ToArray();
        for (int i = 0; i + 1 < sorted.Length; i++)
        {
            int gap = sorted[i + 1] - sorted[i];
            if (gap > 1 && gap < minSegment + 1)
                for (int t = sorted[i] + 1; t < sorted[i + 1]; t++) set.Add(t);
        }
        return set.ToArray();
    }
}
