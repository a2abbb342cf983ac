using System.Text.Json;
using NiSharp.Confounds;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Confounds;

/// <summary>fMRIPrep's three naming generations, and identical selections from the two ds000031 files.</summary>
public class NamingTests
{
    [Theory]
    [InlineData("X", "trans_x")]
    [InlineData("Y", "trans_y")]
    [InlineData("Z", "trans_z")]
    [InlineData("RotX", "rot_x")]
    [InlineData("RotY", "rot_y")]
    [InlineData("RotZ", "rot_z")]
    [InlineData("CSF", "csf")]
    [InlineData("WhiteMatter", "white_matter")]
    [InlineData("GlobalSignal", "global_signal")]
    [InlineData("stdDVARS", "std_dvars")]
    [InlineData("non-stdDVARS", "dvars")]
    [InlineData("FramewiseDisplacement", "framewise_displacement")]
    [InlineData("aCompCor03", "a_comp_cor_03")]
    [InlineData("tCompCor00", "t_comp_cor_00")]
    [InlineData("Cosine07", "cosine07")]
    [InlineData("NonSteadyStateOutlier01", "non_steady_state_outlier01")]
    [InlineData("AROMAAggrComp12", "aroma_motion_12")]
    [InlineData("cosine_02", "cosine02")]
    [InlineData("trans_x", "trans_x")]
    [InlineData("vx-wisestdDVARS", "vx-wisestdDVARS")]
    [InlineData("csf_wm", "csf_wm")]
    public void Old_names_map_to_current_ones(string old, string current) => Assert.Equal(current, ConfoundNames.ToCurrent(old));

    [Fact]
    public void The_generation_is_recognised()
    {
        Assert.Equal(FmriprepNaming.CamelCase, FmriprepConfounds.Load(ConfoundFixtures.NeurocapsOld).Naming);
        Assert.Equal(FmriprepNaming.Timeseries, FmriprepConfounds.Load(ConfoundFixtures.Neurocaps).Naming);
        Assert.Equal(FmriprepNaming.Regressors, FmriprepConfounds.Load(ConfoundFixtures.Regressors).Naming);
        Assert.Equal(FmriprepNaming.Timeseries, FmriprepConfounds.Load(ConfoundFixtures.V21).Naming);
    }

    public static TheoryData<string> Ds000031Strategies => new() { "motion-gs-hp-scrub", "columns-derivatives", "none-scrub", "yeo-like" };

