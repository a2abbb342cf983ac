using System.Text;
using CsCheck;
using NiSharp.IO;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.IO;

public class TsvWriterTests
{
    private static string Written(Action<TsvWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = TsvWriter.On(ms)) write(w);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    [Fact]
    public void Numbers_are_written_as_the_table_formats_them()
    {
        // Any bit pattern: subnormals, infinities, NaNs, -0 — the UTF-8 path must give FormatNumber's text.
        Gen.Long.Sample(bits =>
        {
            double d = BitConverter.Int64BitsToDouble(bits);
            float f = BitConverter.Int32BitsToSingle((int)bits);
            Assert.Equal(TsvTable.FormatNumber(d), Written(w => w.Number(d)));
            Assert.Equal(TsvTable.FormatNumber(f), Written(w => w.Number(f)));
        }, iter: 2000);
    }

    [Fact]
    public void A_table_larger_than_the_buffer_reads_back_exactly()
    {
        // 300 rows of 40 values (far past the 32 KB buffer), a long non-ASCII header cell, NaNs as n/a.
        var rnd = new Random(7);
        var columns = Enumerable.Range(0, 40).Select(c => c == 3 ? new string('é', 40_000) : $"region_{c}").ToArray();
        var values = Enumerable.Range(0, 300 * 40).Select(i => i % 97 == 0 ? double.NaN : rnd.NextDouble() * 1e3 - 500).ToArray();
        using var dir = new TempDir();
        var path = dir.File("t.tsv");
        TsvTable.WriteNumbers(path, columns, values, 300);
        var table = TsvTable.Read(path);
        Assert.Equal(columns, table.Columns);
        Assert.Equal(300, table.RowCount);
        for (int c = 0; c < 40; c++)
        {
            var back = table.GetNumbers(c);
            for (int r = 0; r < 300; r++) Assert.Equal(values[r * 40 + c], back[r]);
        }
    }
}
