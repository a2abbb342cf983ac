using System.Numerics;
using System.Buffers;
using System.Numerics.Tensors;
using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>An image given a name for use in a formula, and optionally the file it came from (for messages).</summary>
public sealed record NamedImage(string Name, Image<float> Image, string? Source = null)
{
    internal string Describe() => Source is null ? Name : $"{Name} ({Source})";
}

/// <summary>
/// nilearn's <c>math_img</c> without evaluating code: a formula over named images, voxel by voxel, e.g.
/// <c>ImageMath.Evaluate("a*b", ("a", t1), ("b", mask))</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>All images must share the 3D grid (shape and affine within numpy <c>allclose</c>), else an error names both.</item>
/// <item>Values are computed in double precision and returned as float32 (numpy would wrap <c>-a</c> of a uint8
/// image; we do not).</item>
/// <item>Comparisons, <c>and</c>, <c>or</c>, <c>not</c> give 0/1; NaN counts as true, as numpy's <c>bool(nan)</c>.</item>
/// <item>A 3D operand combined with a 4D one by an operator or function is used for every volume (the formula
/// says so); two 4D operands must have the same number of volumes (or one volume).</item>
/// <item><c>mean</c>, <c>std</c> (population, ddof 0), and one-argument <c>min</c>/<c>max</c> reduce over time;
/// two-argument <c>min</c>/<c>max</c> are voxel-wise.</item>
/// </list>
/// </remarks>
public static class ImageMath
{
    private const int Chunk = 4096;

    /// <summary>Evaluates <paramref name="formula"/> with images given as (name, image) pairs.</summary>
    public static Image<float> Evaluate(string formula, params (string Name, Image<float> Image)[] images) =>
        Evaluate(Formula.Parse(formula), images.Select(p => new NamedImage(p.Name, p.Image)).ToList());

    /// <summary>Evaluates <paramref name="formula"/> over images of another voxel type (e.g. an <c>int</c> atlas:
    /// <c>ImageMath.Evaluate("a == 44", ("a", atlas))</c>); values are converted to float32 first.</summary>
    public static Image<float> Evaluate<T>(string formula, params (string Name, Image<T> Image)[] images) where T : unmanaged, INumber<T> =>
        Evaluate(Formula.Parse(formula), images.Select(p => new NamedImage(p.Name, p.Image.As<float>())).ToList());

    /// <summary>Evaluates <paramref name="formula"/> with named images (their sources appear in messages).</summary>
    public static Image<float> Evaluate(string formula, IReadOnlyList<NamedImage> images) =>
        Evaluate(Formula.Parse(formula), images);

    /// <summary>Evaluates a parsed formula.</summary>
    public static Image<float> Evaluate(Formula formula, IReadOnlyList<NamedImage> images)
    {
        var byName = new Dictionary<string, NamedImage>(StringComparer.Ordinal);
        foreach (var im in images)
        {
            if (!byName.TryAdd(im.Name, im)) throw new NiSharpException($"the image name '{im.Name}' is given twice");
        }
        var used = formula.Names;
        foreach (var name in used)
        {
            if (!byName.ContainsKey(name))
                throw new NiSharpException($"formula '{formula.Text}': unknown name '{name}' (images given: {(images.Count == 0 ? "none" : string.Join(", ", images.Select(i => i.Name)))})");
        }
        if (used.Count == 0) throw new NiSharpException($"formula '{formula.Text}' uses no image");
        var usedImages = used.Select(n => byName[n]).ToList();
        CheckSameGrid(usedImages);

        var first = usedImages[0];
        var grid = Grid.Of(first.Image);
        var root = Bind(formula, formula.Root, byName);
        if (root is ConstNode) throw new NiSharpException($"formula '{formula.Text}' uses no image");

        int n = grid.VoxelCount;
        int nt = root.Volumes;
        var output = new float[(long)n * nt];
        int chunks = (n + Chunk - 1) / Chunk;
        Parallel.For(0, chunks, c =>
        {
            int v0 = c * Chunk, count = Math.Min(Chunk, n - v0);
            var buf = ArrayPool<double>.Shared.Rent(count * nt);
            try
            {
                root.Eval(v0, count, n, buf.AsSpan(0, count * nt));
                for (int t = 0; t < nt; t++)
                    TensorPrimitives.ConvertTruncating<double, float>(buf.AsSpan(t * count, count), output.AsSpan(t * n + v0, count));
            }
            finally
            {
                ArrayPool<double>.Shared.Return(buf);
            }
        });
        int[] shape = root.Is4D ? [grid.Nx, grid.Ny, grid.Nz, nt] : grid.Shape;
        var header = (root.Is4D ? usedImages.FirstOrDefault(i => i.Image.NDim >= 4) ?? first : first).Image.Header;
        return new Image<float>(shape, first.Image.Affine, output, header);
    }

