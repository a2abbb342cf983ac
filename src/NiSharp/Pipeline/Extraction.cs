using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Cifti;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.IO;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Pipeline;

/// <summary>
/// What <c>nisharp extract</c> is asked: a BOLD file (a 4D NIfTI image or a CIFTI dense time series), one or more
/// atlases (bundled names, files, <c>templateflow:</c>, dataset atlases, coordinate sets) and the masker's parameters,
/// as given (text where the library parses it). <see cref="Extraction.Run"/> chooses the masker and checks what goes
/// together.
/// </summary>
public sealed record ExtractRequest
{
    /// <summary>The 4D image or <c>.dtseries.nii</c>.</summary>
    public required string Bold { get; init; }

    /// <summary>The atlases (at least one); each gives one complete set of outputs, all from one read of the BOLD.</summary>
    public required IReadOnlyList<string> Atlases { get; init; }

    /// <summary>The time-series TSV to write; with several atlases, each atlas's name is it with <c>_atlas-LABEL</c>
    /// inserted (<see cref="Extraction.OutputFor"/>).</summary>
    public required string Output { get; init; }

    /// <summary><c>--atlas-space</c>, <c>--atlas-dataset</c>, <c>--templateflow-home</c> (see <see cref="AtlasSpec"/>).</summary>
    public string? AtlasSpace { get; init; }

    /// <summary>BIDS-Atlas datasets searched for a dataset atlas.</summary>
    public IReadOnlyList<string> AtlasDatasets { get; init; } = [];

    /// <summary>The TemplateFlow home searched for <c>templateflow:</c> atlases.</summary>
    public string? TemplateFlowHome { get; init; }

    /// <summary>The label map of a <c>.dlabel.nii</c> atlas (number or name).</summary>
    public string? AtlasMap { get; init; }

    /// <summary>A label table replacing the atlas's names (one atlas only).</summary>
    public string? Labels { get; init; }

    /// <summary>The BOLD's template space (default: its <c>space-</c> entity).</summary>
    public string? Space { get; init; }

    /// <summary>A binary brain mask (volume data only).</summary>
    public string? Mask { get; init; }

    /// <summary>Region reduction and/or confound preset names, told apart by their vocabularies.</summary>
    public IReadOnlyList<string> Strategies { get; init; } = [];

    /// <summary>The confounds TSV (for the sidecar's sources; <see cref="SelectConfounds"/> reads it).</summary>
    public string? Confounds { get; init; }

    /// <summary>The confound selection for a BOLD of this many volumes and this preset (null: none): the regressors,
    /// sample mask and dummy volumes. The selection flags are shared by several commands, hence a callback.</summary>
    public required Func<int, string?, (ConfoundSelection? Selection, int DummyScans)> SelectConfounds { get; init; }

    /// <summary>The cleaning of the signals (detrend, standardize, filters, nilearn-release choices) without the repetition
    /// time, which <see cref="RepetitionTime"/> gives or the data's sidecar and header.</summary>
    public CleanOptions Clean { get; init; } = MaskerOptions.DefaultCleaning;

    /// <summary>The repetition time in seconds (null: the sidecar's, else the header's).</summary>
    public double? RepetitionTime { get; init; }

    /// <summary>nan, zero or drop.</summary>
    public string KeepEmpty { get; init; } = "nan";

    /// <summary>XCP-D's minimum coverage.</summary>
    public double MinCoverage { get; init; }

    /// <summary>The coverage table to write too (renamed per atlas as <see cref="Output"/>).</summary>
    public string? CoverageOutput { get; init; }

    /// <summary>Sphere radius in mm (coordinate atlases).</summary>
    public double? Radius { get; init; }

    /// <summary>nilearn's <c>smoothing_fwhm</c>.</summary>
    public Fwhm? SmoothingFwhm { get; init; }

    /// <summary>nilearn's <c>high_variance_confounds</c>.</summary>
    public bool HighVarianceConfounds { get; init; }
}

/// <summary>One atlas's outputs of an extraction.</summary>
/// <param name="Atlas">The atlas as given.</param>
/// <param name="Output">The time-series TSV written.</param>
/// <param name="ParcellatedSeries">The CIFTI parcellated series written beside it (grayordinates), or null.</param>
/// <param name="Kind">labels, maps, spheres or grayordinate labels.</param>
/// <param name="Signals">The cleaned signals.</param>
/// <param name="Warnings">This atlas's warnings.</param>
public sealed record ExtractedAtlas(string Atlas, string Output, string? ParcellatedSeries, string Kind, RegionSignals Signals, IReadOnlyList<string> Warnings);

