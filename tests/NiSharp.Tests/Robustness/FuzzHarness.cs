using System.IO.Compression;
using System.Text;
using CsCheck;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.Imaging;
using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Robustness;

/// <summary>The readers the fuzzer feeds.</summary>
public enum FuzzTarget
{
    /// <summary>An uncompressed <c>.nii</c> (NIfTI-1 either byte order, NIfTI-2) read through every path a command uses.</summary>
    Nifti,
    /// <summary>A <c>.nii.gz</c>: mutated before compression (header fields reach the parser) or after (the gzip layer).</summary>
    NiftiGzip,
    /// <summary>A BIDS TSV through <see cref="TsvTable"/> and a region time-series TSV through <see cref="RegionTimeSeries"/>.</summary>
    Tsv,
    /// <summary>An fMRIPrep confounds TSV through <see cref="FmriprepConfounds"/> and the confound strategies.</summary>
    Confounds,
    /// <summary>A JSON sidecar through <see cref="BidsMetadata"/> and the confounds JSON.</summary>
    Json,
    /// <summary>Something that is not a regular file where a reader expects one — a FIFO, <c>/dev/zero</c>,
    /// <c>/dev/null</c>, a link loop, a dangling link, a folder, a link to <c>/</c> or to a FIFO — given to every
    /// reader, and as a subject folder to the BIDS index. Each must be refused (or, for the index, skipped) at once.</summary>
    FileType,
    /// <summary>Text of absurd size on both sides of each bound: long lines, many columns, many labels, long label
    /// names, through the table, confounds, label-table, time-series and matrix readers.</summary>
    Size,
}

/// <summary>One fuzz input: the bytes of a file and how they were made from a valid seed.</summary>
/// <param name="Special">For <see cref="FuzzTarget.FileType"/>: what to put at the path instead of a file with
/// <paramref name="Bytes"/> (see <see cref="FuzzHarness.Specials"/>).</param>
public sealed record FuzzCase(FuzzTarget Target, string Extension, byte[] Bytes, string Mutation, int Mode, string? Special = null)
{
    /// <inheritdoc />
    public override string ToString() => $"{Target} {Mutation} ({Bytes.Length} bytes, mode {Mode})";
}

/// <summary>What reading a fuzz input did.</summary>
/// <param name="Accepted">The reader returned normally.</param>
/// <param name="Failure">null when the behaviour is acceptable; otherwise what went wrong (an exception
/// other than <see cref="NiSharpException"/>, or an allocation the file does not justify).</param>
/// <param name="AllocatedBytes">Bytes allocated on the reading thread.</param>
/// <param name="AllowedBytes">The most the file justifies.</param>
public sealed record FuzzOutcome(bool Accepted, string? Failure, long AllocatedBytes, long AllowedBytes);

/// <summary>
/// Property-based fuzzing of the readers (CsCheck generators): valid seed files, mutated by bytes
/// (flips, truncation, insertion, trailing garbage) and by fields (NIfTI header fields set to edge values,
/// TSV cells and JSON values replaced by hostile tokens). The property: a reader either accepts the file or
/// throws <see cref="NiSharpException"/>, and it never allocates more than the file justifies — a fixed
/// 1 MiB of buffers plus 16 bytes per byte the file can hold (its length, or for gzip the most deflate can
/// expand it to, 1032:1; 48 for the tables of tiny cells of <see cref="FuzzTarget.Size"/>). Things that are not files
/// (<see cref="FuzzTarget.FileType"/>) must be refused within a deadline with no more than the fixed 1 MiB.
/// Shared by the test suite (a seeded CI sample) and <c>bench/run.sh fuzz</c>.
/// </summary>
public static class FuzzHarness
{
    private const long FixedAllowance = 1 << 20;
    private const long PerByteAllowance = 16;

    // The size cases are made of cells and label lines of a few bytes each, and each becomes an object (a 2-byte cell
    // "0\t" is a 24-byte string): 48 bytes per byte. What they must show is that memory stays proportional to the file
    // and that the bounds hold (a million-column header is refused, a 1 GB line is never held).
    private const long PerByteAllowanceForSizes = 48;
    private const long MaxDeflateRatio = 1032;

    // ---------------- seeds ----------------

    private static readonly Lazy<byte[][]> NiftiSeeds = new(BuildNiftiSeeds);

