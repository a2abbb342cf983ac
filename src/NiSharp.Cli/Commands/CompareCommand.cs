using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using NiSharp.Connectome;
using NiSharp.Group;
using NiSharp.IO;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp compare MATRICES… --participants participants.tsv --group-column diagnosis --groups CONTROL SCHZ
/// [--edges 44-46,…|--network NAME] [--permutations 10000] [--seed S] -o stats.tsv</c>: compares
/// connectivity between two groups, edge by edge (regions found by label id), or by network mean.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var matrices = new Argument<string[]>("MATRICES") { Arity = ArgumentArity.OneOrMore, Description = "Subjects' *_relmat.tsv files (the subject is the sub-<label> of the file name, or the text before the first _); group-mean files are skipped" };
        var participants = new Option<string?>("--participants") { Description = "BIDS participants.tsv; without it, --groups are subject-id patterns such as '1*' '5*'" };
        // --group-column as in 'run' and 'plot groups'; --column, the first spelling, stays.
        var column = new Option<string>("--group-column", "--column") { Description = "participants.tsv column that holds the groups", DefaultValueFactory = _ => "diagnosis" };
        var groups = new Option<string[]>("--groups") { Required = true, Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true, Description = "The two groups: values of --group-column (e.g. CONTROL SCHZ), or id patterns without --participants; differences are first minus second" };
        var edges = new Option<string?>("--edges") { Description = "Only these edges, by atlas label id: 44-46,12-30 (default: every edge)" };
        var network = new Option<string?>("--network") { Description = "Compare the mean connectivity within these networks (comma-separated names, as the atlas' label table spells them, or the usual abbreviations: " + Atlases.NetworkNames.CommonAbbreviations + ") instead of edges" };
        var networks = new Option<string?>("--networks") { Description = "TSV of region → network (columns label or name, and network); default: the networks recorded in the matrices' sidecars by nisharp run/connectivity (from the atlas' label table), else tokens of the region names (Schaefer style)" };
        var permutations = new Option<int>("--permutations") { Description = "Random relabellings for the permutation p (0 = none; all splits are enumerated when there are fewer)", DefaultValueFactory = _ => 10000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the permutations", DefaultValueFactory = _ => 0 };
        var fdr = new Option<double>("--fdr") { Description = "FDR level for the 'significant' column", DefaultValueFactory = _ => 0.05 };
        var output = new Option<string>("--output", "-o") { Required = true, Description = "Statistics TSV to write (a JSON sidecar is written beside it)" };
        var cmd = new Command("compare", "Compare connectivity between two groups: means, difference, Cohen's d, Welch t, permutation p, Benjamini-Hochberg FDR")
        {
            matrices, participants, column, groups, edges, network, networks, permutations, seed, fdr, output,
        };
        cmd.SetAction(p =>
        {
            var o = p.Out();
            var g = p.GetValue(groups)!;
            var edgeText = p.GetValue(edges);
            var networkText = p.GetValue(network);
            if (edgeText is not null && networkText is not null)
                throw new NiSharpException("give either --edges or --network, not both");
            var outPath = p.GetValue(output)!;
            var outDir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
            if (!Directory.Exists(outDir)) throw new NiSharpException(outPath, "cannot write: the folder does not exist");

            var all = p.GetValue(matrices)!.Select(ConnectivityMatrix.Read).ToList();
            var skipped = all.Where(m => m.IsGroupMean).ToList();
            var subjects = all.Where(m => !m.IsGroupMean).ToList();
            if (subjects.Count == 0) throw new NiSharpException("no subject matrices given (only group means)");
            var sources = subjects.Select(m => m.SourcePath!).ToArray();
            var ids = sources.Select(SubjectIds.FromPath).ToArray();
            var dup = ids.GroupBy(x => x, StringComparer.Ordinal).FirstOrDefault(x => x.Count() > 1);
            if (dup is not null) throw new NiSharpException($"subject '{dup.Key}' has more than one matrix: {string.Join(", ", sources.Where((_, i) => ids[i] == dup.Key))}");

            var participantsPath = p.GetValue(participants);
            var split = participantsPath is null
                ? GroupSplit.FromIdPatterns(g[0], g[1], ids, sources)
                : GroupSplit.FromParticipants(TsvTable.Read(participantsPath), p.GetValue(column)!, g[0], g[1], ids, sources);

            IReadOnlyList<ConnectomeFeature> features;
            if (edgeText is not null) features = ConnectomeFeatures.Pairs(subjects, ConnectomeFeatures.ParseEdges(edgeText));
            else if (networkText is not null)
            {
                var names = networkText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var networksPath = p.GetValue(networks);
                // The networks: a table if given, else the sidecars' (from the atlas' label table), else name tokens.
                var networkOf = networksPath is not null ? ConnectomeFeatures.NetworksFromTable(TsvTable.Read(networksPath))
                    : ConnectomeFeatures.NetworksFromSidecar(subjects[0]) ?? ConnectomeFeatures.NetworksFromNames(names);
                features = ConnectomeFeatures.NetworkMeans(subjects, names, networkOf);
            }
            else features = ConnectomeFeatures.AllEdges(subjects);

            foreach (var w in ConnectomeFeatures.EmptyRegionWarnings(subjects, features)) p.Err().WriteLine($"nisharp: warning: {w}");
            var options = new GroupComparisonOptions { Permutations = p.GetValue(permutations), Seed = p.GetValue(seed), FdrLevel = p.GetValue(fdr) };
            var table = GroupComparison.Run(features, split, options);
            var meta = new JsonObject
            {
                ["Participants"] = participantsPath is null ? null : Path.GetFullPath(participantsPath),
                ["Column"] = participantsPath is null ? null : p.GetValue(column),
                ["GroupRule"] = participantsPath is null ? "subject-id patterns" : "participants.tsv column values",
                ["Subjects1"] = new JsonArray(ids.Where((_, i) => split.Membership[i] == 0).Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
                ["Subjects2"] = new JsonArray(ids.Where((_, i) => split.Membership[i] == 1).Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
                ["LeftOut"] = new JsonArray(ids.Where((_, i) => split.Membership[i] < 0).Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
                ["Matrices"] = new JsonArray(sources.Select(x => (JsonNode?)JsonValue.Create(Path.GetFullPath(x))).ToArray()),
                ["GeneratedBy"] = new JsonArray(new JsonObject { ["Name"] = "NiSharp", ["Command"] = "nisharp compare" }),
            };
            table.Write(outPath, meta);

            foreach (var s in skipped) o.WriteLine($"skipped group mean {s.SourcePath}");
            int left = split.Membership.Count(x => x < 0);
            o.WriteLine($"{split.Group1}: {split.Count1} subjects, {split.Group2}: {split.Count2} subjects{(left > 0 ? $", {left} in neither group left out" : "")}");
            int sig = table.Rows.Count(r => r.Significant);
            var how = options.Permutations == 0 ? "no permutations" : table.ExactPermutation ? $"exact, all {table.PermutationsRun} splits" : $"{table.PermutationsRun} permutations, seed {options.Seed}";
            o.WriteLine($"{table.Rows.Count} feature(s) tested ({how}); {sig} significant at FDR {options.FdrLevel.ToString(CultureInfo.InvariantCulture)} → {outPath}");
            foreach (var r in table.Rows.OrderBy(r => double.IsNaN(r.Welch.P) ? 2 : r.Welch.P).Take(10))
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {r.Feature.Name,-16} diff {r.Difference,9:0.0000}  d {r.CohensD,7:0.000}  t {r.Welch.T,7:0.000}  p {GroupComparisonTable.FormatP(r.Welch.P),-6}  p_perm {GroupComparisonTable.FormatP(r.PPermutation),-6}  q {GroupComparisonTable.FormatP(options.Permutations > 0 ? r.PPermutationFdr : r.PFdr)}"));
            return 0;
        });
        return cmd;
    }
}
