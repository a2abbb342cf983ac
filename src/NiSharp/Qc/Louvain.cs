using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Qc;

/// <summary>A partition of a network's nodes into communities and its modularity.</summary>
/// <param name="Community">Community of each node, numbered 0.. in order of first appearance.</param>
/// <param name="Modularity">Newman's Q of the partition on the network it was found on.</param>
public sealed record CommunityPartition(int[] Community, double Modularity)
{
    /// <summary>Number of communities.</summary>
    public int Count => Community.Length == 0 ? 0 : Community.Max() + 1;
}

/// <summary>Options of <see cref="Louvain.Detect"/>.</summary>
public sealed record LouvainOptions
{
    /// <summary>Seed of the node orders: the same seed gives the same partition.</summary>
    public int Seed { get; init; }

    /// <summary>Independent runs (different node orders); the partition with the highest Q is kept.</summary>
    public int Restarts { get; init; } = 10;

    /// <summary>Resolution γ of the modularity (1: Newman's Q).</summary>
    public double Resolution { get; init; } = 1;
}

/// <summary>
/// Newman's modularity and community detection with the Louvain method (Blondel et al. 2008, J. Stat. Mech. P10008),
/// on an undirected network with non-negative weights (diagonal ignored). For connectomes the benchmark uses the
/// positive correlations as weights (<see cref="PositiveWeights"/>); the fMRIPrep denoising benchmark uses the Brain
/// Connectivity Toolbox's signed variant (Rubinov &amp; Sporns 2011), which differs in how it counts negative weights.
/// </summary>
/// <remarks>
/// Q = (1/2m) Σ<sub>ij</sub> [A<sub>ij</sub> − γ k<sub>i</sub>k<sub>j</sub>/2m] δ(c<sub>i</sub>, c<sub>j</sub>), with
/// k<sub>i</sub> the strength of node i and 2m the total strength. Each run repeats two phases until nothing changes:
/// (1) visit the nodes in a random order (from the seed) and move each to the neighbouring community with the largest
/// gain in Q, until a full pass moves nothing; (2) merge each community into one node (internal weights become a self
/// loop, so Q is unchanged) and start again on the smaller network. Ties keep the node where it is; gains below 1e-12
/// of 2m count as none, so rounding cannot make it cycle.
/// </remarks>
public static class Louvain
{
    /// <summary>The network of a connectivity matrix: its positive off-diagonal entries (NaN and negative become 0).</summary>
    public static double[,] PositiveWeights(Matrix<double> connectivity)
    {
        int n = connectivity.RowCount;
        var w = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                w[i, j] = i != j && connectivity[i, j] > 0 ? connectivity[i, j] : 0;
        return w;
    }

