using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Bids;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp layout DIR [--subject S…] [--session …] [--task …] [--run …] [--space …] [--desc …]
/// [--suffix …] [--datatype …] [--extension …] [--return files|subjects|sessions|tasks|runs|spaces] [--json]</c>:
/// pyBIDS's <c>layout.get(...)</c> / <c>get_subjects()</c> from the shell.
/// </summary>
internal static class LayoutCommand
{
    private static readonly string[] Returns = ["files", "subjects", "sessions", "tasks", "runs", "spaces"];

    // Shown in problem listings before "... and N more".
    private const int ProblemsShown = 20;

    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "BIDS dataset or derivatives folder (e.g. derivatives/fmriprep)" };
        var filters = new (string Entity, Option<string[]> Option)[]
        {
            ("sub", Filter("--subject", "Subject labels (with or without 'sub-')")),
            ("ses", Filter("--session", "Session labels (with or without 'ses-')")),
            ("task", Filter("--task", "Task labels")),
            ("run", Filter("--run", "Run indices (1 matches run-01)")),
            ("space", Filter("--space", "Spaces, e.g. MNI152NLin2009cAsym T1w")),
            ("desc", Filter("--desc", "Descriptions, e.g. preproc brain confounds")),
            (EntityKeys.Suffix, Filter("--suffix", "Suffixes, e.g. bold T1w mask timeseries")),
            (EntityKeys.Datatype, Filter("--datatype", "Datatype folders, e.g. anat func")),
            (EntityKeys.Extension, Filter("--extension", "Extensions, with or without the dot, e.g. .nii.gz tsv")),
        };
        var ret = new Option<string>("--return")
        {
            Description = "What to list: files (paths) or the labels of subjects, sessions, tasks, runs or spaces",
            DefaultValueFactory = _ => "files",
        };
        ret.AcceptOnlyFromAmong(Returns);
        var json = new Option<bool>("--json") { Description = "Print JSON: files with their entities, or an array of labels" };

        var cmd = new Command("layout", "Index a BIDS/fMRIPrep folder and list the files (or labels) matching the filters; one per line, sorted") { dir };
        foreach (var (_, o) in filters) cmd.Options.Add(o);
        cmd.Options.Add(ret);
        cmd.Options.Add(json);
        cmd.SetAction(p =>
        {
            var layout = BidsLayout.Index(p.GetValue(dir)!);
            var query = new BidsQuery();
            foreach (var (entity, option) in filters)
                if (p.GetValue(option) is { Length: > 0 } values)
                    query.Where(entity, ToFilter(option.Name, entity, values));
            var what = p.GetValue(ret)!;
            var files = what == "files" ? layout.Get(query) : null;
            var labels = files is null ? layout.GetEntityValues(EntityOf(what), query) : null;
            var text = files is not null ? FormatFiles(files, p.GetValue(json)) : FormatLabels(labels!, p.GetValue(json));
            ReportProblems(p.Err(), layout);
            // An empty answer is an answer (exit 0, as pyBIDS returns []), but not a silent one.
            if ((files?.Count ?? labels!.Count) == 0) p.Err().WriteLine($"nisharp: nothing matched: {layout.DescribeNoMatch(query, files is null ? EntityOf(what) : null)}");
            p.Out().Write(text);
            return 0;
        });
        return cmd;
    }

    private static Option<string[]> Filter(string name, string description) => new(name)
    {
        Description = description + "; several values match any; \"\" alone selects files without this entity",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    private static EntityFilter ToFilter(string option, string entity, string[] values)
    {
        if (values.All(v => v.Length == 0)) return BidsQuery.None;
        if (values.Any(v => v.Length == 0))
            throw new NiSharpException($"{option}: \"\" (no such entity) cannot be combined with labels");
        string prefix = entity switch { "sub" => "sub-", "ses" => "ses-", _ => "" };
        return EntityFilter.OneOf(values.Select(v => prefix.Length > 0 && v.StartsWith(prefix, StringComparison.Ordinal) ? v[prefix.Length..] : v));
    }

    private static string EntityOf(string what) => what switch
    {
        "subjects" => "sub",
        "sessions" => "ses",
        "tasks" => "task",
        "runs" => "run",
        _ => "space",
    };

    private static string FormatFiles(IReadOnlyList<BidsFile> files, bool json)
    {
        if (!json)
        {
            var sb = new StringBuilder(files.Count * 100);
            foreach (var f in files) sb.Append(NiSharpException.Printable(f.Path)).Append('\n'); // one line per file, whatever the name holds
            return sb.ToString();
        }
        var arr = new JsonArray();
        foreach (var f in files)
        {
            var entities = new JsonObject();
            foreach (var e in f.Entities) entities[e.Name] = e.Value;
            if (f.Suffix is not null) entities["suffix"] = f.Suffix;
            if (f.Datatype is not null) entities["datatype"] = f.Datatype;
            if (f.Extension.Length > 0) entities["extension"] = f.Extension;
            arr.Add((JsonNode)new JsonObject { ["path"] = f.Path, ["entities"] = entities }); // Add(JsonNode), not the reflection-based Add<T>
        }
        return arr.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static string FormatLabels(IReadOnlyList<string> labels, bool json)
    {
        if (json) return new JsonArray(labels.Select(l => (JsonNode)l).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var sb = new StringBuilder();
        foreach (var l in labels) sb.Append(l).Append('\n');
        return sb.ToString();
    }

    private static void ReportProblems(TextWriter err, BidsLayout layout)
    {
        foreach (var w in layout.Warnings) err.WriteLine($"nisharp: warning: {w}");
        var problems = layout.Problems;
        if (problems.Count == 0) return;
        err.WriteLine($"nisharp: warning: {problems.Count} {(problems.Count == 1 ? "entry was" : "entries were")} left out of the index:");
        foreach (var pr in problems.Take(ProblemsShown)) err.WriteLine($"  {pr}");
        if (problems.Count > ProblemsShown) err.WriteLine($"  ... and {problems.Count - ProblemsShown} more");
    }
}