    private static byte[][] BuildNiftiSeeds()
    {
        var seeds = new List<byte[]>();
        var affine = Affine.Diagonal(-2, 2, 2, 3, -3, -2);
        // float32 4D, NIfTI-1 little-endian, as nibabel writes it.
        var h = new NiftiHeader { Pixdim = [1, 2, 2, 2, 2, 1, 1, 1], XyztUnits = 10 }.WithAffine(affine);
        seeds.Add(Assemble(h with { Dim = [4, 4, 3, 2, 5, 1, 1, 1], DataType = NiftiDataType.Float32, Bitpix = 32 }, 1, false, 4 * 3 * 2 * 5, 4, 352));
        // int16 3D with scaling, big-endian.
        seeds.Add(Assemble(h with { Dim = [3, 5, 4, 3, 1, 1, 1, 1], DataType = NiftiDataType.Int16, Bitpix = 16, SclSlope = 0.5, SclInter = 10 }, 1, true, 5 * 4 * 3, 2, 352));
        // uint8 3D label image, NIfTI-2.
        seeds.Add(Assemble(h with { Dim = [3, 4, 4, 4, 1, 1, 1, 1], DataType = NiftiDataType.UInt8, Bitpix = 8, SformCode = 0, QformCode = 1 }, 2, false, 64, 1, 544));
        // float64 4D with a header extension (vox_offset past 352).
        seeds.Add(Assemble(h with { Dim = [4, 2, 3, 2, 3, 1, 1, 1], DataType = NiftiDataType.Float64, Bitpix = 64 }, 1, false, 2 * 3 * 2 * 3, 8, 368, extension: true));
        return seeds.ToArray();
    }

    private static byte[] Assemble(NiftiHeader h, int version, bool big, int voxels, int size, long voxOffset, bool extension = false)
    {
        var header = (h with { VoxOffset = voxOffset }).Encode(version, big);
        var bytes = new byte[voxOffset + (long)voxels * size];
        header.CopyTo(bytes, 0);
        if (extension)
        {
            bytes[header.Length] = 1; // extension flag, then one 16-byte extension (esize 16, ecode 6 = comment)
            WriteInt(bytes, header.Length + 4, 16, big);
            WriteInt(bytes, header.Length + 8, 6, big);
            Encoding.ASCII.GetBytes("fuzz").CopyTo(bytes, header.Length + 12);
        }
        // Voxel values: a ramp, so conversions and scaling have something to do.
        for (int i = 0; i < voxels; i++)
        {
            var span = bytes.AsSpan((int)voxOffset + i * size, size);
            switch (size)
            {
                case 1: span[0] = (byte)(i % 7); break;
                case 2: if (big) System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(span, (short)(i * 3)); else System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(span, (short)(i * 3)); break;
                case 4: System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(span, i * 0.5f - 3); break;
                default: System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(span, i * 0.25 - 1); break;
            }
        }
        return bytes;
    }

