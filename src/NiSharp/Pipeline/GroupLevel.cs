using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Connectome;
using NiSharp.Group;
using NiSharp.IO;
using NiSharp.Plotting;
using NiSharp.Reports;

namespace NiSharp.Pipeline;

/// <summary>The result of a group-level invocation.</summary>
/// <param name="Included">Subjects whose participant outputs were used.</param>
/// <param name="Failed">Subjects without usable participant outputs, and why.</param>
/// <param name="Group1">Name of the first group.</param>
/// <param name="Group2">Name of the second group.</param>
/// <param name="Comparisons">One comparison per connectivity kind, in the order of <see cref="RunOptions.Kinds"/>.</param>
/// <param name="Outputs">The files written.</param>
/// <param name="ReportPath">The report page, or null without reports.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record GroupSummary(IReadOnlyList<string> Included, IReadOnlyList<FailedSubject> Failed, string Group1, string Group2,
    IReadOnlyList<(ConnectivityKind Kind, GroupComparisonTable Table)> Comparisons, IReadOnlyList<string> Outputs, string? ReportPath, TimeSpan Elapsed)
{
    /// <summary>The motion QC (exclusions, QC-FC, distance dependence, modularity), or null when it could not be computed.</summary>
    public GroupQcSummary? MotionQc { get; init; }

    /// <summary>The <c>atlas-</c> label of the atlas compared.</summary>
    public string? AtlasLabel { get; init; }

    /// <summary>0 when every selected subject had outputs, 1 when some are missing (they are reported).</summary>
    public int ExitCode => Failed.Count > 0 ? 1 : 0;
}

/// <summary>
/// <c>nisharp run FMRIPREP_DIR OUTPUT_DIR group</c>: reads the participant outputs (only those made with the same
/// parameters from the same inputs) and <c>participants.tsv</c>, splits the subjects into two groups, and compares
/// connectivity on the chosen edges — by default every pair of the atlas's default-mode regions (networks from the
/// atlas's label table) and, for the relabelled Yeo atlas, the lesson's 44–46 — with Welch t, permutation p and FDR.
/// Writes TSVs under <c>OUTPUT_DIR/group/</c> and the report; subjects without outputs are reported with the reason.
/// The tangent kind, relative to the group, is computed here and written beside each run's other matrices.
/// </summary>
public static class GroupLevel
{
    /// <summary>The folder of the group outputs.</summary>
    public static string GroupDirectory(string outputDir) => Path.Combine(outputDir, "group");

    /// <summary>Runs the group level of one atlas (<see cref="RunEach"/> for several).</summary>
    /// <exception cref="NiSharpException">Usage and input errors: no participants table or groups, an edge of labels not in
    /// the atlas, fewer than two subjects in a group, several tasks without <c>--task</c>, several atlases.</exception>
    public static GroupSummary Run(RunOptions options, IRunProgress? progress = null)
    {
        if (options.Atlases.Count > 1)
            throw NiSharpException.InParameter("atlas", $": GroupLevel.Run compares one atlas; RunEach compares each of {string.Join(", ", options.Atlases)}");
        return RunEach(options, progress)[0];
    }

    /// <summary>
    /// Runs the group level once per atlas of <see cref="RunOptions.Atlases"/>, in order, under one lock of the output
    /// folder: each atlas's participant outputs compared on their own, its tables under <c>group/</c> told apart by their
    /// <c>atlas-</c> entity. With one atlas the outputs are those of <see cref="Run"/>; with several, the failed-subjects
    /// table and the group page are per atlas too (<c>group/atlas-A_failed_subjects.tsv</c>, <c>group/atlas-A_report.html</c>),
    /// and the top page <c>report.html</c> shows each atlas's headline.
    /// </summary>
    /// <exception cref="NiSharpException">As <see cref="Run"/>, for the first atlas that fails.</exception>
    public static IReadOnlyList<GroupSummary> RunEach(RunOptions options, IRunProgress? progress = null)
    {
        var clock = Stopwatch.StartNew();
        progress ??= SilentProgress.Instance;
        options = options.Validate();
        var selection = RunSelection.Select(options);
        var tasks = selection.Tasks;
        if (tasks.Count > 1)
            throw new NiSharpException(options.InputDirectory, $"the runs have several tasks ({string.Join(", ", tasks)}); compare one at a time with {new ParameterName("task")}");
        var atlases = ParticipantContext.ForEach(options, selection);
        if (!Directory.Exists(options.OutputDirectory))
            throw new NiSharpException(options.OutputDirectory, "the output folder does not exist: run the participant level first");
        using var outputLock = OutputLock.Acquire(options.OutputDirectory);
        int leftovers = outputLock.RemoveLeftovers(options.OutputDirectory);
        if (leftovers > 0) progress.Message($"removed {leftovers} temporary file(s) left by an interrupted run");
        var summaries = new List<GroupSummary>();
        foreach (var ctx in atlases)
        {
            if (atlases.Count > 1) progress.Message($"atlas-{ctx.AtlasLabel} ({ctx.Atlas.Name}):");
            summaries.Add(Compare(ctx, selection, tasks, several: atlases.Count > 1, progress, clock));
        }
        if (options.Reports) RunReports.WriteTopPage(atlases, selection);
        return summaries;
    }

