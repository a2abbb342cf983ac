using MathNet.Numerics.LinearAlgebra;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Qc;

namespace NiSharp.Tests.Qc;

/// <summary>QC-FC, distance dependence and the group QC on constructed cohorts with a known answer.</summary>
public class QcFcTests
{
    /// <summary>
    /// A cohort of <paramref name="n"/> subjects with 5 regions: edge (1,0) rises with mean FD, edge (3,2) with age only,
    /// the others are noise; age and FD are correlated.
    /// </summary>
    private static (Matrix<double>[] M, double[] Fd, double[] Age) Cohort(int n, int seed)
    {
        var rng = new Random(seed);
        var fd = new double[n];
        var age = new double[n];
        var m = new Matrix<double>[n];
        for (int s = 0; s < n; s++)
        {
            age[s] = 20 + 40 * rng.NextDouble();
            fd[s] = 0.05 + 0.002 * age[s] + 0.08 * rng.NextDouble();
            var x = Matrix<double>.Build.Dense(5, 5, (i, j) => i == j ? 1 : 0);
            void Set(int i, int j, double v) { x[i, j] = v; x[j, i] = v; }
            for (int i = 1; i < 5; i++)
                for (int j = 0; j < i; j++) Set(i, j, 0.3 + 0.1 * CorrelationTests.Gauss(rng));
            Set(1, 0, 0.2 + 2.0 * fd[s] + 0.005 * CorrelationTests.Gauss(rng));
            Set(3, 2, 0.1 + 0.01 * age[s] + 0.01 * CorrelationTests.Gauss(rng));
            m[s] = x;
        }
        return (m, fd, age);
    }

    [Fact]
    public void An_edge_built_to_depend_on_motion_has_qcfc_near_1_and_an_age_driven_edge_none_once_age_is_controlled()
    {
        var (m, fd, age) = Cohort(60, 1);
        var edges = QcFc.Compute(m, fd);
        // nilearn's sym_matrix_to_vec(discard_diagonal=True) order
        Assert.Equal([(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2), (4, 0), (4, 1), (4, 2), (4, 3)], edges.Edges);
        int motion = 0, ageEdge = 5;
        Assert.True(edges.R[motion] > 0.98, $"QC-FC of the motion edge {edges.R[motion]}");
        Assert.True(edges.P[motion] < 1e-30);
        // Without the covariate, the age-driven edge looks motion-related (age and FD are correlated)…
        Assert.True(edges.R[ageEdge] > 0.5, $"uncontrolled {edges.R[ageEdge]}");
        // …controlling for age removes it, and keeps the motion edge.
        var controlled = QcFc.Compute(m, fd, [age]);
        Assert.True(Math.Abs(controlled.R[ageEdge]) < 0.3, $"controlled {controlled.R[ageEdge]}");
        Assert.True(controlled.R[motion] > 0.98);
        Assert.Equal(1, controlled.CovariatesUsed);
        Assert.Equal(60, controlled.Subjects);
        Assert.Equal(10, controlled.EdgesTested);
    }

    [Fact]
    public void Each_edge_is_the_partial_correlation_of_its_values_with_mean_fd()
    {
        var (m, fd, age) = Cohort(25, 2);
        var r = QcFc.Compute(m, fd, [age]);
        for (int e = 0; e < r.Edges.Count; e++)
        {
            var (i, j) = r.Edges[e];
            var expected = PartialCorrelation.Compute(m.Select(x => x[i, j]).ToArray(), fd, [age]);
            Assert.Equal(expected.R, r.R[e], 1e-12);
            Assert.Equal(expected.P, r.P[e], 1e-12);
        }
    }

