using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Bids;

namespace NiSharp.Qc;

/// <summary>What <see cref="GroupMotionQc.Compute"/> needs: per subject its connectivity matrix and motion, and the
/// regions' label ids.</summary>
public sealed record GroupQcInput
{
    /// <summary>Subject labels (without <c>sub-</c>), one per matrix.</summary>
    public required IReadOnlyList<string> Subjects { get; init; }

    /// <summary>One connectivity matrix (correlation) per subject, same regions in the same order; n/a for empty regions.</summary>
    public required IReadOnlyList<Matrix<double>> Connectivity { get; init; }

    /// <summary>Label id of each row (null for a region without one: no distance).</summary>
    public required IReadOnlyList<int?> RegionLabels { get; init; }

    /// <summary>Motion per subject (same order).</summary>
    public required IReadOnlyList<SubjectMotion> Motion { get; init; }

    /// <summary>Covariates of QC-FC and of the modularity–motion correlation: per covariate one value per subject.</summary>
    public IReadOnlyList<(string Name, double[] Values)> Covariates { get; init; } = [];

    /// <summary>Region centroids by label id (world mm), or null (no distance dependence).</summary>
    public IReadOnlyDictionary<int, WorldPoint>? Centroids { get; init; }

    /// <summary>The exclusion rules.</summary>
    public MotionExclusionRules Rules { get; init; } = new();

    /// <summary>Seed of the community detection.</summary>
    public int Seed { get; init; }

    /// <summary>Louvain runs per network.</summary>
    public int LouvainRestarts { get; init; } = 10;

    /// <summary>Significance level of QC-FC.</summary>
    public double Alpha { get; init; } = QcFc.DefaultAlpha;
}

/// <summary>The group QC of one strategy.</summary>
public sealed record GroupQcResult
{
    /// <summary>Per subject (input order): null when kept, else why it is excluded.</summary>
    public required IReadOnlyList<string?> Exclusions { get; init; }

    /// <summary>Per subject (input order): the measures whose motion rule excluded it (<see cref="MotionCriterion.Measure"/>,
    /// comma-separated), or null (kept, or excluded for another reason: no FD, no connectivity).</summary>
    public IReadOnlyList<string?> ExclusionMeasures { get; init; } = [];

    /// <summary>Indices (into the input) of the subjects kept.</summary>
    public required IReadOnlyList<int> Included { get; init; }

    /// <summary>QC-FC over the kept subjects (null with fewer than <see cref="GroupMotionQc.MinimumSubjects"/> of them
    /// beyond the covariates, or fewer than 2 regions).</summary>
    public required QcFcResult? QcFc { get; init; }

    /// <summary>Edge distances (mm) in the order of <see cref="QcFcResult.Edges"/>; NaN where unknown.</summary>
    public required double[] EdgeDistance { get; init; }

    /// <summary>Spearman correlation of QC-FC with edge distance (NaN without centroids).</summary>
    public required double DistanceDependence { get; init; }

    /// <summary>The Louvain partition of the kept subjects' mean connectome (positive weights).</summary>
    public required CommunityPartition? GroupPartition { get; init; }

    /// <summary>Modularity Q of each kept subject's connectome (positive weights), in <see cref="Included"/> order.</summary>
    public required double[] SubjectModularity { get; init; }

    /// <summary>Partial correlation of subject modularity with mean FD (same covariates as QC-FC).</summary>
    public required CorrelationTest ModularityMotion { get; init; }

    /// <summary>Covariates that entered.</summary>
    public required IReadOnlyList<string> CovariatesUsed { get; init; }

    /// <summary>Mean temporal DOF loss over all subjects (before exclusion).</summary>
    public required double TdofLossMean { get; init; }

    /// <summary>Mean fraction of volumes censored by the strategy over all subjects.</summary>
    public required double CensoredFractionMean { get; init; }

    /// <summary>Modularity of the group connectome.</summary>
    public double Modularity => GroupPartition?.Modularity ?? double.NaN;

