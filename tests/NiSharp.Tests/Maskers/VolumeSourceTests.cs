using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Maskers;

/// <summary>A compressed BOLD read ahead (gunzipped on a second thread while the masker fits) gives the volumes a plain read
/// gives, bit for bit, in order, for the first pass and any later one; stopping it early leaves the file usable.</summary>
public class VolumeSourceTests
{
    private static readonly string Bold = TestPaths.Data("samples", "nipy_functional.nii.gz");

    private static List<(int T, float[] Volume)> Pass(VolumeSource source, int first)
    {
        var seen = new List<(int, float[])>();
        source.ForEach<float>(first, source.VolumeCount - first, (t, v) => seen.Add((t, v.ToArray())));
        return seen;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Reading_ahead_gives_the_volumes_a_plain_read_gives(int first)
    {
        using var f = NiftiFile.Open(Bold);
        Assert.True(f.IsCompressed);
        var expected = Enumerable.Range(first, f.VolumeCount - first).Select(t => (t, f.LoadVolume<float>(t).Data)).ToList();
        using var source = VolumeSource.ReadingAhead(f);
        foreach (var pass in new[] { Pass(source, first), Pass(source, first) }) // the second pass reads as before
        {
            Assert.Equal(expected.Select(e => e.t), pass.Select(p => p.T));
            for (int i = 0; i < expected.Count; i++) Assert.True(expected[i].Data.AsSpan().SequenceEqual(pass[i].Volume));
        }
        var doubles = new List<double[]>();
        using var again = VolumeSource.ReadingAhead(f);
        again.ForEach<double>(0, 1, (t, v) => doubles.Add(v.ToArray())); // a short pass, as doubles
        Assert.Equal(f.LoadVolume<double>(0).Data, doubles.Single());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Reading_on_one_thread_gives_the_volumes_a_plain_read_gives(int first)
    {
        // What a process confined to one CPU does (a Slurm task's default): no second thread, each volume read in turn.
        using var f = NiftiFile.Open(Bold);
        var expected = Enumerable.Range(first, f.VolumeCount - first).Select(t => f.LoadVolume<float>(t).Data).ToList();
        using var source = VolumeSource.OnOneThread(f);
        foreach (var pass in new[] { Pass(source, first), Pass(source, first) })
        {
            Assert.Equal(Enumerable.Range(first, f.VolumeCount - first), pass.Select(p => p.T));
            for (int i = 0; i < expected.Count; i++) Assert.True(expected[i].AsSpan().SequenceEqual(pass[i].Volume), $"volume {first + i}");
        }
    }

    [Fact]
    public void A_source_disposed_before_its_pass_stops_reading_and_the_file_reads_on()
    {
        using var f = NiftiFile.Open(Bold);
        var source = VolumeSource.ReadingAhead(f);
        source.Dispose();
        Assert.Equal(f.VolumeCount, Pass(VolumeSource.Of(f), 0).Count);
    }
}
