namespace NiSharp.Tests.Support;

/// <summary>Paths to the test fixtures copied into the repository (never ../shared).</summary>
public static class TestPaths
{
    /// <summary>The <c>tests/fixtures</c> folder as copied beside the test assembly.</summary>
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "fixtures");

    /// <summary>A file under <c>tests/fixtures</c>.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);

    /// <summary>A nilearn 0.10.4 reference file.</summary>
    public static string Nilearn(string name) => Fixture("nilearn", name);

    /// <summary>The nilearn releases with reference fixtures: 0.10.4 (<c>fixtures/nilearn</c>) and 0.14.0
    /// (<c>fixtures/nilearn-0.14.0</c>).</summary>
    public const string V0_10_4 = "0.10.4", V0_14 = "0.14.0";

    /// <summary>Every fixture case <paramref name="cases"/> for both nilearn releases: (version, case) rows for a theory.</summary>
    public static TheoryData<string, string> ForBothReleases(params string[] cases)
    {
        var data = new TheoryData<string, string>();
        foreach (var v in new[] { V0_10_4, V0_14 })
            foreach (var c in cases) data.Add(v, c);
        return data;
    }

    /// <summary>A reference file of nilearn <paramref name="version"/>. The 0.14.0 folder holds every output and only
    /// the inputs that differ from 0.10.4's; the others are 0.10.4's, byte for byte.</summary>
    public static string Nilearn(string version, string name)
    {
        if (version == V0_10_4) return Nilearn(name);
        if (version != V0_14) throw new ArgumentException($"no fixtures for nilearn {version}", nameof(version));
        var own = Fixture("nilearn-0.14.0", name);
        return File.Exists(own) || !name.StartsWith("in_", StringComparison.Ordinal) ? own : Nilearn(name);
    }

    /// <summary>The repository's bundled <c>data/</c> folder as copied beside the CLI.</summary>
    public static string Data(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "data", .. parts]);
}

/// <summary>A temporary folder deleted when disposed.</summary>
public sealed class TempDir : IDisposable
{
    /// <summary>The folder.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory("nisharp-test-").FullName;

    /// <summary>A path inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}
