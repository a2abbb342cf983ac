using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary>
/// <c>signal.clean</c> against nilearn 0.10.4's outputs. Tolerances: paths without a Butterworth filter
/// are the same float64 algorithm and match to 1e-10 (in fact to the last bit). Paths with the order-10
/// transfer-function ('ba') band-pass match to 5e-8 absolute on values of order 1: that filter form is
/// ill-conditioned — scipy's own lfilter_zi solve differs from any other LU in the 9th digit, and nilearn's
/// output moves by 5e-9 when its input moves by 1e-15 relative — so 1e-10 is out of reach for any
/// re-implementation. float32 paths: 1e-5.
/// </summary>
public class CleanParityTests
{
    private const double ButterworthAtol = 5e-8;
    private static readonly CleanOptions BandPass = new() { LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 };

    public static TheoryData<string> NoFilterCases => new()
    {
        "clean_defaults", "clean_detrend_zscore_sample", "clean_no_detrend_no_std", "clean_psc",
        "clean_confounds_nofilter", "clean_confounds_samplemask_nofilter", "clean_cosine_confounds_samplemask",
    };

    public static TheoryData<string> ButterworthCases => new()
    {
        "clean_bandpass_zscore_sample", "clean_lowpass_only", "clean_highpass_only",
        "clean_bandpass_confounds_zscore_sample", "clean_bandpass_confounds_default_std", "clean_bandpass_confounds_no_std_confounds",
    };

    // The manifest's parameters for each case, with nilearn 0.10.4's defaults made explicit.
    private static (CleanOptions Options, bool Confounds, bool SampleMask) Case(string name) => name switch
    {
        "clean_defaults" => (new CleanOptions { Standardize = StandardizeMethod.ZScore }, false, false),
        "clean_detrend_zscore_sample" => (new CleanOptions(), false, false),
        "clean_no_detrend_no_std" => (new CleanOptions { Detrend = false, Standardize = StandardizeMethod.None }, false, false),
        "clean_psc" => (new CleanOptions { Standardize = StandardizeMethod.Psc }, false, false),
        "clean_bandpass_zscore_sample" => (BandPass, false, false),
        "clean_lowpass_only" => (BandPass with { HighPass = null }, false, false),
        "clean_highpass_only" => (BandPass with { LowPass = null }, false, false),
        "clean_bandpass_confounds_zscore_sample" => (BandPass, true, false),
        "clean_bandpass_confounds_default_std" => (BandPass with { Standardize = StandardizeMethod.ZScore }, true, false),
        "clean_bandpass_confounds_no_std_confounds" => (BandPass with { StandardizeConfounds = false }, true, false),
        "clean_confounds_nofilter" => (new CleanOptions(), true, false),
        "clean_confounds_samplemask_nofilter" => (new CleanOptions(), true, true),
        "clean_cosine_confounds_samplemask" => (new CleanOptions { Filter = SignalFilter.Cosine, HighPass = 0.009, RepetitionTime = 2 }, true, true),
        _ => throw new ArgumentException(name),
    };

    private static SignalMatrix<double> Run(string name, ICollection<string>? warnings = null)
    {
        var (o, conf, mask) = Case(name);
        return SignalCleaner.Clean(SignalFixtures.Signals, o, conf ? SignalFixtures.Confounds : null, mask ? SignalFixtures.SampleMask : null, warnings: warnings);
    }

    [Theory]
    [MemberData(nameof(NoFilterCases))]
    public void Clean_without_Butterworth_matches_nilearn_to_1e10(string name)
    {
        var expected = SignalFixtures.Matrix($"out_{name}.npy");
        var got = Run(name);
        Assert.Equal(expected.Timepoints, got.Timepoints);
        Approx.Equal(expected.Data, got.Data, rtol: 1e-10, atol: 1e-12, what: name);
    }

    [Theory]
    [MemberData(nameof(ButterworthCases))]
    public void Clean_with_Butterworth_matches_nilearn(string name)
    {
        var expected = SignalFixtures.Matrix($"out_{name}.npy");
        var got = Run(name);
        Approx.Equal(expected.Data, got.Data, rtol: 0, atol: ButterworthAtol, what: name);
    }

    [Fact]
    public void Float32_signals_stay_float32_and_match_nilearn_to_1e5()
    {
        var expected = SignalFixtures.Matrix("out_clean_bandpass_confounds_float32.npy");
        SignalMatrix<float> got = SignalCleaner.Clean(SignalFixtures.Signals.As<float>(), BandPass, SignalFixtures.Confounds);
        Approx.Equal(expected.Data, got.As<double>().Data, rtol: 1e-5, atol: 1e-5, what: "float32");
    }