    private static void WriteInt(byte[] b, int offset, int v, bool big)
    {
        if (big) System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(offset), v);
        else System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(offset), v);
    }

    private static readonly string[] MotionCurrent = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"];

    private static string ConfoundsText(bool oldNames)
    {
        string[] cols = oldNames
            ? ["GlobalSignal", "CSF", "WhiteMatter", "X", "Y", "Z", "RotX", "RotY", "RotZ", "FramewiseDisplacement", "stdDVARS", "aCompCor00", "aCompCor01", "NonSteadyStateOutlier00"]
            : ["global_signal", "csf", "white_matter", .. MotionCurrent, "trans_x_derivative1", "framewise_displacement", "std_dvars", "a_comp_cor_00", "a_comp_cor_01", "non_steady_state_outlier00", "cosine00"];
        var sb = new StringBuilder().AppendJoin('\t', cols).Append('\n');
        for (int t = 0; t < 12; t++)
        {
            for (int c = 0; c < cols.Length; c++)
            {
                if (c > 0) sb.Append('\t');
                string name = cols[c];
                if (t == 0 && (name.Contains("derivative") || name.Contains("ramewise") || name.Contains("dvars", StringComparison.OrdinalIgnoreCase))) sb.Append("n/a");
                else if (name.StartsWith("non_steady", StringComparison.Ordinal) || name.StartsWith("NonSteady", StringComparison.Ordinal)) sb.Append(t == 0 ? '1' : '0');
                else sb.Append(Math.Round(Math.Sin(t * 0.7 + c) * (c + 1), 5).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string TimeSeriesText()
    {
        var sb = new StringBuilder("label_1\tlabel_2\tlabel_7\tlabel_12\n");
        for (int t = 0; t < 10; t++)
            sb.Append($"{Math.Sin(t):R}\t{Math.Cos(t):R}\t{t * 0.5:R}\t{-t * 0.25 + 1:R}\n".Replace(',', '.'));
        return sb.ToString();
    }

    private const string ParticipantsText = "participant_id\tage\tsex\tdiagnosis\nsub-01\t25\tF\tCONTROL\nsub-02\t31\tM\tSCHZ\nsub-03\tn/a\tF\tCONTROL\n";

    private const string SidecarText = """
        {
          "RepetitionTime": 2.0,
          "TaskName": "rest",
          "EchoTime": 0.03,
          "SliceTiming": [0.0, 0.5, 1.0, 1.5],
          "SkullStripped": false,
          "Sources": ["bids:raw:sub-01/func/sub-01_task-rest_bold.nii.gz"],
          "nested": {"a": [1, 2, {"b": null}]}
        }
        """;

    private const string ConfoundsJsonText = """
        {
          "a_comp_cor_00": {"Method": "aCompCor", "Mask": "combined", "Retained": true, "VarianceExplained": 0.12, "SingularValue": 12.5},
          "a_comp_cor_01": {"Method": "aCompCor", "Mask": "combined", "Retained": true, "VarianceExplained": 0.05},
          "dropped_0": {"Method": "aCompCor", "Retained": false}
        }
        """;

    // ---------------- generators ----------------

    /// <summary>Cases for <paramref name="target"/>.</summary>
    public static Gen<FuzzCase> For(FuzzTarget target) => target switch
    {
        FuzzTarget.Nifti => GenNifti(compressed: false),
        FuzzTarget.NiftiGzip => GenNifti(compressed: true),
        FuzzTarget.Tsv => GenText(target, [TimeSeriesText(), ConfoundsText(false), ParticipantsText], ".tsv"),
        FuzzTarget.Confounds => GenText(target, [ConfoundsText(false), ConfoundsText(true)], ".tsv"),
        FuzzTarget.FileType => GenFileType,
        FuzzTarget.Size => GenSize,
        _ => GenText(target, [SidecarText, ConfoundsJsonText], ".json"),
    };

    // ---------------- file types ----------------

    /// <summary>What a <see cref="FuzzTarget.FileType"/> case puts where a file is expected.</summary>
    public static IReadOnlyList<string> Specials { get; } =
        ["fifo", "dev-zero", "dev-null", "self-loop", "dangling", "folder", "link-to-root", "link-to-parent", "link-to-fifo", "link-to-dev-zero"];

    // The readers a special file is given to (the mode of a FileType case); the last is the BIDS index.
    private static readonly (string Name, string Extension)[] SpecialReaders =
    [
        ("nifti", ".nii.gz"), ("tsv", ".tsv"), ("confounds", ".tsv"), ("sidecar", ".json"), ("labels", ".tsv"),
        ("timeseries", ".tsv"), ("relmat", ".tsv"), ("participants", ".tsv"), ("cifti", ".dtseries.nii"), ("dlabel", ".dlabel.nii"),
        ("confounds-json", ".json"), ("index", ""),
    ];

    private static Gen<FuzzCase> GenFileType =>
        Gen.Select(Gen.Int[0, Specials.Count - 1], Gen.Int[0, SpecialReaders.Length - 1])
            .Select((k, r) => new FuzzCase(FuzzTarget.FileType, SpecialReaders[r].Extension, [], $"{Specials[k]} as {SpecialReaders[r].Name}", r, Specials[k]));

    /// <summary>Puts <paramref name="special"/> at <paramref name="path"/> (whatever was there is removed first).</summary>
    private static void MakeSpecial(string special, string path, string workDir)
    {
        Remove(path);
        var fifo = Path.Combine(workDir, "shared.fifo");
        if (special is "fifo" or "link-to-fifo" && FileStatus.Of(fifo).Kind != FileKind.Fifo) SpecialFiles.MakeFifo(fifo);
        switch (special)
        {
            case "fifo": SpecialFiles.MakeFifo(path); break;
            case "dev-zero": File.CreateSymbolicLink(path, "/dev/zero"); break; // a link: only root may create devices
            case "dev-null": File.CreateSymbolicLink(path, "/dev/null"); break;
            case "self-loop": File.CreateSymbolicLink(path, Path.GetFileName(path)); break;
            case "dangling": File.CreateSymbolicLink(path, "not-fetched"); break;
            case "folder": Directory.CreateDirectory(path); break;
            case "link-to-root": Directory.CreateSymbolicLink(path, "/"); break;
            case "link-to-parent": Directory.CreateSymbolicLink(path, ".."); break;
            case "link-to-fifo": File.CreateSymbolicLink(path, fifo); break;
            default: File.CreateSymbolicLink(path, "/dev/zero"); break;
        }
    }

    private static void Remove(string path)
    {
        var kind = FileStatus.Of(path, followLinks: false).Kind;
        if (kind == FileKind.Directory) Directory.Delete(path, true);
        else if (kind != FileKind.Missing) File.Delete(path); // a link (even to a folder) or a FIFO: the entry itself
    }

    // ---------------- sizes ----------------

    /// <summary>A count drawn small, medium, at its bound (±2) or beyond it.</summary>
    private static Gen<int> AroundBound(int bound, int small, int beyond) =>
        Gen.Frequency((6, Gen.Int[0, small]), (3, Gen.Int[small, Math.Max(small, bound / 10)]), (1, Gen.Int[bound - 2, bound + 2]), (1, Gen.Int[bound, beyond]));

    private static Gen<FuzzCase> GenSize =>
        Gen.Select(Gen.Int[0, 5], AroundBound(TsvTable.MaxColumns, 40, TsvTable.MaxColumns + 5000), Gen.Int[1, 4],
                   AroundBound(LabelTable.MaxLabels, 50, LabelTable.MaxLabels + 2000), AroundBound(LabelTable.MaxNameLength, 60, 20_000),
                   Gen.Frequency((300, Gen.Int[0, 1000]), (100, Gen.Int[1000, 400_000]), (1, Gen.Int[InputFile.MaxLineChars - 2, InputFile.MaxLineChars + 2])))
            .Select((shape, columns, rows, labels, nameLength, cell) =>
            {
                var sb = new StringBuilder();
                string ext = ".tsv";
                switch (shape)
                {
                    case 0: // a wide table of numbers (confounds, time series, relmat, participants readers)
                    case 1:
                        columns = Math.Max(1, columns);
                        for (int c = 0; c < columns; c++) sb.Append(c == 0 ? "" : "\t").Append(shape == 0 ? ConfoundsColumn(c) : $"label_{c + 1}");
                        sb.Append('\n');
                        for (int r = 0; r < (shape == 1 ? Math.Min(rows, 3) : rows); r++)
                        {
                            for (int c = 0; c < columns; c++) sb.Append(c == 0 ? "" : "\t").Append((r + c) % 7 * 0.5);
                            sb.Append('\n');
                        }
                        return new FuzzCase(FuzzTarget.Size, ext, Encoding.UTF8.GetBytes(sb.ToString()), $"{columns} columns × {rows} rows", shape);
                    case 2: // a long cell
                        sb.Append("trans_x\ttrans_y\n1\t").Append('9', cell).Append("\n2\t3\n");
                        return new FuzzCase(FuzzTarget.Size, ext, Encoding.UTF8.GetBytes(sb.ToString()), $"a {cell}-character cell", shape);
                    default: // label tables: many labels, long names
                        if (shape == 5) sb.Append("index\tname\n");
                        for (int i = 1; i <= Math.Max(1, labels); i++)
                            sb.Append(i).Append(shape == 3 ? ' ' : '\t').Append(i == 1 ? new string('n', Math.Max(1, nameLength)) : $"r{i}").Append('\n');
                        return new FuzzCase(FuzzTarget.Size, ext, Encoding.UTF8.GetBytes(sb.ToString()), $"{labels} labels, a {nameLength}-character name", shape);
                }
            });

    private static string ConfoundsColumn(int c) => c < MotionCurrent.Length ? MotionCurrent[c] : $"extra_{c}";

    private static readonly long[] EdgeInts = [0, 1, -1, 2, 3, 4, 5, 7, 8, 9, 16, 64, 255, 256, 348, 352, 540, 32767, -32768, 65535, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 1L << 31, 1L << 40];
    private static readonly double[] EdgeFloats = [0, -0.0, 1, -1, 0.5, 2, 352, 1e6, 1e30, -1e30, 3.4e38, 1e-45, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300];
    private static readonly string[] Magics = ["n+1\0", "ni1\0", "n+2\0", "\0\0\0\0", "XYZ\0", "n+1x"];

    // (offset, kind) of the NIfTI-1 / NIfTI-2 header fields worth lying about.
    private enum Kind { I16, I32, I64, F32, F64, U8, Magic1, Magic2 }

    private static readonly (int Offset, Kind Kind, string Name)[] Fields1 = BuildFields1();
    private static readonly (int Offset, Kind Kind, string Name)[] Fields2 = BuildFields2();

    private static (int, Kind, string)[] BuildFields1()
    {
        var f = new List<(int, Kind, string)> { (0, Kind.I32, "sizeof_hdr"), (70, Kind.I16, "datatype"), (72, Kind.I16, "bitpix"),
            (108, Kind.F32, "vox_offset"), (112, Kind.F32, "scl_slope"), (116, Kind.F32, "scl_inter"), (123, Kind.U8, "xyzt_units"),
            (252, Kind.I16, "qform_code"), (254, Kind.I16, "sform_code"), (344, Kind.Magic1, "magic") };
        for (int i = 0; i < 8; i++) f.Add((40 + 2 * i, Kind.I16, $"dim[{i}]"));
        for (int i = 0; i < 8; i++) f.Add((76 + 4 * i, Kind.F32, $"pixdim[{i}]"));
        for (int i = 0; i < 6; i++) f.Add((256 + 4 * i, Kind.F32, $"quatern/qoffset[{i}]"));
        for (int i = 0; i < 12; i++) f.Add((280 + 4 * i, Kind.F32, $"srow[{i}]"));
        return f.ToArray();
    }

    private static (int, Kind, string)[] BuildFields2()
    {
        var f = new List<(int, Kind, string)> { (0, Kind.I32, "sizeof_hdr"), (4, Kind.Magic2, "magic"), (12, Kind.I16, "datatype"), (14, Kind.I16, "bitpix"),
            (168, Kind.I64, "vox_offset"), (176, Kind.F64, "scl_slope"), (184, Kind.F64, "scl_inter"), (344, Kind.I32, "qform_code"),
            (348, Kind.I32, "sform_code"), (500, Kind.I32, "xyzt_units") };
        for (int i = 0; i < 8; i++) f.Add((16 + 8 * i, Kind.I64, $"dim[{i}]"));
        for (int i = 0; i < 8; i++) f.Add((104 + 8 * i, Kind.F64, $"pixdim[{i}]"));
        for (int i = 0; i < 6; i++) f.Add((352 + 8 * i, Kind.F64, $"quatern/qoffset[{i}]"));
        for (int i = 0; i < 12; i++) f.Add((400 + 8 * i, Kind.F64, $"srow[{i}]"));
        return f.ToArray();
    }

    private static Gen<(string Name, Func<byte[], byte[]> Apply)> GenFieldEdit =>
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, EdgeInts.Length - 1], Gen.Int[0, EdgeFloats.Length - 1], Gen.Int[0, Magics.Length - 1], Gen.Int[-3, 3])
            .Select((pick, ii, fi, mi, jitter) => ($"field#{pick}", (Func<byte[], byte[]>)(bytes =>
            {
                if (bytes.Length < 4) return bytes;
                int sz = BitConverter.ToInt32(bytes, 0);
                bool big = sz != 348 && sz != 540;
                bool v2 = sz == 540 || System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes) == 540;
                var fields = v2 ? Fields2 : Fields1;
                var (offset, kind, _) = fields[pick % fields.Length];
                var b = bytes.ToArray();
                long iv = EdgeInts[ii] + jitter;
                double fv = EdgeFloats[fi];
                Span<byte> s = b.AsSpan();
                int width = kind switch { Kind.I16 => 2, Kind.I32 or Kind.F32 or Kind.Magic1 => 4, Kind.U8 => 1, _ => 8 };
                if (offset + width > b.Length) return b;
                var at = s.Slice(offset, width);
                switch (kind)
                {
                    case Kind.U8: at[0] = (byte)iv; break;
                    case Kind.I16: if (big) System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(at, (short)iv); else System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(at, (short)iv); break;
                    case Kind.I32: if (big) System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(at, (int)iv); else System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(at, (int)iv); break;
                    case Kind.I64: if (big) System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(at, iv); else System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(at, iv); break;
                    case Kind.F32: if (big) System.Buffers.Binary.BinaryPrimitives.WriteSingleBigEndian(at, (float)fv); else System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(at, (float)fv); break;
                    case Kind.F64: if (big) System.Buffers.Binary.BinaryPrimitives.WriteDoubleBigEndian(at, fv); else System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(at, fv); break;
                    case Kind.Magic1: Encoding.Latin1.GetBytes(Magics[mi]).CopyTo(at); break;
                    case Kind.Magic2: Encoding.Latin1.GetBytes((Magics[mi] + "\r\n\u001a\n")[..8]).CopyTo(at); break;
                }
                return b;
            })));

    /// <summary>Byte-level mutations: flips (mostly in the first 600 bytes, where headers are), truncation,
    /// insertion and deletion, trailing garbage or zero padding.</summary>
    private static Gen<(string Name, Func<byte[], byte[]> Apply)> GenByteEdit =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Byte.Array[1, 64])
            .Select((op, a, c, data) => op switch
            {
                0 or 1 => ($"flip@{a % 600}", (Func<byte[], byte[]>)(b =>
                {
                    if (b.Length == 0) return b;
                    var r = b.ToArray();
                    for (int k = 0; k < Math.Min(data.Length, 8); k++) r[(op == 0 ? (a % 600) + k * 7 : a + k * 131) % r.Length] = data[k];
                    return r;
                })),
                2 => ($"truncate@{a}", b => b.Length == 0 ? b : b[..(a % b.Length)]),
                3 => ($"insert@{a}", b => { int at = b.Length == 0 ? 0 : a % b.Length; return [.. b.AsSpan(0, at), .. data, .. b.AsSpan(at)]; }),
                4 => ($"delete@{a}", b => { if (b.Length == 0) return b; int at = a % b.Length, n = Math.Min(b.Length - at, 1 + c % 64); return [.. b.AsSpan(0, at), .. b.AsSpan(at + n)]; }),
                _ => ((c & 1) == 0 ? "append-garbage" : "append-zeros", b => [.. b, .. (c & 1) == 0 ? data : new byte[data.Length]]),
            });

    private static Gen<FuzzCase> GenNifti(bool compressed)
    {
        var edit = Gen.Frequency((3, GenFieldEdit), (2, GenByteEdit));
        return Gen.Select(Gen.Int[0, NiftiSeeds.Value.Length - 1], edit.Array[1, 3], GenByteEdit.Array[0, 2], Gen.Int[0, 3], Gen.Int[0, 2])
            .Select((seed, rawEdits, gzEdits, gzWhen, mode) =>
            {
                var bytes = NiftiSeeds.Value[seed];
                var names = new List<string> { $"seed{seed}" };
                foreach (var (name, apply) in rawEdits) { bytes = apply(bytes); names.Add(name); }
                if (!compressed) return new FuzzCase(FuzzTarget.Nifti, ".nii", bytes, string.Join(' ', names), mode);
                bytes = Gzip(bytes);
                // Usually leave the gzip layer intact so header edits reach the parser; sometimes damage it.
                if (gzWhen == 0)
                    foreach (var (name, apply) in gzEdits) { bytes = apply(bytes); names.Add("gz:" + name); }
                return new FuzzCase(FuzzTarget.NiftiGzip, ".nii.gz", bytes, string.Join(' ', names), mode);
            });
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    private static readonly string[] HostileTokens =
    [
        "", "n/a", "N/A", "nan", "NaN", "inf", "-Infinity", "1e309", "-1e309", "1e-400", "abc", "0x10", "1,5", " 1 ", "True", "\"1\"",
        "１", "\0", "−1", "1e", ".", "-", "+", new string('9', 400), "\t", "\r", "\"", "null", "[]", "{}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "0", "-0", "2.0", "-2", "trans_x", "csf", "a_comp_cor_00", "trans_x_derivative1_power2", "\ud800", "é", "\u202e", "{\"RepetitionTime\":", ",", ":", "//c", "/*", "\"\\u0000\"", "1e400", "true",
    ];

    /// <summary>Text mutations: a cell, value or name replaced by a hostile token; separators added or removed;
    /// lines dropped, doubled or cut; a byte-order mark or CR; then sometimes raw byte damage.</summary>
    private static Gen<FuzzCase> GenText(FuzzTarget target, string[] seeds, string extension)
    {
        var textEdit = Gen.Select(Gen.Int[0, 7], Gen.Int[0, int.MaxValue], Gen.Int[0, HostileTokens.Length - 1])
            .Select((op, a, tok) => (op, a, tok));
        return Gen.Select(Gen.Int[0, seeds.Length - 1], textEdit.Array[1, 4], GenByteEdit.Array[0, 1], Gen.Int[0, 3], Gen.Int[0, 2])
            .Select((seed, edits, byteEdits, byteWhen, mode) =>
            {
                var text = seeds[seed];
                var names = new List<string> { $"seed{seed}" };
                foreach (var (op, a, tok) in edits)
                {
                    text = EditText(text, op, a, HostileTokens[tok], extension == ".json");
                    names.Add($"t{op}@{a % 997}:{tok}");
                }
                var bytes = Encoding.UTF8.GetBytes(text);
                if (byteWhen == 0)
                    foreach (var (name, apply) in byteEdits) { bytes = apply(bytes); names.Add(name); }
                return new FuzzCase(target, extension, bytes, string.Join(' ', names), mode);
            });
    }

    private static string EditText(string text, int op, int a, string token, bool json)
    {
        if (text.Length == 0) return token;
        switch (op)
        {
            case 0: // replace a token between separators (a cell, a JSON value or name)
            case 1:
            {
                var seps = json ? ":,[]{}\n" : "\t\n";
                int start = a % text.Length;
                while (start > 0 && seps.IndexOf(text[start - 1]) < 0) start--;
                int end = start;
                while (end < text.Length && seps.IndexOf(text[end]) < 0) end++;
                return text[..start] + (json && op == 1 ? " " + token + " " : token) + text[end..];
            }
            case 2: return text.Insert(a % text.Length, json ? "," : "\t");
            case 3:
            {
                int i = text.IndexOf(json ? ',' : '\t', a % text.Length);
                return i < 0 ? text : text.Remove(i, 1);
            }
            case 4:
            {
                var lines = text.Split('\n').ToList();
                int i = a % lines.Count;
                if ((a & 1) == 0) lines.RemoveAt(i); else lines.Insert(i, lines[i]);
                return string.Join('\n', lines);
            }
            case 5: return text[..(a % text.Length)];
            case 6: return (a & 1) == 0 ? "\uFEFF" + text : text.Replace("\n", "\r\n");
            default: return text.Insert(a % text.Length, token);
        }
    }

    // ---------------- running ----------------

    /// <summary>
    /// Writes <paramref name="c"/> to a file in <paramref name="workDir"/> and reads it as the commands do;
    /// returns whether the behaviour is acceptable.
    /// </summary>
    public static FuzzOutcome Run(FuzzCase c, string workDir)
    {
        var path = Path.Combine(workDir, "fuzz" + c.Extension);
        if (c.Special is not null) return RunSpecial(c, workDir);
        Remove(path);
        File.WriteAllBytes(path, c.Bytes);
        long justified = c.Target == FuzzTarget.NiftiGzip ? c.Bytes.LongLength * MaxDeflateRatio + 4096 : c.Bytes.LongLength;
        long allowed = FixedAllowance + (c.Target == FuzzTarget.Size ? PerByteAllowanceForSizes : PerByteAllowance) * justified;
        bool accepted;
        string? failure = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            Read(c, path, workDir);
            accepted = true;
        }
        catch (NiSharpException e)
        {
            accepted = false;
            if (e.Message.Contains('\n') || e.Message.Contains('\r')) failure = "a NiSharpException message spans lines: " + e.Message;
        }
        catch (Exception e)
        {
            accepted = false;
            failure = $"{e.GetType().Name}: {e.Message} at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (failure is null && allocated > allowed)
            failure = $"allocated {allocated} bytes for a {c.Bytes.Length}-byte file (allowed {allowed})";
        return new FuzzOutcome(accepted, failure, allocated, allowed);
    }

    /// <summary>
    /// A <see cref="FuzzTarget.FileType"/> case: the special file is made, the reader runs on another thread with a
    /// deadline (a reader that opened a FIFO would block forever: that is a failure, not a hang of the harness), and
    /// it must refuse with <see cref="NiSharpException"/> — except the index, which must end and index nothing there.
    /// </summary>
    private static FuzzOutcome RunSpecial(FuzzCase c, string workDir)
    {
        var (reader, ext) = SpecialReaders[c.Mode];
        string path;
        if (reader == "index")
        {
            var root = Path.Combine(workDir, "ds");
            if (!Directory.Exists(Path.Combine(root, "sub-01", "func")))
            {
                Directory.CreateDirectory(Path.Combine(root, "sub-01", "func"));
                File.WriteAllText(Path.Combine(root, "sub-01", "func", "sub-01_task-rest_bold.json"), "{}");
            }
            path = Path.Combine(root, "sub-02");
            MakeSpecial(c.Special!, path, workDir);
            // And the same thing inside a datatype folder, where a folder is never descended.
            MakeSpecial(c.Special!, Path.Combine(root, "sub-01", "func", "loop"), workDir);
        }
        else
        {
            path = Path.Combine(workDir, "fuzz" + ext);
            MakeSpecial(c.Special!, path, workDir);
        }
        var task = Task.Run<(string? Failure, long Allocated)>(() =>
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                if (reader == "index")
                {
                    // It may list the special entry by name (it never opens files), but never anything through it.
                    var layout = BidsLayout.Index(Path.GetDirectoryName(path)!);
                    var through = layout.Files.FirstOrDefault(f => f.Path.StartsWith(path + "/", StringComparison.Ordinal) || f.Path.Contains("/func/loop/", StringComparison.Ordinal));
                    return (through is null ? null : $"the index went through it: {through.Path}", GC.GetAllocatedBytesForCurrentThread() - start);
                }
                ReadSpecial(reader, path, workDir);
                return ("accepted a file that is not a regular file", GC.GetAllocatedBytesForCurrentThread() - start);
            }
            catch (NiSharpException e)
            {
                return (e.Message.Contains('\n') ? "a NiSharpException message spans lines: " + e.Message : null, GC.GetAllocatedBytesForCurrentThread() - start);
            }
            catch (Exception e)
            {
                return ($"{e.GetType().Name}: {e.Message} at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}", GC.GetAllocatedBytesForCurrentThread() - start);
            }
        });
        if (!task.Wait(SpecialDeadline))
        {
            Unblock(Path.Combine(workDir, "shared.fifo"));
            Unblock(path);
            return new FuzzOutcome(false, $"did not end within {SpecialDeadline.TotalSeconds:0} s (blocked on it?)", 0, FixedAllowance);
        }
        var (failure, allocated) = task.Result;
        if (failure is null && allocated > FixedAllowance)
            failure = $"allocated {allocated} bytes for something that is not a file (allowed {FixedAllowance})";
        return new FuzzOutcome(false, failure, allocated, FixedAllowance);
    }

    private static readonly TimeSpan SpecialDeadline = TimeSpan.FromSeconds(10);

    // A reader blocked opening a FIFO wakes when a writer opens it; only ever needed when a case has failed.
    private static void Unblock(string fifo)
    {
        if (FileStatus.Of(fifo).Kind != FileKind.Fifo) return;
        _ = Task.Run(() => { try { using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write); } catch (IOException) { } });
    }

    private static void ReadSpecial(string reader, string path, string workDir)
    {
        switch (reader)
        {
            case "nifti": ReadNifti(path, 1); break;
            case "tsv": _ = TsvTable.Read(path); break;
            case "confounds": _ = FmriprepConfounds.Load(path); break;
            case "sidecar": _ = BidsMetadata.ReadFile(path); break;
            case "labels": _ = LabelTable.Read(path); break;
            case "timeseries": _ = RegionTimeSeries.Read(path); break;
            case "relmat": _ = ConnectivityMatrix.Read(path); break;
            case "participants": _ = Participants.Read(path); break;
            case "cifti": using (var f = NiSharp.Cifti.CiftiFile.Open(path)) { } break;
            case "dlabel": _ = GrayordinateAtlas.Load(path); break;
            default:
                var tsv = Path.Combine(workDir, "fuzz_desc-confounds_timeseries.tsv");
                if (!File.Exists(tsv)) File.WriteAllText(tsv, ConfoundsText(false));
                _ = FmriprepConfounds.Load(tsv, path);
                break;
        }
    }

    private static void Read(FuzzCase c, string path, string workDir)
    {
        switch (c.Target)
        {
            case FuzzTarget.Size:
                ReadSized(c, path);
                break;
            case FuzzTarget.Nifti:
            case FuzzTarget.NiftiGzip:
                ReadNifti(path, c.Mode);
                break;
            case FuzzTarget.Tsv:
                if (c.Mode == 0)
                {
                    _ = RegionTimeSeries.Read(path);
                }
                else if (c.Mode == 1)
                {
                    var t = TsvTable.Read(path);
                    for (int i = 0; i < t.Columns.Count; i++)
                    {
                        try { _ = t.GetNumbers(i); } catch (NiSharpException) { }
                    }
                }
                else
                {
                    var p = Participants.Read(path);
                    foreach (var id in p.Ids)
                        foreach (var col in p.Columns) _ = p[id, col];
                    if (p.HasColumn("age"))
                        foreach (var id in p.Ids)
                        {
                            try { _ = p.Number(id, "age"); } catch (NiSharpException) { }
                        }
                }
                break;
            case FuzzTarget.Confounds:
            {
                var conf = FmriprepConfounds.Load(path);
                foreach (var col in conf.Columns) _ = conf.Column(col);
                var strategy = c.Mode switch { 0 => ConfoundPresets.Simple, 1 => ConfoundPresets.Scrubbing, _ => ConfoundPresets.Compcor };
                _ = ConfoundSelector.Select(conf, strategy);
                break;
            }
            default:
                if (c.Mode == 2)
                {
                    // The confounds JSON beside a valid confounds TSV.
                    var tsv = Path.Combine(workDir, "fuzz_desc-confounds_timeseries.tsv");
                    if (!File.Exists(tsv)) File.WriteAllText(tsv, ConfoundsText(false));
                    _ = FmriprepConfounds.Load(tsv, path).Metadata.Count;
                }
                else
                {
                    var m = BidsMetadata.ReadFile(path);
                    _ = m.GetRepetitionTime();
                    _ = m.GetDouble("EchoTime");
                    _ = m.GetString("TaskName");
                    _ = m.GetDoubles("SliceTiming");
                    _ = m.ToString();
                    if (c.Mode == 1) _ = DatasetDescription.Read(path);
                }
                break;
        }
    }

    private static void ReadSized(FuzzCase c, string path)
    {
        switch (c.Mode)
        {
            case 0:
            {
                // Every column (the confounds command), or only those a strategy may use (nisharp run).
                var conf = c.Bytes.Length % 2 == 0 ? FmriprepConfounds.Load(path) : FmriprepConfounds.Load(path, null, ConfoundSelector.MayRead(ConfoundPresets.Simple));
                _ = ConfoundSelector.Select(conf, ConfoundPresets.Simple with { Motion = Expansion.Basic, DummyScans = DummyScans.Fixed(0) });
                break;
            }
            case 1:
                _ = RegionTimeSeries.Read(path);
                break;
            case 2:
                foreach (var col in TsvTable.Read(path).Columns) _ = col;
                break;
            default:
            {
                var table = LabelTable.Read(path);
                _ = table.Regions.Count;
                break;
            }
        }
    }

    private static void ReadNifti(string path, int mode)
    {
        switch (mode)
        {
            case 0:
            {
                using var f = NiftiFile.Open(path);
                _ = f.Affine.VoxelSizes;
                _ = f.RepetitionTime;
                var vol = new float[f.VoxelsPerVolume];
                for (int t = 0; t < f.VolumeCount; t++) f.ReadVolume<float>(t, vol);
                break;
            }
            case 1:
                _ = Image.Load<double>(path);
                break;
            default:
                _ = Regions.LoadLabelImage(path);
                break;
        }
    }

    /// <summary>
    /// Runs <paramref name="count"/> cases of <paramref name="target"/>, case <c>i</c> generated from
    /// <c>PCG(stream, seed + i)</c> so any one can be replayed; returns the failures (at most
    /// <paramref name="keep"/> kept) and counts.
    /// </summary>
    public static FuzzSummary RunMany(FuzzTarget target, int count, ulong seed, string workDir, int keep = 20, int stream = 0, int step = 1, int first = 0)
    {
        var gen = For(target);
        var failures = new List<string>();
        int failed = 0, accepted = 0;
        long maxAllocated = 0;
        double maxRatio = 0;
        for (int i = first; i < count; i += step)
        {
            var pcg = new PCG((uint)(stream + (int)target), seed + (ulong)i);
            var c = gen.Generate(pcg, null, out _);
            var o = Run(c, workDir);
            if (o.Accepted) accepted++;
            maxAllocated = Math.Max(maxAllocated, o.AllocatedBytes);
            maxRatio = Math.Max(maxRatio, (double)o.AllocatedBytes / o.AllowedBytes);
            if (o.Failure is not null)
            {
                failed++;
                if (failures.Count < keep) failures.Add($"case {i} (seed {seed}): {c}: {o.Failure}");
            }
        }
        return new FuzzSummary(target, (count - first + step - 1) / step, accepted, failed, failures, maxAllocated, maxRatio);
    }
}

/// <summary>The result of <see cref="FuzzHarness.RunMany"/>.</summary>
public sealed record FuzzSummary(FuzzTarget Target, int Cases, int Accepted, int Failed, IReadOnlyList<string> Failures, long MaxAllocatedBytes, double MaxAllocationRatio);
