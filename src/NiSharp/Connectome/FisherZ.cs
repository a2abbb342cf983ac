using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Connectome;

/// <summary>
/// Fisher's z-transform z = artanh(r), which makes sample correlations approximately normal with
/// variance 1/(n−3), so they can be averaged and compared between groups.
/// </summary>
public static class FisherZ
{
    /// <summary>artanh(<paramref name="r"/>); values a rounding error outside [−1, 1] are clamped, so
    /// r = ±1 gives ±∞ rather than NaN.</summary>
    public static double Transform(double r) => Math.Atanh(Math.Clamp(r, -1.0, 1.0));

    /// <summary>tanh(<paramref name="z"/>), the inverse.</summary>
    public static double Inverse(double z) => Math.Tanh(z);

    /// <summary>
    /// z-transform of every off-diagonal entry of a correlation matrix. The diagonal (r = 1 by
    /// construction, so artanh = ∞) carries no information about connectivity and is set to 0, the
    /// convention of most connectome tools, so that means and plots of z matrices stay finite.
    /// </summary>
    public static Matrix<double> Transform(Matrix<double> correlation)
    {
        SymmetricMatrix.CheckSquare(correlation);
        int n = correlation.RowCount;
        var z = Matrix<double>.Build.Dense(n, n);
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                z[i, j] = i == j ? 0.0 : Transform(correlation[i, j]);
        return z;
    }
}
