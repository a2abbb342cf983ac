using System.Text.Json;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary>
/// <c>signal.clean</c> against nilearn 0.10.4's and 0.14.0's outputs, each with the options that reproduce that
/// release (<see cref="CleanOptions.Semantics"/>, and its defaults made explicit). Tolerances: float64 paths match to
/// 1e-10 relative (the same algorithm: nilearn 0.14's second-order sections included). nilearn 0.10.4's Butterworth
/// paths match to 5e-8 absolute on values of order 1: its order-10 transfer-function ('ba') band-pass is
/// ill-conditioned — scipy's own lfilter_zi solve differs from any other LU in the 9th digit, and nilearn's output
/// moves by 5e-9 when its input moves by 1e-15 relative — so 1e-10 is out of reach for any re-implementation.
/// float32 paths: 1e-5.
/// </summary>
public class CleanParityTests
{
    private const double Rtol = 1e-10, Atol = 1e-12;
    private const double BaButterworthAtol = 5e-8;
    private static readonly CleanOptions BandPass = new() { LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 };

    /// <summary>The options that reproduce nilearn <paramref name="version"/> where releases differ without a parameter,
    /// with the release's own <c>extrapolate</c> default.</summary>
    internal static CleanOptions Release(string version, CleanOptions o) => version == TestPaths.V0_10_4
        ? o with { Semantics = NilearnSemantics.V0_10_4, Extrapolate = true }
        : o with { Semantics = NilearnSemantics.V0_14, Extrapolate = false };

    public static TheoryData<string, string> Cases() => TestPaths.ForBothReleases(
        "clean_defaults", "clean_detrend_zscore_sample", "clean_no_detrend_no_std", "clean_psc", "clean_confounds_nofilter",
        "clean_confounds_samplemask_nofilter", "clean_cosine_confounds_samplemask", "clean_bandpass_zscore_sample",
        "clean_lowpass_only", "clean_highpass_only", "clean_bandpass_confounds_zscore_sample",
        "clean_bandpass_confounds_default_std", "clean_bandpass_confounds_no_std_confounds");

    // The manifest's parameters for each case, on top of the release's defaults. Only the default of standardize
    // changed between the releases: 0.10.4's is 'zscore' (population std), 0.14's 'zscore_sample'.
    private static (CleanOptions Options, bool Confounds, bool SampleMask) Case(string version, string name)
    {
        var byDefault = version == TestPaths.V0_10_4 ? StandardizeMethod.ZScore : StandardizeMethod.ZScoreSample;
        var (o, conf, mask) = name switch
        {
            "clean_defaults" => (new CleanOptions { Standardize = byDefault }, false, false),
            "clean_detrend_zscore_sample" => (new CleanOptions(), false, false),
            "clean_no_detrend_no_std" => (new CleanOptions { Detrend = false, Standardize = StandardizeMethod.None }, false, false),
            "clean_psc" => (new CleanOptions { Standardize = StandardizeMethod.Psc }, false, false),
            "clean_bandpass_zscore_sample" => (BandPass, false, false),
            "clean_lowpass_only" => (BandPass with { HighPass = null }, false, false),
            "clean_highpass_only" => (BandPass with { LowPass = null }, false, false),
            "clean_bandpass_confounds_zscore_sample" => (BandPass, true, false),
            "clean_bandpass_confounds_default_std" => (BandPass with { Standardize = byDefault }, true, false),
            "clean_bandpass_confounds_no_std_confounds" => (BandPass with { StandardizeConfounds = false }, true, false),
            "clean_confounds_nofilter" => (new CleanOptions(), true, false),
            "clean_confounds_samplemask_nofilter" => (new CleanOptions(), true, true),
            "clean_cosine_confounds_samplemask" => (new CleanOptions { Filter = SignalFilter.Cosine, HighPass = 0.009, RepetitionTime = 2 }, true, true),
            _ => throw new ArgumentException(name),
        };
        return (Release(version, o), conf, mask);
    }

