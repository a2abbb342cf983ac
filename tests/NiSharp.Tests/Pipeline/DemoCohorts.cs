using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary>
/// Small demo cohorts generated once for the whole Pipeline test area (16 subjects on a 6 mm grid, 152 volumes:
/// a few seconds each): one with the planted DMN difference, one null cohort without it. Tests that modify data
/// copy it first.
/// </summary>
public sealed class DemoCohorts : IDisposable
{
    private readonly TempDir _root = new();
    private readonly Lazy<DemoDataset> _planted;
    private readonly Lazy<DemoDataset> _null;
    private readonly Lazy<string> _plantedResults;

    /// <summary>The options of the planted cohort.</summary>
    public static DemoOptions PlantedOptions { get; } = new() { Subjects = 16, VoxelSize = 6, Seed = 7 };

    /// <summary>The options of the null cohort: patients' DMN edge planted equal to the controls'.</summary>
    public static DemoOptions NullOptions { get; } = new() { Subjects = 16, VoxelSize = 6, Seed = 11, PatientDmnCorrelation = 0.75 };

    public DemoCohorts()
    {
        _planted = new(() => DemoDataset.Generate(Path.Combine(_root.Path, "planted"), PlantedOptions));
        _null = new(() => DemoDataset.Generate(Path.Combine(_root.Path, "null"), NullOptions));
        _plantedResults = new(() =>
        {
            var results = Path.Combine(_root.Path, "planted-results");
            var summary = ParticipantLevel.Run(Options(Planted.DataDirectory, results) with { Reports = false });
            Assert.Equal(0, summary.ExitCode);
            return results;
        });
    }

    /// <summary>The cohort with the planted group difference.</summary>
    public DemoDataset Planted => _planted.Value;

    /// <summary>The cohort without a group difference.</summary>
    public DemoDataset Null => _null.Value;

    /// <summary>The planted cohort's participant outputs (run once with the defaults, no reports).</summary>
    public string PlantedResults => _plantedResults.Value;

    /// <summary>A folder for one test, removed with the fixture.</summary>
    public string NewFolder(string name)
    {
        var p = Path.Combine(_root.Path, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(p);
        return p;
    }

    /// <summary>The run options the CLI would build from its defaults.</summary>
    public static RunOptions Options(string input, string output) => new() { InputDirectory = input, OutputDirectory = output };

    /// <summary>Copies a dataset folder (to corrupt it without touching the shared one).</summary>
    public static void Copy(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    /// <summary>Every file under <paramref name="dir"/> (relative path → bytes), optionally filtered.</summary>
    public static SortedDictionary<string, byte[]> Contents(string dir, Func<string, bool>? include = null)
    {
        var d = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(dir, f);
            if (include is null || include(rel)) d[rel] = File.ReadAllBytes(f);
        }
        return d;
    }

    /// <summary>Temporary files of interrupted writes under <paramref name="dir"/>.</summary>
    public static string[] Leftovers(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(AtomicFile.IsTemporary).ToArray();

    public void Dispose() => _root.Dispose();
}

/// <summary>The Pipeline tests share the cohorts and run one after another (they are CPU-bound on a 2-core machine).</summary>
[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<DemoCohorts>
{
    public const string Name = "Pipeline";
}
