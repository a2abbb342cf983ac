using System.Globalization;
using NiSharp.Connectome;
using NiSharp.IO;

namespace NiSharp.Group;

/// <summary>What a tested feature is: one edge, or the mean of the edges within a network.</summary>
public enum FeatureKind
{
    /// <summary>One edge (a pair of regions).</summary>
    Edge,
    /// <summary>The mean connectivity over all pairs of regions within one network.</summary>
    NetworkMean,
}

/// <summary>One quantity compared between groups, with its value for every subject (NaN = missing).</summary>
/// <param name="Name">e.g. <c>44-46</c> (label ids), <c>label_a~label_b</c>, or a network name.</param>
/// <param name="Kind">Edge or network mean.</param>
/// <param name="LabelA">Label id of the first region (edges with known ids).</param>
/// <param name="LabelB">Label id of the second region.</param>
/// <param name="RegionA">Name of the first region, or the network.</param>
/// <param name="RegionB">Name of the second region (edges only).</param>
/// <param name="Values">Per subject, in the order of the matrices.</param>
public sealed record ConnectomeFeature(string Name, FeatureKind Kind, int? LabelA, int? LabelB, string RegionA, string? RegionB, double[] Values);

/// <summary>
/// Extracts the features to compare from subjects' connectivity matrices. Regions are always found
/// by label id (or, for all edges without ids, by name) — never by column position, because the
/// matrices of different subjects need not have the same columns in the same order.
/// </summary>
public static class ConnectomeFeatures
{
    /// <summary>
    /// Parses <c>44-46,12-30</c> into label-id pairs.
    /// </summary>
    /// <exception cref="NiSharpException">A token that is not <c>A-B</c> with integer ids, or A = B.</exception>
    public static IReadOnlyList<(int A, int B)> ParseEdges(string text)
    {
        var pairs = new List<(int, int)>();
        foreach (var token in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (SplitEdge(token) is not var (first, second)
                || !int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out int a)
                || !int.TryParse(second, NumberStyles.None, CultureInfo.InvariantCulture, out int b))
                throw NiSharpException.InParameter("edges", $": '{token}' is not a pair of label ids like 44-46");
            if (a == b) throw NiSharpException.InParameter("edges", $": '{token}' pairs a region with itself");
            pairs.Add((a, b));
        }
        if (pairs.Count == 0) throw NiSharpException.InParameter("edges", ": no pairs given");
        return pairs;
    }

    /// <summary>
    /// The two ends of an edge written <c>A-B</c>: split at the first <c>-</c> after the first character (so that the
    /// second end may be a name with dashes); null when there is no such dash. Every edge a user writes is split here.
    /// </summary>
    public static (string A, string B)? SplitEdge(string token)
    {
        int dash = token.IndexOf('-', Math.Min(1, token.Length));
        return dash < 0 ? null : (token[..dash], token[(dash + 1)..]);
    }

    /// <summary>
    /// The row and column in <paramref name="matrix"/> of the edge <paramref name="spec"/> (<c>A-B</c>): each end is a
    /// region name of the matrix, or a label id (<c>44</c> for <c>label_44</c>, or as its sidecar's
    /// <c>RegionLabelIds</c> say).
    /// </summary>
    /// <param name="matrix">A subject's matrix.</param>
    /// <param name="spec">The edge as the user wrote it.</param>
    /// <param name="parameter">The parameter the edge was given as, named in errors.</param>
    /// <exception cref="NiSharpException">Not <c>A-B</c>, or an end that is no region of the matrix.</exception>
    public static (int A, int B) FindEdge(ConnectivityMatrix matrix, string spec, string parameter = "edge")
    {
        if (SplitEdge(spec) is not var (first, second)) throw NiSharpException.InParameter(parameter, $" '{spec}': expected A-B");
        return (Find(first), Find(second));

        int Find(string key)
        {
            for (int i = 0; i < matrix.Regions.Count; i++) if (matrix.Regions[i].Name == key) return i;
            if (int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) && matrix.IndexOfLabel(id) is int at and >= 0)
                return at;
            throw new NiSharpException(matrix.SourcePath ?? "connectivity matrix", $"{new ParameterName(parameter)} '{spec}': no region '{key}' in the matrix header");
        }
    }

    /// <summary>The edges between the given label ids; a subject whose matrix lacks a label gets NaN.</summary>
    /// <exception cref="NiSharpException">A matrix without label ids, or a label in none of the matrices.</exception>
    public static IReadOnlyList<ConnectomeFeature> Pairs(IReadOnlyList<ConnectivityMatrix> matrices, IReadOnlyList<(int A, int B)> pairs)
    {
        foreach (var m in matrices)
            if (m.Regions.All(r => r.LabelId is null))
                throw new NiSharpException(m.SourcePath ?? "matrix", "its regions have no label ids, so edges cannot be looked up by label (name the columns label_N, or list RegionLabelIds in the JSON sidecar)");
        var features = new List<ConnectomeFeature>();
        foreach (var (a, b) in pairs)
        {
            var values = new double[matrices.Count];
            string? nameA = null, nameB = null;
            for (int s = 0; s < matrices.Count; s++)
            {
                var m = matrices[s];
                int i = m.IndexOfLabel(a), j = m.IndexOfLabel(b);
                if (i >= 0) nameA ??= m.Regions[i].Name;
                if (j >= 0) nameB ??= m.Regions[j].Name;
                values[s] = i >= 0 && j >= 0 ? m.Values[i, j] : double.NaN;
            }
            if (nameA is null || nameB is null)
                throw NiSharpException.InParameter("edges", $" {a}-{b}: label {(nameA is null ? a : b)} is in none of the {matrices.Count} matrices");
            features.Add(new ConnectomeFeature($"{a}-{b}", FeatureKind.Edge, a, b, nameA, nameB, values));
        }
        return features;
    }

    /// <summary>
    /// One line per region of the edge features that has no signal (an empty atlas label: an n/a row and column) in some
    /// of the matrices, naming the region, in how many matrices, and the edges it leaves n/a or without those subjects.
    /// Without these the comparison prints NaN and succeeds silently.
    /// </summary>
    public static IReadOnlyList<string> EmptyRegionWarnings(IReadOnlyList<ConnectivityMatrix> matrices, IReadOnlyList<ConnectomeFeature> features)
    {
        var edgesOf = new Dictionary<string, (string Region, List<string> Edges, Func<ConnectivityMatrix, int> Index)>(StringComparer.Ordinal);
        foreach (var f in features.Where(f => f.Kind == FeatureKind.Edge))
            foreach (var (id, name) in new[] { (f.LabelA, f.RegionA), (f.LabelB, f.RegionB!) })
            {
                var key = id is int k ? k.ToString(CultureInfo.InvariantCulture) : name;
                if (!edgesOf.TryGetValue(key, out var entry))
                {
                    Func<ConnectivityMatrix, int> index = id is int label ? m => m.IndexOfLabel(label) : m => IndexOfName(m, name);
                    edgesOf[key] = entry = (id is null ? name : $"{key} ({name})", [], index);
                }
                entry.Edges.Add(f.Name);
            }
        var warnings = new List<string>();
        foreach (var (region, edges, index) in edgesOf.Values)
        {
            int empty = matrices.Count(m => index(m) is int i && (i < 0 || RegionTimeSeries.IsEmptyColumn(m.Values, i)));
            if (empty == 0) continue;
            string list = edges.Count <= 5 ? string.Join(", ", edges) : $"{string.Join(", ", edges.Take(5))}, … ({edges.Count} edges)";
            warnings.Add(empty == matrices.Count
                ? $"region {region} has no signal in any of the {matrices.Count} matrices (an empty atlas label): {list} {(edges.Count == 1 ? "is" : "are")} n/a"
                : $"region {region} has no signal in {empty} of the {matrices.Count} matrices: {(empty == 1 ? "that subject is" : "those subjects are")} left out of {list}");
        }
        return warnings;
    }

    private static int IndexOfName(ConnectivityMatrix m, string name)
    {
        for (int i = 0; i < m.Regions.Count; i++)
            if (m.Regions[i].Name == name) return i;
        return -1;
    }

    /// <summary>
    /// Every edge of the lower triangle over the union of the subjects' regions (keyed by label id
    /// when every region has one, otherwise by name); a subject lacking a region gets NaN.
    /// </summary>
    public static IReadOnlyList<ConnectomeFeature> AllEdges(IReadOnlyList<ConnectivityMatrix> matrices)
    {
        bool byId = matrices.All(m => m.Regions.All(r => r.LabelId is not null));
        string Key(Region r) => byId ? r.LabelId!.Value.ToString(CultureInfo.InvariantCulture) : r.Name;
        var union = new List<Region>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in matrices)
            foreach (var r in m.Regions)
                if (seen.Add(Key(r))) union.Add(r);
        if (byId) union.Sort((x, y) => x.LabelId!.Value.CompareTo(y.LabelId!.Value));

        var index = matrices.Select(m =>
        {
            var d = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < m.Regions.Count; i++) d[Key(m.Regions[i])] = i;
            return d;
        }).ToArray();
        var features = new List<ConnectomeFeature>(union.Count * (union.Count - 1) / 2);
        for (int i = 0; i < union.Count; i++)
            for (int j = 0; j < i; j++)
            {
                var values = new double[matrices.Count];
                for (int s = 0; s < matrices.Count; s++)
                    values[s] = index[s].TryGetValue(Key(union[i]), out int a) && index[s].TryGetValue(Key(union[j]), out int b)
                        ? matrices[s].Values[a, b] : double.NaN;
                var name = byId ? $"{union[j].LabelId}-{union[i].LabelId}" : $"{union[j].Name}~{union[i].Name}";
                features.Add(new ConnectomeFeature(name, FeatureKind.Edge, union[j].LabelId, union[i].LabelId, union[j].Name, union[i].Name, values));
            }
        return features;
    }

    /// <summary>
    /// For each network, the mean over every pair of its regions of each subject's matrix (the
    /// within-network connectivity). <paramref name="networkOf"/> says which network a region is in; a network is
    /// named as the regions' networks are (any case) or by its usual abbreviation (<c>DMN</c> for Yeo's <c>Default</c>:
    /// <see cref="Atlases.NetworkNames"/>), and the feature carries the regions' name.
    /// </summary>
    /// <exception cref="NiSharpException">A network no region belongs to (the message lists those there are), or one with
    /// fewer than two regions in every matrix.</exception>
    public static IReadOnlyList<ConnectomeFeature> NetworkMeans(IReadOnlyList<ConnectivityMatrix> matrices, IReadOnlyList<string> networks, Func<Region, string?> networkOf)
    {
        var available = matrices.SelectMany(m => m.Regions).Select(networkOf).OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var features = new List<ConnectomeFeature>();
        foreach (var requested in networks)
        {
            var net = Atlases.NetworkNames.Resolve(requested, available) ?? (available.Count == 0 ? requested
                : throw NiSharpException.InParameter("network", $" {requested}: {Atlases.NetworkNames.Unknown(requested, available)}"));
            var values = new double[matrices.Count];
            int maxMembers = 0;
            for (int s = 0; s < matrices.Count; s++)
            {
                var m = matrices[s];
                var members = new List<int>();
                for (int i = 0; i < m.Regions.Count; i++)
                    if (string.Equals(networkOf(m.Regions[i]), net, StringComparison.OrdinalIgnoreCase)) members.Add(i);
                maxMembers = Math.Max(maxMembers, members.Count);
                double sum = 0; int n = 0;
                for (int a = 0; a < members.Count; a++)
                    for (int b = 0; b < a; b++)
                    {
                        double v = m.Values[members[a], members[b]];
                        if (!double.IsNaN(v)) { sum += v; n++; }
                    }
                values[s] = n > 0 ? sum / n : double.NaN;
            }
            if (maxMembers < 2)
            {
                // where the regions' networks come from, when none of the matrices' regions is in this one
                ParameterText hint = "";
                if (maxMembers == 0)
                    hint = $" (regions join a network through the RegionNetworks of the matrices' sidecars, by a token of their name, as in 7Networks_LH_Default_PFC_1, or through a {new ParameterName("networks")} table such as the one 'nisharp atlases NAME -o atlas.nii.gz --labels-out labels.tsv' writes)";
                throw NiSharpException.InParameter("network", $" {net}: {(maxMembers == 0 ? "no region" : "only one region")} of the matrices belongs to it, so it has no within-network edge{hint}");
            }
            features.Add(new ConnectomeFeature(net, FeatureKind.NetworkMean, null, null, net, null, values));
        }
        return features;
    }

    /// <summary>
    /// Network membership read from a TSV with a <c>network</c> column and either a label-id column
    /// (<c>label</c>, <c>index</c> or <c>label_id</c>) or a <c>name</c> column of region names.
    /// </summary>
    public static Func<Region, string?> NetworksFromTable(TsvTable table)
    {
        var file = table.SourcePath ?? "networks table";
        int net = table.IndexOf("network");
        if (net < 0) throw new NiSharpException(file, "no 'network' column");
        int idCol = new[] { "label", "index", "label_id" }.Select(table.IndexOf).FirstOrDefault(i => i >= 0, -1);
        int nameCol = table.IndexOf("name");
        if (idCol < 0 && nameCol < 0) throw new NiSharpException(file, "needs a 'label' (or 'index') column of label ids or a 'name' column of region names");
        var byId = new Dictionary<int, string>();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            if (idCol >= 0)
            {
                if (!int.TryParse(row[idCol], NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                    throw new NiSharpException(file, $"'{row[idCol]}' in column '{table.Columns[idCol]}' is not a label id");
                byId[id] = row[net];
            }
            if (nameCol >= 0) byName[row[nameCol]] = row[net];
        }
        return r => r.LabelId is int id && byId.TryGetValue(id, out var n) ? n
            : byName.TryGetValue(r.Name, out var m) ? m : null;
    }

    /// <summary>The networks a matrix's sidecar records (<see cref="ConnectivityMatrix.RegionNetworks"/>: what
    /// <c>nisharp run</c> and <c>nisharp connectivity</c> write from the atlas' label table), by label id and by
    /// region name; null when the matrix has none.</summary>
    public static Func<Region, string?>? NetworksFromSidecar(ConnectivityMatrix matrix)
    {
        if (matrix.RegionNetworks is not { } networks || networks.All(n => n is null)) return null;
        var byId = new Dictionary<int, string?>();
        var byName = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (int i = 0; i < matrix.Regions.Count; i++)
        {
            if (matrix.Regions[i].LabelId is int id) byId[id] = networks[i];
            byName[matrix.Regions[i].Name] = networks[i];
        }
        return r => r.LabelId is int id && byId.TryGetValue(id, out var n) ? n : byName.GetValueOrDefault(r.Name);
    }

    /// <summary>
    /// Network membership read from region names: a region is in network N when N, or the Yeo network its abbreviation
    /// stands for (<c>DMN</c>: <c>Default</c>), is one of the name's <c>_</c>/<c>-</c>/space-separated tokens (Schaefer:
    /// <c>7Networks_LH_Default_PFC_1</c> is in <c>Default</c>), compared case-insensitively.
    /// </summary>
    public static Func<Region, string?> NetworksFromNames(IReadOnlyList<string> networks) => r =>
    {
        var tokens = r.Name.Split(['_', '-', ' '], StringSplitOptions.RemoveEmptyEntries);
        foreach (var n in networks)
            foreach (var t in tokens)
                if (string.Equals(t, n, StringComparison.OrdinalIgnoreCase) || string.Equals(t, Atlases.NetworkNames.Canonical(n), StringComparison.OrdinalIgnoreCase)) return n;
        return null;
    };
}
