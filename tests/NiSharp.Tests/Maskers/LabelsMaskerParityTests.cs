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
/// <see cref="LabelsMasker"/> against every <c>labels_masker_*</c> fixture of nilearn 0.10.4 and 0.14.0 and the
/// end-to-end scrubbing case, each with the options that reproduce the release. The data are float32, so the signals
/// are float32 as nilearn's: the reductions are compared at 1e-6 relative (float32 rounding of float64 sums), cleaned
/// signals at 1e-5 (the float32 path of signal.clean).
/// </summary>
public class LabelsMaskerParityTests
{
    private const double Float32Tol = 1e-5;

    public static TheoryData<string> Versions => new() { TestPaths.V0_10_4, TestPaths.V0_14 };

    private static LabelsMaskerOptions Options(KeepEmpty keep = KeepEmpty.Drop) => new() { Atlas = MaskerFixtures.Atlas(), KeepEmpty = keep };

    // The release's numerics and extrapolate default (see CleanParityTests.Release).
    private static LabelsMaskerOptions Release(string version, LabelsMaskerOptions o) => version == TestPaths.V0_10_4
        ? o with { Clean = o.Clean with { Semantics = NilearnSemantics.V0_10_4, Extrapolate = true } }
        : o with { Clean = o.Clean with { Semantics = NilearnSemantics.V0_14, Extrapolate = false } };

    private static LabelsMaskerOptions BandPass(string version, StandardizeMethod standardize) => Release(version, Options() with
    {
        Clean = MaskerOptions.DefaultCleaning with { Standardize = standardize, Detrend = true, LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 },
    });

    private static MaskerInputs Confounds(string version, IReadOnlyList<int>? sampleMask = null) =>
        new() { Confounds = SignalFixtures.ConfoundsOf(version), SampleMask = sampleMask };

    private static void AssertMatches(NpyArray expected, RegionSignals got, double rtol, double atol, string what)
    {
        Assert.Equal(expected.Rows, got.Timepoints);
        Assert.Equal(expected.Cols, got.Values.Features);
        Assert.Equal("float32", got.DataType);
        Approx.Equal(expected.Data, got.Values.Data, rtol, atol, what);
    }

