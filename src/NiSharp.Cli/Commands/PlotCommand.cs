using NiSharp.Atlases;
using System.CommandLine;
using System.Globalization;
using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Plotting;
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Group;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp plot anat|epi|roi|stat|matrix|timeseries|confounds|groups … -o FILE.png|svg</c>: the pictures
/// of the lesson, as PNG or SVG (chosen by the output's extension).
/// </summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var cmd = new Command("plot", "Draw brain slices, time series, confounds, connectivity matrices and group plots as PNG or SVG");
        cmd.Subcommands.Add(Slices("anat", "Grey anatomy in three cuts (nilearn plot_anat)"));
        cmd.Subcommands.Add(Slices("epi", "A functional volume in three cuts (nilearn plot_epi)"));
        cmd.Subcommands.Add(Slices("roi", "A label image (atlas or ROIs) over an optional background (nilearn plot_roi)"));
        cmd.Subcommands.Add(Slices("stat", "A statistical map over an optional background (nilearn plot_stat_map)"));
        cmd.Subcommands.Add(Matrix());
        cmd.Subcommands.Add(TimeSeries());
        cmd.Subcommands.Add(Confounds());
        cmd.Subcommands.Add(Groups());
        return cmd;
    }

    private static Option<string> OutputOption() =>
        new("--output", "-o") { Description = "Output picture: FILE.png or FILE.svg", Required = true };

    private static Option<string?> TitleOption() => new("--title") { Description = "Title" };

    private static Command Slices(string kind, string description)
    {
        var image = new Argument<string>("IMG") { Description = kind == "roi"
            ? "NIfTI label image (.nii, .nii.gz), or a bundled atlas name (yeo7, schaefer100-7, …: drawn in its own colours and names)"
            : "NIfTI image (.nii, .nii.gz), or a bundled template name (mni152, …)" };
        var background = new Option<string?>("--background") { Description = "Background drawn in grey under IMG (roi, stat): a NIfTI file, a bundled template name, or 'none' (default: the bundled MNI152 template, as nilearn)" };
        var cut = new Option<double[]?>("--cut-coords") { Description = "Cut coordinates X Y Z in mm (default: centre of mass of what is shown); with --display-mode x, y or z: the positions of the cuts along that axis (default: 7 spread over the image)", Arity = new ArgumentArity(1, 32), AllowMultipleArgumentsPerToken = true };
        var displayMode = new Option<string>("--display-mode") { Description = "ortho (three cuts through one point, default) or x, y, z (a row of sagittal, coronal or axial cuts), as nilearn's display_mode", DefaultValueFactory = _ => "ortho" };
        displayMode.AcceptOnlyFromAmong("ortho", "x", "y", "z");
        var cmap = new Option<string?>("--cmap") { Description = $"Colour map of the image (anat, epi, stat): {string.Join(", ", ColorMap.All.Select(m => m.Name))} (default: the view's, as nilearn)" };
        var vmin = new Option<double?>("--vmin") { Description = "Lower end of the colour scale (default: automatic)" };
        var vmax = new Option<double?>("--vmax") { Description = "Upper end of the colour scale (default: automatic)" };
        var noColorbar = new Option<bool>("--no-colorbar") { Description = "Do not draw the colour bar (or, for roi, the label legend)" };
        var blackBg = new Option<bool?>("--black-bg") { Description = "Black figure background (true/false; default: black for anat and epi, white for roi and stat, as nilearn)" };
        var threshold = new Option<double?>("--threshold") { Description = "Hide values with |value| below T" };
        var title = TitleOption();
        var output = OutputOption();
        var volume = new Option<int>("--volume") { Description = "Volume of a 4D image to show (default 0)", DefaultValueFactory = _ => 0 };
        var lut = new Option<string?>("--lut") { Description = "Label table for roi: a FreeSurfer colour LUT (id name R G B A) or a TSV with index, name[, color]" };
        var cmd = new Command(kind, description) { image, background, cut, displayMode, threshold, title, output, volume, vmin, vmax, noColorbar, blackBg };
        if (kind != "roi") cmd.Options.Add(cmap);
        if (kind == "roi") cmd.Options.Add(lut);
        cmd.SetAction(p =>
        {
            var outPath = p.GetValue(output)!;
            Figure.FormatOf(outPath);
            var cc = p.GetValue(cut);
            var mode = p.GetValue(displayMode) switch { "x" => DisplayMode.X, "y" => DisplayMode.Y, "z" => DisplayMode.Z, _ => DisplayMode.Ortho };
            if (cc is { Length: 0 }) cc = null;
            if (mode == DisplayMode.Ortho && cc is { Length: not 3 })
                throw new NiSharpException($"--cut-coords: give X Y Z (3 values) for --display-mode ortho, not {cc.Length}");
            double? lo = p.GetValue(vmin), hi = p.GetValue(vmax);
            if (lo is double l0 && hi is double h0 && !(l0 < h0)) throw new NiSharpException($"--vmin {l0} must be below --vmax {h0}");
            var o = new SliceViewOptions
            {
                Title = p.GetValue(title),
                DisplayMode = mode,
                CutCoords = mode == DisplayMode.Ortho && cc is { Length: 3 } ? (cc[0], cc[1], cc[2]) : null,
                Cuts = mode != DisplayMode.Ortho ? cc : null,
                Threshold = p.GetValue(threshold),
                ColorMap = kind != "roi" && p.GetValue(cmap) is string name ? ColorMap.FromName(name) : null,
                VMin = lo,
                VMax = hi,
                Colorbar = p.GetValue(noColorbar) ? false : null,
                BlackBackground = p.GetValue(blackBg),
                Volume = 0,
            };
            var imgPath = p.GetValue(image)!;
            var bg = kind is "roi" or "stat" ? Background(p.GetValue(background)) : null;
            if (kind is "anat" or "epi" && p.GetValue(background) is string ignored)
                p.Err().WriteLine($"nisharp: warning: --background {ignored}: {kind} draws the image itself in grey scale, with nothing under it; the option is for roi and stat");
            SliceFigure fig;
            if (kind == "roi" && !File.Exists(imgPath) && AtlasCatalog.Find(imgPath) is not null)
            {
                // A bundled atlas comes with its label table: the legend and colours are its own (the Yeo LUT).
                var atlas = Atlas.Load(imgPath, p.GetValue(lut));
                fig = BrainPlot.Roi(atlas, bg, o);
            }
            else
            {
                var img = LoadVolume(imgPath, p.GetValue(volume));
                fig = kind switch
                {
                    "anat" => BrainPlot.Anat(img, o),
                    "epi" => BrainPlot.Epi(img, o),
                    "roi" => BrainPlot.Roi(img, bg, p.GetValue(lut) is string l ? LabelColors.Read(l) : null, o),
                    _ => BrainPlot.StatMap(img, bg, o),
                };
            }
            fig.Save(outPath);
            var c = fig.CutCoords;
            var where = mode == DisplayMode.Ortho
                ? string.Create(CultureInfo.InvariantCulture, $"x={c.X:0.#} y={c.Y:0.#} z={c.Z:0.#}")
                : $"{p.GetValue(displayMode)}=" + string.Join(", ", fig.Cuts.Select(k => k.Coordinate.ToString("0.#", CultureInfo.InvariantCulture)));
            p.Out().WriteLine($"wrote {outPath} ({fig.Width}×{fig.Height}, cuts {where} mm)");
            return 0;
        });
        return cmd;
    }

    /// <summary>nilearn draws ROI and stat maps over the MNI152 template unless told otherwise.</summary>
    private static Image<float>? Background(string? given)
    {
        if (given is null) return Templates.Load("mni152");
        if (given.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        return LoadVolume(given, 0); // a file, or a bundled template name
    }

    private static Image<float> LoadVolume(string path, int volume)
    {
        // nilearn's plot_anat() with no image draws the MNI template: a bundled template name does the same here.
        if (!File.Exists(path) && volume == 0 && Templates.Find(path) is not null) return Templates.Load(path);
        using var f = NiftiFile.Open(path);
        if (volume < 0 || volume >= f.VolumeCount)
            throw new NiSharpException(path, $"volume {volume} is out of range: the image has {f.VolumeCount} volume(s)");
        return f.LoadVolume<float>(volume);
    }

    private static Command Matrix()
    {
        var input = new Argument<string>("REL.tsv") { Description = "Connectivity matrix TSV: a header of region names, then n rows of n values (a first text column of row names is allowed)" };
        var title = TitleOption();
        var output = OutputOption();
        var vmax = new Option<double?>("--vmax") { Description = "Colour scale limit (symmetric, default max |value|)" };
        var cmd = new Command("matrix", "Connectivity matrix heatmap (row 0 at the top, diverging colours centred on 0, empty regions grey)") { input, title, output, vmax };
        cmd.SetAction(p =>
        {
            var outPath = p.GetValue(output)!;
            Figure.FormatOf(outPath);
            var (names, m) = ReadMatrix(p.GetValue(input)!);
            var fig = MatrixPlot.Connectivity(m, names, new MatrixPlotOptions { Title = p.GetValue(title), VMax = p.GetValue(vmax) });
            fig.Save(outPath);
            p.Out().WriteLine($"wrote {outPath} ({names.Count}×{names.Count} matrix)");
            return 0;
        });
        return cmd;
    }

    /// <summary>Reads a relmat TSV as <c>nisharp compare</c> does: region names in the header, n × n numbers, optionally
    /// a first column of row names (pandas' <c>to_csv</c> writes an empty first header cell for it).</summary>
    internal static (IReadOnlyList<string> Names, double[,] Values) ReadMatrix(string path)
    {
        var m = NiSharp.Connectome.ConnectivityMatrix.Read(path);
        return (m.Names, m.Values.ToArray());
    }

    private static Command TimeSeries()
    {
        var input = new Argument<string>("TS.tsv") { Description = "Time series TSV: one column per signal (region or voxel), one row per volume" };
        var columns = new Option<string[]?>("--columns") { Description = "Columns to draw, comma- or space-separated (default: the first, or all if there are at most 5)", AllowMultipleArgumentsPerToken = true };
        var tr = new Option<double?>("--tr") { Description = "Repetition time in seconds (x axis in seconds)" };
        var carpet = new Option<bool>("--carpet") { Description = "Draw every column as a carpet (z-scored signals × time) instead of lines" };
        var title = TitleOption();
        var output = OutputOption();
        var cmd = new Command("timeseries", "Signals over time (lines, or a carpet plot)") { input, columns, tr, carpet, title, output };
        cmd.SetAction(p =>
        {
            var outPath = p.GetValue(output)!;
            Figure.FormatOf(outPath);
            var path = p.GetValue(input)!;
            var t = TsvTable.Read(path);
            var o = new TimeSeriesPlotOptions { Title = p.GetValue(title), RepetitionTime = p.GetValue(tr) };
            Figure fig;
            if (p.GetValue(carpet))
            {
                int n = t.Columns.Count, T = t.RowCount;
                var data = new double[T * n];
                for (int c = 0; c < n; c++)
                {
                    var col = t.GetNumbers(c);
                    for (int r = 0; r < T; r++) data[r * n + c] = col[r];
                }
                fig = TimeSeriesPlot.Carpet(data, T, n, o);
            }
            else
            {
                var requested = (p.GetValue(columns) ?? [])
                    .SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
                var names = requested.Length > 0 ? requested : t.Columns.Count <= 5 ? t.Columns.ToArray() : [t.Columns[0]];
                foreach (var c in names)
                    if (t.IndexOf(c) < 0) throw new NiSharpException(path, $"no column '{c}' (columns: {string.Join(", ", t.Columns.Take(10))}{(t.Columns.Count > 10 ? ", …" : "")})");
                fig = TimeSeriesPlot.Lines(names.Select(c => new NamedSeries(c, t.GetNumbers(c))).ToList(), o);
            }
            fig.Save(outPath);
            p.Out().WriteLine($"wrote {outPath}");
            return 0;
        });
        return cmd;
    }

    private static Command Confounds()
    {
        var input = new Argument<string>("TSV") { Description = "fMRIPrep confounds (*_desc-confounds_timeseries.tsv)" };
        var fdThr = new Option<double>("--fd-threshold") { Description = "Framewise displacement threshold in mm", DefaultValueFactory = _ => 0.5 };
        var dvThr = new Option<double>("--dvars-threshold") { Description = "Standardised DVARS threshold", DefaultValueFactory = _ => 1.5 };
        var tr = new Option<double?>("--tr") { Description = "Repetition time in seconds (x axis in seconds)" };
        var title = TitleOption();
        var output = OutputOption();
        var cmd = new Command("confounds", "FD with its threshold, std DVARS and motion over time; volumes over a threshold shaded") { input, fdThr, dvThr, tr, title, output };
        cmd.SetAction(p =>
        {
            var outPath = p.GetValue(output)!;
            Figure.FormatOf(outPath);
            var path = p.GetValue(input)!;
            var t = TsvTable.Read(path);
            // a column by its current fMRIPrep name, whichever generation of names the file uses
            var current = t.Columns.Select(ConfoundNames.ToCurrent).ToList();
            double[]? Col(string name) => current.IndexOf(name) is int i and >= 0 ? t.GetNumbers(i) : null;
            var fd = Col("framewise_displacement")
                     ?? throw new NiSharpException(path, "no framewise_displacement column: is this an fMRIPrep confounds file?");
            var dv = Col("std_dvars");
            var series = ConfoundNames.Motion.Select(name => (Name: name, Values: Col(name))).Where(s => s.Values is not null).Select(s => new NamedSeries(s.Name, s.Values!)).ToList();
            double fdT = p.GetValue(fdThr), dvT = p.GetValue(dvThr);
            var censored = ConfoundsTrace.ExceedingThresholds(fd, fdT, dv, dvT);
            var trace = new ConfoundsTrace
            {
                FramewiseDisplacement = fd, FdThreshold = fdT, StdDvars = dv, DvarsThreshold = dvT, Censored = censored,
                Translations = series.Where(s => s.Name.StartsWith("trans", StringComparison.Ordinal)).ToList(),
                Rotations = series.Where(s => s.Name.StartsWith("rot", StringComparison.Ordinal)).ToList(),
                RepetitionTime = p.GetValue(tr), Title = p.GetValue(title),
            };
            ConfoundsPlot.Plot(trace).Save(outPath);
            p.Out().WriteLine($"wrote {outPath} ({fd.Length} volumes, {censored.Count(c => c)} over a threshold)");
            return 0;
        });
        return cmd;
    }

    private static Command Groups()
    {
        var inputs = new Argument<string[]>("STATS.tsv|MATRICES") { Arity = ArgumentArity.OneOrMore, Description = "A TSV of one row per subject with a 'group' column and either a 'value' column or one column per edge (the run's *_desc-edges_values.tsv; pick with --edges), optionally 'participant_id'; or connectivity matrix TSVs named sub-<label>_… (with --participants, --group-column and --edges)" };
        var participants = new Option<string?>("--participants") { Description = "participants.tsv (participant_id + the group column) for matrix inputs" };
        // --group-column and --edges as in 'run' and 'compare'; --column and --edge, the first spellings, stay.
        var column = new Option<string>("--group-column", "--column") { Description = "Group column of participants.tsv", DefaultValueFactory = _ => "diagnosis" };
        var edges = new Option<string[]?>("--edges", "--edge") { Description = "Edges A-B, space- or comma-separated (region names or label numbers; for a per-subject table, its column names such as 44-46); several edges are averaged per subject", AllowMultipleArgumentsPerToken = true };
        var ylabel = new Option<string?>("--ylabel") { Description = "Y axis label" };
        var title = TitleOption();
        var output = OutputOption();
        var cmd = new Command("groups", "Box + swarm plot of a value by group (the lesson's last figure)") { inputs, participants, column, edges, ylabel, title, output };
        cmd.SetAction(p =>
        {
            var outPath = p.GetValue(output)!;
            Figure.FormatOf(outPath);
            var files = p.GetValue(inputs)!;
            List<GroupValue> data;
            string yl;
            var table = files.Length == 1 ? TsvTable.Read(files[0]) : null;
            var edgeList = p.GetValue(edges)?.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            if (table is not null && table.IndexOf("group") >= 0)
                (data, yl) = TableValues(table, files[0], edgeList);
            else if (table is not null && table.IndexOf("feature") >= 0 && table.IndexOf("p_fdr") >= 0)
                throw new NiSharpException(files[0], "this is a statistics table of nisharp compare (one row per edge, no values per subject); " +
                                                     "plot the run's group/*_desc-edges_values.tsv with --edges A-B, or the subjects' matrices with --participants and --edges");
            else
            {
                var part = p.GetValue(participants) ?? throw new NiSharpException("matrix inputs need --participants participants.tsv (and --group-column, --edges)");
                var edgeSpecs = edgeList is { Length: > 0 } e ? e : throw new NiSharpException("matrix inputs need at least one edge: --edges A-B");
                data = EdgeValues(files, part, p.GetValue(column)!, edgeSpecs);
                yl = edgeSpecs.Length == 1 ? $"connectivity {edgeSpecs[0]}" : $"mean connectivity of {edgeSpecs.Length} edges";
            }
            var fig = GroupPlot.BoxSwarm(data, new GroupPlotOptions { Title = p.GetValue(title), YLabel = p.GetValue(ylabel) ?? yl });
            fig.Save(outPath);
            p.Out().WriteLine($"wrote {outPath} ({data.Count} values in {data.Select(d => d.Group).Distinct().Count()} groups)");
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// The values of a per-subject table with a <c>group</c> column: its <c>value</c> column, or the mean of the
    /// <paramref name="edgeSpecs"/> columns (the run's <c>*_desc-edges_values.tsv</c> has one column per edge, named A-B).
    /// </summary>
    internal static (List<GroupValue> Data, string YLabel) TableValues(TsvTable t, string path, IReadOnlyList<string>? edgeSpecs)
    {
        var groups = t.GetStrings("group");
        var ids = t.IndexOf("participant_id") >= 0 ? t.GetStrings("participant_id") : null;
        string[] chosen;
        if (edgeSpecs is { Count: > 0 })
        {
            foreach (var e in edgeSpecs)
                if (t.IndexOf(e) < 0)
                    throw new NiSharpException(path, $"--edges '{e}': no such column (columns: {string.Join(", ", t.Columns.Where(c => c is not ("group" or "participant_id")).Take(10))}{(t.Columns.Count > 12 ? ", …" : "")})");
            chosen = edgeSpecs.ToArray();
        }
        else if (t.IndexOf("value") >= 0) chosen = ["value"];
        else
        {
            var numeric = Enumerable.Range(0, t.Columns.Count).Where(i => t.Columns[i] is not ("group" or "participant_id") && t.IsNumeric(i)).Select(i => t.Columns[i]).ToArray();
            if (numeric.Length != 1)
                throw new NiSharpException(path, $"no 'value' column: choose one of its {numeric.Length} value columns with --edges (e.g. --edges {(numeric.Length > 0 ? numeric[0] : "A-B")})");
            chosen = numeric;
        }
        var cols = chosen.Select(c => t.GetNumbers(c)).ToArray();
        var data = groups.Select((g, i) => new GroupValue(g, cols.Average(c => c[i]), ids?[i])).ToList();
        string yl = chosen is ["value"] ? "value" : chosen.Length == 1 ? $"connectivity {chosen[0]}" : $"mean connectivity of {chosen.Length} edges";
        return (data, yl);
    }

    /// <summary>Per subject: the mean of the requested edges of its matrix, with its group from participants.tsv.</summary>
    internal static List<GroupValue> EdgeValues(IReadOnlyList<string> matrices, string participantsPath, string column, IReadOnlyList<string> edgeSpecs)
    {
        var participants = Participants.Read(participantsPath);
        var groupOf = participants.Column(column);
        var result = new List<GroupValue>();
        foreach (var path in matrices)
        {
            var label = SubjectLabel.FromFileName(Path.GetFileName(path))
                        ?? throw new NiSharpException(path, "no sub-<label> entity in the file name, so its group is unknown");
            string sub = SubjectLabel.WithPrefix(label);
            if (!groupOf.TryGetValue(label, out var cell)) throw new NiSharpException(path, $"{sub} is not in {participantsPath}");
            // a missing value is a group of its own, named as the table writes it
            var group = cell ?? "n/a";
            var matrix = NiSharp.Connectome.ConnectivityMatrix.Read(path);
            double sum = 0;
            foreach (var spec in edgeSpecs)
            {
                var (a, b) = ConnectomeFeatures.FindEdge(matrix, spec);
                sum += matrix.Values[a, b];
            }
            result.Add(new GroupValue(group, sum / edgeSpecs.Count, sub));
        }
        return result;
    }
}