    // The group level of one atlas.
    private static GroupSummary Compare(ParticipantContext ctx, RunSelection selection, IReadOnlyList<string> tasks, bool several, IRunProgress progress, Stopwatch clock)
    {
        var options = ctx.Options;
        var atlas = ctx.Atlas;
        var atlasLabel = ctx.AtlasLabel;

        // Which subjects have complete, current participant outputs.
        var included = new List<(string Subject, IReadOnlyList<BoldRun> Runs)>();
        var failed = new List<FailedSubject>();
        foreach (var (subject, runs) in selection.Subjects)
        {
            var problem = runs.Select(r => Problem(r, ctx)).FirstOrDefault(p => p is not null);
            if (problem is null) included.Add((subject, runs));
            else failed.Add(new FailedSubject("sub-" + subject, problem.Value.Reason, problem.Value.File));
        }
        foreach (var f in failed) progress.Message($"{f.Subject}: not included: {f.Reason}");
        if (included.Count == 0) throw new NiSharpException(options.OutputDirectory, "no subject has participant-level outputs for these parameters: run the participant level first (with the same options)");

        // Groups.
        var ids = included.Select(s => s.Subject).ToArray();
        var (split, groupRule, participantsPath) = SplitGroups(options, selection.Layout, ids, progress);
        progress.Message($"{split.Group1}: {split.Count1} subjects, {split.Group2}: {split.Count2} subjects" +
                         (split.Membership.Count(m => m < 0) is int left and > 0 ? $", {left} in neither group" : ""));
        RequireGroupSizes(options, split, failed);

        var groupDir = GroupDirectory(options.OutputDirectory);
        TreeBoundary.CheckOutputFolder(options.OutputDirectory, groupDir);
        OutputFolder.Create(groupDir);
        var prefix = $"task-{tasks[0]}_space-{options.Space}_atlas-{atlasLabel}";
        var outputs = new List<string>();
        // Motion QC first: with --exclude-high-motion its exclusions leave the comparison too.
        var motionQc = GroupQcStep.Run(ctx, included, groupDir, prefix, outputs, progress);
        if (options.ExcludeHighMotion && motionQc is not null)
        {
            var excluded = motionQc.Subjects.Where((_, i) => motionQc.Result.Exclusions[i] is not null).ToHashSet(StringComparer.Ordinal);
            split = split with { Membership = split.Membership.Select((m, i) => excluded.Contains(ids[i]) ? -1 : m).ToArray() };
            progress.Message($"{new ParameterName("exclude_high_motion")}: {excluded.Count} subject(s) left out of the comparison");
        }
        var comparisons = new List<(ConnectivityKind, GroupComparisonTable)>();
        ConnectivityMatrix? firstMean = null;
        string? firstStats = null;
        foreach (var kind in options.Kinds)
        {
            var matrices = kind == ConnectivityKind.Tangent
                ? TangentMatrices(included, ctx, outputs)
                : included.Select(s => SubjectMatrix(s.Runs.Select(r => RunAnalysis.OutputsOf(r, ctx).Relmat(kind)).ToList())).ToList();
            var features = options.Edges is string e
                ? ConnectomeFeatures.Pairs(matrices, ConnectomeFeatures.ParseEdges(e))
                : DefaultFeatures(atlas, matrices);
            if (kind == options.Kinds[0])
                foreach (var w in ConnectomeFeatures.EmptyRegionWarnings(matrices, features)) progress.Message("warning: " + w);
            var table = GroupComparison.Run(features, split, new GroupComparisonOptions { Permutations = options.Permutations, Seed = options.Seed });
            var stat = DerivativeNames.StatLabel(kind);
            var statsPath = Path.Combine(groupDir, $"{prefix}_stat-{stat}_desc-groupcomparison_statistics.tsv");
            table.Write(statsPath, new JsonObject
            {
                ["Description"] = $"Comparison of {kind.NilearnName()} between {split.Group1} and {split.Group2}",
                ["GroupRule"] = groupRule,
                ["Participants"] = participantsPath,
                ["Column"] = participantsPath is null ? null : options.GroupColumn,
                ["Subjects1"] = Ids(ids, split, 0),
                ["Subjects2"] = Ids(ids, split, 1),
                ["LeftOut"] = Ids(ids, split, -1),
                ["FailedSubjects"] = new JsonArray(failed.Select(f => (JsonNode?)f.Subject).ToArray()),
                ["Edges"] = options.Edges ?? "default-mode network intra-network pairs (networks from the atlas label table)" + (IsRelabeledYeo(atlas) ? " and the lesson's 44-46" : ""),
                ["MultipleRuns"] = "a subject's runs are averaged",
                [Provenance.ParametersHashKey] = ctx.Provenance.ParametersHash,
                ["GeneratedBy"] = Provenance.GeneratedBy("nisharp run group"),
            });
            outputs.Add(statsPath);
            outputs.Add(Path.ChangeExtension(statsPath, ".json"));
            var valuesPath = Path.Combine(groupDir, $"{prefix}_stat-{stat}_desc-edges_values.tsv");
            WriteValues(valuesPath, ids, split, features);
            outputs.Add(valuesPath);
            var mean = RunReports.MeanIgnoringNaN(matrices)!;
            var meanPath = Path.Combine(groupDir, $"{prefix}_stat-{stat}_desc-mean_relmat.tsv");
            var meta = Provenance.ConnectivityParameters(kind);
            meta["Description"] = $"Mean {kind.NilearnName()} over the {ids.Length} included subjects (n/a entries skipped)";
            meta["Subjects"] = new JsonArray(ids.Select(i => (JsonNode?)("sub-" + i)).ToArray());
            meta[Provenance.ParametersHashKey] = ctx.Provenance.ParametersHash;
            meta["GeneratedBy"] = Provenance.GeneratedBy("nisharp run group");
            mean.Write(meanPath, meta);
            outputs.Add(meanPath);
            firstMean ??= mean;
            firstStats ??= statsPath;
            comparisons.Add((kind, table));
        }
        var failedPath = Path.Combine(groupDir, several ? $"atlas-{atlasLabel}_failed_subjects.tsv" : "failed_subjects.tsv");
        var sb = new StringBuilder("participant_id\tfile\treason\n");
        foreach (var f in failed) sb.Append($"{f.Subject}\t{Clean(f.File ?? "n/a")}\t{Clean(f.Reason)}\n");
        AtomicFile.WriteAllText(failedPath, sb.ToString());
        outputs.Add(failedPath);

        string? report = null;
        if (options.Reports)
        {
            report = ReportPath(options.OutputDirectory, several ? atlasLabel : null);
            WriteReport(report, ctx, tasks, split, ids, included, groupRule, firstStats, comparisons[0].Item2, comparisons[0].Item1, firstMean!, failed, motionQc);
        }
        return new GroupSummary(ids.Select(i => "sub-" + i).ToArray(), failed, split.Group1, split.Group2, comparisons, outputs, report, clock.Elapsed)
        {
            MotionQc = motionQc,
            AtlasLabel = atlasLabel,
        };
    }

