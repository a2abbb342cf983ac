using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Qc;

/// <summary>
/// The Qc area's demo cohort (16 subjects on a 6 mm grid, seed 3: a few seconds), with the benchmark run once on it
/// (every default strategy), and the same cohort without motion artefacts as the control.
/// </summary>
public sealed class QcCohort : IDisposable
{
    private readonly TempDir _root = new();
    private readonly Lazy<DemoDataset> _data;
    private readonly Lazy<BenchmarkSummary> _benchmark;

    /// <summary>The cohort's options.</summary>
    public static DemoOptions Options { get; } = new() { Subjects = 16, VoxelSize = 6, Seed = 3, Jobs = 2 };

    public QcCohort()
    {
        _data = new(() => DemoDataset.Generate(Path.Combine(_root.Path, "data"), Options));
        _benchmark = new(() => DenoisingBenchmark.Run(new BenchmarkOptions
        {
            InputDirectory = Data.DataDirectory,
            OutputDirectory = BenchmarkOutput,
            Jobs = 2,
        }));
    }

    /// <summary>The dataset.</summary>
    public DemoDataset Data => _data.Value;

    /// <summary>Where the benchmark writes.</summary>
    public string BenchmarkOutput => Path.Combine(_root.Path, "out");

    /// <summary>The benchmark with every default strategy (run once).</summary>
    public BenchmarkSummary Benchmark => _benchmark.Value;

    /// <summary>A folder for one test.</summary>
    public string NewFolder(string name)
    {
        var p = Path.Combine(_root.Path, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose() => _root.Dispose();
}

/// <summary>The Qc integration tests share the cohort and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class QcCollection : ICollectionFixture<QcCohort>
{
    public const string Name = "Qc";
}
