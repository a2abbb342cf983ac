using System.CommandLine;
using System.Globalization;
using System.Text;
using NiSharp.Confounds;
using NiSharp.IO;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp confounds TSV [--strategy S] [--columns a,b] [--derivatives] [--fd-threshold X]
/// [--std-dvars-threshold X] [--dummy-scans N|auto] -o regressors.tsv</c>: selects regressors from an
/// fMRIPrep confounds file (any generation; current names out) and writes them with the kept-volume
/// list (<c>*_samplemask.tsv</c>) and a JSON sidecar of every parameter.
/// </summary>
internal static class ConfoundsCommand
{
    public static Command Create()
    {
        var tsv = new Argument<string>("TSV") { Description = "fMRIPrep confounds file (*_desc-confounds_timeseries.tsv, *_regressors.tsv or ≤1.1 *_confounds.tsv)" };
        var o = SelectionOptions.Create(includeDummyAuto: true);
        var output = new Option<string>("--output", "-o") { Description = "Regressors TSV to write (header of current fMRIPrep names, one row per volume after dummy removal); the kept volumes go to *_samplemask.tsv and every parameter to *.json beside it", Required = true };
        var cmd = new Command("confounds", "Select confound regressors (nilearn load_confounds strategies, explicit columns, dummy volumes, scrubbing)") { tsv, output };
        o.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var path = p.GetValue(tsv)!;
            var outPath = p.GetValue(output)!;
            var confounds = FmriprepConfounds.Load(path);
            var strategy = o.Strategy(p) ?? throw new NiSharpException("choose regressors with --strategy and/or --columns");
            var selection = ConfoundSelector.Select(confounds, strategy);
            Write(outPath, selection);
            var err = p.Err();
            if (confounds.Renamed.Count > 0)
                err.WriteLine($"nisharp: note: {Path.GetFileName(path)} uses {(confounds.Naming == FmriprepNaming.CamelCase ? "fMRIPrep ≤ 1.1" : "non-current")} names; renamed {string.Join(", ", confounds.Renamed.Select(kv => $"{kv.Value}→{kv.Key}"))}");
            if (selection.ComputedColumns.Count > 0)
                err.WriteLine($"nisharp: note: computed {string.Join(", ", selection.ComputedColumns)} (missing from the file)");
            foreach (var w in selection.Warnings) err.WriteLine($"nisharp: warning: {w}");
            p.Out().WriteLine($"{outPath}: {selection.Volumes} volumes × {selection.Columns.Count} regressors; dummy volumes {selection.DummyScans}; " +
                              $"{selection.Volumes - selection.SampleMask.Length} censored, {selection.SampleMask.Length} kept ({SampleMaskPath(outPath)})");
            return 0;
        });
        return cmd;
    }

    /// <summary>The kept-volume list beside a regressors TSV: <c>X.tsv</c> → <c>X_samplemask.tsv</c>.</summary>
    internal static string SampleMaskPath(string regressorsPath) =>
        (regressorsPath.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? regressorsPath[..^4] : regressorsPath) + "_samplemask.tsv";

    /// <summary>The JSON sidecar beside a regressors TSV.</summary>
    internal static string SidecarPath(string regressorsPath) =>
        (regressorsPath.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? regressorsPath[..^4] : regressorsPath) + ".json";

    /// <summary>Writes the regressors, the sample mask (0-based rows of the regressors and the matching
    /// volumes of the original run) and the sidecar, each atomically.</summary>
    internal static void Write(string outPath, ConfoundSelection s)
    {
        TsvTable.WriteNumbers(outPath, s.Columns, s.Regressors.Data, s.Volumes);
        var sb = new StringBuilder("sample_mask\toriginal_volume\n");
        foreach (var k in s.SampleMask)
            sb.Append(k.ToString(CultureInfo.InvariantCulture)).Append('\t').Append((k + s.DummyScans).ToString(CultureInfo.InvariantCulture)).Append('\n');
        AtomicFile.WriteAllText(SampleMaskPath(outPath), sb.ToString());
        var sidecar = s.ToParameters();
        sidecar["sample_mask_file"] = Path.GetFileName(SampleMaskPath(outPath));
        AtomicFile.WriteAllText(SidecarPath(outPath), ParameterJson.Serialize(sidecar));
    }
}

/// <summary>The confound-selection flags shared by <c>confounds</c> and <c>clean</c>.</summary>
internal sealed class SelectionOptions
{
    public required Option<string?> StrategyOption { get; init; }
    public required Option<string?> Columns { get; init; }
    public required Option<bool> Derivatives { get; init; }
    public Option<double?>? FdThreshold { get; init; }
    public Option<double?>? StdDvarsThreshold { get; init; }
    public required Option<string?> DummyScans { get; init; }

    public static SelectionOptions Create(bool includeDummyAuto, bool includeScrubThresholds = true) => new()
    {
        StrategyOption = new Option<string?>("--strategy") { Description = "Preset: simple, scrubbing, compcor, ica_aroma, yeo2011 or none, optionally +gsr (global signal)" },
        Columns = new Option<string?>("--columns") { Description = "Comma-separated columns (current or old fMRIPrep names); with --strategy they are added to it" },
        Derivatives = new Option<bool>("--derivatives") { Description = "Add the _derivative1 of each --columns column (computed when the file lacks it; first row n/a filled from the second)" },
        FdThreshold = includeScrubThresholds ? new Option<double?>("--fd-threshold") { Description = "Censor volumes with framewise displacement above this (mm); turns scrubbing on (default 0.5 with the scrubbing strategy)" } : null,
        StdDvarsThreshold = includeScrubThresholds ? new Option<double?>("--std-dvars-threshold") { Description = "Censor volumes with standardised DVARS above this; turns scrubbing on (default 1.5 with the scrubbing strategy)" } : null,
        DummyScans = new Option<string?>("--dummy-scans") { Description = includeDummyAuto ? "Drop this many leading volumes, or 'auto' (the non-steady-state outliers)" : "Drop this many leading volumes from the image and the confounds" },
    };