    /// <summary>Fails when a group has fewer than <see cref="RunOptions.MinGroupSize"/> subjects with outputs, naming the
    /// subjects that failed or are missing (a scheduled group level must not compare two lone subjects silently).</summary>
    private static void RequireGroupSizes(RunOptions options, GroupSplit split, List<FailedSubject> failed)
    {
        foreach (var (name, count) in new[] { (split.Group1, split.Count1), (split.Group2, split.Count2) })
        {
            if (count >= options.MinGroupSize) continue;
            var missing = failed.Count == 0 ? "" :
                $"; {failed.Count} subject(s) failed or have no outputs: {string.Join(", ", failed.Take(10).Select(f => $"{f.Subject} ({f.Reason})"))}{(failed.Count > 10 ? ", …" : "")}";
            throw new NiSharpException(options.OutputDirectory,
                $"group '{name}' has {count} subject(s) with participant outputs, fewer than the minimum {options.MinGroupSize} ({new ParameterName("min_group_size")}){missing}");
        }
    }

    private static string Clean(string s) => s.Replace('\t', ' ').Replace('\n', ' ');

    private static JsonArray Ids(string[] ids, GroupSplit split, int group) =>
        new(ids.Where((_, i) => split.Membership[i] == group).Select(x => (JsonNode?)("sub-" + x)).ToArray());

