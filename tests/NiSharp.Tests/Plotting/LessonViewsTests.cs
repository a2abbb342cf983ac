using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Plotting;
using SkiaSharp;

namespace NiSharp.Tests.Plotting;

/// <summary>The views the lesson draws beyond the ortho defaults: <c>display_mode='z'</c> rows of cuts, atlases in
/// <c>cmap='Paired'</c> with a colour bar, carpets of images in memory, one voxel's series.</summary>
public class LessonViewsTests
{
    private static readonly LabelColor Left = new(1, "left", 230, 25, 75);
    private static readonly LabelColor Right = new(2, "right", 0, 130, 200);

    private static int CountColour(SKBitmap bmp, SKRectI panel, SKColor color)
    {
        int n = 0;
        for (int y = panel.Top; y < panel.Bottom; y++)
        for (int x = panel.Left; x < panel.Right; x++)
            if (bmp.GetPixel(x, y) == color) n++;
        return n;
    }

    [Fact]
    public void Display_mode_z_draws_one_axial_cut_per_coordinate_left_to_right()
    {
        var img = SliceViewTests.Synthetic("RAS");   // an ellipsoid of half-height 35 mm
        var fig = BrainPlot.Roi(img, null, [Left, Right], new SliceViewOptions { DisplayMode = DisplayMode.Z, Cuts = [-20, 0, 20, 50] });
        Assert.Equal([-20.0, 0, 20, 50], fig.Cuts.Select(c => c.Coordinate));
        Assert.All(fig.Cuts, c => Assert.Equal(SliceAxis.Axial, c.Axis));
        for (int k = 1; k < fig.Cuts.Count; k++) Assert.True(fig.Cuts[k].Panel.Left > fig.Cuts[k - 1].Panel.Right);
        using var bmp = fig.ToBitmap();
        int centre = CountColour(bmp, fig.Cuts[1].Panel, Left.Color), lower = CountColour(bmp, fig.Cuts[0].Panel, Left.Color);
        Assert.True(centre > 500 && lower > 100 && lower < centre, $"left-label pixels: {lower} at z=-20, {centre} at z=0");
        Assert.Equal(0, CountColour(bmp, fig.Cuts[3].Panel, Left.Color));   // above the ellipsoid
    }

    [Fact]
    public void Default_one_axis_cuts_spread_over_the_image()
    {
        var fig = BrainPlot.Anat(SliceViewTests.Synthetic("RAS"), new SliceViewOptions { DisplayMode = DisplayMode.X });
        Assert.Equal(7, fig.Cuts.Count);
        Assert.All(fig.Cuts, c => Assert.Equal(SliceAxis.Sagittal, c.Axis));
        Assert.True(fig.Cuts.Select(c => c.Coordinate).SequenceEqual(fig.Cuts.Select(c => c.Coordinate).Order()));
    }

    [Fact]
    public void Labels_on_a_colour_map_take_the_maps_colour_of_their_value()
    {
        var img = SliceViewTests.Synthetic("RAS");
        var fig = BrainPlot.Roi(img, null, null, new SliceViewOptions { CutCoords = (0, 0, 0), ColorMap = ColorMap.Paired, Crosshair = false, Annotate = false });
        using var bmp = fig.ToBitmap();
        // labels 1..2 span the map: 1 is Paired's first colour (light blue), 2 its last (brown), as matplotlib's Paired
        var first = new SKColor(166, 206, 227);
        var last = new SKColor(177, 89, 40);
        Assert.True(CountColour(bmp, fig.Panels[SliceAxis.Axial], first) > 500);
        Assert.True(CountColour(bmp, fig.Panels[SliceAxis.Axial], last) > 500);
    }

    [Fact]
    public void Paired_steps_through_twelve_colours()
    {
        var p = ColorMap.Paired;
        Assert.Equal(p.Map(0.0), p.Map(0.07));
        Assert.Equal(new SKColor(31, 120, 180), p.Map(1.5 / 12));
        Assert.Equal(new SKColor(255, 255, 153), p.Map(10.5 / 12));
        Assert.Equal(12, Enumerable.Range(0, 12).Select(i => p.Map((i + 0.5) / 12)).Distinct().Count());
        Assert.Same(p, ColorMap.FromName("paired"));
    }

    [Fact]
    public void Yeo_networks_get_the_colours_matplotlib_gives_them()
    {
        // matplotlib: Paired(Normalize(1, 7)(k)) picks colour int((k - 1) / 6 * 12), the last one for k = 7; a value on a
        // bin edge goes to the upper bin (the lesson's thin_7 / thick_7 colours: visual light blue, limbic lilac, default brown).
        int[] expectedBins = [0, 2, 4, 6, 8, 10, 11];
        var colours = Enumerable.Range(0, 12).Select(i => ColorMap.Paired.Map((i + 0.5) / 12)).ToArray();
        for (int k = 1; k <= 7; k++) Assert.Equal(colours[expectedBins[k - 1]], ColorMap.Paired.Map(k, 1, 7));
    }

    [Fact]
    public void Carpet_of_an_image_in_memory_and_one_voxel_line_are_drawn()
    {
        var data = new float[4 * 3 * 2 * 20];
        var rng = new Random(1);
        for (int i = 0; i < data.Length; i++) data[i] = 100 + (float)rng.NextDouble();
        var img = new Image<float>([4, 3, 2, 20], Affine.Identity, data, new NiftiHeader { Pixdim = [1, 1, 1, 1, 2, 1, 1, 1] });
        var mask = new Image<float>([4, 3, 2], Affine.Identity, Enumerable.Range(0, 24).Select(v => v % 2 == 0 ? 1f : 0f).ToArray());
        using var carpet = TimeSeriesPlot.Carpet(img, mask).ToBitmap();
        Assert.True(carpet.Width > 200);
        var e = Assert.Throws<NiSharpException>(() => TimeSeriesPlot.Carpet(img.Slicer[.., .., .., 0], mask));
        Assert.Contains("4D", e.Message);
        using var line = TimeSeriesPlot.Line(img.Slicer[1..2, 1..2, 0..1, ..].Data).ToBitmap();
        Assert.Contains(SKColors.Black, line.Pixels);
    }
}
