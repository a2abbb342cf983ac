using NiSharp.IO;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary>The nilearn signal fixtures (0.10.4 by default, or of a given release) as NiSharp types.</summary>
internal static class SignalFixtures
{
    /// <summary>A 2-D .npy fixture as a signal matrix.</summary>
    public static SignalMatrix<double> Matrix(string name) => MatrixAt(TestPaths.Nilearn(name));

    /// <summary>A 2-D .npy fixture of nilearn <paramref name="version"/> as a signal matrix.</summary>
    public static SignalMatrix<double> Matrix(string version, string name) => MatrixAt(TestPaths.Nilearn(version, name));

    /// <summary>A 2-D .npy reference generated for NiSharp (<c>tests/fixtures/signal</c>).</summary>
    public static SignalMatrix<double> Reference(string name) => MatrixAt(TestPaths.Fixture("signal", name));

    private static SignalMatrix<double> MatrixAt(string path)
    {
        if (!IsFortranOrder(path))
        {
            var a = NpyArray.Load(path);
            return new SignalMatrix<double>(a.Rows, a.Cols, a.Data);
        }
        // in_signals.npy is stored column-major; NpyArray reads C order only.
        var bytes = File.ReadAllBytes(path);
        int headerLen = BitConverter.ToUInt16(bytes, 8);
        var header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLen);
        var shape = System.Text.RegularExpressions.Regex.Match(header, @"'shape':\s*\((\d+),\s*(\d+)\)");
        int rows = int.Parse(shape.Groups[1].Value), cols = int.Parse(shape.Groups[2].Value);
        Assert.Contains("'<f8'", header);
        var m = new SignalMatrix<double>(rows, cols);
        for (int c = 0; c < cols; c++)
            for (int r = 0; r < rows; r++)
                m[r, c] = BitConverter.ToDouble(bytes, 10 + headerLen + 8 * (c * rows + r));
        return m;
    }

    private static bool IsFortranOrder(string path)
    {
        var head = new byte[128];
        using (var f = File.OpenRead(path)) f.ReadExactly(head);
        return System.Text.Encoding.ASCII.GetString(head).Contains("'fortran_order': True");
    }

    /// <summary><c>in_signals.npy</c>: 120 × 64 float64.</summary>
    public static SignalMatrix<double> Signals => Matrix("in_signals.npy");

    /// <summary><c>in_confounds_filled.tsv</c>: 120 × 18, NaN-free.</summary>
    public static SignalMatrix<double> Confounds => Table("in_confounds_filled.tsv");

    /// <summary><c>in_sample_mask.npy</c>: 112 kept indices of 120.</summary>
    public static int[] SampleMask => NpyArray.Load(TestPaths.Nilearn("in_sample_mask.npy")).Data.Select(v => (int)v).ToArray();

    /// <summary><c>in_confounds_filled.tsv</c> as given to nilearn <paramref name="version"/> (the same numbers, formatted apart).</summary>
    public static SignalMatrix<double> ConfoundsOf(string version) => Table(version, "in_confounds_filled.tsv");

    /// <summary>A numeric TSV fixture as a matrix.</summary>
    public static SignalMatrix<double> Table(string name) => Table(TestPaths.V0_10_4, name);

    /// <summary>A numeric TSV fixture of nilearn <paramref name="version"/> as a matrix.</summary>
    public static SignalMatrix<double> Table(string version, string name)
    {
        var t = TsvTable.Read(TestPaths.Nilearn(version, name));
        return SignalMatrix<double>.FromColumns(Enumerable.Range(0, t.Columns.Count).Select(t.GetNumbers).ToList());
    }

    /// <summary>Largest absolute difference, for diagnostics.</summary>
    public static double MaxAbsDiff(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }
}