    /// <summary>Why a run's participant outputs cannot be used (null when they can).</summary>
    private static (string Reason, string? File)? Problem(BoldRun run, ParticipantContext ctx)
    {
        var o = RunAnalysis.OutputsOf(run, ctx);
        try
        {
            TreeBoundary.CheckOutputFolder(ctx.Options.OutputDirectory, o.Directory);
        }
        catch (NiSharpException e) { return (e.Message, e.FilePath); }
        if (!File.Exists(o.TimeSeriesSidecar))
        {
            var status = SubjectStatus.Read(ctx.Options.OutputDirectory, run.Subject!);
            if (status is { State: "failed" }) return (status.Reason ?? "failed at the participant level", status.File);
            return ("no participant-level outputs (run the participant level first)", o.TimeSeries);
        }
        var (parameters, inputs) = RunAnalysis.ReadHashes(o.TimeSeriesSidecar);
        if (parameters != ctx.Provenance.ParametersHash)
            return ($"its outputs were made with other parameters (ParametersHash {parameters ?? "missing"}, these options give {ctx.Provenance.ParametersHash}): run both levels with the same options", o.TimeSeriesSidecar);
        if (inputs != Provenance.InputsHash(ctx.Options.InputDirectory, RunAnalysis.InputFiles(run)))
            return ("its input files changed after the participant level ran: rerun the participant level", run.Bold.Path);
        foreach (var k in ctx.Kinds)
            if (!File.Exists(o.Relmat(k))) return ($"no {DerivativeNames.StatLabel(k)} matrix (run the participant level with the same --kind)", o.Relmat(k));
        return null;
    }

    /// <summary>A subject's matrix: its run's, or the mean of its runs'.</summary>
    private static ConnectivityMatrix SubjectMatrix(IReadOnlyList<string> files)
    {
        var runs = files.Select(ConnectivityMatrix.Read).ToList();
        if (runs.Count == 1) return runs[0];
        var mean = RunReports.MeanIgnoringNaN(runs)!;
        return new ConnectivityMatrix(mean.Regions, mean.Values, files[0]);
    }

    /// <summary>
    /// Tangent-space matrices (Varoquaux et al. 2010) of every included run, fitted on all of them over the regions
    /// that have data in every run; written beside each run's other matrices. Returns one matrix per subject.
    /// </summary>
    private static List<ConnectivityMatrix> TangentMatrices(List<(string Subject, IReadOnlyList<BoldRun> Runs)> included, ParticipantContext ctx, List<string> outputs)
    {
        var runs = included.SelectMany(s => s.Runs.Select(r => (s.Subject, Run: r))).ToList();
        var series = runs.Select(r => RegionTimeSeries.Read(RunAnalysis.OutputsOf(r.Run, ctx).TimeSeries)).ToList();
        var regions = series[0].Regions;
        // Empty regions are n/a columns: the measure fits the geometric mean on the regions every run has.
        var measure = new ConnectivityMeasure(Provenance.Connectivity(ConnectivityKind.Tangent));
        var fitted = measure.FitTransform(series.Select(s => s.Signals).ToArray(), series.Select(s => s.SourcePath ?? "").ToArray());
        var perRun = new List<ConnectivityMatrix>();
        for (int k = 0; k < runs.Count; k++)
        {
            var full = fitted[k];
            var m = new ConnectivityMatrix(regions, full);
            var o = RunAnalysis.OutputsOf(runs[k].Run, ctx);
            var meta = Provenance.ConnectivityParameters(ConnectivityKind.Tangent);
            meta["Description"] = "Tangent-space connectivity relative to the geometric mean covariance of the included runs (computed by the group level)";
            meta["Sources"] = new JsonArray(ctx.OutputUri(o.TimeSeries));
            meta["ReferenceRuns"] = runs.Count;
            meta["EmptyRegions"] = new JsonArray(regions.Where((_, j) => double.IsNaN(full[j, j])).Select(r => (JsonNode?)r.LabelId).ToArray());
            meta[Provenance.ParametersHashKey] = ctx.Provenance.ParametersHash;
            meta["GeneratedBy"] = Provenance.GeneratedBy("nisharp run group");
            m.Write(o.Relmat(ConnectivityKind.Tangent), meta);
            outputs.Add(o.Relmat(ConnectivityKind.Tangent));
            perRun.Add(new ConnectivityMatrix(regions, full, o.Relmat(ConnectivityKind.Tangent)));
        }
        return included.Select(s =>
        {
            var mine = perRun.Where((_, k) => runs[k].Subject == s.Subject).ToList();
            return mine.Count == 1 ? mine[0] : new ConnectivityMatrix(regions, RunReports.MeanIgnoringNaN(mine)!.Values, mine[0].SourcePath);
        }).ToList();
    }

