using CsCheck;
using System.Diagnostics;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Atlases;

/// <summary>The disk cache of fitted atlases: hit, miss, damaged and foreign entries, eviction, --no-cache, two processes,
/// and the same outputs with and without it. Each test has its own cache folder (set for its own flow, not process-wide).</summary>
public sealed class FittedAtlasCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nisharp-cache-test-" + Guid.NewGuid().ToString("N"));
    private static readonly string Bold = TestPaths.Data("samples", "nipy_functional.nii.gz");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    private string Folder => Path.Combine(_dir, "fitted-atlases");

    private string[] Entries() => Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*.fit") : [];

    private static int[] Fit(Atlas atlas) => new NiSharp.Maskers.LabelsMasker(atlas).Fit(Grid.Of(Bold)).ResampledLabels.Data;

    [Fact]
    public void A_miss_writes_the_entries_and_a_hit_gives_the_same_labels_without_reading_the_atlas()
    {
        using var _ = FittedAtlasCache.At(Folder);
        var cold = Atlas.Load("aal");
        var expected = Fit(cold);
        Assert.Equal(1, cold.FileReads); // one read gives both
        Assert.Equal(2, Entries().Length); // the value counts and the labels on the grid
        var hit = Atlas.Load("aal");
        Assert.Equal(expected, Fit(hit));
        Assert.Equal(Atlas.Load("aal").LabelsPresent, hit.LabelsPresent);
        Assert.Equal(0, hit.FileReads);
        Assert.Equal(2, Entries().Length);
    }

    [Fact]
    public void An_atlas_content_hash_is_kept_under_its_fingerprint_and_a_damaged_entry_is_computed_again()
    {
        using var _ = FittedAtlasCache.At(Folder);
        var source = Atlas.Load("aal").Source!;
        string computed;
        using (FittedAtlasCache.Off()) computed = Atlas.Load("aal").Source!.ContentHash;
        Assert.Empty(Entries());
        Assert.Equal(computed, source.ContentHash);
        var entry = Assert.Single(Entries());
        Assert.Equal(computed, FittedAtlasCache.ReadContentHash(source.Fingerprint));
        // Served from the cache: a planted value is what a new source reports.
        FittedAtlasCache.WriteContentHash(source.Fingerprint, "0123456789abcdef");
        Assert.Equal("0123456789abcdef", Atlas.Load("aal").Source!.ContentHash);
        // A damaged entry is not served: the hash is computed and stored again.
        var bytes = File.ReadAllBytes(entry);
        bytes[bytes.Length / 2] ^= 0x5a;
        File.WriteAllBytes(entry, bytes);
        Assert.Equal(computed, Atlas.Load("aal").Source!.ContentHash);
        Assert.Equal(computed, FittedAtlasCache.ReadContentHash(source.Fingerprint));
    }

    [Fact]
    public void A_damaged_or_foreign_entry_is_ignored_and_rewritten()
    {
        using var _ = FittedAtlasCache.At(Folder);
        var expected = Fit(Atlas.Load("harvard-oxford-sub"));
        foreach (var e in Entries())
        {
            var bytes = File.ReadAllBytes(e);
            bytes[bytes.Length / 2] ^= 0x5a;
            File.WriteAllBytes(e, bytes);
        }
        Assert.Equal(expected, Fit(Atlas.Load("harvard-oxford-sub")));
        // rewritten: valid again (a second flip-free load reads them back)
        foreach (var e in Entries())
        {
            var bytes = File.ReadAllBytes(e);
            Assert.Null(FittedAtlasCache.Decode(bytes, "counts|another atlas")); // never served under another key
        }
        // a truncated entry, and random bytes
        var first = Entries()[0];
        File.WriteAllBytes(first, File.ReadAllBytes(first)[..20]);
        File.WriteAllBytes(Entries()[1], new byte[100]);
        Assert.Equal(expected, Fit(Atlas.Load("harvard-oxford-sub")));
        Assert.All(Entries(), e => Assert.True(new FileInfo(e).Length > 100));
    }

    [Fact]
    public void Entries_round_trip_and_reject_any_change()
    {
        var bytes = FittedAtlasCache.Encode("k", [0, 3, 7], [10, 20, 30], [0, 7, 7, 3]);
        var back = FittedAtlasCache.Decode(bytes, "k")!.Value;
        Assert.Equal([0, 3, 7], back.Values);
        Assert.Equal([10L, 20, 30], back.Counts);
        Assert.Equal([0, 7, 7, 3], back.Labels!);
        for (int i = 0; i < bytes.Length; i++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= 1;
            Assert.Null(FittedAtlasCache.Decode(damaged, "k"));
        }
    }

    [Fact]
    public void A_flipped_bit_anywhere_in_a_random_entry_is_rejected()
    {
        var gen = Gen.Select(Gen.Int[0, 20], Gen.Int[-1, 300]).SelectMany((n, m) =>
            Gen.Select(Gen.Int.Array[n], Gen.Long.Array[n], Gen.Int.Array[Math.Max(m, 0)], Gen.Int[0, int.MaxValue], Gen.Int[0, 7])
               .Select((v, c, l, at, bit) => (v, c, m < 0 ? null : l, at, bit)));
        gen.Sample(t =>
        {
            var bytes = FittedAtlasCache.Encode("grid|k", t.v, t.c, t.Item3);
            Assert.NotNull(FittedAtlasCache.Decode(bytes, "grid|k"));
            bytes[t.at % bytes.Length] ^= (byte)(1 << t.bit);
            Assert.Null(FittedAtlasCache.Decode(bytes, "grid|k"));
        });
    }

    [Fact]
    public void An_entry_ends_with_its_checksum()
    {
        var bytes = FittedAtlasCache.Encode("k", [1], [2], null);
        Assert.Equal(System.IO.Hashing.XxHash128.Hash(bytes.AsSpan(0, bytes.Length - FittedAtlasCache.ChecksumLength)),
                     bytes[^FittedAtlasCache.ChecksumLength..]);
    }

    [Fact]
    public void The_oldest_entries_are_evicted_over_the_cap()
    {
        const long Cap = 12_000;
        using (FittedAtlasCache.At(Folder, Cap))
        {
            Fit(Atlas.Load("aal"));
            var old = Entries();
            foreach (var e in old) File.SetLastWriteTimeUtc(e, DateTime.UtcNow.AddDays(-1));
            // two more atlases on the grid (each grid entry ~ 4.3 kB): over the cap, the oldest go first
            Fit(Atlas.Load("schaefer100-7"));
            Fit(Atlas.Load("harvard-oxford"));
            long total = Entries().Sum(e => new FileInfo(e).Length);
            Assert.True(total <= Cap, $"{total} bytes in the cache");
            Assert.Contains(old, e => !File.Exists(e));
            Assert.True(Entries().Length >= 2);
        }
    }

    [Fact]
    public void No_cache_writes_nothing_and_extract_outputs_are_the_same_with_and_without_the_cache()
    {
        using var _ = FittedAtlasCache.At(Folder);
        var outDir = Path.Combine(_dir, "out");
        Directory.CreateDirectory(outDir);
        string Run(string name, params string[] extra)
        {
            var path = Path.Combine(outDir, name);
            var r = CliRunner.Run(["extract", Bold, "--atlas", "schaefer100-7", "-o", path, .. extra]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            return File.ReadAllText(path) + File.ReadAllText(Path.ChangeExtension(path, ".json"));
        }
        var none = Run("none.tsv", "--no-cache");
        Assert.Empty(Entries());
        var cold = Run("cold.tsv");
        Assert.Equal(3, Entries().Length); // the value counts, the labels on the grid, the content hash the sidecar records
        var warm = Run("warm.tsv");
        Assert.Equal(none, cold);
        Assert.Equal(none, warm);
    }

    [Fact]
    public void Two_processes_at_once_share_the_cache_safely()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "NiSharp.Cli.dll");
        Assert.True(File.Exists(cli), cli);
        var outs = new[] { Path.Combine(_dir, "a.tsv"), Path.Combine(_dir, "b.tsv") };
        Directory.CreateDirectory(_dir);
        var procs = outs.Select(o =>
        {
            var psi = new ProcessStartInfo("dotnet", [cli, "extract", Bold, "--atlas", "harvard-oxford", "-o", o])
            { RedirectStandardError = true, RedirectStandardOutput = true };
            psi.Environment["NISHARP_CACHE"] = _dir;
            return Process.Start(psi)!;
        }).ToArray();
        foreach (var p in procs)
        {
            var err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
        }
        Assert.Equal(File.ReadAllText(outs[0]), File.ReadAllText(outs[1]));
        Assert.Equal(3, Entries().Length); // the value counts, the labels on the grid, the content hash
        Assert.DoesNotContain(Directory.GetFiles(Folder), f => NiSharp.IO.AtomicFile.IsTemporary(f));
        using var _ = FittedAtlasCache.At(Folder);
        var r = CliRunner.Run("extract", Bold, "--atlas", "harvard-oxford", "-o", Path.Combine(_dir, "c.tsv"));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(File.ReadAllText(outs[0]), File.ReadAllText(Path.Combine(_dir, "c.tsv")));
    }
}
