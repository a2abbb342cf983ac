using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Bids;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Plotting;
using NiSharp.Reports;

namespace NiSharp.Pipeline;

/// <summary>
/// The run's pages: the settings table they share and the top page <c>OUTPUT_DIR/report.html</c>, which shows the latest
/// state of both levels from what is on disk (<see cref="WriteTopPage"/>).
/// </summary>
internal static class RunReports
{
    /// <summary>The run's settings as the report's table; <paramref name="tasks"/>: the tasks of the selected runs (shown when
    /// <c>--task</c> was not given).</summary>
    public static List<(string, string)> Details(RunOptions o, string atlasName, string parametersHash, IReadOnlyList<string> tasks) =>
    [
        ("input", o.InputDirectory),
        ("output", o.OutputDirectory),
        ("space", o.Space),
        ("task", o.Task ?? (tasks.Count > 0 ? string.Join(", ", tasks.Select(t => t.Length == 0 ? "(none)" : t)) : "all")),
        ("atlas", atlasName),
        ("confound strategy", o.Strategy),
        ("dummy volumes", o.DummyScans.ToString()),
        ("cleaning", Cleaning(o)),
        ("connectivity", string.Join(", ", o.Kinds.Select(k => k.NilearnName()))),
        ("parameters hash", parametersHash),
        ("NiSharp", Provenance.Version),
    ];

    /// <summary>The masker's smoothing and cleaning in one line, for the pages.</summary>
    public static string Cleaning(RunOptions o) =>
        (o.SmoothingFwhm is { IsNone: false } fwhm ? $"smoothing FWHM {fwhm}{(fwhm.IsFast ? "" : " mm")}, " : "") +
        $"detrend {o.Clean.Detrend}, high-pass {Hz(o.Clean.HighPass)}, low-pass {Hz(o.Clean.LowPass)}, standardize {Signal.CleanOptions.Name(o.Clean.Standardize)}" +
        (o.HighVarianceConfounds ? ", with 5 high-variance confounds" : "") +
        $"; censored volumes: {Signal.CleanOptions.Name(o.Clean.CensoredInterpolation)} interpolated, extrapolate {o.Clean.Extrapolate}; nilearn {Signal.CleanOptions.Name(o.Clean.Semantics)} semantics";

