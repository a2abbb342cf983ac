using CsCheck;
using NiSharp.Maskers;

namespace NiSharp.Tests.Maskers;

public class RegionVoxelIndexTests
{
    [Fact]
    public void Region_means_of_float_volumes_are_the_float64_means_of_their_finite_values()
    {
        // Labels in runs of random lengths, a mask with holes, NaN and ±inf voxels
        // (counted as 0, as ensure_finite makes them): the means equal a plain float64 sum over the count, to rounding.
        Gen.Select(Gen.Int[1, 400], Gen.Int[1, 6], Gen.Int[0, 10_000]).Sample((n, regions, seed) =>
        {
            var rnd = new Random(seed);
            var labels = new int[n];
            for (int v = 0; v < n;)
            {
                int run = rnd.Next(1, 12), label = rnd.Next(0, regions + 1);
                for (int j = 0; j < run && v < n; j++) labels[v++] = label;
            }
            var mask = Enumerable.Range(0, n).Select(_ => (byte)(rnd.NextDouble() < 0.9 ? 1 : 0)).ToArray();
            float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
            var volume = Enumerable.Range(0, n).Select(_ => rnd.NextDouble() < 0.05 ? specials[rnd.Next(3)] : (float)(1000 * rnd.NextDouble() - 200)).ToArray();
            var ids = Enumerable.Range(1, regions).ToArray();
            var index = new RegionVoxelIndex(labels, mask, ids, 0, ReductionStrategy.Mean);
            var row = new float[regions];
            float[]? scratch = null;
            index.Reduce<float>(volume, row, ref scratch);
            for (int k = 0; k < regions; k++)
            {
                var voxels = Enumerable.Range(0, n).Where(v => labels[v] == ids[k] && mask[v] != 0).ToArray();
                if (voxels.Length == 0) continue;
                double sum = voxels.Sum(v => float.IsFinite(volume[v]) ? (double)volume[v] : 0);
                Assert.Equal((float)(sum / voxels.Length), row[k], (float)(1e-6 * Math.Max(1, Math.Abs(sum / voxels.Length))));
            }
        }, iter: 300);
    }
}