    private static ConfoundStrategy Ds000031(string name) => name switch
    {
        // ds000031 lacks csf, so the presets that need it cannot run; these use everything it has.
        "motion-gs-hp-scrub" => new ConfoundStrategy
        {
            Components = NoiseComponents.Motion | NoiseComponents.GlobalSignal | NoiseComponents.HighPass | NoiseComponents.Scrub,
            Motion = Expansion.Full, GlobalSignal = Expansion.Derivatives, FdThreshold = 0.3, StdDvarsThreshold = 1.5,
        },
        "columns-derivatives" => ConfoundPresets.Columns(["trans_x", "trans_y", "trans_z", "RotX", "rot_y", "rot_z", "white_matter", "GlobalSignal"], derivatives: true) with { DummyScans = DummyScans.Fixed(4) },
        "none-scrub" => ConfoundPresets.None with { Components = NoiseComponents.Scrub, FdThreshold = 0.25 },
        "yeo-like" => ConfoundPresets.Columns(["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "white_matter", "global_signal"], derivatives: true),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Ds000031Strategies))]
    public void Both_namings_of_the_ds000031_confounds_give_identical_selections(string name)
    {
        var current = ConfoundSelector.Select(FmriprepConfounds.Load(ConfoundFixtures.Neurocaps), Ds000031(name));
        var old = ConfoundSelector.Select(FmriprepConfounds.Load(ConfoundFixtures.NeurocapsOld), Ds000031(name));
        Assert.Equal(current.Columns, old.Columns);
        Assert.Equal(current.SampleMask, old.SampleMask);
        Assert.Equal(current.DummyScans, old.DummyScans);
        Assert.Equal(current.Regressors.Data, old.Regressors.Data);
        Assert.DoesNotContain(current.Columns, c => c != ConfoundNames.ToCurrent(c));
    }

    [Fact]
    public void Ds000031_selections_contain_what_was_asked()
    {
        var s = ConfoundSelector.Select(FmriprepConfounds.Load(ConfoundFixtures.NeurocapsOld), Ds000031("motion-gs-hp-scrub"));
        Assert.Contains("cosine00", s.Columns);
        Assert.Contains("cosine06", s.Columns);
        Assert.Contains("trans_x_derivative1_power2", s.Columns);
        Assert.Contains("global_signal_derivative1", s.Columns);
        Assert.Equal(24 + 2 + 7, s.Columns.Count);
        Assert.True(s.ScrubbedVolumes.Count > 0);
        Assert.Equal(Enumerable.Range(0, 40).Except(s.ScrubbedVolumes), s.SampleMask);
        // The file has no derivatives: they are computed (backward difference) and the first row filled from the second.
        Assert.Contains("trans_x_derivative1", s.ComputedColumns);
    }

    [Fact]
    public void Presets_that_need_a_column_the_file_lacks_say_which()
    {
        var e = Assert.Throws<NiSharpException>(() => ConfoundSelector.Select(FmriprepConfounds.Load(ConfoundFixtures.NeurocapsOld), ConfoundPresets.Yeo2011));
        Assert.StartsWith(ConfoundFixtures.NeurocapsOld, e.Message);
        Assert.Contains("'csf'", e.Message);
        Assert.Contains("for wm_csf", e.Message);
        Assert.DoesNotContain("white_matter for", e.Message);
    }

    [Fact]
    public void A_file_naming_one_column_twice_is_refused()
    {
        using var dir = new TempDir();
        var p = ConfoundFixtures.Write(dir, "dup_desc-confounds_timeseries.tsv", "CSF\tcsf", "1\t2", "3\t4");
        var e = Assert.Throws<NiSharpException>(() => FmriprepConfounds.Load(p));
        Assert.Contains("'CSF' and 'csf' both mean 'csf'", e.Message);
    }

    [Theory]
    [InlineData(CompcorMethod.AnatCombined, null, "a_comp_cor_00,a_comp_cor_01,a_comp_cor_02,a_comp_cor_03,a_comp_cor_04")]
    [InlineData(CompcorMethod.Temporal, null, "t_comp_cor_00,t_comp_cor_01,t_comp_cor_02")]
    [InlineData(CompcorMethod.AnatSeparated, null, "c_comp_cor_00,c_comp_cor_01,c_comp_cor_02,w_comp_cor_00,w_comp_cor_01,w_comp_cor_02,w_comp_cor_03")]
    [InlineData(CompcorMethod.TemporalAnatSeparated, 2, "c_comp_cor_00,c_comp_cor_01,t_comp_cor_00,t_comp_cor_01,w_comp_cor_00,w_comp_cor_01")]
    [InlineData(CompcorMethod.TemporalAnatCombined, 1, "a_comp_cor_00,t_comp_cor_00")]
    public void CompCor_components_come_from_the_fMRIPrep_21_json(CompcorMethod method, int? n, string expected)
    {
        var s = ConfoundSelector.Select(FmriprepConfounds.Load(ConfoundFixtures.V21),
            new ConfoundStrategy { Components = NoiseComponents.HighPass | NoiseComponents.Compcor, Compcor = method, NCompcor = n });
        Assert.Equal(expected.Split(',').Append("cosine00").Order(StringComparer.Ordinal), s.Columns);
    }

    [Fact]
    public void Asking_for_more_CompCor_components_than_exist_warns_with_how_many_of_how_many()
    {
        var c = FmriprepConfounds.Load(ConfoundFixtures.V21);
        var combined = ConfoundSelector.Select(c, new ConfoundStrategy { Components = NoiseComponents.HighPass | NoiseComponents.Compcor, Compcor = CompcorMethod.AnatCombined, NCompcor = 6 });
        var warning = Assert.Single(combined.Warnings);
        Assert.StartsWith("n_compcor 6: only 5 of 6 anatomical CompCor components (combined mask) exist in ", warning);
        Assert.EndsWith("(a_comp_cor_00, a_comp_cor_01, a_comp_cor_02, a_comp_cor_03, a_comp_cor_04); those are used", warning);
        Assert.Equal(5, combined.Columns.Count(x => x.StartsWith("a_comp_cor", StringComparison.Ordinal)));
        // Enough components, or no n_compcor: nothing to say.
        Assert.Empty(ConfoundSelector.Select(c, new ConfoundStrategy { Components = NoiseComponents.HighPass | NoiseComponents.Compcor, Compcor = CompcorMethod.AnatCombined, NCompcor = 5 }).Warnings);
        Assert.Empty(ConfoundSelector.Select(c, ConfoundPresets.Compcor).Warnings);
    }

    [Fact]
    public void Separated_anatomical_CompCor_of_fMRIPrep_1_4_to_20_filters_by_the_json_mask()
    {
        var c = FmriprepConfounds.Load(ConfoundFixtures.Regressors);
        using var doc = JsonDocument.Parse(File.ReadAllText(c.JsonPath!));
        string? Mask(string k) => doc.RootElement.TryGetProperty(k, out var v) ? v.GetProperty("Mask").GetString() : null;
        var all = Enumerable.Range(0, 200).Select(i => $"a_comp_cor_{i:00}").Where(k => Mask(k) is not null).ToList();
        var wm = all.Where(k => Mask(k) == "WM").Take(3);
        var csf = all.Where(k => Mask(k) == "CSF").Take(3);
        var s = ConfoundSelector.Select(c, new ConfoundStrategy { Components = NoiseComponents.HighPass | NoiseComponents.Compcor, Compcor = CompcorMethod.AnatSeparated, NCompcor = 3 });
        Assert.Equal(wm.Concat(csf).Concat(["cosine00", "cosine01", "cosine02", "cosine03"]).Order(StringComparer.Ordinal), s.Columns);
    }

    [Fact]
    public void CompCor_without_the_json_is_an_error()
    {
        using var dir = new TempDir();
        var p = dir.File("x_desc-confounds_timeseries.tsv");
        File.Copy(ConfoundFixtures.V21, p);
        var e = Assert.Throws<NiSharpException>(() => ConfoundSelector.Select(FmriprepConfounds.Load(p), ConfoundPresets.Compcor));
        Assert.Contains("needs the confounds JSON", e.Message);
    }
}
