using NiSharp.Bids;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

/// <summary>
/// A repetition time outside 1 ms – 1000 s is a mistake (milliseconds read as seconds, a damaged header) wherever it
/// comes from — a sidecar, the header, an explicit <c>t_r</c> — and is named where it is found, with its source, before
/// it can reach a filter (where 1e-300 s passes nothing and shows up as regions of zero variance).
/// </summary>
public class RepetitionTimeRuleTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A small 4D image whose header gives <paramref name="pixdim4"/> seconds between volumes.</summary>
    private string Bold(double pixdim4)
    {
        var path = _dir.File($"bold-{Guid.NewGuid():N}.nii.gz");
        var data = new float[2 * 2 * 2 * 6];
        for (int i = 0; i < data.Length; i++) data[i] = i % 7;
        new Image<float>([2, 2, 2, 6], Affine.Diagonal(2, 2, 2), data, new NiftiHeader { Pixdim = [1, 2, 2, 2, pixdim4, 1, 1, 1], XyztUnits = 2 | 8 }).Save(path);
        return path;
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(2.0)]
    [InlineData(100.0)]
    public void A_plausible_header_value_is_the_repetition_time(double seconds)
    {
        var t = ResolvedRepetitionTime.Resolve(Bold(seconds));
        Assert.Equal((double)(float)seconds, t.Seconds);
        Assert.Equal(ResolvedRepetitionTime.HeaderSource, t.Source);
    }

    [Fact]
    public void A_header_value_below_a_millisecond_fails_naming_the_image_and_the_header()
    {
        var bold = Bold(0.0009765625); // 2^-10 s: exact in float32
        var e = Assert.Throws<NiSharpException>(() => ResolvedRepetitionTime.Resolve(bold));
        Assert.Equal($"{bold}: RepetitionTime is 0.0009765625; a repetition time is between 0.001 and 1000 seconds (is it in the wrong unit?) (NIfTI header pixdim[4])", e.Message);
    }

    [Fact]
    public void A_sidecar_value_fails_naming_the_sidecar_before_the_header_is_read()
    {
        var bold = Bold(2);
        var sidecar = BidsMetadata.SidecarPath(bold);
        File.WriteAllText(sidecar, "{\"RepetitionTime\": 2000}");
        var e = Assert.Throws<NiSharpException>(() => ResolvedRepetitionTime.Resolve(bold));
        Assert.Equal($"{sidecar}: RepetitionTime is 2000; a repetition time is between 0.001 and 1000 seconds (is it in the wrong unit?)", e.Message);
    }

    [Fact]
    public void Require_names_the_source_of_an_explicit_value()
    {
        var e = Assert.Throws<NiSharpException>(() => ResolvedRepetitionTime.Explicit(1e-300, "--t-r").Require("bold.nii.gz"));
        Assert.Equal("bold.nii.gz: RepetitionTime is 1E-300; a repetition time is between 0.001 and 1000 seconds (is it in the wrong unit?) (--t-r)", e.Message);
        Assert.Equal(2.0, ResolvedRepetitionTime.Explicit(2.0).Require("bold.nii.gz"));
    }

    [Theory]
    [InlineData(1e-300)]
    [InlineData(5000.0)]
    public void Cleaning_refuses_an_implausible_t_r(double t_r)
    {
        var e = Assert.Throws<NiSharpException>(() => new CleanOptions { RepetitionTime = t_r, LowPass = 0.08 }.Validate());
        Assert.Equal($"t_r must be between 0.001 and 1000 seconds (is it in the wrong unit?), got {t_r.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", e.Message);
    }

    [Fact]
    public void Extract_with_an_implausible_header_fails_in_one_line_before_filtering()
    {
        var bold = Bold(0.0009765625);
        var atlas = _dir.File("atlas.nii.gz");
        new Image<int>([2, 2, 2], Affine.Diagonal(2, 2, 2), [1, 1, 1, 1, 2, 2, 2, 2]).Save(atlas);
        var r = CliRunner.Run("extract", bold, "--atlas", atlas, "--low-pass", "0.08", "-o", _dir.File("ts.tsv"));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"nisharp: error: {bold}: RepetitionTime is 0.0009765625; a repetition time is between 0.001 and 1000 seconds (is it in the wrong unit?) (NIfTI header pixdim[4])\n", r.Stderr);
    }
}
