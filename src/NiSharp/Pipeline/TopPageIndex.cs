using System.Text;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;
using NiSharp.IO;

namespace NiSharp.Pipeline;

/// <summary>
/// What the top page (<see cref="RunReports.WriteTopPage"/>) knows of each subject, kept between runs in
/// <c>OUTPUT_DIR/logs/top-page-index.bin</c> so that a run of one subject in a large dataset rewrites the page without
/// reading every other subject's outputs again: a subject's row is reused while the fingerprint of what it was made from
/// is unchanged (<see cref="Fingerprint"/>: the names, sizes and times of its output and status files, its inputs' hash),
/// and the mean matrix is kept as exact sums (<see cref="MeanSums"/>), so that adding a subject gives the same numbers as
/// summing every subject again. The page is the same with or without the index; anything unexpected — another run's
/// settings, a changed subject that was in the sums, an unreadable index — falls back to reading what is needed.
/// </summary>
internal sealed class TopPageIndex
{
    private const string FileName = "top-page-index.bin";
    private const string Magic = "NiSharp top page index 1";

    /// <summary>A subject's row: its runs, state and mean FD as the page shows them, the link to its page, and the number of
    /// matrices it adds to the mean (its complete runs' matrices of the page's kind).</summary>
    public sealed record Row(string Fingerprint, int Runs, bool Done, bool FailedNow, string State, string Fd, string? Link, int Matrices);

    /// <summary>The settings the rows were made with (<see cref="KeyOf"/>).</summary>
    public string Key { get; }

    /// <summary>Rows by subject label.</summary>
    public Dictionary<string, Row> Rows { get; } = new(StringComparer.Ordinal);

    /// <summary>The sums of the mean matrix over the subjects' matrices, or null when they must be summed again.</summary>
    public MeanSums? Sums { get; set; }

    public TopPageIndex(string key) => Key = key;

    /// <summary>The settings a row depends on beyond its files: the atlas set's parameters (a failure counts only for
    /// them), the page's kind and atlas, whether runs make pages.</summary>
    public static string KeyOf(IReadOnlyList<ParticipantContext> atlases, ConnectivityKind kind) =>
        Provenance.Hash(string.Join("\n", Magic, ParticipantContext.ParametersHash(atlases), kind.NilearnName(), atlases[0].AtlasLabel,
            atlases[0].Options.Reports, atlases[0].Options.InputDirectory, atlases[0].Options.OutputDirectory));

    /// <summary>What a subject's row is made from: the names, sizes and modification times
    /// (<see cref="Provenance.InputsHash"/>, the stamp completeness compares inputs by) of its status file and, when it has
    /// an output folder, of each run's inputs (<see cref="RunAnalysis.InputFiles"/>, whose change makes a run stale) and of
    /// every file a complete run has (<see cref="RunAnalysis.CompletionFiles"/>) and its page, for every atlas; without
    /// one, its number of runs. Stat calls only: no file is read.</summary>
    public static string Fingerprint(string subject, IReadOnlyList<Bids.BoldRun> runs, IReadOnlyList<ParticipantContext> atlases)
    {
        var o = atlases[0].Options;
        var outputs = new List<string> { SubjectStatus.PathOf(o.OutputDirectory, subject) };
        // Without an output folder (most subjects, when one of many runs on its own) the row is its runs and its status.
        if (!Directory.Exists(DerivativeNames.SubjectDirectory(o.OutputDirectory, subject)))
            return $"none {runs.Count} {Provenance.InputsHash(o.OutputDirectory, outputs)}";
        var text = new StringBuilder("outputs\n");
        foreach (var run in runs)
        {
            text.Append(Provenance.InputsHash(o.InputDirectory, RunAnalysis.InputFiles(run))).Append('\n');
            foreach (var ctx in atlases)
            {
                outputs.AddRange(RunAnalysis.CompletionFiles(run, ctx));
                if (!ctx.Options.Reports) outputs.Add(RunAnalysis.OutputsOf(run, ctx).Report); // (with pages, a completion file)
            }
        }
        return Provenance.Hash(text.Append(Provenance.InputsHash(o.OutputDirectory, outputs)).ToString());
    }

    /// <summary>The index of the output folder when it was made with <paramref name="key"/>; an empty one otherwise (none
    /// yet, other settings, unreadable).</summary>
    public static TopPageIndex Load(string outputDir, string key)
    {
        var path = PathOf(outputDir);
        try
        {
            if (!File.Exists(path)) return new TopPageIndex(key);
            using var reader = new BinaryReader(InputFile.OpenRead(path, 1 << 16, FileOptions.SequentialScan, asInput: false), Encoding.UTF8);
            if (reader.ReadString() != Magic || reader.ReadString() != key) return new TopPageIndex(key);
            var index = new TopPageIndex(key);
            int rows = reader.ReadInt32();
            for (int i = 0; i < rows; i++)
            {
                string subject = reader.ReadString();
                var row = new Row(reader.ReadString(), reader.ReadInt32(), reader.ReadBoolean(), reader.ReadBoolean(), reader.ReadString(), reader.ReadString(),
                    reader.ReadBoolean() ? reader.ReadString() : null, reader.ReadInt32());
                index.Rows[subject] = row;
            }
            index.Sums = reader.ReadBoolean() ? MeanSums.Read(reader) : null;
            return index;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or NiSharpException or FormatException or ArgumentException or OverflowException)
        {
            return new TopPageIndex(key);
        }
    }

