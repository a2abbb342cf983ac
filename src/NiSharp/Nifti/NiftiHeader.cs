using System.Buffers.Binary;

namespace NiSharp.Nifti;

/// <summary>
/// A NIfTI-1 or NIfTI-2 header as one record whose fields carry the standard's names. Integer fields
/// are widened to <see cref="long"/> and float fields to <see cref="double"/> so both versions share one
/// type; everything else (affine, zooms, TR) is derived by small functions, as in nibabel.
/// </summary>
public sealed partial record NiftiHeader
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
        var layout = LayoutOf(version);
        // NIfTI-1 stores vox_offset as a float: NaN or a huge value would otherwise become offset 0 or long.MaxValue,
        // and the message would speak of a number that is not in the file.
        if (layout.Single(f => f.Name == "vox_offset") is { Storage: NiftiStorage.F32 } voxField
            && (float)voxField.ReadReal(bytes, 0, big) is var voxOffset && !(voxOffset >= 0 && voxOffset < 1e15))
            throw new NiSharpException(source, $"invalid header: vox_offset is {voxOffset.ToString(System.Globalization.CultureInfo.InvariantCulture)}, not a byte offset");
        var h = Read(layout, bytes[..size], big) with { Version = version, IsBigEndian = big };
        Validate(h, source);
        return h;
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

    /// <summary>Encodes this header (without the 4-byte extension flag) as NIfTI-<paramref name="version"/> (default
    /// its own) in the byte order <paramref name="bigEndian"/> (default its own).</summary>
    public byte[] Encode(int? version = null, bool? bigEndian = null)
    {
        int v = version ?? Version;
        var buf = new byte[v == 1 ? Nifti1Size : Nifti2Size];
        Write(LayoutOf(v), this, buf, bigEndian ?? IsBigEndian);
        return buf;
    }

    /// <summary>Field-by-field equality over every header field (arrays compared by content), the version and the byte
    /// order.</summary>
    public bool Equals(NiftiHeader? other) =>
        other is not null && Version == other.Version && IsBigEndian == other.IsBigEndian && Properties.Values.All(p => p.Same(this, other));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Version, DataType, Dim[0], Dim[1], Dim[2], Dim[3], Pixdim[1], SformCode);
}