/// <summary>The result of <see cref="Extraction.Run"/>: one entry per atlas, in the order given.</summary>
/// <param name="Atlases">Per atlas.</param>
/// <param name="DummyScans">Dummy volumes dropped.</param>
/// <param name="Regressors">Confound regressors (null: no confounds).</param>
/// <param name="RepetitionTime">The repetition time used (null: none known), with where it came from.</param>
/// <param name="KeepEmpty">What was done with empty regions.</param>
public sealed record ExtractResult(IReadOnlyList<ExtractedAtlas> Atlases, int DummyScans, int? Regressors, ResolvedRepetitionTime RepetitionTime, KeepEmpty KeepEmpty);

/// <summary>
/// <c>nisharp extract</c> as a library call: the masker chosen from the data and each atlas (labels, maps, spheres,
/// grayordinate labels), the options checked against it, the BOLD read once for every atlas, and one time-series TSV
/// with its sidecar (and the coverage table, the parcellated series) per atlas. Nothing is written until every atlas
/// is extracted; a failed write takes back what was written.
/// </summary>
public static class Extraction
{
    private sealed record Plan(string Atlas, AtlasSource? Source, string Output, string Kind, string? Label);

    /// <summary>Runs the extraction; see <see cref="ExtractRequest"/>.</summary>
    public static ExtractResult Run(ExtractRequest r)
    {
        if (r.Atlases.Count == 0) throw NiSharpException.InParameter("atlas", " needs at least one atlas");
        string boldPath = r.Bold;
        var outDir = Path.GetDirectoryName(Path.GetFullPath(r.Output))!;
        if (!Directory.Exists(outDir)) throw new NiSharpException(r.Output, "cannot write: the folder does not exist");
        bool several = r.Atlases.Count > 1;
        if (several && r.Labels is not null) throw NiSharpException.InParameter("labels", " names the labels of one atlas; give one --atlas with it");
        if (several && r.AtlasMap is not null) throw NiSharpException.InParameter("atlas_map", " picks a map of one .dlabel.nii atlas; give one --atlas with it");

        // --strategy: reductions and confound presets, told apart by their names
        string? reduction = null, preset = null;
        foreach (var s in r.Strategies)
        {
            bool isReduction = LabelsMaskerOptions.IsStrategyName(s);
            if (isReduction && reduction is not null || !isReduction && preset is not null)
                throw NiSharpException.InParameter("strategy", $" given twice for the same thing ('{reduction ?? preset}' and '{s}')");
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
        var repetitionTime = ResolvedRepetitionTime.Resolve(boldPath, r.RepetitionTime, parameter: "--t-r");
        double? t_r = repetitionTime.Seconds;
        string? trSource = repetitionTime.Source;
        bool filtering = r.Clean.LowPass is not null || r.Clean.HighPass is not null;
        if (filtering && t_r is null)
            throw new NiSharpException(boldPath, "filtering needs the repetition time: the header and sidecar have none; give --t-r");
        var (selection, dummy) = r.SelectConfounds(volumes, preset);
        var inputs = selection is null ? new MaskerInputs { DummyScans = dummy } : MaskerInputs.From(selection);

        var maskImg = r.Mask is null || grayordinates ? null : Masking.LoadMask(r.Mask);
        var keep = MaskerOptions.ParseKeepEmpty(r.KeepEmpty);
        var clean = r.Clean with { RepetitionTime = t_r };
        if (r.AtlasMap is not null && !grayordinates) throw NiSharpException.InParameter("atlas_map", " picks a map of a .dlabel.nii atlas, for a .dtseries.nii");
        // One resolution of each --atlas (TemplateFlow, BIDS-Atlas dataset, file or bundled) for this BOLD's space and voxels.
        var target = AtlasTarget.OfBold(boldPath, r.Space);
        var plans = new List<Plan>();
        var warningLists = new List<List<string>>();
        var labelsSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var atlasName in r.Atlases)
        {
            var warnings = new List<string>();
            var source = IsCoordinateAtlas(atlasName) ? null : AtlasResolver.Resolve(Spec(r, atlasName), target);
            if (!grayordinates && source?.Kind == AtlasKind.Grayordinate)
                throw new NiSharpException(atlasName, $"is a grayordinate (CIFTI) atlas: it parcellates a .dtseries.nii, and {boldPath} is a volume");
            if (source?.SpaceWarning(target) is string spaceWarning) warnings.Add(spaceWarning);
            string kind;
            if (grayordinates)
            {
                if (source?.Kind != AtlasKind.Grayordinate)
                    throw new NiSharpException(boldPath, $"is CIFTI grayordinates: --atlas must be a grayordinate atlas ({string.Join(", ", AtlasCatalog.Grayordinate.Select(a => a.Name))}) or a .dlabel.nii, not '{atlasName}'");
                if (r.Mask is not null) throw NiSharpException.InParameter("mask", " is a voxel mask; a .dtseries.nii is parcellated over the grayordinates the atlas labels");
                if (r.Labels is not null) throw NiSharpException.InParameter("labels", " names a volume atlas's labels; a .dlabel.nii carries its own label table");
                if (r.Radius is not null) throw NiSharpException.InParameter("radius", " applies to coordinate atlases");
                kind = "grayordinate labels";
            }
            else if (source is null)
            {
                if (reduction is not null && reduction != "mean") throw new NiSharpException("spheres are averaged: --strategy other than mean needs a label atlas");
                if (r.Labels is not null) throw NiSharpException.InParameter("labels", " names the labels of a label atlas; a coordinate atlas has its own");
                if (r.MinCoverage != 0) throw NiSharpException.InParameter("min_coverage", " applies to label atlases");
                kind = "spheres";
            }
            else if (source.Kind == AtlasKind.Maps)
            {
                if (reduction is not null) throw new NiSharpException("probabilistic maps are fitted by least squares: --strategy (a reduction) needs a label atlas");
                if (r.MinCoverage != 0) throw NiSharpException.InParameter("min_coverage", " applies to label atlases");
                if (r.Radius is not null) throw NiSharpException.InParameter("radius", " applies to coordinate atlases");
                kind = "maps";
            }
            else
            {
                if (r.Radius is not null) throw NiSharpException.InParameter("radius", " applies to coordinate atlases");
                kind = "labels";
            }
            string output = r.Output;
            string? label = null;
            if (several)
            {
                label = source is null ? DerivativeNames.AtlasLabel(atlasName) : DerivativeNames.AtlasLabel(source);
                if (labelsSeen.TryGetValue(label, out var other))
                    throw NiSharpException.InParameter("atlas", $": '{other}' and '{atlasName}' both have the label atlas-{label}; give each atlas once");
                labelsSeen[label] = atlasName;
                output = OutputFor(r.Output, label);
            }
            plans.Add(new Plan(atlasName, source, output, kind, label));
            warningLists.Add(warnings);
        }

        // The maskers, then one read of the BOLD for all of them.
        RegionSignals[] results;
        GrayordinateSignals[]? parcellated = null;
        var reductionStrategy = reduction is null ? ReductionStrategy.Mean : LabelsMaskerOptions.ParseStrategy(reduction);
        if (grayordinates)
        {
            var maskers = plans.Select(p => new GrayordinateLabelsMasker(new GrayordinateLabelsMaskerOptions
            {
                Atlas = p.Source!.LoadGrayordinate(r.AtlasMap),
                Strategy = reductionStrategy, MinCoverage = r.MinCoverage,
                KeepEmpty = keep, Clean = clean,
                SmoothingFwhm = r.SmoothingFwhm, HighVarianceConfounds = r.HighVarianceConfounds,
            })).ToArray();
            parcellated = [.. GrayordinateLabelsMasker.FitTransformEach(boldPath, maskers, inputs, warningLists)];
            results = parcellated.Select(p => p.Signals).ToArray();
        }
        else
        {
            var maskers = new List<RegionMasker>();
            for (int i = 0; i < plans.Count; i++)
                maskers.Add(VolumeMasker(r, plans[i], maskImg, reductionStrategy, keep, clean, trSource));
            var before = warningLists.Select(w => w.Count).ToArray();
            // The sidecars record each atlas's content hash: computed beside the atlas's fit and the pass rather than after them.
            foreach (var p in plans) p.Source?.HashInBackground();
            using (var file = NiftiFile.Open(boldPath))
                results = [.. RegionMasker.FitTransformEach(file, maskers, inputs, warningLists)];
            // A label table naming labels the image lacks, said where it was always said: asked after the pass, whose read of
            // the atlas counted its labels (asked before, it would read the atlas once more).
            for (int i = 0; i < plans.Count; i++)
                if (plans[i].Source?.LabelsPath is not null && maskers[i] is LabelsMasker labels && labels.Options.Atlas.AbsentLabelsWarning() is string absent)
                    warningLists[i].Insert(before[i], absent);
        }

        // Everything extracted: now the files, each atlas's set in turn.
        var written = new List<string>();
        try
        {
            for (int i = 0; i < plans.Count; i++)
            {
                var p = plans[i];
                results[i].Write(p.Output, Sidecar(r, p, target));
                written.AddRange([p.Output, RegionTimeSeriesFile.SidecarPath(p.Output)]);
                if (parcellated is not null)
                {
                    var ptseries = GrayordinateSignals.ParcellatedSeriesPath(p.Output);
                    parcellated[i].WriteParcellatedSeries(ptseries);
                    written.Add(ptseries);
                }
                if (r.CoverageOutput is string coverage)
                {
                    var path = p.Label is string l ? OutputFor(coverage, l) : coverage;
                    RegionCoverage.WriteTsv(path, results[i].Coverage);
                    written.Add(path);
                }
            }
        }
        catch (NiSharpException)
        {
            // A refused or failed output (a name that is an input, a full disk) takes back the files this command
            // wrote before it: a time series without its parcellated twin or coverage would look complete.
            foreach (var f in written)
                try { File.Delete(f); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
        return new ExtractResult(
            plans.Select((p, i) => new ExtractedAtlas(p.Atlas, p.Output, parcellated is null ? null : GrayordinateSignals.ParcellatedSeriesPath(p.Output),
                p.Kind, results[i], warningLists[i])).ToArray(),
            dummy, selection?.Columns.Count, repetitionTime, keep);
    }

    /// <summary>
    /// The name of one atlas's output when several atlases are extracted at once: <paramref name="output"/> with
    /// <c>_atlas-LABEL</c> inserted before its suffix (the last <c>_</c>-separated part of the name, BIDS style), or
    /// before its extension when it has no suffix: <c>sub-01_timeseries.tsv</c> → <c>sub-01_atlas-Yeo7_timeseries.tsv</c>,
    /// <c>out.tsv</c> → <c>out_atlas-Yeo7.tsv</c>.
    /// </summary>
    public static string OutputFor(string output, string atlasLabel)
    {
        var dir = Path.GetDirectoryName(output);
        var name = Path.GetFileName(output);
        int dot = name.IndexOf('.', 1);
        string stem = dot < 0 ? name : name[..dot], ext = dot < 0 ? "" : name[dot..];
        int us = stem.LastIndexOf('_');
        string renamed = us > 0 ? $"{stem[..us]}_atlas-{atlasLabel}{stem[us..]}{ext}" : $"{stem}_atlas-{atlasLabel}{ext}";
        return string.IsNullOrEmpty(dir) ? renamed : Path.Combine(dir, renamed);
    }

    private static RegionMasker VolumeMasker(ExtractRequest r, Plan p, Image<byte>? maskImg, ReductionStrategy reduction, KeepEmpty keep,
        CleanOptions clean, string? trSource)
    {
        if (p.Source is null)
            return new SpheresMasker(new SpheresMaskerOptions
            {
                Seeds = CoordinateAtlas.Load(p.Atlas), Radius = r.Radius, MaskImg = maskImg, MaskSource = r.Mask,
                KeepEmpty = keep, Clean = clean, RepetitionTimeSource = trSource,
                SmoothingFwhm = r.SmoothingFwhm, HighVarianceConfounds = r.HighVarianceConfounds,
            });
        if (p.Source.Kind == AtlasKind.Maps)
        {
            var maps = p.Source.LoadMaps();
            return new MapsMasker(new MapsMaskerOptions
            {
                MapsImg = maps.Maps, MapsSource = p.Source.ImagePath, Labels = maps.Labels,
                MaskImg = maskImg, MaskSource = r.Mask,
                KeepEmpty = keep, Clean = clean, RepetitionTimeSource = trSource,
                SmoothingFwhm = r.SmoothingFwhm, HighVarianceConfounds = r.HighVarianceConfounds,
            });
        }
        return new LabelsMasker(new LabelsMaskerOptions
        {
            Atlas = p.Source.LoadLabels(), MaskImg = maskImg, MaskSource = r.Mask,
            Strategy = reduction, MinCoverage = r.MinCoverage,
            KeepEmpty = keep, Clean = clean, RepetitionTimeSource = trSource,
            SmoothingFwhm = r.SmoothingFwhm, HighVarianceConfounds = r.HighVarianceConfounds,
        });
    }

    private static AtlasSpec Spec(ExtractRequest r, string atlas) => new()
    {
        Atlas = atlas,
        Labels = r.Labels,
        Space = r.AtlasSpace,
        Datasets = r.AtlasDatasets,
        TemplateFlowHome = r.TemplateFlowHome,
    };

    // The sidecar's provenance of one atlas's time series: the same whether it was extracted alone or with others.
    private static Dictionary<string, object?> Sidecar(ExtractRequest r, Plan p, AtlasTarget target) => new(StringComparer.Ordinal)
    {
        ["Sources"] = new[] { r.Bold, p.Source?.ImagePath ?? p.Atlas }.Concat(p.Source?.LabelsPath is string l ? [l] : []).Concat(r.Confounds is string c ? [c] : [])
            .Concat(r.Mask is string m ? [m] : []).ToArray(),
        ["Atlas"] = p.Source is null ? p.Atlas : AtlasDescription(p.Source, target),
        ["GeneratedBy"] = new[]
        {
            new Dictionary<string, object?> { ["Name"] = "NiSharp", ["Version"] = typeof(LabelsMasker).Assembly.GetName().Version?.ToString(), ["Command"] = "nisharp extract" },
        },
    };

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