    /// <summary>Subjects excluded.</summary>
    public int ExcludedCount => Exclusions.Count(e => e is not null);
}

/// <summary>
/// Group-level motion QC (Parkes et al. 2018; Wang et al. 2024): exclusion of high-motion subjects, then on the others
/// QC-FC per edge (partial correlation with mean FD given the covariates), its significant fractions and median
/// absolute value, its distance dependence, the modularity of the mean connectome (Louvain on positive weights) and the
/// correlation of subjects' modularity with their motion.
/// </summary>
public static class GroupMotionQc
{
    /// <summary>
    /// Kept subjects needed, beyond one per covariate, for QC-FC and the modularity–motion correlation: 4, so that the
    /// partial correlation has at least 2 degrees of freedom (n − 2 − covariates). With fewer, the residuals of FD and
    /// of an edge span a line and every QC-FC is ±1.
    /// </summary>
    public const int MinimumSubjects = 4;

    /// <summary>Computes the group QC.</summary>
    public static GroupQcResult Compute(GroupQcInput input)
    {
        int n = input.Subjects.Count;
        if (input.Connectivity.Count != n || input.Motion.Count != n) throw new ArgumentException("one matrix and one motion summary per subject");
        var rules = input.Rules.Validate();
        var broken = input.Motion.Select(rules.Broken).ToArray();
        var exclusions = broken.Select(b => b.Count == 0 ? null : string.Join("; ", b.Select(c => c.Describe()))).ToArray();
        var measures = broken.Select(b => b.Count == 0 ? null : string.Join(",", b.Select(c => c.Measure))).ToArray();
        for (int i = 0; i < n; i++)
        {
            if (exclusions[i] is not null) continue;
            if (double.IsNaN(input.Motion[i].MeanFd)) exclusions[i] = "no framewise displacement in the confounds";
            else if (!HasEdges(input.Connectivity[i])) exclusions[i] = "no connectivity (every volume censored or no region with signal)";
        }
        var included = Enumerable.Range(0, n).Where(i => exclusions[i] is null).ToArray();
        var matrices = included.Select(i => input.Connectivity[i]).ToArray();
        var fd = included.Select(i => input.Motion[i].MeanFd).ToArray();
        var covariates = input.Covariates.Select(c => c.Values).Select(v => included.Select(i => v[i]).ToArray()).ToList();
        var covariateNames = input.Covariates.Select(c => c.Name).ToList();
        // A covariate that is the same for every kept subject carries nothing (and would be dropped anyway).
        for (int c = covariates.Count - 1; c >= 0; c--)
            if (covariates[c].Distinct().Count() < 2) { covariates.RemoveAt(c); covariateNames.RemoveAt(c); }

        QcFcResult? qcfc = null;
        double[] distance = [];
        double dependence = double.NaN;
        int regions = input.RegionLabels.Count;
        bool enough = included.Length - covariates.Count >= MinimumSubjects;
        if (enough && regions >= 2)
        {
            qcfc = QcFc.Compute(matrices, fd, covariates, input.Alpha);
            if (input.Centroids is { } centroids)
            {
                distance = DistanceDependence.EdgeDistances(qcfc.Edges, input.RegionLabels, centroids);
                dependence = DistanceDependence.Compute(qcfc.R, distance);
            }
            else distance = Enumerable.Repeat(double.NaN, qcfc.Edges.Count).ToArray();
        }

        CommunityPartition? group = null;
        var subjectQ = new double[included.Length];
        if (included.Length > 0)
        {
            var mean = Mean(matrices);
            var louvain = new LouvainOptions { Seed = input.Seed, Restarts = input.LouvainRestarts };
            group = Louvain.Detect(Louvain.PositiveWeights(mean), louvain);
            Parallel.For(0, included.Length, k =>
                subjectQ[k] = Louvain.Detect(Louvain.PositiveWeights(matrices[k]), louvain with { Seed = input.Seed + 1 + k }).Modularity);
        }
        var modularityMotion = enough
            ? PartialCorrelation.Compute(subjectQ, fd, covariates)
            : new CorrelationTest(double.NaN, double.NaN, included.Length, 0);

        return new GroupQcResult
        {
            Exclusions = exclusions,
            ExclusionMeasures = measures,
            Included = included,
            QcFc = qcfc,
            EdgeDistance = distance,
            DistanceDependence = dependence,
            GroupPartition = group,
            SubjectModularity = subjectQ,
            ModularityMotion = modularityMotion,
            CovariatesUsed = qcfc is null ? covariateNames : covariateNames.Take(qcfc.CovariatesUsed).ToList(),
            TdofLossMean = n > 0 ? input.Motion.Average(m => m.TdofLoss) : double.NaN,
            CensoredFractionMean = n > 0 ? input.Motion.Average(m => m.CensoredFraction) : double.NaN,
        };
    }