    private static SignalMatrix<double> Run(string version, string name, ICollection<string>? warnings = null)
    {
        var (o, conf, mask) = Case(version, name);
        return SignalCleaner.Clean(SignalFixtures.Signals, o, conf ? SignalFixtures.ConfoundsOf(version) : null, mask ? SignalFixtures.SampleMask : null, warnings: warnings);
    }

    private static double Tolerance(string version, CleanOptions o) => o.UsesButterworth && version == TestPaths.V0_10_4 ? BaButterworthAtol : Atol;

    [Theory]
    [MemberData(nameof(Cases))]
    [NilearnCase("clean_defaults", "clean_detrend_zscore_sample", "clean_no_detrend_no_std", "clean_psc", "clean_confounds_nofilter",
        "clean_confounds_samplemask_nofilter", "clean_cosine_confounds_samplemask", "clean_bandpass_zscore_sample", "clean_lowpass_only",
        "clean_highpass_only", "clean_bandpass_confounds_zscore_sample", "clean_bandpass_confounds_default_std",
        "clean_bandpass_confounds_no_std_confounds")]
    public void Clean_matches_nilearn(string version, string name)
    {
        var expected = SignalFixtures.Matrix(version, $"out_{name}.npy");
        var got = Run(version, name);
        Assert.Equal(expected.Timepoints, got.Timepoints);
        var o = Case(version, name).Options;
        Approx.Equal(expected.Data, got.Data, o.UsesButterworth && version == TestPaths.V0_10_4 ? 0 : Rtol, Tolerance(version, o), $"{version} {name}");
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("clean_bandpass_confounds_float32")]
    public void Float32_signals_stay_float32_and_match_nilearn_to_1e5(string version)
    {
        var expected = SignalFixtures.Matrix(version, "out_clean_bandpass_confounds_float32.npy");
        SignalMatrix<float> got = SignalCleaner.Clean(SignalFixtures.Signals.As<float>(), Release(version, BandPass), SignalFixtures.ConfoundsOf(version));
        Approx.Equal(expected.Data, got.As<double>().Data, rtol: 1e-5, atol: 1e-5, what: "float32");
    }

    [Fact]
    public void The_releases_semantics_matter_beyond_rounding_only_in_float32()
    {
        // Each release's float32 output is reproduced only with its own numerics: 0.10.4 adds the mean (≈100) back
        // before the z-score, 0.14 does not, and one float32 rounding at 100 shows through the division by the std.
        var x = SignalFixtures.Signals.As<float>();
        var v14 = SignalCleaner.Clean(x, Release(TestPaths.V0_14, BandPass), SignalFixtures.Confounds).As<double>();
        var v10 = SignalCleaner.Clean(x, Release(TestPaths.V0_10_4, BandPass), SignalFixtures.Confounds).As<double>();
        Assert.InRange(SignalFixtures.MaxAbsDiff(v14.Data, v10.Data), 1e-6, 1e-4);
    }

    public static TheoryData<string, string> SampleMaskButterworthCases() => new()
    {
        { TestPaths.V0_10_4, "clean_bandpass_confounds_samplemask_extrapolate" },
        { TestPaths.V0_10_4, "clean_bandpass_confounds_samplemask_noextrapolate" },
        { TestPaths.V0_14, "clean_bandpass_confounds_samplemask_extrapolate" },
        { TestPaths.V0_14, "clean_bandpass_confounds_samplemask_noextrapolate" },
    };

    // The "extrapolate" case passes no extrapolate (the release's default: 0.10.4 True, 0.14 False); the other False.
    private static CleanOptions SampleMaskCase(string version, string name) =>
        name.EndsWith("_noextrapolate", StringComparison.Ordinal) ? Release(version, BandPass) with { Extrapolate = false } : Release(version, BandPass);

    [Theory]
    [MemberData(nameof(SampleMaskButterworthCases))]
    [NilearnCase("clean_bandpass_confounds_samplemask_extrapolate", "clean_bandpass_confounds_samplemask_noextrapolate")]
    public void Nilearns_censoring_is_reproduced_exactly_with_its_index_mask_interpolation(string version, string name)
    {
        var o = SampleMaskCase(version, name) with { CensoredInterpolation = CensoredInterpolation.NilearnIndexMask };
        var got = SignalCleaner.Clean(SignalFixtures.Signals, o, SignalFixtures.ConfoundsOf(version), SignalFixtures.SampleMask);
        var expected = SignalFixtures.Matrix(version, $"out_{name}.npy");
        Approx.Equal(expected.Data, got.Data, version == TestPaths.V0_10_4 ? 0 : Rtol, Tolerance(version, o), $"{version} {name}");
    }

