using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Connectome;

/// <summary>
/// Parameters of <see cref="ConnectivityMeasure"/>, with nilearn 0.10.4's defaults
/// (<c>ConnectivityMeasure(cov_estimator=LedoitWolf(store_precision=False), kind='covariance', standardize=True)</c>).
/// </summary>
public sealed record ConnectivityOptions
{
    /// <summary>The measure; nilearn's default is covariance.</summary>
    public ConnectivityKind Kind { get; init; } = ConnectivityKind.Covariance;

    /// <summary>The covariance estimator; Ledoit–Wolf as nilearn.</summary>
    public CovarianceEstimator Estimator { get; init; } = CovarianceEstimator.LedoitWolf;

    /// <summary>For kind correlation only: z-score each region signal (population std, ddof = 0, as
    /// nilearn's <c>standardize=True</c>) before estimating. Other kinds use the raw signals, as nilearn.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>The tangent kind's geometric mean (nilearn: 30 iterations, tolerance 1e-7).</summary>
    public SpdMatrix.GeometricMeanOptions TangentMean { get; init; } = new();

    /// <summary>The estimator's name in outputs and on the command line: <c>ledoit-wolf</c> or <c>empirical</c>.</summary>
    public string EstimatorName => Estimator == CovarianceEstimator.LedoitWolf ? "ledoit-wolf" : "empirical";

    /// <summary>These parameters as sidecars record them (kind, estimator and its parameters, standardisation): the one
    /// place that writes them, for <c>nisharp run</c>, <c>benchmark</c> and <c>connectivity</c> alike.</summary>
    public System.Text.Json.Nodes.JsonObject ToParameters() => new()
    {
        ["Kind"] = Kind.CliName(),
        ["NilearnKind"] = Kind.NilearnName(),
        ["Estimator"] = EstimatorName,
        ["EstimatorParameters"] = Estimator == CovarianceEstimator.LedoitWolf
            ? new System.Text.Json.Nodes.JsonObject { ["assume_centered"] = false, ["block_size"] = 1000 }
            : new System.Text.Json.Nodes.JsonObject { ["assume_centered"] = false },
        ["Standardize"] = Kind == ConnectivityKind.Correlation && Standardize ? "zscore (population std) before estimating" : "none",
    };
}

/// <summary>
/// Functional connectivity matrices of a group of subjects, as nilearn's
/// <c>ConnectivityMeasure</c>: each subject's region signals (time × regions) → one regions × regions
/// matrix of the chosen <see cref="ConnectivityKind"/>; <see cref="Fit(IReadOnlyList{Matrix{double}}, IReadOnlyList{string}?)"/> also
/// computes the group <see cref="Mean"/> (nilearn <c>mean_</c>) and, for the tangent kind, the
/// <see cref="Whitening"/> (nilearn <c>whitening_</c>).
/// </summary>
/// <remarks>
/// Computation is in float64 whatever the input; the float32 overloads round the results to float32,
/// as nilearn returns float32 for float32 signals. Subjects are processed in parallel.
/// <para>Empty regions (a column that is NaN throughout: a label with no voxels in that run, which
/// NiSharp keeps explicit rather than dropping) are left out of the estimate and get NaN rows and
/// columns in the result; the group mean of an entry averages the subjects that have it. The
/// tangent kind works on the regions present in every subject.</para>
/// </remarks>
public sealed class ConnectivityMeasure
{
    /// <summary>The parameters.</summary>
    public ConnectivityOptions Options { get; }

    /// <summary>nilearn <c>mean_</c>: for the tangent kind the geometric mean of the subjects'
    /// covariances; otherwise the arithmetic mean of their connectivity matrices, symmetrised.
    /// Null before <see cref="Fit(IReadOnlyList{Matrix{double}}, IReadOnlyList{string}?)"/>.</summary>
    public Matrix<double>? Mean { get; private set; }

    /// <summary>nilearn <c>whitening_</c> = <see cref="Mean"/><sup>−1/2</sup>; tangent kind only.</summary>
    public Matrix<double>? Whitening { get; private set; }

    /// <summary>How the tangent kind's geometric mean converged (null for other kinds).</summary>
    public SpdMatrix.GeometricMeanResult? GeometricMeanFit { get; private set; }

