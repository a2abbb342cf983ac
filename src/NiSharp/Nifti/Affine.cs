using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace NiSharp.Nifti;

/// <summary>
/// An immutable 4×4 voxel-to-world affine (bottom row 0 0 0 1), mapping voxel indices (i, j, k)
/// to millimetres in RAS+ world space, as nibabel's affines. The vocabulary follows nibabel's
/// <c>affines.py</c>: apply to points, inverse, voxel sizes, axis codes.
/// </summary>
public sealed class Affine : IEquatable<Affine>
{
    private readonly double[] _m; // row-major 4×4

    /// <summary>The identity affine.</summary>
    public static Affine Identity { get; } = new(new double[] { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 });

    /// <summary>Builds an affine from 16 row-major values (or 12: the top three rows).</summary>
    public Affine(ReadOnlySpan<double> rowMajor)
    {
        if (rowMajor.Length != 16 && rowMajor.Length != 12)
            throw new ArgumentException("an affine needs 12 or 16 values", nameof(rowMajor));
        _m = new double[16];
        rowMajor[..12].CopyTo(_m);
        _m[15] = 1;
        if (rowMajor.Length == 16) rowMajor[12..].CopyTo(_m.AsSpan(12));
    }

    /// <summary>Builds an affine from a 4×4 array.</summary>
    public static Affine FromArray(double[,] m)
    {
        if (m.GetLength(0) != 4 || m.GetLength(1) != 4) throw new ArgumentException("need a 4×4 array");
        var v = new double[16];
        for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            v[r * 4 + c] = m[r, c];
        return new Affine(v);
    }