    private static bool HasEdges(Matrix<double> m)
    {
        for (int i = 1; i < m.RowCount; i++)
            for (int j = 0; j < i; j++)
                if (double.IsFinite(m[i, j])) return true;
        return false;
    }

    /// <summary>Entry-wise mean over the matrices that have the entry (NaN where none has it).</summary>
    public static Matrix<double> Mean(IReadOnlyList<Matrix<double>> matrices)
    {
        int r = matrices[0].RowCount;
        var sum = new double[r, r];
        var count = new int[r, r];
        foreach (var m in matrices)
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++)
                    if (double.IsFinite(m[i, j])) { sum[i, j] += m[i, j]; count[i, j]++; }
        return Matrix<double>.Build.Dense(r, r, (i, j) => count[i, j] > 0 ? sum[i, j] / count[i, j] : double.NaN);
    }

    /// <summary>
    /// Age and sex from a participants table, as the benchmark's covariates: a column named <c>age</c> (numbers) and one
    /// named <c>sex</c> or <c>gender</c> (two levels coded 0/1, e.g. F/M). A covariate is used only when every one of
    /// <paramref name="subjects"/> has a value; <paramref name="notes"/> says why one is not.
    /// </summary>
    public static IReadOnlyList<(string Name, double[] Values)> Covariates(Participants? participants, IReadOnlyList<string> subjects, ICollection<string>? notes = null)
    {
        var result = new List<(string, double[])>();
        if (participants is null)
        {
            notes?.Add("no participants.tsv: QC-FC is not adjusted for age and sex");
            return result;
        }
        string? Find(params string[] names) => participants.Columns.FirstOrDefault(c => names.Contains(c.Trim().ToLowerInvariant()));
        if (Find("age") is string age)
        {
            var v = new double[subjects.Count];
            bool ok = true;
            for (int i = 0; i < subjects.Count && ok; i++)
            {
                var cell = participants[subjects[i], age];
                ok = cell is not null && double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]);
            }
            if (ok) result.Add(("age", v));
            else notes?.Add($"column '{age}' of {participants.Path} is missing or not a number for some subjects: age is not a covariate");
        }
        else notes?.Add($"{participants.Path} has no age column: age is not a covariate");
        if (Find("sex", "gender") is string sex)
        {
            var cells = subjects.Select(s => participants[s, sex]?.Trim()).ToArray();
            var levels = cells.Where(c => c is not null).Select(c => c!.ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
            if (cells.Any(c => c is null)) notes?.Add($"column '{sex}' of {participants.Path} is missing for some subjects: sex is not a covariate");
            else if (levels.Count > 2) notes?.Add($"column '{sex}' has {levels.Count} levels ({string.Join(", ", levels)}): sex is not a covariate");
            else result.Add(("sex", cells.Select(c => (double)levels.IndexOf(c!.ToUpperInvariant())).ToArray()));
        }
        else notes?.Add($"{participants.Path} has no sex or gender column: sex is not a covariate");
        return result;
    }
}