    /// <summary>The Ledoit–Wolf shrinkage of each subject in the last call (0 with the empirical estimator).</summary>
    public IReadOnlyList<double> Shrinkages { get; private set; } = [];

    /// <summary>Creates a measure with <paramref name="options"/> (nilearn's defaults when null).</summary>
    public ConnectivityMeasure(ConnectivityOptions? options = null) => Options = options ?? new ConnectivityOptions();

    /// <summary>nilearn's <c>ConnectivityMeasure(kind='correlation')</c>: a measure of <paramref name="kind"/> with the other defaults.</summary>
    public ConnectivityMeasure(ConnectivityKind kind) : this(new ConnectivityOptions { Kind = kind }) { }

    /// <summary>
    /// <see cref="FitTransform(IReadOnlyList{Matrix{double}}, IReadOnlyList{string}?)"/> on region time series, one
    /// entry per subject: each result keeps its regions (label ids), so <c>matrices[0].Between(44, 46)</c> needs no
    /// padding. Empty regions (NaN columns) get NaN rows and columns. (A masker's output becomes a
    /// <see cref="RegionTimeSeries"/> with <c>Pipeline.MaskerToConnectome.ToTimeSeries</c>.)
    /// </summary>
    public ConnectivityMatrix[] FitTransform(IReadOnlyList<RegionTimeSeries> subjects)
    {
        var names = subjects.All(s => s.SourcePath is not null) ? subjects.Select(s => s.SourcePath!).ToArray() : null;
        var values = FitTransform(subjects.Select(s => s.Signals).ToArray(), names);
        return values.Select((m, i) => new ConnectivityMatrix(subjects[i].Regions, m)).ToArray();
    }

    /// <summary>Fits the group mean (and tangent whitening) on <paramref name="subjects"/>.</summary>
    /// <param name="subjects">Per subject, signals as time × regions; all with the same number of regions.</param>
    /// <param name="names">Optional per-subject names (file paths) for error messages.</param>
    /// <exception cref="NiSharpException">Bad input: different region counts, non-finite values,
    /// fewer than 2 time points, a singular covariance where an inverse is needed, fewer than 2
    /// subjects for the tangent kind.</exception>
    public ConnectivityMeasure Fit(IReadOnlyList<Matrix<double>> subjects, IReadOnlyList<string>? names = null)
    {
        FitCore(subjects, names);
        return this;
    }

    /// <summary>Connectivity matrices of <paramref name="subjects"/>; the tangent kind needs a prior fit.</summary>
    public Matrix<double>[] Transform(IReadOnlyList<Matrix<double>> subjects, IReadOnlyList<string>? names = null)
    {
        var covs = Covariances(subjects, names);
        return Connectivities(covs, names);
    }

    /// <summary><see cref="Fit(IReadOnlyList{Matrix{double}}, IReadOnlyList{string}?)"/> then
    /// <see cref="Transform(IReadOnlyList{Matrix{double}}, IReadOnlyList{string}?)"/>, estimating each covariance once.</summary>
    public Matrix<double>[] FitTransform(IReadOnlyList<Matrix<double>> subjects, IReadOnlyList<string>? names = null)
    {
        var covs = FitCore(subjects, names);
        return Options.Kind == ConnectivityKind.Tangent ? Connectivities(covs, names) : _lastConnectivities!;
    }

    /// <summary>float32 signals → float32 matrices (computed in float64, rounded once at the end).</summary>
    public Matrix<float>[] FitTransform(IReadOnlyList<Matrix<float>> subjects, IReadOnlyList<string>? names = null) =>
        FitTransform(subjects.Select(ToDouble).ToArray(), names).Select(ToSingle).ToArray();

    /// <summary>float32 signals → float32 matrices (computed in float64, rounded once at the end).</summary>
    public Matrix<float>[] Transform(IReadOnlyList<Matrix<float>> subjects, IReadOnlyList<string>? names = null) =>
        Transform(subjects.Select(ToDouble).ToArray(), names).Select(ToSingle).ToArray();

    /// <summary>Vectorised matrices (nilearn <c>vectorize=True</c>), one row per subject; see <see cref="SymmetricMatrix.ToVector(Matrix{double}, bool)"/>.</summary>
    public static double[][] Vectorize(IReadOnlyList<Matrix<double>> matrices, bool discardDiagonal = false) =>
        matrices.Select(m => SymmetricMatrix.ToVector(m, discardDiagonal)).ToArray();