    /// <summary>
    /// The run's top page, <c>OUTPUT_DIR/report.html</c>: the latest state of both levels, read from the output folder —
    /// each subject complete, failed (why) or not yet run with a link to its pages, the mean matrix of the complete ones,
    /// and the group level's headline with a link to its page (<see cref="GroupLevel.ReportPath"/>), or why there is none
    /// or why it is out of date. Each level owns its own pages; either one rewrites this one, and only when it changes,
    /// so that a rerun that changes nothing changes no file. With several atlases (<paramref name="atlases"/>, one context
    /// each) a subject is complete when every atlas is, its link leads to the first atlas's page, the group level is
    /// shown atlas by atlas, and the mean matrix is the first atlas's.
    /// </summary>
    public static void WriteTopPage(IReadOnlyList<ParticipantContext> atlases, RunSelection selection)
    {
        var ctx = atlases[0];
        var o = ctx.Options;
        var outDir = o.OutputDirectory;
        selection = selection.WithAllParticipants(o);
        var page = new HtmlReport("NiSharp run");
        var parametersHash = ParticipantContext.ParametersHash(atlases);
        page.KeyValues(Details(o, string.Join(", ", atlases.Select(c => c.Atlas.Name)), parametersHash, selection.Tasks));

        // Participant level: each subject's state on disk, from the index where the subject's files are as they were.
        var kind = ctx.Kinds.FirstOrDefault(k => k != ConnectivityKind.Tangent, ConnectivityKind.Correlation);
        bool indexed = ctx.Grayordinates is null; // a grayordinate run's CIFTI outputs are not in the fingerprint
        var key = TopPageIndex.KeyOf(atlases, kind);
        var previous = indexed ? TopPageIndex.Load(outDir, key) : new TopPageIndex(key);
        var index = new TopPageIndex(key);
        var complete = new List<(string Subject, IReadOnlyList<BoldRun> Runs)>();
        var added = new List<(string Subject, IReadOnlyList<BoldRun> Runs)>(); // complete subjects not in the previous sums
        bool sumsHold = previous.Sums is { Exact: true };
        var rows = new List<IReadOnlyList<string>>();
        var links = new List<string?>();
        int failed = 0, pending = 0;
        foreach (var (subject, runs) in selection.Subjects)
        {
            string fingerprint = indexed ? TopPageIndex.Fingerprint(subject, runs, atlases) : "";
            if (!previous.Rows.Remove(subject, out var row) || row.Fingerprint != fingerprint) // (not indexed: no previous rows)
            {
                if (row is { Matrices: > 0 }) sumsHold = false; // its former matrices are in the sums
                row = SubjectRow(subject, runs, atlases, kind, parametersHash, fingerprint);
                if (row.Matrices > 0) added.Add((subject, runs));
            }
            index.Rows[subject] = row;
            if (row.Done) complete.Add((subject, runs));
            else if (row.FailedNow) failed++;
            else pending++;
            rows.Add(["sub-" + subject, row.Runs.ToString(CultureInfo.InvariantCulture), row.State, row.Fd]);
            links.Add(row.Link);
        }
        if (previous.Rows.Values.Any(r => r.Matrices > 0)) sumsHold = false; // subjects no longer in the dataset were summed
        page.Section("Participant level", "participant");
        page.Paragraph($"{selection.Subjects.Count} subject(s): {complete.Count} complete, {failed} failed, {pending} not run yet with these options. " +
                       "Each subject's page (per run: motion, coverage, the atlas on its data, its matrix) is linked from its name.");
        if (failed > 0) page.Warning($"{failed} subject(s) failed: the reason is in the table and in OUTPUT_DIR/logs/sub-<label>.log.");
        page.Table(new ReportTable(["subject", "runs", "state", "mean FD (mm)"], rows) { LinkColumn = 0, RowLinks = links });

        // Group level: its headline when its outputs are current.
        page.Section("Group level", "group");
        foreach (var c in atlases)
        {
            string? label = atlases.Count > 1 ? c.AtlasLabel : null;
            if (label is not null) page.Paragraph($"atlas-{label} ({c.Atlas.Name}):");
            var groupPage = GroupLevel.ReportPath(outDir, label);
            foreach (var line in GroupState(c, selection, complete, label))
                if (line.Link) page.LinkParagraph(line.Text, Path.GetRelativePath(outDir, groupPage).Replace('\\', '/'), Path.GetRelativePath(outDir, groupPage).Replace('\\', '/'), line.After);
                else if (line.Warn) page.Warning(line.Text);
                else if (line.Table is { } t) page.Table(t);
                else page.Paragraph(line.Text);
        }

        // The mean matrix: the previous sums plus the subjects added, when they hold; else every complete subject's matrices.
        var files = complete.SelectMany(x => x.Runs).Select(r => RunAnalysis.OutputsOf(r, ctx).Relmat(kind)).Where(File.Exists).ToList();
        var first = files.Count > 0 ? ConnectivityMatrix.Read(files[0]) : null; // its regions name the figure's rows
        Matrix<double>? mean = null;
        int meanOf = 0;
        if (first is not null)
        {
            int n = first.Regions.Count;
            var sums = indexed && sumsHold && previous.Sums!.Regions == n ? previous.Sums : null;
            var adding = sums is null ? files : added.SelectMany(x => x.Runs).Select(r => RunAnalysis.OutputsOf(r, ctx).Relmat(kind)).Where(File.Exists).ToList();
            sums ??= new MeanSums(n);
            // Summed as doubles too when summing from the start (in the page's order), for when a value is beyond the exact
            // sums; when only the added subjects are summed and one is, every matrix is read again as doubles.
            var doubles = sums.Matrices == 0 ? new MeanAccumulator(n) : null;
            foreach (var file in adding)
            {
                var values = file == files[0] ? first.Values : ConnectivityMatrix.ReadValues(file);
                if (values.RowCount != n) continue; // another atlas's matrix: not averaged (as before the index)
                sums.Add(values);
                doubles?.Add(values);
            }
            if (!sums.Exact && doubles is null)
            {
                doubles = new MeanAccumulator(n);
                foreach (var values in files.Select(f => f == files[0] ? first.Values : ConnectivityMatrix.ReadValues(f)).Where(v => v.RowCount == n)) doubles.Add(values);
            }
            if (sums.Exact && sums.Matrices > 0) (mean, meanOf) = (sums.Mean(), sums.Matrices);
            else if (doubles is { Matrices: > 0 }) (mean, meanOf) = (doubles.Mean(), doubles.Matrices);
            index.Sums = sums.Exact ? sums : null;
        }
        if (indexed) index.Save(outDir);
        if (mean is not null)
        {
            var regions = first!.Regions;
            page.Section("Mean connectivity" + (atlases.Count > 1 ? $": atlas {ctx.Atlas.Name}" : ""), "matrix");
            page.Figure(MatrixPlot.Svg(mean.ToArray(), regions.Select(r => r.Name).ToArray(), new MatrixPlotOptions
            {
                Title = $"Mean {kind.NilearnName()}", Size = 560,
                Networks = regions.Any(r => r.LabelId is int id && ctx.Atlas.Labels[id]?.Network is not null)
                    ? regions.Select(r => r.LabelId is int id ? ctx.Atlas.Labels[id]?.Network : null).ToArray() : null,
            }), $"Mean {kind.NilearnName()} over the {meanOf} run(s) of the complete subjects (entries without signal skipped), regions in atlas order with their networks as bands; regions without signal grey.");
        }
        var path = Path.Combine(outDir, "report.html");
        AtomicFile.WriteAllTextIfChanged(path, page.ToHtml());
    }