    /// <summary>Newman's Q of <paramref name="community"/> on <paramref name="weights"/> (diagonal ignored); NaN for a network without edges.</summary>
    public static double Modularity(double[,] weights, ReadOnlySpan<int> community, double resolution = 1)
    {
        int n = weights.GetLength(0);
        if (community.Length != n) throw new ArgumentException("one community per node");
        var strength = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) { strength[i] += weights[i, j]; total += weights[i, j]; }
        if (!(total > 0)) return double.NaN;
        int c = 0;
        foreach (var x in community) c = Math.Max(c, x + 1);
        var inside = new double[c];
        var tot = new double[c];
        for (int i = 0; i < n; i++)
        {
            tot[community[i]] += strength[i];
            for (int j = 0; j < n; j++)
                if (i != j && community[i] == community[j]) inside[community[i]] += weights[i, j];
        }
        double q = 0;
        for (int k = 0; k < c; k++) q += inside[k] / total - resolution * (tot[k] / total) * (tot[k] / total);
        return q;
    }

    /// <summary>The best partition of <paramref name="options"/>.Restarts Louvain runs on <paramref name="weights"/>
    /// (symmetric, non-negative; the diagonal is ignored).</summary>
    public static CommunityPartition Detect(double[,] weights, LouvainOptions? options = null)
    {
        var o = options ?? new LouvainOptions();
        if (o.Restarts < 1) throw new ArgumentException("at least one run");
        int n = weights.GetLength(0);
        if (weights.GetLength(1) != n) throw new ArgumentException("the weights must be square");
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j) continue;
                double w = weights[i, j];
                if (!(w >= 0) || w != weights[j, i]) throw new NiSharpException("Louvain needs symmetric non-negative weights");
                a[i, j] = w;
            }
        CommunityPartition? best = null;
        for (int run = 0; run < o.Restarts; run++)
        {
            // HashCode.Combine is seeded per process, so it would give a different partition on every run; the restart's
            // seed must depend on nothing but the options for results (and reruns after a crash) to be reproducible.
            var community = RunOnce(a, new Random(unchecked(o.Seed * 1_000_003 + run * 7_919 + 0x10A7)), o.Resolution);
            double q = Modularity(a, community, o.Resolution);
            if (best is null || q > best.Modularity + 1e-12) best = new CommunityPartition(community, q);
        }
        return best!;
    }

    /// <summary>One Louvain run from singletons; returns the community of every original node.</summary>
    private static int[] RunOnce(double[,] original, Random rng, double resolution)
    {
        int n0 = original.GetLength(0);
        var membership = new int[n0];
        for (int i = 0; i < n0; i++) membership[i] = i;
        var a = (double[,])original.Clone();
        while (true)
        {
            int n = a.GetLength(0);
            var community = LocalMoving(a, rng, resolution, out bool moved);
            if (!moved) break;
            int count = Renumber(community);
            for (int i = 0; i < n0; i++) membership[i] = community[membership[i]];
            if (count == n) break;
            a = Aggregate(a, community, count);
        }
        Renumber(membership);
        return membership;
    }

    /// <summary>Phase 1: moves nodes between communities while Q increases.</summary>
    private static int[] LocalMoving(double[,] a, Random rng, double resolution, out bool movedAny)
    {
        int n = a.GetLength(0);
        var k = new double[n];
        double twoM = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) k[i] += a[i, j];
            twoM += k[i];
        }
        var community = new int[n];
        var tot = new double[n];
        for (int i = 0; i < n; i++) { community[i] = i; tot[i] = k[i]; }
        movedAny = false;
        if (!(twoM > 0)) return community;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var linkTo = new double[n];
        var touched = new List<int>(n);
        double eps = 1e-12 * twoM;
        bool moved;
        do
        {
            moved = false;
            foreach (int i in order)
            {
                int from = community[i];
                foreach (int c in touched) linkTo[c] = 0;
                touched.Clear();
                for (int j = 0; j < n; j++)
                {
                    if (j == i || a[i, j] == 0) continue;
                    int c = community[j];
                    if (linkTo[c] == 0) touched.Add(c);
                    linkTo[c] += a[i, j];
                }
                tot[from] -= k[i];
                // Gain of putting i into c (up to a constant): k_i,in(c) − γ Σtot(c) k_i / 2m.
                double bestGain = linkTo[from] - resolution * tot[from] * k[i] / twoM;
                int best = from;
                foreach (int c in touched)
                {
                    double gain = linkTo[c] - resolution * tot[c] * k[i] / twoM;
                    if (gain > bestGain + eps) { bestGain = gain; best = c; }
                }
                tot[best] += k[i];
                if (best != from)
                {
                    community[i] = best;
                    moved = true;
                    movedAny = true;
                }
            }
        } while (moved);
        return community;
    }

    /// <summary>Renumbers communities 0.. in order of first appearance; returns their count.</summary>
    private static int Renumber(int[] community)
    {
        var map = new Dictionary<int, int>();
        for (int i = 0; i < community.Length; i++)
        {
            if (!map.TryGetValue(community[i], out int c)) map[community[i]] = c = map.Count;
            community[i] = c;
        }
        return map.Count;
    }

    /// <summary>Phase 2: one node per community; A'[c, d] = Σ A[i, j] over i in c, j in d (internal weight on the diagonal).</summary>
    private static double[,] Aggregate(double[,] a, int[] community, int count)
    {
        int n = a.GetLength(0);
        var b = new double[count, count];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                b[community[i], community[j]] += a[i, j];
        return b;
    }
}
