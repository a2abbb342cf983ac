using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Confounds;
using NiSharp.Tests.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Maskers;

/// <summary>
/// <see cref="LabelsMasker"/> against every <c>labels_masker_*</c> nilearn 0.10.4 fixture and the end-to-end scrubbing
/// case. The data are float32, so the signals are float32 as nilearn's: the reductions are compared at 1e-6
/// relative (float32 rounding of float64 sums), cleaned signals at 1e-5 (the float32 path of signal.clean).
/// </summary>
public class LabelsMaskerParityTests
{
    private const double Float32Tol = 1e-5;

    private static LabelsMaskerOptions Options(KeepEmpty keep = KeepEmpty.Drop) => new() { Atlas = MaskerFixtures.Atlas(), KeepEmpty = keep };

    private static LabelsMaskerOptions BandPass(StandardizeMethod standardize) => Options() with
    {
        Standardize = standardize, Detrend = true, LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2,
    };

    private static MaskerInputs Confounds(IReadOnlyList<int>? sampleMask = null) =>
        new() { Confounds = SignalFixtures.Confounds, SampleMask = sampleMask };

    private static void AssertMatches(NpyArray expected, RegionSignals got, double rtol, double atol, string what)
    {
        Assert.Equal(expected.Rows, got.Timepoints);
        Assert.Equal(expected.Cols, got.Values.Features);
        Assert.Equal("float32", got.DataType);
        Approx.Equal(expected.Data, got.Values.Data, rtol, atol, what);
    }

    private static void AssertLabels(string fixture, RegionSignals got) =>
        Assert.Equal(MaskerFixtures.Nilearn(fixture).Data.Select(v => (int)v), got.LabelIds);

    [Fact]
    public void Raw_mean_matches_nilearn()
    {
        var got = new LabelsMasker(Options()).FitTransform(MaskerFixtures.Func);
        AssertMatches(MaskerFixtures.Nilearn("out_masker_raw.npy"), got, 1e-6, 0, "raw mean");
        AssertLabels("out_masker_raw_labels.npy", got);
        Assert.Equal(["region01", "region02", "region03", "region04", "region05", "region06", "region07"], got.ColumnNames);
    }

    [Fact]
    public void Median_strategy_matches_nilearn()
    {
        var got = new LabelsMasker(Options() with { Strategy = ReductionStrategy.Median }).FitTransform(MaskerFixtures.Func);
        AssertMatches(MaskerFixtures.Nilearn("out_masker_median.npy"), got, 1e-6, 0, "median");
        AssertLabels("out_masker_median_labels.npy", got);
    }

    [Theory]
    [InlineData(ReductionStrategy.Sum, "sum")]
    [InlineData(ReductionStrategy.Minimum, "minimum")]
    [InlineData(ReductionStrategy.Maximum, "maximum")]
    [InlineData(ReductionStrategy.Variance, "variance")]
    [InlineData(ReductionStrategy.StandardDeviation, "standard_deviation")]
    public void Other_strategies_match_scipy_ndimage(ReductionStrategy strategy, string name)
    {
        var got = new LabelsMasker(Options() with { Strategy = strategy }).FitTransform(MaskerFixtures.Func);
        AssertMatches(MaskerFixtures.Reference($"ref_ndimage_{name}.npy"), got, 1e-6, 0, name);
    }

    [Fact]
    public void Standardize_detrend_bandpass_confounds_matches_nilearn()
    {
        // nilearn 0.10.4's standardize=True is 'zscore' (population std)
        var got = new LabelsMasker(BandPass(StandardizeMethod.ZScore)).FitTransform(MaskerFixtures.Func, Confounds());
        AssertMatches(MaskerFixtures.Nilearn("out_masker_main.npy"), got, Float32Tol, Float32Tol, "main");
        AssertLabels("out_masker_main_labels.npy", got);
    }

