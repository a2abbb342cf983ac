using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Plotting;
using NiSharp.Reports;

namespace NiSharp.Pipeline;

/// <summary>What every run of a participant-level invocation shares.</summary>
internal sealed class ParticipantContext
{
    public required RunOptions Options { get; init; }
    public required Provenance Provenance { get; init; }
    public required Atlas Atlas { get; init; }
    public required string AtlasLabel { get; init; }
    public required IRegionSignalSource Masker { get; init; }
    public required ConfoundStrategy Strategy { get; init; }
    public required IReadOnlyList<ConnectivityKind> Kinds { get; init; }

    /// <summary>A BIDS URI of an input file (<c>bids:preprocessed:sub-X/func/…</c>, resolved through the
    /// <c>DatasetLinks</c> of <c>dataset_description.json</c>).</summary>
    public string SourceUri(string path) => "bids:" + DerivativesDataset.InputLinkName + ":" + Path.GetRelativePath(Options.InputDirectory, path).Replace('\\', '/');

    /// <summary>A BIDS URI of a file of this derivative dataset (<c>bids::sub-X/func/…</c>).</summary>
    public string OutputUri(string path) => "bids::" + Path.GetRelativePath(Options.OutputDirectory, path).Replace('\\', '/');
}

/// <summary>
/// One BOLD run at the participant level: find its mask, confounds and repetition time; select the confounds;
/// extract and clean the region signals with the labels masker; estimate connectivity; write the outputs —
/// everything computed first, then written file by file atomically, the time-series sidecar (which carries the
/// hashes that mark the run complete) last.
/// </summary>
internal static class RunAnalysis
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static RunOutputs OutputsOf(BoldRun run, ParticipantContext ctx) =>
        new(DerivativeNames.RunDirectory(ctx.Options.OutputDirectory, run), DerivativeNames.RunPrefix(run, ctx.AtlasLabel));

    /// <summary>The input files whose change makes the outputs stale.</summary>
    public static IEnumerable<string?> InputFiles(BoldRun run) =>
        new[] { run.Bold.Path, run.Mask?.Path, run.Confounds?.Path, run.ConfoundsJson?.Path, run.Boldref?.Path }.Concat(run.Metadata.Sources);

    /// <summary>Whether the run's outputs exist and were made with these parameters from these inputs.</summary>
    public static bool IsComplete(BoldRun run, ParticipantContext ctx)
    {
        var o = OutputsOf(run, ctx);
        if (!File.Exists(o.TimeSeriesSidecar) || !File.Exists(o.TimeSeries) || !File.Exists(o.Coverage)) return false;
        if (ctx.Options.Reports && !File.Exists(o.Report)) return false;
        foreach (var k in ctx.Kinds)
            if (!File.Exists(o.Relmat(k)) || !File.Exists(o.RelmatSidecar(k))) return false;
        var (parameters, inputs) = ReadHashes(o.TimeSeriesSidecar);
        return parameters == ctx.Provenance.ParametersHash && inputs == Provenance.InputsHash(ctx.Options.InputDirectory, InputFiles(run));
    }

    /// <summary>The two hashes a sidecar records (nulls when missing or unreadable).</summary>
    public static (string? Parameters, string? Inputs) ReadHashes(string sidecar)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllText(sidecar)) is not JsonObject o) return (null, null);
            string? S(string key) => o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
            return (S(Provenance.ParametersHashKey), S(Provenance.InputsHashKey));
        }
        catch (Exception e) when (e is JsonException or IOException) { return (null, null); }
    }

    public static void Execute(BoldRun run, ParticipantContext ctx, Action<string> log)
    {
        var options = ctx.Options;
        string bold = run.Bold.Path;
        string? mask = run.Mask?.Path;
        if (mask is null) log($"warning: no brain mask beside {run.Bold.Filename}; region means use every voxel of the atlas");
        var confoundsFile = run.RequireConfounds();

        int volumes;
        double? headerTr;
        using (var f = NiftiFile.Open(bold))
        {
            if (f.Header.NDim < 4 || f.VolumeCount < 2)
                throw new NiSharpException(bold, $"not a BOLD series: shape {Image.ShapeText(f.Shape)}");
            volumes = f.VolumeCount;
            headerTr = f.RepetitionTime;
        }
        double? tr = run.RepetitionTime ?? headerTr;
        string trSource = run.RepetitionTime is not null ? "sidecar RepetitionTime" : "NIfTI header pixdim[4]";
        if (tr is not double t_r || !(t_r > 0))
            throw new NiSharpException(bold, "no RepetitionTime: neither the JSON sidecar nor the NIfTI header gives it");
        if (run.RepetitionTime is double sidecarTr && headerTr is double h && Math.Abs(sidecarTr - h) > 1e-3)
            log($"warning: RepetitionTime {sidecarTr} s in the sidecar but {h} s in the header; using the sidecar's, as BIDS says");

        var table = FmriprepConfounds.Load(confoundsFile.Path, run.ConfoundsJson?.Path);
        if (table.RowCount != volumes)
            throw new NiSharpException(confoundsFile.Path, $"the confounds have {table.RowCount} rows but {run.Bold.Filename} has {volumes} volumes");
        var selection = ConfoundSelector.Select(table, ctx.Strategy);
        var clean = options.CleanOptions(t_r);
        log($"{run.Bold.Filename}: {volumes} volumes, TR {t_r.ToString("0.###", CultureInfo.InvariantCulture)} s ({trSource}); " +
            $"{selection.DummyScans} dummy, {selection.Volumes - selection.SampleMask.Length} censored, {selection.Columns.Count} regressors ({ctx.Strategy.Name})");

        var region = ctx.Masker.Extract(new RegionRequest(bold, mask, selection.DummyScans, clean, selection.Regressors, selection.SampleMaskOrNull));
        var labels = region.Labels;
        var coverage = region.Coverage;
        var nonEmpty = Enumerable.Range(0, labels.Count).Where(c => coverage[c].CoveredVoxels > 0).ToArray();
        var empty = Enumerable.Range(0, labels.Count).Where(c => coverage[c].CoveredVoxels == 0).Select(c => labels[c].Id).ToArray();
        if (nonEmpty.Length < 2)
            throw new NiSharpException(bold, $"only {nonEmpty.Length} atlas region(s) have voxels in the brain mask; is the atlas in the BOLD's space ({run.Space})?");
        log($"  {labels.Count} regions, {empty.Length} without voxels in the mask{(empty.Length > 0 ? $" ({string.Join(", ", empty)})" : "")}; {region.Signals.Timepoints} volumes kept");

        // Connectivity over the regions with data; empty regions get n/a rows and columns.
        var signals = region.Signals;
        var x = Matrix<double>.Build.Dense(signals.Timepoints, nonEmpty.Length, (t, j) => signals[t, nonEmpty[j]]);
        var regions = labels.Select(l => new Region(l.Name, l.Id)).ToArray();
        var matrices = new Dictionary<ConnectivityKind, ConnectivityMatrix>();
        foreach (var kind in ctx.Kinds)
        {
            var m = new ConnectivityMeasure(new ConnectivityOptions { Kind = kind }).FitTransform([x], [bold])[0];
            var full = Matrix<double>.Build.Dense(labels.Count, labels.Count, double.NaN);
            for (int i = 0; i < nonEmpty.Length; i++)
                for (int j = 0; j < nonEmpty.Length; j++) full[nonEmpty[i], nonEmpty[j]] = m[i, j];
            matrices[kind] = new ConnectivityMatrix(regions, full);
        }

        var outputs = OutputsOf(run, ctx);
        var inputsHash = Provenance.InputsHash(options.InputDirectory, InputFiles(run));
        var sources = new[] { bold, mask, confoundsFile.Path, run.ConfoundsJson?.Path }.Where(p => p is not null).Select(p => (JsonNode?)ctx.SourceUri(p!)).ToArray();
        int dummy = selection.DummyScans;
        var kept = new HashSet<int>(selection.SampleMask);
        var censored = Enumerable.Range(0, selection.Volumes).Where(v => !kept.Contains(v)).Select(v => v + dummy).ToArray();

        var sidecar = new JsonObject
        {
            ["Description"] = "Mean BOLD signal of each atlas region after confound cleaning (nilearn NiftiLabelsMasker semantics), one row per kept volume",
            ["RepetitionTime"] = t_r,
            ["RepetitionTimeSource"] = trSource,
            ["Sources"] = new JsonArray(sources),
            ["Atlas"] = AtlasDescription(ctx),
            ["Masker"] = Provenance.ToNode(RegionExtraction.Parameters()),
            ["Confounds"] = Provenance.ToNode(selection.ToParameters()),
            ["SelectedConfounds"] = new JsonArray(selection.Columns.Select(c => (JsonNode?)c).ToArray()),
            ["Cleaning"] = Provenance.ToNode(Signal.SignalCleaner.EffectiveParameters(clean, selection.Columns, selection.SampleMaskOrNull, selection.Volumes)),
            ["VolumesInRun"] = volumes,
            ["DummyVolumes"] = dummy,
            ["CensoredVolumes"] = new JsonArray(censored.Select(v => (JsonNode?)v).ToArray()),
            ["CensoredVolumesNumbering"] = "0-based indices into the whole run, dummy volumes included",
            ["KeptVolumes"] = selection.SampleMask.Length,
            ["EmptyRegions"] = new JsonArray(empty.Select(v => (JsonNode?)v).ToArray()),
            ["EmptyRegionsHandling"] = "zero columns (no voxel of the region inside the brain mask); see the coverage table",
            [ConnectivityMatrix.RegionNamesKey] = new JsonArray(labels.Select(l => (JsonNode?)l.Name).ToArray()),
            [RegionTimeSeries.LabelIdsKey] = new JsonArray(labels.Select(l => (JsonNode?)l.Id).ToArray()),
            ["Parameters"] = ctx.Provenance.Parameters,
            [Provenance.ParametersHashKey] = ctx.Provenance.ParametersHash,
            [Provenance.InputsHashKey] = inputsHash,
            ["GeneratedBy"] = Provenance.GeneratedBy("nisharp run participant"),
        };

        string? report = options.Reports ? BuildReport(run, ctx, table, selection, t_r, region, matrices) : null;

        // Write: data files first, the time-series sidecar (the completion mark) last.
        Directory.CreateDirectory(outputs.Directory);
        AtomicFile.WriteAllText(outputs.TimeSeries, TimeSeriesText(labels, signals));
        AtomicFile.WriteAllText(outputs.Coverage, CoverageText(ctx.Atlas, coverage));
        foreach (var (kind, m) in matrices)
        {
            var meta = Provenance.ConnectivityParameters(kind);
            meta["Description"] = $"{kind.NilearnName()} between the atlas regions' cleaned signals";
            meta["Sources"] = new JsonArray(ctx.OutputUri(outputs.TimeSeries));
            meta["EmptyRegions"] = new JsonArray(empty.Select(v => (JsonNode?)v).ToArray());
            meta["TimePoints"] = signals.Timepoints;
            meta[Provenance.ParametersHashKey] = ctx.Provenance.ParametersHash;
            meta[Provenance.InputsHashKey] = inputsHash;
            meta["GeneratedBy"] = Provenance.GeneratedBy("nisharp run participant");
            m.Write(outputs.Relmat(kind), meta);
        }
        if (report is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(outputs.Report)!);
            AtomicFile.WriteAllText(outputs.Report, report);
        }
        AtomicFile.WriteAllText(outputs.TimeSeriesSidecar, sidecar.ToJsonString(Indented) + "\n");
    }

    private static JsonObject AtlasDescription(ParticipantContext ctx) => new()
    {
        ["Name"] = ctx.Atlas.Name,
        ["Label"] = ctx.AtlasLabel,
        ["Space"] = ctx.Atlas.Info?.Space,
        ["Licence"] = ctx.Atlas.Info?.Licence,
        ["Source"] = ctx.Atlas.Info is null ? ctx.Atlas.ImageSource : $"bundled with NiSharp ({ctx.Atlas.Info.ImageFile})",
        ["Regions"] = ctx.Atlas.Labels.Regions.Count,
    };

    /// <summary>The time-series TSV: a header of region names, one row per kept volume, float32 values.</summary>
    internal static string TimeSeriesText(IReadOnlyList<AtlasLabel> labels, Signal.SignalMatrix<float> signals)
    {
        var sb = new StringBuilder(signals.Timepoints * labels.Count * 12 + 256);
        sb.AppendJoin('\t', labels.Select(l => l.Name)).Append('\n');
        for (int t = 0; t < signals.Timepoints; t++)
        {
            var row = signals.Row(t);
            for (int c = 0; c < row.Length; c++)
            {
                if (c > 0) sb.Append('\t');
                sb.Append(TsvTable.FormatNumber(row[c]));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The coverage TSV (BIDS <c>index</c>/<c>name</c> columns, then network and voxel counts).</summary>
    internal static string CoverageText(Atlas atlas, IReadOnlyList<RegionCoverage> coverage)
    {
        var sb = new StringBuilder("index\tname\tnetwork\tatlas_voxels\tcovered_voxels\tcoverage\n");
        foreach (var c in coverage)
        {
            var network = atlas.Labels[c.Label]?.Network ?? "n/a";
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"{c.Label}\t{c.Name}\t{network}\t{c.AtlasVoxels}\t{c.CoveredVoxels}\t{(c.AtlasVoxels > 0 ? c.Fraction.ToString("0.####", CultureInfo.InvariantCulture) : "n/a")}\n"));
        }
        return sb.ToString();
    }

    private static string BuildReport(BoldRun run, ParticipantContext ctx, FmriprepConfounds table, ConfoundSelection selection, double tr,
        RegionSignals region, Dictionary<ConnectivityKind, ConnectivityMatrix> matrices)
    {
        int dummy = selection.DummyScans;
        double[]? fd = table.Has("framewise_displacement") ? table.Column("framewise_displacement")[dummy..] : null;
        var kept = new HashSet<int>(selection.SampleMask);
        var censored = Enumerable.Range(0, selection.Volumes).Select(v => !kept.Contains(v)).ToArray();
        Image<float>? meanEpi = null;
        if (run.Boldref is { } boldref)
        {
            try { meanEpi = Image.Load(boldref.Path); }
            catch (NiSharpException) { meanEpi = null; }
        }
        var atlasImage = region.AtlasOnGrid.As<float>();
        var colours = ctx.Atlas.Labels.Regions
            .Select(l => l.Colour is Rgba c ? new LabelColor(l.Id, l.Name, c.R, c.G, c.B) : new LabelColor(l.Id, l.Name, LabelColors.DefaultColor(l.Id).Red, LabelColors.DefaultColor(l.Id).Green, LabelColors.DefaultColor(l.Id).Blue))
            .ToList();
        var first = ctx.Kinds[0];
        var m = matrices[first].Values;
        var details = new List<(string, string)>
        {
            ("BOLD", run.Bold.RelativePath),
            ("task", run.Task ?? "n/a"),
            ("space", run.Space ?? "n/a"),
            ("atlas", ctx.Atlas.Name),
            ("confounds", $"{ctx.Strategy.Name}: {string.Join(", ", selection.Columns)}"),
            ("dummy volumes", dummy.ToString(CultureInfo.InvariantCulture)),
            ("censored volumes", censored.Count(c => c).ToString(CultureInfo.InvariantCulture)),
            ("cleaning", $"detrend {ctx.Options.Detrend}, band-pass {Hz(ctx.Options.HighPass)}–{Hz(ctx.Options.LowPass)}, standardize {Signal.CleanOptions.Name(ctx.Options.Standardize)}"),
        };
        var input = new SubjectReportInput
        {
            Subject = $"sub-{run.Subject}" + (run.Session is string s ? $" ses-{s}" : "") + (run.Run is string r ? $" run-{r}" : ""),
            Details = details,
            FramewiseDisplacement = fd,
            FdThreshold = ctx.Strategy.FdThreshold,
            Censored = censored,
            RepetitionTime = tr,
            Coverage = region.Coverage,
            MeanEpi = meanEpi,
            Atlas = atlasImage,
            Labels = colours,
            Connectivity = m.ToArray(),
            RegionNames = region.Labels.Select(l => l.Name).ToArray(),
            ConnectivityKind = first.NilearnName(),
        };
        return SubjectReport.Build(input).ToHtml();
    }

    private static string Hz(double? v) => v is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) + " Hz" : "none";
}
