using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.IO;

namespace NiSharp.Group;

/// <summary>Parameters of <see cref="GroupComparison.Run"/>.</summary>
public sealed record GroupComparisonOptions
{
    /// <summary>Random relabellings for the permutation p-value (0 = none). When the number of distinct
    /// splits of the subjects is not larger than this, every split is enumerated instead (exact test).</summary>
    public int Permutations { get; init; } = 10000;

    /// <summary>Seed of the relabelling generator, so that a rerun gives the same p-values.</summary>
    public int Seed { get; init; }

    /// <summary>The false discovery rate level that <see cref="FeatureComparison.Significant"/> uses.</summary>
    public double FdrLevel { get; init; } = 0.05;
}

/// <summary>The comparison of one feature between the two groups.</summary>
/// <param name="Feature">What was compared.</param>
/// <param name="N1">Subjects of group 1 with a value.</param>
/// <param name="N2">Subjects of group 2 with a value.</param>
/// <param name="Mean1">Mean of group 1.</param>
/// <param name="Mean2">Mean of group 2.</param>
/// <param name="Sd1">Sample SD (n−1) of group 1.</param>
/// <param name="Sd2">Sample SD of group 2.</param>
/// <param name="Difference">Mean1 − Mean2.</param>
/// <param name="CohensD">Difference / pooled SD.</param>
/// <param name="Welch">Welch's t, degrees of freedom and two-sided p.</param>
/// <param name="PFdr">Benjamini–Hochberg adjusted Welch p across the tested features.</param>
/// <param name="PPermutation">Two-sided permutation p of |Welch t| (NaN without permutations).</param>
/// <param name="PPermutationFdr">Benjamini–Hochberg adjusted permutation p.</param>
/// <param name="Significant">Whether the FDR-adjusted p (the permutation one when permutations ran) is ≤ the level.</param>
public sealed record FeatureComparison(ConnectomeFeature Feature, int N1, int N2, double Mean1, double Mean2, double Sd1, double Sd2,
    double Difference, double CohensD, WelchTest Welch, double PFdr, double PPermutation, double PPermutationFdr, bool Significant);