    private static bool IsRelabeledYeo(Atlas atlas) => atlas.Info?.Name == "yeo7-relabeled";

    /// <summary>The default features: every pair of default-mode regions with data, plus 44–46 for the relabelled Yeo atlas.</summary>
    internal static IReadOnlyList<ConnectomeFeature> DefaultFeatures(Atlas atlas, IReadOnlyList<ConnectivityMatrix> matrices)
    {
        bool HasData(int id) => matrices.Any(m => m.IndexOfLabel(id) is int i and >= 0 && !double.IsNaN(m.Values[i, i]));
        var dmn = atlas.Labels.Regions
            .Where(l => l.Network is string n && n.StartsWith("Default", StringComparison.OrdinalIgnoreCase))
            .Select(l => l.Id).Where(HasData).Order().ToList();
        var pairs = new List<(int, int)>();
        for (int i = 0; i < dmn.Count; i++)
            for (int j = i + 1; j < dmn.Count; j++) pairs.Add((dmn[i], dmn[j]));
        var lesson = DemoConnectome.LessonEdge;
        if (IsRelabeledYeo(atlas) && HasData(lesson.A) && HasData(lesson.B) && !pairs.Contains(lesson)) pairs.Insert(0, lesson);
        if (pairs.Count == 0)
            throw new NiSharpException($"atlas {atlas.Name}: its label table names no default-mode (Default*) network regions with data; choose edges with {new ParameterName("edges")}");
        return ConnectomeFeatures.Pairs(matrices, pairs);
    }

    /// <summary>The two groups: from the participants table (default CONTROL and SCHZ of <c>diagnosis</c>), or from subject-id
    /// patterns when <c>--groups</c> are globs (<c>1*</c> <c>5*</c>).</summary>
    private static (GroupSplit Split, string Rule, string? ParticipantsPath) SplitGroups(RunOptions options, BidsLayout layout, string[] ids, IRunProgress progress)
    {
        var groups = options.Groups;
        if (groups is not null && groups.Any(g => g.Contains('*') || g.Contains('?')))
            return (GroupSplit.FromIdPatterns(groups[0], groups[1], ids), $"subject-id patterns {groups[0]} and {groups[1]}", null);

        var path = options.ParticipantsFile ?? FindParticipants(options.InputDirectory)
            ?? throw new NiSharpException(options.InputDirectory, $"no participants.tsv here or in the raw dataset above it: give {new ParameterName("participants_file")} FILE, or id patterns such as {new ParameterName("groups")} '1*' '5*'");
        var table = TsvTable.Read(path);
        int col = table.IndexOf(options.GroupColumn);
        if (col < 0) throw new NiSharpException(path, $"no column '{options.GroupColumn}' for {new ParameterName("group_column")} (columns: {string.Join(", ", table.Columns)})");
        if (groups is null)
        {
            var levels = table.Rows.Select(r => r[col].Trim()).Where(v => v.Length > 0 && v != "n/a").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (levels.Contains(DemoDataset.ControlDiagnosis) && levels.Contains(DemoDataset.PatientDiagnosis))
                groups = [DemoDataset.ControlDiagnosis, DemoDataset.PatientDiagnosis];
            else if (levels.Count == 2)
                groups = levels;
            else
                throw new NiSharpException(path, $"column '{options.GroupColumn}' has the values {string.Join(", ", levels)}: choose two with {new ParameterName("groups")}");
        }
        var participants = new HashSet<string>(table.GetStrings("participant_id").Select(SubjectIds.Normalize), StringComparer.Ordinal);
        var listed = ids.Where(participants.Contains).ToArray();
        foreach (var missing in ids.Where(i => !participants.Contains(i)))
            progress.Message($"sub-{missing} is not in {path}: left out of the comparison");
        var inner = GroupSplit.FromParticipants(table, options.GroupColumn, groups[0], groups[1], listed);
        var membership = ids.Select(i => Array.IndexOf(listed, i) is int k and >= 0 ? inner.Membership[k] : -1).ToArray();
        return (new GroupSplit(groups[0], groups[1], membership), $"participants.tsv column '{options.GroupColumn}'", Path.GetFullPath(path));
    }