    // labels_: the extracted labels in 0.10.4, the background and then those since 0.12.
    private static void AssertLabels(string version, string fixture, RegionSignals got)
    {
        var expected = MaskerFixtures.Nilearn(version, fixture).Data.Select(v => (int)v).ToArray();
        Assert.Equal(expected, version == TestPaths.V0_10_4 ? got.ExtractedLabels : got.LabelsWithBackground);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    [NilearnCase("labels_masker_raw_mean")]
    public void Raw_mean_matches_nilearn(string version)
    {
        var got = new LabelsMasker(Options()).FitTransform(MaskerFixtures.Func);
        AssertMatches(MaskerFixtures.Nilearn(version, "out_masker_raw.npy"), got, 1e-6, 0, "raw mean");
        AssertLabels(version, "out_masker_raw_labels.npy", got);
        Assert.Equal(["region01", "region02", "region03", "region04", "region05", "region06", "region07"], got.ColumnNames);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    [NilearnCase("labels_masker_median_strategy")]
    public void Median_strategy_matches_nilearn(string version)
    {
        var got = new LabelsMasker(Options() with { Strategy = ReductionStrategy.Median }).FitTransform(MaskerFixtures.Func);
        AssertMatches(MaskerFixtures.Nilearn(version, "out_masker_median.npy"), got, 1e-6, 0, "median");
        AssertLabels(version, "out_masker_median_labels.npy", got);
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

    [Theory]
    [MemberData(nameof(Versions))]
    [NilearnCase("labels_masker_std_detrend_bandpass_confounds")]
    public void Standardize_detrend_bandpass_confounds_matches_nilearn(string version)
    {
        // standardize=True: 'zscore' (population std) in 0.10.4, 'zscore_sample' in 0.14
        var standardize = version == TestPaths.V0_10_4 ? StandardizeMethod.ZScore : StandardizeMethod.ZScoreSample;
        var got = new LabelsMasker(BandPass(version, standardize)).FitTransform(MaskerFixtures.Func, Confounds(version));
        AssertMatches(MaskerFixtures.Nilearn(version, "out_masker_main.npy"), got, Float32Tol, Float32Tol, "main");
        AssertLabels(version, "out_masker_main_labels.npy", got);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    [NilearnCase("labels_masker_zscore_sample_confounds_samplemask")]
    public void Zscore_sample_with_sample_mask_matches_nilearn_with_its_index_mask_interpolation(string version)
    {
        var mask = SignalFixtures.SampleMask;
        var options = BandPass(version, StandardizeMethod.ZScoreSample);
        var nilearns = new LabelsMasker(options with { Clean = options.Clean with { CensoredInterpolation = CensoredInterpolation.NilearnIndexMask } })
            .FitTransform(MaskerFixtures.Func, Confounds(version, mask));
        var expected = MaskerFixtures.Nilearn(version, "out_masker_zs_sm.npy");
        AssertMatches(expected, nilearns, Float32Tol, Float32Tol, "zs_sm");
        AssertLabels(version, "out_masker_zs_sm_labels.npy", nilearns);
        Assert.Equal(mask, nilearns.KeptVolumes);
        Assert.Equal(Enumerable.Range(0, 120).Except(mask), nilearns.CensoredVolumes);

        // By default every censored volume is interpolated: the masker is then exactly the reduction followed by
        // SignalCleaner.Clean (the intended behaviour, tested against references in the Signal tests), and differs from
        // nilearn's output there.
        var intended = new LabelsMasker(options).FitTransform(MaskerFixtures.Func, Confounds(version, mask));
        var raw = new LabelsMasker(Options()).FitTransform(MaskerFixtures.Func);
        var composed = SignalCleaner.Clean(raw.Values.As<float>(), options.Clean, SignalFixtures.ConfoundsOf(version), mask);
        Assert.Equal(composed.As<double>().Data, intended.Values.Data);
        Assert.True(SignalFixtures.MaxAbsDiff(expected.Data, intended.Values.Data) > 0.1);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    [NilearnCase("labels_masker_mask_removes_label7")]
    public void Label_removed_by_the_mask_is_a_zero_column_in_nilearn_0_10_and_left_out_since_0_13(string version)
    {
        var mask = Masking.LoadMask(TestPaths.Nilearn("in_mask_no_label7.nii.gz"));
        var options = BandPass(version, StandardizeMethod.ZScoreSample) with { MaskImg = mask, MaskSource = "in_mask_no_label7.nii.gz" };
        var expected = MaskerFixtures.Nilearn(version, "out_masker_mask_no7.npy");

        // zero: nilearn 0.10.4's keep_masked_labels=True; drop: its default since 0.13 (False)
        var zero = new LabelsMasker(options with { KeepEmpty = KeepEmpty.Zero }).FitTransform(MaskerFixtures.Func, Confounds(version));
        var drop = new LabelsMasker(options with { KeepEmpty = KeepEmpty.Drop }).FitTransform(MaskerFixtures.Func, Confounds(version));
        Assert.Equal(RegionStatus.OutsideMask, zero.Coverage.Single(c => c.Id == 7).Status);
        Assert.Equal([1, 2, 3, 4, 5, 6], drop.LabelIds);
        var nilearns = version == TestPaths.V0_10_4 ? zero : drop;
        AssertMatches(expected, nilearns, Float32Tol, Float32Tol, "mask_no7");
        if (version == TestPaths.V0_10_4) Assert.Equal(MaskerFixtures.Nilearn(version, "out_masker_mask_no7_labels.npy").Data.Select(v => (int)v), zero.LabelIds);
        else AssertLabels(version, "out_masker_mask_no7_labels.npy", drop);
        // the six columns the releases share are the same
        for (int c = 0; c < 6; c++)
            Approx.Equal(MaskerFixtures.Column(zero.Values.Data, 7, c), MaskerFixtures.Column(drop.Values.Data, 6, c), 0, 0, $"col {c}");

        // NiSharp's default: label 7 kept as an n/a column at its place
        var nan = new LabelsMasker(options with { KeepEmpty = new LabelsMaskerOptions { Atlas = options.Atlas }.KeepEmpty }).FitTransform(MaskerFixtures.Func, Confounds(version));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], nan.LabelIds);
        Assert.All(MaskerFixtures.Column(nan.Values.Data, 7, 6), v => Assert.True(double.IsNaN(v)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    [NilearnCase("e2e_scrubbing_strategy_to_masker")]
    public void End_to_end_scrubbing_strategy_to_masker_matches_nilearn_with_its_index_mask_interpolation(string version)
    {
        // load_confounds_strategy('scrubbing', fd_threshold=0.5, std_dvars_threshold=1.5): NiSharp's preset
        var selection = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(version), ConfoundPresets.Scrubbing);
        var options = BandPass(version, StandardizeMethod.ZScoreSample);
        var got = new LabelsMasker(options with { Clean = options.Clean with { CensoredInterpolation = CensoredInterpolation.NilearnIndexMask } }).FitTransform(MaskerFixtures.Func, selection);
        var expected = MaskerFixtures.Nilearn(version, "out_e2e_scrubbing_timeseries.npy");
        AssertMatches(expected, got, Float32Tol, Float32Tol, "e2e");
        Assert.Equal(MaskerFixtures.Nilearn(version, "out_e2e_scrubbing_sample_mask.npy").Data.Select(v => (int)v), got.KeptVolumes);

        // NiSharp's default interpolates every censored volume. nilearn 0.14 leaves volumes 0-2, 40, 79 and 117-119 raw
        // through the filter (their mirrors are censored too) and, its censored volume 3 dropped as out of bounds, takes
        // the rows at kept − 4 of the 119 left: volumes 0, 1, 2, 4, … — the non-steady-state ones among them.
        var ours = new LabelsMasker(options).FitTransform(MaskerFixtures.Func, selection);
        Assert.Equal(got.KeptVolumes, ours.KeptVolumes);
        Assert.True(SignalFixtures.MaxAbsDiff(expected.Data, ours.Values.Data) > 1);
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4, "out_masker_raw_resampled_labels.nii.gz")]
    [InlineData(TestPaths.V0_10_4, "out_masker_main_resampled_labels.nii.gz")]
    [InlineData(TestPaths.V0_10_4, "out_masker_median_resampled_labels.nii.gz")]
    [InlineData(TestPaths.V0_10_4, "out_masker_zs_sm_resampled_labels.nii.gz")]
    [InlineData(TestPaths.V0_14, "out_masker_raw_resampled_labels.nii.gz")]
    [InlineData(TestPaths.V0_14, "out_masker_main_resampled_labels.nii.gz")]
    [InlineData(TestPaths.V0_14, "out_masker_median_resampled_labels.nii.gz")]
    [InlineData(TestPaths.V0_14, "out_masker_zs_sm_resampled_labels.nii.gz")]
    public void Labels_on_the_data_grid_are_nilearns_resampled_labels(string version, string fixture)
    {
        var fit = new LabelsMasker(Options()).Fit(Grid.Of(MaskerFixtures.Func));
        Assert.Equal(Image.Load<int>(TestPaths.Nilearn(version, fixture)).Data, fit.ResampledLabels.Data);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], fit.ExtractedLabels);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], fit.LabelsWithBackground);
        Assert.Equal(0, fit.BackgroundLabel);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Labels_masked_out_are_not_on_nilearns_resampled_labels(string version)
    {
        // out_masker_mask_no7_resampled_labels: nilearn's labels_img_ is the atlas on the data grid, before the mask
        var mask = Masking.LoadMask(TestPaths.Nilearn("in_mask_no_label7.nii.gz"));
        var fit = new LabelsMasker(Options() with { MaskImg = mask }).Fit(Grid.Of(MaskerFixtures.Func));
        Assert.Equal(Image.Load<int>(TestPaths.Nilearn(version, "out_masker_mask_no7_resampled_labels.nii.gz")).Data, fit.ResampledLabels.Data);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], fit.LabelsWithBackground);
    }
}
