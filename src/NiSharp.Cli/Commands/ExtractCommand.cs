using System.CommandLine;
using System.Globalization;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Cifti;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
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
        var atlas = new Option<string>("--atlas") { Required = true, Description = $"Bundled atlas ({string.Join(", ", AtlasCatalog.All.Select(a => a.Name))}), coordinate set ({string.Join(", ", CoordinateAtlas.Names)}), a 3D label image or a 4D image of probabilistic maps, templateflow:ATLAS[:DESC] (dseg or probseg, in the BOLD's space, from the TemplateFlow home), or NAME[:DESC] of an --atlas-dataset; for a .dtseries.nii a grayordinate atlas ({string.Join(", ", AtlasCatalog.Grayordinate.Select(a => a.Name))}) or a .dlabel.nii" };
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
        var output = new Option<string>("--output", "-o") { Required = true, Description = "Time-series TSV to write (header of region names, one row per kept volume); a .json sidecar is written beside it" };
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
            var outPath = p.GetValue(output)!;
            var outDir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
            if (!Directory.Exists(outDir)) throw new NiSharpException(outPath, "cannot write: the folder does not exist");
            var coveragePath = p.GetValue(coverageOut);
            Fwhm? smoothing = p.GetValue(smoothingFwhm) is { Length: > 0 } fw ? Fwhm.Parse(fw) : null;

            // --strategy: reductions and confound presets, told apart by their names
            string? reduction = null, preset = null;
            foreach (var s in p.GetValue(strategy) ?? [])
            {
                bool isReduction = LabelsMaskerOptions.IsStrategyName(s);
                if (isReduction && reduction is not null || !isReduction && preset is not null)
                    throw new NiSharpException($"--strategy given twice for the same thing ('{reduction ?? preset}' and '{s}')");
                if (isReduction) reduction = s;
                else
                {
                    try { ConfoundPresets.Parse(s); }
                    catch (NiSharpException)
                    {
                        throw new NiSharpException($"unknown --strategy '{s}': a region reduction ({string.Join(", ", LabelsMaskerOptions.StrategyNames)}) " +
                                                   $"or a confound preset ({string.Join(", ", ConfoundPresets.PresetNames)})");
                    }
                    preset = s;
                }
            }

            int volumes;
            bool grayordinates = CiftiFile.IsCifti(boldPath);
            if (grayordinates)
            {
                using var dense = CiftiFile.Open(boldPath);
                dense.Header.Axis<BrainModelAxis>(1, boldPath);
                volumes = dense.Header.Axis<SeriesAxis>(0, boldPath).Count;
            }
            else using (var f = NiftiFile.Open(boldPath))
            {
                if (f.Header.NDim < 4 && f.VolumeCount == 1) throw new NiSharpException(boldPath, $"extract needs a 4D image; this one is {Image.ShapeText(f.Shape)}");
                volumes = f.VolumeCount;
            }
            var repetitionTime = ResolvedRepetitionTime.Resolve(boldPath, p.GetValue(tr), parameter: "--t-r");
            double? t_r = repetitionTime.Seconds;
            string? trSource = repetitionTime.Source;
            bool filtering = p.GetValue(lowPass) is not null || p.GetValue(highPass) is not null;
            if (filtering && t_r is null)
                throw new NiSharpException(boldPath, "filtering needs the repetition time: the header and sidecar have none; give --t-r");
            var (selection, dummy) = sel.SelectForRun(p, p.GetValue(confounds), boldPath, volumes, preset);
            var inputs = selection is null ? new MaskerInputs { DummyScans = dummy } : MaskerInputs.From(selection);

            var maskPath = p.GetValue(mask);
            var maskImg = maskPath is null || grayordinates ? null : Masking.LoadMask(maskPath);
            var keep = MaskerOptions.ParseKeepEmpty(p.GetValue(keepEmpty)!);
            var atlasName = p.GetValue(atlas)!;
            var labelsPath = p.GetValue(labels);
            double minCov = p.GetValue(minCoverage);
            var clean = compat.Apply(p, MaskerOptions.DefaultCleaning with
            {
                Detrend = p.GetValue(detrend), Standardize = CleanOptions.ParseStandardize(p.GetValue(standardize)!),
                LowPass = p.GetValue(lowPass), HighPass = p.GetValue(highPass), RepetitionTime = t_r,
            });
            var warnings = new List<string>();

            RegionSignals result;
            GrayordinateSignals? parcellated = null;
            string kind;
            if (p.GetValue(atlasMap) is not null && !grayordinates) throw new NiSharpException("--atlas-map picks a map of a .dlabel.nii atlas, for a .dtseries.nii");
            // One resolution of --atlas (TemplateFlow, BIDS-Atlas dataset, file or bundled) for this BOLD's space and voxels.
            var target = AtlasTarget.OfBold(boldPath, p.GetValue(space));
            var source = IsCoordinateAtlas(atlasName) ? null : AtlasResolver.Resolve(atlasSources.Spec(p, atlasName, labelsPath), target);
            if (!grayordinates && source?.Kind == AtlasKind.Grayordinate)
                throw new NiSharpException(atlasName, $"is a grayordinate (CIFTI) atlas: it parcellates a .dtseries.nii, and {boldPath} is a volume");
            if (source?.SpaceWarning(target) is string spaceWarning) warnings.Add(spaceWarning);
            if (grayordinates)
            {
                if (source?.Kind != AtlasKind.Grayordinate)
                    throw new NiSharpException(boldPath, $"is CIFTI grayordinates: --atlas must be a grayordinate atlas ({string.Join(", ", AtlasCatalog.Grayordinate.Select(a => a.Name))}) or a .dlabel.nii, not '{atlasName}'");
                if (maskPath is not null) throw new NiSharpException("--mask is a voxel mask; a .dtseries.nii is parcellated over the grayordinates the atlas labels");
                if (labelsPath is not null) throw new NiSharpException("--labels names a volume atlas's labels; a .dlabel.nii carries its own label table");
                if (p.GetValue(radius) is not null) throw new NiSharpException("--radius applies to coordinate atlases");
                var o = new GrayordinateLabelsMaskerOptions
                {
                    Atlas = source.LoadGrayordinate(p.GetValue(atlasMap)),
                    Strategy = reduction is null ? ReductionStrategy.Mean : LabelsMaskerOptions.ParseStrategy(reduction), MinCoverage = minCov,
                    KeepEmpty = keep, Clean = clean,
                    SmoothingFwhm = smoothing, HighVarianceConfounds = p.GetValue(highVariance),
                };
                parcellated = new GrayordinateLabelsMasker(o).FitTransform(boldPath, inputs, warnings);
                result = parcellated.Signals;
                kind = "grayordinate labels";
            }
            else if (source is null)
            {
                if (reduction is not null && reduction != "mean") throw new NiSharpException("spheres are averaged: --strategy other than mean needs a label atlas");
                if (labelsPath is not null) throw new NiSharpException("--labels names the labels of a label atlas; a coordinate atlas has its own");
                if (minCov != 0) throw new NiSharpException("--min-coverage applies to label atlases");
                var o = new SpheresMaskerOptions
                {
                    Seeds = CoordinateAtlas.Load(atlasName), Radius = p.GetValue(radius), MaskImg = maskImg, MaskSource = maskPath,
                    KeepEmpty = keep, Clean = clean, RepetitionTimeSource = trSource,
                    SmoothingFwhm = smoothing, HighVarianceConfounds = p.GetValue(highVariance),
                };
                result = new SpheresMasker(o).FitTransform(boldPath, inputs, warnings);
                kind = "spheres";
            }
            else if (source.Kind == AtlasKind.Maps)
            {
                var maps = source.LoadMaps();
                if (reduction is not null) throw new NiSharpException("probabilistic maps are fitted by least squares: --strategy (a reduction) needs a label atlas");
                if (minCov != 0) throw new NiSharpException("--min-coverage applies to label atlases");
                if (p.GetValue(radius) is not null) throw new NiSharpException("--radius applies to coordinate atlases");
                var o = new MapsMaskerOptions
                {
                    MapsImg = maps.Maps, MapsSource = source.ImagePath, Labels = maps.Labels,
                    MaskImg = maskImg, MaskSource = maskPath,
                    KeepEmpty = keep, Clean = clean, RepetitionTimeSource = trSource,
                    SmoothingFwhm = smoothing, HighVarianceConfounds = p.GetValue(highVariance),
                };
                result = new MapsMasker(o).FitTransform(boldPath, inputs, warnings);
                kind = "maps";
            }
            else
            {
                if (p.GetValue(radius) is not null) throw new NiSharpException("--radius applies to coordinate atlases");
                var labelAtlas = source.LoadLabels();
                if (source.LabelsPath is not null && labelAtlas.AbsentLabelsWarning() is string absent) warnings.Add(absent);
                var o = new LabelsMaskerOptions
                {
                    Atlas = labelAtlas, MaskImg = maskImg, MaskSource = maskPath,
                    Strategy = reduction is null ? ReductionStrategy.Mean : LabelsMaskerOptions.ParseStrategy(reduction), MinCoverage = minCov,
                    KeepEmpty = keep, Clean = clean, RepetitionTimeSource = trSource,
                    SmoothingFwhm = smoothing, HighVarianceConfounds = p.GetValue(highVariance),
                };
                result = new LabelsMasker(o).FitTransform(boldPath, inputs, warnings);
                kind = "labels";
            }

            var extra = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Sources"] = new[] { boldPath, source?.ImagePath ?? atlasName }.Concat(source?.LabelsPath is string l ? [l] : []).Concat(p.GetValue(confounds) is string c ? [c] : [])
                    .Concat(maskPath is null ? [] : [maskPath]).ToArray(),
                ["Atlas"] = source is null ? atlasName : AtlasDescription(source, target),
                ["GeneratedBy"] = new[]
                {
                    new Dictionary<string, object?> { ["Name"] = "NiSharp", ["Version"] = typeof(LabelsMasker).Assembly.GetName().Version?.ToString(), ["Command"] = "nisharp extract" },
                },
            };
            var ptseriesPath = parcellated is null ? null : GrayordinateSignals.ParcellatedSeriesPath(outPath);
            var written = new List<string>();
            try
            {
                result.Write(outPath, extra);
                written.AddRange([outPath, IO.RegionTimeSeriesFile.SidecarPath(outPath)]);
                if (parcellated is not null)
                {
                    parcellated.WriteParcellatedSeries(ptseriesPath!);
                    written.Add(ptseriesPath!);
                }
                if (coveragePath is not null) RegionCoverage.WriteTsv(coveragePath, result.Coverage);
            }
            catch (NiSharpException)
            {
                // A refused or failed output (a name that is an input, a full disk) takes back the files this command
                // wrote before it: a time series without its parcellated twin or coverage would look complete.
                foreach (var f in written)
                    try { File.Delete(f); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                throw;
            }

            foreach (var w in warnings) p.Err().WriteLine($"nisharp: warning: {w}");
            int empty = result.Regions.Count(r => r.IsEmpty);
            p.Out().WriteLine($"{outPath}: {result.Timepoints} volumes × {result.Values.Features} regions ({kind}" +
                              (empty > 0 ? $", {empty} empty kept as {MaskerOptions.Name(keep)}" : "") +
                              (keep == KeepEmpty.Drop && result.Coverage.Count > result.Regions.Count ? $", {result.Coverage.Count - result.Regions.Count} dropped" : "") +
                              $"), {result.VolumesIn} in, {dummy} dummy, {result.CensoredVolumes.Length} censored, {result.DataType}" +
                              (selection is null ? "" : $", {selection.Columns.Count} regressors") +
                              (t_r is double trSeconds ? $", TR {trSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s ({trSource})" : ""));
            if (ptseriesPath is not null) p.Out().WriteLine($"{ptseriesPath}: the same signals as a CIFTI parcellated time series");
            return 0;
        });
        return cmd;
    }

    private static bool IsCoordinateAtlas(string name) =>
        !File.Exists(name) && CoordinateAtlas.Names.Contains(name.Trim().Replace("-", "").Replace("_", ""), StringComparer.OrdinalIgnoreCase);

    // What the sidecar records of the atlas: its description, and the BOLD's space it was compared with.
    private static System.Text.Json.Nodes.JsonObject AtlasDescription(AtlasSource source, AtlasTarget target)
    {
        var d = source.Describe();
        d["DataSpace"] = target.Space;
        return d;
    }
}
