using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.IO;

namespace NiSharp.Pipeline.Slurm;

/// <summary>
/// One <c>nisharp run --slurm</c> submission as recorded in <c>OUTPUT_DIR/slurm/jobs.json</c>, so that
/// <c>nisharp status</c> can ask Slurm about its jobs later: the array's and the group job's ids, and which subject
/// each array task processes.
/// </summary>
/// <param name="Submitted">When (UTC).</param>
/// <param name="ArrayJobId">The participant array's job id, or null when every subject was already complete.</param>
/// <param name="GroupJobId">The group job's id, or null without <c>--with-group</c>.</param>
/// <param name="Subjects">The subjects of the array, task <c>i</c> processing <c>Subjects[i]</c> (the lines of
/// <c>subjects.txt</c>).</param>
/// <param name="Complete">Subjects selected but left out because their outputs were complete.</param>
/// <param name="ParametersHash">The parameters hash of the submitted analysis.</param>
/// <param name="SubjectsPerTask">Subjects per array task: task <c>i</c> processes <c>Subjects[i·N .. (i+1)·N-1]</c>.</param>
public sealed record SlurmJobRecord(DateTime Submitted, string? ArrayJobId, string? GroupJobId, IReadOnlyList<string> Subjects,
    IReadOnlyList<string> Complete, string ParametersHash, int SubjectsPerTask = 1)
{
    /// <summary>The array task that processes subject number <paramref name="index"/> of <see cref="Subjects"/>.</summary>
    public int TaskOf(int index) => index / Math.Max(1, SubjectsPerTask);

    /// <summary>The folder of the Slurm files of an output folder.</summary>
    public static string FolderOf(string outputDir) => Path.Combine(outputDir, "slurm");

    /// <summary><c>OUTPUT_DIR/slurm/subjects.txt</c>: one label per line, line <c>i+1</c> for array task <c>i</c>.</summary>
    public static string SubjectsFileOf(string outputDir) => Path.Combine(FolderOf(outputDir), "subjects.txt");

    /// <summary><c>OUTPUT_DIR/slurm/participant.sbatch</c>.</summary>
    public static string ParticipantScriptOf(string outputDir) => Path.Combine(FolderOf(outputDir), "participant.sbatch");

    /// <summary>The record file.</summary>
    public static string PathOf(string outputDir) => Path.Combine(FolderOf(outputDir), "jobs.json");

    /// <summary>Every submission recorded for <paramref name="outputDir"/>, oldest first (empty when none or unreadable).</summary>
    public static IReadOnlyList<SlurmJobRecord> ReadAll(string outputDir)
    {
        var path = PathOf(outputDir);
        if (!File.Exists(path)) return [];
        try
        {
            if (JsonNode.Parse(InputFile.ReadAllText(path, InputFile.MaxJsonBytes, "a job record", asInput: false)) is not JsonObject root || root["Submissions"] is not JsonArray list) return [];
            var records = new List<SlurmJobRecord>();
            foreach (var node in list)
            {
                if (node is not JsonObject o) continue;
                string? S(string k) => o[k] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
                string[] L(string k) => o[k] is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "").Where(x => x.Length > 0).ToArray() : [];
                var when = DateTime.TryParse(S("Submitted"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d) ? d : DateTime.MinValue;
                int perTask = o["SubjectsPerTask"] is JsonValue pv && pv.TryGetValue(out int pt) && pt > 0 ? pt : 1;
                records.Add(new SlurmJobRecord(when, S("ArrayJobId"), S("GroupJobId"), L("Subjects"), L("Complete"), S("ParametersHash") ?? "", perTask));
            }
            return records;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException or NiSharpException) { return []; }
    }

    /// <summary>The latest submission, or null.</summary>
    public static SlurmJobRecord? Latest(string outputDir) => ReadAll(outputDir) is { Count: > 0 } all ? all[^1] : null;

    /// <summary>Adds <paramref name="record"/> to the file (written atomically).</summary>
    public static void Append(string outputDir, SlurmJobRecord record)
    {
        var list = new JsonArray();
        foreach (var r in ReadAll(outputDir).Append(record))
            list.Add((JsonNode)new JsonObject // Add(JsonNode), not the reflection-based Add<T>
            {
                ["Submitted"] = r.Submitted.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                ["ArrayJobId"] = r.ArrayJobId,
                ["GroupJobId"] = r.GroupJobId,
                ["Subjects"] = new JsonArray(r.Subjects.Select(s => (JsonNode?)s).ToArray()),
                ["Complete"] = new JsonArray(r.Complete.Select(s => (JsonNode?)s).ToArray()),
                ["ParametersHash"] = r.ParametersHash,
                ["SubjectsPerTask"] = r.SubjectsPerTask,
            });
        var root = new JsonObject
        {
            ["Description"] = "Slurm submissions of nisharp run --slurm (read by nisharp status): array task i processes Subjects[i·SubjectsPerTask] to Subjects[(i+1)·SubjectsPerTask-1]",
            ["Submissions"] = list,
        };
        OutputFolder.Create(FolderOf(outputDir));
        AtomicFile.WriteAllText(PathOf(outputDir), root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>The job ids of this submission.</summary>
    public IEnumerable<string> JobIds => new[] { ArrayJobId, GroupJobId }.Where(j => j is not null)!;
}
