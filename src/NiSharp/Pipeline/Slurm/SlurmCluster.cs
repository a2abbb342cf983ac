using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NiSharp.Pipeline.Slurm;

/// <summary>One job, or one task of a job array, as <c>squeue</c> or <c>scontrol</c> report it.</summary>
/// <param name="JobId">The job id (for an array task, Slurm's own id of the task).</param>
/// <param name="ArrayJobId">The array's job id, or null for a plain job.</param>
/// <param name="ArrayTaskId">The task index within the array, or null for a plain job.</param>
/// <param name="State">The Slurm state (<c>PENDING</c>, <c>RUNNING</c>, <c>COMPLETED</c>, <c>FAILED</c>, <c>TIMEOUT</c>…).</param>
/// <param name="Reason">Why it waits or ended (<c>Dependency</c>, <c>Priority</c>, <c>NonZeroExitCode</c>…), or null.</param>
/// <param name="Nodes">The node(s) it runs on, or null.</param>
public sealed record SlurmJobState(string JobId, string? ArrayJobId, int? ArrayTaskId, string State, string? Reason, string? Nodes)
{
    /// <summary>Whether the job is still waiting or running (not in a final state).</summary>
    public bool IsActive => !FinalStates.Contains(State);

    /// <summary>Whether it waits to start.</summary>
    public bool IsPending => State is "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "SUSPENDED" or "RESV_DEL_HOLD";

    /// <summary>The states in which a job has ended.</summary>
    public static IReadOnlySet<string> FinalStates { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED", "SPECIAL_EXIT", "REVOKED",
    };

    /// <summary>The id Slurm users write for it: <c>123_4</c> for a task of array 123, <c>124</c> for a plain job.</summary>
    public string DisplayId => ArrayJobId is not null && ArrayTaskId is int t ? $"{ArrayJobId}_{t}" : JobId;
}

/// <summary>
/// The Slurm client commands NiSharp uses — <c>sbatch --parsable</c> to submit, <c>squeue</c> for jobs that wait or
/// run, <c>scontrol -o show job</c> for jobs that ended recently (Slurm keeps them for <c>MinJobAge</c>, 300 s by
/// default) — run as child processes with the environment of this process (so <c>SLURM_CONF</c> applies). Methods are
/// virtual so that tests can stand in for a cluster.
/// </summary>
public partial class SlurmCluster
{
    /// <summary>The commands found on PATH.</summary>
    public static SlurmCluster Default { get; } = new();

    /// <summary>How long one client command may take before it is given up.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The <c>sbatch</c> command (a name looked up on PATH, or a path).</summary>
    public string SbatchCommand { get; init; } = "sbatch";

    /// <summary>The <c>squeue</c> command.</summary>
    public string SqueueCommand { get; init; } = "squeue";

    /// <summary>The <c>scontrol</c> command.</summary>
    public string ScontrolCommand { get; init; } = "scontrol";

    /// <summary>Submits <paramref name="script"/> with <c>sbatch --parsable</c> and <paramref name="options"/> (given
    /// before the script, so that they override its <c>#SBATCH</c> lines); returns the job id.</summary>
    /// <exception cref="NiSharpException">No <c>sbatch</c>, or Slurm refused the job (its message is given).</exception>
    public virtual string Submit(string script, IReadOnlyList<string> options)
    {
        var (code, stdout, stderr) = Execute(SbatchCommand, ["--parsable", .. options, script])
            ?? throw new NiSharpException(script, $"cannot submit: 'sbatch' was not found on PATH (is Slurm installed here? use {new ParameterName("dry_run")} to only write the scripts)");
        if (code != 0)
            throw new NiSharpException(script, $"sbatch refused the job: {OneLine(stderr.Length > 0 ? stderr : stdout)}");
        // --parsable prints "JOBID" or "JOBID;CLUSTER".
        var id = stdout.Trim().Split('\n')[^1].Split(';')[0].Trim();
        if (!JobIdPattern().IsMatch(id)) throw new NiSharpException(script, $"sbatch printed no job id: {OneLine(stdout)}");
        return id;
    }

    /// <summary>The waiting and running jobs or array tasks of job <paramref name="jobId"/> (<c>squeue -r</c>, one
    /// line per task); empty when Slurm no longer lists it; null when <c>squeue</c> cannot be run.</summary>
    public virtual IReadOnlyList<SlurmJobState>? Queue(string jobId)
    {
        var result = Execute(SqueueCommand, ["-h", "-r", "-j", jobId, "-o", "%i|%F|%K|%T|%r|%N"]);
        if (result is not var (code, stdout, stderr)) return null;
        if (code != 0) return stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? [] : null;
        return ParseQueue(stdout);
    }

