using System.Globalization;
using NiSharp.Plotting;

namespace NiSharp.Reports;

/// <summary>A subject the run could not process, and why.</summary>
public sealed record FailedSubject(string Subject, string Reason, string? File = null);

/// <summary>One box + swarm plot of a group page: what is compared, each subject's value, the statistics written on
/// the plot, and a caption that says why this comparison is shown and what it found.</summary>
/// <param name="Title">Above the plot (the edge or network).</param>
/// <param name="Values">Each subject's value and group.</param>
/// <param name="Annotation">Written inside the plot (<c>d = 2.83, q = 0.003</c>); null: nothing.</param>
/// <param name="Caption">Under the plot; null: the title.</param>
public sealed record GroupBox(string Title, IReadOnlyList<GroupValue> Values, string? Annotation = null, string? Caption = null);

/// <summary>Everything the group page shows; each part is optional.</summary>
public sealed record GroupReportInput
{
    /// <summary>Page title.</summary>
    public string Title { get; init; } = "NiSharp group report";

    /// <summary>Processing details (dataset, atlas, strategy, version).</summary>
    public IReadOnlyList<(string Key, string Value)> Details { get; init; } = [];

    /// <summary>What was compared and how to read the page (the test, what decides significance, why these edges),
    /// one paragraph each, shown first.</summary>
    public IReadOnlyList<string> Explanation { get; init; } = [];

    /// <summary>Things the reader must not miss (subjects above the motion limits kept in the comparison), highlighted.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Group comparisons as box + swarm plots with their statistics and captions.</summary>
    public IReadOnlyList<GroupBox> Boxes { get; init; } = [];

    /// <summary>Group comparisons without statistics: a title per plot and its values by group (drawn after <see cref="Boxes"/>).</summary>
    public IReadOnlyList<(string Title, IReadOnlyList<GroupValue> Values)> Comparisons { get; init; } = [];

    /// <summary>What the compared values are (y axis).</summary>
    public string ValueLabel { get; init; } = "connectivity";

    /// <summary>The statistics table (tests, effect sizes, FDR).</summary>
    public ReportTable? Statistics { get; init; }

    /// <summary>What the statistics table's columns are, under it.</summary>
    public string? StatisticsCaption { get; init; }

    /// <summary>The statistics as a file, linked under the table: a path relative to the page.</summary>
    public string? StatisticsFile { get; init; }

    /// <summary>Mean connectivity matrix across subjects.</summary>
    public double[,]? MeanConnectivity { get; init; }

    /// <summary>Region names of the mean matrix.</summary>
    public IReadOnlyList<string>? RegionNames { get; init; }

    /// <summary>The network of each region of the mean matrix (bands on the heatmap); null: none.</summary>
    public IReadOnlyList<string?>? RegionNetworks { get; init; }

    /// <summary>What the mean matrix is over, under it; null: "Mean across included subjects."</summary>
    public string? MeanCaption { get; init; }

    /// <summary>Subjects included.</summary>
    public IReadOnlyList<string> Subjects { get; init; } = [];

    /// <summary>The subjects as a table (group, motion, a link to each one's page) instead of the plain list.</summary>
    public ReportTable? SubjectTable { get; init; }

    /// <summary>Subjects that failed and why.</summary>
    public IReadOnlyList<FailedSubject> Failures { get; init; } = [];
}

/// <summary>The group page: what was compared and how, group plots, the statistics table, the mean matrix, the
/// subjects (with links to their pages), failed subjects and why.</summary>
public static class GroupReport
{
    /// <summary>Builds the page.</summary>
    public static HtmlReport Build(GroupReportInput input)
    {
        var r = new HtmlReport(input.Title);
        foreach (var n in input.Notes) r.Note(n);
        var details = input.Details.ToList();
        details.Add(("subjects included", input.Subjects.Count.ToString(CultureInfo.InvariantCulture)));
        details.Add(("subjects failed", input.Failures.Count.ToString(CultureInfo.InvariantCulture)));
        r.KeyValues(details);

        if (input.Explanation.Count > 0)
        {
            r.Section("What was compared, and how", "method");
            foreach (var p in input.Explanation) r.Paragraph(p);
        }

        if (input.Failures.Count > 0)
        {
            r.Section("Failed subjects", "failures");
            r.Warning($"{input.Failures.Count} subject(s) could not be processed and are not in the results below.");
            r.Table(new ReportTable(["subject", "file", "reason"],
                input.Failures.Select(f => (IReadOnlyList<string>)[f.Subject, f.File ?? "", f.Reason]).ToList()));
        }

        var boxes = input.Boxes.Concat(input.Comparisons.Select(c => new GroupBox(c.Title, c.Values))).ToList();
        if (boxes.Count > 0)
        {
            r.Section("Group comparisons", "groups");
            foreach (var b in boxes)
                r.Figure(GroupPlot.BoxSwarm(b.Values, new GroupPlotOptions { Title = b.Title, YLabel = input.ValueLabel, Annotation = b.Annotation }), b.Caption ?? b.Title);
        }

        if (input.Statistics is { } stats)
        {
            r.Section("Statistics", "statistics");
            r.Table(stats);
            if (input.StatisticsCaption is string c) r.Paragraph(c, "caption");
            if (input.StatisticsFile is string file) r.LinkParagraph("Every column of it, as a table: ", Path.GetFileName(file), file, " (and its JSON sidecar).");
        }

        if (input.MeanConnectivity is { } m)
        {
            r.Section("Mean connectivity", "matrix");
            r.Figure(MatrixPlot.Svg(m, input.RegionNames, new MatrixPlotOptions
            {
                Title = "Mean connectivity", Size = 560,
                Networks = input.RegionNetworks is { } nets && nets.Any(x => x is not null) ? nets : null,
            }), input.MeanCaption ?? "Mean across included subjects.");
        }

        if (input.SubjectTable is { } table)
        {
            r.Section("Subjects", "subjects");
            r.Table(table);
        }
        else if (input.Subjects.Count > 0)
        {
            r.Section("Subjects", "subjects");
            r.Paragraph(string.Join(", ", input.Subjects));
        }
        return r;
    }

    /// <summary>Builds and writes the page atomically.</summary>
    public static void Save(string path, GroupReportInput input) => Build(input).Save(path);
}