    private static void CheckSameGrid(IReadOnlyList<NamedImage> images)
    {
        var a = images[0];
        var ga = Grid.Of(a.Image);
        foreach (var b in images.Skip(1))
        {
            var gb = Grid.Of(b.Image);
            if (ga.Nx != gb.Nx || ga.Ny != gb.Ny || ga.Nz != gb.Nz)
                throw new NiSharpException($"images {a.Describe()} and {b.Describe()} have different shapes {Image.ShapeText(a.Image.Shape)} and {Image.ShapeText(b.Image.Shape)}; resample one onto the other first");
            if (!ga.Affine.AllClose(gb.Affine))
                throw new NiSharpException($"images {a.Describe()} and {b.Describe()} have different affines (same shape, different position or voxel size); resample one onto the other first");
        }
    }

    // ---- binding: names to images, shapes checked, constants folded ----

    private static Node Bind(Formula f, FormulaNode node, IReadOnlyDictionary<string, NamedImage> images)
    {
        switch (node)
        {
            case NumberNode num:
                return new ConstNode(num.Value);
            case NameNode name:
            {
                var im = images[name.Name];
                return new ImageNode(im);
            }
            case UnaryNode u:
            {
                var x = Bind(f, u.Operand, images);
                if (x is ConstNode c) return new ConstNode(Elementwise.Unary(u.Op, c.Value));
                return new UnaryOpNode(u.Op, x);
            }
            case BinaryNode b:
            {
                var l = Bind(f, b.Left, images);
                var r = Bind(f, b.Right, images);
                if (l is ConstNode cl && r is ConstNode cr) return new ConstNode(Elementwise.Binary(b.Op, cl.Value, cr.Value));
                var (is4D, nt) = Broadcast(f, b.Position, l, r);
                return new BinaryOpNode(b.Op, l, r, is4D, nt);
            }
            case CallNode call:
            {
                var args = call.Args.Select(a => Bind(f, a, images)).ToArray();
                switch (call.Op)
                {
                    case FormulaOp.MeanT or FormulaOp.StdT or FormulaOp.MinT or FormulaOp.MaxT:
                    {
                        var x = args[0];
                        if (!x.Is4D)
                            throw new NiSharpException($"formula '{f.Text}': {call.Name}(…) reduces over time, but its argument is 3D (at position {call.Position + 1})");
                        return new ReduceNode(call.Op, x);
                    }
                    case FormulaOp.Abs or FormulaOp.Sqrt or FormulaOp.Exp or FormulaOp.Log:
                        if (args[0] is ConstNode c1) return new ConstNode(Elementwise.Unary(call.Op, c1.Value));
                        return new UnaryOpNode(call.Op, args[0]);
                    case FormulaOp.Min or FormulaOp.Max:
                    {
                        if (args[0] is ConstNode a0 && args[1] is ConstNode a1) return new ConstNode(Elementwise.Binary(call.Op, a0.Value, a1.Value));
                        var (is4D, nt) = Broadcast(f, call.Position, args[0], args[1]);
                        return new BinaryOpNode(call.Op, args[0], args[1], is4D, nt);
                    }
                    case FormulaOp.Where:
                    {
                        if (args.All(a => a is ConstNode))
                            return new ConstNode(((ConstNode)args[0]).Value != 0 ? ((ConstNode)args[1]).Value : ((ConstNode)args[2]).Value);
                        var (is4Da, nta) = Broadcast(f, call.Position, args[0], args[1]);
                        var (is4Db, ntb) = Broadcast(f, call.Position, args[0], args[2]);
                        var (_, ntab) = Broadcast(f, call.Position, args[1], args[2]);
                        return new WhereNode(args[0], args[1], args[2], is4Da || is4Db, Math.Max(Math.Max(nta, ntb), ntab));
                    }
                }
                throw new InvalidOperationException($"unbound function {call.Name}");
            }
        }
        throw new InvalidOperationException("unknown formula node");
    }

