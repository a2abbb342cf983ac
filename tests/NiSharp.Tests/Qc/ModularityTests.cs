using CsCheck;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Qc;

namespace NiSharp.Tests.Qc;

/// <summary>Newman modularity and the Louvain method on networks with a known partition.</summary>
public class ModularityTests
{
    private static double[,] Graph(int n, IEnumerable<(int A, int B, double W)> edges)
    {
        var w = new double[n, n];
        foreach (var (a, b, x) in edges) { w[a, b] = x; w[b, a] = x; }
        return w;
    }

    private static IEnumerable<(int, int, double)> Clique(int first, int size)
    {
        for (int i = first; i < first + size; i++)
            for (int j = i + 1; j < first + size; j++) yield return (i, j, 1.0);
    }

    [Fact]
    public void Two_triangles_joined_by_an_edge_have_modularity_5_14()
    {
        // m = 7 edges; each triangle: 3 internal edges, degree sum 7: Q = 2·(3/7 − (7/14)²) = 5/14.
        var w = Graph(6, Clique(0, 3).Concat(Clique(3, 3)).Append((2, 3, 1.0)));
        Assert.Equal(5.0 / 14, Louvain.Modularity(w, [0, 0, 0, 1, 1, 1]), 1e-15);
        Assert.Equal(0, Louvain.Modularity(w, [0, 0, 0, 0, 0, 0]), 1e-15);
        var found = Louvain.Detect(w, new LouvainOptions { Seed = 1 });
        Assert.Equal(5.0 / 14, found.Modularity, 1e-12);
        Assert.Equal(2, found.Count);
    }

    [Fact]
    public void Disconnected_blocks_are_found_with_modularity_1_minus_1_over_k()
    {
        // Three cliques of 8 nodes, no edge between them: Q = Σ (1/3 − 1/9) = 2/3.
        var w = Graph(24, Clique(0, 8).Concat(Clique(8, 8)).Concat(Clique(16, 8)));
        var p = Louvain.Detect(w, new LouvainOptions { Seed = 5 });
        Assert.Equal(2.0 / 3, p.Modularity, 1e-12);
        Assert.Equal(3, p.Count);
        for (int b = 0; b < 3; b++)
            Assert.Single(p.Community.Skip(8 * b).Take(8).Distinct());
    }

    [Fact]
    public void A_ring_of_cliques_splits_into_its_cliques()
    {
        // Six 5-cliques in a ring, one edge between neighbours: m = 66, each clique 10 internal edges and degree sum 22:
        // Q = 6·10/66 − 6·(22/132)² = 0.742424…
        var edges = new List<(int, int, double)>();
        for (int c = 0; c < 6; c++)
        {
            edges.AddRange(Clique(5 * c, 5));
            edges.Add((5 * c + 4, (5 * c + 5) % 30, 1.0));
        }
        var p = Louvain.Detect(Graph(30, edges), new LouvainOptions { Seed = 2 });
        Assert.Equal(60.0 / 66 - 1.0 / 6, p.Modularity, 1e-12);
        Assert.Equal(6, p.Count);
    }

    [Fact]
    public void Block_structured_correlations_with_noise_give_back_their_blocks()
    {
        // A connectome of 4 networks × 10 regions: r = 0.6 within, 0.1 between, ±0.05 noise, some negative weights.
        var rng = new Random(4);
        int n = 40;
        var m = Matrix<double>.Build.Dense(n, n, (i, j) => i == j ? 1 : 0);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                m[i, j] = m[j, i] = (i / 10 == j / 10 ? 0.6 : i % 3 == 0 ? -0.2 : 0.1) + 0.05 * (2 * rng.NextDouble() - 1);
        var w = Louvain.PositiveWeights(m);
        Assert.Equal(0, w[0, 0]);
        Assert.True(w.Cast<double>().All(x => x >= 0));
        var p = Louvain.Detect(w, new LouvainOptions { Seed = 3 });
        Assert.Equal(4, p.Count);
        for (int b = 0; b < 4; b++) Assert.Single(p.Community.Skip(10 * b).Take(10).Distinct());
        var blocks = Enumerable.Range(0, n).Select(i => i / 10).ToArray();
        Assert.Equal(Louvain.Modularity(w, blocks), p.Modularity, 1e-12);
    }

    [Fact]
    public void The_same_seed_gives_the_same_partition()
    {
        var rng = new Random(8);
        int n = 30;
        var w = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) w[i, j] = w[j, i] = rng.NextDouble() < 0.3 ? rng.NextDouble() : 0;
        var a = Louvain.Detect(w, new LouvainOptions { Seed = 11 });
        var b = Louvain.Detect(w, new LouvainOptions { Seed = 11 });
        Assert.Equal(a.Community, b.Community);
        Assert.Equal(a.Modularity, b.Modularity);
    }

    [Fact]
    public void Louvain_reports_the_modularity_of_its_partition_and_beats_singletons()
    {
        Gen.Int[2, 16].SelectMany(n => Gen.Double[0, 1].Array[n * n].Select(v => (n, v)))
            .Sample(t =>
            {
                var (n, v) = t;
                var w = new double[n, n];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < i; j++) w[i, j] = w[j, i] = v[i * n + j] < 0.4 ? 0 : v[i * n + j];
                var p = Louvain.Detect(w, new LouvainOptions { Seed = n, Restarts = 3 });
                if (double.IsNaN(p.Modularity)) return; // no edge at all
                Assert.Equal(Louvain.Modularity(w, p.Community), p.Modularity, 1e-12);
                Assert.True(p.Modularity >= Louvain.Modularity(w, Enumerable.Range(0, n).ToArray()) - 1e-12);
                Assert.True(p.Modularity <= 1);
                Assert.Equal(Enumerable.Range(0, p.Count), p.Community.Distinct().Order());
            });
    }

    [Fact]
    public void Negative_or_asymmetric_weights_are_refused()
    {
        Assert.Throws<NiSharpException>(() => Louvain.Detect(new double[,] { { 0, -1 }, { -1, 0 } }));
        Assert.Throws<NiSharpException>(() => Louvain.Detect(new double[,] { { 0, 1 }, { 2, 0 } }));
    }
}
