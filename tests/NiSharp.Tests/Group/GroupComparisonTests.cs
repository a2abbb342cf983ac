using NiSharp.Group;
using NiSharp.IO;

namespace NiSharp.Tests.Group;

/// <summary>Group splits, permutation p-values and FDR behaviour.</summary>
public class GroupComparisonTests
{
    private static ConnectomeFeature Feature(string name, params double[] values) =>
        new(name, FeatureKind.Edge, null, null, name, null, values);

    [Fact]
    public void Exact_permutation_p_of_a_perfect_split_is_2_over_20()
    {
        // 3 vs 3: C(6,3) = 20 splits. Only the observed split and its mirror reach |t| of the
        // observed one, so the two-sided exact p is 2/20.
        var f = Feature("e", 1, 2, 3, 4, 5, 6);
        var split = new GroupSplit("a", "b", [0, 0, 0, 1, 1, 1]);
        var table = GroupComparison.Run([f], split, new GroupComparisonOptions { Permutations = 1000 });
        Assert.True(table.ExactPermutation);
        Assert.Equal(20, table.PermutationsRun);
        Assert.Equal(0.1, table.Rows[0].PPermutation, 1e-15);
        Assert.Equal(-3.0, table.Rows[0].Difference, 1e-15);
        Assert.Equal(3, table.Rows[0].N1);
    }

    [Fact]
    public void Random_permutations_are_seeded_and_bounded()
    {
        var values = Enumerable.Range(0, 30).Select(i => Math.Sin(i * 1.7) + (i < 15 ? 0.8 : 0)).ToArray();
        var split = new GroupSplit("a", "b", Enumerable.Range(0, 30).Select(i => i < 15 ? 0 : 1).ToArray());
        var opts = new GroupComparisonOptions { Permutations = 2000, Seed = 7 };
        var r1 = GroupComparison.Run([Feature("e", values)], split, opts);
        var r2 = GroupComparison.Run([Feature("e", values)], split, opts);
        var r3 = GroupComparison.Run([Feature("e", values)], split, opts with { Seed = 8 });
        Assert.False(r1.ExactPermutation);
        Assert.Equal(r1.Rows[0].PPermutation, r2.Rows[0].PPermutation);
        double p = r1.Rows[0].PPermutation;
        Assert.InRange(p, 1.0 / 2001, 1.0);
        // Two seeds agree within Monte Carlo error, and both agree with the Welch p roughly.
        Assert.Equal(p, r3.Rows[0].PPermutation, 0.02);
        Assert.Equal(r1.Rows[0].Welch.P, p, 0.03);
    }

    [Fact]
    public void Missing_values_are_left_out_per_feature()
    {
        var f = Feature("e", 1, 2, double.NaN, 4, 5, 6, 7);
        var split = new GroupSplit("a", "b", [0, 0, 0, 1, 1, 1, -1]);
        var row = GroupComparison.Run([f], split, new GroupComparisonOptions { Permutations = 0 }).Rows[0];
        Assert.Equal(2, row.N1);
        Assert.Equal(3, row.N2);
        Assert.Equal(1.5, row.Mean1);
        Assert.Equal(5.0, row.Mean2);
        Assert.True(double.IsNaN(row.PPermutation));
    }

    [Fact]
    public void Fdr_false_positive_rate_on_a_null_cohort_stays_at_the_level()
    {
        // 400 null cohorts (no group difference), each 12 vs 12 subjects and 60 independent edges.
        // Under the complete null every discovery is false, so the FDR equals the chance of any
        // discovery; BH keeps it at α = 0.05. With 400 cohorts the estimate's SD is ≈ 0.011, so we
        // allow two SDs over α.
        var rng = new Random(2024);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        const int cohorts = 400, edges = 60, n = 24;
        var split = new GroupSplit("a", "b", Enumerable.Range(0, n).Select(i => i % 2).ToArray());
        int withFalseDiscovery = 0, uncorrectedHits = 0;
        for (int c = 0; c < cohorts; c++)
        {
            var features = Enumerable.Range(0, edges).Select(e => Feature($"e{e}", Enumerable.Range(0, n).Select(_ => 0.3 + 0.2 * Normal()).ToArray())).ToArray();
            var table = GroupComparison.Run(features, split, new GroupComparisonOptions { Permutations = 0, FdrLevel = 0.05 });
            if (table.Rows.Any(r => r.Significant)) withFalseDiscovery++;
            uncorrectedHits += table.Rows.Count(r => r.Welch.P <= 0.05);
        }
        double fdr = withFalseDiscovery / (double)cohorts;
        Assert.True(fdr <= 0.05 + 2 * Math.Sqrt(0.05 * 0.95 / cohorts), $"FDR {fdr}");
        // Sanity: the uncorrected tests do reject about 5 % of the null edges, so the correction mattered.
        Assert.InRange(uncorrectedHits / (double)(cohorts * edges), 0.04, 0.06);
    }

