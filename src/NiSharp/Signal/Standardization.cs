using static NiSharp.Signal.BlockArithmetic;

namespace NiSharp.Signal;

/// <summary>
/// nilearn's <c>standardize_signal</c> without detrending: z-score with population (<c>zscore</c>) or
/// sample (<c>zscore_sample</c>) standard deviation, or percent signal change (<c>psc</c>). A standard
/// deviation below float64 eps is replaced by 1 (so constant columns become 0); a psc column whose mean
/// is below eps becomes 0.
/// </summary>
public static class Standardization
{
    /// <summary>Standardises one series in place.</summary>
    public static void Standardize(Span<double> series, StandardizeMethod method) =>
        Standardize(series, 1, method, single: false, stackalloc double[2]);

    /// <summary>
    /// Standardises every column of a time-major block (<c>rows × width</c>) in place, in float32
    /// arithmetic when <paramref name="single"/>. <paramref name="scratch"/> holds at least
    /// <c>2 × width</c> values.
    /// </summary>
    internal static void Standardize(Span<double> block, int width, StandardizeMethod method, bool single, Span<double> scratch)
    {
        if (method == StandardizeMethod.None) return;
        int rows = block.Length / width;
        if (rows <= 1) return; // nilearn warns and skips: it would give zeros
        var mean = scratch[..width];
        var acc = scratch.Slice(width, width);
        ColumnMeans(block, width, mean, single);
        if (method == StandardizeMethod.Psc)
        {
            // (x − mean) / |mean| · 100; columns whose |mean| is below eps become 0.
            for (int j = 0; j < width; j++) acc[j] = Math.Abs(mean[j]);
            for (int t = 0; t < rows; t++)
            {
                var row = block.Slice(t * width, width);
                Subtract(row, mean, single);
                Divide(row, acc, single);
                for (int j = 0; j < width; j++) row[j] = acc[j] < Detrending.Eps64 ? 0 : R(row[j] * 100, single);
            }
            return;
        }
        SubtractFromRows(block, width, mean, single);
        // numpy's std: mean of the (already centred) values, squared deviations summed row by row.
        ColumnMeans(block, width, mean, single);
        acc.Clear();
        for (int t = 0; t < rows; t++) AddSquaredDeviation(acc, block.Slice(t * width, width), mean, single);
        int ddof = method == StandardizeMethod.ZScoreSample ? 1 : 0;
        int dof = Math.Max(rows - ddof, 0);
        for (int j = 0; j < width; j++)
        {
            double std = R(Math.Sqrt(R(acc[j] / dof, single)), single);
            acc[j] = std < Detrending.Eps64 ? 1 : std;
        }
        for (int t = 0; t < rows; t++) Divide(block.Slice(t * width, width), acc, single);
    }
}