    [Fact]
    public void Zscore_sample_with_sample_mask_matches_nilearn_with_its_index_mask_quirk()
    {
        var mask = SignalFixtures.SampleMask;
        var options = BandPass(StandardizeMethod.ZScoreSample);
        var quirk = new LabelsMasker(options with { ReproduceNilearnIndexMaskQuirk = true }).FitTransform(MaskerFixtures.Func, Confounds(mask));
        AssertMatches(MaskerFixtures.Nilearn("out_masker_zs_sm.npy"), quirk, Float32Tol, Float32Tol, "zs_sm");
        AssertLabels("out_masker_zs_sm_labels.npy", quirk);
        Assert.Equal(mask, quirk.KeptVolumes);
        Assert.Equal(Enumerable.Range(0, 120).Except(mask), quirk.CensoredVolumes);

        // Without the quirk every censored volume is interpolated: the masker is then exactly the reduction followed by
        // SignalCleaner.Clean (the intended behaviour, tested against references in the Signal tests).
        var intended = new LabelsMasker(options).FitTransform(MaskerFixtures.Func, Confounds(mask));
        var raw = new LabelsMasker(Options()).FitTransform(MaskerFixtures.Func);
        var composed = SignalCleaner.Clean(raw.Values.As<float>(), options.ToCleanOptions(), SignalFixtures.Confounds, mask);
        Assert.Equal(composed.As<double>().Data, intended.Values.Data);
    }

    [Fact]
    public void Label_removed_by_the_mask_is_a_zero_column_in_nilearn_and_ours_with_keep_empty_zero()
    {
        var mask = Masking.LoadMask(TestPaths.Nilearn("in_mask_no_label7.nii.gz"));
        var options = BandPass(StandardizeMethod.ZScoreSample) with { MaskImg = mask, MaskSource = "in_mask_no_label7.nii.gz" };
        var expected = MaskerFixtures.Nilearn("out_masker_mask_no7.npy");

        var zero = new LabelsMasker(options with { KeepEmpty = KeepEmpty.Zero }).FitTransform(MaskerFixtures.Func, Confounds());
        AssertMatches(expected, zero, Float32Tol, Float32Tol, "mask_no7 zero");
        AssertLabels("out_masker_mask_no7_labels.npy", zero);
        Assert.Equal(RegionStatus.OutsideMask, zero.Coverage.Single(c => c.Id == 7).Status);

        // drop: nilearn ≥ 0.13 (keep_masked_labels=False) — the same six columns, label 7 gone
        var drop = new LabelsMasker(options with { KeepEmpty = KeepEmpty.Drop }).FitTransform(MaskerFixtures.Func, Confounds());
        Assert.Equal([1, 2, 3, 4, 5, 6], drop.LabelIds);
        for (int c = 0; c < 6; c++)
            Approx.Equal(MaskerFixtures.Column(expected.Data, 7, c), MaskerFixtures.Column(drop.Values.Data, 6, c), Float32Tol, Float32Tol, $"drop col {c}");

        // default: label 7 kept as an n/a column at its place
        var nan = new LabelsMasker(options with { KeepEmpty = new LabelsMaskerOptions { Atlas = options.Atlas }.KeepEmpty }).FitTransform(MaskerFixtures.Func, Confounds());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], nan.LabelIds);
        Assert.All(MaskerFixtures.Column(nan.Values.Data, 7, 6), v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void End_to_end_scrubbing_strategy_to_masker_matches_nilearn()
    {
        var selection = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(), ConfoundPresets.Scrubbing);
        var options = BandPass(StandardizeMethod.ZScoreSample) with { ReproduceNilearnIndexMaskQuirk = true };
        var got = new LabelsMasker(options).FitTransform(MaskerFixtures.Func, selection);
        AssertMatches(MaskerFixtures.Nilearn("out_e2e_scrubbing_timeseries.npy"), got, Float32Tol, Float32Tol, "e2e");
        Assert.Equal(MaskerFixtures.Nilearn("out_e2e_scrubbing_sample_mask.npy").Data.Select(v => (int)v), got.KeptVolumes);
    }

    [Theory]
    [InlineData("out_masker_raw_resampled_labels.nii.gz")]
    [InlineData("out_masker_main_resampled_labels.nii.gz")]
    public void Labels_on_the_data_grid_are_nilearns_resampled_labels(string fixture)
    {
        var fit = new LabelsMasker(Options()).Fit(Grid.Of(MaskerFixtures.Func));
        Assert.Equal(Image.Load<int>(TestPaths.Nilearn(fixture)).Data, fit.ResampledLabels.Data);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], fit.ExtractedLabels);
    }
}
