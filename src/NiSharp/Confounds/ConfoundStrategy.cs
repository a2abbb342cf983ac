using System.Globalization;

namespace NiSharp.Confounds;

/// <summary>Noise components of <c>load_confounds</c>'s <c>strategy</c>.</summary>
[Flags]
public enum NoiseComponents
{
    /// <summary>No component.</summary>
    None = 0,
    /// <summary><c>motion</c>: the six motion parameters and their expansions.</summary>
    Motion = 1,
    /// <summary><c>high_pass</c>: fMRIPrep's discrete cosine columns.</summary>
    HighPass = 2,
    /// <summary><c>wm_csf</c>: mean white-matter and CSF signals.</summary>
    WmCsf = 4,
    /// <summary><c>global_signal</c>.</summary>
    GlobalSignal = 8,
    /// <summary><c>compcor</c>: CompCor components listed in the JSON.</summary>
    Compcor = 16,
    /// <summary><c>ica_aroma</c>.</summary>
    IcaAroma = 32,
    /// <summary><c>scrub</c>: censor high-motion volumes.</summary>
    Scrub = 64,
}

/// <summary>How many variants of a base regressor (nilearn's <c>basic/derivatives/power2/full</c>).</summary>
public enum Expansion
{
    /// <summary>The base columns only.</summary>
    Basic,
    /// <summary>Plus <c>_derivative1</c>.</summary>
    Derivatives,
    /// <summary>Plus <c>_power2</c>.</summary>
    Power2,
    /// <summary>Plus <c>_derivative1</c>, <c>_power2</c> and <c>_derivative1_power2</c>.</summary>
    Full,
}

/// <summary>nilearn's <c>compcor</c> choices.</summary>
public enum CompcorMethod
{
    /// <summary><c>anat_combined</c>: aCompCor on the combined WM+CSF mask.</summary>
    AnatCombined,
    /// <summary><c>anat_separated</c>: aCompCor on the WM and CSF masks separately.</summary>
    AnatSeparated,
    /// <summary><c>temporal</c>: tCompCor.</summary>
    Temporal,
    /// <summary><c>temporal_anat_combined</c>.</summary>
    TemporalAnatCombined,
    /// <summary><c>temporal_anat_separated</c>.</summary>
    TemporalAnatSeparated,
}

/// <summary>nilearn's <c>ica_aroma</c> choices.</summary>
public enum IcaAromaMode
{
    /// <summary><c>full</c>: non-aggressive denoising already applied by fMRIPrep to the
    /// <c>desc-smoothAROMAnonaggr_bold</c> image; no AROMA regressor is added.</summary>
    Full,
    /// <summary><c>basic</c>: the noise components (<c>aroma_motion_*</c>) as regressors.</summary>
    Basic,
}

/// <summary>Leading volumes dropped from image and confounds before anything else.</summary>
public sealed record DummyScans
{
    /// <summary>A fixed count, or null for <see cref="Auto"/>.</summary>
    public int? Count { get; private init; }

    /// <summary>Whether the count comes from the non-steady-state outlier columns.</summary>
    public bool IsAuto => Count is null;

    /// <summary>Drop exactly <paramref name="count"/> volumes (the lesson drops 4).</summary>
    public static DummyScans Fixed(int count)
    {
        if (count < 0) throw new NiSharpException($"dummy scans must be 0 or more, got {count}");
        return new DummyScans { Count = count };
    }

    /// <summary>Drop the leading volumes fMRIPrep flags in <c>non_steady_state_outlier*</c> columns.</summary>
    public static DummyScans Auto { get; } = new();

    /// <summary>Parses <c>N</c> or <c>auto</c>.</summary>
    public static DummyScans Parse(string text)
    {
        if (text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)) return Auto;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) return Fixed(n);
        throw NiSharpException.InParameter("dummy_scans", $" must be a number of volumes or 'auto', got '{text}'");
    }

    /// <inheritdoc />
    public override string ToString() => Count?.ToString(CultureInfo.InvariantCulture) ?? "auto";
}

