using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NiSharp.Pipeline.Slurm;

/// <summary>
/// How <c>nisharp run … --slurm</c> asks Slurm for resources and what the jobs run: the <c>--slurm-*</c> flags
/// (each becomes one <c>#SBATCH</c> line of the scripts), <c>--with-group</c>, <c>--dry-run</c>,
/// <c>--nisharp-command</c>, and the analysis options the jobs pass on to <c>nisharp run</c>.
/// </summary>
public sealed partial record SlurmOptions
{
    /// <summary><c>--slurm-partition</c>: the partition (null: the cluster's default).</summary>
    public string? Partition { get; init; }

    /// <summary><c>--slurm-time</c>: the time limit of each job, in a form Slurm accepts (<c>HH:MM:SS</c>,
    /// <c>D-HH:MM:SS</c>, <c>MM</c>…); null: the partition's default.</summary>
    public string? Time { get; init; }

    /// <summary><c>--slurm-mem</c>: memory per job (<c>4G</c>, <c>500M</c>); null: estimated from the BOLD headers
    /// (see <see cref="SlurmSubmission.DefaultMemory"/>).</summary>
    public string? Memory { get; init; }

    /// <summary><c>--slurm-cpus</c>: CPUs per task.</summary>
    public int Cpus { get; init; } = 1;

    /// <summary><c>--slurm-max-parallel</c>: at most this many array tasks at once (the <c>%N</c> of
    /// <c>--array</c>); null: no limit beyond the cluster's.</summary>
    public int? MaxParallel { get; init; }

    /// <summary><c>--slurm-subjects-per-task</c>: subjects each array task processes one after another in one process (so
    /// a cluster pays a process's start once per batch); null: chosen by <see cref="SubjectsPerTaskFor"/>.</summary>
    public int? SubjectsPerTask { get; init; }

    /// <summary>The rounds of <see cref="MaxParallel"/> tasks the default batching leaves (see <see cref="SubjectsPerTaskFor"/>).</summary>
    public const int RoundsOfTasks = 4;

    /// <summary>The subjects per array task for <paramref name="subjects"/> subjects: <see cref="SubjectsPerTask"/> when
    /// given; else enough tasks for four rounds of <see cref="MaxParallel"/> tasks (so that a slow subject holds back few
    /// others, a failed task takes few with it, and late tasks still balance the load), one subject per task when that
    /// gives fewer or without a limit; and never more tasks than <paramref name="maxTasks"/> (the cluster's array).</summary>
    public int SubjectsPerTaskFor(int subjects, int? maxTasks = null)
    {
        if (SubjectsPerTask is int n) return n;
        int perTask = MaxParallel is int m ? Math.Max(1, subjects / (RoundsOfTasks * m)) : 1;
        if (maxTasks is int t && t > 0) perTask = Math.Max(perTask, (subjects + t - 1) / t);
        return perTask;
    }

    /// <summary><c>--slurm-account</c>: the account charged (null: the user's default).</summary>
    public string? Account { get; init; }

    /// <summary><c>--slurm-extra</c>: further <c>sbatch</c> options, as one shell-like string
    /// (<c>"--qos=low --mail-type=END"</c>); each becomes an <c>#SBATCH</c> line.</summary>
    public string? Extra { get; init; }

    /// <summary><c>--with-group</c>: also submit the group level, after the whole array
    /// (<c>--dependency=afterany:ARRAY</c>).</summary>
    public bool WithGroup { get; init; }

    /// <summary><c>--dry-run</c>: write the scripts and print them, submit nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary><c>--nisharp-command</c>: how the jobs start NiSharp, as shell text (<c>nisharp</c> on the nodes'
    /// PATH, or e.g. <c>dotnet /opt/nisharp/NiSharp.Cli.dll</c>).</summary>
    public string NisharpCommand { get; init; } = "nisharp";

    /// <summary>The analysis options the jobs pass on to <c>nisharp run</c> (<c>--atlas</c>, <c>--strategy</c>, …) as
    /// command-line words, so that every task computes exactly what a local run with them would; never
    /// <c>--participant-label</c>, <c>--jobs</c> or the Slurm flags.</summary>
    public IReadOnlyList<string> RunArguments { get; init; } = [];