    [Theory]
    [MemberData(nameof(SampleMaskButterworthCases))]
    public void By_default_every_censored_volume_is_interpolated_which_is_where_nilearn_differs(string version, string name)
    {
        var o = SampleMaskCase(version, name);
        Assert.Equal(CensoredInterpolation.All, o.CensoredInterpolation);
        var got = SignalCleaner.Clean(SignalFixtures.Signals, o, SignalFixtures.ConfoundsOf(version), SignalFixtures.SampleMask);
        // the reference: nilearn's steps with a boolean mask (tests/fixtures/signal/generate.py)
        bool extrapolate = o.Extrapolate;
        var reference = SignalFixtures.Reference($"ref_clean_bandpass_confounds_samplemask_{(extrapolate ? "" : "no")}extrapolate{(version == TestPaths.V0_14 ? "_0.14" : "")}.npy");
        Approx.Equal(reference.Data, got.Data, version == TestPaths.V0_10_4 ? 0 : Rtol, Tolerance(version, o), $"{version} {name} intended");
        // nilearn's output is another: its index-mask assignment leaves volumes 0 and 119 raw through the filter and,
        // without extrapolation, keeps volumes shifted by one from the kept ones.
        Assert.True(SignalFixtures.MaxAbsDiff(SignalFixtures.Matrix(version, $"out_{name}.npy").Data, got.Data) > 0.1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Where_no_censored_volume_mirrors_another_and_none_leads_nilearns_interpolation_is_the_same(bool extrapolate)
    {
        // Censored 40, 41, 46, 47, 80: their mirrors (79, 78, 73, 72, 39) are kept and the ends are kept, so nilearn's
        // index-mask assignment replaces every censored volume and nothing is shifted.
        var keep = Enumerable.Range(0, 120).Except([40, 41, 46, 47, 80]).ToArray();
        var o = BandPass with { Extrapolate = extrapolate };
        var ours = SignalCleaner.Clean(SignalFixtures.Signals, o, SignalFixtures.Confounds, keep);
        var nilearns = SignalCleaner.Clean(SignalFixtures.Signals, o with { CensoredInterpolation = CensoredInterpolation.NilearnIndexMask }, SignalFixtures.Confounds, keep);
        Assert.Equal(ours.Data, nilearns.Data);
    }

    [Fact]
    public void Without_extrapolation_censored_ends_are_left_out_of_the_filtering()
    {
        // Censored volumes before the first and after the last kept one take no part: cleaning the run cut to the kept
        // span gives the same numbers.
        var keep = SignalFixtures.SampleMask; // 2..118, interior 40, 41, 46, 47, 80 censored
        var got = SignalCleaner.Clean(SignalFixtures.Signals, BandPass, SignalFixtures.Confounds, keep);
        int first = keep[0], span = keep[^1] - first + 1;
        var cut = SignalCleaner.Clean(SignalFixtures.Signals.SliceRows(first, span), BandPass, SignalFixtures.Confounds.SliceRows(first, span),
            keep.Select(k => k - first).ToArray());
        Assert.Equal(cut.Data, got.Data);
        // with extrapolation they are filled from the spline and filtered with the rest (reference: generate.py)
        var extrapolated = SignalCleaner.Clean(SignalFixtures.Signals, BandPass with { Extrapolate = true }, SignalFixtures.Confounds, keep);
        Approx.Equal(SignalFixtures.Reference("ref_clean_bandpass_confounds_samplemask_extrapolate_0.14.npy").Data, extrapolated.Data, Rtol, Atol, "extrapolate");
        Assert.True(SignalFixtures.MaxAbsDiff(extrapolated.Data, got.Data) > 1e-3);
    }

    [Fact]
    public void Psc_adds_the_mean_back_only_when_cleaning_removed_it_as_nilearn_014_does()
    {
        var x = SignalFixtures.Signals;
        var lowPass = BandPass with { HighPass = null, Detrend = false };
        var filtered = SignalCleaner.Clean(x, lowPass with { Standardize = StandardizeMethod.None });
        // A low-pass filter keeps the mean: 0.14 takes the percent change of the filtered signal as it is...
        var expected = filtered.Clone();
        for (int j = 0; j < x.Features; j++)
        {
            var column = expected.Column(j);
            Standardization.Standardize(column, StandardizeMethod.Psc);
            for (int t = 0; t < column.Length; t++) expected[t, j] = column[t];
        }
        var v14 = SignalCleaner.Clean(x, lowPass with { Standardize = StandardizeMethod.Psc });
        Approx.Equal(expected.Data, v14.Data, Rtol, Atol, "0.14 psc after a low-pass");
        // ...while 0.10.4 adds the mean once more, which halves the values
        var v10 = SignalCleaner.Clean(x, lowPass with { Standardize = StandardizeMethod.Psc, Semantics = NilearnSemantics.V0_10_4 });
        Approx.Equal(v14.Data.Select(v => v / 2).ToArray(), v10.Data, 0.05, 0.05, "0.10.4 psc after a low-pass");
        // after detrending both add it back (clean_psc above matches both releases)
        var detrended = SignalCleaner.Clean(x, new CleanOptions { Standardize = StandardizeMethod.Psc });
        Assert.Equal(detrended.Data, SignalCleaner.Clean(x, new CleanOptions { Standardize = StandardizeMethod.Psc, Semantics = NilearnSemantics.V0_10_4 }).Data);
    }


    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("signal_clean_noextrapolate_sample_mask_mutation")]
    public void The_callers_sample_mask_is_never_modified(string version)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(TestPaths.Nilearn(version, "manifest.json")));
        var entry = manifest.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("case").GetString() == "signal_clean_noextrapolate_sample_mask_mutation");
        // nilearn 0.10.4 shifted the caller's index array in place; 0.14 works on a copy (as we always do)
        Assert.Equal(version == TestPaths.V0_10_4, entry.GetProperty("caller_sample_mask_modified").GetBoolean());
        var mask = SignalFixtures.SampleMask;
        var before = mask.ToArray();
        foreach (var interpolation in new[] { CensoredInterpolation.All, CensoredInterpolation.NilearnIndexMask })
            SignalCleaner.Clean(SignalFixtures.Signals, Release(version, BandPass) with { Extrapolate = false, CensoredInterpolation = interpolation },
                SignalFixtures.Confounds, mask);
        Assert.Equal(before, mask);
    }

    [Fact]
    public void An_empty_sample_mask_is_nilearns_AllVolumesRemovedError()
    {
        var e = Assert.Throws<AllVolumesRemovedException>(() => SignalCleaner.Clean(SignalFixtures.Signals, BandPass, null, Array.Empty<int>()));
        Assert.Contains("removes every volume", e.Message);
        Assert.IsAssignableFrom<NiSharpException>(e);
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
        Run(TestPaths.V0_14, "clean_cosine_confounds_samplemask", warnings);
        Assert.Contains(warnings, w => w.Contains("cosine drift terms already exist"));
    }

    [Theory]
    [InlineData(NilearnSemantics.V0_10_4)]
    [InlineData(NilearnSemantics.V0_14)] // the reference follows 0.10.4's 'ba' form: 0.14's sections differ from it by ~2e-8
    public void Runs_are_cleaned_independently(NilearnSemantics semantics)
    {
        var runs = Enumerable.Range(0, 120).Select(t => t < 60 ? 0 : 1).ToArray();
        var got = SignalCleaner.Clean(SignalFixtures.Signals, BandPass with { Semantics = semantics }, SignalFixtures.Confounds, runs: runs);
        Approx.Equal(SignalFixtures.Reference("ref_clean_two_runs.npy").Data, got.Data, 0, BaButterworthAtol, "runs");
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
