using NiSharp.Atlases;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Bids;

namespace NiSharp.Pipeline;

/// <summary>
/// The BOLD runs a <c>nisharp run</c> works on, found the same way at both levels: the preprocessed runs of the
/// input in <c>--space</c> (and <c>--task</c>), of the <c>--participant-label</c> subjects (an unknown label is an
/// error that names it), narrowed by the <c>"bold"</c> filters of a <c>--bids-filter-file</c> (fMRIPrep's format).
/// </summary>
public sealed class RunSelection
{
    /// <summary>The indexed input.</summary>
    public BidsLayout Layout { get; }

    /// <summary>Runs per subject, subjects in label order.</summary>
    public IReadOnlyList<(string Subject, IReadOnlyList<BoldRun> Runs)> Subjects { get; }

    /// <summary>Subjects of the input with no run matching the selection (when no labels were given).</summary>
    public IReadOnlyList<string> WithoutRuns { get; }

    private readonly Lazy<BidsLayout> _wholeLayout;

    private RunSelection(BidsLayout layout, IReadOnlyList<(string, IReadOnlyList<BoldRun>)> subjects, IReadOnlyList<string> withoutRuns)
    {
        Layout = layout;
        Subjects = subjects;
        WithoutRuns = withoutRuns;
        _wholeLayout = new(() => layout.IsPartial ? BidsLayout.Index(layout.Root) : layout);
    }

    /// <summary>Indexes the input and selects the runs of <paramref name="options"/>.</summary>
    public static RunSelection Select(RunOptions options)
    {
        var layout = BidsLayout.Index(options.InputDirectory);
        return From(layout, options);
    }

    /// <summary>
    /// The participant level's selection: with <see cref="RunOptions.ParticipantLabels"/>, only those subjects' folders
    /// are indexed (<see cref="BidsLayout.IndexSubjects"/>: a Slurm array task of one subject among thousands pays for its
    /// own), so <see cref="Layout"/> holds those subjects alone (<see cref="WholeLayout"/> the whole dataset). When that
    /// selection fails, the whole dataset is indexed and selected again, so that the error is the one the whole index
    /// gives (it lists the dataset's subjects, spaces and tasks).
    /// </summary>
    internal static RunSelection SelectParticipants(RunOptions options)
    {
        if (options.ParticipantLabels.Count == 0) return Select(options);
        try
        {
            return From(BidsLayout.IndexSubjects(options.InputDirectory, options.ParticipantLabels), options);
        }
        catch (NiSharpException) { return Select(options); }
    }

    /// <summary>The index of the whole input: <see cref="Layout"/>, or, when that holds only the selected subjects
    /// (<see cref="SelectParticipants"/>), the whole dataset indexed on first use.</summary>
    internal BidsLayout WholeLayout => _wholeLayout.Value;

    /// <summary>The same selection without <see cref="RunOptions.ParticipantLabels"/>: every subject of the dataset, as
    /// the run's top page shows them (a run of some subjects does not make the others disappear from it).</summary>
    public RunSelection WithAllParticipants(RunOptions options) =>
        options.ParticipantLabels.Count == 0 && !Layout.IsPartial ? this : From(WholeLayout, options with { ParticipantLabels = [] });