    /// <summary>Writes the index (atomically; not made durable: it can always be made again) unless the file holds it
    /// already, so that a rerun that changes nothing changes no file.</summary>
    public void Save(string outputDir)
    {
        var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Key);
            writer.Write(Rows.Count);
            foreach (var (subject, row) in Rows)
            {
                writer.Write(subject);
                writer.Write(row.Fingerprint);
                writer.Write(row.Runs);
                writer.Write(row.Done);
                writer.Write(row.FailedNow);
                writer.Write(row.State);
                writer.Write(row.Fd);
                writer.Write(row.Link is not null);
                if (row.Link is not null) writer.Write(row.Link);
                writer.Write(row.Matrices);
            }
            writer.Write(Sums is not null);
            Sums?.Write(writer);
        }
        OutputFolder.Create(Path.GetDirectoryName(PathOf(outputDir))!);
        AtomicFile.WriteAllBytesIfChanged(PathOf(outputDir), bytes.GetBuffer().AsMemory(0, (int)bytes.Length), durable: false);
    }

    private static string PathOf(string outputDir) => Path.Combine(outputDir, "logs", FileName);
}

/// <summary>
/// The element-wise sums of matrices over the same regions, n/a entries skipped, held exactly: each value as an integer
/// number of 2⁻⁹⁶ (a correlation's every bit down to 10⁻¹⁴), so that sums do not depend on the order in which matrices were
/// added — the top page adds the new subjects to what it summed before, and gets what summing all of them gives. A value
/// the fixed point cannot hold exactly (below ~6·10⁻¹⁴ with low bits set, or of magnitude ≥ 1024) makes the sums
/// <see cref="Exact"/> false: the page then averages the matrices as doubles, every time.
/// </summary>
internal sealed class MeanSums
{
    private const int Scale = 96;
    // |value| < 2^(10 + Scale) and at most 2^20 matrices: sums stay below 2^126.
    private const int HeadroomBits = 10;
    private const int MaxMatrices = 1 << 20;

    private readonly Int128[] _sums;
    private readonly int[] _counts;

    /// <summary>Regions (rows and columns) of the matrices summed.</summary>
    public int Regions { get; }

    /// <summary>Matrices added.</summary>
    public int Matrices { get; private set; }

    /// <summary>Whether every value added was held exactly (otherwise the sums mean nothing).</summary>
    public bool Exact { get; private set; } = true;

    public MeanSums(int regions)
    {
        Regions = regions;
        _sums = new Int128[regions * regions];
        _counts = new int[regions * regions];
    }

    /// <summary>Adds a matrix of <see cref="Regions"/> × <see cref="Regions"/> values (NaN skipped).</summary>
    public void Add(Matrix<double> values)
    {
        if (values.RowCount != Regions || values.ColumnCount != Regions) throw new ArgumentException("a matrix over other regions");
        if (!Exact) return;
        if (++Matrices > MaxMatrices) { Exact = false; return; }
        var v = values.AsColumnMajorArray() ?? values.ToColumnMajorArray();
        for (int k = 0; k < v.Length; k++)
        {
            if (double.IsNaN(v[k])) continue;
            if (!TryFixed(v[k], out var f)) { Exact = false; return; }
            _sums[k] += f;
            _counts[k]++;
        }
    }

    /// <summary>The mean of the matrices added, entry by entry (NaN where every matrix had n/a): the exact sum rounded
    /// once to a double, divided by the count.</summary>
    public Matrix<double> Mean()
    {
        if (!Exact) throw new InvalidOperationException("the sums are not exact");
        var mean = new double[_sums.Length];
        for (int k = 0; k < mean.Length; k++)
            mean[k] = _counts[k] == 0 ? double.NaN : Math.ScaleB((double)_sums[k], -Scale) / _counts[k];
        return Matrix<double>.Build.Dense(Regions, Regions, mean);
    }

    /// <summary>The value as an integer number of 2⁻⁹⁶, when that is exact and within the headroom.</summary>
    internal static bool TryFixed(double value, out Int128 fixedPoint)
    {
        fixedPoint = 0;
        if (value == 0) return true;
        if (!double.IsFinite(value) || Math.Abs(value) >= Math.ScaleB(1.0, HeadroomBits)) return false;
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (biased == 0) biased = 1; else mantissa |= 1L << 52;
        int shift = biased - 1075 + Scale; // value = mantissa · 2^(biased − 1075)
        Int128 magnitude;
        if (shift >= 0) magnitude = (Int128)mantissa << shift;
        else
        {
            if (shift <= -53 || (mantissa & ((1L << -shift) - 1)) != 0) return false;
            magnitude = mantissa >> -shift;
        }
        fixedPoint = bits < 0 ? -magnitude : magnitude;
        return true;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Regions);
        writer.Write(Matrices);
        writer.Write(Exact);
        if (!Exact) return;
        for (int k = 0; k < _sums.Length; k++)
        {
            writer.Write((ulong)(_sums[k] >> 64));
            writer.Write((ulong)_sums[k]);
            writer.Write(_counts[k]);
        }
    }

    public static MeanSums Read(BinaryReader reader)
    {
        int regions = reader.ReadInt32();
        if (regions < 1 || regions > 1 << 14) throw new FormatException("regions out of range");
        var sums = new MeanSums(regions) { Matrices = reader.ReadInt32(), Exact = reader.ReadBoolean() };
        if (!sums.Exact) return sums;
        for (int k = 0; k < sums._sums.Length; k++)
        {
            ulong upper = reader.ReadUInt64(), lower = reader.ReadUInt64();
            sums._sums[k] = (Int128)new UInt128(upper, lower);
            sums._counts[k] = reader.ReadInt32();
        }
        return sums;
    }
}
