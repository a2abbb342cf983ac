using CsCheck;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;

namespace NiSharp.Tests.Maskers;

public class RegionVoxelIndexTests
{
    [Fact]
    public void Region_means_of_float_volumes_are_the_float64_means_of_their_voxels()
    {
        // Labels in runs of random lengths, a mask with holes (the extraction hands the index finite values only: see
        // the next test): the means equal a plain float64 sum over the count, to rounding.
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
            var volume = Enumerable.Range(0, n).Select(_ => (float)(1000 * rnd.NextDouble() - 200)).ToArray();
            var ids = Enumerable.Range(1, regions).ToArray();
            var index = new RegionVoxelIndex(labels, mask, ids, 0, ReductionStrategy.Mean);
            var row = new float[regions];
            float[]? scratch = null;
            index.Reduce<float>(volume, row, ref scratch);
            for (int k = 0; k < regions; k++)
            {
                var voxels = Enumerable.Range(0, n).Where(v => labels[v] == ids[k] && mask[v] != 0).ToArray();
                if (voxels.Length == 0) continue;
                double sum = voxels.Sum(v => (double)volume[v]);
                Assert.Equal((float)(sum / voxels.Length), row[k], (float)(1e-6 * Math.Max(1, Math.Abs(sum / voxels.Length))));
            }
        }, iter: 300);
    }

    [Fact]
    public void Non_finite_voxels_count_as_zero_in_every_reduction_and_are_counted_in_the_warning()
    {
        // The extraction replaces NaN and ±inf by 0 before any reducer sees the volume (nilearn's ensure_finite), and
        // counts them: random labels, random volumes with NaN/inf sprinkled in, every reduction strategy.
        Gen.Select(Gen.Int[1, 300], Gen.Int[1, 5], Gen.Int[0, 10_000]).Sample((n, regions, seed) =>
        {
            var rnd = new Random(seed);
            var labels = Enumerable.Range(0, n).Select(_ => rnd.Next(0, regions + 1)).ToArray();
            if (!labels.Any(l => l != 0)) labels[0] = 1;
            const int volumes = 2;
            float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
            var data = Enumerable.Range(0, n * volumes).Select(_ => rnd.NextDouble() < 0.05 ? specials[rnd.Next(3)] : (float)(1000 * rnd.NextDouble() - 200)).ToArray();
            var image = new Image<float>([n, 1, 1, volumes], Affine.Identity, data, new NiftiHeader { Pixdim = [1, 1, 1, 1, 2, 1, 1, 1] });
            var table = new LabelTable(labels.Where(l => l != 0).Distinct().Order().Select(l => new AtlasLabel(l, "r" + l)).ToList());
            var atlas = Atlas.FromImage(new Image<int>([n, 1, 1], Affine.Identity, labels), table, "random");
            int nonFinite = data.Count(x => !float.IsFinite(x));
            foreach (var strategy in new[] { ReductionStrategy.Mean, ReductionStrategy.Median, ReductionStrategy.Maximum, ReductionStrategy.Variance })
            {
                var r = new LabelsMasker(new LabelsMaskerOptions { Atlas = atlas, Strategy = strategy }).FitTransform(image);
                for (int k = 0; k < r.LabelIds.Length; k++)
                    for (int t = 0; t < volumes; t++)
                    {
                        var values = Enumerable.Range(0, n).Where(v => labels[v] == r.LabelIds[k]).Select(v => data[t * n + v]).Select(x => float.IsFinite(x) ? (double)x : 0).ToArray();
                        double expected = strategy switch
                        {
                            ReductionStrategy.Mean => values.Average(),
                            ReductionStrategy.Maximum => values.Max(),
                            ReductionStrategy.Variance => values.Select(x => (x - values.Average()) * (x - values.Average())).Average(),
                            _ => Median(values),
                        };
                        Assert.Equal(expected, r.Values[t, k], 1e-3 * Math.Max(1, Math.Abs(expected)));
                    }
                Assert.Equal(nonFinite > 0, r.Warnings.Any(w => w.Contains($" {nonFinite} non-finite voxel value")));
            }
        }, iter: 60);
    }

    private static double Median(double[] values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
