using System.CommandLine;
using NiSharp.Signal;

namespace NiSharp.Cli.Commands;

/// <summary>
/// The flags of the commands that clean (clean, extract, run) that choose between nilearn releases' behaviour:
/// <c>--extrapolate</c> (nilearn's <c>extrapolate</c>, default off as since 0.13), <c>--censored-interpolation all|nilearn</c>
/// and <c>--nilearn-semantics 0.14|0.10.4</c>. The defaults follow nilearn 0.14; docs/nilearn-users.md lists what each
/// flag brings back.
/// </summary>
internal sealed class CleanCompatibilityOptions
{
    public Option<bool> Extrapolate { get; } = new("--extrapolate")
    {
        Description = "With censoring and a band-pass: fill censored volumes before the first and after the last kept one from the spline and filter them " +
                      "(nilearn's extrapolate=True, its default up to 0.12); by default they are left out of the filtering, as nilearn 0.13+",
    };

    public Option<string> CensoredInterpolation { get; } = new("--censored-interpolation")
    {
        Description = "Censored volumes interpolated before filtering: all (default, what nilearn documents) or nilearn (its code as it runs: volume t " +
                      "only when volume n-1-t is kept, and without --extrapolate kept volumes shifted; only to reproduce nilearn's numbers)",
        DefaultValueFactory = _ => "all",
    };

    public Option<string> Semantics { get; } = new("--nilearn-semantics")
    {
        Description = "nilearn release reproduced where releases differ without a parameter (Butterworth as sections or one transfer function, when " +
                      "the mean is added back before standardising, the maps' resampling): 0.14 (default) or 0.10.4",
        DefaultValueFactory = _ => "0.14",
    };

    public CleanCompatibilityOptions()
    {
        CensoredInterpolation.AcceptOnlyFromAmong("all", "nilearn");
    }

    /// <summary>Adds the flags to <paramref name="cmd"/>.</summary>
    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Extrapolate);
        cmd.Options.Add(CensoredInterpolation);
        cmd.Options.Add(Semantics);
    }

    /// <summary><paramref name="clean"/> (what the command's other flags chose) with the three choices.</summary>
    public CleanOptions Apply(ParseResult p, CleanOptions clean) => clean with
    {
        Extrapolate = p.GetValue(Extrapolate),
        CensoredInterpolation = CleanOptions.ParseCensoredInterpolation(p.GetValue(CensoredInterpolation)!),
        Semantics = CleanOptions.ParseSemantics(p.GetValue(Semantics)!),
    };
}
