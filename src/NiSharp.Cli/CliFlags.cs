namespace NiSharp.Cli;

/// <summary>
/// The library's parameter names and the flags that set them: the library's errors and messages name parameters
/// (<see cref="ParameterName"/> in a <see cref="ParameterText"/>), the CLI prints its flags instead.
/// </summary>
internal static class CliFlags
{
    private static readonly Dictionary<string, string> FlagOf = new(StringComparer.Ordinal)
    {
        ["dummy_scans"] = "--dummy-scans",
        ["edges"] = "--edges",
        ["groups"] = "--groups",
        ["jobs"] = "--jobs",
        ["kinds"] = "--kind",
        ["min_group_size"] = "--min-group-size",
        ["network"] = "--network",
        ["nisharp_command"] = "--nisharp-command",
        ["participant_label"] = "--participant-label",
        ["participants_file"] = "--participants",
        ["permutations"] = "--permutations",
        ["slurm_cpus"] = "--slurm-cpus",
        ["slurm_extra"] = "--slurm-extra",
        ["slurm_max_parallel"] = "--slurm-max-parallel",
        ["slurm_subjects_per_task"] = "--slurm-subjects-per-task",
        ["slurm_mem"] = "--slurm-mem",
        ["slurm_time"] = "--slurm-time",
        ["strategies"] = "--strategies",
        ["subjects"] = "--subjects",
        ["t_r"] = "--t-r",
    };

    /// <summary>The flag of a library parameter (<c>dummy_scans</c> → <c>--dummy-scans</c>); an unlisted name is
    /// spelled as a flag by the same rule.</summary>
    public static string Of(string parameter) =>
        FlagOf.TryGetValue(parameter, out var flag) ? flag : "--" + parameter.Replace('_', '-');

    /// <summary>The one line the CLI prints for <paramref name="e"/>: a parameter error names the flag.</summary>
    public static string Message(NiSharpException e) => e.MessageNaming(Of);

    /// <summary>A library line (progress, advice) with the parameters it names spelled as flags.</summary>
    public static string Text(ParameterText text) => text.ToString(Of);
}
