using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Confounds;
using NiSharp.IO;
using NiSharp.Maskers;
using NiSharp.Signal;

namespace NiSharp.Qc;

/// <summary>What <see cref="RunQc.Measure"/> needs from one analysed run.</summary>
public sealed record RunQcInputs
{
    /// <summary>Framewise displacement per volume after the dummy volumes (fMRIPrep's column; NaN in row 0 is skipped), or null.</summary>
    public double[]? FramewiseDisplacement { get; init; }

    /// <summary>The confounds, sample mask and dummy volumes of the run's strategy.</summary>
    public required ConfoundSelection Selection { get; init; }

    /// <summary>The cleaning applied to the region signals (its repetition time set).</summary>
    public required CleanOptions Clean { get; init; }

    /// <summary>The raw region means (volumes after the dummy volumes × extracted regions).</summary>
    public required RawRegionSignals Raw { get; init; }

    /// <summary>Mean and median temporal SNR inside the brain mask.</summary>
    public (double Mean, double Median) TemporalSnr { get; init; } = (double.NaN, double.NaN);

    /// <summary>The atlas coverage of the run.</summary>
    public required IReadOnlyList<RegionCoverage> Coverage { get; init; }

    /// <summary>Cleaning plans of the run shared by its atlases' QC (they clean alike), or null.</summary>
    internal Signal.CleanPlanCache? Plans { get; init; }
}

/// <summary>
/// Motion quality control of one run, written by the participant level as <c>…_desc-qc_motion.tsv</c> (one row) with a
/// JSON sidecar describing every column: framewise displacement, the volumes censored at 0.2 and 0.5 mm and by the run's
/// own strategy, parcel DVARS before and after cleaning, temporal SNR inside the brain mask, the temporal degrees of
/// freedom the denoising used (<see cref="TemporalDegreesOfFreedom"/>) and a summary of the atlas coverage.
/// </summary>
public sealed record RunQc
{
    /// <summary>Volumes after the dummy volumes.</summary>
    public required int Volumes { get; init; }

    /// <summary>Dummy (non-steady-state) volumes dropped before the analysis.</summary>
    public required int DummyVolumes { get; init; }

    /// <summary>Mean framewise displacement (mm) over the volumes after the dummy volumes.</summary>
    public required double FdMean { get; init; }

    /// <summary>Largest framewise displacement (mm).</summary>
    public required double FdMax { get; init; }

    /// <summary>Volumes with FD above 0.2 mm (the stringent scrubbing threshold of Power et al. 2014 and Parkes et al. 2018).</summary>
    public required int FdOver02 { get; init; }

    /// <summary>Volumes with FD above 0.5 mm (the lenient threshold; nilearn's default).</summary>
    public required int FdOver05 { get; init; }

    /// <summary>The run strategy's FD censoring threshold (mm), or NaN when it does not scrub.</summary>
    public required double FdThreshold { get; init; }

    /// <summary>Volumes censored by the run's strategy (scrubbing with its minimum segment rule, non-steady-state volumes kept in the series).</summary>
    public required int Censored { get; init; }

    /// <summary>Parcel DVARS (% signal change) before cleaning.</summary>
    public required double DvarsBefore { get; init; }

    /// <summary>Parcel DVARS (% signal change) after cleaning.</summary>
    public required double DvarsAfter { get; init; }

    /// <summary>Mean voxel tSNR inside the brain mask.</summary>
    public required double TsnrMean { get; init; }

    /// <summary>Median voxel tSNR inside the brain mask.</summary>
    public required double TsnrMedian { get; init; }

    /// <summary>Temporal degrees of freedom used by the denoising.</summary>
    public required TemporalDegreesOfFreedom Dof { get; init; }

    /// <summary>Atlas regions.</summary>
    public required int Regions { get; init; }

    /// <summary>Regions without signal (no voxel in the mask or on the grid).</summary>
    public required int RegionsEmpty { get; init; }

    /// <summary>Mean coverage fraction over the atlas regions.</summary>
    public required double CoverageMean { get; init; }

    /// <summary>Smallest coverage fraction.</summary>
    public required double CoverageMin { get; init; }

    /// <summary>Regions less than half covered.</summary>
    public required int RegionsBelowHalf { get; init; }

    /// <summary>Censored / volumes.</summary>
    public double CensoredFraction => Volumes > 0 ? (double)Censored / Volumes : double.NaN;

    /// <summary>Volumes with FD above 0.2 mm / volumes.</summary>
    public double FdOver02Fraction => Volumes > 0 ? (double)FdOver02 / Volumes : double.NaN;

    /// <summary>The file name ending of the per-run table.</summary>
    public const string Suffix = "_desc-qc_motion.tsv";