    [Fact]
    public void Summaries_count_tested_edges_only_and_the_median_is_of_absolute_values()
    {
        var r = new QcFcResult
        {
            Edges = [(1, 0), (2, 0), (2, 1), (3, 0)],
            R = [0.1, -0.5, 0.3, double.NaN],
            P = [0.01, 0.2, 0.04, double.NaN],
            Q = [0.03, 0.2, 0.06, double.NaN],
            Subjects = 10,
            CovariatesUsed = 0,
            Alpha = 0.05,
        };
        Assert.Equal(3, r.EdgesTested);
        Assert.Equal(2.0 / 3, r.SignificantFraction, 1e-15);
        Assert.Equal(1.0 / 3, r.FdrSignificantFraction, 1e-15);
        Assert.Equal(0.3, r.MedianAbsolute, 1e-15);
    }

    [Fact]
    public void An_edge_missing_in_one_subject_is_not_tested()
    {
        var (m, fd, _) = Cohort(12, 3);
        m[4] = m[4].Clone();
        m[4][2, 1] = m[4][1, 2] = double.NaN;
        var r = QcFc.Compute(m, fd);
        Assert.True(double.IsNaN(r.R[2]) && double.IsNaN(r.P[2]) && double.IsNaN(r.Q[2]));
        Assert.Equal(9, r.EdgesTested);
    }

    [Fact]
    public void Without_motion_in_the_data_the_significant_fraction_is_near_alpha()
    {
        // 40 regions of pure noise, 50 subjects: 780 edges, about 5% significant by chance.
        var rng = new Random(9);
        int n = 50, regions = 40;
        var fd = Enumerable.Range(0, n).Select(_ => 0.1 + 0.2 * rng.NextDouble()).ToArray();
        var m = Enumerable.Range(0, n).Select(_ =>
        {
            var x = Matrix<double>.Build.Dense(regions, regions, (i, j) => i == j ? 1 : 0);
            for (int i = 1; i < regions; i++)
                for (int j = 0; j < i; j++) x[i, j] = x[j, i] = CorrelationTests.Gauss(rng);
            return x;
        }).ToArray();
        var r = QcFc.Compute(m, fd);
        Assert.InRange(r.SignificantFraction, 0.02, 0.09);
        Assert.True(r.FdrSignificantFraction < 0.01);
        // Null median |r| for n = 50: about 0.674 / √49.
        Assert.InRange(r.MedianAbsolute, 0.06, 0.14);
    }

    [Fact]
    public void Centroids_are_centres_of_mass_in_world_mm_and_edge_distances_follow()
    {
        // 10×10×10 grid of 2 mm voxels, origin at (−10, −20, 0): label 1 is the voxel block i∈[0,2), j∈[0,2), k=0;
        // label 2 the single voxel (9, 0, 0).
        var data = new int[1000];
        foreach (var (i, j) in new[] { (0, 0), (1, 0), (0, 1), (1, 1) }) data[i + 10 * j] = 1;
        data[9] = 2;
        var img = new Image<int>([10, 10, 10], Affine.Diagonal(2, 2, 2, -10, -20, 0), data);
        var atlas = Atlas.FromImage(img);
        var c = DistanceDependence.Centroids(atlas);
        Assert.Equal(new WorldPoint(-9, -19, 0), c[1]);
        Assert.Equal(new WorldPoint(8, -20, 0), c[2]);
        var d = DistanceDependence.EdgeDistances([(1, 0)], [1, 2], c);
        Assert.Equal(Math.Sqrt(17 * 17 + 1), d[0], 1e-12);
        Assert.True(double.IsNaN(DistanceDependence.EdgeDistances([(1, 0)], [1, null], c)[0]));
    }

    [Fact]
    public void Distance_dependence_is_the_rank_correlation_of_qcfc_with_distance()
    {
        double[] distance = [10, 20, 30, 40, 50, double.NaN];
        Assert.Equal(-1, DistanceDependence.Compute([0.5, 0.4, 0.2, 0.1, 0.0, 0.3], distance), 1e-15);
        Assert.Equal(1, DistanceDependence.Compute([0.0, 0.01, 0.2, 0.3, 0.9, 0.3], distance), 1e-15);
    }

