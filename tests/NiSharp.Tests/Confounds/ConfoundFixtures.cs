using NiSharp.Confounds;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Confounds;

/// <summary>Paths of the confounds test files.</summary>
internal static class ConfoundFixtures
{
    public static string NilearnFull => TestPaths.Nilearn("in_confounds_fmriprep_full.tsv");
    public static string NilearnFullJson => TestPaths.Nilearn("in_fmriprep_confounds.json");
    public static FmriprepConfounds LoadNilearnFull() => FmriprepConfounds.Load(NilearnFull, NilearnFullJson);

    /// <summary>The fake fMRIPrep confounds as given to nilearn <paramref name="version"/> (the same numbers, formatted apart).</summary>
    public static FmriprepConfounds LoadNilearnFull(string version) =>
        FmriprepConfounds.Load(TestPaths.Nilearn(version, "in_confounds_fmriprep_full.tsv"), TestPaths.Nilearn(version, "in_fmriprep_confounds.json"));

    public static string Neurocaps => TestPaths.Fixture("confounds", "neurocaps_ds000031_sub-01_ses-002_task-rest_run-001_desc-confounds_timeseries.tsv");
    public static string NeurocapsOld => TestPaths.Fixture("confounds", "neurocaps_ds000031_sub-01_ses-002_task-rest_run-001_desc-confounds_timeseries_olderversion.tsv");
    public static string Regressors => TestPaths.Fixture("confounds", "nilearn_test_desc-confounds_regressors.tsv");
    public static string NoNonSteady => TestPaths.Fixture("confounds", "nilearn_no_nonsteady_desc-confounds_regressors.tsv");
    public static string V21 => TestPaths.Fixture("confounds", "nilearn_test-v21_desc-confounds_timeseries.tsv");

    /// <summary>A confounds TSV written from text lines into <paramref name="dir"/>.</summary>
    public static string Write(TempDir dir, string name, params string[] lines)
    {
        var p = dir.File(name);
        File.WriteAllText(p, string.Join("\n", lines) + "\n");
        return p;
    }
}
