using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using NiSharp.Pipeline;
using NiSharp.Pipeline.Slurm;

namespace NiSharp.Cli.Commands;

/// <summary>
/// The scale-out flags of <c>nisharp run</c>: <c>--slurm</c> and its <c>--slurm-*</c> resources, <c>--with-group</c>,
/// <c>--dry-run</c>, <c>--nisharp-command</c>, and <c>--array-task</c>, which the array's script passes to each task.
/// </summary>
internal sealed class RunSlurm
{
    private readonly Option<bool> _slurm = new("--slurm") { Description = "Submit the participant level to Slurm as a job array (one task per subject whose outputs are not complete) instead of running it here" };
    private readonly Option<string?> _partition = new("--slurm-partition") { Description = "Slurm: partition (default: the cluster's)" };
    private readonly Option<string?> _time = new("--slurm-time") { Description = "Slurm: time limit per job, HH:MM:SS (default: the partition's)" };
    private readonly Option<string?> _mem = new("--slurm-mem") { Description = "Slurm: memory per job, e.g. 4G (default: estimated from the BOLD headers, at least 1G)" };
    private readonly Option<int> _cpus = new("--slurm-cpus") { Description = "Slurm: CPUs per task", DefaultValueFactory = _ => 1 };
    private readonly Option<int?> _maxParallel = new("--slurm-max-parallel") { Description = "Slurm: at most N array tasks at once (--array=0-(N-1)%max)" };
    private readonly Option<int?> _perTask = new("--slurm-subjects-per-task") { Description = "Slurm: subjects each array task processes in one process, one after another (default: one, or with --slurm-max-parallel M as many as leave four rounds of M tasks; more when the cluster's MaxArraySize needs it)" };
    private readonly Option<string?> _account = new("--slurm-account") { Description = "Slurm: account to charge" };
    private readonly Option<string?> _extra = new("--slurm-extra") { Description = "Slurm: further sbatch options, e.g. \"--qos=low --mail-type=END\" (each becomes an #SBATCH line)" };
    private readonly Option<bool> _withGroup = new("--with-group") { Description = "Slurm: also submit the group level, after every array task has ended (--dependency=afterany), so it reports failed subjects" };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Slurm: write OUTPUT_DIR/slurm/subjects.txt and the scripts and print them; submit nothing" };
    private readonly Option<string> _command = new("--nisharp-command") { Description = "Slurm: how the jobs start nisharp, e.g. 'dotnet /opt/nisharp/NiSharp.Cli.dll'", DefaultValueFactory = _ => "nisharp" };
    private readonly Option<bool> _arrayTask = new("--array-task") { Description = "Set by participant.sbatch: this run is one task of a Slurm job array; other tasks write to OUTPUT_DIR at the same time", Hidden = true };

    /// <summary>Options of the array script's own making or of the submission: never passed on to the jobs.</summary>
    private readonly HashSet<string> _notForwarded;

    public RunSlurm(params string[] alsoNotForwarded)
    {
        _notForwarded = new HashSet<string>(StringComparer.Ordinal)
        {
            _slurm.Name, _partition.Name, _time.Name, _mem.Name, _cpus.Name, _maxParallel.Name, _perTask.Name, _account.Name, _extra.Name,
            _withGroup.Name, _dryRun.Name, _command.Name, _arrayTask.Name,
        };
        _notForwarded.UnionWith(alsoNotForwarded);
    }