    [Fact]
    public void Group_qc_excludes_high_movers_and_measures_the_others()
    {
        var (m, fd, age) = Cohort(30, 4);
        fd[0] = 0.4; // above 0.25 mm
        var motion = fd.Select((f, s) => new SubjectMotion($"{s:00}", f, 1, s == 1 ? 0.5 : 0, s == 2 ? 0.3 : 0.05, 10, 0.1)).ToList();
        var qc = GroupMotionQc.Compute(new GroupQcInput
        {
            Subjects = motion.Select(x => x.Subject).ToList(),
            Connectivity = m,
            RegionLabels = [1, 2, 3, 4, 5],
            Motion = motion,
            Covariates = [("age", age)],
            Seed = 1,
        });
        Assert.Equal(3, qc.ExcludedCount);
        Assert.Contains("mean FD 0.4 mm > 0.25 mm", qc.Exclusions[0]);
        Assert.Equal("50% of volumes censored by the strategy > 20%", qc.Exclusions[1]);
        Assert.Equal("30% of volumes with FD > 0.2 mm > 20%", qc.Exclusions[2]);
        Assert.Equal(["fd_mean", "censored_fraction", "fd_over_0.2_fraction", null], qc.ExclusionMeasures.Take(4));
        Assert.Equal(27, qc.Included.Count);
        Assert.Equal(27, qc.QcFc!.Subjects);
        Assert.True(qc.QcFc.R[0] > 0.95);
        Assert.Equal(["age"], qc.CovariatesUsed);
        Assert.True(double.IsNaN(qc.DistanceDependence)); // no centroids given
        Assert.Equal(27, qc.SubjectModularity.Length);
        Assert.Equal(10, qc.TdofLossMean);
    }

    [Fact]
    public void Motion_table_names_the_measure_that_excluded_each_subject_in_its_own_column()
    {
        var (m, fd, age) = Cohort(8, 5);
        // Subject 0: no volume censored, 20.3% above 0.2 mm (the case of issue 18); subject 1: scrubbed away.
        var motion = fd.Select((f, s) => new SubjectMotion($"{s:00}", f, 1, s == 1 ? 0.5 : 0, s == 0 ? 0.203 : 0.05, 10, 0.1)).ToList();
        var qc = GroupMotionQc.Compute(new GroupQcInput
        {
            Subjects = motion.Select(x => x.Subject).ToList(), Connectivity = m, RegionLabels = [1, 2, 3, 4, 5], Motion = motion, Seed = 1,
        });
        using var dir = new NiSharp.Tests.Support.TempDir();
        var path = dir.File("motionqc_participants.tsv");
        GroupQcFiles.WriteSubjects(path, qc, motion, new MotionExclusionRules());
        var t = NiSharp.IO.TsvTable.Read(path);
        Assert.Equal(["fd_over_0.2_fraction", "censored_fraction", "n/a"], t.GetStrings("exclusion_measure").Take(3));
        Assert.Equal(0, t.GetNumbers("censored_fraction")[0]);
        Assert.Equal("20.3% of volumes with FD > 0.2 mm > 20%", t.GetStrings("exclusion_reason")[0]);
        Assert.DoesNotContain("censored", t.GetStrings("exclusion_reason")[0]);
        // The page's table: the same measure under the heading of its column.
        var page = QcReport.AddGroupSection(new NiSharp.Reports.HtmlReport("t"), qc, motion, new MotionExclusionRules(), [], "s").ToHtml();
        Assert.Contains("<th>excluded by</th>", page);
        Assert.Contains(">FD &gt; 0.2 mm</td><td>20.3% of volumes with FD &gt; 0.2 mm &gt; 20%</td>", page);
    }

