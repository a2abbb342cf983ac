namespace NiSharp.Imaging;

/// <summary>
/// The cubic B-spline prefilter of <c>scipy.ndimage.spline_filter</c> (order 3) as <c>affine_transform</c>
/// runs it for <c>mode='constant'</c>: each axis in turn (x, then y, then z) is turned into interpolation
/// coefficients by one causal and one anti-causal recursive pass with pole z = √3 − 2, after scaling by the
/// gain (1 − z)(1 − 1/z). The boundary is the whole-sample mirror (scipy's "mirror" initialisation, which it
/// uses for 'constant' too), so the results agree with scipy to rounding.
/// </summary>
/// <remarks>Unser, Aldroubi and Eden (1991), "Fast B-spline transforms for continuous image representation
/// and interpolation", IEEE TPAMI 13(3).</remarks>
public static class SplineFilter
{
    /// <summary>The pole of the cubic B-spline filter, √3 − 2.</summary>
    public const double Pole = -0.267949192431122706472553658494127633;

    private static readonly double Gain = (1.0 - Pole) * (1.0 - 1.0 / Pole);

    /// <summary>Turns a volume (x fastest) into cubic spline coefficients in place.</summary>
    public static void Prefilter3D(Span<double> volume, int nx, int ny, int nz, bool parallel = true)
    {
        if (volume.Length != (long)nx * ny * nz) throw new ArgumentException("volume size does not match the shape");
        unsafe
        {
            fixed (double* p = volume)
            {
                var ptr = (nint)p;
                int total = volume.Length;
                // x: contiguous lines.
                if (nx > 1)
                {
                    int lines = ny * nz;
                    Run(parallel && lines > 64, 0, lines, l => FilterLine(new Span<double>((double*)ptr + (long)l * nx, nx)));
                }
                // y: for each z-plane, nx lines side by side (stride nx): filter them as rows.
                if (ny > 1)
                    Run(parallel && nz > 1, 0, nz, k => FilterRows(new Span<double>((double*)ptr + (long)k * nx * ny, nx * ny), nx, ny));
                // z: nx*ny lines side by side (stride nx*ny), split into column blocks for parallelism.
                if (nz > 1)
                {
                    int plane = nx * ny;
                    int blocks = Math.Max(1, Math.Min(Environment.ProcessorCount * 4, plane / 1024));
                    int per = (plane + blocks - 1) / blocks;
                    Run(parallel && blocks > 1, 0, blocks, b =>
                    {
                        int c0 = b * per, w = Math.Min(per, plane - c0);
                        if (w > 0) FilterStrided(new Span<double>((double*)ptr, total), c0, w, plane, nz);
                    });
                }
            }
        }
    }

    private static void Run(bool parallel, int from, int to, Action<int> body)
    {
        if (parallel) Parallel.For(from, to, body);
        else for (int i = from; i < to; i++) body(i);
    }

    /// <summary>Filters one line in place (scipy <c>apply_filter</c> with mirror initialisation).</summary>
    public static void FilterLine(Span<double> c)
    {
        int n = c.Length;
        if (n <= 1) return;
        const double z = Pole;
        for (int i = 0; i < n; i++) c[i] *= Gain;
        // causal initialisation (mirror)
        double zi = z;
        double zn1 = Math.Pow(z, n - 1);
        double c0 = c[0] + zn1 * c[n - 1];
        for (int i = 1; i < n - 1; i++)
        {
            c0 += zi * (c[i] + zn1 * c[n - 1 - i]);
            zi *= z;
        }
        c[0] = c0 / (1 - zn1 * zn1);
        for (int i = 1; i < n; i++) c[i] += z * c[i - 1];
        // anti-causal initialisation (mirror)
        c[n - 1] = (z * c[n - 2] + c[n - 1]) * z / (z * z - 1);
        for (int i = n - 2; i >= 0; i--) c[i] = z * (c[i + 1] - c[i]);
    }

    /// <summary>Filters the columns of a <paramref name="rows"/>×<paramref name="width"/> block (each column is one line).</summary>
    private static void FilterRows(Span<double> block, int width, int rows) => FilterStrided(block, 0, width, width, rows);

    /// <summary>
    /// Filters <paramref name="count"/> lines side by side: line c (c0 ≤ c &lt; c0+count) holds the elements
    /// <c>data[c + i*stride]</c> for i in [0, n). Same arithmetic as <see cref="FilterLine"/>, element by element.
    /// </summary>
    private static void FilterStrided(Span<double> data, int c0, int count, int stride, int n)
    {
        if (n <= 1) return;
        const double z = Pole;
        Span<double> Row(Span<double> d, int i) => d.Slice(c0 + i * stride, count);
        for (int i = 0; i < n; i++)
        {
            var r = Row(data, i);
            for (int x = 0; x < r.Length; x++) r[x] *= Gain;
        }
        double zn1 = Math.Pow(z, n - 1);
        var first = Row(data, 0);
        var last = Row(data, n - 1);
        var acc = new double[count];
        for (int x = 0; x < count; x++) acc[x] = first[x] + zn1 * last[x];
        double zi = z;
        for (int i = 1; i < n - 1; i++)
        {
            var a = Row(data, i);
            var b = Row(data, n - 1 - i);
            for (int x = 0; x < count; x++) acc[x] += zi * (a[x] + zn1 * b[x]);
            zi *= z;
        }
        double denom = 1 - zn1 * zn1;
        for (int x = 0; x < count; x++) first[x] = acc[x] / denom;
        for (int i = 1; i < n; i++)
        {
            var cur = Row(data, i);
            var prev = Row(data, i - 1);
            for (int x = 0; x < count; x++) cur[x] += z * prev[x];
        }
        var beforeLast = Row(data, n - 2);
        double zz = z * z - 1;
        for (int x = 0; x < count; x++) last[x] = (z * beforeLast[x] + last[x]) * z / zz;
        for (int i = n - 2; i >= 0; i--)
        {
            var cur = Row(data, i);
            var next = Row(data, i + 1);
            for (int x = 0; x < count; x++) cur[x] = z * (next[x] - cur[x]);
        }
    }
}