    // A subject's row read from its files: complete (every run, every atlas), failed with these options (why), or not
    // run yet; its mean FD over the runs' volumes; the link to its first page; how many matrices it adds to the mean.
    private static TopPageIndex.Row SubjectRow(string subject, IReadOnlyList<BoldRun> runs, IReadOnlyList<ParticipantContext> atlases, ConnectivityKind kind,
        string parametersHash, string fingerprint)
    {
        var ctx = atlases[0];
        var outDir = ctx.Options.OutputDirectory;
        // A subject without an output folder (most of them, when one subject of many runs on its own) has nothing to
        // check or link: one look at the folder instead of each run's files.
        bool hasOutputs = Directory.Exists(DerivativeNames.SubjectDirectory(outDir, subject));
        bool done = hasOutputs && runs.All(r => atlases.All(c => RunAnalysis.IsComplete(r, c)));
        var status = done ? null : SubjectStatus.Read(outDir, subject);
        bool failedNow = status is { State: "failed" } && status.ParametersHash == parametersHash;
        var qc = done ? runs.Select(r => RunAnalysis.OutputsOf(r, ctx).QcMotion).Where(File.Exists).Select(Qc.RunQc.Read).ToList() : [];
        string fd = qc.Count > 0 ? (qc.Sum(q => q.FdMean * q.Volumes) / qc.Sum(q => q.Volumes)).ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
        string state = done ? "complete" : failedNow ? "failed: " + (status!.Reason ?? "see its log") : "not run yet (or made with other options)";
        var report = hasOutputs ? runs.Select(r => RunAnalysis.OutputsOf(r, ctx).Report).FirstOrDefault(File.Exists) : null;
        int matrices = done ? runs.Count(r => File.Exists(RunAnalysis.OutputsOf(r, ctx).Relmat(kind))) : 0;
        return new TopPageIndex.Row(fingerprint, runs.Count, done, failedNow, state, fd,
            report is null ? null : Path.GetRelativePath(outDir, report).Replace('\\', '/'), matrices);
    }

    private sealed record PageLine(string Text, bool Warn = false, bool Link = false, string After = "", ReportTable? Table = null);

