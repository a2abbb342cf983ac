using NiSharp.Atlases;

namespace NiSharp.Qc;

/// <summary>A point in world (scanner / template) coordinates, in mm.</summary>
public readonly record struct WorldPoint(double X, double Y, double Z)
{
    /// <summary>Euclidean distance in mm.</summary>
    public double DistanceTo(WorldPoint o)
    {
        double dx = X - o.X, dy = Y - o.Y, dz = Z - o.Z;
        return Math.Sqrt(dx * dx + dy * dy + dz * dz);
    }
}

/// <summary>
/// Parcel centroids and QC-FC distance dependence (Power et al. 2012; Parkes et al. 2018; Wang et al. 2024): motion
/// inflates short-range connectivity more than long-range, so QC-FC that falls with the distance between the two
/// regions (a negative rank correlation) is a motion signature.
/// </summary>
public static class DistanceDependence
{
    /// <summary>
    /// The centre of mass of every label of <paramref name="atlas"/> in world mm: the mean of its voxel centres mapped
    /// through the atlas affine, on the atlas's own grid (as nilearn's <c>find_parcellation_cut_coords</c> with
    /// <c>return_label_names</c> gives the centre of mass). Labels without voxels are absent.
    /// </summary>
    public static IReadOnlyDictionary<int, WorldPoint> Centroids(Atlas atlas)
    {
        var img = atlas.Image;
        var shape = img.Shape;
        int nx = shape[0], ny = shape.Length > 1 ? shape[1] : 1, nz = shape.Length > 2 ? shape[2] : 1;
        var sums = new Dictionary<int, (double I, double J, double K, long N)>();
        var data = img.Data.AsSpan(0, nx * ny * nz);
        int v = 0;
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++, v++)
                {
                    int label = data[v];
                    if (label == 0) continue;
                    sums.TryGetValue(label, out var s);
                    sums[label] = (s.I + i, s.J + j, s.K + k, s.N + 1);
                }
        var result = new SortedDictionary<int, WorldPoint>();
        foreach (var (label, s) in sums)
        {
            // The affine is linear, so the centre of the mapped voxels is the mapped centre of the voxel indices.
            var (x, y, z) = img.Affine.Apply(s.I / s.N, s.J / s.N, s.K / s.N);
            result[label] = new WorldPoint(x, y, z);
        }
        return result;
    }

    /// <summary>The Euclidean distance (mm) of each edge between the centroids of its two labels (NaN when either is unknown).</summary>
    public static double[] EdgeDistances(IReadOnlyList<(int I, int J)> edges, IReadOnlyList<int?> labelOfRow, IReadOnlyDictionary<int, WorldPoint> centroids)
    {
        var d = new double[edges.Count];
        for (int e = 0; e < edges.Count; e++)
        {
            var (i, j) = edges[e];
            d[e] = labelOfRow[i] is int a && labelOfRow[j] is int b && centroids.TryGetValue(a, out var pa) && centroids.TryGetValue(b, out var pb)
                ? pa.DistanceTo(pb)
                : double.NaN;
        }
        return d;
    }

    /// <summary>Distance dependence: Spearman's rank correlation of QC-FC with edge distance over the edges that have both.</summary>
    public static double Compute(ReadOnlySpan<double> qcfc, ReadOnlySpan<double> distance) => PartialCorrelation.Spearman(qcfc, distance);
}