    [Fact]
    public void Fdr_with_permutation_p_on_a_null_cohort_stays_at_the_level()
    {
        var rng = new Random(99);
        const int cohorts = 60, edges = 40, n = 16;
        var split = new GroupSplit("a", "b", Enumerable.Range(0, n).Select(i => i < n / 2 ? 0 : 1).ToArray());
        int withFalseDiscovery = 0;
        for (int c = 0; c < cohorts; c++)
        {
            var features = Enumerable.Range(0, edges).Select(e => Feature($"e{e}", Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray())).ToArray();
            var table = GroupComparison.Run(features, split, new GroupComparisonOptions { Permutations = 500, Seed = c });
            if (table.Rows.Any(r => r.Significant)) withFalseDiscovery++;
        }
        // (1 + count)/(1 + B) p-values are conservative; the rate should be at most α (+2 SD for 60 cohorts).
        Assert.True(withFalseDiscovery / (double)cohorts <= 0.05 + 2 * Math.Sqrt(0.05 * 0.95 / cohorts));
    }

    [Fact]
    public void Participants_split_accepts_ids_with_or_without_sub_and_leaves_other_groups_out()
    {
        var table = TsvTable.Parse(["participant_id\tdiagnosis", "sub-10159\tCONTROL", "sub-50010\tSCHZ", "sub-60001\tBIPOLAR", "10171\tCONTROL"], "participants.tsv");
        var split = GroupSplit.FromParticipants(table, "diagnosis", "CONTROL", "SCHZ", ["10159", "sub-50010", "60001", "sub-10171"]);
        Assert.Equal([0, 1, -1, 0], split.Membership);

        var e = Assert.Throws<NiSharpException>(() => GroupSplit.FromParticipants(table, "diagnosis", "CONTROL", "SCHZ", ["99999"], ["m/sub-99999_relmat.tsv"]));
        Assert.Contains("m/sub-99999_relmat.tsv", e.Message);
        Assert.Contains("not in participants.tsv", e.Message);
        var e2 = Assert.Throws<NiSharpException>(() => GroupSplit.FromParticipants(table, "diagnosis", "CONTROL", "SCZ", ["10159"]));
        Assert.Contains("SCZ", e2.Message);
        Assert.Throws<NiSharpException>(() => GroupSplit.FromParticipants(table, "group", "CONTROL", "SCHZ", ["10159"]));
    }

    [Fact]
    public void Id_rule_splits_as_the_lesson_does()
    {
        // The lesson: ids starting with 1 are controls, with 5 schizophrenia.
        var ids = new[] { "sub-10565", "sub-50035", "10171", "50047", "sub-70001" };
        var split = GroupSplit.FromIdPatterns("1*", "5*", ids);
        Assert.Equal([0, 1, 0, 1, -1], split.Membership);
    }

    [Fact]
    public void Subject_ids_come_from_the_bids_entity_or_the_leading_token()
    {
        Assert.Equal("10159", SubjectIds.FromPath("/x/sub-10159_task-rest_relmat.tsv"));
        Assert.Equal("10159", SubjectIds.FromPath("/x/10159_relmat.tsv"));
        Assert.Equal("abc", SubjectIds.FromPath("abc.tsv"));
    }

    [Fact]
    public void Too_small_groups_are_refused()
    {
        var e = Assert.Throws<NiSharpException>(() => GroupComparison.Run([Feature("e", 1, 2, 3)], new GroupSplit("a", "b", [0, 1, 1])));
        Assert.Contains("at least 2", e.Message);
    }

    [Fact]
    public void Binomial_counts_splits()
    {
        Assert.Equal(20, GroupComparison.Binomial(6, 3));
        Assert.Equal(924, GroupComparison.Binomial(12, 6));
        Assert.Equal(long.MaxValue, GroupComparison.Binomial(200, 100));
        var all = GroupComparison.Relabellings(5, 2, 100, 0, out bool exact);
        Assert.True(exact);
        Assert.Equal(10, all.Select(g => string.Join(",", g)).Distinct().Count());
    }

    [Theory]
    [InlineData(0.04321, "0.0432")]
    [InlineData(1.0, "1.0000")]
    [InlineData(0.0, "0.0000")]
    [InlineData(4.0e-5, "4.0e-5")]
    [InlineData(9.999e-5, "1.0e-4")]
    [InlineData(3.2e-12, "3.2e-12")]
    [InlineData(double.NaN, "n/a")]
    public void P_values_below_1e_4_are_printed_in_scientific_notation_not_as_zero(double p, string expected) =>
        Assert.Equal(expected, GroupComparisonTable.FormatP(p));
}