    /// <summary><c>participants.tsv</c> of the fMRIPrep folder, or of the raw dataset it derives from (two folders up in
    /// <c>ds/derivatives/fmriprep</c>).</summary>
    public static string? FindParticipants(string inputDir)
    {
        var here = Path.Combine(inputDir, "participants.tsv");
        if (File.Exists(here)) return here;
        var up = Path.GetDirectoryName(Path.GetDirectoryName(inputDir.TrimEnd('/')));
        if (up is not null && File.Exists(Path.Combine(up, "participants.tsv"))) return Path.Combine(up, "participants.tsv");
        return null;
    }

    private static void WriteValues(string path, string[] ids, GroupSplit split, IReadOnlyList<ConnectomeFeature> features)
    {
        var sb = new StringBuilder("participant_id\tgroup");
        foreach (var f in features) sb.Append('\t').Append(f.Name);
        sb.Append('\n');
        for (int s = 0; s < ids.Length; s++)
        {
            var group = split.Membership[s] switch { 0 => split.Group1, 1 => split.Group2, _ => "n/a" };
            sb.Append("sub-").Append(ids[s]).Append('\t').Append(group);
            foreach (var f in features) sb.Append('\t').Append(TsvTable.FormatNumber(f.Values[s]));
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>The group level's page, <c>OUTPUT_DIR/group/report.html</c> (with several atlases, one per atlas:
    /// <c>group/atlas-A_report.html</c>): the participant level never writes it.</summary>
    public static string ReportPath(string outputDir, string? atlasLabel = null) =>
        Path.Combine(GroupDirectory(outputDir), atlasLabel is null ? "report.html" : $"atlas-{atlasLabel}_report.html");

    /// <summary>
    /// The group page: what was compared and how (groups and their sizes, the value, the test, which p decides
    /// "significant", why each edge is there), a visible note when subjects above the motion limits stay in the
    /// comparison, the shown edges as box plots with d and q on them and captions that say why each is shown and what it
    /// found, the statistics with the regions' networks, the mean matrix banded by network, and the subjects with links
    /// to their pages.
    /// </summary>
    private static void WriteReport(string path, ParticipantContext ctx, IReadOnlyList<string> tasks, GroupSplit split, string[] ids,
        IReadOnlyList<(string Subject, IReadOnlyList<BoldRun> Runs)> included, string groupRule, string? statsFile, GroupComparisonTable table,
        ConnectivityKind kind, ConnectivityMatrix mean, IReadOnlyList<FailedSubject> failed, GroupQcSummary? motionQc)
    {
        var o = ctx.Options;
        string Network(int? label) => label is int id && ctx.Atlas.Labels[id]?.Network is string n ? n : "";
        static string F(double v, string format = "0.####") => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
        static string P(double p) => GroupComparisonTable.FormatP(p);
        bool permuted = table.Options.Permutations > 0;
        double Decision(FeatureComparison r) => permuted ? r.PPermutationFdr : r.PFdr;
        string fdr = F(table.Options.FdrLevel, "0.###");
        string what = kind == ConnectivityKind.Correlation ? "Pearson correlation r" : kind.NilearnName();

        var details = RunReports.Details(o, ctx.Atlas.Name, ctx.Provenance.ParametersHash, tasks);
        details.Add(("level", "group"));
        details.Add(("groups", $"{split.Group1} (n={split.Count1}) vs {split.Group2} (n={split.Count2})"));
        details.Add(("permutations", $"{table.PermutationsRun}{(table.ExactPermutation ? " (all splits)" : $", seed {o.Seed}")}"));

        // What and how, in words.
        int left = split.Membership.Count(m => m < 0);
        var explanation = new List<string>
        {
            $"Groups: {split.Group1} (n = {split.Count1}) and {split.Group2} (n = {split.Count2}), from {groupRule}" +
            (left > 0 ? $"; {left} subject(s) in neither group are left out." : ".") + $" Differences are {split.Group1} minus {split.Group2}.",
            $"Value: each subject's {what} between the two regions' cleaned signals (its run's matrix, or the mean of its runs' matrices), read from the participant-level outputs.",
            o.Edges is string given
                ? $"Edges: the {table.Rows.Count} given with --edges ({given})."
                : $"Edges: every pair of the atlas' default-mode regions (network Default… in its label table) with signal" +
                  (IsRelabeledYeo(ctx.Atlas) ? ", and 44–46, the lesson's DMN edge" : "") + $": {table.Rows.Count} edges.",
            "Test: Welch's two-sample t-test, two-sided (unequal variances; Welch–Satterthwaite degrees of freedom); Cohen's d is the difference over the pooled SD. " +
            (permuted
                ? $"p perm.: two-sided permutation p of |t|, {(table.ExactPermutation ? $"over all {table.PermutationsRun} splits of the subjects" : $"{table.PermutationsRun} random relabellings of the groups (seed {o.Seed})")}. " +
                  $"q: Benjamini–Hochberg FDR over the {table.Rows.Count} edges. An edge is significant when the q of its permutation p is at most {fdr}."
                : $"q: Benjamini–Hochberg FDR of Welch's p over the {table.Rows.Count} edges (no permutations). An edge is significant when its q is at most {fdr}."),
        };
        var notes = new List<string>();
        var excluded = new Dictionary<string, string>(StringComparer.Ordinal);
        if (motionQc is not null)
        {
            for (int i = 0; i < motionQc.Subjects.Count; i++)
                if (motionQc.Result.Exclusions[i] is string why) excluded[motionQc.Subjects[i]] = why;
            if (excluded.Count == 0)
                explanation.Add("Motion: every subject is within the motion limits (Parkes et al. 2018; see Motion quality control below).");
            else if (o.ExcludeHighMotion)
                explanation.Add($"Motion: {excluded.Count} subject(s) above the motion limits are left out of the comparison (--exclude-high-motion; see Motion quality control below).");
            else
                notes.Add($"{excluded.Count} subject(s) above the motion limits (Parkes et al. 2018) are in this comparison: " +
                          string.Join("; ", excluded.Select(kv => $"sub-{kv.Key} ({kv.Value})")) +
                          ". Rerun the group level with --exclude-high-motion to leave them out; Motion quality control below has the details.");
        }

        // The box + swarm plots: the lesson's edge when it was tested, and the strongest other difference.
        var shown = new List<(FeatureComparison Row, string Why)>();
        var lesson = table.Rows.FirstOrDefault(r => r.Feature.LabelA == DemoConnectome.LessonEdge.A && r.Feature.LabelB == DemoConnectome.LessonEdge.B);
        if (lesson is not null) shown.Add((lesson, "the lesson's DMN edge, 44–46"));
        var strongest = table.Rows.Where(r => r != lesson && !double.IsNaN(r.Welch.P)).OrderBy(r => r.Welch.P).FirstOrDefault();
        if (strongest is not null)
            shown.Add((strongest, $"the smallest Welch p among the {(lesson is null ? table.Rows.Count : table.Rows.Count - 1)} {(lesson is null ? "" : "other ")}edges"));
        var boxes = shown.Select(x =>
        {
            var r = x.Row;
            var v = ids.Select((id, s) => (id, s)).Where(y => split.Membership[y.s] >= 0)
                .Select(y => new GroupValue(split.Membership[y.s] == 0 ? split.Group1 : split.Group2, r.Feature.Values[y.s], "sub-" + y.id)).ToList();
            var f = r.Feature;
            string title = f.Kind == FeatureKind.Edge
                ? $"{f.RegionA} – {f.RegionB}" + (Network(f.LabelA) is { Length: > 0 } na ? $" ({na} – {Network(f.LabelB)})" : "")
                : $"Within-network connectivity {f.Name}";
            string annotation = $"d = {F(r.CohensD, "0.00")}, q = {P(Decision(r))}";
            string caption = $"{title}: shown as {x.Why}. {split.Group1} mean {F(r.Mean1, "0.000")} (n = {r.N1}), {split.Group2} mean {F(r.Mean2, "0.000")} (n = {r.N2}), " +
                             $"difference {F(r.Difference, "0.000")}, d = {F(r.CohensD, "0.00")}; Welch t = {F(r.Welch.T, "0.00")} (df {F(r.Welch.DegreesOfFreedom, "0.0")}), p = {P(r.Welch.P)}" +
                             (permuted ? $"; permutation p = {P(r.PPermutation)}" : "") + $"; q = {P(Decision(r))}: {(r.Significant ? "significant" : "not significant")} at FDR {fdr}. " +
                             "Each dot is a subject; boxes span the quartiles around the median, whiskers reach 1.5 IQR.";
            return new GroupBox(title, v, annotation, caption);
        }).ToList();

        var stats = new ReportTable(
            ["edge", "region a", "network a", "region b", "network b", $"mean {split.Group1}", $"mean {split.Group2}", "difference", "Cohen's d", "t", "p", "p (FDR)", "p perm.", "p perm. (FDR)", "significant"],
            table.Rows.Select(r => (IReadOnlyList<string>)
            [
                r.Feature.Name, r.Feature.RegionA, Network(r.Feature.LabelA), r.Feature.RegionB ?? "", Network(r.Feature.LabelB), F(r.Mean1), F(r.Mean2), F(r.Difference), F(r.CohensD),
                F(r.Welch.T), P(r.Welch.P), P(r.PFdr), P(r.PPermutation), P(r.PPermutationFdr), r.Significant ? "yes" : "no",
            ]).ToList());

        // The subjects, each linking to its run pages.
        var groupDir = Path.GetDirectoryName(path)!;
        var motionOf = motionQc?.Subjects.Select((sub, i) => (sub, m: motionQc.Motion[i])).ToDictionary(x => x.sub, x => x.m, StringComparer.Ordinal);
        var pageOf = included.ToDictionary(x => x.Subject, x => x.Runs.Select(r => RunAnalysis.OutputsOf(r, ctx).Report).FirstOrDefault(File.Exists), StringComparer.Ordinal);
        var subjectRows = ids.Select((id, s) => (IReadOnlyList<string>)
        [
            "sub-" + id,
            split.Membership[s] switch { 0 => split.Group1, 1 => split.Group2, _ => "neither" },
            motionOf is not null && motionOf.TryGetValue(id, out var m) ? F(m.MeanFd, "0.000") : "n/a",
            excluded.TryGetValue(id, out var why) ? why : "within the limits",
            split.Membership[s] >= 0 ? "yes" : "no",
        ]).ToList();
        var subjectTable = new ReportTable(["subject", "group", "mean FD (mm)", "motion", "compared"], subjectRows)
        {
            LinkColumn = 0,
            RowLinks = ids.Select(id => pageOf.GetValueOrDefault(id) is string page ? Path.GetRelativePath(groupDir, page).Replace('\\', '/') : null).ToList(),
        };

        var page = GroupReport.Build(new GroupReportInput
        {
            Title = "NiSharp run: group comparison",
            Details = details,
            Explanation = explanation,
            Notes = notes,
            Boxes = boxes,
            ValueLabel = kind == ConnectivityKind.Correlation ? "connectivity (Pearson r)" : $"connectivity ({kind.NilearnName()})",
            Statistics = stats,
            StatisticsCaption = $"One row per edge tested, in the order tested. p: Welch's two-sided p; p (FDR): its Benjamini–Hochberg q; p perm.: the permutation p; " +
                                $"p perm. (FDR): its q; significant: {(permuted ? "p perm. (FDR)" : "p (FDR)")} ≤ {fdr}. Networks from the atlas' label table.",
            StatisticsFile = statsFile is null ? null : Path.GetFileName(statsFile),
            MeanConnectivity = mean.Values.ToArray(),
            RegionNames = mean.Regions.Select(r => r.Name).ToArray(),
            RegionNetworks = mean.Regions.Select(r => Network(r.LabelId) is { Length: > 0 } n ? n : null).ToArray(),
            MeanCaption = $"Mean {what} over the {ids.Length} included subjects (entries without signal skipped), regions in atlas order with their networks as bands; regions without signal grey.",
            Subjects = ids.Select(i => "sub-" + i).ToArray(),
            SubjectTable = subjectTable,
            Failures = failed,
        });
        if (motionQc is not null) Qc.QcReport.AddGroupSection(page, motionQc.Result, motionQc.Motion, motionQc.Rules, motionQc.Notes, motionQc.Metrics.Strategy);
        page.Save(path);
    }
}
