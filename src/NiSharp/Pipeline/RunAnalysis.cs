using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Plotting;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Qc;
using NiSharp.Reports;

namespace NiSharp.Pipeline;

/// <summary>
/// One BOLD run at the participant level: find its mask, confounds and repetition time; select the confounds;
/// extract and clean the region signals with the labels masker; estimate connectivity; write the outputs —
/// everything computed first, then written file by file atomically, the time-series sidecar (which carries the
/// hashes that mark the run complete) last.
/// </summary>
internal static class RunAnalysis
{
    public static RunOutputs OutputsOf(BoldRun run, ParticipantContext ctx) =>
        new(DerivativeNames.RunDirectory(ctx.Options.OutputDirectory, run), DerivativeNames.RunPrefix(run, ctx.AtlasLabel));

    /// <summary>The input files whose change makes the outputs stale.</summary>
    public static IEnumerable<string?> InputFiles(BoldRun run) =>
        new[] { run.Bold.Path, run.Mask?.Path, run.Confounds?.Path, run.ConfoundsJson?.Path, run.Boldref?.Path }.Concat(run.Metadata.Sources);

    /// <summary>Whether the run's outputs exist and were made with these parameters from these inputs.</summary>
    public static bool IsComplete(BoldRun run, ParticipantContext ctx)
    {
        var o = OutputsOf(run, ctx);
        // A run whose output folder leads out of the output is never complete: Execute fails it with the reason.
        try
        {
            TreeBoundary.CheckOutputFolder(ctx.Options.OutputDirectory, o.Directory);
        }
        catch (NiSharpException) { return false; }
        if (!CompletionFiles(run, ctx).All(File.Exists)) return false;
        if (ctx.Grayordinates is not null && !GrayordinateRunAnalysis.HasCiftiOutputs(o, ctx)) return false;
        var (parameters, inputs) = ReadHashes(o.TimeSeriesSidecar);
        return parameters == ctx.Provenance.ParametersHash && inputs == Provenance.InputsHash(ctx.Options.InputDirectory, InputFiles(run));
    }

    /// <summary>The files a complete run has for an atlas (besides a grayordinate run's CIFTI outputs): its time series and
    /// sidecar first (the sidecar records the hashes <see cref="IsComplete"/> compares), coverage, motion QC, page when the
    /// run makes pages, and each kind's matrix and sidecar.</summary>
    public static IEnumerable<string> CompletionFiles(BoldRun run, ParticipantContext ctx)
    {
        var o = OutputsOf(run, ctx);
        yield return o.TimeSeriesSidecar;
        yield return o.TimeSeries;
        yield return o.Coverage;
        yield return o.QcMotion;
        if (ctx.Options.Reports) yield return o.Report;
        foreach (var k in ctx.Kinds)
        {
            yield return o.Relmat(k);
            yield return o.RelmatSidecar(k);
        }
    }

