using System.Globalization;
using NiSharp.Connectome;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Connectome;

/// <summary>A relmat TSV read back: whole (<see cref="ConnectivityMatrix.Read"/>) or its numbers only
/// (<see cref="ConnectivityMatrix.ReadValues"/>, what the top page reads of every subject but the first); and the two hashes
/// a completeness check reads from a sidecar.</summary>
public class ConnectivityMatrixFileTests
{
    private static readonly double[,] Numbers =
    {
        { 1, 0.46531923475737397, double.NaN },
        { 0.46531923475737397, 1, -1.5e-300 },
        { double.NaN, -1.5e-300, 0.9999999999999999 },
    };

    private static string Write(TempDir dir, bool nameColumn)
    {
        static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("R", CultureInfo.InvariantCulture);
        var lines = new List<string> { (nameColumn ? "\t" : "") + "a\tb\tc" };
        for (int i = 0; i < 3; i++)
            lines.Add((nameColumn ? "abc"[i] + "\t" : "") + string.Join('\t', Enumerable.Range(0, 3).Select(j => F(Numbers[i, j]))));
        var path = dir.File(nameColumn ? "named_relmat.tsv" : "relmat.tsv");
        File.WriteAllText(path, string.Join("\r\n", lines) + "\n");
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_and_ReadValues_give_the_numbers_written_bit_for_bit(bool nameColumn)
    {
        using var dir = new TempDir();
        var path = Write(dir, nameColumn);
        var whole = ConnectivityMatrix.Read(path);
        var values = ConnectivityMatrix.ReadValues(path);
        Assert.Equal(["a", "b", "c"], whole.Regions.Select(r => r.Name));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(Numbers[i, j]), BitConverter.DoubleToInt64Bits(whole.Values[i, j]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(Numbers[i, j]), BitConverter.DoubleToInt64Bits(values[i, j]));
            }
    }

    [Theory]
    [InlineData("a\tb\n1\t2\n3\n", "line 3 has 1 cells but the header has 2")]
    [InlineData("a\tb\n1\t2\n3\tx\n", "line 3, column 'b': 'x' is not a number")]
    [InlineData("a\tb\tc\n1\t2\t3\n", "not a square matrix: 3 columns in the header but 1 rows")]
    public void A_malformed_matrix_fails_naming_the_file_and_the_place(string text, string message)
    {
        using var dir = new TempDir();
        var path = dir.File("bad_relmat.tsv");
        File.WriteAllText(path, text);
        foreach (var read in new Action[] { () => ConnectivityMatrix.Read(path), () => ConnectivityMatrix.ReadValues(path) })
        {
            var e = Assert.Throws<NiSharpException>(read);
            Assert.Equal(path, e.FilePath);
            Assert.Contains(message, e.Message);
        }
    }

    [Theory]
    [InlineData("""{"ParametersHash": "p1", "Other": {"InputsHash": "nested"}, "InputsHash": "i1"}""", "p1", "i1")]
    [InlineData("""{"InputsHash": "i1", "ParametersHash": 5}""", null, "i1")]
    [InlineData("""{"ParametersHash": "p1", "InputsHash": "i1"} trailing""", null, null)]
    [InlineData("""{"ParametersHash": "p1", "InputsHash": "i1" """, null, null)]
    [InlineData("""["ParametersHash", "p1"]""", null, null)]
    [InlineData("", null, null)]
    public void A_sidecar_gives_its_two_top_level_hashes_or_none_when_it_is_not_one_JSON_object(string json, string? parameters, string? inputs)
    {
        using var dir = new TempDir();
        var path = dir.File("run_timeseries.json");
        File.WriteAllText(path, json);
        Assert.Equal((parameters, inputs), RunAnalysis.ReadHashes(path));
        Assert.Equal((null, null), RunAnalysis.ReadHashes(dir.File("missing.json")));
    }
}
