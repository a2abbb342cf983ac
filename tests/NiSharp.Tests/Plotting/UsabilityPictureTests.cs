using NiSharp.Atlases;
using NiSharp.Confounds;
using NiSharp.Nifti;
using NiSharp.Plotting;
using NiSharp.Qc;
using SkiaSharp;

namespace NiSharp.Tests.Plotting;

/// <summary>The pictures of issue 18: the FD trace's thresholds and legend, regions coloured by region with a legend that
/// fits, network bands on the heatmaps.</summary>
public class UsabilityPictureTests
{
    private static double[] Trace(int n, int spikeAt, double spike)
    {
        var fd = Enumerable.Range(0, n).Select(t => 0.1 + 0.05 * Math.Sin(t)).ToArray();
        fd[0] = double.NaN;
        fd[spikeAt] = spike;
        return fd;
    }

    [Fact]
    public void The_fd_figure_draws_the_thresholds_the_runs_rules_use_each_labelled()
    {
        var fd = Trace(100, 50, 1.2);
        var rules = new MotionExclusionRules();
        // yeo2011 does not scrub: the exclusion's 0.2 mm and the run's mean against the 0.25 mm limit; no 0.5 mm line.
        var (lines, note) = QcReport.FdLines(fd, rules, ConfoundPresets.Yeo2011);
        Assert.Equal([0.2, fd.Where(double.IsFinite).Average()], lines.Select(l => l.Mm));
        Assert.Equal("0.2 mm: more than 20% of volumes above excludes the subject", lines[0].Label);
        Assert.StartsWith("mean FD 0.", lines[1].Label);
        Assert.EndsWith("mm: above 0.25 mm excludes", lines[1].Label);
        Assert.Equal(FdLineStyle.Mean, lines[1].Style);
        Assert.Equal("The gross-motion limit (any volume above 5 mm excludes) is off the scale: the largest FD is 1.2 mm.", note);
        // A scrubbing strategy adds its own threshold; a trace near the gross-motion limit draws it.
        var (scrub, none) = QcReport.FdLines(Trace(100, 50, 4.5), rules, ConfoundPresets.Scrubbing with { FdThreshold = 0.5 });
        Assert.Equal([0.5, 0.2], scrub.Take(2).Select(l => l.Mm));
        Assert.StartsWith("0.5 mm: scrubbing", scrub[0].Label);
        Assert.Equal(5, scrub[^1].Mm);
        Assert.Null(none);
    }

    [Fact]
    public void The_fd_legend_is_outside_the_data_so_the_largest_spike_stays_visible()
    {
        // The spike near the right end, at the top: where an upper-right legend used to sit.
        var fd = Trace(120, 115, 2.0);
        var (lines, _) = QcReport.FdLines(fd, new MotionExclusionRules(), ConfoundPresets.Yeo2011);
        var fig = ConfoundsPlot.Plot(new ConfoundsTrace { FramewiseDisplacement = fd, FdLines = lines });
        using var bmp = fig.ToBitmap();
        var area = fig.DataArea();
        var tip = fig.DataToPixel(115, 1.9);
        Assert.True(area.Contains(tip));
        // The trace near its peak is drawn black, not hidden behind a legend box.
        bool dark = false;
        for (int dy = -3; dy <= 3 && !dark; dy++)
            for (int dx = -3; dx <= 3 && !dark; dx++)
            {
                var c = bmp.GetPixel((int)tip.X + dx, (int)tip.Y + dy);
                dark = c.Red + c.Green + c.Blue < 200;
            }
        Assert.True(dark, "the spike is covered");
        // The legend is below the data area.
        var svg = fig.ToSvg();
        Assert.Contains("0.2 mm: more than 20% of volumes above excludes the subject", svg);
    }