/// <summary>
/// What to select from an fMRIPrep confounds file: nilearn's <c>load_confounds</c> parameters (same
/// names in <see cref="ToParameters"/>), explicit columns and dummy volumes. Presets (nilearn's
/// simple, scrubbing, compcor, ica_aroma, the lesson's yeo2011, none) are in <see cref="ConfoundPresets"/>.
/// Scrubbing thresholds default to current nilearn's 0.5 mm / 1.5 (0.10.4 used 0.2 / 3).
/// </summary>
public sealed record ConfoundStrategy
{
    /// <summary>The preset this came from (<c>simple</c>, <c>yeo2011+gsr</c>…) or null.</summary>
    public string? Name { get; init; }

    /// <summary><c>strategy</c>: the noise components (default motion, high_pass, wm_csf).</summary>
    public NoiseComponents Components { get; init; } = NoiseComponents.Motion | NoiseComponents.HighPass | NoiseComponents.WmCsf;

    /// <summary><c>motion</c> (default full: 24 regressors).</summary>
    public Expansion Motion { get; init; } = Expansion.Full;

    /// <summary><c>wm_csf</c> (default basic).</summary>
    public Expansion WmCsf { get; init; } = Expansion.Basic;

    /// <summary><c>global_signal</c> (default basic).</summary>
    public Expansion GlobalSignal { get; init; } = Expansion.Basic;

    /// <summary><c>scrub</c>: minimum length of a segment between censored volumes (default 5); shorter segments are censored too.</summary>
    public int Scrub { get; init; } = 5;

    /// <summary><c>fd_threshold</c> in mm (default 0.5).</summary>
    public double FdThreshold { get; init; } = 0.5;

    /// <summary><c>std_dvars_threshold</c> (default 1.5).</summary>
    public double StdDvarsThreshold { get; init; } = 1.5;

    /// <summary><c>compcor</c> (default anat_combined).</summary>
    public CompcorMethod Compcor { get; init; } = CompcorMethod.AnatCombined;

    /// <summary><c>n_compcor</c>: components per mask, null for all those the JSON lists.</summary>
    public int? NCompcor { get; init; }

    /// <summary><c>ica_aroma</c> (default full).</summary>
    public IcaAromaMode IcaAroma { get; init; } = IcaAromaMode.Full;

    /// <summary><c>demean</c>: subtract each column's mean over the kept volumes (default true).</summary>
    public bool Demean { get; init; } = true;

    /// <summary>Explicit columns (current or old fMRIPrep names), in addition to the components.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Add <c>_derivative1</c> of every explicit column (computed when the file lacks it).</summary>
    public bool Derivatives { get; init; }

    /// <summary>Leading volumes to drop, or null to leave them (non-steady-state volumes are then censored through the sample mask, as nilearn does).</summary>
    public DummyScans? DummyScans { get; init; }

    /// <summary>Adds the global signal as <c>load_confounds_strategy(..., global_signal='basic')</c> does.</summary>
    public ConfoundStrategy WithGlobalSignal() => (Components & NoiseComponents.GlobalSignal) != 0
        ? this with { Name = Name is null ? null : Name + "+gsr" }
        : this with { Name = Name is null ? null : Name + "+gsr", Components = Components | NoiseComponents.GlobalSignal, GlobalSignal = Expansion.Basic };

    /// <summary>Checks the combination (nilearn: CompCor needs high_pass; thresholds positive).</summary>
    public ConfoundStrategy Validate()
    {
        if ((Components & NoiseComponents.Compcor) != 0 && (Components & NoiseComponents.HighPass) == 0)
            throw new NiSharpException("the compcor component needs high_pass too (fMRIPrep computes CompCor on high-pass filtered data)");
        if (Scrub < 0) throw new NiSharpException($"scrub (minimum segment length) must be 0 or more, got {Scrub}");
        if (!(FdThreshold > 0)) throw new NiSharpException($"fd_threshold must be positive, got {FdThreshold.ToString(CultureInfo.InvariantCulture)}");
        if (!(StdDvarsThreshold > 0)) throw new NiSharpException($"std_dvars_threshold must be positive, got {StdDvarsThreshold.ToString(CultureInfo.InvariantCulture)}");
        if (NCompcor is < 1) throw new NiSharpException($"n_compcor must be at least 1 (or all), got {NCompcor}");
        if (Derivatives && Columns.Count == 0) throw new NiSharpException("derivatives apply to explicit columns; give the columns too");
        return this;
    }

