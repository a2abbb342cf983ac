using System.Buffers.Binary;
using System.Text;

namespace NiSharp.Nifti;

/// <summary>
/// A NIfTI-1 or NIfTI-2 header as one record whose fields carry the standard's names. Integer fields
/// are widened to <see cref="long"/> and float fields to <see cref="double"/> so both versions share one
/// type; everything else (affine, zooms, TR) is derived by small functions, as in nibabel.
/// </summary>
public sealed record NiftiHeader
{
    /// <summary>Size of a NIfTI-1 header in bytes.</summary>
    public const int Nifti1Size = 348;
    /// <summary>Size of a NIfTI-2 header in bytes.</summary>
    public const int Nifti2Size = 540;

    /// <summary>1 or 2.</summary>
    public int Version { get; init; } = 1;
    /// <summary>Whether the file stores numbers big-endian (detected from <c>sizeof_hdr</c>).</summary>
    public bool IsBigEndian { get; init; }
    /// <summary><c>dim_info</c>: frequency/phase/slice dimensions.</summary>
    public byte DimInfo { get; init; }
    /// <summary><c>dim[8]</c>: dim[0] is the number of dimensions, dim[1..] their sizes.</summary>
    public long[] Dim { get; init; } = [3, 1, 1, 1, 1, 1, 1, 1];
    /// <summary><c>intent_p1</c>.</summary>
    public double IntentP1 { get; init; }
    /// <summary><c>intent_p2</c>.</summary>
    public double IntentP2 { get; init; }
    /// <summary><c>intent_p3</c>.</summary>
    public double IntentP3 { get; init; }
    /// <summary><c>intent_code</c>.</summary>
    public int IntentCode { get; init; }
    /// <summary><c>datatype</c>.</summary>
    public NiftiDataType DataType { get; init; } = NiftiDataType.Float32;
    /// <summary><c>bitpix</c>.</summary>
    public int Bitpix { get; init; } = 32;
    /// <summary><c>slice_start</c>.</summary>
    public long SliceStart { get; init; }
    /// <summary><c>pixdim[8]</c>: pixdim[0] is qfac, pixdim[1..3] voxel sizes, pixdim[4] the TR.</summary>
    public double[] Pixdim { get; init; } = [1, 1, 1, 1, 1, 1, 1, 1];
    /// <summary><c>vox_offset</c>: byte offset of the voxel data.</summary>
    public long VoxOffset { get; init; } = 352;
    /// <summary><c>scl_slope</c>.</summary>
    public double SclSlope { get; init; } = 1;
    /// <summary><c>scl_inter</c>.</summary>
    public double SclInter { get; init; }
    /// <summary><c>slice_end</c>.</summary>
    public long SliceEnd { get; init; }
    /// <summary><c>slice_code</c>.</summary>
    public int SliceCode { get; init; }
    /// <summary><c>xyzt_units</c>: spatial units in bits 0–2, temporal in bits 3–5.</summary>
    public int XyztUnits { get; init; } = 2 | 8; // mm, s
    /// <summary><c>cal_max</c>.</summary>
    public double CalMax { get; init; }
    /// <summary><c>cal_min</c>.</summary>
    public double CalMin { get; init; }
    /// <summary><c>slice_duration</c>.</summary>
    public double SliceDuration { get; init; }
    /// <summary><c>toffset</c>.</summary>
    public double Toffset { get; init; }
    /// <summary><c>descrip</c> (up to 80 bytes).</summary>
    public string Descrip { get; init; } = "";
    /// <summary><c>aux_file</c> (up to 24 bytes).</summary>
    public string AuxFile { get; init; } = "";
    /// <summary><c>qform_code</c>.</summary>
    public int QformCode { get; init; }
    /// <summary><c>sform_code</c>.</summary>
    public int SformCode { get; init; }
    /// <summary><c>quatern_b</c>.</summary>
    public double QuaternB { get; init; }
    /// <summary><c>quatern_c</c>.</summary>
    public double QuaternC { get; init; }
    /// <summary><c>quatern_d</c>.</summary>
    public double QuaternD { get; init; }
    /// <summary><c>qoffset_x</c>.</summary>
    public double QoffsetX { get; init; }
    /// <summary><c>qoffset_y</c>.</summary>
    public double QoffsetY { get; init; }
    /// <summary><c>qoffset_z</c>.</summary>
    public double QoffsetZ { get; init; }
    /// <summary><c>srow_x[4]</c>.</summary>
    public double[] SrowX { get; init; } = [1, 0, 0, 0];
    /// <summary><c>srow_y[4]</c>.</summary>
    public double[] SrowY { get; init; } = [0, 1, 0, 0];
    /// <summary><c>srow_z[4]</c>.</summary>
    public double[] SrowZ { get; init; } = [0, 0, 1, 0];
    /// <summary><c>intent_name</c> (up to 16 bytes).</summary>
    public string IntentName { get; init; } = "";
    /// <summary><c>magic</c>: <c>n+1</c> (single file), <c>ni1</c> (.hdr/.img pair) or <c>n+2</c>/<c>ni2</c>.</summary>
    public string Magic { get; init; } = "n+1";