    /// <summary>Adds the flags to <paramref name="cmd"/>.</summary>
    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _slurm, _partition, _time, _mem, _cpus, _maxParallel, _perTask, _account, _extra, _withGroup, _dryRun, _command, _arrayTask })
            cmd.Options.Add(o);
    }

    /// <summary>Whether <c>--array-task</c> was given.</summary>
    public bool IsArrayTask(ParseResult p) => p.GetValue(_arrayTask);

    /// <summary>Whether <c>--slurm</c> was given; fails when a Slurm-only flag comes without it.</summary>
    public bool IsRequested(ParseResult p)
    {
        bool slurm = p.GetValue(_slurm);
        if (!slurm)
            foreach (var o in new Option[] { _partition, _time, _mem, _cpus, _maxParallel, _perTask, _account, _extra, _withGroup, _dryRun, _command })
                if (p.GetResult(o) is { Implicit: false })
                    throw new NiSharpException($"{o.Name} only applies with --slurm");
        if (slurm && p.GetValue(_arrayTask)) throw new NiSharpException("--array-task is for the tasks of a submitted array, not with --slurm");
        return slurm;
    }

    /// <summary>The Slurm options of <paramref name="p"/>: the user's analysis options are passed on as they were
    /// written (so that options added to <c>nisharp run</c> later travel too), the participant labels to the group job
    /// only.</summary>
    public SlurmOptions Options(ParseResult p, Option participantLabels)
    {
        var forwarded = new List<string>();
        var labels = new List<string>();
        foreach (var r in p.CommandResult.Children.OfType<OptionResult>())
        {
            if (r.Implicit) continue;
            var target = r.Option == participantLabels ? labels : _notForwarded.Contains(r.Option.Name) ? null : forwarded;
            if (target is null) continue;
            target.Add(r.Option.Name);
            target.AddRange(r.Tokens.Select(t => t.Value));
        }
        return new SlurmOptions
        {
            Partition = p.GetValue(_partition),
            Time = p.GetValue(_time),
            Memory = p.GetValue(_mem),
            Cpus = p.GetValue(_cpus),
            MaxParallel = p.GetValue(_maxParallel),
            SubjectsPerTask = p.GetValue(_perTask),
            Account = p.GetValue(_account),
            Extra = p.GetValue(_extra),
            WithGroup = p.GetValue(_withGroup),
            DryRun = p.GetValue(_dryRun),
            NisharpCommand = p.GetValue(_command)!,
            RunArguments = forwarded,
            GroupLabelArguments = labels,
            WorkingDirectory = Environment.CurrentDirectory,
        };
    }

    /// <summary>Writes the scripts and submits them (or prints them for <c>--dry-run</c>); returns the exit code.</summary>
    public static int Execute(RunOptions options, SlurmOptions slurm, TextWriter o, TextWriter err)
    {
        var plan = SlurmSubmission.Prepare(options, slurm);
        var output = plan.Options.OutputDirectory;
        if (plan.Options.Level == AnalysisLevel.Participant)
        {
            o.WriteLine($"{plan.Selected.Count} subject(s) selected: {plan.ToSubmit.Count} to submit, {plan.Complete.Count} already complete{(plan.Complete.Count > 0 ? " (not submitted again)" : "")}");
            o.WriteLine(plan.SubjectsPerTask == 1
                ? $"wrote {plan.SubjectsFile} ({plan.ToSubmit.Count} subject(s), line i+1 for array task i)"
                : $"wrote {plan.SubjectsFile} ({plan.ToSubmit.Count} subject(s), {plan.SubjectsPerTask} per array task: {plan.Tasks} task(s))");
        }
        if (!plan.HasArray && !plan.HasGroup)
        {
            o.WriteLine("every selected subject is complete: nothing to submit (add --with-group to submit the group level)");
            return NisharpCli.Ok;
        }
        if (slurm.NisharpCommand.Trim() == "nisharp" && !OnPath("nisharp"))
            err.WriteLine("nisharp: warning: no 'nisharp' on PATH here; the jobs need one on the nodes' PATH, or give --nisharp-command (e.g. 'dotnet /path/to/NiSharp.Cli.dll')");

        if (slurm.DryRun)
        {
            foreach (var script in plan.Scripts)
            {
                o.WriteLine($"==> {script} <==");
                o.Write(File.ReadAllText(script));
            }
            o.WriteLine("dry run: nothing submitted. To submit by hand:");
            if (plan.HasArray && plan.HasGroup)
            {
                o.WriteLine($"  array=$(sbatch --parsable {SlurmScripts.Quote(plan.ParticipantScript)})");
                o.WriteLine($"  sbatch --parsable --dependency=afterany:$array {SlurmScripts.Quote(plan.GroupScript)}");
            }
            else o.WriteLine($"  sbatch {SlurmScripts.Quote(plan.Scripts[0])}");
            return NisharpCli.Ok;
        }

        var result = SlurmSubmission.Submit(plan);
        if (result.ArrayJobId is string array)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"submitted the participant level: Slurm array job {array}, {plan.Tasks} task(s){(plan.SubjectsPerTask > 1 ? $" of up to {plan.SubjectsPerTask} subjects" : "")}{(slurm.MaxParallel is int m ? $", at most {m} at a time" : "")} ({plan.ParticipantScript})"));
        if (result.GroupJobId is string group)
            o.WriteLine(result.ArrayJobId is string a
                ? $"submitted the group level: Slurm job {group}, to start when every task of {a} has ended (--dependency=afterany:{a}) ({plan.GroupScript})"
                : $"submitted the group level: Slurm job {group} ({plan.GroupScript})");
        var ids = string.Join(",", new[] { result.ArrayJobId, result.GroupJobId }.OfType<string>());
        o.WriteLine($"follow: squeue -j {ids}   ·   nisharp status {SlurmScripts.Quote(output)}");
        o.WriteLine($"logs:   {Path.Combine(output, "logs")}/ (slurm-participant-{result.ArrayJobId ?? "ARRAY"}_TASK.out, sub-LABEL.log{(result.GroupJobId is null ? "" : $", slurm-group-{result.GroupJobId}.out")})");
        return NisharpCli.Ok;
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, command)));
}
