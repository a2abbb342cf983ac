using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NiSharp.Pipeline.Slurm;

/// <summary>
/// The text of the two batch scripts: <c>participant.sbatch</c>, a job array whose task <c>i</c> runs
/// <c>nisharp run … participant --participant-label &lt;line i+1 of subjects.txt&gt;</c>, and <c>group.sbatch</c>, the
/// group level. Plain bash with <c>#SBATCH</c> lines, meant to be read (and resubmitted by hand with
/// <c>sbatch</c>): every value is written out, nothing is sourced.
/// </summary>
public static partial class SlurmScripts
{
    /// <summary>The participant array's script.</summary>
    public static string Participant(SlurmPlan plan)
    {
        var slurm = plan.Slurm;
        int n = plan.ToSubmit.Count;
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append($"# NiSharp participant level as a Slurm job array, written by 'nisharp run --slurm' (NiSharp {Provenance.Version}).\n");
        int per = plan.SubjectsPerTask;
        sb.Append(per == 1
            ? $"# Task i processes the subject on line i+1 of {plan.SubjectsFile}:\n"
            : $"# Task i processes the {per} subjects on lines {per}i+1 to {per}(i+1) of {plan.SubjectsFile}, one after another in one process:\n");
        sb.Append($"# {n} subject(s) whose outputs are not complete{(plan.Complete.Count > 0 ? $" ({plan.Complete.Count} complete one(s) left out)" : "")}.\n");
        sb.Append($"# Parameters hash {plan.ParametersHash}; outputs and logs in {plan.Options.OutputDirectory}.\n");
        sb.Append("# Submit by hand: sbatch " + Quote(plan.ParticipantScript) + "   (nisharp status " + Quote(plan.Options.OutputDirectory) + " follows it)\n");
        sb.Append("#SBATCH --job-name=nisharp-participant\n");
        sb.Append($"#SBATCH --array=0-{plan.Tasks - 1}{(slurm.MaxParallel is int max ? "%" + max.ToString(CultureInfo.InvariantCulture) : "")}\n");
        Resources(sb, plan);
        sb.Append($"#SBATCH {Directive($"--output={plan.LogsDirectory}/slurm-participant-%A_%a.out")}\n");
        sb.Append('\n');
        sb.Append("set -euo pipefail\n");
        if (per == 1)
        {
            sb.Append($"subject=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {Quote(plan.SubjectsFile)})\n");
            sb.Append("if [ -z \"$subject\" ]; then\n");
            sb.Append($"  echo \"nisharp: no subject on line $((SLURM_ARRAY_TASK_ID + 1)) of {Escape(plan.SubjectsFile)}\" >&2\n");
            sb.Append("  exit 2\n");
            sb.Append("fi\n");
            sb.Append("echo \"nisharp participant level: sub-$subject (task $SLURM_ARRAY_TASK_ID of array job $SLURM_ARRAY_JOB_ID) on $(hostname) at $(date -Is)\"\n");
        }
        else
        {
            string p = per.ToString(CultureInfo.InvariantCulture);
            sb.Append($"mapfile -t subjects < <(sed -n \"$((SLURM_ARRAY_TASK_ID * {p} + 1)),$(((SLURM_ARRAY_TASK_ID + 1) * {p}))p\" {Quote(plan.SubjectsFile)})\n");
            sb.Append("if [ \"${#subjects[@]}\" -eq 0 ]; then\n");
            sb.Append($"  echo \"nisharp: no subject on lines $((SLURM_ARRAY_TASK_ID * {p} + 1))-$(((SLURM_ARRAY_TASK_ID + 1) * {p})) of {Escape(plan.SubjectsFile)}\" >&2\n");
            sb.Append("  exit 2\n");
            sb.Append("fi\n");
            sb.Append("echo \"nisharp participant level: ${#subjects[@]} subject(s), sub-${subjects[*]} (task $SLURM_ARRAY_TASK_ID of array job $SLURM_ARRAY_JOB_ID) on $(hostname) at $(date -Is)\"\n");
        }
        Exports(sb, plan);
        sb.Append("# --array-task: the other tasks write to the same output folder at the same time.\n");
        sb.Append(slurm.NisharpCommand.Trim()).Append(" run ").Append(Quote(plan.Options.InputDirectory)).Append(' ').Append(Quote(plan.Options.OutputDirectory))
          .Append(per == 1 ? " participant --participant-label \"$subject\" --jobs 1 --array-task" : " participant --participant-label \"${subjects[@]}\" --jobs 1 --array-task");
        foreach (var a in slurm.RunArguments) sb.Append(' ').Append(Quote(a));
        sb.Append('\n');
        return sb.ToString();
    }

