using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Connectome;
using NiSharp.IO;

namespace NiSharp.Qc;

/// <summary>The tables of a group QC: QC-FC per edge and motion per subject, each with a JSON sidecar.</summary>
public static class GroupQcFiles
{
    /// <summary>
    /// QC-FC per edge: <c>region_a</c>, <c>region_b</c>, <c>label_a</c>, <c>label_b</c>, <c>distance_mm</c>, <c>qcfc</c>,
    /// <c>p</c>, <c>q_fdr</c> (n/a where not tested).
    /// </summary>
    public static void WriteEdges(string path, GroupQcResult qc, IReadOnlyList<Region> regions, JsonObject? extra = null)
    {
        var sb = new StringBuilder("region_a\tregion_b\tlabel_a\tlabel_b\tdistance_mm\tqcfc\tp\tq_fdr\n");
        if (qc.QcFc is { } r)
            for (int e = 0; e < r.Edges.Count; e++)
            {
                var (i, j) = r.Edges[e];
                sb.Append(Clean(regions[i].Name)).Append('\t').Append(Clean(regions[j].Name)).Append('\t')
                  .Append(Label(regions[i])).Append('\t').Append(Label(regions[j])).Append('\t')
                  .Append(TsvTable.FormatNumber(e < qc.EdgeDistance.Length ? qc.EdgeDistance[e] : double.NaN)).Append('\t')
                  .Append(TsvTable.FormatNumber(r.R[e])).Append('\t').Append(TsvTable.FormatNumber(r.P[e])).Append('\t')
                  .Append(TsvTable.FormatNumber(r.Q[e])).Append('\n');
            }
        var json = new JsonObject
        {
            ["Description"] = "QC-FC per edge: partial correlation, across the kept subjects, of the edge's connectivity with mean framewise displacement, given the covariates",
            ["Covariates"] = new JsonArray(qc.CovariatesUsed.Select(c => (JsonNode?)c).ToArray()),
            ["Subjects"] = qc.Included.Count,
            ["distance_mm"] = "Euclidean distance between the regions' centroids (centre of mass of the atlas label in world mm)",
            ["q_fdr"] = "Benjamini-Hochberg adjusted p over the tested edges",
        };
        Save(path, sb, json, extra);
    }

    /// <summary>Motion per subject: FD, censoring, tDOF loss, modularity, and whether (and why) it is excluded.</summary>
    public static void WriteSubjects(string path, GroupQcResult qc, IReadOnlyList<SubjectMotion> motion, MotionExclusionRules rules, JsonObject? extra = null)
    {
        var modularity = new double[motion.Count];
        Array.Fill(modularity, double.NaN);
        for (int k = 0; k < qc.Included.Count; k++) modularity[qc.Included[k]] = qc.SubjectModularity[k];
        var sb = new StringBuilder("participant_id\tfd_mean\tfd_max\tfd_over_0.2_fraction\tcensored_fraction\ttdof_loss\ttdof_loss_fraction\tmodularity\texcluded\texclusion_measure\texclusion_reason\n");
        for (int s = 0; s < motion.Count; s++)
        {
            var m = motion[s];
            sb.Append("sub-").Append(m.Subject);
            foreach (var v in new[] { m.MeanFd, m.MaxFd, m.FdOver02Fraction, m.CensoredFraction, m.TdofLoss, m.TdofLossFraction, modularity[s] })
                sb.Append('\t').Append(TsvTable.FormatNumber(v));
            sb.Append('\t').Append(qc.Exclusions[s] is null ? "0" : "1")
              .Append('\t').Append(s < qc.ExclusionMeasures.Count && qc.ExclusionMeasures[s] is string measure ? measure : "n/a")
              .Append('\t').Append(qc.Exclusions[s] is string why ? Clean(why) : "n/a").Append('\n');
        }
        var json = new JsonObject
        {
            ["Description"] = "Motion summary per subject (runs pooled) and the motion exclusion",
            ["MotionExclusion"] = rules.ToJson(),
            ["excluded"] = new JsonObject { ["Description"] = "1 when the motion rules exclude the subject", ["Levels"] = new JsonObject { ["0"] = "kept", ["1"] = "excluded" } },
            ["exclusion_measure"] = new JsonObject { ["Description"] = "The column(s) of this table whose motion rule excluded the subject (comma-separated): fd_mean and fd_over_0.2_fraction (Parkes et al. 2018, stringent), censored_fraction (censored by the strategy), fd_max (gross motion); n/a when kept or excluded for another reason" },
            ["exclusion_reason"] = new JsonObject { ["Description"] = "Each broken rule with the subject's value and the limit" },
            ["modularity"] = new JsonObject { ["Description"] = "Newman Q of the Louvain partition of the subject's connectome (positive weights); n/a when excluded" },
        };
        Save(path, sb, json, extra);
    }

    private static void Save(string path, StringBuilder tsv, JsonObject json, JsonObject? extra)
    {
        if (extra is not null)
            foreach (var (k, v) in extra) json[k] = v?.DeepClone();
        AtomicFile.WriteAllText(path, tsv.ToString());
        AtomicFile.WriteAllText(Path.ChangeExtension(path, ".json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static string Label(Region r) => r.LabelId is int id ? id.ToString(CultureInfo.InvariantCulture) : "n/a";

    private static string Clean(string s) => s.Replace('\t', ' ').Replace('\n', ' ');
}