    [Fact]
    public void Regions_sharing_their_networks_colour_get_colours_of_their_own_and_a_lut_of_regions_keeps_its_colours()
    {
        var relabeled = LabelColors.FromTable(Atlas.Load("yeo7-relabeled").Labels);
        Assert.Equal(relabeled.Count, relabeled.Select(l => (l.R, l.G, l.B)).Distinct().Count());
        var yeo7 = Atlas.BundledLabels(AtlasCatalog.Find("yeo7")!);
        var colours = LabelColors.FromTable(yeo7);
        Assert.Equal((205, 62, 78), (colours.Single(c => c.Id == 7).R, colours.Single(c => c.Id == 7).G, colours.Single(c => c.Id == 7).B)); // Yeo's Default red
        var schaefer = LabelColors.FromTable(Atlas.Load("schaefer100-7").Labels);
        Assert.Equal(100, schaefer.Select(l => (l.R, l.G, l.B)).Distinct().Count());
        // Networks keep Yeo's colours for the bands.
        var nets = LabelColors.ForNetworks(AtlasCatalog.Yeo7Networks);
        Assert.Equal(new SKColor(205, 62, 78), nets["Default"]);
        Assert.Equal(new SKColor(120, 18, 134), nets["Vis"]);
    }

    [Fact]
    public void The_atlas_legend_names_every_region_in_columns_that_fit()
    {
        var atlas = Atlas.Load("yeo7-relabeled");
        var labels = LabelColors.FromTable(atlas.Labels);
        var fig = BrainPlot.Roi(atlas.Image.As<float>(), null, labels);
        var svg = fig.ToSvg();
        var names = System.Text.RegularExpressions.Regex.Matches(svg, @"<text[^>]*>\s*([^<]*?)\s*</text>").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(49, labels.Count);
        foreach (var l in labels) Assert.Contains(l.Name, names);
        Assert.DoesNotContain("more", svg);
        Assert.True(fig.Height < 400, $"one row of cuts and a legend beside it, got {fig.Height} px high");
        // An atlas too large to name every region says how many more there are.
        var many = Enumerable.Range(1, 400).Select(i => new LabelColor(i, $"region {i}", 10, 20, 30)).ToList();
        var img = new Image<float>([40, 40, 40], Affine.Diagonal(2, 2, 2, -40, -40, -40), Enumerable.Range(0, 64000).Select(i => (float)(1 + i % 400)).ToArray());
        Assert.Contains("more", BrainPlot.Roi(img, null, many).ToSvg());
    }

    [Fact]
    public void Heatmaps_band_their_rows_and_columns_by_network()
    {
        var m = new double[4, 4] { { 1, 0.5, 0.1, 0.2 }, { 0.5, 1, 0.3, 0.1 }, { 0.1, 0.3, 1, 0.6 }, { 0.2, 0.1, 0.6, 1 } };
        string?[] networks = ["Vis", "Vis", "Default", "Default"];
        var fig = MatrixPlot.Connectivity(m, ["a", "b", "c", "d"], new MatrixPlotOptions { Networks = networks, Size = 300 });
        using var bmp = fig.ToBitmap();
        SKColor At(double x, double y) { var p = fig.DataToPixel(x, y); return bmp.GetPixel((int)Math.Round(p.X), (int)Math.Round(p.Y)); }
        // The band sits left of the rows (x below −0.5) and under the columns (y below −0.5): row 0 (top, y = 3) is Vis,
        // row 3 (y = 0) Default; column 0 (x = 0) Vis, column 3 Default.
        double band = -0.5 - 0.25 - 0.5;
        Assert.Equal(new SKColor(120, 18, 134), At(band, 3));
        Assert.Equal(new SKColor(205, 62, 78), At(band, 0));
        Assert.Equal(new SKColor(120, 18, 134), At(0, band));
        Assert.Equal(new SKColor(205, 62, 78), At(3, band));
        Assert.Throws<NiSharpException>(() => MatrixPlot.Connectivity(m, null, new MatrixPlotOptions { Networks = ["Vis"] }));
    }
}