    private Matrix<double>[]? _lastConnectivities;

    private Matrix<double>[] FitCore(IReadOnlyList<Matrix<double>> subjects, IReadOnlyList<string>? names)
    {
        var covs = Covariances(subjects, names);
        if (Options.Kind == ConnectivityKind.Tangent)
        {
            if (covs.Length < 2)
                throw new NiSharpException("the tangent kind needs at least two subjects (it is defined relative to the group's mean)");
            // The geometric mean lives on the regions every subject has.
            var common = EmptyRegions.PresentInAll(covs);
            var reduced = covs.Select(c => EmptyRegions.Take(c, common)).ToArray();
            for (int k = 0; k < reduced.Length; k++) RequirePositiveDefinite(reduced[k], Describe(names, k));
            var fit = SpdMatrix.GeometricMean(reduced, Options.TangentMean);
            GeometricMeanFit = fit;
            int n = covs[0].RowCount;
            Mean = EmptyRegions.Expand(fit.Mean, common, n);
            Whitening = EmptyRegions.Expand(SpdMatrix.InverseSqrt(fit.Mean), common, n);
            _tangentRegions = common;
            _lastConnectivities = null;
        }
        else
        {
            var conn = Connectivities(covs, names);
            Mean = SymmetricMatrix.SymmetrizeInPlace(EmptyRegions.NanMean(conn));
            Whitening = null;
            GeometricMeanFit = null;
            _tangentRegions = null;
            _lastConnectivities = conn;
        }
        return covs;
    }

    private int[]? _tangentRegions;

    private Matrix<double>[] Covariances(IReadOnlyList<Matrix<double>> subjects, IReadOnlyList<string>? names)
    {
        if (subjects.Count == 0) throw new NiSharpException("no subjects given");
        int regions = subjects[0].ColumnCount;
        for (int k = 0; k < subjects.Count; k++)
            Validate(subjects[k], regions, Describe(names, k));
        var covs = new Matrix<double>[subjects.Count];
        var shrink = new double[subjects.Count];
        bool standardize = Options.Kind == ConnectivityKind.Correlation && Options.Standardize;
        Parallel.For(0, subjects.Count, k =>
        {
            var present = EmptyRegions.Present(subjects[k]);
            var xk = present.Length == regions ? subjects[k] : EmptyRegions.TakeColumns(subjects[k], present);
            var x = standardize ? ZScore(xk) : xk;
            // ZScore's matrix is this fit's own: the estimator may centre it in place instead of in a copy.
            var est = Covariance.Estimate(x, Options.Estimator, overwrite: standardize);
            covs[k] = present.Length == regions ? est.Covariance : EmptyRegions.Expand(est.Covariance, present, regions);
            shrink[k] = est.Shrinkage;
        });
        Shrinkages = shrink;
        return covs;
    }