    /// <summary>Number of dimensions (<c>dim[0]</c>).</summary>
    public int NDim => (int)Dim[0];

    /// <summary>The shape as stored: <c>dim[1..dim[0]]</c>.</summary>
    public int[] Shape => Dim.AsSpan(1, NDim).ToArray().Select(d => (int)d).ToArray();

    /// <summary>Whether the data live in a separate <c>.img</c> file.</summary>
    public bool IsPair => Magic is "ni1" or "ni2";

    /// <summary>
    /// nibabel <c>get_slope_inter</c>: no scaling when the slope is 0 or not finite; otherwise the
    /// slope and intercept (a non-finite intercept with a valid slope is treated as 0).
    /// </summary>
    public (double Slope, double Inter) EffectiveScaling
    {
        get
        {
            if (SclSlope == 0 || !double.IsFinite(SclSlope)) return (1, 0);
            return (SclSlope, double.IsFinite(SclInter) ? SclInter : 0);
        }
    }

    /// <summary>Whether reading applies a scaling other than identity.</summary>
    public bool HasScaling
    {
        get
        {
            var (s, i) = EffectiveScaling;
            return s != 1 || i != 0;
        }
    }

    /// <summary>nibabel <c>get_zooms</c>: <c>pixdim[1..dim[0]]</c> with spatial sizes made positive
    /// (and 0 → 1, as nibabel's header check fixes them).</summary>
    public double[] Zooms
    {
        get
        {
            var z = new double[NDim];
            for (int i = 0; i < z.Length; i++)
            {
                var v = Pixdim[i + 1];
                if (i < 3)
                {
                    v = Math.Abs(v);
                    if (v == 0) v = 1;
                }
                z[i] = v;
            }
            return z;
        }
    }

    /// <summary>Spatial units code (<c>xyzt_units &amp; 0x07</c>): 1 m, 2 mm, 3 µm.</summary>
    public int SpatialUnits => XyztUnits & 0x07;

    /// <summary>Temporal units code (<c>xyzt_units &amp; 0x38</c>): 8 s, 16 ms, 24 µs.</summary>
    public int TimeUnits => XyztUnits & 0x38;

    /// <summary>Whether the intent is a CIFTI one (NIfTI-2, <c>intent_code</c> 3000–3099, the test nibabel uses): the
    /// data are then a matrix in <c>dim[5..]</c> described by the CIFTI XML, not a voxel grid over time.</summary>
    public bool IsCifti => Version == 2 && IntentCode is >= 3000 and < 3100;

