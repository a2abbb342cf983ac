using System.Globalization;
using System.Text.Json.Nodes;
using NiSharp.Bids;
using NiSharp.Connectome;
using NiSharp.Qc;

namespace NiSharp.Pipeline;

/// <summary>The group QC of a group-level run: the result, the subjects it covers (ids without <c>sub-</c>), their motion, notes.</summary>
public sealed record GroupQcSummary(GroupQcResult Result, IReadOnlyList<string> Subjects, IReadOnlyList<SubjectMotion> Motion,
    IReadOnlyList<string> Notes, StrategyMetrics Metrics, MotionExclusionRules Rules);

/// <summary>
/// The motion QC of <c>nisharp run … group</c> (<see cref="GroupMotionQc"/>) on the participant outputs: each subject's
/// motion from its runs' <c>…_desc-qc_motion.tsv</c>, its connectivity (correlation when computed, else the first kind;
/// runs averaged), age and sex from the participants table, centroids from the atlas. Writes under
/// <c>OUTPUT_DIR/group/</c>: <c>…_desc-motionqc_participants.tsv</c>, <c>…_desc-qcfc_edges.tsv</c> and the one-row
/// <c>…_desc-qcfc_summary.tsv</c> (the benchmark's columns), each with a sidecar.
/// </summary>
internal static class GroupQcStep
{
    public static GroupQcSummary? Run(ParticipantContext ctx, IReadOnlyList<(string Subject, IReadOnlyList<BoldRun> Runs)> included,
        string groupDir, string prefix, List<string> outputs, IRunProgress progress)
    {
        var options = ctx.Options;
        var kind = ctx.Kinds.Contains(ConnectivityKind.Correlation) ? ConnectivityKind.Correlation : ctx.Kinds.FirstOrDefault(k => k != ConnectivityKind.Tangent);
        var notes = new List<string>();
        if (ctx.Kinds.Count == 0 || kind == ConnectivityKind.Tangent)
        {
            progress.Message("motion QC skipped: it needs a per-run connectivity kind (correlation)");
            return null;
        }
        if (kind != ConnectivityKind.Correlation) notes.Add($"QC-FC uses {kind.NilearnName()} (correlation was not computed)");

        var subjects = new List<string>();
        var motion = new List<SubjectMotion>();
        var matrices = new List<ConnectivityMatrix>();
        foreach (var (subject, runs) in included)
        {
            var files = runs.Select(r => RunAnalysis.OutputsOf(r, ctx)).ToList();
            var missing = files.FirstOrDefault(o => !File.Exists(o.QcMotion));
            if (missing is not null)
            {
                notes.Add($"sub-{subject}: no motion QC table ({Path.GetFileName(missing.QcMotion)}): rerun the participant level; left out of the motion QC");
                continue;
            }
            subjects.Add(subject);
            motion.Add(SubjectMotion.FromRuns(subject, files.Select(o => RunQc.Read(o.QcMotion)).ToList()));
            var runMatrices = files.Select(o => ConnectivityMatrix.Read(o.Relmat(kind))).ToList();
            matrices.Add(runMatrices.Count == 1 ? runMatrices[0] : RunReports.MeanIgnoringNaN(runMatrices)!);
        }
        foreach (var n in notes) progress.Message("motion QC: " + n);
        if (subjects.Count == 0) return null;

        Participants? participants = null;
        var path = options.ParticipantsFile ?? GroupLevel.FindParticipants(options.InputDirectory);
        if (path is not null)
        {
            try { participants = Participants.Read(path); }
            catch (NiSharpException e) { notes.Add($"{e.Message}: QC-FC is not adjusted for age and sex"); }
        }
        var regions = matrices[0].Regions;
        var result = GroupMotionQc.Compute(new GroupQcInput
        {
            Subjects = subjects,
            Connectivity = matrices.Select(m => m.Values).ToList(),
            RegionLabels = regions.Select(r => r.LabelId).ToList(),
            Motion = motion,
            Covariates = GroupMotionQc.Covariates(participants, subjects, notes),
            Centroids = DistanceDependence.Centroids(ctx.Atlas),
            Rules = options.MotionExclusion,
            Seed = options.Seed,
        });
        var metrics = StrategyMetrics.From(ctx.Strategy.Name ?? options.Strategy, result);

        var stat = DerivativeNames.StatLabel(kind);
        var common = new JsonObject
        {
            ["ConfoundStrategy"] = ctx.Strategy.Name ?? options.Strategy,
            ["Notes"] = new JsonArray(notes.Select(x => (JsonNode?)x).ToArray()),
            [Provenance.ParametersHashKey] = ctx.Provenance.ParametersHash,
            ["GeneratedBy"] = Provenance.GeneratedBy("nisharp run group"),
        };
        var subjectsPath = Path.Combine(groupDir, $"{prefix}_desc-motionqc_participants.tsv");
        GroupQcFiles.WriteSubjects(subjectsPath, result, motion, options.MotionExclusion, common);
        var edgesPath = Path.Combine(groupDir, $"{prefix}_stat-{stat}_desc-qcfc_edges.tsv");
        GroupQcFiles.WriteEdges(edgesPath, result, regions, common);
        var summaryPath = Path.Combine(groupDir, $"{prefix}_stat-{stat}_desc-qcfc_summary.tsv");
        var summaryMeta = (JsonObject)common.DeepClone();
        summaryMeta["MotionExclusion"] = options.MotionExclusion.ToJson();
        summaryMeta["Covariates"] = new JsonArray(result.CovariatesUsed.Select(c => (JsonNode?)c).ToArray());
        StrategyMetrics.Write(summaryPath, [metrics], summaryMeta);
        outputs.AddRange([subjectsPath, Path.ChangeExtension(subjectsPath, ".json"), edgesPath, Path.ChangeExtension(edgesPath, ".json"),
            summaryPath, Path.ChangeExtension(summaryPath, ".json")]);
        progress.Message($"motion QC: {result.ExcludedCount} of {subjects.Count} subject(s) above the motion limits; " +
                         (double.IsNaN(metrics.QcFcMedianAbs)
                             ? $"no QC-FC (needs {GroupMotionQc.MinimumSubjects} subjects kept beyond the covariates)"
                             : string.Create(CultureInfo.InvariantCulture, $"QC-FC significant in {Percent(metrics.QcFcSignificantFraction)} of edges, median |QC-FC| {metrics.QcFcMedianAbs:0.000}")));
        return new GroupQcSummary(result, subjects, motion, notes, metrics, options.MotionExclusion);
    }

    private static string Percent(double f) => double.IsNaN(f) ? "n/a" : $"{100 * f:0.#}%";
}
