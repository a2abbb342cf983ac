using NiSharp.Signal;

namespace NiSharp.Tests.Signal;

/// <summary>A run's cleanings share their plans (<see cref="CleanPlanCache"/>): the same plan and warnings for the same
/// inputs, its own for any other, and what is cleaned with a shared plan is what is cleaned alone.</summary>
public class CleanPlanCacheTests
{
    private static SignalMatrix<double> Series(int n, int k, double phase)
    {
        var m = new SignalMatrix<double>(n, k);
        for (int t = 0; t < n; t++)
            for (int j = 0; j < k; j++) m[t, j] = Math.Sin(0.3 * t * (j + 1) + phase) + 0.01 * t * (j - 1);
        return m;
    }

    [Fact]
    public void Same_inputs_share_a_plan_and_its_warnings_and_clean_as_alone()
    {
        int n = 60;
        var confounds = Series(n, 3, 0.7);
        int[] mask = [.. Enumerable.Range(0, n).Where(t => t % 9 != 4)];
        // Filtering with confounds that are neither detrended nor standardised: one warning, repeated to each user.
        var options = new CleanOptions { Detrend = false, StandardizeConfounds = false, Filter = SignalFilter.Butterworth, HighPass = 0.01, LowPass = 0.1, RepetitionTime = 2 };
        var cache = new CleanPlanCache();
        var w1 = new List<string>();
        var w2 = new List<string>();
        var first = cache.Plan(n, options, confounds, mask, w1);
        var again = cache.Plan(n, options with { }, confounds, mask, w2);
        Assert.Same(first, again);
        Assert.Single(w1);
        Assert.Equal(w1, w2);
        // Anything else gets its own plan: other cleaning, other confounds (even equal ones), other mask, other length.
        Assert.NotSame(first, cache.Plan(n, options with { LowPass = 0.08 }, confounds, mask, null));
        Assert.NotSame(first, cache.Plan(n, options, Series(n, 3, 0.7), mask, null));
        Assert.NotSame(first, cache.Plan(n, options, confounds, mask.ToArray(), null));
        Assert.NotSame(first, cache.Plan(n, options, confounds, null, null));

        foreach (var phase in new[] { 0.1, 2.0 })
        {
            var signals = Series(n, 5, phase);
            var alone = new List<string>();
            var shared = new List<string>();
            var expected = SignalCleaner.Clean(signals, options, confounds, mask, null, alone);
            var got = SignalCleaner.CleanWithPlans(signals, options, confounds, mask, null, shared, cache);
            Assert.Equal(expected.Data, got.Data);
            Assert.Equal(alone, shared);
        }
    }

    [Fact]
    public void A_plan_that_fails_is_not_kept()
    {
        var cache = new CleanPlanCache();
        var confounds = Series(10, 2, 0);
        confounds[3, 1] = double.NaN;
        Assert.Throws<NiSharpException>(() => cache.Plan(10, new CleanOptions(), confounds, null, null));
        Assert.Throws<NiSharpException>(() => cache.Plan(10, new CleanOptions(), confounds, null, null));
    }
}