    /// <summary>Time between volumes in seconds (<c>pixdim[4]</c> converted from <c>xyzt_units</c>);
    /// null when the image has no 4th dimension or the value is not positive, and for CIFTI (whose time step is in
    /// its XML's series axis).</summary>
    public double? RepetitionTime
    {
        get
        {
            if (NDim < 4 || IsCifti) return null;
            var t = Pixdim[4];
            if (!(t > 0) || !double.IsFinite(t)) return null;
            return TimeUnits switch
            {
                16 => t / 1000.0,
                24 => t / 1_000_000.0,
                // Seconds, or unknown. Some writers store milliseconds while the units say seconds
                // (nibabel's example4d.nii.gz: 2000 "sec"); no fMRI TR is over 100 s, so read that as ms.
                _ => t > 100 ? t / 1000.0 : t,
            };
        }
    }

    // ---- affines (nibabel Nifti1Header.get_best_affine and friends) ----

    /// <summary>The sform affine (<c>srow_x/y/z</c>).</summary>
    public Affine GetSForm() => new(new[]
    {
        SrowX[0], SrowX[1], SrowX[2], SrowX[3],
        SrowY[0], SrowY[1], SrowY[2], SrowY[3],
        SrowZ[0], SrowZ[1], SrowZ[2], SrowZ[3],
        0, 0, 0, 1,
    });

    /// <summary>The qform affine from the quaternion, <c>qfac</c> and voxel sizes (nibabel <c>get_qform</c>).</summary>
    public Affine GetQForm()
    {
        double b = QuaternB, c = QuaternC, d = QuaternD;
        // nibabel fillpositive: w = sqrt(1 - |bcd|²), tolerating tiny negative rounding
        double w2 = 1.0 - (b * b + c * c + d * d);
        double a = w2 < 0 ? 0 : Math.Sqrt(w2);
        var r = QuaternionToMatrix(a, b, c, d);
        double qfac = Pixdim[0] == -1 ? -1 : 1; // nibabel fixes any other qfac to 1 when checking the header
        double vx = Math.Abs(Pixdim[1]), vy = Math.Abs(Pixdim[2]), vz = Math.Abs(Pixdim[3]) * qfac;
        return new Affine(new[]
        {
            r[0] * vx, r[1] * vy, r[2] * vz, QoffsetX,
            r[3] * vx, r[4] * vy, r[5] * vz, QoffsetY,
            r[6] * vx, r[7] * vy, r[8] * vz, QoffsetZ,
            0, 0, 0, 1,
        });
    }

    /// <summary>nibabel <c>get_base_affine</c>: voxel sizes with x flipped, origin at the centre of the grid.</summary>
    public Affine GetBaseAffine()
    {
        var shape = new double[3];
        var zooms = new double[3];
        for (int i = 0; i < 3; i++)
        {
            shape[i] = i < NDim ? Dim[i + 1] : 1;
            zooms[i] = i < NDim ? Pixdim[i + 1] : 1;
        }
        zooms[0] *= -1;
        return Affine.Diagonal(zooms[0], zooms[1], zooms[2],
            -(shape[0] - 1) / 2.0 * zooms[0], -(shape[1] - 1) / 2.0 * zooms[1], -(shape[2] - 1) / 2.0 * zooms[2]);
    }

    /// <summary>nibabel <c>get_best_affine</c>: sform when <c>sform_code</c> is set, else qform when
    /// <c>qform_code</c> is set, else the pixdim fallback.</summary>
    public Affine GetBestAffine()
    {
        if (SformCode > 0) return GetSForm();
        if (QformCode > 0) return GetQForm();
        return GetBaseAffine();
    }

    internal static double[] QuaternionToMatrix(double w, double x, double y, double z)
    {
        double nq = w * w + x * x + y * y + z * z;
        if (nq < 2.220446049250313e-16) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
        double s = 2.0 / nq;
        double xs = x * s, ys = y * s, zs = z * s;
        double wx = w * xs, wy = w * ys, wz = w * zs;
        double xx = x * xs, xy = x * ys, xz = x * zs;
        double yy = y * ys, yz = y * zs, zz = z * zs;
        return
        [
            1.0 - (yy + zz), xy - wz, xz + wy,
            xy + wz, 1.0 - (xx + zz), yz - wx,
            xz - wy, yz + wx, 1.0 - (xx + yy),
        ];
    }