    /// <summary>Adds the flags to <paramref name="cmd"/>; without <paramref name="includeStrategy"/> the command
    /// parses <c>--strategy</c> itself (extract: it also names the region reduction) and passes the preset to
    /// <see cref="Strategy(ParseResult, string?)"/>.</summary>
    public void AddTo(Command cmd, bool includeStrategy = true)
    {
        if (includeStrategy) cmd.Options.Add(StrategyOption);
        cmd.Options.Add(Columns);
        cmd.Options.Add(Derivatives);
        if (FdThreshold is not null) cmd.Options.Add(FdThreshold);
        if (StdDvarsThreshold is not null) cmd.Options.Add(StdDvarsThreshold);
        cmd.Options.Add(DummyScans);
    }

    /// <summary>The dummy-volume choice, or null when not given.</summary>
    public DummyScans? Dummy(ParseResult p) => p.GetValue(DummyScans) is string s ? NiSharp.Confounds.DummyScans.Parse(s) : null;

    /// <summary>The strategy the flags describe, or null when neither --strategy nor --columns is given.</summary>
    public ConfoundStrategy? Strategy(ParseResult p) => Strategy(p, p.GetValue(StrategyOption));

    /// <summary>The strategy the flags describe, with <paramref name="name"/> as the preset (null: none), or null
    /// when neither a preset nor --columns is given.</summary>
    public ConfoundStrategy? Strategy(ParseResult p, string? name)
    {
        var columns = p.GetValue(Columns) is string c
            ? c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        bool derivatives = p.GetValue(Derivatives);
        if (derivatives && columns.Length == 0) throw new NiSharpException("--derivatives applies to --columns; give the columns");
        double? fd = FdThreshold is null ? null : p.GetValue(FdThreshold);
        double? dv = StdDvarsThreshold is null ? null : p.GetValue(StdDvarsThreshold);
        ConfoundStrategy? s = null;
        if (name is not null) s = ConfoundPresets.Parse(name);
        if (columns.Length > 0)
            s = s is null ? ConfoundPresets.Columns(columns, derivatives) : s with { Columns = columns, Derivatives = derivatives };
        if (s is null)
        {
            if (fd is not null || dv is not null) throw new NiSharpException("--fd-threshold and --std-dvars-threshold need --strategy or --columns");
            return null;
        }
        if (fd is not null || dv is not null)
        {
            s = s with { Components = s.Components | NoiseComponents.Scrub };
            if (fd is double f) s = s with { FdThreshold = f };
            if (dv is double d) s = s with { StdDvarsThreshold = d };
        }
        return s with { DummyScans = Dummy(p) };
    }

    /// <summary>
    /// The confounds of one BOLD run as <c>clean</c> and <c>extract</c> take them: the file's regressors chosen by the
    /// flags (every numeric column without --strategy/--columns), checked against the run's volume count, and the
    /// dummy volumes to drop (from --dummy-scans, also without confounds). <paramref name="presetName"/> is the
    /// --strategy preset (null: none).
    /// </summary>
    public (ConfoundSelection? Selection, int DummyScans) SelectForRun(ParseResult p, string? confoundsPath, string boldPath, int volumes, string? presetName)
    {
        var dummySpec = Dummy(p);
        int dummy = dummySpec is { IsAuto: false } d ? d.Count!.Value : 0;
        ConfoundSelection? selection = null;
        if (confoundsPath is not null)
        {
            var table = FmriprepConfounds.Load(confoundsPath);
            var strategy = Strategy(p, presetName);
            selection = strategy is null ? ConfoundSelector.AllColumns(table, dummySpec) : ConfoundSelector.Select(table, strategy);
            dummy = selection.DummyScans;
            if (table.RowCount != volumes)
                throw new NiSharpException(confoundsPath, $"the confounds have {table.RowCount} rows but {Path.GetFileName(boldPath)} has {volumes} volumes" +
                                                          (dummy > 0 ? $" ({table.RowCount - dummy} and {volumes - dummy} after dropping {dummy} dummy volumes)" : ""));
            if (strategy is { IcaAroma: IcaAromaMode.Full } && (strategy.Components & NoiseComponents.IcaAroma) != 0 &&
                !Path.GetFileName(boldPath).Contains("desc-smoothAROMAnonaggr", StringComparison.Ordinal))
                throw new NiSharpException(boldPath, "the ica_aroma strategy needs fMRIPrep's desc-smoothAROMAnonaggr_bold image (non-aggressive denoising is already in it)");
        }
        else if (presetName is not null || p.GetValue(Columns) is not null || p.GetValue(Derivatives))
        {
            throw new NiSharpException("--strategy, --columns and --derivatives choose columns of --confounds; give --confounds");
        }
        else if (dummySpec is { IsAuto: true })
        {
            throw new NiSharpException("--dummy-scans auto reads the non-steady-state columns of --confounds; give --confounds or a number");
        }
        if (dummy >= volumes) throw new NiSharpException(boldPath, $"cannot drop {dummy} dummy volumes from {volumes}");
        return (selection, dummy);
    }
}