    /// <summary>The participant labels as given (passed on to the group level only: each array task gets its own).</summary>
    public IReadOnlyList<string> GroupLabelArguments { get; init; } = [];

    /// <summary>The jobs' working directory (<c>#SBATCH --chdir</c>), so that relative paths among
    /// <see cref="RunArguments"/> mean what they meant at submission; null: the current directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The <c>sbatch</c>, <c>squeue</c> and <c>scontrol</c> to use (tests point it at a private cluster).</summary>
    public SlurmCluster Cluster { get; init; } = SlurmCluster.Default;

    /// <summary>Checks the values; throws <see cref="NiSharpException"/> naming the flag.</summary>
    public SlurmOptions Validate()
    {
        if (Time is string t && !TimePattern().IsMatch(t))
            throw NiSharpException.InParameter("slurm_time", $" '{t}' is not a Slurm time limit (HH:MM:SS, MM:SS, MM or D-HH[:MM[:SS]])");
        if (Memory is string m && !MemoryPattern().IsMatch(m))
            throw NiSharpException.InParameter("slurm_mem", $" '{m}' is not a Slurm memory size (a whole number with an optional K, M, G or T unit, e.g. 4G)");
        if (Cpus < 1) throw NiSharpException.InParameter("slurm_cpus", $" must be at least 1, got {Cpus}");
        if (SubjectsPerTask is < 1) throw NiSharpException.InParameter("slurm_subjects_per_task", $" must be at least 1, got {SubjectsPerTask}");
        if (MaxParallel is < 1) throw NiSharpException.InParameter("slurm_max_parallel", $" must be at least 1, got {MaxParallel}");
        foreach (var (parameter, value) in new[] { ("slurm_partition", Partition), ("slurm_account", Account) })
            if (value is string v && (v.Length == 0 || !NamePattern().IsMatch(v)))
                throw NiSharpException.InParameter(parameter, $" '{v}' is not a Slurm name (letters, digits, '-', '_', '.', ',')");
        foreach (var word in ExtraDirectives())
        {
            if (!word.StartsWith('-'))
                throw NiSharpException.InParameter("slurm_extra", $": '{word}' is not an sbatch option (each word starts with '-', e.g. \"--qos=low --mail-type=END\")");
            if (word.Contains('"') || word.Contains('\n'))
                throw NiSharpException.InParameter("slurm_extra", $": '{word}' holds a double quote or a line break, which an #SBATCH line cannot carry");
        }
        if (string.IsNullOrWhiteSpace(NisharpCommand)) throw NiSharpException.InParameter("nisharp_command", " is empty");
        if (NisharpCommand.Contains('\n')) throw NiSharpException.InParameter("nisharp_command", " must be one line");
        return this;
    }

    /// <summary>The words of <see cref="Extra"/>, split as a shell would (quotes group words, a backslash escapes).</summary>
    public IReadOnlyList<string> ExtraDirectives() => Extra is null ? [] : SplitWords(Extra);

    /// <summary>Splits <paramref name="text"/> into words as a POSIX shell would (single and double quotes, backslash),
    /// without expansions; fails on an unclosed quote.</summary>
    public static IReadOnlyList<string> SplitWords(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`') word.Append(text[++i]);
                else word.Append(c);
            }
            else if (c is '\'' or '"') { quote = c; inWord = true; }
            else if (c == '\\' && i + 1 < text.Length) { word.Append(text[++i]); inWord = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else { word.Append(c); inWord = true; }
        }
        if (quote != '\0') throw NiSharpException.InParameter("slurm_extra", $": unclosed {quote} quote in '{text}'");
        if (inWord) words.Add(word.ToString());
        return words;
    }

    /// <summary>The memory in megabytes (for comparisons), or null when not given.</summary>
    public long? MemoryMegabytes()
    {
        if (Memory is not string m) return null;
        var match = MemoryPattern().Match(m);
        long n = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value.ToUpperInvariant() switch
        {
            "K" => Math.Max(1, n / 1024),
            "G" => n * 1024,
            "T" => n * 1024 * 1024,
            _ => n,
        };
    }

    [GeneratedRegex(@"^(\d+-)?\d+(:\d{1,2}){0,2}$|^\d+-\d+$")]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^(\d+)([KMGTkmgt]?)$")]
    private static partial Regex MemoryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.,\-]+$")]
    private static partial Regex NamePattern();
}
