using NiSharp.Tests.Support;

namespace NiSharp.Tests.Robustness;

/// <summary>
/// The CI-sized, seeded fuzz sample (<see cref="FuzzHarness"/>; <c>bench/run.sh fuzz</c> runs a million):
/// every mutated NIfTI, gzip, TSV, confounds or JSON file, every text of absurd size and every non-file (FIFO,
/// device, link loop) is either read or refused with a <see cref="NiSharpException"/> — at once, never blocking — and
/// never makes a reader allocate more than the file justifies.
/// </summary>
public class FuzzTests
{
    private const ulong Seed = 20240612;

    [Theory]
    [InlineData(FuzzTarget.Nifti, 1000)]
    [InlineData(FuzzTarget.NiftiGzip, 1000)]
    [InlineData(FuzzTarget.Tsv, 1000)]
    [InlineData(FuzzTarget.Confounds, 800)]
    [InlineData(FuzzTarget.Json, 1000)]
    [InlineData(FuzzTarget.FileType, 200)]
    [InlineData(FuzzTarget.Size, 200)]
    public void Mutated_files_are_read_or_refused_with_our_error_only(FuzzTarget target, int cases)
    {
        using var dir = new TempDir();
        var s = FuzzHarness.RunMany(target, cases, Seed, dir.Path);
        Assert.True(s.Failed == 0, $"{s.Failed} of {s.Cases} {target} cases failed:\n" + string.Join('\n', s.Failures));
        // The mutations must leave some inputs readable and break others, or the sample tests nothing; what is not a
        // regular file is never read.
        if (target == FuzzTarget.FileType) Assert.Equal(0, s.Accepted);
        else Assert.InRange(s.Accepted, 1, s.Cases - 1);
    }

    [Fact]
    public void A_header_that_lies_about_its_size_is_refused_before_allocating()
    {
        using var dir = new TempDir();
        // dims 32767×32767×20×1 float32 is 86 GB on a 1 kB file: refused at open, with no large buffer.
        var bytes = new byte[352 + 64];
        var h = new NiSharp.Nifti.NiftiHeader { Dim = [3, 32767, 32767, 20, 1, 1, 1, 1] }.Encode(1, false);
        h.CopyTo(bytes, 0);
        var c = new FuzzCase(FuzzTarget.Nifti, ".nii", bytes, "handmade", 1);
        var o = FuzzHarness.Run(c, dir.Path);
        Assert.False(o.Accepted);
        Assert.Null(o.Failure);
        Assert.True(o.AllocatedBytes < 1 << 20, $"{o.AllocatedBytes} bytes allocated");
    }
}
