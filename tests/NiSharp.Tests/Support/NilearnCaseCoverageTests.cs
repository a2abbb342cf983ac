using System.Reflection;
using System.Text.Json;

namespace NiSharp.Tests.Support;

/// <summary>Every case of the nilearn 0.10.4 and 0.14.0 fixture manifests has a parity test.</summary>
public class NilearnCaseCoverageTests
{
    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    public void Every_manifest_case_has_a_parity_test(string version)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(TestPaths.Nilearn(version, "manifest.json")));
        var cases = manifest.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("case").GetString()!).ToList();
        Assert.Equal(54, cases.Count);
        var tested = typeof(NilearnCaseCoverageTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetCustomAttributes<NilearnCaseAttribute>())
            .SelectMany(a => a.Cases)
            .ToHashSet(StringComparer.Ordinal);
        var untested = cases.Where(c => !tested.Contains(c)).ToList();
        var unknown = tested.Where(c => !cases.Contains(c)).ToList();
        Assert.True(untested.Count == 0, $"no parity test for: {string.Join(", ", untested)}");
        Assert.True(unknown.Count == 0, $"not in the manifest: {string.Join(", ", unknown)}");
    }
}
