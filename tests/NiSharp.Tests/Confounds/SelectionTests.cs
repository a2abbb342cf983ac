using CsCheck;
using NiSharp.Confounds;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Confounds;

/// <summary>Presets, explicit columns, dummy volumes, the NaN first row, scrubbing and bad inputs.</summary>
public class SelectionTests
{
    [Fact]
    public void Yeo2011_is_the_lessons_18_regressors()
    {
        var s = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(), ConfoundPresets.Yeo2011);
        string[] bases = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "csf", "white_matter", "global_signal"];
        Assert.Equal(bases.Concat(bases.Select(b => b + "_derivative1")).Order(StringComparer.Ordinal), s.Columns);
        Assert.Equal(18, s.Columns.Count);
        Assert.Empty(s.ComputedColumns);
        // No dummy removal asked: the two non-steady-state volumes are censored through the sample mask.
        Assert.Equal(Enumerable.Range(2, 118), s.SampleMask);
    }

    [Theory]
    [InlineData("simple", 29)]
    [InlineData("simple+gsr", 30)]
    [InlineData("scrubbing", 35)]
    [InlineData("compcor", 32)]
    [InlineData("ica_aroma", 5)]
    [InlineData("yeo2011+gsr", 18)]
    [InlineData("none", 0)]
    [InlineData("none+gsr", 1)]
    [InlineData("SIMPLE+GSR", 30)]
    public void Presets_parse_and_select(string name, int columns)
    {
        var s = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(), ConfoundPresets.Parse(name));
        Assert.Equal(columns, s.Columns.Count);
        Assert.Equal(name.ToLowerInvariant(), s.Strategy.Name);
    }

    [Fact]
    public void Unknown_presets_list_the_valid_ones()
    {
        var e = Assert.Throws<NiSharpException>(() => ConfoundPresets.Parse("aroma"));
        Assert.Contains("simple, scrubbing, compcor, ica_aroma, yeo2011, none", e.Message);
    }

    [Fact]
    public void Explicit_columns_keep_their_order_with_derivatives_after_and_the_nan_row_filled()
    {
        var c = ConfoundFixtures.LoadNilearnFull();
        var s = ConfoundSelector.Select(c, ConfoundPresets.Columns(["white_matter", "trans_x", "csf"], derivatives: true) with { Demean = false });
        Assert.Equal(["white_matter", "trans_x", "csf", "white_matter_derivative1", "trans_x_derivative1", "csf_derivative1"], s.Columns);
        var raw = c.Column("csf_derivative1");
        Assert.True(double.IsNaN(raw[0]));
        Assert.Equal(raw[1], s.Regressors[0, 5]); // nilearn fills row 0 from row 1
        Assert.Equal(raw[7], s.Regressors[7, 5]);
    }

    [Fact]
    public void Derivatives_missing_from_the_file_are_backward_differences_with_a_nan_first_row()
    {
        var c = FmriprepConfounds.Load(ConfoundFixtures.Neurocaps);
        Assert.False(c.Has("trans_x_derivative1"));
        var d = c.Column("trans_x_derivative1");
        var x = c.Column("trans_x");
        Assert.True(double.IsNaN(d[0]));
        for (int t = 1; t < x.Length; t++) Assert.Equal(x[t] - x[t - 1], d[t]);
        var p2 = c.Column("trans_x_derivative1_power2");
        for (int t = 1; t < x.Length; t++) Assert.Equal(d[t] * d[t], p2[t]);
    }

    [Fact]
    public void Dummy_volumes_are_dropped_before_everything_else()
    {
        var c = ConfoundFixtures.LoadNilearnFull();
        var s = ConfoundSelector.Select(c, ConfoundPresets.Yeo2011 with { DummyScans = DummyScans.Fixed(4), Demean = false });
        Assert.Equal((4, 116, 120), (s.DummyScans, s.Volumes, s.SourceRows));
        var raw = c.Column("csf_derivative1");
        int j = s.Columns.ToList().IndexOf("csf_derivative1");
        for (int t = 0; t < 116; t++) Assert.Equal(raw[t + 4], s.Regressors[t, j]);
        Assert.Equal(Enumerable.Range(0, 116), s.SampleMask); // the non-steady-state volumes went with the dummies
    }

    [Fact]
    public void Auto_dummy_volumes_are_the_leading_non_steady_state_outliers()
    {
        var v21 = ConfoundSelector.Select(FmriprepConfounds.Load(ConfoundFixtures.V21), ConfoundPresets.None with { DummyScans = DummyScans.Auto });
        Assert.Equal(3, v21.DummyScans);
        var fixture = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(), ConfoundPresets.Simple with { DummyScans = DummyScans.Parse("auto") });
        Assert.Equal(2, fixture.DummyScans);
        Assert.False(fixture.IsCensored);
        var none = ConfoundSelector.Select(FmriprepConfounds.Load(ConfoundFixtures.NoNonSteady), ConfoundPresets.Simple with { DummyScans = DummyScans.Auto });
        Assert.Equal(0, none.DummyScans);
    }

    [Fact]
    public void Demeaning_uses_the_kept_volumes_only()
    {
        var s = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(), ConfoundPresets.Yeo2011);
        for (int j = 0; j < s.Columns.Count; j++)
            Assert.Equal(0, s.SampleMask.Average(t => s.Regressors[t, j]), 9);
    }

    [Fact]
    public void NaN_beyond_the_first_row_is_an_error_naming_column_and_row()
    {
        using var dir = new TempDir();
        var p = ConfoundFixtures.Write(dir, "sub-01_desc-confounds_timeseries.tsv",
            "csf\tcsf_derivative1\twhite_matter", "1\tn/a\t2", "2\t1\t3", "3\tn/a\t4", "5\t2\t1");
        var e = Assert.Throws<NiSharpException>(() => ConfoundSelector.Select(FmriprepConfounds.Load(p), ConfoundPresets.Columns(["csf"], derivatives: true)));
        Assert.Equal($"{p}: column 'csf_derivative1' has n/a in row 3 (only the first row may be n/a)", e.Message);
    }

    [Fact]
    public void Missing_columns_are_named_with_the_closest_present()
    {
        var e = Assert.Throws<NiSharpException>(() => ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(), ConfoundPresets.Columns(["trans_xx", "globalsignal"], false)));
        Assert.Contains("'trans_xx' (closest: trans_x", e.Message);
        Assert.Contains("'globalsignal' (closest: global_signal", e.Message);
        Assert.StartsWith(ConfoundFixtures.NilearnFull, e.Message);
    }

    [Fact]
    public void Every_volume_censored_is_an_error()
    {
        // nilearn's AllVolumesRemovedError (load_confounds since 0.11)
        var e = Assert.Throws<AllVolumesRemovedException>(() => ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(),
            ConfoundPresets.Scrubbing with { FdThreshold = 1e-9, StdDvarsThreshold = 1e-9 }));
        Assert.Contains("every volume is censored", e.Message);
    }

    [Fact]
    public void All_columns_mode_takes_every_numeric_column_raw()
    {
        var c = ConfoundFixtures.LoadNilearnFull();
        var s = ConfoundSelector.AllColumns(c);
        Assert.Equal(c.Columns, s.Columns);
        Assert.False(s.IsCensored);
        int j = c.Columns.ToList().IndexOf("csf");
        Assert.Equal(c.Column("csf")[5], s.Regressors[5, j]);
    }

    [Fact]
    public void ICA_AROMA_basic_takes_the_noise_components_and_full_takes_none()
    {
        var c = FmriprepConfounds.Load(ConfoundFixtures.Regressors);
        var basic = ConfoundSelector.Select(c, ConfoundPresets.IcaAroma with { IcaAroma = IcaAromaMode.Basic });
        Assert.Equal(13, basic.Columns.Count(x => x.StartsWith("aroma_motion_")));
        var full = ConfoundSelector.Select(c, ConfoundPresets.IcaAroma);
        Assert.DoesNotContain(full.Columns, x => x.Contains("aroma"));
        Assert.Equal(["cosine00", "cosine01", "cosine02", "cosine03", "csf", "white_matter"], full.Columns);
    }

    [Theory]
    [InlineData(new[] { 10, 12 }, 30, 5, new[] { 10, 11, 12 })]          // gap of 1 (< 5) filled
    [InlineData(new[] { 10, 16 }, 30, 5, new[] { 10, 16 })]              // a 5-volume segment survives
    [InlineData(new[] { 3, 20 }, 30, 5, new[] { 0, 1, 2, 3, 20 })]       // head shorter than 5
    [InlineData(new[] { 10, 26 }, 30, 5, new[] { 10, 26, 27, 28, 29 })]  // tail shorter than 5
    [InlineData(new[] { 10, 12 }, 30, 0, new[] { 10, 12 })]              // scrub = 0: outliers only
    public void Minimum_segment_rule_follows_nilearn(int[] outliers, int n, int scrub, int[] expected) =>
        Assert.Equal(expected, Scrubbing.ApplyMinimumSegment(outliers, n, scrub));

    [Fact]
    public void After_scrubbing_every_kept_segment_is_at_least_the_minimum_long()
    {
        Gen.Select(Gen.Int[10, 120], Gen.Int[1, 8]).SelectMany((n, scrub) => Gen.Int[0, n - 1].Array[1, 8].Select(o => (n, scrub, o)))
            .Sample(s =>
            {
                var (n, scrub, outliers) = s;
                var censored = Scrubbing.ApplyMinimumSegment(outliers, n, scrub);
                Assert.Superset(new HashSet<int>(outliers), new HashSet<int>(censored));
                int run = 0;
                var set = new HashSet<int>(censored);
                for (int t = 0; t <= n; t++)
                {
                    if (t < n && !set.Contains(t)) { run++; continue; }
                    Assert.True(run == 0 || run >= scrub, $"kept segment of {run} < {scrub}");
                    run = 0;
                }
            });
    }

    [Fact]
    public void Scrubbing_flags_fd_or_std_dvars_above_threshold_and_never_NaN()
    {
        double[] fd = [double.NaN, 0.1, 0.6, 0.2, 0.1];
        double[] dv = [double.NaN, 2.0, 1.0, 1.0, 1.0];
        Assert.Equal([1, 2], Scrubbing.Outliers(fd, dv, 0.5, 1.5));
    }

    [Fact]
    public void Parameters_for_the_sidecar_use_nilearns_names()
    {
        var s = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(), ConfoundPresets.Scrubbing with { DummyScans = DummyScans.Fixed(2) });
        var p = s.ToParameters();
        Assert.Equal("scrubbing", p["denoise_strategy"]);
        Assert.Equal(new[] { "high_pass", "motion", "wm_csf", "scrub" }, p["strategy"]);
        Assert.Equal("full", p["motion"]);
        Assert.Equal("full", p["wm_csf"]);
        Assert.Equal(5, p["scrub"]);
        Assert.Equal(0.5, p["fd_threshold"]);
        Assert.Equal(1.5, p["std_dvars_threshold"]);
        Assert.Equal(2, p["dummy_scans"]);
        Assert.Equal(s.SampleMask, p["sample_mask"]);
    }
}