    [Fact]
    public void Too_few_subjects_beyond_the_covariates_give_no_qcfc_rather_than_plus_or_minus_one()
    {
        // 4 subjects with age and sex: the residuals of FD and of an edge have n − 1 − 2 = 1 dimension, so every
        // residual correlation would be ±1. The group QC must not report it.
        var (m, fd, age) = Cohort(5, 7);
        double[] sex = [0, 1, 0, 1, 1];
        var motion = fd.Select((f, s) => new SubjectMotion($"{s:00}", f, 1, 0, 0, 10, 0.1)).ToList();
        GroupQcResult Run(int subjects, params (string, double[])[] covariates) => GroupMotionQc.Compute(new GroupQcInput
        {
            Subjects = motion.Take(subjects).Select(x => x.Subject).ToList(),
            Connectivity = m.Take(subjects).ToList(),
            RegionLabels = [1, 2, 3, 4, 5],
            Motion = motion.Take(subjects).ToList(),
            Covariates = covariates.Select(c => (c.Item1, c.Item2.Take(subjects).ToArray())).ToList(),
            Seed = 1,
        });
        var tooFew = Run(4, ("age", age), ("sex", sex));
        Assert.Null(tooFew.QcFc);
        Assert.True(double.IsNaN(tooFew.ModularityMotion.R));
        Assert.True(double.IsNaN(StrategyMetrics.From("baseline", tooFew).QcFcMedianAbs));
        // 4 subjects without covariates, or 5 with one covariate: 2 degrees of freedom, QC-FC is measured.
        var plain = Run(4);
        Assert.Equal(4, plain.QcFc!.Subjects);
        Assert.All(plain.QcFc.R, r => Assert.InRange(Math.Abs(r), 0, 1 - 1e-9));
        Assert.NotNull(Run(5, ("age", age)).QcFc);
        // The test itself: no degree of freedom left is no correlation.
        var line = PartialCorrelation.Compute([1.0, 2, 4], [3.0, 1, 2], [[1.0, 5, 2]]);
        Assert.Equal(0, line.DegreesOfFreedom);
        Assert.True(double.IsNaN(line.R) && double.IsNaN(line.P));
    }

    [Fact]
    public void Exclusion_rules_are_validated_and_say_why()
    {
        Assert.Throws<NiSharpException>(() => new MotionExclusionRules { MaxMeanFd = 0 }.Validate());
        Assert.Throws<NiSharpException>(() => new MotionExclusionRules { MaxCensoredFraction = 1.5 }.Validate());
        var rules = new MotionExclusionRules();
        Assert.Null(rules.Reason(new SubjectMotion("a", 0.1, 1, 0.1, 0.15, 0, 0)));
        Assert.Equal("max FD 6 mm > 5 mm", rules.Reason(new SubjectMotion("a", 0.1, 6, 0, 0, 0, 0)));
        // The reason names the measure that broke the rule: a subject with no volume censored but many above 0.2 mm FD
        // is excluded by Parkes's count, and the text says so rather than calling them censored (issue 18).
        var still = new SubjectMotion("b", 0.242, 1.34, 0, 0.203, 124, 0.84);
        Assert.Equal("20.3% of volumes with FD > 0.2 mm > 20%", rules.Reason(still));
        Assert.Equal([MotionCriterion.FdOver02Fraction], rules.Broken(still).Select(c => c.Measure));
        var scrubbed = new SubjectMotion("c", 0.1, 1, 0.35, 0.1, 60, 0.4);
        Assert.Equal("35% of volumes censored by the strategy > 20%", rules.Reason(scrubbed));
        var both = rules.Broken(new SubjectMotion("d", 0.555, 3.19, 0, 0.601, 124, 0.84));
        Assert.Equal([MotionCriterion.MeanFd, MotionCriterion.FdOver02Fraction], both.Select(c => c.Measure));
        Assert.Equal(0.601, both[1].Value);
        Assert.Equal(0.2, both[1].Limit);
        // Several runs pool by volumes.
        var pooled = SubjectMotion.FromRuns("a", [RunQcTests.Qc(100, 0.1, 10, 5), RunQcTests.Qc(300, 0.3, 30, 15)]);
        Assert.Equal(0.25, pooled.MeanFd, 1e-12);
        Assert.Equal(20.0 / 400, pooled.CensoredFraction, 1e-12);
        Assert.Equal(40.0 / 400, pooled.FdOver02Fraction, 1e-12);
    }
}
