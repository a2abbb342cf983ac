using System.Globalization;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Cifti;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Maskers;
using NiSharp.Qc;

namespace NiSharp.Pipeline;

/// <summary>
/// One BOLD run on fsLR grayordinates at the participant level (<c>nisharp run … --space fsLR</c>): fMRIPrep's
/// <c>*_space-fsLR_den-91k_bold.dtseries.nii</c> parcellated with a grayordinate atlas by
/// <see cref="GrayordinateLabelsMasker"/> (Workbench's <c>-cifti-parcellate</c>), with the confounds, cleaning,
/// connectivity and motion QC of a volume run (<see cref="RunAnalysis"/>), and the same signals and matrices also as
/// CIFTI (<c>…_timeseries.ptseries.nii</c>, <c>…_relmat.pconn.nii</c>). The temporal SNR is taken over the labelled
/// grayordinates (there is no brain mask); the report has no atlas-on-brain figure.
/// </summary>
internal static class GrayordinateRunAnalysis
{
    /// <summary>
    /// The grayordinate atlas of a run in <see cref="RunOptions.Space"/>, null for a volume run; a volume atlas on fsLR
    /// grayordinates, or a grayordinate atlas on volumes, is refused in one line.
    /// </summary>
    public static GrayordinateAtlas? LoadAtlas(RunOptions options, AtlasSource source)
    {
        bool grayordinateAtlas = source.Kind == AtlasKind.Grayordinate;
        if (options.OnGrayordinates && !grayordinateAtlas)
            throw new NiSharpException(source.Name, "is a volume atlas; --space fsLR parcellates grayordinates (*_space-fsLR_den-91k_bold.dtseries.nii): " +
                                                    $"give a grayordinate atlas ({string.Join(", ", AtlasCatalog.Grayordinate.Select(a => a.Name))}) or a .dlabel.nii");
        if (!options.OnGrayordinates && grayordinateAtlas)
            throw new NiSharpException(source.Name, $"is a grayordinate (CIFTI) atlas: it parcellates --space fsLR runs, not volumes in {options.Space}");
        if (!grayordinateAtlas) return null;
        if (options.AtlasLabels is not null)
            throw new NiSharpException("--atlas-labels names a volume atlas's labels; a .dlabel.nii carries its own label table");
        return source.LoadGrayordinate();
    }

    /// <summary>Whether the CIFTI outputs of a grayordinate run exist (the TSVs are checked by <see cref="RunAnalysis.IsComplete"/>).</summary>
    public static bool HasCiftiOutputs(RunOutputs o, ParticipantContext ctx) =>
        File.Exists(o.ParcelSeries) && ctx.Kinds.All(k => File.Exists(o.ParcelConnectivity(k)));

