using System.CommandLine;
using System.Globalization;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Cifti;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Signal;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp extract BOLD --atlas NAME|FILE|templateflow:ATLAS[:DESC] [--labels FILE] [--space S] [--atlas-space S]
/// [--atlas-dataset DIR]… [--templateflow-home DIR] [--mask M] [--strategy mean|median|…]
/// [--confounds TSV (--columns/--strategy/--derivatives/--fd-threshold/--std-dvars-threshold)] [--detrend]
/// [--standardize zscore|zscore_sample|psc|none] [--low-pass HZ] [--high-pass HZ] [--t-r S]
/// [--dummy-scans N|auto] [--keep-empty nan|zero|drop] [--min-coverage F] [--high-variance-confounds] [--coverage-out FILE]
/// [--extrapolate] [--censored-interpolation all|nilearn] [--nilearn-semantics 0.14|0.10.4] -o TIMESERIES.tsv</c>:
/// region signals of a 4D image (nilearn's NiftiLabelsMasker; a 4D atlas file is a NiftiMapsMasker, a coordinate
/// atlas a NiftiSpheresMasker), written as a time-series TSV with a JSON sidecar of every effective parameter.
/// </summary>
/// <remarks>
/// <c>--strategy</c> takes both a region reduction (mean, median, …) and a confound preset (simple, scrubbing, …):
/// the two vocabularies do not overlap, so <c>--strategy median --strategy scrubbing</c> sets both.
/// </remarks>
internal static class ExtractCommand
{
    public static Command Create()
    {
        var bold = new Argument<string>("BOLD") { Description = "4D image (.nii or .nii.gz), or a CIFTI dense time series (.dtseries.nii)" };
        var atlas = new Option<string[]>("--atlas") { Required = true, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = $"One or more atlases, each read on the same pass over the BOLD (several: each output gets _atlas-LABEL before its suffix): bundled atlas ({string.Join(", ", AtlasCatalog.All.Select(a => a.Name))}), coordinate set ({string.Join(", ", CoordinateAtlas.Names)}), a 3D label image or a 4D image of probabilistic maps, templateflow:ATLAS[:DESC] (dseg or probseg, in the BOLD's space, from the TemplateFlow home), or NAME[:DESC] of an --atlas-dataset; for a .dtseries.nii a grayordinate atlas ({string.Join(", ", AtlasCatalog.Grayordinate.Select(a => a.Name))}) or a .dlabel.nii" };
        var space = new Option<string?>("--space") { Description = "Template space of the BOLD (default: its space- entity), e.g. MNI152NLin2009cAsym: picks templateflow: and dataset atlases, and is compared with the atlas's" };
        var atlasMap = new Option<string?>("--atlas-map") { Description = "The label map of a .dlabel.nii atlas: its number (1-based) or name (default: map 1, or the bundled atlas's map)" };
        var labels = new Option<string?>("--labels") { Description = "Label names for the atlas (BIDS dseg.tsv, FreeSurfer LUT, TXT or CSV); replaces the atlas's names (default: the bundled ones, or the dseg.tsv beside a _dseg image)" };
        var mask = new Option<string?>("--mask") { Description = "Binary brain mask; voxels outside it are left out (resampled to the image, nearest, when on another grid)" };
        var strategy = new Option<string[]>("--strategy")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = $"Region reduction ({string.Join(", ", LabelsMaskerOptions.StrategyNames)}; default mean) and/or confound preset " +
                          $"({string.Join(", ", ConfoundPresets.PresetNames)}, optionally +gsr; needs --confounds); repeat to give both",
        };
        var confounds = new Option<string?>("--confounds") { Description = "fMRIPrep confounds TSV; without --columns or a preset every numeric column is a regressor" };
        var sel = SelectionOptions.Create(includeDummyAuto: true, includeScrubThresholds: true);
        var detrend = new Option<bool>("--detrend") { Description = "Remove linear trends from the region signals and confounds (off unless given, as nilearn's masker)" };
        var standardize = new Option<string>("--standardize") { Description = "zscore (population std, nilearn 0.10.4's True), zscore_sample, psc or none (default, as nilearn's masker)", DefaultValueFactory = _ => "none" };
        var lowPass = new Option<double?>("--low-pass") { Description = "Low-pass cut-off in Hz (e.g. 0.08)" };
        var highPass = new Option<double?>("--high-pass") { Description = "High-pass cut-off in Hz (e.g. 0.009)" };
        var tr = new Option<double?>("--t-r") { Description = "Repetition time in seconds (default: the BIDS sidecar's RepetitionTime, else the NIfTI header)" };
        var keepEmpty = new Option<string>("--keep-empty") { Description = "Regions with no voxel on the data grid or in the mask: nan (default, an n/a column), zero, or drop (nilearn's columns)", DefaultValueFactory = _ => "nan" };
        keepEmpty.AcceptOnlyFromAmong("nan", "zero", "drop");
        var minCoverage = new Option<double>("--min-coverage") { Description = "Treat a label as empty when less than this fraction of it is in the field of view and the mask (XCP-D; default 0)", DefaultValueFactory = _ => 0 };
        var coverageOut = new Option<string?>("--coverage-out") { Description = "Also write the coverage table (TSV: index, name, network, atlas_voxels, grid_voxels, mask_voxels, coverage, status)" };
        var radius = new Option<double?>("--radius") { Description = "Sphere radius in mm for a coordinate atlas (default: the nearest voxel only)" };
        var smoothingFwhm = SmoothCommand.FwhmOption("--smoothing-fwhm", "Smooth each volume first (nilearn's smoothing_fwhm): FWHM in mm, three values (x y z) or 'fast'", required: false);
        var highVariance = new Option<bool>("--high-variance-confounds") { Description = "Also regress out the 5 high-variance confounds of the image (nilearn's high_variance_confounds=True: CompCor-like, every voxel, top 2% variance), before the --confounds; reads the image twice" };
        var output = new Option<string>("--output", "-o") { Required = true, Description = "Time-series TSV to write (header of region names, one row per kept volume); a .json sidecar is written beside it. With several --atlas, one per atlas: _atlas-LABEL inserted before the suffix (out_timeseries.tsv → out_atlas-Yeo7_timeseries.tsv)" };
        var cmd = new Command("extract", "Region signals of a 4D image (nilearn NiftiLabelsMasker / NiftiMapsMasker / NiftiSpheresMasker) with the masker's cleaning")
        {
            bold, atlas, atlasMap, labels, space, mask, strategy, confounds, detrend, standardize, lowPass, highPass, tr, keepEmpty, minCoverage, coverageOut, radius, smoothingFwhm, highVariance, output,
        };
        sel.AddTo(cmd, includeStrategy: false);
        var compat = new CleanCompatibilityOptions();
        compat.AddTo(cmd);
        var atlasSources = new AtlasSourceOptions();
        atlasSources.AddTo(cmd);
        var noCache = new Option<bool>("--no-cache") { Description = "Do not use the disk cache of fitted atlases ($NISHARP_CACHE, default ~/.cache/nisharp): read and resample the atlas again" };
        cmd.Options.Add(noCache);
        cmd.SetAction(p =>
        {
            using var cacheScope = p.GetValue(noCache) ? NiSharp.Atlases.FittedAtlasCache.Off() : null;
            var boldPath = p.GetValue(bold)!;
            var confoundsPath = p.GetValue(confounds);
            var result = Extraction.Run(new ExtractRequest
            {
                Bold = boldPath,
                Atlases = p.GetValue(atlas) ?? [],
                Output = p.GetValue(output)!,
                AtlasSpace = p.GetValue(atlasSources.AtlasSpace),
                AtlasDatasets = p.GetValue(atlasSources.Datasets) ?? [],
                TemplateFlowHome = p.GetValue(atlasSources.TemplateFlowHome),
                AtlasMap = p.GetValue(atlasMap),
                Labels = p.GetValue(labels),
                Space = p.GetValue(space),
                Mask = p.GetValue(mask),
                Strategies = p.GetValue(strategy) ?? [],
                Confounds = confoundsPath,
                SelectConfounds = (volumes, preset) => sel.SelectForRun(p, confoundsPath, boldPath, volumes, preset),
                Clean = compat.Apply(p, MaskerOptions.DefaultCleaning with
                {
                    Detrend = p.GetValue(detrend), Standardize = CleanOptions.ParseStandardize(p.GetValue(standardize)!),
                    LowPass = p.GetValue(lowPass), HighPass = p.GetValue(highPass),
                }),
                RepetitionTime = p.GetValue(tr),
                KeepEmpty = p.GetValue(keepEmpty)!,
                MinCoverage = p.GetValue(minCoverage),
                CoverageOutput = p.GetValue(coverageOut),
                Radius = p.GetValue(radius),
                SmoothingFwhm = p.GetValue(smoothingFwhm) is { Length: > 0 } fw ? Fwhm.Parse(fw) : null,
                HighVarianceConfounds = p.GetValue(highVariance),
            });

            foreach (var a in result.Atlases)
                foreach (var w in a.Warnings) p.Err().WriteLine($"nisharp: warning: {w}");
            foreach (var a in result.Atlases)
            {
                var signals = a.Signals;
                var keep = result.KeepEmpty;
                int empty = signals.Regions.Count(r => r.IsEmpty);
                p.Out().WriteLine($"{a.Output}: {signals.Timepoints} volumes × {signals.Values.Features} regions ({a.Kind}" +
                                  (empty > 0 ? $", {empty} empty kept as {MaskerOptions.Name(keep)}" : "") +
                                  (keep == KeepEmpty.Drop && signals.Coverage.Count > signals.Regions.Count ? $", {signals.Coverage.Count - signals.Regions.Count} dropped" : "") +
                                  $"), {signals.VolumesIn} in, {result.DummyScans} dummy, {signals.CensoredVolumes.Length} censored, {signals.DataType}" +
                                  (result.Regressors is int n ? $", {n} regressors" : "") +
                                  (result.RepetitionTime.Seconds is double trSeconds ? $", TR {trSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s ({result.RepetitionTime.Source})" : ""));
                if (a.ParcellatedSeries is string ptseries) p.Out().WriteLine($"{ptseries}: the same signals as a CIFTI parcellated time series");
            }
            return 0;
        });
        return cmd;
    }
}