    private static (bool Is4D, int Volumes) Broadcast(Formula f, int position, Node a, Node b)
    {
        bool is4D = a.Is4D || b.Is4D;
        int na = a.Volumes, nb = b.Volumes;
        if (na != nb && na != 1 && nb != 1)
            throw new NiSharpException($"formula '{f.Text}': operands at position {position + 1} have {na} and {nb} volumes ({a.Describe()} vs {b.Describe()})");
        return (is4D, Math.Max(na, nb));
    }

    // ---- evaluation over chunks of voxels; buffers hold count×Volumes values, time-major ----

    private abstract class Node
    {
        public virtual bool Is4D => false;
        public virtual int Volumes => 1;
        public virtual string Describe() => Is4D ? $"a 4D value with {Volumes} volumes" : "a 3D value";

        /// <summary>Writes voxels [v0, v0+count) of every volume into <paramref name="dst"/> (count×Volumes, volume-major).</summary>
        public abstract void Eval(int v0, int count, int voxelsPerVolume, Span<double> dst);
    }

    private sealed class ConstNode(double value) : Node
    {
        public double Value { get; } = value;
        public override void Eval(int v0, int count, int n, Span<double> dst) => dst.Fill(Value);
    }

    private sealed class ImageNode(NamedImage image) : Node
    {
        private readonly float[] _data = image.Image.Data;
        private readonly bool _is4D = image.Image.NDim >= 4;
        private readonly int _volumes = image.Image.VolumeCount;
        public override bool Is4D => _is4D;
        public override int Volumes => _volumes;
        public override string Describe() => Is4D ? $"{image.Describe()} with {Volumes} volumes" : $"{image.Describe()}, 3D";

        public override void Eval(int v0, int count, int n, Span<double> dst)
        {
            for (int t = 0; t < _volumes; t++)
                TensorPrimitives.ConvertChecked<float, double>(_data.AsSpan(t * n + v0, count), dst.Slice(t * count, count));
        }
    }

    private sealed class UnaryOpNode(FormulaOp op, Node x) : Node
    {
        public override bool Is4D => x.Is4D;
        public override int Volumes => x.Volumes;

        public override void Eval(int v0, int count, int n, Span<double> dst)
        {
            x.Eval(v0, count, n, dst);
            Elementwise.Unary(op, dst, dst);
        }
    }

    private sealed class BinaryOpNode(FormulaOp op, Node l, Node r, bool is4D, int volumes) : Node
    {
        public override bool Is4D => is4D;
        public override int Volumes => volumes;

        public override void Eval(int v0, int count, int n, Span<double> dst)
        {
            if (l is ConstNode cl)
            {
                Span<double> rb = Rent(r, count, out var rr);
                try
                {
                    r.Eval(v0, count, n, rb);
                    for (int t = 0; t < volumes; t++)
                        Elementwise.Binary(op, cl.Value, rb.Slice((r.Volumes == 1 ? 0 : t) * count, count), dst.Slice(t * count, count));
                }
                finally { ArrayPool<double>.Shared.Return(rr); }
                return;
            }
            Span<double> lb = Rent(l, count, out var lr);
            try
            {
                l.Eval(v0, count, n, lb);
                if (r is ConstNode cr)
                {
                    for (int t = 0; t < volumes; t++)
                        Elementwise.Binary(op, lb.Slice((l.Volumes == 1 ? 0 : t) * count, count), cr.Value, dst.Slice(t * count, count));
                    return;
                }
                Span<double> rb = Rent(r, count, out var rr);
                try
                {
                    r.Eval(v0, count, n, rb);
                    for (int t = 0; t < volumes; t++)
                        Elementwise.Binary(op, lb.Slice((l.Volumes == 1 ? 0 : t) * count, count), rb.Slice((r.Volumes == 1 ? 0 : t) * count, count), dst.Slice(t * count, count));
                }
                finally { ArrayPool<double>.Shared.Return(rr); }
            }
            finally { ArrayPool<double>.Shared.Return(lr); }
        }
    }

