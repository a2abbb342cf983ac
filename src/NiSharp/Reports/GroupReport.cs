using System.Globalization;
using NiSharp.Plotting;

namespace NiSharp.Reports;

/// <summary>A subject the run could not process, and why.</summary>
public sealed record FailedSubject(string Subject, string Reason, string? File = null);

/// <summary>Everything the group page shows; each part is optional.</summary>
public sealed record GroupReportInput
{
    /// <summary>Page title.</summary>
    public string Title { get; init; } = "NiSharp group report";

    /// <summary>Processing details (dataset, atlas, strategy, version).</summary>
    public IReadOnlyList<(string Key, string Value)> Details { get; init; } = [];

    /// <summary>Group comparisons: a title per plot (e.g. an edge or a network) and its values by group.</summary>
    public IReadOnlyList<(string Title, IReadOnlyList<GroupValue> Values)> Comparisons { get; init; } = [];

    /// <summary>What the compared values are (y axis).</summary>
    public string ValueLabel { get; init; } = "connectivity";

    /// <summary>The statistics table (tests, effect sizes, FDR).</summary>
    public ReportTable? Statistics { get; init; }

    /// <summary>Mean connectivity matrix across subjects.</summary>
    public double[,]? MeanConnectivity { get; init; }

    /// <summary>Region names of the mean matrix.</summary>
    public IReadOnlyList<string>? RegionNames { get; init; }

    /// <summary>Subjects included.</summary>
    public IReadOnlyList<string> Subjects { get; init; } = [];

    /// <summary>Subjects that failed and why.</summary>
    public IReadOnlyList<FailedSubject> Failures { get; init; } = [];
}

/// <summary>The group page: group plots, the statistics table, the mean matrix, failed subjects and why.</summary>
public static class GroupReport
{
    /// <summary>Builds the page.</summary>
    public static HtmlReport Build(GroupReportInput input)
    {
        var r = new HtmlReport(input.Title);
        var details = input.Details.ToList();
        details.Add(("subjects included", input.Subjects.Count.ToString(CultureInfo.InvariantCulture)));
        details.Add(("subjects failed", input.Failures.Count.ToString(CultureInfo.InvariantCulture)));
        r.KeyValues(details);

        if (input.Failures.Count > 0)
        {
            r.Section("Failed subjects", "failures");
            r.Warning($"{input.Failures.Count} subject(s) could not be processed and are not in the results below.");
            r.Table(new ReportTable(["subject", "file", "reason"],
                input.Failures.Select(f => (IReadOnlyList<string>)[f.Subject, f.File ?? "", f.Reason]).ToList()));
        }

        if (input.Comparisons.Count > 0)
        {
            r.Section("Group comparisons", "groups");
            foreach (var (title, values) in input.Comparisons)
                r.Figure(GroupPlot.BoxSwarm(values, new GroupPlotOptions { Title = title, YLabel = input.ValueLabel }), title);
        }

        if (input.Statistics is { } stats)
        {
            r.Section("Statistics", "statistics");
            r.Table(stats);
        }

        if (input.MeanConnectivity is { } m)
        {
            r.Section("Mean connectivity", "matrix");
            r.Figure(MatrixPlot.Connectivity(m, input.RegionNames, new MatrixPlotOptions { Title = "Mean connectivity", Size = 560 }), "Mean across included subjects.");
        }

        if (input.Subjects.Count > 0)
        {
            r.Section("Subjects", "subjects");
            r.Paragraph(string.Join(", ", input.Subjects));
        }
        return r;
    }

    /// <summary>Builds and writes the page atomically.</summary>
    public static void Save(string path, GroupReportInput input) => Build(input).Save(path);
}
