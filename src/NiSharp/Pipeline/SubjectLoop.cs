using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using NiSharp.Bids;

namespace NiSharp.Pipeline;

/// <summary>
/// The loop every participant-level command (<c>run … participant</c>, <c>benchmark</c>) runs over subjects: subjects
/// in parallel up to the planned number of jobs, with progress reported, and per subject its runs one after another, a
/// failing run logged with its file and reason while the other runs and subjects go on.
/// </summary>
internal static class SubjectLoop
{
    /// <summary>Processes the subjects <paramref name="todo"/> (indices into <paramref name="subjects"/>), at most
    /// <paramref name="jobs"/> at once; <paramref name="process"/> returns each one's outcome.</summary>
    /// <exception cref="NiSharpException">What escapes <paramref name="process"/> (the output folder refusing a log, say),
    /// as one line.</exception>
    public static void ForEach(IReadOnlyList<(string Subject, IReadOnlyList<BoldRun> Runs)> subjects, IEnumerable<int> todo, int jobs,
        IRunProgress progress, SubjectOutcome[] outcomes, Func<int, SubjectOutcome> process)
    {
        try
        {
            Parallel.ForEach(todo, new ParallelOptions { MaxDegreeOfParallelism = jobs }, i =>
            {
                progress.Started(subjects[i].Subject);
                outcomes[i] = process(i);
                progress.Finished(outcomes[i]);
            });
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.OfType<NiSharpException>().FirstOrDefault() is { } ours)
        {
            // A subject's failure is caught in RunEach; what escapes it is the output folder itself refusing the
            // subject's log or status (a full disk, a folder leading elsewhere): the run cannot go on, say why in one line.
            ExceptionDispatchInfo.Throw(ours);
        }
    }

    /// <summary>Runs <paramref name="process"/> on each run of a subject; returns the first failure's reason and file
    /// (nulls when every run succeeded). An input problem is logged as one line; anything else (a bug) with its stack.</summary>
    public static (string? Reason, string? File) RunEach(IReadOnlyList<BoldRun> runs, SubjectLog log, Action<BoldRun> process)
    {
        string? reason = null, file = null;
        foreach (var run in runs)
        {
            try
            {
                process(run);
            }
            catch (NiSharpException e)
            {
                reason ??= e.Message;
                file ??= e.FilePath ?? run.Bold.Path;
                log.Add($"  FAILED: {e.Message}");
            }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
            {
                // Not an anticipated input problem (or a bug): this subject fails with the exception in its log, the
                // others go on.
                reason ??= $"{run.Bold.Path}: {e.GetType().Name}: {e.Message}".Replace('\n', ' ');
                file ??= run.Bold.Path;
                log.Add($"  FAILED: {e.GetType().Name}: {e.Message}");
                log.Add(e.ToString());
            }
        }
        return (reason, file);
    }
}

/// <summary>A subject's log: timestamped lines, safe to add to from several threads.</summary>
internal sealed class SubjectLog
{
    private readonly StringBuilder _text = new();

    /// <summary>Adds one line, stamped with the local time.</summary>
    public void Add(string line)
    {
        lock (_text) _text.Append(DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append("  ").Append(line).Append('\n');
    }

    /// <inheritdoc />
    public override string ToString()
    {
        lock (_text) return _text.ToString();
    }
}