    /// <summary>Every parameter under nilearn's names, for JSON sidecars.</summary>
    public Dictionary<string, object?> ToParameters()
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["denoise_strategy"] = Name,
            ["strategy"] = ComponentNames(Components),
        };
        bool Has(NoiseComponents c) => (Components & c) != 0;
        if (Has(NoiseComponents.Motion)) d["motion"] = ExpansionName(Motion);
        if (Has(NoiseComponents.WmCsf)) d["wm_csf"] = ExpansionName(WmCsf);
        if (Has(NoiseComponents.GlobalSignal)) d["global_signal"] = ExpansionName(GlobalSignal);
        if (Has(NoiseComponents.Scrub))
        {
            d["scrub"] = Scrub;
            d["fd_threshold"] = FdThreshold;
            d["std_dvars_threshold"] = StdDvarsThreshold;
        }
        if (Has(NoiseComponents.Compcor))
        {
            d["compcor"] = CompcorName(Compcor);
            d["n_compcor"] = NCompcor is int n ? n : "all";
        }
        if (Has(NoiseComponents.IcaAroma)) d["ica_aroma"] = IcaAroma == IcaAromaMode.Full ? "full" : "basic";
        d["demean"] = Demean;
        if (Columns.Count > 0)
        {
            d["columns"] = Columns.ToArray();
            d["derivatives"] = Derivatives;
        }
        d["dummy_scans"] = DummyScans?.ToString();
        return d;
    }

    /// <summary>nilearn's component names, in its order.</summary>
    public static string[] ComponentNames(NoiseComponents c)
    {
        var names = new List<string>();
        if ((c & NoiseComponents.HighPass) != 0) names.Add("high_pass");
        if ((c & NoiseComponents.Motion) != 0) names.Add("motion");
        if ((c & NoiseComponents.WmCsf) != 0) names.Add("wm_csf");
        if ((c & NoiseComponents.GlobalSignal) != 0) names.Add("global_signal");
        if ((c & NoiseComponents.Compcor) != 0) names.Add("compcor");
        if ((c & NoiseComponents.IcaAroma) != 0) names.Add("ica_aroma");
        if ((c & NoiseComponents.Scrub) != 0) names.Add("scrub");
        return names.ToArray();
    }

    /// <summary>nilearn's name of an expansion.</summary>
    public static string ExpansionName(Expansion e) => e switch
    {
        Expansion.Derivatives => "derivatives",
        Expansion.Power2 => "power2",
        Expansion.Full => "full",
        _ => "basic",
    };

    /// <summary>nilearn's name of a CompCor method.</summary>
    public static string CompcorName(CompcorMethod m) => m switch
    {
        CompcorMethod.AnatSeparated => "anat_separated",
        CompcorMethod.Temporal => "temporal",
        CompcorMethod.TemporalAnatCombined => "temporal_anat_combined",
        CompcorMethod.TemporalAnatSeparated => "temporal_anat_separated",
        _ => "anat_combined",
    };

    /// <summary>Base columns with nilearn's suffixes for <paramref name="e"/> (<c>_add_suffix</c>).</summary>
    public static IEnumerable<string> Expand(IEnumerable<string> bases, Expansion e)
    {
        var list = bases.ToList();
        foreach (var b in list) yield return b;
        var suffixes = e switch
        {
            Expansion.Derivatives => new[] { "_derivative1" },
            Expansion.Power2 => new[] { "_power2" },
            Expansion.Full => new[] { "_derivative1", "_power2", "_derivative1_power2" },
            _ => Array.Empty<string>(),
        };
        foreach (var b in list)
            foreach (var s in suffixes) yield return b + s;
    }
}