    /// <summary>What the top page says of the group level: not run, out of date (and why), or its headline.</summary>
    private static IEnumerable<PageLine> GroupState(ParticipantContext ctx, RunSelection selection, IReadOnlyList<(string Subject, IReadOnlyList<BoldRun> Runs)> complete,
        string? severalLabel)
    {
        var o = ctx.Options;
        string rerun = $"nisharp run {o.InputDirectory} {o.OutputDirectory} group" + (severalLabel is null ? "" : " --atlas " + string.Join(" ", o.Atlases));
        if (selection.Tasks.Count != 1)
        {
            yield return new PageLine($"The runs have several tasks ({string.Join(", ", selection.Tasks)}): the group level compares one at a time (--task).");
            yield break;
        }
        var kind = ctx.Kinds.FirstOrDefault(k => k != ConnectivityKind.Tangent, ConnectivityKind.Correlation);
        var prefix = $"task-{selection.Tasks[0]}_space-{o.Space}_atlas-{ctx.AtlasLabel}";
        var groupDir = GroupLevel.GroupDirectory(o.OutputDirectory);
        var statsPath = Path.Combine(groupDir, $"{prefix}_stat-{DerivativeNames.StatLabel(kind)}_desc-groupcomparison_statistics.tsv");
        var sidecar = Path.ChangeExtension(statsPath, ".json");
        if (!File.Exists(statsPath) || !File.Exists(sidecar))
        {
            yield return new PageLine($"Not run yet with these options: {rerun}");
            yield break;
        }
        System.Text.Json.Nodes.JsonObject? meta = null;
        // Unreadable or not JSON: the statistics are shown as out of date rather than failing the page.
        try { meta = System.Text.Json.Nodes.JsonNode.Parse(InputFile.ReadJsonBytes(sidecar, "group comparison sidecar", asInput: false)) as System.Text.Json.Nodes.JsonObject; }
        catch (Exception e) when (e is System.Text.Json.JsonException or NiSharpException) { }
        string[] Subjects(string key) => meta?[key] is System.Text.Json.Nodes.JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "").ToArray() : [];
        var compared = Subjects("Subjects1").Concat(Subjects("Subjects2")).Concat(Subjects("LeftOut")).ToHashSet(StringComparer.Ordinal);
        var now = complete.Select(c => "sub-" + c.Subject).ToHashSet(StringComparer.Ordinal);
        var written = File.GetLastWriteTimeUtc(statsPath);
        var newer = complete.SelectMany(c => c.Runs).Select(r => RunAnalysis.OutputsOf(r, ctx).TimeSeriesSidecar).Where(f => File.GetLastWriteTimeUtc(f) > written).ToList();
        string? stale = meta?[Provenance.ParametersHashKey]?.GetValue<string>() != ctx.Provenance.ParametersHash ? "it was made with other options"
            : !compared.SetEquals(now) ? $"it covers {compared.Count} subject(s), and {now.Count} are complete now"
            : newer.Count > 0 ? $"{newer.Count} run(s) were processed again after it"
            : null;
        if (stale is not null)
        {
            yield return new PageLine($"The group results are out of date: {stale}. Rerun the group level: {rerun}", Warn: true);
            yield return new PageLine("The previous group page is still there: ", Link: true, After: ".");
            yield break;
        }
        var t = TsvTable.ReadOwnOutput(statsPath);
        string g1 = meta?["Group1"]?.GetValue<string>() ?? "group 1", g2 = meta?["Group2"]?.GetValue<string>() ?? "group 2";
        bool permuted = meta?["Permutations"]?.GetValue<int>() > 0;
        var q = t.GetNumbers(permuted ? "p_permutation_fdr" : "p_fdr");
        var sig = t.GetStrings("significant");
        var feature = t.GetStrings("feature");
        var d = t.GetNumbers("cohens_d");
        var m1 = t.GetNumbers("mean1");
        var m2 = t.GetNumbers("mean2");
        int n1 = Subjects("Subjects1").Length, n2 = Subjects("Subjects2").Length;
        int significant = sig.Count(x => x == "true");
        yield return new PageLine($"{g1} (n = {n1}) vs {g2} (n = {n2}): {feature.Length} edge(s) compared with Welch's two-sided t-test and a permutation test, " +
                                  $"FDR over the edges; {significant} significant at FDR {meta?["FdrLevel"]?.GetValue<double>().ToString(CultureInfo.InvariantCulture) ?? "0.05"} " +
                                  $"({(permuted ? "q of the permutation p" : "q of Welch's p")}).");
        var top = Enumerable.Range(0, feature.Length).Where(i => !double.IsNaN(q[i])).OrderBy(i => q[i]).Take(Math.Max(3, significant)).ToList();
        static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.000", CultureInfo.InvariantCulture);
        if (top.Count > 0)
            yield return new PageLine("", Table: new ReportTable(["edge", $"mean {g1}", $"mean {g2}", "Cohen's d", "q", "significant"],
                top.Select(i => (IReadOnlyList<string>)[feature[i], F(m1[i]), F(m2[i]), F(d[i]), Group.GroupComparisonTable.FormatP(q[i]), sig[i] == "true" ? "yes" : "no"]).ToList()));
        var motionPath = Path.Combine(groupDir, $"{prefix}_desc-motionqc_participants.tsv");
        if (File.Exists(motionPath))
        {
            var motion = TsvTable.ReadOwnOutput(motionPath);
            var ids = motion.GetStrings("participant_id");
            var excluded = motion.GetNumbers("excluded").Select((x, i) => (x, i)).Where(x => x.x == 1).Select(x => ids[x.i]).ToList();
            var kept = excluded.Where(e => !Subjects("LeftOut").Contains(e)).ToList();
            if (kept.Count > 0)
                yield return new PageLine($"{kept.Count} subject(s) above the motion limits are in the comparison ({string.Join(", ", kept)}); --exclude-high-motion leaves them out.", Warn: true);
            else if (excluded.Count > 0)
                yield return new PageLine($"{excluded.Count} subject(s) above the motion limits are left out of the comparison.");
        }
        yield return new PageLine("The comparison — what was tested and how, the plots, every edge, the motion QC — is on its own page: ", Link: true, After: ".");
    }

    /// <summary>The element-wise mean of matrices over the same regions, skipping n/a entries; null when there are none.</summary>
    public static ConnectivityMatrix? MeanIgnoringNaN(IReadOnlyList<ConnectivityMatrix> matrices)
    {
        if (matrices.Count == 0) return null;
        var regions = matrices[0].Regions;
        var sums = new MeanAccumulator(regions.Count);
        foreach (var m in matrices)
            if (m.Regions.Count == regions.Count) sums.Add(m.Values);
        return new ConnectivityMatrix(regions, sums.Mean(), isGroupMean: true);
    }

    private static string Hz(double? v) => v is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) + " Hz" : "none";
}
