using System.Globalization;
using System.Text;
using NiSharp.Confounds;
using NiSharp.Maskers;
using NiSharp.Qc;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Qc;

/// <summary>The per-run measures on constructed data: tDOF counts, FD and censoring, parcel DVARS, temporal SNR.</summary>
public class RunQcTests
{
    /// <summary>A QC row with the given volumes, mean FD, volumes above 0.2 mm and censored volumes.</summary>
    internal static RunQc Qc(int volumes, double fdMean, int over02, int censored) => new()
    {
        Volumes = volumes, DummyVolumes = 0, FdMean = fdMean, FdMax = 1, FdOver02 = over02, FdOver05 = 0, FdThreshold = double.NaN,
        Censored = censored, DvarsBefore = 1, DvarsAfter = 1, TsnrMean = 50, TsnrMedian = 50,
        Dof = new TemporalDegreesOfFreedom(volumes, 10, censored, 0), Regions = 2, RegionsEmpty = 0, CoverageMean = 1, CoverageMin = 1, RegionsBelowHalf = 0,
    };

    [Fact]
    public void Degrees_of_freedom_count_regressors_and_censored_volumes()
    {
        var d = TemporalDegreesOfFreedom.Compute(148, regressors: 36, censored: 20, cosineRegressors: 3,
            new CleanOptions { RepetitionTime = 2, Detrend = true });
        Assert.Equal((36, 20, 0.0), (d.Regressors, d.Censored, d.Filter));
        Assert.Equal(56, d.Loss);
        Assert.Equal(92, d.Remaining);
        Assert.Equal(56.0 / 148, d.LossFraction, 1e-15);
        Assert.Equal(0, new TemporalDegreesOfFreedom(10, 8, 5, 0).Remaining);
    }

    [Fact]
    public void A_band_pass_removes_two_n_tr_degrees_of_freedom_per_hertz_without_counting_cosine_bands_twice()
    {
        // N = 148, TR = 2 s: 592 DOF per Hz over 0 … 0.25 Hz. Band-pass 0.01–0.1 Hz removes 0.01 + 0.15 Hz: 94.72.
        Assert.Equal(592 * 0.16, TemporalDegreesOfFreedom.FilterLoss(148, 2, 0.1, 0.01, 0), 1e-12);
        // Three cosine regressors already remove 0 … 3/592 Hz: the filter only counts the rest, so the total is the same.
        double withCosines = 3 + TemporalDegreesOfFreedom.FilterLoss(148, 2, 0.1, 0.01, 3);
        Assert.Equal(592 * 0.16, withCosines, 1e-12);
        // The lesson's 0.009–0.08 Hz band keeps 2·N·TR·0.071 = 42 DOF of 148.
        var lesson = TemporalDegreesOfFreedom.Compute(148, 0, 0, 0, new CleanOptions { RepetitionTime = 2, LowPass = 0.08, HighPass = 0.009 });
        Assert.Equal(148 - 592 * 0.071, lesson.Filter, 1e-9);
        // High-pass below the cosines' band: nothing more; low-pass above Nyquist: nothing.
        Assert.Equal(0, TemporalDegreesOfFreedom.FilterLoss(148, 2, null, 0.001, 3), 1e-15);
        Assert.Equal(0, TemporalDegreesOfFreedom.FilterLoss(148, 2, 0.3, null, 0), 1e-15);
    }

    [Fact]
    public void Parcel_dvars_is_the_rms_change_over_regions_between_consecutive_volumes()
    {
        // Two regions of mean 100, so percent of mean = the values.
        var x = new SignalMatrix<double>(3, 2, [99, 101, 101, 99, 100, 100]);
        var percent = ParcelDvars.PercentOfMean(x);
        Assert.Equal(x.Data, percent.Data);
        // Frames: (2, −2) → 2; (−1, 1) → 1.
        Assert.Equal(1.5, ParcelDvars.Mean(percent), 1e-15);
        // Only volumes 0 and 1 are consecutive when the rows are volumes 0, 1 and 3.
        Assert.Equal(2, ParcelDvars.Mean(percent, [0, 1, 3]), 1e-15);
        Assert.True(double.IsNaN(ParcelDvars.Mean(percent, [0, 2, 4])));
    }