    /// <summary>The group level's script.</summary>
    public static string Group(SlurmPlan plan)
    {
        var slurm = plan.Slurm;
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append($"# NiSharp group level, written by 'nisharp run --slurm --with-group' (NiSharp {Provenance.Version}).\n");
        sb.Append("# Submitted with --dependency=afterany:<participant array job id>: it runs when every array task has ended,\n");
        sb.Append("# also when some subjects failed; those are reported (group/failed_subjects.tsv) and left out of the comparison.\n");
        sb.Append($"# Parameters hash {plan.ParametersHash}; outputs and logs in {plan.Options.OutputDirectory}.\n");
        sb.Append("#SBATCH --job-name=nisharp-group\n");
        Resources(sb, plan);
        sb.Append($"#SBATCH {Directive($"--output={plan.LogsDirectory}/slurm-group-%j.out")}\n");
        sb.Append('\n');
        sb.Append("set -euo pipefail\n");
        sb.Append("echo \"nisharp group level (job $SLURM_JOB_ID) on $(hostname) at $(date -Is)\"\n");
        sb.Append("# Exit code 1 means: compared, but some subjects failed and were left out (listed in group/failed_subjects.tsv).\n");
        sb.Append("# The job still succeeds then, so that jobs depending on it with afterok run; an error (exit code 2) fails it.\n");
        Exports(sb, plan);
        sb.Append("status=0\n");
        sb.Append(slurm.NisharpCommand.Trim()).Append(" run ").Append(Quote(plan.Options.InputDirectory)).Append(' ').Append(Quote(plan.Options.OutputDirectory))
          .Append(" group");
        foreach (var a in slurm.GroupLabelArguments.Concat(slurm.RunArguments)) sb.Append(' ').Append(Quote(a));
        sb.Append(" || status=$?\n");
        sb.Append("if [ \"$status\" -eq 1 ]; then\n");
        sb.Append($"  echo \"nisharp: the group level left out failed subjects: see {Escape(Path.Combine(plan.Options.OutputDirectory, "group", "failed_subjects.tsv"))}\"\n");
        sb.Append("  exit 0\n");
        sb.Append("fi\n");
        sb.Append("exit \"$status\"\n");
        return sb.ToString();
    }

    private static void Exports(StringBuilder sb, SlurmPlan plan)
    {
        foreach (var (name, value) in plan.Environment) sb.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
    }

    private static void Resources(StringBuilder sb, SlurmPlan plan)
    {
        var slurm = plan.Slurm;
        sb.Append("#SBATCH --ntasks=1\n");
        sb.Append($"#SBATCH --cpus-per-task={slurm.Cpus.ToString(CultureInfo.InvariantCulture)}\n");
        if (plan.MemoryNote is string note) sb.Append($"# --mem: {note}; give --slurm-mem to choose\n");
        sb.Append($"#SBATCH --mem={plan.Memory}\n");
        if (slurm.Time is string t) sb.Append($"#SBATCH --time={t}\n");
        if (slurm.Partition is string p) sb.Append($"#SBATCH --partition={p}\n");
        if (slurm.Account is string a) sb.Append($"#SBATCH --account={a}\n");
        foreach (var extra in slurm.ExtraDirectives()) sb.Append($"#SBATCH {Directive(extra)}\n");
        sb.Append($"#SBATCH {Directive($"--chdir={plan.WorkingDirectory}")}\n");
    }

    /// <summary>An sbatch option as an <c>#SBATCH</c> line writes it: a value with spaces in double quotes
    /// (<c>--comment="two words"</c>), which sbatch's directive parser honours.</summary>
    public static string Directive(string option)
    {
        if (!option.Any(char.IsWhiteSpace)) return option;
        int eq = option.IndexOf('=');
        return eq < 0 ? "\"" + option + "\"" : option[..(eq + 1)] + "\"" + option[(eq + 1)..] + "\"";
    }

    /// <summary><paramref name="word"/> as one bash word: bare when it holds only safe characters, else in single
    /// quotes (a quote inside written <c>'\''</c>).</summary>
    public static string Quote(string word) =>
        word.Length > 0 && SafeWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''") + "'";

    // Inside a double-quoted echo.
    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("$", "\\$").Replace("`", "\\`");

    [GeneratedRegex(@"^[A-Za-z0-9_./:=+,@%-]+$")]
    private static partial Regex SafeWord();
}