/// <summary>The result of a group comparison: one row per feature, writable as a TSV with a JSON sidecar.</summary>
/// <param name="Group1">Name of the first group.</param>
/// <param name="Group2">Name of the second group.</param>
/// <param name="Rows">One row per tested feature, in input order.</param>
/// <param name="Options">The parameters used.</param>
/// <param name="PermutationsRun">Relabellings actually evaluated (all splits when exact).</param>
/// <param name="ExactPermutation">Whether every split was enumerated.</param>
public sealed record GroupComparisonTable(string Group1, string Group2, IReadOnlyList<FeatureComparison> Rows,
    GroupComparisonOptions Options, long PermutationsRun, bool ExactPermutation)
{
    /// <summary>A p-value for people to read: four decimals, or scientific notation below 1e-4 (where four decimals
    /// would print 0.0000, which claims a certainty no test gives); <c>n/a</c> for NaN.</summary>
    public static string FormatP(double p) =>
        double.IsNaN(p) ? "n/a"
        : p != 0 && Math.Abs(p) < 1e-4 ? p.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture)
        : p.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The TSV columns, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "feature", "type", "label_a", "label_b", "region_a", "region_b", "group1", "group2", "n1", "n2",
        "mean1", "mean2", "sd1", "sd2", "difference", "cohens_d", "t", "df", "p", "p_fdr",
        "p_permutation", "p_permutation_fdr", "significant",
    ];

    /// <summary>Writes the table (BIDS-style TSV, <c>n/a</c> for missing) and a JSON sidecar of the
    /// parameters beside it, both atomically.</summary>
    public void Write(string path, JsonObject? extra = null)
    {
        static string F(double v) => TsvTable.FormatNumber(v);
        static string I(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "n/a";
        var sb = new StringBuilder();
        sb.AppendJoin('\t', Columns).Append('\n');
        foreach (var r in Rows)
        {
            var f = r.Feature;
            sb.AppendJoin('\t',
                f.Name, f.Kind == FeatureKind.Edge ? "edge" : "network_mean", I(f.LabelA), I(f.LabelB), f.RegionA, f.RegionB ?? "n/a",
                Group1, Group2, I(r.N1), I(r.N2), F(r.Mean1), F(r.Mean2), F(r.Sd1), F(r.Sd2), F(r.Difference), F(r.CohensD),
                F(r.Welch.T), F(r.Welch.DegreesOfFreedom), F(r.Welch.P), F(r.PFdr), F(r.PPermutation), F(r.PPermutationFdr),
                r.Significant ? "true" : "false").Append('\n');
        }
        var meta = extra is null ? new JsonObject() : (JsonObject)extra.DeepClone();
        meta["Group1"] = Group1;
        meta["Group2"] = Group2;
        meta["Difference"] = "mean1 - mean2 (group1 minus group2)";
        meta["CohensD"] = "difference / pooled sample SD";
        meta["Test"] = "Welch two-sample t-test, two-sided (Student t distribution, Welch-Satterthwaite df)";
        meta["Permutations"] = Options.Permutations;
        meta["PermutationsRun"] = PermutationsRun;
        meta["ExactPermutation"] = ExactPermutation;
        meta["PermutationStatistic"] = "|Welch t|; group labels relabelled across subjects, the same relabelling for every feature";
        meta["PermutationP"] = ExactPermutation ? "share of all splits with |t| >= observed" : "(1 + count of |t| >= observed) / (1 + permutations)";
        meta["Seed"] = Options.Seed;
        meta["Fdr"] = "Benjamini-Hochberg across the tested features";
        meta["FdrLevel"] = Options.FdrLevel;
        meta["Significant"] = Options.Permutations > 0 ? "p_permutation_fdr <= FdrLevel" : "p_fdr <= FdrLevel";
        AtomicFile.WriteAllText(path, sb.ToString());
        AtomicFile.WriteAllText(Path.ChangeExtension(path, ".json"), meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}

/// <summary>
/// Compares connectivity features between two groups of subjects: group means, difference, Cohen's
/// d, Welch's t-test, a permutation test and Benjamini–Hochberg FDR across the features.
/// </summary>
public static class GroupComparison
{
    /// <summary>Runs the comparison.</summary>
    /// <param name="features">Features with one value per subject (NaN = missing for that subject).</param>
    /// <param name="split">Group of each subject; subjects in neither group are left out.</param>
    /// <param name="options">Permutations, seed and FDR level.</param>
    /// <exception cref="NiSharpException">A group with fewer than 2 subjects, or bad options.</exception>
    public static GroupComparisonTable Run(IReadOnlyList<ConnectomeFeature> features, GroupSplit split, GroupComparisonOptions? options = null)
    {
        options ??= new GroupComparisonOptions();
        if (options.Permutations < 0) throw NiSharpException.InParameter("permutations", " must be 0 or more");
        if (!(options.FdrLevel > 0 && options.FdrLevel < 1)) throw new NiSharpException("the FDR level must be between 0 and 1");
        var included = Enumerable.Range(0, split.Membership.Count).Where(s => split.Membership[s] >= 0).ToArray();
        var isGroup1 = included.Select(s => split.Membership[s] == 0).ToArray();
        int n1 = isGroup1.Count(g => g), n = included.Length, n2 = n - n1;
        if (n1 < 2 || n2 < 2)
            throw new NiSharpException($"each group needs at least 2 subjects; '{split.Group1}' has {n1}, '{split.Group2}' has {n2}");
        foreach (var f in features)
            if (f.Values.Length != split.Membership.Count)
                throw new ArgumentException($"feature {f.Name} has {f.Values.Length} values for {split.Membership.Count} subjects");

        // Values of the included subjects, centred per feature (keeps the sum-based t of the
        // permutation loop accurate whatever the scale), NaN kept as missing.
        int m = features.Count;
        var x = new double[m][];
        for (int f = 0; f < m; f++)
        {
            var row = new double[n];
            for (int k = 0; k < n; k++) row[k] = features[f].Values[included[k]];
            x[f] = row;
        }

        var rows = new FeatureComparison[m];
        var welchP = new double[m];
        for (int f = 0; f < m; f++)
        {
            var a = Select(x[f], isGroup1, true);
            var b = Select(x[f], isGroup1, false);
            var (c1, m1, v1) = GroupStatistics.Describe(a);
            var (c2, m2, v2) = GroupStatistics.Describe(b);
            var welch = GroupStatistics.Welch(c1, m1, v1, c2, m2, v2);
            welchP[f] = welch.P;
            rows[f] = new FeatureComparison(features[f], c1, c2, m1, m2, Math.Sqrt(v1), Math.Sqrt(v2), m1 - m2,
                GroupStatistics.CohensD(c1, m1, v1, c2, m2, v2), welch, double.NaN, double.NaN, double.NaN, false);
        }
        var q = GroupStatistics.BenjaminiHochberg(welchP);

        var permP = new double[m];
        Array.Fill(permP, double.NaN);
        long run = 0; bool exact = false;
        if (options.Permutations > 0)
        {
            var relabellings = Relabellings(n, n1, options.Permutations, options.Seed, out exact);
            run = relabellings.Count;
            permP = PermutationP(x, isGroup1, relabellings, exact);
        }
        var qPerm = GroupStatistics.BenjaminiHochberg(permP);
        for (int f = 0; f < m; f++)
        {
            double decide = options.Permutations > 0 ? qPerm[f] : q[f];
            rows[f] = rows[f] with { PFdr = q[f], PPermutation = permP[f], PPermutationFdr = qPerm[f], Significant = decide <= options.FdrLevel };
        }
        return new GroupComparisonTable(split.Group1, split.Group2, rows, options, run, exact);
    }

    private static double[] Select(double[] values, bool[] isGroup1, bool first)
    {
        var r = new List<double>(values.Length);
        for (int k = 0; k < values.Length; k++) if (isGroup1[k] == first) r.Add(values[k]);
        return r.ToArray();
    }

    /// <summary>The number of ways to choose k of n, or long.MaxValue when it exceeds that.</summary>
    internal static long Binomial(int n, int k)
    {
        k = Math.Min(k, n - k);
        long c = 1;
        for (int i = 1; i <= k; i++)
        {
            // c·(n−k+i)/i stays an integer at every step; stop before overflowing.
            if (c > long.MaxValue / (n - k + i)) return long.MaxValue;
            c = c * (n - k + i) / i;
        }
        return c;
    }

    /// <summary>
    /// The group-1 member lists to evaluate: every k-subset of the n subjects when there are at most
    /// <paramref name="permutations"/> of them (exact), otherwise <paramref name="permutations"/>
    /// random ones (Fisher–Yates shuffles from a seeded generator).
    /// </summary>
    internal static List<int[]> Relabellings(int n, int k, int permutations, int seed, out bool exact)
    {
        var list = new List<int[]>();
        long total = Binomial(n, k);
        exact = total <= permutations;
        if (exact)
        {
            var comb = Enumerable.Range(0, k).ToArray();
            while (true)
            {
                list.Add((int[])comb.Clone());
                int i = k - 1;
                while (i >= 0 && comb[i] == n - k + i) i--;
                if (i < 0) break;
                comb[i]++;
                for (int j = i + 1; j < k; j++) comb[j] = comb[j - 1] + 1;
            }
            return list;
        }
        var rng = new Random(seed);
        var perm = Enumerable.Range(0, n).ToArray();
        for (int b = 0; b < permutations; b++)
        {
            for (int i = n - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (perm[i], perm[j]) = (perm[j], perm[i]);
            }
            var g = perm[..k];
            Array.Sort(g);
            list.Add(g);
        }
        return list;
    }

    /// <summary>Two-sided permutation p of |Welch t| per feature, with the same relabellings for all features.</summary>
    private static double[] PermutationP(double[][] x, bool[] isGroup1, List<int[]> relabellings, bool exact)
    {
        int m = x.Length, n = isGroup1.Length;
        var p = new double[m];
        var observedGroup1 = Enumerable.Range(0, n).Where(k => isGroup1[k]).ToArray();
        Parallel.For(0, m, f =>
        {
            var v = x[f];
            // Centre and total once; each relabelling then only sums over its group-1 members.
            int total = 0; double sum = 0;
            for (int k = 0; k < n; k++) if (!double.IsNaN(v[k])) { total++; sum += v[k]; }
            double centre = total > 0 ? sum / total : 0;
            var c = new double[n];
            var valid = new bool[n];
            double s = 0, q = 0;
            for (int k = 0; k < n; k++)
            {
                valid[k] = !double.IsNaN(v[k]);
                c[k] = valid[k] ? v[k] - centre : 0;
                s += c[k];
                q += c[k] * c[k];
            }
            double tObs = Math.Abs(TFromSums(c, valid, observedGroup1, total, s, q));
            if (double.IsNaN(tObs)) { p[f] = double.NaN; return; }
            // Relabellings whose |t| equals the observed one up to rounding count as "as extreme".
            double threshold = tObs * (1 - 1e-10);
            long count = 0;
            foreach (var g in relabellings)
            {
                double t = Math.Abs(TFromSums(c, valid, g, total, s, q));
                if (t >= threshold) count++;
            }
            p[f] = exact ? (double)count / relabellings.Count : (1.0 + count) / (1.0 + relabellings.Count);
        });
        return p;
    }

    /// <summary>Welch t of group 1 (the listed members) vs the rest, from sums of centred values.</summary>
    private static double TFromSums(double[] c, bool[] valid, int[] group1, int total, double sumAll, double sqAll)
    {
        int n1 = 0; double s1 = 0, q1 = 0;
        foreach (int k in group1)
        {
            if (!valid[k]) continue;
            n1++;
            double v = c[k];
            s1 += v;
            q1 += v * v;
        }
        int n2 = total - n1;
        if (n1 < 2 || n2 < 2) return double.NaN;
        double s2 = sumAll - s1, q2 = sqAll - q1;
        double m1 = s1 / n1, m2 = s2 / n2;
        double v1 = Math.Max(0, (q1 - n1 * m1 * m1) / (n1 - 1));
        double v2 = Math.Max(0, (q2 - n2 * m2 * m2) / (n2 - 1));
        return GroupStatistics.WelchT(m1 - m2, v1 / n1 + v2 / n2);
    }
}