/// <summary>
/// nilearn's <c>load_confounds_strategy</c> presets, the lesson's Yeo 2011 set and <c>none</c>; each can take
/// <c>+gsr</c> (global signal, basic).
/// </summary>
public static class ConfoundPresets
{
    /// <summary>nilearn's <c>simple</c>: high_pass, motion full, wm_csf basic.</summary>
    public static ConfoundStrategy Simple { get; } = new()
    {
        Name = "simple",
        Components = NoiseComponents.HighPass | NoiseComponents.Motion | NoiseComponents.WmCsf,
        Motion = Expansion.Full,
        WmCsf = Expansion.Basic,
    };

    /// <summary>nilearn's <c>scrubbing</c>: high_pass, motion full, wm_csf full, scrub 5 (thresholds 0.5 / 1.5).</summary>
    public static ConfoundStrategy Scrubbing { get; } = new()
    {
        Name = "scrubbing",
        Components = NoiseComponents.HighPass | NoiseComponents.Motion | NoiseComponents.WmCsf | NoiseComponents.Scrub,
        Motion = Expansion.Full,
        WmCsf = Expansion.Full,
        Scrub = 5,
    };

    /// <summary>nilearn's <c>compcor</c>: high_pass, motion full, aCompCor combined, all components.</summary>
    public static ConfoundStrategy Compcor { get; } = new()
    {
        Name = "compcor",
        Components = NoiseComponents.HighPass | NoiseComponents.Motion | NoiseComponents.Compcor,
        Motion = Expansion.Full,
        Compcor = CompcorMethod.AnatCombined,
    };

    /// <summary>nilearn's <c>ica_aroma</c>: high_pass, wm_csf basic, ICA-AROMA full (use the
    /// <c>desc-smoothAROMAnonaggr_bold</c> image).</summary>
    public static ConfoundStrategy IcaAroma { get; } = new()
    {
        Name = "ica_aroma",
        Components = NoiseComponents.HighPass | NoiseComponents.WmCsf | NoiseComponents.IcaAroma,
        WmCsf = Expansion.Basic,
        IcaAroma = IcaAromaMode.Full,
    };

    /// <summary>The lesson's Yeo 2011 set: 6 motion + csf + white_matter + global_signal and their
    /// <c>_derivative1</c> columns (18 regressors).</summary>
    public static ConfoundStrategy Yeo2011 { get; } = new()
    {
        Name = "yeo2011",
        Components = NoiseComponents.Motion | NoiseComponents.WmCsf | NoiseComponents.GlobalSignal,
        Motion = Expansion.Derivatives,
        WmCsf = Expansion.Derivatives,
        GlobalSignal = Expansion.Derivatives,
    };

    /// <summary>No regressor (the sample mask still censors non-steady-state volumes).</summary>
    public static ConfoundStrategy None { get; } = new() { Name = "none", Components = NoiseComponents.None };

    /// <summary>Explicit columns only, optionally with their derivatives (the lesson's way).</summary>
    public static ConfoundStrategy Columns(IReadOnlyList<string> columns, bool derivatives) => new()
    {
        Name = null,
        Components = NoiseComponents.None,
        Columns = columns,
        Derivatives = derivatives,
    };

    /// <summary>The preset names <see cref="Parse"/> accepts (each also with <c>+gsr</c>).</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["simple", "scrubbing", "compcor", "ica_aroma", "yeo2011", "none"];

    /// <summary>Parses a preset name, optionally suffixed <c>+gsr</c>.</summary>
    public static ConfoundStrategy Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        bool gsr = s.EndsWith("+gsr", StringComparison.Ordinal);
        if (gsr) s = s[..^4];
        var preset = s switch
        {
            "simple" => Simple,
            "scrubbing" => Scrubbing,
            "compcor" => Compcor,
            "ica_aroma" => IcaAroma,
            "yeo2011" => Yeo2011,
            "none" => None,
            _ => throw new NiSharpException($"unknown confound strategy '{text}': use {string.Join(", ", PresetNames)} (optionally +gsr)"),
        };
        return gsr ? preset.WithGlobalSignal() : preset;
    }
}