    [Fact]
    public void Temporal_snr_is_mean_over_sample_sd_inside_the_mask()
    {
        // Voxel 0: 10, 12, 14 → 12 / 2 = 6. Voxel 1: constant (skipped). Voxel 2: outside the measured set. Voxel 3:
        // 1000 ± 1 → 1000 / 1 = 1000 (the first-value shift keeps its precision).
        var snr = new TemporalSnr([0, 1, 3]);
        foreach (var v in new[] { new float[] { 10, 5, 7, 999 }, [12, 5, 8, 1000], [14, 5, 9, 1001] }) snr.Add<float>(v);
        var (mean, median, voxels) = snr.Result();
        Assert.Equal(2, voxels);
        Assert.Equal((6 + 1000) / 2.0, mean, 1e-9);
        Assert.Equal((6 + 1000) / 2.0, median, 1e-9);
    }

    [Fact]
    public void Temporal_snr_accumulators_are_pooled_without_leaking_between_runs()
    {
        // Runs measured one after another reuse pooled memory: a run measured again after a different one (with more
        // voxels and larger values, so stale sums would show) gives exactly its first result, and the result ends the run.
        var rng = new Random(7);
        float[][] Volumes(int voxels, int count, float baseline) =>
            Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, voxels).Select(_ => baseline + (float)rng.NextDouble()).ToArray()).ToArray();
        var first = Volumes(300, 21, 100);
        var other = Volumes(900, 13, 5000);
        (double, double, int) Measure(float[][] volumes)
        {
            var snr = new TemporalSnr(Enumerable.Range(0, volumes[0].Length).Where(v => v % 3 != 1).ToArray());
            foreach (var v in volumes) snr.Add<float>(v);
            var result = snr.Result();
            Assert.Equal(result, snr.Result());
            Assert.Throws<InvalidOperationException>(() => snr.Add<float>(volumes[0]));
            return result;
        }
        var a = Measure(first);
        Measure(other);
        Assert.Equal(a, Measure(first));
    }

    [Fact]
    public void A_run_measures_fd_censoring_dof_and_round_trips_through_its_table()
    {
        using var dir = new TempDir();
        // 40 volumes: FD 0.1 except 0.6 at volume 20 and 0.3 at volume 30; one non-steady-state volume.
        int n = 40;
        var fd = Enumerable.Range(0, n).Select(t => t == 0 ? double.NaN : t == 20 ? 0.6 : t == 30 ? 0.3 : 0.1).ToArray();
        var confounds = WriteConfounds(dir.File("sub-01_task-rest_desc-confounds_timeseries.tsv"), fd);
        var table = FmriprepConfounds.Load(confounds);
        var strategy = ConfoundPresets.Scrubbing with { StdDvarsThreshold = double.PositiveInfinity, DummyScans = DummyScans.Auto };
        var selection = ConfoundSelector.Select(table, strategy);
        Assert.Equal(1, selection.DummyScans);

        var rng = new Random(1);
        var raw = new SignalMatrix<double>(n - 1, 3, Enumerable.Range(0, 3 * (n - 1)).Select(_ => 1000 + 10 * rng.NextDouble()).ToArray());
        var coverage = new[]
        {
            new RegionCoverage(1, "a", null, 100, 100, 100, 1, RegionStatus.Extracted),
            new RegionCoverage(2, "b", null, 100, 100, 40, 0.4, RegionStatus.Extracted),
            new RegionCoverage(3, "c", null, 100, 100, 90, 0.9, RegionStatus.Extracted),
            new RegionCoverage(4, "d", null, 100, 0, 0, 0, RegionStatus.NotOnDataGrid),
        };
        var qc = RunQc.Measure(new RunQcInputs
        {
            FramewiseDisplacement = fd[1..],
            Selection = selection,
            Clean = new CleanOptions { RepetitionTime = 2 },
            Raw = new RawRegionSignals { Values = raw, IsFloat32 = false },
            TemporalSnr = (55, 60),
            Coverage = coverage,
        });
        Assert.Equal(39, qc.Volumes);
        Assert.Equal(1, qc.DummyVolumes);
        Assert.Equal((37 * 0.1 + 0.6 + 0.3) / 39, qc.FdMean, 1e-12);
        Assert.Equal(0.6, qc.FdMax);
        Assert.Equal((2, 1), (qc.FdOver02, qc.FdOver05));
        Assert.Equal(0.5, qc.FdThreshold);
        // Scrubbing at 0.5 mm censors volume 20 (19 after the dummy); its neighbours form segments of ≥ 5 volumes.
        Assert.Equal(1, qc.Censored);
        Assert.Equal(selection.Columns.Count, qc.Dof.Regressors);
        Assert.Equal(24 + 8 + 2, selection.Columns.Count); // motion full, wm_csf full, two cosines
        Assert.Equal(1, qc.Dof.Censored);
        Assert.Equal(0, qc.Dof.Filter);
        Assert.Equal((4, 1, 0.0, 2), (qc.Regions, qc.RegionsEmpty, qc.CoverageMin, qc.RegionsBelowHalf));
        Assert.Equal((1 + 0.4 + 0.9) / 4, qc.CoverageMean, 1e-15);
        Assert.True(qc.DvarsBefore > 0 && qc.DvarsAfter > 0);

        var path = dir.File("sub-01_task-rest_desc-qc_motion.tsv");
        qc.Write(path);
        var back = RunQc.Read(path);
        Assert.Equal(qc, back with { Dof = qc.Dof });
        Assert.Equal(qc.Dof, back.Dof);
        Assert.Contains("\"tdof_filter\"", File.ReadAllText(dir.File("sub-01_task-rest_desc-qc_motion.json")));
    }

    [Fact]
    public void Reading_a_table_without_a_column_names_the_file()
    {
        using var dir = new TempDir();
        var path = dir.File("x_desc-qc_motion.tsv");
        File.WriteAllText(path, "volumes\n10\n");
        var e = Assert.Throws<NiSharpException>(() => RunQc.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("dummy_volumes", e.Message);
    }

    /// <summary>An fMRIPrep-style confounds table with the columns the scrubbing strategy needs.</summary>
    internal static string WriteConfounds(string path, double[] fd)
    {
        int n = fd.Length;
        var rng = new Random(2);
        var columns = new List<(string, double[])>();
        foreach (var m in new[] { "trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "csf", "white_matter", "global_signal" })
        {
            var v = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            var d = v.Select((x, t) => t == 0 ? double.NaN : x - v[t - 1]).ToArray();
            columns.Add((m, v));
            columns.Add((m + "_derivative1", d));
            columns.Add((m + "_power2", v.Select(x => x * x).ToArray()));
            columns.Add((m + "_derivative1_power2", d.Select(x => x * x).ToArray()));
        }
        columns.Add(("framewise_displacement", fd));
        columns.Add(("std_dvars", Enumerable.Range(0, n).Select(t => t == 0 ? double.NaN : 1.0).ToArray()));
        columns.Add(("cosine00", Enumerable.Range(0, n).Select(t => Math.Cos(Math.PI * (t + 0.5) / n)).ToArray()));
        columns.Add(("cosine01", Enumerable.Range(0, n).Select(t => Math.Cos(2 * Math.PI * (t + 0.5) / n)).ToArray()));
        columns.Add(("non_steady_state_outlier00", Enumerable.Range(0, n).Select(t => t == 0 ? 1.0 : 0).ToArray()));
        var sb = new StringBuilder(string.Join('\t', columns.Select(c => c.Item1)) + "\n");
        for (int t = 0; t < n; t++)
            sb.Append(string.Join('\t', columns.Select(c => double.IsNaN(c.Item2[t]) ? "n/a" : c.Item2[t].ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
