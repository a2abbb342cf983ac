using System.Globalization;
using System.Text.Json;
using NiSharp.Imaging;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

public class LapackInverseTests
{
    public static TheoryData<string> Cases()
    {
        var d = new TheoryData<string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("imaging", "lapack_inverse.json")));
        foreach (var p in doc.RootElement.EnumerateObject()) d.Add(p.Name);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Inverse_is_bit_identical_to_scipy_linalg_inv(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("imaging", "lapack_inverse.json")));
        var c = doc.RootElement.GetProperty(name);
        double[] Read(string key) => c.GetProperty(key).EnumerateArray().Select(e => double.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToArray();
        var m = Read("matrix");
        var expected = Read("inverse");
        var got = LapackInverse.Invert(m);
        for (int i = 0; i < 16; i++)
            Assert.True(expected[i] == got[i], $"{name}[{i / 4},{i % 4}]: scipy {expected[i]:R}, ours {got[i]:R}");
    }
}
