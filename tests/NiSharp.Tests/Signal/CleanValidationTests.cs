using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Signal;

/// <summary>Bad parameters and inputs fail with one clear message; nilearn's warnings are reported.</summary>
public class CleanValidationTests
{
    private static readonly SignalMatrix<double> X = SignalFixtures.Signals;

    private static string Fails(CleanOptions o, SignalMatrix<double>? conf = null, int[]? mask = null, int[]? runs = null) =>
        Assert.ThrowsAny<NiSharpException>(() => SignalCleaner.Clean(X, o, conf, mask, runs)).Message;

    [Fact]
    public void High_pass_at_or_above_low_pass_is_an_error()
    {
        Assert.Equal("high_pass (0.08 Hz) must be below low_pass (0.08 Hz)", Fails(new CleanOptions { LowPass = 0.08, HighPass = 0.08, RepetitionTime = 2 }));
    }

    [Fact]
    public void Filtering_without_a_repetition_time_is_an_error()
    {
        Assert.Contains("repetition time (t_r) is needed", Fails(new CleanOptions { LowPass = 0.08 }));
        Assert.Contains("cosine filter needs both high_pass and t_r", Fails(new CleanOptions { Filter = SignalFilter.Cosine, HighPass = 0.01 }));
    }

    [Fact]
    public void Bad_cut_offs_and_repetition_times_are_errors()
    {
        Assert.Contains("low_pass must be a positive frequency", Fails(new CleanOptions { LowPass = -1, RepetitionTime = 2 }));
        Assert.Contains("t_r must be a positive number of seconds", Fails(new CleanOptions { RepetitionTime = 0 }));
    }

    [Fact]
    public void Confounds_with_another_length_name_both_numbers()
    {
        Assert.Equal("the confounds have 100 rows but the signals have 120 timepoints", Fails(new CleanOptions(), SignalFixtures.Confounds.SliceRows(0, 100)));
    }

    [Fact]
    [NilearnCase("clean_confounds_with_nan_first_row")] // nilearn fails too, in scipy's qr ("array must not contain infs or NaNs")
    public void Confounds_with_NaN_are_an_error_naming_the_row()
    {
        var c = SignalFixtures.Table("in_confounds_raw.tsv"); // fMRIPrep's derivatives start with n/a
        Assert.Contains("non-finite value (NaN) in row 1, column 2", Fails(new CleanOptions(), c));
    }

    [Fact]
    public void Sample_masks_must_be_increasing_in_range_and_not_empty()
    {
        Assert.Contains("outside 0..119", Fails(new CleanOptions(), null, [3, 120]));
        Assert.Contains("increasing order", Fails(new CleanOptions(), null, [5, 3]));
        Assert.Contains("removes every volume", Fails(new CleanOptions(), null, []));
    }

    [Fact]
    public void Run_labels_must_cover_every_timepoint()
    {
        Assert.Contains("run labels have 10 entries", Fails(new CleanOptions(), null, null, new int[10]));
    }

    [Fact]
    public void Cut_offs_at_Nyquist_are_lowered_with_a_warning_like_nilearn()
    {
        var warnings = new List<string>();
        var y = SignalCleaner.Clean(X, new CleanOptions { LowPass = 0.3, RepetitionTime = 2 }, warnings: warnings);
        Assert.Contains(warnings, w => w.Contains("above Nyquist"));
        Assert.All(y.Data, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Ensure_finite_replaces_NaN_and_infinities_by_zero()
    {
        var x = X.Clone();
        x[5, 0] = double.NaN;
        x[6, 1] = double.PositiveInfinity;
        var y = SignalCleaner.Clean(x, new CleanOptions { EnsureFinite = true });
        Assert.All(y.Data, v => Assert.True(double.IsFinite(v)));
        var z = SignalCleaner.Clean(x, new CleanOptions());
        Assert.True(double.IsNaN(z[0, 0]));
    }

    [Fact]
    public void Zero_variance_and_duplicate_regressors_change_nothing_as_in_nilearn()
    {
        // A constant column detrends to 0 and is dropped by the QR rank tolerance; a duplicate adds no rank.
        var c = SignalFixtures.Confounds;
        var extra = new SignalMatrix<double>(c.Timepoints, c.Features + 2);
        for (int t = 0; t < c.Timepoints; t++)
        {
            c.Row(t).CopyTo(extra.Row(t));
            extra[t, c.Features] = 42;
            extra[t, c.Features + 1] = c[t, 0];
        }
        var o = new CleanOptions { LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 };
        var plain = SignalCleaner.Clean(X, o, c);
        var padded = SignalCleaner.Clean(X, o, extra);
        Tests.Support.Approx.Equal(plain.Data, padded.Data, 0, 1e-9, "zero-variance regressor");
    }

    [Fact]
    public void Effective_parameters_use_nilearns_names()
    {
        var o = new CleanOptions { LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 };
        var p = SignalCleaner.EffectiveParameters(o, ["csf", "white_matter"], [0, 1, 2], 3);
        Assert.Equal(true, p["detrend"]);
        Assert.Equal("zscore_sample", p["standardize"]);
        Assert.Equal(true, p["standardize_confounds"]);
        Assert.Equal("butterworth", p["filter"]);
        Assert.Equal(0.08, p["low_pass"]);
        Assert.Equal(0.009, p["high_pass"]);
        Assert.Equal(2.0, p["t_r"]);
        Assert.Equal(10, p["butterworth_order"]);
        Assert.Equal(33, p["butterworth_padlen"]);
        Assert.Equal(2, p["n_confounds"]);
        Assert.Equal(3, p["n_timepoints_out"]);
    }
}