    private static RunSelection From(BidsLayout layout, RunOptions options)
    {
        var all = layout.GetSubjects();
        if (all.Count == 0)
            throw new NiSharpException(options.InputDirectory, "no sub-* folder: is this an fMRIPrep output folder?");
        var known = all.ToHashSet(StringComparer.Ordinal);
        foreach (var label in options.ParticipantLabels)
            if (!known.Contains(label))
                throw new NiSharpException(options.InputDirectory, $"participant label '{label}' is not in the dataset (subjects: {Listing(all)})");

        var filter = options.BidsFilterFile is string f ? ReadFilter(f) : null;
        var subjects = options.ParticipantLabels.Count > 0 ? options.ParticipantLabels.ToArray() : all.ToArray();
        var taskFilter = options.Task is null ? default : (EntityFilter)options.Task;
        // Every subject: "has a subject label" rather than a list of every label, which each file would be compared with.
        var subjectFilter = options.ParticipantLabels.Count > 0 ? (EntityFilter)subjects : BidsQuery.Any;
        var runs = (options.OnGrayordinates
                ? layout.GetGrayordinateRuns(subject: subjectFilter, task: taskFilter, space: TemplateSpace.FsLR, den: RunOptions.GrayordinateDensity)
                : layout.GetBoldRuns(subject: subjectFilter, task: taskFilter, space: options.Space))
            .Where(r => filter is null || filter.Matches(r.Bold))
            .ToList();
        if (runs.Count == 0)
        {
            var spaces = layout.GetSpaces(new BidsQuery().Where("suffix", "bold").Where("desc", "preproc"));
            var tasks = layout.GetTasks(new BidsQuery().Where("suffix", "bold").Where("desc", "preproc"));
            throw new NiSharpException(options.InputDirectory,
                $"no preprocessed BOLD run ({(options.OnGrayordinates ? $"space-fsLR_den-{RunOptions.GrayordinateDensity}_bold.dtseries.nii" : "desc-preproc_bold")}) in space {options.Space}{(options.Task is null ? "" : $" for task {options.Task}")}" +
                $"{(filter is null ? "" : " matching the BIDS filter file")}{(options.ParticipantLabels.Count > 0 ? $" for sub-{string.Join(", sub-", options.ParticipantLabels)}" : "")}" +
                $" (spaces present: {Listing(spaces)}; tasks: {Listing(tasks)})");
        }
        var bySubject = runs.GroupBy(r => r.Subject!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<BoldRun>)g.ToList(), StringComparer.Ordinal);
        foreach (var label in options.ParticipantLabels)
            if (!bySubject.ContainsKey(label))
                throw new NiSharpException(options.InputDirectory, $"sub-{label} has no preprocessed BOLD run in space {options.Space}{(options.Task is null ? "" : $" for task {options.Task}")}");
        var chosen = subjects.Where(bySubject.ContainsKey).Select(s => (s, bySubject[s])).ToList();
        // Input files may lead elsewhere through links (sub-01 -> /scratch/...): the output may not be there either.
        TreeBoundary.CheckOutputRoot(options.InputDirectory, options.OutputDirectory, TreeBoundary.InputFolders(runs));
        var without = subjects.Where(s => !bySubject.ContainsKey(s)).ToList();
        return new RunSelection(layout, chosen, without);
    }

    /// <summary>The tasks of the selected runs.</summary>
    public IReadOnlyList<string> Tasks => Subjects.SelectMany(s => s.Runs).Select(r => r.Task ?? "").Distinct().Order(StringComparer.Ordinal).ToList();

    private static string Listing(IReadOnlyList<string> items) =>
        items.Count == 0 ? "none" : items.Count <= 12 ? string.Join(", ", items) : string.Join(", ", items.Take(12)) + $", … ({items.Count} in all)";

    /// <summary>
    /// The BOLD filters of a BIDS filter file: <c>{"bold": {"session": "1", "run": [1, 2], "acquisition": null}}</c>
    /// — a label, a list of labels, or null for "absent".
    /// </summary>
    public static BidsQuery ReadFilter(string path)
    {
        // Read as the sidecars are: one-line errors for a missing file, bad JSON, a key given twice or bytes that are not UTF-8.
        var root = BidsMetadata.ReadSidecar(path);
        var query = new BidsQuery();
        if (root["bold"] is not JsonObject bold) return query;
        foreach (var (key, value) in bold)
        {
            var k = EntityKeys.KeyOf(key);
            if (!EntityKeys.IsKnown(key) && k is not (EntityKeys.Suffix or EntityKeys.Datatype or EntityKeys.Extension))
                throw new NiSharpException(path, $"unknown entity '{key}' in the \"bold\" filters");
            query.Where(key, value switch
            {
                null => BidsQuery.None,
                JsonArray arr => EntityFilter.OneOf(arr.Select(v => Label(path, key, v))),
                _ => (EntityFilter)Label(path, key, value),
            });
        }
        return query;
    }

    private static string Label(string path, string key, JsonNode? v)
    {
        if (v is JsonValue jv)
        {
            if (jv.TryGetValue(out string? s) && s is not null) return s;
            if (jv.TryGetValue(out long n)) return n.ToString(CultureInfo.InvariantCulture);
        }
        throw new NiSharpException(path, $"the filter on '{key}' must be a label, a list of labels or null");
    }
}
