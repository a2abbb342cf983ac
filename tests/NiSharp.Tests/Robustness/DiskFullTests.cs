using System.Diagnostics;
using System.Text;
using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Robustness;

/// <summary>
/// A full disk: every writer fails with one line naming the output file, exit code 2, and leaves neither
/// the file nor a temporary file behind. Uses a real 256 KiB tmpfs when this process may mount one (root
/// on Linux; skipped otherwise), and a stream that fails mid-write everywhere.
/// </summary>
public class DiskFullTests
{
    /// <summary>A small tmpfs mounted on a fresh folder for the lifetime of the object.</summary>
    private sealed class SmallDisk : IDisposable
    {
        private readonly TempDir _dir = new();
        public string Path => _dir.Path;
        public bool Mounted { get; }

        public SmallDisk(string size)
        {
            if (!OperatingSystem.IsLinux()) return;
            Mounted = SpecialFiles.Exec("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", _dir.Path) == 0;
        }

        public void Dispose()
        {
            if (Mounted) SpecialFiles.Exec("umount", _dir.Path);
            _dir.Dispose();
        }
    }

    /// <summary>A 40×40×30×12 float32 run of incompressible noise (2.3 MB of voxels).</summary>
    private static string NoiseBold(TempDir dir)
    {
        var path = dir.File("noise_bold.nii.gz");
        int n = 40 * 40 * 30 * 12;
        var rng = new Random(7);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)rng.NextDouble() * 1000 + 100;
        new Image<float>([40, 40, 30, 12], Affine.Diagonal(3, 3, 3), data, new NiftiHeader { Pixdim = [1, 3, 3, 3, 2, 1, 1, 1] }).Save(path);
        return path;
    }

    private static void FailsCleanly(CliRunner.Result r, string output, string disk)
    {
        Assert.Equal(2, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Stderr);
        Assert.StartsWith($"nisharp: error: {output}: cannot write: ", lines[0]);
        Assert.Contains("No space left on device", lines[0]);
        Assert.DoesNotContain(AtomicFile.TemporaryMarker, lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
        var left = Directory.EnumerateFiles(disk, "*", SearchOption.AllDirectories).ToList();
        Assert.True(left.Count == 0, "left on the full disk: " + string.Join(", ", left));
    }

    [SkippableTheory]
    [InlineData("clean.nii")]
    [InlineData("clean.nii.gz")]
    public void Clean_onto_a_full_disk_names_the_output_and_leaves_nothing(string name)
    {
        using var input = new TempDir();
        using var disk = new SmallDisk("256k");
        Skip.IfNot(disk.Mounted, "cannot mount a tmpfs here (needs root on Linux)");
        var bold = NoiseBold(input);
        var output = Path.Combine(disk.Path, name);
        FailsCleanly(CliRunner.Run("clean", bold, "--t-r", "2", "-o", output), output, disk.Path);
    }

    [SkippableFact]
    public void Math_onto_a_full_disk_names_the_output_and_leaves_nothing()
    {
        using var input = new TempDir();
        using var disk = new SmallDisk("256k");
        Skip.IfNot(disk.Mounted, "cannot mount a tmpfs here (needs root on Linux)");
        var bold = NoiseBold(input);
        var output = Path.Combine(disk.Path, "doubled.nii.gz");
        FailsCleanly(CliRunner.Run("math", "a*2", "-i", $"a={bold}", "-o", output), output, disk.Path);
    }

    [SkippableFact]
    public void A_large_tsv_onto_a_full_disk_names_the_output_and_leaves_nothing()
    {
        using var input = new TempDir();
        using var disk = new SmallDisk("64k");
        Skip.IfNot(disk.Mounted, "cannot mount a tmpfs here (needs root on Linux)");
        // 150 regions: the 150×150 matrix as text is about 450 kB.
        var ts = input.File("sub-01_timeseries.tsv");
        var rng = new Random(3);
        var sb = new StringBuilder(string.Join('\t', Enumerable.Range(1, 150).Select(i => $"label_{i}"))).Append('\n');
        for (int t = 0; t < 40; t++) sb.AppendJoin('\t', Enumerable.Range(0, 150).Select(_ => rng.NextDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture))).Append('\n');
        File.WriteAllText(ts, sb.ToString());
        var r = CliRunner.Run("connectivity", ts, "--kind", "correlation", "--estimator", "empirical", "-o", disk.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("cannot write: No space left on device", r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(Directory.EnumerateFiles(disk.Path, "*", SearchOption.AllDirectories));
    }

    [SkippableFact]
    public void A_run_onto_a_full_disk_stops_with_one_line_per_problem_and_leaves_no_temporary_file()
    {
        using var input = new TempDir();
        using var disk = new SmallDisk("300k");
        Skip.IfNot(disk.Mounted, "cannot mount a tmpfs here (needs root on Linux)");
        var data = Path.Combine(input.Path, "data");
        DemoDataset.Generate(data, new DemoOptions { Subjects = 4, VoxelSize = 6, Volumes = 60, Seed = 3, Jobs = 1 });
        var output = Path.Combine(disk.Path, "out");
        // Several subjects meet the full disk: each fails with the file it could not write, and once even the subjects'
        // logs cannot be written the run stops (exit 2) rather than crash from inside its parallel loop.
        var r = CliRunner.Run("run", data, output, "participant", "--jobs", "2");
        Assert.True(r.ExitCode is 1 or 2, $"exit code {r.ExitCode}: {r.Stderr}");
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.StartsWith("nisharp: ", l));
        Assert.Contains("cannot write: No space left on device", r.Stderr);
        Assert.DoesNotContain(Directory.EnumerateFiles(disk.Path, "*", SearchOption.AllDirectories), AtomicFile.IsTemporary);
        // A subject that met the full disk leaves none of its files (as one whose inputs are at fault): each subject
        // folder holds a complete set, marked by the time-series sidecar, or nothing.
        foreach (var subject in Directory.Exists(output) ? Directory.GetDirectories(output, "sub-*") : [])
        {
            var files = Directory.GetFiles(subject, "*", SearchOption.AllDirectories);
            Assert.True(files.Length == 0 || files.Any(f => f.EndsWith("_stat-mean_timeseries.json", StringComparison.Ordinal)),
                $"{subject} keeps a partial set: {string.Join(", ", files.Select(Path.GetFileName))}");
        }
    }

    [SkippableFact]
    public void Demo_data_onto_a_full_disk_fails_with_our_error_and_leaves_no_temporary_file()
    {
        using var disk = new SmallDisk("1m");
        Skip.IfNot(disk.Mounted, "cannot mount a tmpfs here (needs root on Linux)");
        // Subjects are written in parallel: the first refused write is reported, not an AggregateException.
        var e = Assert.Throws<NiSharpException>(() =>
            DemoDataset.Generate(Path.Combine(disk.Path, "data"), new DemoOptions { Subjects = 4, VoxelSize = 6, Volumes = 60, Seed = 3, Jobs = 2 }));
        Assert.Contains("cannot write: No space left on device", e.Message);
        Assert.DoesNotContain(Directory.EnumerateFiles(disk.Path, "*", SearchOption.AllDirectories), AtomicFile.IsTemporary);
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_no_file()
    {
        using var dir = new TempDir();
        var target = dir.File("out.tsv");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(target, s =>
        {
            s.Write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        Assert.Equal("No space left on device", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_nifti_writer_abandoned_midway_leaves_no_file()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "a.nii", "a.nii.gz" })
        {
            var target = dir.File(name);
            using (var w = NiftiWriter.Create(target, [10, 10, 10, 3], Affine.Diagonal(2, 2, 2), NiftiDataType.Float32))
            {
                w.WriteVolume<float>(new float[1000]);
                // disposed without Commit, as when a later volume fails to read or write
            }
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
        }
    }
}