    /// <summary>
    /// A copy with the sform and qform set from <paramref name="affine"/> (nibabel <c>set_sform</c> and
    /// <c>set_qform</c>): qfac chosen to make the rotation proper, shears stripped for the quaternion by
    /// polar decomposition, voxel sizes in <c>pixdim[1..3]</c>.
    /// </summary>
    public NiftiHeader WithAffine(Affine affine, int sformCode = 2, int qformCode = 2)
    {
        if (!affine.IsFinite) throw new ArgumentException("the affine has non-finite values");
        var (zx, zy, zz) = affine.VoxelSizes;
        var zooms = new[] { zx == 0 ? 1 : zx, zy == 0 ? 1 : zy, zz == 0 ? 1 : zz };
        var rm = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 3, (r, c) => affine[r, c] / zooms[c]);
        double qfac = 1;
        if (rm.Determinant() < 0)
        {
            qfac = -1;
            for (int r = 0; r < 3; r++) rm[r, 2] = -rm[r, 2];
        }
        var svd = rm.Svd(true);
        var pr = svd.U * svd.VT; // closest orthogonal matrix
        var (qw, qx, qy, qz) = MatrixToQuaternion(pr.ToRowMajorArray());
        var pix = Pixdim.ToArray();
        pix[0] = qfac;
        pix[1] = zooms[0]; pix[2] = zooms[1]; pix[3] = zooms[2];
        _ = qw;
        return this with
        {
            Pixdim = pix,
            QformCode = qformCode,
            SformCode = sformCode,
            QuaternB = qx,
            QuaternC = qy,
            QuaternD = qz,
            QoffsetX = affine[0, 3],
            QoffsetY = affine[1, 3],
            QoffsetZ = affine[2, 3],
            SrowX = [affine[0, 0], affine[0, 1], affine[0, 2], affine[0, 3]],
            SrowY = [affine[1, 0], affine[1, 1], affine[1, 2], affine[1, 3]],
            SrowZ = [affine[2, 0], affine[2, 1], affine[2, 2], affine[2, 3]],
        };
    }

    /// <summary>Rotation matrix (row-major 3×3, proper) to a unit quaternion with w ≥ 0 (Shepperd's method).</summary>
    internal static (double W, double X, double Y, double Z) MatrixToQuaternion(double[] m)
    {
        double m00 = m[0], m01 = m[1], m02 = m[2], m10 = m[3], m11 = m[4], m12 = m[5], m20 = m[6], m21 = m[7], m22 = m[8];
        double tr = m00 + m11 + m22;
        double w, x, y, z;
        if (tr > 0)
        {
            double s = Math.Sqrt(tr + 1.0) * 2;
            w = 0.25 * s; x = (m21 - m12) / s; y = (m02 - m20) / s; z = (m10 - m01) / s;
        }
        else if (m00 > m11 && m00 > m22)
        {
            double s = Math.Sqrt(1.0 + m00 - m11 - m22) * 2;
            w = (m21 - m12) / s; x = 0.25 * s; y = (m01 + m10) / s; z = (m02 + m20) / s;
        }
        else if (m11 > m22)
        {
            double s = Math.Sqrt(1.0 + m11 - m00 - m22) * 2;
            w = (m02 - m20) / s; x = (m01 + m10) / s; y = 0.25 * s; z = (m12 + m21) / s;
        }
        else
        {
            double s = Math.Sqrt(1.0 + m22 - m00 - m11) * 2;
            w = (m10 - m01) / s; x = (m02 + m20) / s; y = (m12 + m21) / s; z = 0.25 * s;
        }
        double n = Math.Sqrt(w * w + x * x + y * y + z * z);
        w /= n; x /= n; y /= n; z /= n;
        if (w < 0) { w = -w; x = -x; y = -y; z = -z; }
        return (w, x, y, z);
    }

    // ---- binary layout ----

    /// <summary>
    /// Parses a header from its first bytes (at least 348 for NIfTI-1, 540 for NIfTI-2). The byte order
    /// is detected from <c>sizeof_hdr</c>. Problems are reported as <see cref="NiSharpException"/>
    /// naming <paramref name="source"/>.
    /// </summary>
    public static NiftiHeader Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 4) throw new NiSharpException(source, bytes.Length == 0 ? "empty file" : "not a NIfTI file: truncated header");
        int le = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        int be = BinaryPrimitives.ReadInt32BigEndian(bytes);
        int version; bool big;
        if (le == Nifti1Size) { version = 1; big = false; }
        else if (be == Nifti1Size) { version = 1; big = true; }
        else if (le == Nifti2Size) { version = 2; big = false; }
        else if (be == Nifti2Size) { version = 2; big = true; }
        else throw new NiSharpException(source, $"not a NIfTI file: sizeof_hdr is {le}, expected 348 (NIfTI-1) or 540 (NIfTI-2)");
        int size = version == 1 ? Nifti1Size : Nifti2Size;
        if (bytes.Length < size)
            throw new NiSharpException(source, $"truncated header: {bytes.Length} of {size} bytes");
        var r = new FieldReader(bytes[..size], big);
        // NIfTI-1 stores vox_offset as a float: NaN or a huge value would otherwise become offset 0 or long.MaxValue,
        // and the message would speak of a number that is not in the file.
        if (version == 1 && r.F32(108) is var voxOffset && !(voxOffset >= 0 && voxOffset < 1e15))
            throw new NiSharpException(source, $"invalid header: vox_offset is {voxOffset.ToString(System.Globalization.CultureInfo.InvariantCulture)}, not a byte offset");
        var h = version == 1 ? ParseV1(r) : ParseV2(r);
        h = h with { Version = version, IsBigEndian = big };
        Validate(h, source);
        return h;
    }

    private static NiftiHeader ParseV1(FieldReader r)
    {
        var dim = new long[8];
        for (int i = 0; i < 8; i++) dim[i] = r.I16(40 + 2 * i);
        var pix = new double[8];
        for (int i = 0; i < 8; i++) pix[i] = r.F32(76 + 4 * i);
        return new NiftiHeader
        {
            DimInfo = r.U8(39),
            Dim = dim,
            IntentP1 = r.F32(56), IntentP2 = r.F32(60), IntentP3 = r.F32(64),
            IntentCode = r.I16(68),
            DataType = (NiftiDataType)r.I16(70),
            Bitpix = r.I16(72),
            SliceStart = r.I16(74),
            Pixdim = pix,
            VoxOffset = (long)r.F32(108),
            SclSlope = r.F32(112), SclInter = r.F32(116),
            SliceEnd = r.I16(120),
            SliceCode = r.U8(122),
            XyztUnits = r.U8(123),
            CalMax = r.F32(124), CalMin = r.F32(128),
            SliceDuration = r.F32(132), Toffset = r.F32(136),
            Descrip = r.Str(148, 80), AuxFile = r.Str(228, 24),
            QformCode = r.I16(252), SformCode = r.I16(254),
            QuaternB = r.F32(256), QuaternC = r.F32(260), QuaternD = r.F32(264),
            QoffsetX = r.F32(268), QoffsetY = r.F32(272), QoffsetZ = r.F32(276),
            SrowX = [r.F32(280), r.F32(284), r.F32(288), r.F32(292)],
            SrowY = [r.F32(296), r.F32(300), r.F32(304), r.F32(308)],
            SrowZ = [r.F32(312), r.F32(316), r.F32(320), r.F32(324)],
            IntentName = r.Str(328, 16),
            Magic = r.Str(344, 4),
        };
    }

    private static NiftiHeader ParseV2(FieldReader r)
    {
        var dim = new long[8];
        for (int i = 0; i < 8; i++) dim[i] = r.I64(16 + 8 * i);
        var pix = new double[8];
        for (int i = 0; i < 8; i++) pix[i] = r.F64(104 + 8 * i);
        return new NiftiHeader
        {
            Magic = r.Str(4, 8),
            DataType = (NiftiDataType)r.I16(12),
            Bitpix = r.I16(14),
            Dim = dim,
            IntentP1 = r.F64(80), IntentP2 = r.F64(88), IntentP3 = r.F64(96),
            Pixdim = pix,
            VoxOffset = r.I64(168),
            SclSlope = r.F64(176), SclInter = r.F64(184),
            CalMax = r.F64(192), CalMin = r.F64(200),
            SliceDuration = r.F64(208), Toffset = r.F64(216),
            SliceStart = r.I64(224), SliceEnd = r.I64(232),
            Descrip = r.Str(240, 80), AuxFile = r.Str(320, 24),
            QformCode = r.I32(344), SformCode = r.I32(348),
            QuaternB = r.F64(352), QuaternC = r.F64(360), QuaternD = r.F64(368),
            QoffsetX = r.F64(376), QoffsetY = r.F64(384), QoffsetZ = r.F64(392),
            SrowX = [r.F64(400), r.F64(408), r.F64(416), r.F64(424)],
            SrowY = [r.F64(432), r.F64(440), r.F64(448), r.F64(456)],
            SrowZ = [r.F64(464), r.F64(472), r.F64(480), r.F64(488)],
            SliceCode = r.I32(496),
            XyztUnits = r.I32(500),
            IntentCode = r.I32(504),
            IntentName = r.Str(508, 16),
            DimInfo = r.U8(524),
        };
    }

    private static void Validate(NiftiHeader h, string source)
    {
        var magic = h.Magic.Length >= 3 ? h.Magic[..3] : h.Magic;
        bool okMagic = h.Version == 1 ? magic is "n+1" or "ni1" : magic is "n+2" or "ni2";
        if (!okMagic)
            throw new NiSharpException(source, $"not a NIfTI file: bad magic '{Printable(h.Magic)}' (expected {(h.Version == 1 ? "'n+1' or 'ni1'" : "'n+2' or 'ni2'")})");
        if (h.Dim[0] < 1 || h.Dim[0] > 7)
            throw new NiSharpException(source, $"invalid header: dim[0] is {h.Dim[0]}, must be 1..7");
        for (int i = 1; i <= h.Dim[0]; i++)
            if (h.Dim[i] <= 0)
                throw new NiSharpException(source, $"invalid header: dim[{i}] is {h.Dim[i]}, dimensions must be positive");
        if (!h.DataType.IsSupported())
            throw new NiSharpException(source, $"unsupported datatype {h.DataType.NumpyName()} (code {(short)h.DataType}); NiSharp reads integer and float32/float64 images");
        if (h.VoxOffset < 0)
            throw new NiSharpException(source, $"invalid header: vox_offset is {h.VoxOffset}");
        if (!h.IsPair && h.VoxOffset < (h.Version == 1 ? Nifti1Size : Nifti2Size))
            throw new NiSharpException(source, $"invalid header: vox_offset {h.VoxOffset} lies inside the header");
    }

    private static string Printable(string s) => new(s.Select(c => c < 32 || c > 126 ? '?' : c).ToArray());

    /// <summary>Encodes this header (without the 4-byte extension flag).</summary>
    public byte[] Encode(int? version = null, bool? bigEndian = null)
    {
        int v = version ?? Version;
        bool big = bigEndian ?? IsBigEndian;
        var buf = new byte[v == 1 ? Nifti1Size : Nifti2Size];
        var w = new FieldWriter(buf, big);
        if (v == 1)
        {
            w.I32(0, Nifti1Size);
            w.U8(38, (byte)'r'); // "regular", as nibabel writes
            w.U8(39, DimInfo);
            for (int i = 0; i < 8; i++) w.I16(40 + 2 * i, checked((short)Dim[i]));
            w.F32(56, IntentP1); w.F32(60, IntentP2); w.F32(64, IntentP3);
            w.I16(68, (short)IntentCode);
            w.I16(70, (short)DataType);
            w.I16(72, (short)Bitpix);
            w.I16(74, (short)SliceStart);
            for (int i = 0; i < 8; i++) w.F32(76 + 4 * i, Pixdim[i]);
            w.F32(108, VoxOffset);
            w.F32(112, SclSlope); w.F32(116, SclInter);
            w.I16(120, (short)SliceEnd);
            w.U8(122, (byte)SliceCode);
            w.U8(123, (byte)XyztUnits);
            w.F32(124, CalMax); w.F32(128, CalMin);
            w.F32(132, SliceDuration); w.F32(136, Toffset);
            w.Str(148, 80, Descrip); w.Str(228, 24, AuxFile);
            w.I16(252, (short)QformCode); w.I16(254, (short)SformCode);
            w.F32(256, QuaternB); w.F32(260, QuaternC); w.F32(264, QuaternD);
            w.F32(268, QoffsetX); w.F32(272, QoffsetY); w.F32(276, QoffsetZ);
            for (int i = 0; i < 4; i++) { w.F32(280 + 4 * i, SrowX[i]); w.F32(296 + 4 * i, SrowY[i]); w.F32(312 + 4 * i, SrowZ[i]); }
            w.Str(328, 16, IntentName);
            w.Str(344, 4, IsPair ? "ni1" : "n+1");
        }
        else
        {
            w.I32(0, Nifti2Size);
            var magic = IsPair ? "ni2\0\r\n\u001a\n" : "n+2\0\r\n\u001a\n";
            for (int i = 0; i < 8; i++) buf[4 + i] = (byte)magic[i];
            w.I16(12, (short)DataType);
            w.I16(14, (short)Bitpix);
            for (int i = 0; i < 8; i++) w.I64(16 + 8 * i, Dim[i]);
            w.F64(80, IntentP1); w.F64(88, IntentP2); w.F64(96, IntentP3);
            for (int i = 0; i < 8; i++) w.F64(104 + 8 * i, Pixdim[i]);
            w.I64(168, VoxOffset);
            w.F64(176, SclSlope); w.F64(184, SclInter);
            w.F64(192, CalMax); w.F64(200, CalMin);
            w.F64(208, SliceDuration); w.F64(216, Toffset);
            w.I64(224, SliceStart); w.I64(232, SliceEnd);
            w.Str(240, 80, Descrip); w.Str(320, 24, AuxFile);
            w.I32(344, QformCode); w.I32(348, SformCode);
            w.F64(352, QuaternB); w.F64(360, QuaternC); w.F64(368, QuaternD);
            w.F64(376, QoffsetX); w.F64(384, QoffsetY); w.F64(392, QoffsetZ);
            for (int i = 0; i < 4; i++) { w.F64(400 + 8 * i, SrowX[i]); w.F64(432 + 8 * i, SrowY[i]); w.F64(464 + 8 * i, SrowZ[i]); }
            w.I32(496, SliceCode);
            w.I32(500, XyztUnits);
            w.I32(504, IntentCode);
            w.Str(508, 16, IntentName);
            w.U8(524, DimInfo);
        }
        return buf;
    }

    /// <summary>Field-by-field equality (arrays compared by content).</summary>
    public bool Equals(NiftiHeader? other) =>
        other is not null &&
        Version == other.Version && IsBigEndian == other.IsBigEndian && DimInfo == other.DimInfo &&
        Dim.AsSpan().SequenceEqual(other.Dim) && IntentP1.Equals(other.IntentP1) && IntentP2.Equals(other.IntentP2) &&
        IntentP3.Equals(other.IntentP3) && IntentCode == other.IntentCode && DataType == other.DataType &&
        Bitpix == other.Bitpix && SliceStart == other.SliceStart && Pixdim.AsSpan().SequenceEqual(other.Pixdim) &&
        VoxOffset == other.VoxOffset && SclSlope.Equals(other.SclSlope) && SclInter.Equals(other.SclInter) &&
        SliceEnd == other.SliceEnd && SliceCode == other.SliceCode && XyztUnits == other.XyztUnits &&
        CalMax.Equals(other.CalMax) && CalMin.Equals(other.CalMin) && SliceDuration.Equals(other.SliceDuration) &&
        Toffset.Equals(other.Toffset) && Descrip == other.Descrip && AuxFile == other.AuxFile &&
        QformCode == other.QformCode && SformCode == other.SformCode && QuaternB.Equals(other.QuaternB) &&
        QuaternC.Equals(other.QuaternC) && QuaternD.Equals(other.QuaternD) && QoffsetX.Equals(other.QoffsetX) &&
        QoffsetY.Equals(other.QoffsetY) && QoffsetZ.Equals(other.QoffsetZ) && SrowX.AsSpan().SequenceEqual(other.SrowX) &&
        SrowY.AsSpan().SequenceEqual(other.SrowY) && SrowZ.AsSpan().SequenceEqual(other.SrowZ) &&
        IntentName == other.IntentName && Magic == other.Magic;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Version, DataType, Dim[0], Dim[1], Dim[2], Dim[3], Pixdim[1], SformCode);

    private readonly ref struct FieldReader(ReadOnlySpan<byte> b, bool big)
    {
        private readonly ReadOnlySpan<byte> _b = b;
        public byte U8(int o) => _b[o];
        public short I16(int o) => big ? BinaryPrimitives.ReadInt16BigEndian(_b[o..]) : BinaryPrimitives.ReadInt16LittleEndian(_b[o..]);
        public int I32(int o) => big ? BinaryPrimitives.ReadInt32BigEndian(_b[o..]) : BinaryPrimitives.ReadInt32LittleEndian(_b[o..]);
        public long I64(int o) => big ? BinaryPrimitives.ReadInt64BigEndian(_b[o..]) : BinaryPrimitives.ReadInt64LittleEndian(_b[o..]);
        public double F32(int o) => big ? BinaryPrimitives.ReadSingleBigEndian(_b[o..]) : BinaryPrimitives.ReadSingleLittleEndian(_b[o..]);
        public double F64(int o) => big ? BinaryPrimitives.ReadDoubleBigEndian(_b[o..]) : BinaryPrimitives.ReadDoubleLittleEndian(_b[o..]);
        public string Str(int o, int n)
        {
            var s = _b.Slice(o, n);
            int end = s.IndexOf((byte)0);
            if (end >= 0) s = s[..end];
            return Encoding.Latin1.GetString(s);
        }
    }

    private readonly ref struct FieldWriter(Span<byte> b, bool big)
    {
        private readonly Span<byte> _b = b;
        public void U8(int o, byte v) => _b[o] = v;
        public void I16(int o, short v) { if (big) BinaryPrimitives.WriteInt16BigEndian(_b[o..], v); else BinaryPrimitives.WriteInt16LittleEndian(_b[o..], v); }
        public void I32(int o, int v) { if (big) BinaryPrimitives.WriteInt32BigEndian(_b[o..], v); else BinaryPrimitives.WriteInt32LittleEndian(_b[o..], v); }
        public void I64(int o, long v) { if (big) BinaryPrimitives.WriteInt64BigEndian(_b[o..], v); else BinaryPrimitives.WriteInt64LittleEndian(_b[o..], v); }
        public void F32(int o, double v) { if (big) BinaryPrimitives.WriteSingleBigEndian(_b[o..], (float)v); else BinaryPrimitives.WriteSingleLittleEndian(_b[o..], (float)v); }
        public void F64(int o, double v) { if (big) BinaryPrimitives.WriteDoubleBigEndian(_b[o..], v); else BinaryPrimitives.WriteDoubleLittleEndian(_b[o..], v); }
        public void Str(int o, int n, string s)
        {
            var bytes = Encoding.Latin1.GetBytes(s);
            bytes.AsSpan(0, Math.Min(n, bytes.Length)).CopyTo(_b.Slice(o, n));
        }
    }
}
