using NiSharp.Confounds;
using NiSharp.IO;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Confounds;

/// <summary>
/// load_confounds / load_confounds_strategy against nilearn 0.10.4 and 0.14.0 on the fake fMRIPrep run: column names
/// and sample masks exactly; values to 1e-10 relative to each column's largest |value| (demeaned values
/// sit near 0, and nilearn parsed the TSV with pandas, whose float parser is off by an ulp at times).
/// </summary>
public class LoadConfoundsParityTests
{
    private static readonly ConfoundStrategy LoadConfoundsDefaults = new();

    public static TheoryData<string, string> Cases() => TestPaths.ForBothReleases(
        "load_confounds_defaults", "load_confounds_derivs_gs_scrub", "load_confounds_basic_nodemean",
        "load_confounds_scrub0_fd02", "load_confounds_compcor", "load_confounds_strategy_simple",
        "load_confounds_strategy_simple_gs", "load_confounds_strategy_scrubbing", "load_confounds_strategy_compcor");

    // The manifest's calls. NiSharp's scrubbing thresholds are nilearn 0.13's defaults (fd 0.5, std_dvars 1.5); 0.10.4's
    // (0.2 / 3) are passed explicitly for that release.
    private static ConfoundStrategy Strategy(string version, string name) => name switch
    {
        "load_confounds_defaults" => LoadConfoundsDefaults,
        "load_confounds_derivs_gs_scrub" => LoadConfoundsDefaults with
        {
            Components = NoiseComponents.Motion | NoiseComponents.WmCsf | NoiseComponents.GlobalSignal | NoiseComponents.Scrub,
            Motion = Expansion.Derivatives, WmCsf = Expansion.Derivatives, GlobalSignal = Expansion.Derivatives,
            Scrub = 5, FdThreshold = 0.5, StdDvarsThreshold = 1.5,
        },
        "load_confounds_basic_nodemean" => LoadConfoundsDefaults with
        {
            Components = NoiseComponents.Motion | NoiseComponents.WmCsf | NoiseComponents.GlobalSignal,
            Motion = Expansion.Basic, Demean = false,
        },
        "load_confounds_scrub0_fd02" => LoadConfoundsDefaults with
        {
            Components = NoiseComponents.Motion | NoiseComponents.Scrub, Motion = Expansion.Power2, Scrub = 0, FdThreshold = 0.2, StdDvarsThreshold = 3,
        },
        "load_confounds_compcor" => LoadConfoundsDefaults with
        {
            Components = NoiseComponents.HighPass | NoiseComponents.Motion | NoiseComponents.Compcor, Compcor = CompcorMethod.AnatCombined, NCompcor = 3,
        },
        "load_confounds_strategy_simple" => ConfoundPresets.Simple,
        "load_confounds_strategy_simple_gs" => ConfoundPresets.Parse("simple+gsr"),
        "load_confounds_strategy_scrubbing" => version == TestPaths.V0_10_4
            ? ConfoundPresets.Scrubbing with { FdThreshold = 0.2, StdDvarsThreshold = 3 }
            : ConfoundPresets.Scrubbing,
        "load_confounds_strategy_compcor" => ConfoundPresets.Compcor,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    [NilearnCase("load_confounds_defaults", "load_confounds_derivs_gs_scrub", "load_confounds_basic_nodemean", "load_confounds_scrub0_fd02",
        "load_confounds_compcor", "load_confounds_strategy_simple", "load_confounds_strategy_simple_gs",
        "load_confounds_strategy_scrubbing", "load_confounds_strategy_compcor")]
    public void Selection_matches_nilearn(string version, string name)
    {
        var selection = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(version), Strategy(version, name));
        var expected = TsvTable.Read(TestPaths.Nilearn(version, $"out_lc_{name}.tsv"));
        var mask = NpyArray.Load(TestPaths.Nilearn(version, $"out_lc_{name}_sample_mask.npy")).Data.Select(v => (int)v).ToArray();
        Assert.Equal(expected.Columns, selection.Columns);
        Assert.Equal(mask, selection.SampleMask);
        Assert.Equal(expected.RowCount, selection.Volumes);
        for (int j = 0; j < expected.Columns.Count; j++)
        {
            var e = expected.GetNumbers(j);
            var g = Enumerable.Range(0, selection.Volumes).Select(t => selection.Regressors[t, j]).ToArray();
            Approx.Equal(e, g, 0, 1e-10 * e.Max(Math.Abs), expected.Columns[j]);
        }
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("e2e_scrubbing_strategy_to_masker")]
    public void End_to_end_scrubbing_selection_matches_nilearn(string version)
    {
        var selection = ConfoundSelector.Select(ConfoundFixtures.LoadNilearnFull(version), ConfoundPresets.Scrubbing);
        var expected = TsvTable.Read(TestPaths.Nilearn(version, "out_e2e_scrubbing_confounds.tsv"));
        var mask = NpyArray.Load(TestPaths.Nilearn(version, "out_e2e_scrubbing_sample_mask.npy")).Data.Select(v => (int)v).ToArray();
        Assert.Equal(expected.Columns, selection.Columns);
        Assert.Equal(mask, selection.SampleMask);
        Assert.Equal(0.5, selection.Strategy.FdThreshold);
        Assert.Equal(1.5, selection.Strategy.StdDvarsThreshold);
        Assert.Equal(expected.RowCount, selection.Volumes);
        for (int j = 0; j < expected.Columns.Count; j++)
        {
            var e = expected.GetNumbers(j);
            var g = Enumerable.Range(0, selection.Volumes).Select(t => selection.Regressors[t, j]).ToArray();
            Approx.Equal(e, g, 0, 1e-10 * e.Max(Math.Abs), expected.Columns[j]);
        }
    }
}