    /// <summary>Measures a run.</summary>
    public static RunQc Measure(RunQcInputs input)
    {
        var sel = input.Selection;
        int n = sel.Volumes;
        var fd = (input.FramewiseDisplacement ?? []).Where(double.IsFinite).ToArray();
        int censored = n - sel.SampleMask.Length;
        bool scrubs = (sel.Strategy.Components & NoiseComponents.Scrub) != 0;

        var percent = ParcelDvars.PercentOfMean(input.Raw.Values);
        double before = ParcelDvars.Mean(percent);
        double after = double.NaN;
        if (percent.Features > 0)
        {
            var clean = input.Clean with { Standardize = StandardizeMethod.None };
            var confounds = sel.Columns.Count > 0 ? sel.Regressors : null;
            var cleaned = SignalCleaner.CleanWithPlans(percent, clean, confounds, sel.SampleMaskOrNull, null, null, input.Plans);
            after = ParcelDvars.Mean(cleaned, sel.SampleMask);
        }

        int cosines = sel.Columns.Count(c => c.StartsWith("cosine", StringComparison.Ordinal));
        var dof = TemporalDegreesOfFreedom.Compute(n, sel.Columns.Count, censored, cosines, input.Clean);
        var cov = input.Coverage;
        return new RunQc
        {
            Volumes = n,
            DummyVolumes = sel.DummyScans,
            FdMean = fd.Length > 0 ? fd.Average() : double.NaN,
            FdMax = fd.Length > 0 ? fd.Max() : double.NaN,
            FdOver02 = fd.Count(v => v > MotionExclusionRules.CountedFd),
            FdOver05 = fd.Count(v => v > 0.5),
            FdThreshold = scrubs ? sel.Strategy.FdThreshold : double.NaN,
            Censored = censored,
            DvarsBefore = before,
            DvarsAfter = after,
            TsnrMean = input.TemporalSnr.Mean,
            TsnrMedian = input.TemporalSnr.Median,
            Dof = dof,
            Regions = cov.Count,
            RegionsEmpty = cov.Count(c => c.IsEmpty),
            CoverageMean = cov.Count > 0 ? cov.Average(c => c.Coverage) : double.NaN,
            CoverageMin = cov.Count > 0 ? cov.Min(c => c.Coverage) : double.NaN,
            RegionsBelowHalf = cov.Count(c => c.Coverage < 0.5),
        };
    }

    /// <summary>The columns of the table, their values for this run and their descriptions (the sidecar's).</summary>
    public IReadOnlyList<(string Column, double Value, string Description)> Fields() =>
    [
        ("volumes", Volumes, "Volumes analysed: those after the dummy volumes"),
        ("dummy_volumes", DummyVolumes, "Leading non-steady-state volumes dropped before the analysis"),
        ("fd_mean", FdMean, "Mean framewise displacement (Power et al. 2012, fMRIPrep's framewise_displacement) over the analysed volumes, mm"),
        ("fd_max", FdMax, "Largest framewise displacement, mm"),
        ("fd_over_0.2", FdOver02, "Volumes with framewise displacement above 0.2 mm (censored by FD-only scrubbing at 0.2 mm before its minimum-segment rule)"),
        ("fd_over_0.5", FdOver05, "Volumes with framewise displacement above 0.5 mm (censored by FD-only scrubbing at 0.5 mm before its minimum-segment rule)"),
        ("fd_threshold", FdThreshold, "The run strategy's FD censoring threshold, mm (n/a: the strategy does not scrub)"),
        ("censored", Censored, "Volumes censored by the run's strategy (its scrubbing, with the minimum-segment rule, and non-steady-state volumes left in the series)"),
        ("censored_fraction", CensoredFraction, "censored / volumes"),
        ("dvars_before", DvarsBefore, "Parcel DVARS before cleaning: mean over consecutive volume pairs of the RMS over atlas regions of the change in the raw region mean, in % of the region's mean"),
        ("dvars_after", DvarsAfter, "Parcel DVARS after cleaning (same scale; the run's cleaning without standardisation), over consecutive kept volumes"),
        ("tsnr_mean", TsnrMean, "Mean temporal SNR (voxel mean / sample SD over the analysed volumes, raw data) inside the brain mask"),
        ("tsnr_median", TsnrMedian, "Median temporal SNR inside the brain mask"),
        ("tdof_regressors", Dof.Regressors, "Temporal degrees of freedom used by confound regressors (one each, discrete cosines included)"),
        ("tdof_censored", Dof.Censored, "Temporal degrees of freedom used by censoring (one per censored volume)"),
        ("tdof_filter", Dof.Filter, "Temporal degrees of freedom removed by the temporal filter: 2·N·TR·(removed bandwidth in Hz not already removed by the cosine regressors)"),
        ("tdof_loss", Dof.Loss, "tdof_regressors + tdof_censored + tdof_filter"),
        ("tdof_remaining", Dof.Remaining, "volumes − tdof_loss, at least 0"),
        ("tdof_loss_fraction", Dof.LossFraction, "tdof_loss / volumes"),
        ("regions", Regions, "Atlas regions"),
        ("regions_empty", RegionsEmpty, "Regions without signal (no voxel on the data grid or in the brain mask)"),
        ("coverage_mean", CoverageMean, "Mean fraction of a region's atlas voxels inside the brain mask"),
        ("coverage_min", CoverageMin, "Smallest such fraction"),
        ("regions_below_half_coverage", RegionsBelowHalf, "Regions less than half covered"),
    ];

