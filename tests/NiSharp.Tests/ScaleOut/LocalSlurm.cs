using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NiSharp.Pipeline;
using NiSharp.Pipeline.Slurm;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.ScaleOut;

/// <summary>
/// What the scale-out tests share: a small demo cohort (6 subjects on a 6 mm grid: three controls, three patients)
/// generated once, and a REAL single-node Slurm on localhost (<c>tests/slurm/slurm-localhost.sh</c>), started once
/// for the whole collection when the first test asks for it and always stopped in <see cref="Dispose"/>. Where Slurm
/// cannot be installed or started, <see cref="SkipUnlessRunning"/> skips the test with the reason.
/// </summary>
public sealed class LocalSlurm : IDisposable
{
    private readonly TempDir _root = new();
    private readonly Lazy<DemoDataset> _cohort;
    private readonly Lazy<string?> _startFailure;
    private readonly object _gate = new();
    private Dictionary<string, string>? _daemons;

    /// <summary>The cohort's options.</summary>
    public static DemoOptions CohortOptions { get; } = new() { Subjects = 6, VoxelSize = 6, Seed = 5 };

    private readonly Lazy<(string Folder, CliRunner.Result Participant, CliRunner.Result Group)> _local;

    public LocalSlurm()
    {
        _cohort = new(() => DemoDataset.Generate(Path.Combine(_root.Path, "cohort"), CohortOptions));
        _startFailure = new(Start);
        _local = new(() =>
        {
            var results = Path.Combine(_root.Path, "local-results");
            var participant = CliRunner.Run("run", Cohort.DataDirectory, results, "participant", "--no-reports", "--jobs", "auto");
            Assert.True(participant.ExitCode == 0, participant.Stdout + participant.Stderr);
            var group = CliRunner.Run("run", Cohort.DataDirectory, results, "group", "--no-reports");
            Assert.True(group.ExitCode == 0, group.Stdout + group.Stderr);
            return (results, participant, group);
        });
    }

    /// <summary>The demo cohort (do not modify: copy it with <see cref="CopyCohort"/>).</summary>
    public DemoDataset Cohort => _cohort.Value;

    /// <summary>Both levels run locally on the cohort with the defaults, <c>--jobs auto</c> and no reports (do not
    /// modify: copy it with <see cref="CopyFolder"/>).</summary>
    public string LocalResults => _local.Value.Folder;

    /// <summary>What the local participant level printed.</summary>
    public CliRunner.Result LocalParticipantRun => _local.Value.Participant;

    /// <summary>How the jobs start the CLI under test: the built <c>NiSharp.Cli.dll</c> beside the test assembly.</summary>
    public static string NisharpCommand => $"dotnet {Path.Combine(AppContext.BaseDirectory, "NiSharp.Cli.dll")}";

    /// <summary>A fresh folder under the fixture's temporary root.</summary>
    public string NewFolder(string name)
    {
        var p = Path.Combine(_root.Path, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(p);
        return p;
    }

    /// <summary>A copy of the cohort's data folder, to corrupt.</summary>
    public string CopyCohort(string name) => CopyFolder(Cohort.DataDirectory, name);

    /// <summary>A copy of <paramref name="from"/> in a new folder.</summary>
    public string CopyFolder(string from, string name)
    {
        var to = NewFolder(name);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        return to;
    }

    /// <summary>Starts the cluster on first use; skips the calling test when it cannot run.</summary>
    public void SkipUnlessRunning()
    {
        var failure = _startFailure.Value;
        Skip.If(failure is not null, failure);
    }

    /// <summary>Waits until every record of the jobs is in a final state (polling <c>scontrol -o show job</c>); returns
    /// the final states.</summary>
    public static IReadOnlyList<SlurmJobState> WaitForJobs(IEnumerable<string> jobIds, TimeSpan timeout)
    {
        var ids = jobIds.ToList();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var states = new List<SlurmJobState>();
            bool active = false;
            foreach (var id in ids)
            {
                var shown = SlurmCluster.Default.Show(id) ?? throw new InvalidOperationException("scontrol cannot be run");
                states.AddRange(shown);
                active |= shown.Any(s => s.IsActive);
            }
            if (!active) return states;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Slurm jobs {string.Join(",", ids)} still active after {timeout.TotalSeconds:0} s: " +
                                           string.Join(" ", states.Select(s => $"{s.DisplayId}={s.State}")));
            Thread.Sleep(300);
        }
    }

    /// <summary>The repository's <c>tests/slurm/slurm-localhost.sh</c>, found above the test assembly.</summary>
    private static string? Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "slurm", "slurm-localhost.sh");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Installs (if needed) and starts the cluster; returns why it cannot run, or null.</summary>
    private string? Start()
    {
        if (!OperatingSystem.IsLinux()) return "a local Slurm needs Linux";
        var script = Script();
        if (script is null) return "tests/slurm/slurm-localhost.sh not found above the test assembly";
        if (Environment.UserName != "root") return "the local Slurm runs its daemons as root; these tests need root";
        if (!OnPath("slurmctld") || !OnPath("munged") || !OnPath("sbatch"))
        {
            var (installed, log) = Bash($"source '{script}' && slurm_install", new(), TimeSpan.FromMinutes(3));
            if (!installed || !OnPath("slurmctld")) return $"Slurm is not installed and could not be (apt-get install slurm-wlm munge): {Tail(log)}";
        }
        var env = new Dictionary<string, string> { ["SLURMCTLD_PORT"] = FreePort().ToString(), ["SLURMD_PORT"] = FreePort().ToString() };
        var (ok, output) = Bash(
            $"source '{script}' && slurm_start && echo \"@SLURM_DIR=$SLURM_DIR\" && echo \"@SLURM_CONF=$SLURM_CONF\" && " +
            "echo \"@SLURMCTLD_PID=$SLURMCTLD_PID\" && echo \"@SLURMD_PID=$SLURMD_PID\" && echo \"@MUNGED_PID=$MUNGED_PID\"",
            env, TimeSpan.FromSeconds(60));
        var vars = output.Split('\n').Where(l => l.StartsWith('@') && l.Contains('='))
            .Select(l => l[1..].Split('=', 2)).ToDictionary(p => p[0], p => p[1].Trim());
        lock (_gate) _daemons = vars; // stopped in Dispose even when the start failed half-way
        if (!ok || !vars.TryGetValue("SLURM_CONF", out var conf) || conf.Length == 0) return $"the local Slurm did not start: {Tail(output)}";
        Environment.SetEnvironmentVariable("SLURM_CONF", conf); // as a user would export it: sbatch, squeue, scontrol read it
        return null;
    }

    public void Dispose()
    {
        Dictionary<string, string>? daemons;
        lock (_gate) daemons = _daemons;
        if (daemons is not null && Script() is string script)
        {
            Bash($"source '{script}' && slurm_stop", daemons, TimeSpan.FromSeconds(60));
            if (daemons.TryGetValue("SLURM_DIR", out var dir) && dir.StartsWith(Path.GetTempPath().TrimEnd('/'), StringComparison.Ordinal) && Directory.Exists(dir))
            {
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
            Environment.SetEnvironmentVariable("SLURM_CONF", null);
        }
        _root.Dispose();
    }

    private static (bool Ok, string Output) Bash(string command, Dictionary<string, string> env, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: false);
            return (false, "timed out");
        }
        return (p.ExitCode == 0, stdout.Result + stderr.Result);
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, command)));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Tail(string text) => string.Join(" | ", text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(4));
}

/// <summary>The scale-out tests share the cohort and the one local Slurm, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<LocalSlurm>
{
    public const string Name = "ScaleOut";
}
