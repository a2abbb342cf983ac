using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Pipeline;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp status OUTPUT_DIR [--json]</c>: per subject done / failed (with the reason from its status file or
/// Slurm log) / running / pending (asking Slurm when the run was submitted with <c>--slurm</c>), the group level, and a
/// one-line summary.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var output = new Argument<string>("OUTPUT_DIR") { Description = "Output folder of nisharp run (local or --slurm)" };
        var json = new Option<bool>("--json") { Description = "Print the states as one JSON object" };
        var cmd = new Command("status", "Where each subject of a nisharp run stands: done, failed (and why), running or pending; and the group level")
        {
            output, json,
        };
        cmd.SetAction(p =>
        {
            var report = RunStatus.Read(p.GetValue(output)!);
            if (p.GetValue(json)) p.Out().WriteLine(ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            else Print(report, p.Out());
            return NisharpCli.Ok;
        });
        return cmd;
    }

    internal static void Print(RunStatusReport report, TextWriter o)
    {
        if (report.Submission is { } s)
            o.WriteLine($"Slurm submission of {s.Submitted:yyyy-MM-dd HH:mm:ss} UTC: array job {s.ArrayJobId ?? "none"} ({s.Subjects.Count} task(s)), group job {s.GroupJobId ?? "none"}" +
                        (report.SlurmReachable ? "" : "  [Slurm cannot be asked here: states come from the files]"));
        int width = Math.Max("group".Length, report.Subjects.Select(x => x.Subject.Length + 4).DefaultIfEmpty(0).Max());
        foreach (var x in report.Subjects)
        {
            var detail = x.Detail ?? "";
            if (x.JobId is not null && x.State is RunState.Running or RunState.Pending or RunState.Failed) detail = $"[{x.JobId}] {detail}";
            if (x.State == RunState.Failed && File.Exists(x.LogPath)) detail += $"  (log: {x.LogPath})";
            o.WriteLine($"{"sub-" + x.Subject}".PadRight(width) + "  " + RunStatusReport.Name(x.State).PadRight(8) + "  " + detail.TrimEnd());
        }
        if (report.Group is { } g)
            o.WriteLine("group".PadRight(width) + "  " + RunStatusReport.Name(g.State).PadRight(8) + "  " + (g.JobId is null ? "" : $"[{g.JobId}] ") + (g.Detail ?? ""));
        o.WriteLine(report.Summary());
    }

    private static JsonObject ToJson(RunStatusReport report) => new()
    {
        ["OutputDirectory"] = report.OutputDirectory,
        ["Subjects"] = new JsonArray(report.Subjects.Select(x => (JsonNode?)new JsonObject
        {
            ["Subject"] = x.Subject,
            ["State"] = RunStatusReport.Name(x.State),
            ["Detail"] = x.Detail,
            ["JobId"] = x.JobId,
            ["Log"] = x.LogPath,
        }).ToArray()),
        ["Group"] = report.Group is { } g ? new JsonObject { ["State"] = RunStatusReport.Name(g.State), ["Detail"] = g.Detail, ["JobId"] = g.JobId } : null,
        ["ArrayJobId"] = report.Submission?.ArrayJobId,
        ["GroupJobId"] = report.Submission?.GroupJobId,
        ["SlurmReachable"] = report.SlurmReachable,
        ["LocalRunActive"] = report.LocalRunActive,
        ["Summary"] = report.Summary(),
    };
}