    private Matrix<double>[] Connectivities(Matrix<double>[] covs, IReadOnlyList<string>? names)
    {
        var result = new Matrix<double>[covs.Length];
        var kind = Options.Kind;
        if (kind == ConnectivityKind.Tangent && Whitening is null)
            throw new InvalidOperationException("the tangent kind must be fitted before transforming");
        // Each subject's matrix is computed on the regions it has (for tangent: those of the fit).
        var present = new int[covs.Length][];
        var reduced = new Matrix<double>[covs.Length];
        for (int k = 0; k < covs.Length; k++)
        {
            present[k] = kind == ConnectivityKind.Tangent ? _tangentRegions! : EmptyRegions.Present(covs[k]);
            reduced[k] = EmptyRegions.Take(covs[k], present[k]);
            if (kind == ConnectivityKind.Tangent && reduced[k].Enumerate().Any(double.IsNaN))
                throw new NiSharpException(Describe(names, k), "has an empty region that the subjects of the tangent fit had");
            if (kind is ConnectivityKind.Correlation) RequirePositiveDiagonal(reduced[k], Describe(names, k));
            else if (kind is not ConnectivityKind.Covariance) RequirePositiveDefinite(reduced[k], Describe(names, k));
        }
        var whitening = kind == ConnectivityKind.Tangent ? EmptyRegions.Take(Whitening!, _tangentRegions!) : null;
        Parallel.For(0, covs.Length, k =>
        {
            var c = reduced[k];
            var r = kind switch
            {
                ConnectivityKind.Correlation => SymmetricMatrix.CovarianceToCorrelation(c),
                ConnectivityKind.Covariance => c,
                ConnectivityKind.Precision => Inverse(c),
                ConnectivityKind.PartialCorrelation => SymmetricMatrix.PrecisionToPartialCorrelation(Inverse(c)),
                ConnectivityKind.Tangent => SpdMatrix.Log(SymmetricMatrix.Symmetrize(whitening! * c * whitening!)),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
            result[k] = present[k].Length == covs[k].RowCount ? r : EmptyRegions.Expand(r, present[k], covs[k].RowCount);
        });
        return result;
    }

    /// <summary>scipy <c>linalg.inv</c> (LU), symmetrised: the exact inverse of a symmetric matrix is symmetric.</summary>
    private static Matrix<double> Inverse(Matrix<double> c) => SymmetricMatrix.Symmetrize(c.Inverse());

    /// <summary>nilearn's <c>standardize=True</c> ('zscore'): subtract the mean, divide by the population
    /// std; a std below float64 eps is replaced by 1 so that a constant region stays all zero.</summary>
    private static readonly double Float64Epsilon = Math.BitIncrement(1.0) - 1.0;

    internal static Matrix<double> ZScore(Matrix<double> x)
    {
        var z = Covariance.Centered(x);
        int n = z.RowCount;
        var values = z.AsColumnMajorArray(); // Centered's dense storage: each column contiguous
        for (int j = 0; j < z.ColumnCount; j++)
        {
            var column = values.AsSpan(j * n, n);
            double ss = 0;
            foreach (var v in column) ss += v * v;
            double sd = Math.Sqrt(ss / n);
            if (sd < Float64Epsilon) sd = 1;
            for (int t = 0; t < n; t++) column[t] /= sd;
        }
        return z;
    }

    private static void Validate(Matrix<double> x, int regions, string who)
    {
        if (x.ColumnCount != regions)
            throw new NiSharpException(who, $"has {x.ColumnCount} regions but the first subject has {regions}; all subjects need the same regions");
        if (x.RowCount < 2)
            throw new NiSharpException(who, $"has {x.RowCount} time point(s); a covariance needs at least 2");
        for (int j = 0; j < x.ColumnCount; j++)
        {
            if (RegionTimeSeries.IsEmptyColumn(x, j)) continue; // an empty region, handled by EmptyRegions
            for (int t = 0; t < x.RowCount; t++)
                if (!double.IsFinite(x[t, j]))
                    throw new NiSharpException(who, $"non-finite value ({x[t, j]}) at time point {t + 1}, region {j + 1}");
        }
    }

    private static void RequirePositiveDiagonal(Matrix<double> c, string who)
    {
        for (int i = 0; i < c.RowCount; i++)
            if (!(c[i, i] > 0))
                throw new NiSharpException(who, $"region {i + 1} has zero variance, so its correlation is undefined (use the ledoit-wolf estimator, or drop the region)");
    }

    private static void RequirePositiveDefinite(Matrix<double> c, string who)
    {
        Matrix<double> factor;
        try { factor = c.Cholesky().Factor; }
        catch (ArgumentException) { factor = Matrix<double>.Build.Dense(1, 1, double.NaN); }
        double minDiag = double.PositiveInfinity, maxDiag = 0;
        for (int i = 0; i < factor.RowCount; i++)
        {
            double d = factor[i, i];
            if (!double.IsFinite(d)) { minDiag = 0; break; }
            minDiag = Math.Min(minDiag, d);
            maxDiag = Math.Max(maxDiag, d);
        }
        // A Cholesky pivot many orders below the largest means the matrix is singular to working precision.
        if (!(minDiag > maxDiag * 1e-8))
            throw new NiSharpException(who, "the covariance is singular (more regions than time points, or a constant or duplicated region); use the ledoit-wolf estimator");
    }

    private static string Describe(IReadOnlyList<string>? names, int k) =>
        names is not null && k < names.Count ? names[k] : $"subject {k + 1}";

    private static Matrix<double> ToDouble(Matrix<float> m) => Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount, (i, j) => m[i, j]);

    private static Matrix<float> ToSingle(Matrix<double> m) => Matrix<float>.Build.Dense(m.RowCount, m.ColumnCount, (i, j) => (float)m[i, j]);
}
