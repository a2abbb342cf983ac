using NiSharp.Confounds;

namespace NiSharp.Qc;

/// <summary>A named confound strategy of the denoising benchmark and what it is.</summary>
/// <param name="Name">The benchmark's name (<c>simple+gsr</c>, <c>scrubbing.5</c>, …).</param>
/// <param name="Description">What it regresses out and censors.</param>
/// <param name="Confounds">The <c>load_confounds</c> parameters (dummy volumes are set by the run).</param>
public sealed record DenoisingStrategy(string Name, string Description, ConfoundStrategy Confounds);

/// <summary>
/// The strategies of the fMRIPrep denoising benchmark (Wang et al. 2024, PLOS Comput. Biol. 20(3):e1011942, table 2;
/// <c>benchmark_strategies.json</c> of SIMEXP/fmriprep-denoise-benchmark), as nilearn <c>load_confounds</c> parameters:
/// <list type="bullet">
/// <item><c>baseline</c>: high_pass only (fMRIPrep's discrete cosines); no other regressor.</item>
/// <item><c>simple</c>: high_pass, motion full (24), wm_csf basic (2). <c>simple+gsr</c>: plus global_signal basic.</item>
/// <item><c>scrubbing.5</c>: high_pass, motion full (24), wm_csf full (8), scrub volumes with FD &gt; 0.5 mm and
/// segments shorter than 5 volumes (no DVARS criterion). <c>scrubbing.2</c>: the same at 0.2 mm. <c>+gsr</c>: plus
/// global_signal basic.</item>
/// <item><c>compcor</c>: high_pass, motion full (24), anatomical CompCor on the combined WM+CSF mask, every component
/// fMRIPrep kept (50% of the variance). <c>compcor6</c>: the first 6 such components.</item>
/// </list>
/// ICA-AROMA (<c>aroma</c>) needs fMRIPrep's AROMA outputs and is not part of the default list. Any preset of
/// <see cref="ConfoundPresets"/> (<c>yeo2011</c>, <c>none</c>, … with <c>+gsr</c>) is also accepted by name.
/// </summary>
public static class DenoisingStrategies
{
    private static readonly ConfoundStrategy HighPass = new() { Name = "baseline", Components = NoiseComponents.HighPass };

    private static ConfoundStrategy Scrub(double fd) => ConfoundPresets.Scrubbing with
    {
        FdThreshold = fd,
        // The benchmark scrubs on FD alone (std_dvars_threshold None).
        StdDvarsThreshold = double.PositiveInfinity,
    };

    /// <summary>Every strategy of the benchmark, in its order.</summary>
    public static IReadOnlyList<DenoisingStrategy> All { get; } =
    [
        new("baseline", "high-pass only (discrete cosines); no confound regression", HighPass),
        new("simple", "high-pass + 24 motion + WM/CSF means", ConfoundPresets.Simple),
        new("simple+gsr", "simple + global signal", ConfoundPresets.Simple.WithGlobalSignal()),
        new("scrubbing.5", "high-pass + 24 motion + 8 WM/CSF; censor FD > 0.5 mm (segments < 5 volumes too)", Scrub(0.5)),
        new("scrubbing.5+gsr", "scrubbing.5 + global signal", Scrub(0.5).WithGlobalSignal()),
        new("scrubbing.2", "high-pass + 24 motion + 8 WM/CSF; censor FD > 0.2 mm (segments < 5 volumes too)", Scrub(0.2)),
        new("scrubbing.2+gsr", "scrubbing.2 + global signal", Scrub(0.2).WithGlobalSignal()),
        new("compcor", "high-pass + 24 motion + anatomical CompCor (combined mask, components explaining 50% of the variance)", ConfoundPresets.Compcor),
        new("compcor6", "high-pass + 24 motion + 6 anatomical CompCor components (combined mask)", ConfoundPresets.Compcor with { NCompcor = 6 }),
    ];

    /// <summary>The default <c>--strategies</c>: all of <see cref="All"/>.</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = All.Select(s => s.Name).ToArray();

    /// <summary>A strategy by name: one of <see cref="All"/>, or a confound preset (with <c>+gsr</c>).</summary>
    public static DenoisingStrategy Find(string name)
    {
        var n = name.Trim();
        var known = All.FirstOrDefault(s => s.Name.Equals(n, StringComparison.OrdinalIgnoreCase));
        if (known is not null) return known with { Confounds = known.Confounds with { Name = known.Name } };
        if (n.Equals("aroma", StringComparison.OrdinalIgnoreCase) || n.StartsWith("aroma+", StringComparison.OrdinalIgnoreCase))
            throw new NiSharpException($"strategy '{n}' needs fMRIPrep's ICA-AROMA outputs, which the benchmark does not read; leave it out");
        try
        {
            var preset = ConfoundPresets.Parse(n);
            return new DenoisingStrategy(n, $"nilearn load_confounds_strategy '{preset.Name}'", preset with { Name = n });
        }
        catch (NiSharpException)
        {
            throw new NiSharpException($"unknown strategy '{n}'{IO.NearestNames.DidYouMean(n, DefaultNames.Concat(ConfoundPresets.PresetNames))}: use {string.Join(", ", DefaultNames)} (or a preset: {string.Join(", ", ConfoundPresets.PresetNames)}, each +gsr)");
        }
    }

    /// <summary>Parses a comma-separated list (duplicates removed, order kept).</summary>
    public static IReadOnlyList<DenoisingStrategy> Parse(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw NiSharpException.InParameter("strategies", ": give at least one strategy");
        var result = new List<DenoisingStrategy>();
        foreach (var name in names)
        {
            var s = Find(name);
            if (!result.Any(r => r.Name.Equals(s.Name, StringComparison.OrdinalIgnoreCase))) result.Add(s);
        }
        return result;
    }
}