    public static void Execute(BoldRun run, ParticipantContext ctx, Action<string> log)
    {
        var options = ctx.Options;
        string bold = run.Bold.Path;
        var confoundsFile = run.RequireConfounds();
        BrainModelAxis data;
        int volumes;
        using (var f = CiftiFile.Open(bold))
        {
            f.Header.Axis<SeriesAxis>(0, bold);
            data = f.Header.Axis<BrainModelAxis>(1, bold);
            volumes = f.Rows;
        }
        if (volumes < 2) throw new NiSharpException(bold, $"not a BOLD series: {volumes} time point(s)");
        var repetitionTime = run.ResolveRepetitionTime();
        double t_r = repetitionTime.Require(bold);
        string trSource = repetitionTime.Source!;
        if (repetitionTime.Disagreement() is string disagreement) log(disagreement);

        var table = FmriprepConfounds.Load(confoundsFile.Path, run.ConfoundsJson?.Path, ConfoundSelector.MayRead(ctx.Strategy));
        if (table.RowCount != volumes)
            throw new NiSharpException(confoundsFile.Path, $"the confounds have {table.RowCount} rows but {run.Bold.Filename} has {volumes} time points");
        var selection = ConfoundSelector.Select(table, ctx.Strategy);
        log($"{run.Bold.Filename}: {volumes} time points of {data.Length} grayordinates, TR {t_r.ToString("0.###", CultureInfo.InvariantCulture)} s ({trSource}); " +
            $"{selection.DummyScans} dummy, {selection.Volumes - selection.SampleMask.Length} censored, {selection.Columns.Count} regressors ({ctx.Strategy.Name})");

        // The run's cleaning is the volume masker's (ctx.Masker), on the grayordinates the atlas labels.
        var m = ctx.Masker;
        var maskerOptions = new GrayordinateLabelsMaskerOptions
        {
            Atlas = ctx.Grayordinates!,
            Strategy = m.Strategy,
            MinCoverage = m.MinCoverage,
            KeepEmpty = m.KeepEmpty,
            SmoothingFwhm = m.SmoothingFwhm,
            HighVarianceConfounds = m.HighVarianceConfounds,
            Clean = m.Clean with { RepetitionTime = t_r },
            RepetitionTimeSource = trSource,
        };
        var masker = new GrayordinateLabelsMasker(maskerOptions);
        var fit = masker.Fit(data);
        // tSNR over the grayordinates that carry a parcel (there is no brain mask on grayordinates).
        var labelled = new List<int>();
        for (int g = 0; g < fit.KeyOfGrayordinate.Length; g++) if (fit.KeyOfGrayordinate[g] != 0) labelled.Add(g);
        var snr = new TemporalSnr(labelled.ToArray());
        var recorder = new RegionSignalRecorder(volumes - selection.DummyScans, fit.Index.Regions, snr);
        var warnings = new List<string>();
        var parcellated = masker.FitTransform(bold, MaskerInputs.From(selection), warnings, recorder);
        var region = parcellated.Signals;
        var empty = region.Coverage.Where(c => c.IsEmpty).Select(c => c.Id).ToArray();
        if (region.Coverage.Count - empty.Length < 2)
            throw new NiSharpException(bold, $"only {region.Coverage.Count - empty.Length} parcel(s) have grayordinates in the data; is the atlas on the data's mesh?");
        log($"  {region.Coverage.Count} parcels, {empty.Length} without grayordinates in the data{(empty.Length > 0 ? $" ({string.Join(", ", empty)})" : "")}; {region.Timepoints} time points kept");
        foreach (var w in warnings) log($"  warning: {w}");
        var qc = RunQcStep.Measure(table, selection, maskerOptions.Clean, recorder.Signals(), snr, region.Coverage);
        log(string.Create(CultureInfo.InvariantCulture,
            $"  motion QC: mean FD {qc.FdMean:0.###} mm, {qc.FdOver02} volume(s) above 0.2 mm, tSNR {qc.TsnrMean:0.#} (grayordinates), temporal DOF used {qc.Dof.Loss:0.#} of {qc.Volumes}"));

        var series = region.ToTimeSeries(bold);
        var matrices = new Dictionary<ConnectivityKind, ConnectivityMatrix>();
        foreach (var kind in ctx.Kinds)
            matrices[kind] = new ConnectivityMeasure(Provenance.Connectivity(kind)).FitTransform([series])[0];

        var outputs = RunAnalysis.OutputsOf(run, ctx);
        var inputsHash = Provenance.InputsHash(options.InputDirectory, RunAnalysis.InputFiles(run));
        var sources = new[] { bold, confoundsFile.Path, run.ConfoundsJson?.Path }.Where(p => p is not null).Select(p => ctx.SourceUri(p!)).ToArray();
        var sidecars = new RunSidecars(ctx, sources, inputsHash);
        var report = options.Reports ? RunAnalysis.BuildReport(run, ctx, table, selection, t_r, region, null, null, matrices, qc) : null;

        TreeBoundary.CheckOutputFolder(options.OutputDirectory, outputs.Directory);
        if (report is not null) TreeBoundary.CheckOutputFolder(options.OutputDirectory, Path.GetDirectoryName(outputs.Report)!);
        OutputFolder.Create(outputs.Directory);
        try
        {
            // The CIFTI files first: the time series' sidecar, written last by WriteOutputs, marks the run complete.
            parcellated.WriteParcellatedSeries(outputs.ParcelSeries);
            foreach (var (kind, matrix) in matrices)
                ParcelConnectome.Write(outputs.ParcelConnectivity(kind), matrix, parcellated.Parcels);
            RunAnalysis.WriteOutputs(outputs, ctx, sidecars, region, selection, qc, matrices, empty, report);
        }
        catch (Exception)
        {
            RunAnalysis.RemoveOutputs(outputs, ctx);
            foreach (var f in ctx.Kinds.Select(outputs.ParcelConnectivity).Append(outputs.ParcelSeries))
            {
                try { File.Delete(f); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            throw;
        }
    }
}
