namespace NiSharp.Imaging;

/// <summary>Which neighbours touch: faces only (6) or faces, edges and corners (26).</summary>
public enum Connectivity
{
    /// <summary>Face neighbours: scipy.ndimage's default structure.</summary>
    Face6 = 6,
    /// <summary>Faces, edges and corners: a 3×3×3 block of ones.</summary>
    Full26 = 26,
}

/// <summary>
/// Connected components of a 3D label volume, numbered as <c>scipy.ndimage.label</c> numbers them: by the
/// position of each component's first voxel in numpy's C order of the (x, y, z) array, i.e. x slowest and
/// z fastest. Voxels join a component only when their values are equal and non-zero, so one pass
/// labels every label of an atlas at once.
/// </summary>
public sealed class ConnectedComponents
{
    /// <summary>Component number per voxel (x fastest), 1-based in scipy's order; 0 for background.</summary>
    public int[] Labels { get; }

    /// <summary>Number of components.</summary>
    public int Count { get; }

    /// <summary>Voxel count of component c at index c−1.</summary>
    public int[] Sizes { get; }

    /// <summary>The input value shared by the voxels of component c, at index c−1.</summary>
    public int[] Values { get; }

    private ConnectedComponents(int[] labels, int count, int[] sizes, int[] values)
    {
        Labels = labels; Count = count; Sizes = sizes; Values = values;
    }

    /// <summary>Labels the components of equal non-zero values in <paramref name="values"/> (x fastest, nx×ny×nz).</summary>
    public static ConnectedComponents Find(ReadOnlySpan<int> values, int nx, int ny, int nz, Connectivity connectivity)
    {
        int n = values.Length;
        if (n != (long)nx * ny * nz) throw new ArgumentException("values do not match the shape");
        var parent = new int[n];
        // backward neighbours in memory order (i fastest): offsets (di, dj, dk) that come earlier
        var offs = new List<(int di, int dj, int dk)>();
        for (int dk = -1; dk <= 0; dk++)
        for (int dj = -1; dj <= 1; dj++)
        for (int di = -1; di <= 1; di++)
        {
            if (dk == 0 && (dj > 0 || (dj == 0 && di >= 0))) continue;
            if (connectivity == Connectivity.Face6 && Math.Abs(di) + Math.Abs(dj) + Math.Abs(dk) != 1) continue;
            offs.Add((di, dj, dk));
        }
        var nb = offs.ToArray();
        for (int i = 0; i < n; i++) parent[i] = -1; // -1: background
        for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++)
        {
            int row = nx * (j + ny * k);
            for (int i = 0; i < nx; i++)
            {
                int p = row + i;
                int v = values[p];
                if (v == 0) continue;
                parent[p] = p;
                foreach (var (di, dj, dk) in nb)
                {
                    int ii = i + di, jj = j + dj, kk = k + dk;
                    if (ii < 0 || ii >= nx || jj < 0 || jj >= ny || kk < 0) continue;
                    int q = ii + nx * (jj + ny * kk);
                    if (values[q] != v) continue;
                    Union(parent, p, q);
                }
            }
        }
        // first voxel of each root in C order (x slowest, z fastest): key = (i*ny + j)*nz + k
        var firstKey = new Dictionary<int, long>();
        var size = new Dictionary<int, int>();
        for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++)
        {
            int row = nx * (j + ny * k);
            for (int i = 0; i < nx; i++)
            {
                int p = row + i;
                if (parent[p] < 0) continue;
                int r = Find(parent, p);
                long key = ((long)i * ny + j) * nz + k;
                if (firstKey.TryGetValue(r, out var fk)) { if (key < fk) firstKey[r] = key; size[r]++; }
                else { firstKey[r] = key; size[r] = 1; }
            }
        }
        var roots = firstKey.Keys.ToArray();
        Array.Sort(roots, (a, b) => firstKey[a].CompareTo(firstKey[b]));
        var number = new Dictionary<int, int>(roots.Length);
        var sizes = new int[roots.Length];
        var vals = new int[roots.Length];
        for (int c = 0; c < roots.Length; c++)
        {
            number[roots[c]] = c + 1;
            sizes[c] = size[roots[c]];
            vals[c] = values[roots[c]];
        }
        var labels = new int[n];
        for (int p = 0; p < n; p++)
            labels[p] = parent[p] < 0 ? 0 : number[Find(parent, p)];
        return new ConnectedComponents(labels, roots.Length, sizes, vals);
    }

    /// <summary>Labels the components of a mask (non-zero voxels), scipy.ndimage.label style.</summary>
    public static ConnectedComponents Find(ReadOnlySpan<bool> mask, int nx, int ny, int nz, Connectivity connectivity = Connectivity.Face6)
    {
        var v = new int[mask.Length];
        for (int i = 0; i < v.Length; i++) v[i] = mask[i] ? 1 : 0;
        return Find(v, nx, ny, nz, connectivity);
    }

    private static int Find(int[] parent, int p)
    {
        int r = p;
        while (parent[r] != r) r = parent[r];
        while (parent[p] != r)
        {
            int next = parent[p];
            parent[p] = r;
            p = next;
        }
        return r;
    }

    private static void Union(int[] parent, int a, int b)
    {
        int ra = Find(parent, a), rb = Find(parent, b);
        if (ra == rb) return;
        if (ra < rb) parent[rb] = ra; else parent[ra] = rb;
    }
}
