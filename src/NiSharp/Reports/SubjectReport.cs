using System.Globalization;
using NiSharp.Nifti;
using NiSharp.Plotting;

namespace NiSharp.Reports;

/// <summary>How much of one atlas label the functional data cover.</summary>

/// <summary>Everything a per-subject QC page shows; each part is optional and skipped when null.</summary>
public sealed record SubjectReportInput
{
    /// <summary>Subject label (e.g. <c>sub-10159</c>).</summary>
    public required string Subject { get; init; }

    /// <summary>Other identifying entities or inputs shown at the top (task, run, files).</summary>
    public IReadOnlyList<(string Key, string Value)> Details { get; init; } = [];

    /// <summary>Framewise displacement per volume.</summary>
    public double[]? FramewiseDisplacement { get; init; }

    /// <summary>FD threshold drawn on the trace when <see cref="FdLines"/> is null.</summary>
    public double FdThreshold { get; init; } = 0.5;

    /// <summary>The labelled lines of the FD trace: the thresholds the run's rules use (see <see cref="Qc.QcReport.FdLines"/>).</summary>
    public IReadOnlyList<FdLine>? FdLines { get; init; }

    /// <summary>What the FD figure's caption adds (the rules not drawn, say).</summary>
    public string? FdNote { get; init; }

    /// <summary>Censored volumes (shaded).</summary>
    public bool[]? Censored { get; init; }

    /// <summary>Seconds between volumes.</summary>
    public double? RepetitionTime { get; init; }

    /// <summary>Per-label coverage of the atlas by the data.</summary>
    public IReadOnlyList<Maskers.RegionCoverage>? Coverage { get; init; }

    /// <summary>The mean EPI (background of the atlas picture).</summary>
    public Image<float>? MeanEpi { get; init; }

    /// <summary>The atlas on the functional grid (drawn over the mean EPI).</summary>
    public Image<int>? Atlas { get; init; }

    /// <summary>Atlas label names and colours.</summary>
    public IReadOnlyList<LabelColor>? Labels { get; init; }

    /// <summary>The subject's connectivity matrix.</summary>
    public double[,]? Connectivity { get; init; }

    /// <summary>Region names of the matrix.</summary>
    public IReadOnlyList<string>? RegionNames { get; init; }

    /// <summary>The network of each region of the matrix (bands on the heatmap); null: none.</summary>
    public IReadOnlyList<string?>? RegionNetworks { get; init; }

    /// <summary>What the matrix holds (e.g. "correlation").</summary>
    public string ConnectivityKind { get; init; } = "correlation";
}