    /// <summary>Writes the one-row table and its sidecar (<paramref name="extra"/> entries added to it) atomically.</summary>
    public void Write(string tsvPath, JsonObject? extra = null)
    {
        var fields = Fields();
        var sb = new StringBuilder();
        sb.AppendJoin('\t', fields.Select(f => f.Column)).Append('\n');
        sb.AppendJoin('\t', fields.Select(f => TsvTable.FormatNumber(f.Value))).Append('\n');
        var json = new JsonObject();
        foreach (var (column, _, description) in fields) json[column] = new JsonObject { ["Description"] = description };
        if (extra is not null)
            foreach (var (k, v) in extra) json[k] = v?.DeepClone();
        AtomicFile.WriteAllText(tsvPath, sb.ToString());
        AtomicFile.WriteAllText(Path.ChangeExtension(tsvPath, ".json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads a table written by <see cref="Write"/>; fails with the file named when a column is missing.</summary>
    public static RunQc Read(string tsvPath)
    {
        var t = TsvTable.Read(tsvPath);
        if (t.RowCount != 1) throw new NiSharpException(tsvPath, $"expected one row of QC measures, found {t.RowCount}");
        double V(string c)
        {
            int i = t.IndexOf(c);
            if (i < 0) throw new NiSharpException(tsvPath, $"no column '{c}' (made by an older NiSharp? rerun the participant level)");
            var cell = t.Rows[0][i];
            return TsvTable.TryParseNumber(cell, out var v) ? v : throw new NiSharpException(tsvPath, $"column '{c}': '{cell}' is not a number");
        }
        int I(string c) => (int)Math.Round(V(c));
        return new RunQc
        {
            Volumes = I("volumes"),
            DummyVolumes = I("dummy_volumes"),
            FdMean = V("fd_mean"),
            FdMax = V("fd_max"),
            FdOver02 = I("fd_over_0.2"),
            FdOver05 = I("fd_over_0.5"),
            FdThreshold = V("fd_threshold"),
            Censored = I("censored"),
            DvarsBefore = V("dvars_before"),
            DvarsAfter = V("dvars_after"),
            TsnrMean = V("tsnr_mean"),
            TsnrMedian = V("tsnr_median"),
            Dof = new TemporalDegreesOfFreedom(I("volumes"), I("tdof_regressors"), I("tdof_censored"), V("tdof_filter")),
            Regions = I("regions"),
            RegionsEmpty = I("regions_empty"),
            CoverageMean = V("coverage_mean"),
            CoverageMin = V("coverage_min"),
            RegionsBelowHalf = I("regions_below_half_coverage"),
        };
    }

    /// <summary>The measures as report rows (name, value as text).</summary>
    public IReadOnlyList<(string Key, string Value)> ReportRows()
    {
        static string F(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
        string Pct(int k) => Volumes > 0 ? $"{k} ({100.0 * k / Volumes:0.#}%)" : k.ToString(CultureInfo.InvariantCulture);
        return
        [
            ("volumes (after dummies)", $"{Volumes} ({DummyVolumes} dummy dropped)"),
            ("framewise displacement", $"mean {F(FdMean, "0.###")} mm, max {F(FdMax, "0.###")} mm"),
            ("volumes with FD > 0.2 mm", Pct(FdOver02)),
            ("volumes with FD > 0.5 mm", Pct(FdOver05)),
            ("censored by the strategy", Pct(Censored) + (double.IsNaN(FdThreshold) ? " (no scrubbing)" : $" (FD > {F(FdThreshold, "0.##")} mm)")),
            ("parcel DVARS before → after cleaning", $"{F(DvarsBefore, "0.###")} → {F(DvarsAfter, "0.###")} %"),
            ("tSNR in the brain mask", $"mean {F(TsnrMean, "0.#")}, median {F(TsnrMedian, "0.#")}"),
            ("temporal DOF used", string.Create(CultureInfo.InvariantCulture,
                $"{Dof.Loss:0.#} of {Volumes} ({Dof.Regressors} regressors + {Dof.Censored} censored + {Dof.Filter:0.#} filter); {Dof.Remaining:0.#} left")),
            ("atlas coverage", $"{Regions - RegionsEmpty} of {Regions} regions with signal; mean {F(CoverageMean, "0.00")}, min {F(CoverageMin, "0.00")}; {RegionsBelowHalf} below half"),
        ];
    }
}
