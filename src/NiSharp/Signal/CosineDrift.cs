namespace NiSharp.Signal;

/// <summary>
/// Discrete cosine drift regressors (nilearn's <c>create_cosine_drift</c>, DCT-II basis) used by the
/// <c>'cosine'</c> filter: every cosine of period longer than <c>1/high_pass</c>, without the constant.
/// </summary>
public static class CosineDrift
{
    /// <summary>
    /// The drift terms for <paramref name="timepoints"/> volumes <paramref name="repetitionTime"/> seconds
    /// apart (<c>timepoints × order</c>, row-major), with <c>order = min(n−1, ⌊2·n·high_pass·t_r⌋)</c>;
    /// nilearn's trailing constant column is left out because signals are centred.
    /// </summary>
    public static SignalMatrix<double> Create(double highPass, int timepoints, double repetitionTime, ICollection<string>? warnings = null)
    {
        int n = timepoints;
        double dt = n > 1 ? ((n - 1) * repetitionTime - 0.0) / (n - 1) : repetitionTime;
        if (highPass * dt >= 0.5)
            warnings?.Add($"the cosine high-pass filter spans all accessible frequencies and saturates the design (high_pass {highPass} Hz)");
        int order = (int)Math.Min(n - 1, Math.Floor(2 * n * highPass * dt));
        var m = new SignalMatrix<double>(n, order);
        double normalizer = Math.Sqrt(2.0 / n);
        for (int k = 1; k <= order; k++)
            for (int t = 0; t < n; t++)
                m[t, k - 1] = normalizer * Math.Cos(Math.PI / n * (t + 0.5) * k);
        return m;
    }

    /// <summary>
    /// nilearn's check that the user's confounds do not already hold cosine drifts: true when any drift
    /// term correlates above 0.9 with any other column (then the drifts are not added).
    /// </summary>
    public static bool AlreadyInConfounds(SignalMatrix<double> drift, SignalMatrix<double> confounds)
    {
        int n = drift.Timepoints;
        var all = new List<double[]>();
        for (int k = 0; k < drift.Features; k++) all.Add(drift.Column(k));
        for (int k = 0; k < confounds.Features; k++) all.Add(confounds.Column(k));
        var centred = all.Select(c =>
        {
            double mean = c.Average();
            var d = c.Select(v => v - mean).ToArray();
            double norm = Math.Sqrt(d.Sum(v => v * v));
            return (d, norm);
        }).ToList();
        for (int i = 0; i < drift.Features; i++)
        {
            for (int j = 0; j < all.Count; j++)
            {
                if (i == j) continue;
                var (a, na) = centred[i];
                var (b, nb) = centred[j];
                double dot = 0;
                for (int t = 0; t < n; t++) dot += a[t] * b[t];
                double r = dot / (na * nb);
                if (r > 0.9) return true;
            }
        }
        return false;
    }
}
