using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.IO;

namespace NiSharp.Pipeline;

/// <summary>What happened to one subject at the participant level.</summary>
public enum SubjectState
{
    /// <summary>Processed now.</summary>
    Done,
    /// <summary>Outputs were already complete for these parameters and inputs; left as they are.</summary>
    Skipped,
    /// <summary>At least one run failed; the reason names the file.</summary>
    Failed,
}

/// <summary>The outcome of one subject.</summary>
/// <param name="Subject">Label without <c>sub-</c>.</param>
/// <param name="State">Done, skipped or failed.</param>
/// <param name="Elapsed">Wall time spent on the subject now (zero when skipped).</param>
/// <param name="Runs">Number of BOLD runs of the subject.</param>
/// <param name="Reason">Why it failed (one line, <c>FILE: problem</c>), or null.</param>
/// <param name="File">The file at fault, when known.</param>
/// <param name="LogPath">The subject's log file.</param>
public sealed record SubjectOutcome(string Subject, SubjectState State, TimeSpan Elapsed, int Runs, string? Reason, string? File, string LogPath);

/// <summary>Hears about a participant-level run as it goes (the CLI draws a progress display or prints lines).
/// Methods may be called from several threads at once.</summary>
public interface IRunProgress
{
    /// <summary>The plan: <paramref name="subjects"/> selected, <paramref name="toProcess"/> of them not yet complete,
    /// <paramref name="jobs"/> at once.</summary>
    void Planned(int subjects, int toProcess, int jobs);

    /// <summary>A subject started.</summary>
    void Started(string subject);

    /// <summary>A subject finished (done, skipped or failed).</summary>
    void Finished(SubjectOutcome outcome);

    /// <summary>A line worth showing (what was found, where outputs go, warnings); the parameters it names
    /// (<see cref="ParameterName"/>) are for the front end to spell.</summary>
    void Message(ParameterText text);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class SilentProgress : IRunProgress
{
    /// <summary>The instance.</summary>
    public static SilentProgress Instance { get; } = new();

    /// <inheritdoc />
    public void Planned(int subjects, int toProcess, int jobs) { }
    /// <inheritdoc />
    public void Started(string subject) { }
    /// <inheritdoc />
    public void Finished(SubjectOutcome outcome) { }
    /// <inheritdoc />
    public void Message(ParameterText text) { }
}

/// <summary>
/// The per-subject status file <c>OUTPUT_DIR/logs/sub-X_status.json</c>: state, reason and file of a failure,
/// parameters hash, times. The group level reads it to report failed subjects; a Slurm array task writes its own.
/// </summary>
public sealed record SubjectStatus(string Subject, string State, string? Reason, string? File, string ParametersHash, double Seconds, string Finished)
{
    /// <summary>Where the status of <paramref name="subject"/> is kept.</summary>
    public static string PathOf(string outputDir, string subject) => System.IO.Path.Combine(outputDir, "logs", $"sub-{subject}_status.json");

    /// <summary>The log of <paramref name="subject"/>.</summary>
    public static string LogPathOf(string outputDir, string subject) => System.IO.Path.Combine(outputDir, "logs", $"sub-{subject}.log");

    /// <summary>Writes the status atomically.</summary>
    public void Write(string outputDir)
    {
        var json = new JsonObject
        {
            ["Subject"] = Subject,
            ["State"] = State,
            ["Reason"] = Reason,
            ["File"] = File,
            [Provenance.ParametersHashKey] = ParametersHash,
            ["Seconds"] = Math.Round(Seconds, 3),
            ["Finished"] = Finished,
        };
        AtomicFile.WriteAllText(PathOf(outputDir, Subject), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>The status of <paramref name="subject"/>, or null when there is none (or it is unreadable).</summary>
    public static SubjectStatus? Read(string outputDir, string subject)
    {
        var path = PathOf(outputDir, subject);
        if (!System.IO.File.Exists(path)) return null;
        try
        {
            // The run's own file, read back: a regular file only (a FIFO planted there would block).
            if (JsonNode.Parse(IO.InputFile.ReadAllText(path, IO.InputFile.MaxJsonBytes, "a status file", asInput: false)) is not JsonObject o) return null;
            string? S(string k) => o[k] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
            double seconds = o["Seconds"] is JsonValue sv && sv.TryGetValue(out double d) ? d : 0;
            return new SubjectStatus(S("Subject") ?? subject, S("State") ?? "unknown", S("Reason"), S("File"), S(Provenance.ParametersHashKey) ?? "", seconds, S("Finished") ?? "");
        }
        catch (Exception e) when (e is JsonException or NiSharpException) { return null; }
    }
}