/// <summary>The per-subject QC page: motion and censoring, coverage, the atlas on the mean EPI, the matrix. Its figures are
/// vector drawings (<see cref="SvgFigure"/>): a page is written in every participant process, where a raster engine cost
/// more than the science.</summary>
public static class SubjectReport
{
    /// <summary>Builds the page.</summary>
    /// <param name="input">What the page shows.</param>
    /// <param name="run">The parts already made for another page of the same run (another atlas): given, each part that
    /// does not depend on the atlas is made once for all the run's pages; the page is the same either way.</param>
    public static HtmlReport Build(SubjectReportInput input, SubjectPageParts? run = null)
    {
        run ??= new SubjectPageParts();
        var r = new HtmlReport($"NiSharp report: {input.Subject}");
        if (input.Details.Count > 0) r.KeyValues(input.Details);

        if (input.FramewiseDisplacement is { } fd)
        {
            r.Section("Head motion and censoring", "motion");
            int n = fd.Length, c = input.Censored?.Count(x => x) ?? 0;
            double mean = fd.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
            r.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"{n} volumes; mean FD {mean:0.###} mm; {c} volume{(c == 1 ? "" : "s")} censored ({(n > 0 ? 100.0 * c / n : 0):0.#}%)."));
            var fig = run.Motion(new ConfoundsTrace
            {
                FramewiseDisplacement = fd, FdThreshold = input.FdThreshold, FdLines = input.FdLines, Censored = input.Censored, RepetitionTime = input.RepetitionTime,
            });
            r.Figure(fig, (input.FdLines is null ? "Framewise displacement with its threshold" : "Framewise displacement per volume with the thresholds this run's rules use (legend below)") +
                          (c > 0 ? "; censored volumes shaded." : "; no volume censored.") + (input.FdNote is string note ? " " + note : ""));
        }

        if (input.Coverage is { Count: > 0 } cov)
        {
            r.Section("Atlas coverage", "coverage");
            var poor = cov.Where(x => x.Coverage < 0.5).ToList();
            if (poor.Count > 0) r.Warning($"{poor.Count} label(s) less than half covered by the data: {string.Join(", ", poor.Take(12).Select(p => p.Name))}{(poor.Count > 12 ? ", …" : "")}");
            // nilearn's masker report lists each region's size in mm³ and its share of all labelled voxels (on the data
            // grid); its "region name" column is always filled since 0.12, as ours always was.
            double? voxelVolume = (input.Atlas?.Affine ?? input.MeanEpi?.Affine) is { } affine ? Math.Abs(affine.Determinant3x3) : null;
            double labelled = cov.Sum(x => (double)x.GridVoxels);
            // The colour each region has in the atlas picture, and its network: the figure's legend as a table.
            var colourOf = (input.Labels ?? []).GroupBy(l => l.Id).ToDictionary(g => g.Key, g => g.First().Hex);
            bool networks = cov.Any(x => x.Network is not null);
            string[] header = ["label", "colour", "name", .. networks ? new[] { "network" } : [], "atlas voxels (data-voxel units)", "voxels on the data grid", "inside the mask", "coverage", "status"];
            if (voxelVolume is not null) header = [.. header, "size (in mm^3)", "relative size (in %)"];
            r.Table(new ReportTable(header,
                cov.Select(x =>
                {
                    IReadOnlyList<string> row =
                    [
                        x.Id.ToString(CultureInfo.InvariantCulture), colourOf.GetValueOrDefault(x.Id, ""), x.Name, .. networks ? new[] { x.Network ?? "" } : [],
                        x.AtlasVoxels.ToString("0.#", CultureInfo.InvariantCulture),
                        x.GridVoxels.ToString(CultureInfo.InvariantCulture), x.MaskVoxels.ToString(CultureInfo.InvariantCulture),
                        x.Coverage.ToString("0.000", CultureInfo.InvariantCulture), Maskers.RegionCoverage.StatusName(x.Status),
                    ];
                    if (voxelVolume is double vv)
                        row = [.. row, Math.Round(x.GridVoxels * vv).ToString(CultureInfo.InvariantCulture),
                               (labelled > 0 ? Math.Round(100 * x.GridVoxels / labelled, 2) : 0).ToString("0.##", CultureInfo.InvariantCulture)];
                    return row;
                }).ToList()) { SwatchColumn = 1 });
        }

        if (input.Atlas is { } atlas)
        {
            r.Section("Atlas on the mean EPI", "atlas");
            var fig = BrainPlot.RoiSvg(SliceImage.Of(atlas), input.MeanEpi is { } epi ? run.Background(epi) : null, input.Labels, new SliceViewOptions { Title = input.Subject, LayersAtVoxelSize = true });
            r.Figure(fig, "Atlas labels over the mean functional image (neurological convention: left on the left); each region in its own colour" +
                          (input.Coverage is { Count: > 0 } ? ", listed with its network in the coverage table above." : "."));
        }

        if (input.Connectivity is { } m)
        {
            r.Section("Connectivity matrix", "matrix");
            var fig = MatrixPlot.Svg(m, input.RegionNames, new MatrixPlotOptions
            {
                Title = $"{input.Subject} {input.ConnectivityKind}", Size = 560,
                Networks = input.RegionNetworks is { } nets && nets.Any(x => x is not null) ? nets : null,
            });
            r.Figure(fig, $"{char.ToUpperInvariant(input.ConnectivityKind[0])}{input.ConnectivityKind[1..]} between every pair of regions (row and column in atlas order" +
                          (input.RegionNetworks?.Any(x => x is not null) == true ? ", banded by network" : "") + "); regions without signal grey.");
        }
        return r;
    }

    /// <summary>Builds and writes the page atomically.</summary>
    public static void Save(string path, SubjectReportInput input) => Build(input).Save(path);
}

/// <summary>
/// The parts of a run's pages that do not depend on the atlas — the motion figure, the mean EPI behind the atlas picture
/// with its extent and display range — made once and shared by the pages of the run's atlases (<c>--atlas A B C</c>).
/// Each part is made again when a page's inputs differ from the ones it was made of, so a page is byte for byte the page
/// built alone.
/// </summary>
public sealed class SubjectPageParts
{
    private ConfoundsTrace? _trace;
    private SvgFigure? _motion;
    private SliceImage? _background;

    /// <summary>The framewise-displacement figure of <paramref name="trace"/>.</summary>
    internal SvgFigure Motion(ConfoundsTrace trace)
    {
        if (_motion is not null && _trace is { } t && Same(t, trace)) return _motion;
        var fig = ConfoundsPlot.Svg(trace);
        (_trace, _motion) = (trace, fig);
        return fig;
    }

    private static bool Same(ConfoundsTrace a, ConfoundsTrace b) =>
        a.FramewiseDisplacement.AsSpan().SequenceEqual(b.FramewiseDisplacement) && a.FdThreshold.Equals(b.FdThreshold) &&
        (a.FdLines ?? []).SequenceEqual(b.FdLines ?? []) && (a.FdLines is null) == (b.FdLines is null) &&
        (a.Censored ?? []).AsSpan().SequenceEqual(b.Censored ?? []) && (a.Censored is null) == (b.Censored is null) &&
        a.RepetitionTime.Equals(b.RepetitionTime) && a.StdDvars is null && b.StdDvars is null &&
        a.DvarsThreshold.Equals(b.DvarsThreshold) && a.Translations.Count == 0 && b.Translations.Count == 0 &&
        a.Rotations.Count == 0 && b.Rotations.Count == 0 && a.Title == b.Title;

    /// <summary>The background image of the atlas picture.</summary>
    internal SliceImage Background(Image<float> image) =>
        _background is { } b && b.Holds(image) ? b : _background = SliceImage.Of(image);
}