    private sealed class WhereNode(Node c, Node a, Node b, bool is4D, int volumes) : Node
    {
        public override bool Is4D => is4D;
        public override int Volumes => volumes;

        public override void Eval(int v0, int count, int n, Span<double> dst)
        {
            var cb = Rent(c, count, out var cr);
            var ab = Rent(a, count, out var ar);
            var bb = Rent(b, count, out var br);
            try
            {
                c.Eval(v0, count, n, cb);
                a.Eval(v0, count, n, ab);
                b.Eval(v0, count, n, bb);
                for (int t = 0; t < volumes; t++)
                {
                    var cs = cb.Slice((c.Volumes == 1 ? 0 : t) * count, count);
                    var xs = ab.Slice((a.Volumes == 1 ? 0 : t) * count, count);
                    var ys = bb.Slice((b.Volumes == 1 ? 0 : t) * count, count);
                    var d = dst.Slice(t * count, count);
                    for (int i = 0; i < count; i++) d[i] = cs[i] != 0 ? xs[i] : ys[i];
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(cr);
                ArrayPool<double>.Shared.Return(ar);
                ArrayPool<double>.Shared.Return(br);
            }
        }
    }

    private sealed class ReduceNode(FormulaOp op, Node x) : Node
    {
        public override void Eval(int v0, int count, int n, Span<double> dst)
        {
            int nt = x.Volumes;
            var xb = Rent(x, count, out var xr);
            try
            {
                x.Eval(v0, count, n, xb);
                var d = dst[..count];
                switch (op)
                {
                    case FormulaOp.MeanT or FormulaOp.StdT:
                    {
                        d.Clear();
                        for (int t = 0; t < nt; t++) TensorPrimitives.Add(d, xb.Slice(t * count, count), d);
                        TensorPrimitives.Divide(d, nt, d);
                        if (op == FormulaOp.StdT)
                        {
                            // Two passes, as numpy: the mean first, then the mean squared deviation (ddof = 0).
                            var ss = ArrayPool<double>.Shared.Rent(count);
                            try
                            {
                                var s = ss.AsSpan(0, count);
                                s.Clear();
                                for (int t = 0; t < nt; t++)
                                {
                                    var xt = xb.Slice(t * count, count);
                                    for (int i = 0; i < count; i++)
                                    {
                                        double dv = xt[i] - d[i];
                                        s[i] += dv * dv;
                                    }
                                }
                                for (int i = 0; i < count; i++) d[i] = Math.Sqrt(s[i] / nt);
                            }
                            finally { ArrayPool<double>.Shared.Return(ss); }
                        }
                        break;
                    }
                    case FormulaOp.MinT or FormulaOp.MaxT:
                    {
                        xb[..count].CopyTo(d);
                        for (int t = 1; t < nt; t++)
                        {
                            var xt = xb.Slice(t * count, count);
                            if (op == FormulaOp.MinT) TensorPrimitives.Min(d, xt, d);
                            else TensorPrimitives.Max(d, xt, d);
                        }
                        break;
                    }
                }
            }
            finally { ArrayPool<double>.Shared.Return(xr); }
        }
    }

    private static Span<double> Rent(Node node, int count, out double[] rented)
    {
        rented = ArrayPool<double>.Shared.Rent(count * node.Volumes);
        return rented.AsSpan(0, count * node.Volumes);
    }