    /// <summary>Every record Slurm still keeps of job <paramref name="jobId"/> (<c>scontrol -o show job</c>: waiting,
    /// running and recently ended tasks); empty when it has been purged; null when <c>scontrol</c> cannot be run.</summary>
    public virtual IReadOnlyList<SlurmJobState>? Show(string jobId)
    {
        var result = Execute(ScontrolCommand, ["-o", "show", "job", jobId]);
        if (result is not var (code, stdout, stderr)) return null;
        if (code != 0) return stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? [] : null;
        return ParseShowJob(stdout);
    }

    /// <summary>The cluster's <c>MaxArraySize</c> (array indices must be below it), or null when unknown.</summary>
    public virtual int? MaxArraySize()
    {
        var result = Execute(ScontrolCommand, ["show", "config"]);
        if (result is not (0, var stdout, _)) return null;
        var m = MaxArraySizePattern().Match(stdout);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Lines of <c>squeue -h -r -o "%i|%F|%K|%T|%r|%N"</c>.</summary>
    public static IReadOnlyList<SlurmJobState> ParseQueue(string text)
    {
        var jobs = new List<SlurmJobState>();
        foreach (var raw in text.Split('\n'))
        {
            var f = raw.Trim().Split('|');
            if (f.Length < 6) continue;
            int? task = int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : null;
            // For an array task %i is "ARRAY_TASK"; %F is the array's id (for a plain job, the job's own).
            string? array = task is null ? null : f[1];
            jobs.Add(new SlurmJobState(f[0], array, task, f[3], NullIfNone(f[4]), NullIfNone(f[5])));
        }
        return jobs;
    }

    /// <summary>Lines of <c>scontrol -o show job</c> (one record per line, <c>Key=Value</c> words); a pending array
    /// record that stands for several tasks (<c>ArrayTaskId=2-5%2</c>) gives one state per task.</summary>
    public static IReadOnlyList<SlurmJobState> ParseShowJob(string text)
    {
        var jobs = new List<SlurmJobState>();
        foreach (var line in text.Split('\n'))
        {
            if (!line.Contains("JobId=", StringComparison.Ordinal)) continue;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match m in FieldPattern().Matches(line)) fields.TryAdd(m.Groups[1].Value, m.Groups[2].Value);
            if (!fields.TryGetValue("JobId", out var id) || !fields.TryGetValue("JobState", out var state)) continue;
            fields.TryGetValue("Reason", out var reason);
            fields.TryGetValue("NodeList", out var nodes);
            fields.TryGetValue("ArrayJobId", out var array);
            if (fields.TryGetValue("ArrayTaskId", out var tasks) && array is not null)
            {
                foreach (var t in ExpandTaskIds(tasks))
                    jobs.Add(new SlurmJobState(id, array, t, state, NullIfNone(reason), NullIfNone(nodes)));
            }
            else jobs.Add(new SlurmJobState(id, null, null, state, NullIfNone(reason), NullIfNone(nodes)));
        }
        return jobs;
    }

    /// <summary>The task indices of an <c>ArrayTaskId</c> value: <c>4</c>, <c>2-5</c>, <c>1,3-4</c>, with an optional
    /// <c>%limit</c> and <c>:step</c>.</summary>
    public static IEnumerable<int> ExpandTaskIds(string value)
    {
        var spec = value.Split('%')[0];
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split(':')[0];
            int step = part.Contains(':') && int.TryParse(part.Split(':')[1], CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;
            var ends = range.Split('-');
            if (!int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a)) continue;
            int b = ends.Length > 1 && int.TryParse(ends[1], NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? e : a;
            for (int i = a; i <= b; i += step) yield return i;
        }
    }

    /// <summary>Runs a client command; null when it cannot be started (not installed).</summary>
    protected (int ExitCode, string Stdout, string Stderr)? Execute(string command, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException();
        }
        catch (Win32Exception) { return null; }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(CommandTimeout))
            {
                try { process.Kill(); } catch (InvalidOperationException) { }
                throw new NiSharpException($"'{command} {string.Join(' ', arguments)}' did not answer within {CommandTimeout.TotalSeconds:0} s: is the Slurm controller up?");
            }
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    private static string? NullIfNone(string? s) => string.IsNullOrEmpty(s) || s is "None" or "(null)" or "N/A" or "(None)" ? null : s;

    private static string OneLine(string s) => s.Trim().Replace('\n', ' ');

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex JobIdPattern();

    [GeneratedRegex(@"(?:^|\s)([A-Za-z:/]+)=(\S*)")]
    private static partial Regex FieldPattern();

    [GeneratedRegex(@"MaxArraySize\s*=\s*(\d+)")]
    private static partial Regex MaxArraySizePattern();
}
