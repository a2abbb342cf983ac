using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;
using NiSharp.Group;

namespace NiSharp.Bench;

/// <summary>
/// Connectivity and group comparison at study sizes, each against the irreducible core of the same
/// work measured in the same run (the machine is shared, so only ratios mean much):
/// correlation (Ledoit–Wolf) vs the bare Gram products XᵀX; tangent vs correlation on the same
/// group; the permutation test vs one pass of Welch tests over the same edges.
/// </summary>
public static class ConnectivityBench
{
    public static int Run(string[] args)
    {
        var rng = new Random(1);
        Matrix<double>[] Group(int subjects, int regions, int time) =>
            Enumerable.Range(0, subjects).Select(_ => Matrix<double>.Build.Dense(time, regions, (_, _) => rng.NextDouble() - 0.5)).ToArray();

        var big = Group(100, 400, 150);
        double gram = Measure.BestSeconds(() => Parallel.ForEach(big, x => x.TransposeThisAndMultiply(x)), 3);
        double corr = Measure.BestSeconds(() => new ConnectivityMeasure(new ConnectivityOptions { Kind = ConnectivityKind.Correlation }).FitTransform(big), 3);
        var (managed, process) = Measure.PeakMemory(() => new ConnectivityMeasure(new ConnectivityOptions { Kind = ConnectivityKind.Correlation }).FitTransform(big));
        Console.WriteLine($"100 subjects × 400 regions × 150 volumes");
        Console.WriteLine($"  Gram products only        {gram * 1000,9:0.0} ms");
        Console.WriteLine($"  correlation (Ledoit-Wolf) {corr * 1000,9:0.0} ms   ratio {corr / gram:0.00}x   peak managed {Measure.Mb(managed)} (inputs {Measure.Mb(100L * 400 * 150 * 8)}, outputs {Measure.Mb(100L * 400 * 400 * 8)}), RSS {Measure.Mb(process)}");

        var mid = Group(20, 100, 150);
        double corrMid = Measure.BestSeconds(() => new ConnectivityMeasure(new ConnectivityOptions { Kind = ConnectivityKind.Correlation }).FitTransform(mid), 3);
        var tangentMeasure = new ConnectivityMeasure(new ConnectivityOptions { Kind = ConnectivityKind.Tangent });
        double tangent = Measure.BestSeconds(() => tangentMeasure.FitTransform(mid), 1);
        Console.WriteLine($"20 subjects × 100 regions × 150 volumes");
        Console.WriteLine($"  correlation               {corrMid * 1000,9:0.0} ms");
        Console.WriteLine($"  tangent                   {tangent * 1000,9:0.0} ms   ratio {tangent / corrMid:0.0}x ({tangentMeasure.GeometricMeanFit!.Iterations} geometric-mean iterations)");

        var matrices = new ConnectivityMeasure(new ConnectivityOptions { Kind = ConnectivityKind.Correlation }).FitTransform(Group(40, 100, 150))
            .Select((m, k) => new ConnectivityMatrix(Enumerable.Range(1, 100).Select(i => new Region($"label_{i}", i)).ToArray(), m, $"sub-{k}")).ToArray();
        var features = ConnectomeFeatures.AllEdges(matrices);
        var split = new GroupSplit("a", "b", Enumerable.Range(0, 40).Select(i => i % 2).ToArray());
        double welch = Measure.BestSeconds(() => GroupComparison.Run(features, split, new GroupComparisonOptions { Permutations = 0 }), 3);
        double perm = Measure.BestSeconds(() => GroupComparison.Run(features, split, new GroupComparisonOptions { Permutations = 10000 }), 1);
        Console.WriteLine($"compare: 40 subjects, {features.Count} edges");
        Console.WriteLine($"  Welch + FDR only          {welch * 1000,9:0.0} ms");
        Console.WriteLine($"  + 10000 permutations      {perm * 1000,9:0.0} ms   ratio {perm / welch:0.0}x ({perm / (10000.0 * features.Count) * 1e9:0.0} ns per edge and permutation)");
        return 0;
    }
}