    /// <summary>The voxel-wise operations, on spans and on single values (for constant folding).</summary>
    private static class Elementwise
    {
        public static double Unary(FormulaOp op, double x) => op switch
        {
            FormulaOp.Neg => -x,
            FormulaOp.Not => x != 0 ? 0 : 1,
            FormulaOp.Abs => Math.Abs(x),
            FormulaOp.Sqrt => Math.Sqrt(x),
            FormulaOp.Exp => Math.Exp(x),
            FormulaOp.Log => Math.Log(x),
            _ => throw new InvalidOperationException(op.ToString()),
        };

        public static void Unary(FormulaOp op, ReadOnlySpan<double> x, Span<double> d)
        {
            switch (op)
            {
                case FormulaOp.Neg: TensorPrimitives.Negate(x, d); break;
                case FormulaOp.Abs: TensorPrimitives.Abs(x, d); break;
                case FormulaOp.Sqrt: TensorPrimitives.Sqrt(x, d); break;
                case FormulaOp.Exp: TensorPrimitives.Exp(x, d); break;
                case FormulaOp.Log: TensorPrimitives.Log(x, d); break;
                default: for (int i = 0; i < x.Length; i++) d[i] = Unary(op, x[i]); break;
            }
        }

        public static double Binary(FormulaOp op, double a, double b) => op switch
        {
            FormulaOp.Add => a + b,
            FormulaOp.Sub => a - b,
            FormulaOp.Mul => a * b,
            FormulaOp.Div => a / b,
            FormulaOp.Pow => Math.Pow(a, b),
            FormulaOp.Eq => a == b ? 1 : 0,
            FormulaOp.Ne => a != b ? 1 : 0,
            FormulaOp.Lt => a < b ? 1 : 0,
            FormulaOp.Le => a <= b ? 1 : 0,
            FormulaOp.Gt => a > b ? 1 : 0,
            FormulaOp.Ge => a >= b ? 1 : 0,
            FormulaOp.And => a != 0 && b != 0 ? 1 : 0,
            FormulaOp.Or => a != 0 || b != 0 ? 1 : 0,
            FormulaOp.Min => Math.Min(a, b),
            FormulaOp.Max => Math.Max(a, b),
            _ => throw new InvalidOperationException(op.ToString()),
        };

        public static void Binary(FormulaOp op, ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> d)
        {
            switch (op)
            {
                case FormulaOp.Add: TensorPrimitives.Add(a, b, d); break;
                case FormulaOp.Sub: TensorPrimitives.Subtract(a, b, d); break;
                case FormulaOp.Mul: TensorPrimitives.Multiply(a, b, d); break;
                case FormulaOp.Div: TensorPrimitives.Divide(a, b, d); break;
                case FormulaOp.Min: TensorPrimitives.Min(a, b, d); break;
                case FormulaOp.Max: TensorPrimitives.Max(a, b, d); break;
                default: for (int i = 0; i < a.Length; i++) d[i] = Binary(op, a[i], b[i]); break;
            }
        }

        public static void Binary(FormulaOp op, ReadOnlySpan<double> a, double b, Span<double> d)
        {
            switch (op)
            {
                case FormulaOp.Add: TensorPrimitives.Add(a, b, d); break;
                case FormulaOp.Sub: TensorPrimitives.Subtract(a, b, d); break;
                case FormulaOp.Mul: TensorPrimitives.Multiply(a, b, d); break;
                case FormulaOp.Div: TensorPrimitives.Divide(a, b, d); break;
                default: for (int i = 0; i < a.Length; i++) d[i] = Binary(op, a[i], b); break;
            }
        }

        public static void Binary(FormulaOp op, double a, ReadOnlySpan<double> b, Span<double> d)
        {
            switch (op)
            {
                case FormulaOp.Add: TensorPrimitives.Add(b, a, d); break;
                case FormulaOp.Mul: TensorPrimitives.Multiply(b, a, d); break;
                default: for (int i = 0; i < b.Length; i++) d[i] = Binary(op, a, b[i]); break;
            }
        }
    }
}