    [Fact]
    public void Sample_mask_with_Butterworth_differs_from_nilearn_only_by_the_index_mask_quirk()
    {
        // Reproducing nilearn's mirror-index interpolation gives nilearn's output...
        var quirk = SignalCleaner.Clean(SignalFixtures.Signals, BandPass with { ReproduceNilearnIndexMaskQuirk = true },
            SignalFixtures.Confounds, SignalFixtures.SampleMask);
        var nilearn = SignalFixtures.Matrix("out_clean_bandpass_confounds_samplemask_extrapolate.npy");
        Approx.Equal(nilearn.Data, quirk.Data, rtol: 0, atol: ButterworthAtol, what: "quirk");
        // ...while the default interpolates every censored volume, as the reference built with a boolean mask.
        var intended = SignalCleaner.Clean(SignalFixtures.Signals, BandPass, SignalFixtures.Confounds, SignalFixtures.SampleMask);
        var reference = SignalFixtures.Reference("ref_clean_bandpass_confounds_samplemask_extrapolate.npy");
        Approx.Equal(reference.Data, intended.Data, rtol: 0, atol: ButterworthAtol, what: "intended");
        Assert.True(SignalFixtures.MaxAbsDiff(nilearn.Data, intended.Data) > 0.1);
    }

    [Fact]
    public void Sample_mask_without_extrapolation_drops_the_censored_ends_before_filtering()
    {
        var mask = SignalFixtures.SampleMask;
        var before = mask.ToArray();
        var got = SignalCleaner.Clean(SignalFixtures.Signals, BandPass with { Extrapolate = false }, SignalFixtures.Confounds, mask);
        var reference = SignalFixtures.Reference("ref_clean_bandpass_confounds_samplemask_noextrapolate.npy");
        Approx.Equal(reference.Data, got.Data, rtol: 0, atol: ButterworthAtol, what: "noextrapolate");
        Assert.Equal(before, mask); // nilearn shifts the caller's array in place; we never touch it
    }

    [Fact]
    public void Cosine_filter_adds_drift_terms_unless_the_confounds_already_hold_them()
    {
        var o = new CleanOptions { Filter = SignalFilter.Cosine, HighPass = 0.009, RepetitionTime = 2 };
        var alone = SignalCleaner.Clean(SignalFixtures.Signals, o, null, SignalFixtures.SampleMask);
        Approx.Equal(SignalFixtures.Reference("ref_clean_cosine_samplemask.npy").Data, alone.Data, 1e-10, 1e-12, "drift only");

        var c = SignalFixtures.Confounds;
        var derivs = SignalMatrix<double>.FromColumns([c.Column(1), c.Column(3), c.Column(7)]); // trans_x/y, rot_x derivatives
        var added = SignalCleaner.Clean(SignalFixtures.Signals, o, derivs);
        Approx.Equal(SignalFixtures.Reference("ref_clean_cosine_motion_derivatives.npy").Data, added.Data, 1e-10, 1e-12, "drift appended");

        var warnings = new List<string>();
        Run("clean_cosine_confounds_samplemask", warnings);
        Assert.Contains(warnings, w => w.Contains("cosine drift terms already exist"));
    }

    [Fact]
    public void Runs_are_cleaned_independently()
    {
        var runs = Enumerable.Range(0, 120).Select(t => t < 60 ? 0 : 1).ToArray();
        var got = SignalCleaner.Clean(SignalFixtures.Signals, BandPass, SignalFixtures.Confounds, runs: runs);
        Approx.Equal(SignalFixtures.Reference("ref_clean_two_runs.npy").Data, got.Data, 0, ButterworthAtol, "runs");
    }

    [Fact]
    public void Runs_take_their_share_of_a_global_sample_mask_and_stack_in_label_order()
    {
        // Run labels out of order: run 7 is the first half of the rows, run 3 the second half.
        var runs = Enumerable.Range(0, 120).Select(t => t < 60 ? 7 : 3).ToArray();
        var mask = SignalFixtures.SampleMask;
        var o = new CleanOptions();
        var got = SignalCleaner.Clean(SignalFixtures.Signals, o, null, mask, runs);
        var first = SignalFixtures.Signals.SliceRows(60, 60);
        var second = SignalFixtures.Signals.SliceRows(0, 60);
        var a = SignalCleaner.Clean(first, o, null, mask.Where(k => k >= 60).Select(k => k - 60).ToArray());
        var b = SignalCleaner.Clean(second, o, null, mask.Where(k => k < 60).ToArray());
        Assert.Equal(mask.Length, got.Timepoints);
        Assert.Equal(a.Data.Concat(b.Data), got.Data);
    }
}