    /// <summary>nibabel <c>from_matvec</c>: a 3×3 matrix (row-major) and a translation.</summary>
    public static Affine FromMatVec(ReadOnlySpan<double> matrix3x3, ReadOnlySpan<double> translation)
    {
        var v = new double[16];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++) v[r * 4 + c] = matrix3x3[r * 3 + c];
            v[r * 4 + 3] = translation[r];
        }
        v[15] = 1;
        return new Affine(v);
    }

    /// <summary>A diagonal affine with the given voxel sizes and origin translation.</summary>
    public static Affine Diagonal(double sx, double sy, double sz, double tx = 0, double ty = 0, double tz = 0) =>
        new(new[] { sx, 0, 0, tx, 0, sy, 0, ty, 0, 0, sz, tz, 0, 0, 0, 1 });

    /// <summary>Element at row <paramref name="r"/>, column <paramref name="c"/>.</summary>
    public double this[int r, int c] => _m[r * 4 + c];

    /// <summary>The 16 values, row-major.</summary>
    public ReadOnlySpan<double> Values => _m;

    /// <summary>A 4×4 copy as a jagged array (rows), handy for JSON.</summary>
    public double[][] ToRows() => Enumerable.Range(0, 4).Select(r => _m.AsSpan(r * 4, 4).ToArray()).ToArray();

    /// <summary>Whether all values are finite.</summary>
    public bool IsFinite
    {
        get
        {
            foreach (var v in _m) if (!double.IsFinite(v)) return false;
            return true;
        }
    }

    /// <summary>Maps voxel coordinates to world (mm).</summary>
    public (double X, double Y, double Z) Apply(double i, double j, double k) =>
        (_m[0] * i + _m[1] * j + _m[2] * k + _m[3],
         _m[4] * i + _m[5] * j + _m[6] * k + _m[7],
         _m[8] * i + _m[9] * j + _m[10] * k + _m[11]);

    /// <summary>Matrix product <c>this · other</c> (apply <paramref name="other"/> first).</summary>
    public Affine Multiply(Affine other)
    {
        var r = new double[16];
        for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
        {
            double s = 0;
            for (int k = 0; k < 4; k++) s += _m[i * 4 + k] * other._m[k * 4 + j];
            r[i * 4 + j] = s;
        }
        return new Affine(r);
    }

    /// <summary><c>a · b</c>.</summary>
    public static Affine operator *(Affine a, Affine b) => a.Multiply(b);

    /// <summary>The inverse (world → voxel). Fails for a singular affine.</summary>
    public Affine Inverse()
    {
        var m = Matrix<double>.Build.DenseOfRowMajor(4, 4, _m);
        var det = m.SubMatrix(0, 3, 0, 3).Determinant();
        if (det == 0 || !double.IsFinite(det)) throw new InvalidOperationException("the affine is singular");
        var inv = m.Inverse();
        var v = new double[16];
        for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            v[r * 4 + c] = inv[r, c];
        // exact bottom row
        v[12] = v[13] = v[14] = 0; v[15] = 1;
        return new Affine(v);
    }

    /// <summary>Determinant of the 3×3 part (negative for a left-handed, e.g. LAS, voxel order).</summary>
    public double Determinant3x3 =>
        _m[0] * (_m[5] * _m[10] - _m[6] * _m[9]) - _m[1] * (_m[4] * _m[10] - _m[6] * _m[8]) + _m[2] * (_m[4] * _m[9] - _m[5] * _m[8]);

    /// <summary>nibabel <c>voxel_sizes</c>: the norms of the first three columns.</summary>
    public (double X, double Y, double Z) VoxelSizes
    {
        get
        {
            double Col(int c) => Math.Sqrt(_m[c] * _m[c] + _m[4 + c] * _m[4 + c] + _m[8 + c] * _m[8 + c]);
            return (Col(0), Col(1), Col(2));
        }
    }

    /// <summary>
    /// nibabel <c>io_orientation</c>: for each voxel axis, the world axis (0=x,1=y,2=z) it is closest to
    /// and its direction (+1/-1), or (-1, 0) for a zero column. Uses the polar decomposition so
    /// oblique affines get the nearest axes, and never assigns one world axis twice.
    /// </summary>
    public (int Axis, int Flip)[] Orientation()
    {
        var rzs = Matrix<double>.Build.Dense(3, 3, (r, c) => _m[r * 4 + c]);
        for (int c = 0; c < 3; c++)
        {
            var n = rzs.Column(c).L2Norm();
            if (n == 0) n = 1;
            rzs.SetColumn(c, rzs.Column(c) / n);
        }
        var svd = rzs.Svd(true);
        var s = svd.S;
        // nibabel: tol = S.max() * max(RS.shape) * eps(float64)
        double tol = s.Maximum() * 3 * 2.220446049250313e-16;
        var p = svd.U;
        var qs = svd.VT;
        var rm = Matrix<double>.Build.Dense(3, 3);
        for (int k = 0; k < 3; k++)
        {
            if (s[k] <= tol) continue;
            rm += p.Column(k).OuterProduct(qs.Row(k));
        }
        var result = new (int, int)[3];
        for (int inAx = 0; inAx < 3; inAx++)
        {
            var col = rm.Column(inAx);
            bool allZero = true;
            for (int r = 0; r < 3; r++) if (Math.Abs(col[r]) > 1e-8) allZero = false;
            if (allZero) { result[inAx] = (-1, 0); continue; }
            int outAx = 0;
            for (int r = 1; r < 3; r++) if (Math.Abs(col[r]) > Math.Abs(col[outAx])) outAx = r;
            result[inAx] = (outAx, col[outAx] < 0 ? -1 : 1);
            for (int c = 0; c < 3; c++) rm[outAx, c] = 0;
        }
        return result;
    }

    /// <summary>nibabel <c>aff2axcodes</c>: e.g. <c>"RAS"</c>, <c>"LIA"</c>; <c>?</c> for a degenerate axis.</summary>
    public string AxisCodes => _axisCodes ??= ComputeAxisCodes();

    // Kept: an affine is immutable, and its codes (a polar decomposition by SVD) go into every masker's recorded
    // parameters and messages — ~1 ms an atlas a subject when recomputed.
    private string? _axisCodes;

    private string ComputeAxisCodes()
    {
        var labels = new[] { ('L', 'R'), ('P', 'A'), ('I', 'S') };
        var o = Orientation();
        var chars = new char[3];
        for (int i = 0; i < 3; i++)
            chars[i] = o[i].Axis < 0 ? '?' : (o[i].Flip > 0 ? labels[o[i].Axis].Item2 : labels[o[i].Axis].Item1);
        return new string(chars);
    }

    /// <summary>The affine of a sub-block whose first voxel is (i0, j0, k0) and whose steps are (si, sj, sk)
    /// in this grid, so that the block stays in place in world space.</summary>
    public Affine Slice(int i0, int j0, int k0, int si = 1, int sj = 1, int sk = 1)
    {
        var v = _m.ToArray();
        var (x, y, z) = Apply(i0, j0, k0);
        v[3] = x; v[7] = y; v[11] = z;
        for (int r = 0; r < 3; r++)
        {
            v[r * 4 + 0] *= si;
            v[r * 4 + 1] *= sj;
            v[r * 4 + 2] *= sk;
        }
        return new Affine(v);
    }

    /// <summary>Whether every element differs by at most <paramref name="atol"/> + <paramref name="rtol"/>·|other| (numpy <c>allclose</c>).</summary>
    public bool AllClose(Affine other, double rtol = 1e-5, double atol = 1e-8)
    {
        for (int i = 0; i < 16; i++)
            if (!(Math.Abs(_m[i] - other._m[i]) <= atol + rtol * Math.Abs(other._m[i]))) return false;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(Affine? other) => other is not null && _m.AsSpan().SequenceEqual(other._m);
    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Affine);
    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in _m) h.Add(v);
        return h.ToHashCode();
    }

    /// <summary>Four rows, numpy-like.</summary>
    public override string ToString()
    {
        var rows = new string[4];
        for (int r = 0; r < 4; r++)
            rows[r] = "[" + string.Join(", ", _m.AsSpan(r * 4, 4).ToArray().Select(v => v.ToString("0.######", CultureInfo.InvariantCulture))) + "]";
        return "[" + string.Join(",\n ", rows) + "]";
    }
}