    /// <summary>The two hashes a sidecar records (nulls when missing or unreadable).</summary>
    public static (string? Parameters, string? Inputs) ReadHashes(string sidecar)
    {
        try
        {
            // The run's own output, read back: not an input (it is rewritten), and a regular file only. Read through with a
            // reader rather than parsed into a document (a top-level string each is all this needs, and a resumed run or
            // the top page reads every subject's sidecar); a file that is not one JSON object still counts as missing.
            var reader = new Utf8JsonReader(InputFile.ReadJsonBytes(sidecar, "a JSON sidecar", asInput: false));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return (null, null);
            string? parameters = null, inputs = null;
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
                bool isParameters = reader.ValueTextEquals(Provenance.ParametersHashKey), isInputs = reader.ValueTextEquals(Provenance.InputsHashKey);
                reader.Read();
                string? value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (isParameters) parameters = value;
                else if (isInputs) inputs = value;
            }
            return (parameters, inputs);
        }
        catch (Exception e) when (e is JsonException or IOException or NiSharpException) { return (null, null); }
    }

    /// <summary>
    /// Analyses one run for every atlas of <paramref name="atlases"/> (the contexts of one invocation, one per atlas) on
    /// one read of its BOLD file: the maskers share the pass (<see cref="RegionMasker.FitTransformEach"/>), each atlas
    /// then gets its own QC, connectivity, report and files — the same, byte for byte, as when it runs alone. Nothing is
    /// written until every atlas is computed; a failed write removes that atlas's files.
    /// </summary>
    public static void Execute(BoldRun run, IReadOnlyList<ParticipantContext> atlases, Action<string> log)
    {
        if (atlases[0].Grayordinates is not null)
        {
            // RunOptions.Validate lets a grayordinate run have one atlas only.
            GrayordinateRunAnalysis.Execute(run, atlases.Single(), log);
            return;
        }
        var options = atlases[0].Options;
        var strategy = atlases[0].Strategy;
        string bold = run.Bold.Path;
        string? mask = run.Mask?.Path;
        if (mask is null) log($"warning: no brain mask beside {run.Bold.Filename}; region means use every voxel of the atlas");
        var confoundsFile = run.RequireConfounds();

        // One read of the BOLD file: its header here, then one pass for the region signals of every atlas, the motion QC
        // and the report's mean image.
        using var file = NiftiFile.Open(bold);
        if (file.Header.NDim < 4 || file.VolumeCount < 2)
            throw new NiSharpException(bold, $"not a BOLD series: shape {Image.ShapeText(file.Shape)}");
        int volumes = file.VolumeCount;
        var repetitionTime = run.ResolveRepetitionTime(file.Header);
        double t_r = repetitionTime.Require(bold);
        string trSource = repetitionTime.Source!;
        if (repetitionTime.Disagreement() is string disagreement) log(disagreement);

        var table = FmriprepConfounds.Load(confoundsFile.Path, run.ConfoundsJson?.Path, ConfoundSelector.MayRead(strategy));
        if (table.RowCount != volumes)
            throw new NiSharpException(confoundsFile.Path, $"the confounds have {table.RowCount} rows but {run.Bold.Filename} has {volumes} volumes");
        var selection = ConfoundSelector.Select(table, strategy);
        foreach (var w in selection.Warnings) log("warning: " + w);
        log($"{run.Bold.Filename}: {volumes} volumes, TR {t_r.ToString("0.###", CultureInfo.InvariantCulture)} s ({trSource}); " +
            $"{selection.DummyScans} dummy, {selection.Volumes - selection.SampleMask.Length} censored, {selection.Columns.Count} regressors ({strategy.Name})");

        // The labels maskers (nilearn NiftiLabelsMasker semantics) with the run's brain mask; empty regions are kept as
        // n/a columns so that every run has every atlas region, and are left out of the connectivity estimate.
        var maskImg = mask is null ? null : Masking.LoadMask(mask);
        var grid = Grid.Of(file);
        var maskers = new List<RegionMasker>();
        var maskerOptions = new List<LabelsMaskerOptions>();
        var fits = new List<FittedLabels>();
        var passes = new List<RunPass>();
        var warnings = new List<ICollection<string>?>();
        for (int i = 0; i < atlases.Count; i++)
        {
            var ctx = atlases[i];
            var o = ctx.Masker with
            {
                MaskImg = maskImg,
                MaskSource = mask is null ? null : ctx.SourceUri(mask),
                Clean = ctx.Masker.Clean with { RepetitionTime = t_r },
                RepetitionTimeSource = trSource,
            };
            var masker = new LabelsMasker(o);
            var fit = masker.Fit(grid);
            maskers.Add(masker);
            maskerOptions.Add(o);
            fits.Add(fit);
            // The report's background is fMRIPrep's BOLD reference, else the mean of the run, taken on the same pass
            // (by the first atlas's observer: one mean for all).
            // The tSNR over the brain mask is the same for every atlas: measured once.
            passes.Add(new RunPass(fit, volumes - selection.DummyScans, file, meanImage: i == 0 && options.Reports && run.Boldref is null,
                sharedSnr: i > 0 && fit.ResampledMask is not null && fits[0].ResampledMask is not null ? passes[0].Snr : null));
            warnings.Add(new List<string>());
        }
        // One set of cleaning plans for the run: its atlases clean alike, and so do their QC measures.
        var plans = new CleanPlanCache();
        var regions = RegionMasker.FitTransformEach(file, maskers, MaskerInputs.From(selection) with { Plans = plans }, warnings, passes);
        var meanEpi = options.Reports ? passes[0].MeanImage(run) : null;

        var inputsHash = Provenance.InputsHash(options.InputDirectory, InputFiles(run));
        var sources = new[] { bold, mask, confoundsFile.Path, run.ConfoundsJson?.Path }.Where(p => p is not null).Select(p => atlases[0].SourceUri(p!)).ToArray();
        var computed = new List<Action>();
        var pageParts = new SubjectPageParts(); // what the atlases' pages share: drawn once per run
        for (int i = 0; i < atlases.Count; i++)
        {
            var ctx = atlases[i];
            var region = regions[i];
            // With several atlases, each line says which one it is about.
            string indent = atlases.Count > 1 ? $"  atlas-{ctx.AtlasLabel}: " : "  ";
            var empty = region.Coverage.Where(c => c.IsEmpty).Select(c => c.Id).ToArray();
            if (region.Coverage.Count - empty.Length < 2)
                throw new NiSharpException(bold, $"only {region.Coverage.Count - empty.Length} {(atlases.Count > 1 ? $"region(s) of atlas {ctx.Atlas.Name}" : "atlas region(s)")} have voxels in the brain mask; is the atlas in the BOLD's space ({run.Space})?");
            log($"{indent}{region.Coverage.Count} regions, {empty.Length} without voxels in the mask{(empty.Length > 0 ? $" ({string.Join(", ", empty)})" : "")}; {region.Timepoints} volumes kept");
            foreach (var w in warnings[i]!) log($"{indent}warning: {w}");
            var pass = passes[i];
            var qc = RunQcStep.Measure(table, selection, maskerOptions[i].Clean, pass.Recorder.Signals(), pass.Snr, region.Coverage, plans);
            log(string.Create(CultureInfo.InvariantCulture,
                $"{indent}motion QC: mean FD {qc.FdMean:0.###} mm, {qc.FdOver02} volume(s) above 0.2 mm, tSNR {qc.TsnrMean:0.#}, temporal DOF used {qc.Dof.Loss:0.#} of {qc.Volumes}"));

            // Connectivity; the measure leaves empty (all n/a) regions out and gives them n/a rows and columns.
            var series = region.ToTimeSeries(bold);
            var matrices = new Dictionary<ConnectivityKind, ConnectivityMatrix>();
            foreach (var kind in ctx.Kinds)
                matrices[kind] = new ConnectivityMeasure(Provenance.Connectivity(kind)).FitTransform([series])[0];

            var outputs = OutputsOf(run, ctx);
            var sidecars = new RunSidecars(ctx, sources, inputsHash);
            var report = options.Reports ? BuildReport(run, ctx, table, selection, t_r, region, fits[i].ResampledLabels, meanEpi!, matrices, qc, pageParts) : null;
            TreeBoundary.CheckOutputFolder(options.OutputDirectory, outputs.Directory);
            if (report is not null) TreeBoundary.CheckOutputFolder(options.OutputDirectory, Path.GetDirectoryName(outputs.Report)!);
            computed.Add(() =>
            {
                OutputFolder.Create(outputs.Directory);
                try
                {
                    WriteOutputs(outputs, ctx, sidecars, region, selection, qc, matrices, empty, report);
                }
                catch (Exception)
                {
                    RemoveOutputs(outputs, ctx);
                    throw;
                }
            });
        }

        // Write, atlas by atlas: everything else first, the time series and their sidecar (which carry the hashes that
        // mark the run complete) last.
        foreach (var write in computed) write();
    }

    /// <summary>Writes a run's files: everything else first, the time series and their sidecar (which carries the hashes
    /// that mark the run complete) last.</summary>
    internal static void WriteOutputs(RunOutputs outputs, ParticipantContext ctx, RunSidecars sidecars, RegionSignals region,
        ConfoundSelection selection, RunQc qc, Dictionary<ConnectivityKind, ConnectivityMatrix> matrices, int[] empty, HtmlReport? report)
    {
        Maskers.RegionCoverage.WriteTsv(outputs.Coverage, region.Coverage);
        qc.Write(outputs.QcMotion, sidecars.MotionQc());
        foreach (var (kind, m) in matrices)
            m.Write(outputs.Relmat(kind), sidecars.Connectivity(kind, m, region, empty, ctx.OutputUri(outputs.TimeSeries)));
        if (report is not null)
        {
            OutputFolder.Create(Path.GetDirectoryName(outputs.Report)!);
            AtomicFile.Write(outputs.Report, report.WriteTo);
        }
        region.Write(outputs.TimeSeries, sidecars.TimeSeries(selection, AtlasDescription(ctx)), sidecars.TimeSeriesParameters(region));
    }

    /// <summary>
    /// After a write failed (a full disk): removes the files of the run written so far, and any older ones they were
    /// replacing, so that a failed run leaves no outputs, as when its inputs are at fault.
    /// </summary>
    internal static void RemoveOutputs(RunOutputs outputs, ParticipantContext ctx)
    {
        var files = new List<string> { outputs.TimeSeriesSidecar, outputs.TimeSeries, outputs.Coverage, outputs.QcMotion, Path.ChangeExtension(outputs.QcMotion, ".json") };
        foreach (var kind in ctx.Kinds) files.AddRange([outputs.Relmat(kind), outputs.RelmatSidecar(kind)]);
        if (ctx.Options.Reports) files.Add(outputs.Report);
        foreach (var f in files)
        {
            try { File.Delete(f); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>The atlas as sidecars record it: its name, origin, space, source files and content hash
    /// (<see cref="AtlasSource.Describe"/>), its output label and regions, and the space warning when it was given.</summary>
    internal static JsonObject AtlasDescription(ParticipantContext ctx)
    {
        var o = ctx.Atlas.Source?.Describe() ?? new JsonObject { ["Name"] = ctx.Atlas.Name, ["Space"] = ctx.Atlas.Space };
        o["Label"] = ctx.AtlasLabel;
        o["Regions"] = ctx.Atlas.Labels.Regions.Count;
        o["DataSpace"] = ctx.AtlasTarget.Space;
        if (ctx.SpaceWarning is string w) o["SpaceWarning"] = w;
        return o;
    }

    internal static HtmlReport BuildReport(BoldRun run, ParticipantContext ctx, FmriprepConfounds table, ConfoundSelection selection, double tr,
        RegionSignals region, Image<int>? atlasOnGrid, Image<float>? meanEpi, Dictionary<ConnectivityKind, ConnectivityMatrix> matrices, RunQc qc,
        SubjectPageParts? pageParts = null)
    {
        int dummy = selection.DummyScans;
        double[]? fd = table.Has("framewise_displacement") ? table.Column("framewise_displacement")[dummy..] : null;
        var kept = new HashSet<int>(selection.SampleMask);
        var censored = Enumerable.Range(0, selection.Volumes).Select(v => !kept.Contains(v)).ToArray();
        var colours = LabelColors.FromTable(ctx.Atlas.Labels);
        // With only --kind tangent the participant level has no matrix (tangent is relative to the group): no heatmap.
        var first = ctx.Kinds.Count > 0 ? ctx.Kinds[0] : (ConnectivityKind?)null;
        var details = new List<(string, string)>
        {
            ("BOLD", run.Bold.RelativePath),
            ("task", run.Task ?? "n/a"),
            ("space", run.Space ?? "n/a"),
            ("atlas", ctx.Atlas.Name + (ctx.Atlas.Space is string atlasSpace ? $" ({atlasSpace}{(ctx.Atlas.Source?.Resolution is string res ? ", res-" + res : "")})" : "")),
            ("confounds", $"{ctx.Strategy.Name}: {string.Join(", ", selection.Columns)}"),
            ("dummy volumes", dummy.ToString(CultureInfo.InvariantCulture)),
            ("censored volumes", censored.Count(c => c).ToString(CultureInfo.InvariantCulture)),
            ("cleaning", RunReports.Cleaning(ctx.Options)),
        };
        var (fdLines, fdNote) = fd is null ? ((IReadOnlyList<FdLine>)[], (string?)null) : QcReport.FdLines(fd, ctx.Options.MotionExclusion, ctx.Strategy);
        var input = new SubjectReportInput
        {
            Subject = $"sub-{run.Subject}" + (run.Session is string s ? $" ses-{s}" : "") + (run.Run is string r ? $" run-{r}" : ""),
            Details = details,
            FramewiseDisplacement = fd,
            FdThreshold = ctx.Strategy.FdThreshold,
            FdLines = fdLines,
            FdNote = fdNote,
            Censored = censored,
            RepetitionTime = tr,
            Coverage = region.Coverage,
            MeanEpi = meanEpi,
            Atlas = atlasOnGrid,
            Labels = colours,
            Connectivity = first is { } k ? matrices[k].Values.ToArray() : null,
            RegionNames = region.ColumnNames.ToArray(),
            RegionNetworks = region.Regions.Select(x => x.Network).ToArray(),
            ConnectivityKind = first?.NilearnName() ?? "correlation",
        };
        var page = SubjectReport.Build(input, pageParts);
        QcReport.AddRunSection(page, qc);
        return page;
    }
}

/// <summary>
/// What a participant run takes from the masker's single pass over the BOLD file: the raw region means and tSNR
/// statistics of the motion QC and, when the report has no BOLD reference to draw on, the mean image.
/// </summary>
internal sealed class RunPass : IExtractionObserver
{
    private readonly NiftiFile _file;
    private readonly RunningMean? _mean;
    // The mean image is nilearn's mean_img of the volumes read as double; a pass in float32 gives the same values only
    // for float32 data without scaling (else the mean is read in a pass of its own).
    private readonly bool _floatExact;
    private bool _meanIncomplete;

    /// <summary>The observer of one atlas's masker; <paramref name="sharedSnr"/>: the tSNR another atlas's observer of the
    /// same pass accumulates over the same voxels (the run's brain mask), taken as it is instead of accumulated again.</summary>
    public RunPass(FittedLabels fit, int volumes, NiftiFile file, bool meanImage, TemporalSnr? sharedSnr = null)
    {
        _file = file;
        Snr = sharedSnr ?? TemporalSnr.ForMask(fit);
        Recorder = new RegionSignalRecorder(volumes, fit.Index.Regions, sharedSnr is null ? Snr : null);
        _mean = meanImage ? new RunningMean(file.VoxelsPerVolume) : null;
        _floatExact = file.DataType == NiftiDataType.Float32 && file.Header.EffectiveScaling == (1, 0);
    }

    /// <summary>The raw region means of the kept volumes.</summary>
    public RegionSignalRecorder Recorder { get; }

    /// <summary>The voxel statistics of the temporal SNR.</summary>
    public TemporalSnr Snr { get; }

    public void Volume<T>(int index, ReadOnlySpan<T> volume) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (_mean is null) return;
        if (typeof(T) == typeof(double) || _floatExact) _mean.Add(volume);
        else _meanIncomplete = true;
    }

    public void Reduced<T>(int row, ReadOnlySpan<T> volume, ReadOnlySpan<T> regionValues) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T> =>
        Recorder.Reduced(row, volume, regionValues);

    /// <summary>The report's background: fMRIPrep's BOLD reference, else the mean of the run (from this pass when it
    /// could be taken, else from one more).</summary>
    public Image<float> MeanImage(BoldRun run)
    {
        if (run.Boldref is { } boldref)
        {
            try { return Image.Load(boldref.Path); }
            catch (NiSharpException) { }
        }
        return _mean is not null && !_meanIncomplete && _mean.Volumes == _file.VolumeCount ? _mean.Result(_file) : Volumes.Mean(run.Bold.Path);
    }
}
