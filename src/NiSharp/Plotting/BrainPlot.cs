using System.Buffers;
using System.Globalization;
using NiSharp.Nifti;
using SkiaSharp;

namespace NiSharp.Plotting;

/// <summary>
/// Options of the orthogonal slice views (nilearn <c>plot_anat</c>, <c>plot_epi</c>, <c>plot_roi</c>,
/// <c>plot_stat_map</c>). Every value left null takes the view's default, which the view states.
/// </summary>
public sealed record SliceViewOptions
{
    /// <summary>Title drawn above the cuts.</summary>
    public string? Title { get; init; }

    /// <summary>World (mm) coordinates of the three cuts; null: the centre of mass of the shown voxels
    /// (labels: non-zero voxels; stat maps: |value| above threshold, weighted by |value|; anatomy/EPI:
    /// voxels above zero), or the centre of the field of view when there are none.</summary>
    public (double X, double Y, double Z)? CutCoords { get; init; }

    /// <summary>Values with |value| below this are not drawn (stat maps, EPI; for anatomy: background).</summary>
    public double? Threshold { get; init; }

    /// <summary>Black figure background (nilearn's default for anatomy and EPI) or white (ROI, stat maps).</summary>
    public bool? BlackBackground { get; init; }

    /// <summary>Draw the colour bar (continuous maps) or the label legend (ROI). Default: on, except for anatomy.</summary>
    public bool? Colorbar { get; init; }

    /// <summary>Opacity of the overlay over the background image (0–1). nilearn's ROI default is 0.7.</summary>
    public double OverlayAlpha { get; init; } = 0.7;

    /// <summary>Which volume of a 4D image is shown.</summary>
    public int Volume { get; init; }

    /// <summary>The colour map of the main image (continuous views); null: the view's default.</summary>
    public ColorMap? ColorMap { get; init; }

    /// <summary>Lower end of the colour scale; null: automatic (a robust percentile, or −max|v| for stat maps).</summary>
    public double? VMin { get; init; }

    /// <summary>Upper end of the colour scale; null: automatic.</summary>
    public double? VMax { get; init; }

    /// <summary>Write the cut coordinates and the L/R markers.</summary>
    public bool Annotate { get; init; } = true;

    /// <summary>Draw the cut lines across the other views.</summary>
    public bool Crosshair { get; init; } = true;

    /// <summary>Height of the tallest cut, in pixels (the scale is shared by the three cuts).</summary>
    public int PanelHeight { get; init; } = 240;

    /// <summary>At most this many labels are named in the legend, in as many columns beside the cuts as they need;
    /// a larger atlas says how many more there are (the subject page lists every region with its colour).</summary>
    public int MaxLegendEntries { get; init; } = 120;

    /// <summary>nilearn's <c>display_mode</c>: three orthogonal cuts (default) or a row of cuts along one axis.</summary>
    public DisplayMode DisplayMode { get; init; } = DisplayMode.Ortho;

    /// <summary>Vector figures only: each cut carries its images as separate pictures with one pixel per voxel, which the
    /// viewer scales up (smoothly for continuous images, as square voxels for labels) and lays over each other at the
    /// overlay's opacity, instead of one picture composited at the display resolution: a tenth of the pixels to sample,
    /// colour, compress and carry, for the same look. Taken when every image lies on one axis-aligned grid of cubic voxels
    /// (any voxel order or flip, as fMRIPrep's standard-space outputs) whose voxels are at least 1.5 display pixels;
    /// otherwise the cut is drawn pixel by pixel, as without it.</summary>
    public bool LayersAtVoxelSize { get; init; }

    /// <summary>The cut coordinates (mm) of a one-axis <see cref="DisplayMode"/>, e.g. <c>[-20, -10, 0, 10]</c> for
    /// <see cref="DisplayMode.Z"/> (nilearn's <c>cut_coords</c> list); null: 7 cuts evenly spread over the image.</summary>
    public IReadOnlyList<double>? Cuts { get; init; }
}

/// <summary>nilearn's <c>display_mode</c> of the slice views.</summary>
public enum DisplayMode
{
    /// <summary><c>'ortho'</c>: coronal, sagittal and axial cuts through one point.</summary>
    Ortho,
    /// <summary><c>'x'</c>: a row of sagittal cuts.</summary>
    X,
    /// <summary><c>'y'</c>: a row of coronal cuts.</summary>
    Y,
    /// <summary><c>'z'</c>: a row of axial cuts.</summary>
    Z,
}

/// <summary>A slice view: the picture plus where each cut was drawn, so callers (and tests) can find a
/// world point in the picture.</summary>
public sealed class SliceFigure : Figure
{
    /// <summary>The cut coordinates used (mm).</summary>
    public (double X, double Y, double Z) CutCoords { get; }

    /// <summary>The pixel rectangle of each cut inside the figure.</summary>
    public IReadOnlyDictionary<SliceAxis, SKRectI> Panels { get; }

    /// <summary>The display grid of each cut.</summary>
    public IReadOnlyDictionary<SliceAxis, SliceGrid> Grids { get; }

    /// <summary>Every cut in drawing order, left to right (three for <see cref="DisplayMode.Ortho"/>; one per
    /// coordinate for the one-axis modes, whose <see cref="Panels"/> and <see cref="Grids"/> hold the first cut).</summary>
    public IReadOnlyList<(SliceAxis Axis, double Coordinate, SKRectI Panel)> Cuts { get; }

    internal SliceFigure(int width, int height, Action<SKCanvas> paint, (double, double, double) cut,
        IReadOnlyDictionary<SliceAxis, SKRectI> panels, IReadOnlyDictionary<SliceAxis, SliceGrid> grids,
        IReadOnlyList<(SliceAxis, double, SKRectI)> cuts)
        : base(width, height, paint)
    {
        CutCoords = cut;
        Panels = panels;
        Grids = grids;
        Cuts = cuts;
    }

    /// <summary>Where the world point (x, y, z) projects in the figure, on the cut <paramref name="axis"/>.</summary>
    public (float X, float Y) WorldToPixel(SliceAxis axis, double x, double y, double z)
    {
        var (c, r) = Grids[axis].Pixel(x, y, z);
        var p = Panels[axis];
        return ((float)(p.Left + c + 0.5), (float)(p.Top + r + 0.5));
    }
}

/// <summary>
/// Orthogonal slice views of brain images, as nilearn's <c>plot_anat</c>, <c>plot_epi</c>, <c>plot_roi</c>
/// and <c>plot_stat_map</c> draw them: coronal, sagittal and axial cuts (nilearn's <c>ortho</c> order) at
/// cut coordinates in mm. <b>Convention: neurological</b> — the subject's left is on the left of the coronal and
/// axial cuts (marked L and R), anterior is up in the axial cut and right in the sagittal cut. Images are
/// sampled on a world-aligned (RAS) display grid through their inverse affine, so any voxel order (RAS, LAS,
/// LIA) or oblique affine is drawn the same way; voxels with value 0 or NaN are transparent.
/// </summary>
public static class BrainPlot
{
    private static readonly SliceAxis[] Order = [SliceAxis.Coronal, SliceAxis.Sagittal, SliceAxis.Axial];

    /// <summary>nilearn <c>plot_anat</c>: grey anatomy on a black background, no colour bar.</summary>
    public static SliceFigure Anat(Image<float> anat, SliceViewOptions? options = null)
    {
        var o = options ?? new SliceViewOptions();
        var bg = Continuous(SliceImage.Of(anat), o, o.ColorMap ?? ColorMap.Gray, symmetric: false, SliceGrid.Interpolation.Linear);
        return Render([bg], bg.Image, o, black: o.BlackBackground ?? true, colorbar: (o.Colorbar ?? false) ? bg : null, legend: null);
    }

    /// <summary>nilearn <c>plot_epi</c>: a functional volume in <c>nipy_spectral</c> on a black background, with a colour bar.</summary>
    public static SliceFigure Epi(Image<float> epi, SliceViewOptions? options = null)
    {
        var o = options ?? new SliceViewOptions();
        var layer = Continuous(SliceImage.Of(epi), o, o.ColorMap ?? ColorMap.NipySpectral, symmetric: false, SliceGrid.Interpolation.Linear);
        return Render([layer], layer.Image, o, black: o.BlackBackground ?? true, colorbar: (o.Colorbar ?? true) ? layer : null, legend: null);
    }

    /// <summary>
    /// nilearn <c>plot_roi</c>: a label image (atlas or single ROIs) in discrete colours over an optional grey
    /// background, with a legend of the labels present. Colours come from <paramref name="labels"/> (e.g. the
    /// Yeo LUT); a label missing from the table gets a default colour and the name <c>label_N</c>.
    /// </summary>
    /// <remarks>With <see cref="SliceViewOptions.ColorMap"/> set (nilearn's <c>cmap</c>, e.g. <see cref="ColorMap.Paired"/>),
    /// labels are coloured by their value on that map instead, with a colour bar from the lowest to the highest label,
    /// as nilearn draws <c>plot_roi(..., cmap='Paired', colorbar=True)</c>.</remarks>
    public static SliceFigure Roi(Image<float> roi, Image<float>? background = null, IReadOnlyList<LabelColor>? labels = null, SliceViewOptions? options = null) =>
        Roi(SliceImage.Of(roi), background is null ? null : SliceImage.Of(background), labels, options, Render);

    /// <summary>
    /// <see cref="Roi(Image{float}, Image{float}?, IReadOnlyList{LabelColor}?, SliceViewOptions?)"/> as a vector figure for
    /// the pages: the same cuts, pixel for pixel (embedded PNGs), with the lines, annotations and legend as vector shapes
    /// and text; no raster engine is started.
    /// </summary>
    public static SvgFigure RoiSvg(Image<float> roi, Image<float>? background = null, IReadOnlyList<LabelColor>? labels = null, SliceViewOptions? options = null) =>
        Roi(SliceImage.Of(roi), background is null ? null : SliceImage.Of(background), labels, options, RenderSvg);

    /// <summary><see cref="RoiSvg(Image{float}, Image{float}?, IReadOnlyList{LabelColor}?, SliceViewOptions?)"/> of prepared
    /// images: an integer atlas read without a float copy, a background whose extent and display range are measured once
    /// for every view drawn over it (the pages of a run's atlases).</summary>
    public static SvgFigure RoiSvg(SliceImage roi, SliceImage? background = null, IReadOnlyList<LabelColor>? labels = null, SliceViewOptions? options = null) =>
        Roi(roi, background, labels, options, RenderSvg);

    private delegate T Renderer<T>(IReadOnlyList<Layer> layers, SliceImage extentImage, SliceViewOptions o, bool black, Layer? colorbar, IReadOnlyList<LabelColor>? legend);

    private static T Roi<T>(SliceImage roi, SliceImage? background, IReadOnlyList<LabelColor>? labels, SliceViewOptions? options, Renderer<T> render)
    {
        var o = options ?? new SliceViewOptions();
        var present = roi.Labels(o.Volume);
        if (o.ColorMap is { } cmap && present.Count > 0)
            return RoiOnColorMap(roi, background, o, cmap, present, render);
        var table = new Dictionary<int, LabelColor>();
        foreach (var l in labels ?? []) table.TryAdd(l.Id, l);
        foreach (var id in present)
            if (!table.ContainsKey(id))
            {
                var c = LabelColors.DefaultColor(id);
                table[id] = new LabelColor(id, $"label_{id}", c.Red, c.Green, c.Blue);
            }
        var colors = table.ToDictionary(kv => kv.Key, kv => kv.Value.Color);
        double alpha = Math.Clamp(o.OverlayAlpha, 0, 1);
        var layers = new List<Layer>();
        if (background is not null)
            layers.Add(Continuous(background, o with { Volume = 0, Threshold = null, VMin = null, VMax = null }, ColorMap.Gray, false, SliceGrid.Interpolation.Linear));
        layers.Add(new Layer(roi, o.Volume, SliceGrid.Interpolation.Nearest, v =>
        {
            if (float.IsNaN(v)) return null;
            int id = (int)MathF.Round(v);
            if (id == 0) return null;
            return colors.TryGetValue(id, out var col) ? col : LabelColors.DefaultColor(id);
        }, background is null ? 1 : alpha));
        var legend = (o.Colorbar ?? true) ? present.Select(id => table[id]).ToList() : null;
        return render(layers, background ?? roi, o, o.BlackBackground ?? false, null, legend);
    }

    /// <summary><see cref="Roi(Image{float}, Image{float}?, IReadOnlyList{LabelColor}?, SliceViewOptions?)"/> of an integer label image.</summary>
    public static SliceFigure Roi(Image<int> roi, Image<float>? background = null, IReadOnlyList<LabelColor>? labels = null, SliceViewOptions? options = null) =>
        Roi(SliceImage.Of(roi), background is null ? null : SliceImage.Of(background), labels, options, Render);

    /// <summary>nilearn <c>plot_roi(atlas)</c>: an atlas in the colours of its label table (e.g. the Yeo LUT), named in the legend.</summary>
    public static SliceFigure Roi(Atlases.Atlas atlas, Image<float>? background = null, SliceViewOptions? options = null) =>
        Roi(SliceImage.Of(atlas.Image), background is null ? null : SliceImage.Of(background), LabelColors.FromTable(atlas.Labels), options, Render);

    private static T RoiOnColorMap<T>(SliceImage roi, SliceImage? background, SliceViewOptions o, ColorMap cmap, IReadOnlyList<int> present, Renderer<T> render)
    {
        double lo = present[0], hi = present[^1] > present[0] ? present[^1] : present[0] + 1;
        var layers = new List<Layer>();
        if (background is not null)
            layers.Add(Continuous(background, o with { Volume = 0, Threshold = null, VMin = null, VMax = null, ColorMap = null }, ColorMap.Gray, false, SliceGrid.Interpolation.Linear));
        var layer = new Layer(roi, o.Volume, SliceGrid.Interpolation.Nearest, v =>
        {
            if (float.IsNaN(v)) return null;
            int id = (int)MathF.Round(v);
            return id == 0 ? null : cmap.Map(id, lo, hi);
        }, background is null ? 1 : Math.Clamp(o.OverlayAlpha, 0, 1)) { Map = cmap, VMin = lo, VMax = hi };
        layers.Add(layer);
        return render(layers, background ?? roi, o, o.BlackBackground ?? false, (o.Colorbar ?? true) ? layer : null, null);
    }

    /// <summary>
    /// nilearn <c>plot_stat_map</c>: a statistical map in <c>cold_hot</c> with a symmetric scale (±max|v|),
    /// values with |v| below <see cref="SliceViewOptions.Threshold"/> hidden, over an optional grey background.
    /// </summary>
    public static SliceFigure StatMap(Image<float> stat, Image<float>? background = null, SliceViewOptions? options = null)
    {
        var o = options ?? new SliceViewOptions();
        var layers = new List<Layer>();
        if (background is not null)
            layers.Add(Continuous(SliceImage.Of(background), o with { Volume = 0, Threshold = null, VMin = null, VMax = null }, ColorMap.Gray, false, SliceGrid.Interpolation.Linear));
        var layer = Continuous(SliceImage.Of(stat), o, o.ColorMap ?? ColorMap.ColdHot, symmetric: true, SliceGrid.Interpolation.Nearest,
            alpha: background is null ? 1 : Math.Clamp(o.OverlayAlpha <= 0 ? 1 : o.OverlayAlpha, 0, 1));
        layers.Add(layer);
        return Render(layers, layers[0].Image, o, black: o.BlackBackground ?? false, colorbar: (o.Colorbar ?? true) ? layer : null, legend: null);
    }

    /// <summary>The non-zero integer labels of volume <paramref name="volume"/>, sorted.</summary>
    public static IReadOnlyList<int> PresentLabels(Image<float> roi, int volume = 0) => SliceImage.Of(roi).Labels(volume);

    // ---- layers ---------------------------------------------------------------------------------------

    /// <summary>One image drawn in the cuts: how to sample it and how a value becomes a colour (null: transparent).</summary>
    private sealed record Layer(SliceImage Image, int Volume, SliceGrid.Interpolation Interpolation, Func<float, SKColor?> Colorize, double Alpha = 1)
    {
        public ColorMap? Map { get; init; }
        public double VMin { get; init; }
        public double VMax { get; init; }
        public double Threshold { get; init; }

        /// <summary>Paints the colours of <paramref name="values"/> (this layer's samples) into <paramref name="pixels"/>:
        /// composited over what is there at the layer's opacity, or, with <paramref name="alone"/>, as a picture of its own
        /// (the opacity in each colour's alpha, transparent where nothing is drawn).</summary>
        public void Paint(ReadOnlySpan<float> values, Span<SKColor> pixels, bool alone)
        {
            var own = (byte)Math.Round(Math.Clamp(Alpha, 0, 1) * 255);
            // Neighbouring pixels of a label layer mostly hold the same value: its colour is asked for once a run
            // of them (the colour depends on the value only).
            float last = float.NaN;
            SKColor? colour = null;
            bool known = false;
            for (int p = 0; p < values.Length; p++)
            {
                float v = values[p];
                if (!known || v.CompareTo(last) != 0)
                {
                    colour = Colorize(v);
                    last = v;
                    known = true;
                }
                if (alone) pixels[p] = colour is SKColor a ? a.WithAlpha((byte)(a.Alpha * own / 255)) : SKColors.Transparent;
                else if (colour is SKColor c) pixels[p] = Alpha >= 1 ? c : Blend(pixels[p], c, Alpha);
            }
        }
    }

    private static Layer Continuous(SliceImage img, SliceViewOptions o, ColorMap map, bool symmetric, SliceGrid.Interpolation interp, double alpha = 1)
    {
        img.CheckVolume(o.Volume);
        double thr = Math.Abs(o.Threshold ?? 0);
        double vmin, vmax;
        if (symmetric)
        {
            double m = img.MaxAbs(o.Volume);
            vmax = o.VMax ?? (m > 0 ? m : 1);
            vmin = o.VMin ?? -vmax;
        }
        else
        {
            var (lo, hi) = img.RobustRange(o.Volume);
            vmin = o.VMin ?? lo;
            vmax = o.VMax ?? hi;
        }
        if (!(vmax > vmin)) vmax = vmin + 1;
        return new Layer(img, o.Volume, interp, v =>
        {
            if (!float.IsFinite(v) || v == 0) return null;
            if (Math.Abs(v) < thr) return null;
            return map.Map(v, vmin, vmax);
        }, alpha) { Map = map, VMin = vmin, VMax = vmax, Threshold = thr };
    }

    // ---- cut coordinates ------------------------------------------------------------------------------

    /// <summary>The default cut coordinates: the centre of mass of the voxels that the main layer draws.</summary>
    private static (double, double, double) DefaultCut(Layer main, WorldBox box)
    {
        var (wi, wj, wk, w) = main.Image.Centre(main.Volume, main.Colorize, weighted: main.Map is not null && main.VMin < 0);
        if (w == 0) return box.Centre;
        return main.Image.Affine.Apply(wi / w, wj / w, wk / w);
    }

    // ---- drawing --------------------------------------------------------------------------------------

    /// <summary>Everything a slice view shows, laid out: the cuts (their grids, places and pixels), the title, the legend or
    /// colour bar. Both drawings (<see cref="Render"/>, <see cref="RenderSvg"/>) paint the same scene.</summary>
    private sealed record Scene(SliceViewOptions O, int Width, int Height, (double X, double Y, double Z) Cut, bool Ortho,
        SliceGrid[] Grids, SKRectI[] Panels, IReadOnlyList<Layer> Layers, SKColor Background, SKColor Foreground, int TitleHeight,
        int Right, int Top, int PanelsHeight, Layer? Colorbar, IReadOnlyList<LabelColor>? Legend, int LegendMore, int LegendRows, int LegendColumnWidth)
    {
        public const int Margin = 8;
        public const float LegendFont = 11f;

        /// <summary>Samples every layer on cut <paramref name="k"/>'s grid and composites them over the figure background
        /// into <paramref name="pixels"/> (Rows × Columns).</summary>
        public void CutPixels(int k, Span<SKColor> pixels)
        {
            var grid = Grids[k];
            int n = grid.Rows * grid.Columns;
            pixels.Fill(Background);
            var buffer = ArrayPool<float>.Shared.Rent(n);
            try
            {
                var values = buffer.AsSpan(0, n);
                foreach (var layer in Layers)
                {
                    layer.Image.Sample(grid, layer.Volume, layer.Interpolation, values);
                    layer.Paint(values, pixels, alone: false);
                }
            }
            finally { ArrayPool<float>.Shared.Return(buffer); }
        }

        /// <summary>The voxel size (mm) when every layer's image lies on one axis-aligned grid of cubic voxels (any order
        /// or flip) whose voxel edges fall on the cuts' box edges, and a voxel spans at least 1.5 display pixels; else null.
        /// On such a grid a cut sampled one pixel per voxel is the voxels themselves (<see cref="SliceViewOptions.LayersAtVoxelSize"/>).</summary>
        public double? AlignedVoxelSize()
        {
            double size = 0;
            var box = Grids[0].Box;
            foreach (var layer in Layers)
            {
                var a = layer.Image.Affine;
                // Each voxel axis along one world axis: one non-zero per column (and so per row) of the 3×3 part.
                var worldOf = new int[3];
                for (int c = 0; c < 3; c++)
                {
                    int rows = 0;
                    for (int r = 0; r < 3; r++)
                        if (a[r, c] != 0) { rows++; worldOf[c] = r; }
                    if (rows != 1) return null;
                    double m = Math.Abs(a[worldOf[c], c]);
                    if (size == 0) size = m;
                    else if (Math.Abs(m - size) > 1e-9 * size) return null;
                }
                if (worldOf[0] == worldOf[1] || worldOf[1] == worldOf[2] || worldOf[0] == worldOf[2]) return null;
                // Voxel centres at t + n·size along each world axis: the box edges must be half a voxel from them.
                if (!OnEdge(box.XMin, a[0, 3]) || !OnEdge(box.YMin, a[1, 3]) || !OnEdge(box.YMax, a[1, 3]) || !OnEdge(box.ZMax, a[2, 3])) return null;
            }
            return size >= 1.5 * Grids[0].Spacing ? size : null;

            bool OnEdge(double edge, double centre)
            {
                double n = (edge - centre) / size + 0.5;
                return Math.Abs(n - Math.Round(n)) < 1e-6;
            }
        }

        /// <summary>Where the crosshair of cut <paramref name="k"/> crosses it, in figure pixels (NaN: outside the cut).</summary>
        public (float X, float Y) Crosshair(int k)
        {
            var p = Panels[k];
            var (cx, cy) = Grids[k].Pixel(Cut.X, Cut.Y, Cut.Z);
            float px = (float)(p.Left + cx + 0.5), py = (float)(p.Top + cy + 0.5);
            return (px >= p.Left && px <= p.Right ? px : float.NaN, py >= p.Top && py <= p.Bottom ? py : float.NaN);
        }

        /// <summary>The annotation of cut <paramref name="k"/> (<c>x=-20</c>).</summary>
        public string CutLabel(int k) => Grids[k].Axis switch
        {
            SliceAxis.Sagittal => "x=" + Mm(Grids[k].Cut),
            SliceAxis.Coronal => "y=" + Mm(Grids[k].Cut),
            _ => "z=" + Mm(Grids[k].Cut),
        };

        /// <summary>Legend entry <paramref name="k"/>'s swatch corner (the "more" line is entry <c>Legend.Count</c>).</summary>
        public (float X, float Y) LegendEntry(int k) => (Right + (k / LegendRows) * LegendColumnWidth, Top + 4 + (k % LegendRows) * LegendRow);

        /// <summary>The colour bar's box.</summary>
        public (float X0, float Y0, float X1, float Y1) ColorbarBox => (Right + 6, Top + PanelsHeight * 0.1f, Right + 20, Top + PanelsHeight * 0.9f);

        public SliceFigure ToFigure(Action<SKCanvas> paint)
        {
            var grids = new Dictionary<SliceAxis, SliceGrid>();
            var panels = new Dictionary<SliceAxis, SKRectI>();
            for (int k = 0; k < Grids.Length; k++)
            {
                grids.TryAdd(Grids[k].Axis, Grids[k]);
                panels.TryAdd(Grids[k].Axis, Panels[k]);
            }
            return new SliceFigure(Width, Height, paint, Cut, panels, grids, Grids.Select((g, k) => (g.Axis, g.Cut, Panels[k])).ToArray());
        }
    }

    private static Scene Lay(IReadOnlyList<Layer> layers, SliceImage extentImage, SliceViewOptions o, bool black,
        Layer? colorbar, IReadOnlyList<LabelColor>? legend, Func<string, float, float> measure)
    {
        var box = extentImage.NonZeroBox(ReferenceEquals(extentImage, layers[^1].Image) ? layers[^1].Volume : 0)
                  ?? WorldBox.Of(extentImage.SpatialShape, extentImage.Affine);
        var cut = o.CutCoords ?? DefaultCut(layers[^1], box);
        double tallest = Math.Max(box.ZMax - box.ZMin, box.YMax - box.YMin);
        double spacing = tallest / Math.Max(32, o.PanelHeight); // mm per pixel, shared by the cuts
        var bgColor = black ? SKColors.Black : SKColors.White;
        var fgColor = black ? SKColors.White : SKColors.Black;
        bool ortho = o.DisplayMode == DisplayMode.Ortho;

        // The cuts, left to right: nilearn's ortho order, or one axis at several coordinates.
        var cutList = ortho
            ? Order.Select(a => (Axis: a, Coord: a switch { SliceAxis.Sagittal => cut.Item1, SliceAxis.Coronal => cut.Item2, _ => cut.Item3 })).ToList()
            : MontageCuts(o, box).ToList();
        var cutGrids = cutList.Select(c => new SliceGrid(c.Axis, c.Coord, box, spacing)).ToArray();

        const int margin = Scene.Margin, gap = 6;
        int titleHeight = string.IsNullOrEmpty(o.Title) ? 0 : 30;
        int panelsHeight = cutGrids.Max(g => g.Rows);
        var cutPanels = new SKRectI[cutGrids.Length];
        int x = margin;
        int top = titleHeight + margin;
        for (int k = 0; k < cutGrids.Length; k++)
        {
            var g = cutGrids[k];
            int y = top + (panelsHeight - g.Rows) / 2;
            cutPanels[k] = new SKRectI(x, y, x + g.Columns, y + g.Rows);
            x += g.Columns + gap;
        }
        int right = x - gap + margin;

        int sideWidth = 0;
        List<LabelColor>? shownLegend = null;
        int legendRows = 0, legendColumnWidth = 0, legendHeight = 0;
        if (legend is { Count: > 0 })
        {
            // Columns of entries no taller than the cuts (at least 8 rows), as many as the labels need up to six: every
            // name fits; beyond that the legend says how many more there are.
            legendRows = Math.Max(8, (panelsHeight - 8) / LegendRow);
            int capacity = Math.Min(o.MaxLegendEntries, legendRows * MaxLegendColumns);
            shownLegend = legend.Count <= capacity ? legend.ToList() : legend.Take(Math.Max(0, capacity - 1)).ToList();
            shownLegend = shownLegend.Select(l => l with { Name = FigureText.Shorten(l.Name) }).ToList();
            int entries = shownLegend.Count + (legend.Count > shownLegend.Count ? 1 : 0);
            int columns = (entries + legendRows - 1) / legendRows;
            legendRows = (entries + columns - 1) / columns; // balanced columns
            float textW = shownLegend.Max(l => measure(l.Name, Scene.LegendFont));
            if (legend.Count > shownLegend.Count) textW = Math.Max(textW, measure(MoreText(legend.Count - shownLegend.Count), Scene.LegendFont));
            legendColumnWidth = (int)Math.Ceiling(textW) + 30;
            sideWidth = columns * legendColumnWidth + 8;
            legendHeight = legendRows * LegendRow + 8;
        }
        else if (colorbar is not null)
        {
            sideWidth = 70;
        }
        int width = right + sideWidth;
        int height = top + Math.Max(panelsHeight, legendHeight) + margin;
        return new Scene(o, width, height, cut, ortho, cutGrids, cutPanels, layers, bgColor, fgColor, titleHeight, right, top, panelsHeight,
            shownLegend is null ? colorbar : null, shownLegend, shownLegend is null ? 0 : legend!.Count - shownLegend.Count, legendRows, legendColumnWidth);
    }

    private static SliceFigure Render(IReadOnlyList<Layer> layers, SliceImage extentImage, SliceViewOptions o, bool black,
        Layer? colorbar, IReadOnlyList<LabelColor>? legend)
    {
        var scene = Lay(layers, extentImage, o, black, colorbar, legend, (t, size) => FigureText.Measure(t, size));
        return scene.ToFigure(canvas => Paint(canvas, scene));
    }

    private static void Paint(SKCanvas canvas, Scene s)
    {
        var o = s.O;
        canvas.Clear(s.Background);
        using (var bgPaint = new SKPaint { Color = s.Background })
            canvas.DrawRect(0, 0, s.Width, s.Height, bgPaint);
        if (s.TitleHeight > 0)
            FigureText.Draw(canvas, o.Title!, Scene.Margin, 21, 15, s.Foreground, bold: true);
        using var linePaint = new SKPaint { Color = s.Foreground, StrokeWidth = 1, IsAntialias = false, Style = SKPaintStyle.Stroke };
        for (int k = 0; k < s.Grids.Length; k++)
        {
            var p = s.Panels[k];
            var pixels = new SKColor[s.Grids[k].Rows * s.Grids[k].Columns];
            s.CutPixels(k, pixels);
            using (var image = CutImage(pixels, s.Grids[k]))
                canvas.DrawImage(image, p.Left, p.Top, new SKSamplingOptions(SKFilterMode.Nearest));
            if (o.Crosshair && s.Ortho)
            {
                var (px, py) = s.Crosshair(k);
                if (!float.IsNaN(px)) canvas.DrawLine(px, p.Top, px, p.Bottom, linePaint);
                if (!float.IsNaN(py)) canvas.DrawLine(p.Left, py, p.Right, py, linePaint);
            }
            if (o.Annotate)
            {
                FigureText.Draw(canvas, s.CutLabel(k), p.Left + 2, p.Bottom - 4, 12, s.Foreground);
                if (s.Grids[k].Axis != SliceAxis.Sagittal)
                {
                    FigureText.Draw(canvas, "L", p.Left + 4, p.Top + 14, 13, s.Foreground, bold: true);
                    FigureText.Draw(canvas, "R", p.Right - 4, p.Top + 14, 13, s.Foreground, SKTextAlign.Right, bold: true);
                }
            }
        }
        if (s.Legend is not null)
            DrawLegend(canvas, s);
        else if (s.Colorbar is not null)
            DrawColorbar(canvas, s);
    }

    /// <summary>The vector drawing of a slice view: the cuts as embedded PNGs (the very pixels of the raster drawing), the
    /// rest as SVG shapes and text.</summary>
    private static SvgFigure RenderSvg(IReadOnlyList<Layer> layers, SliceImage extentImage, SliceViewOptions o, bool black,
        Layer? colorbar, IReadOnlyList<LabelColor>? legend)
    {
        var s = Lay(layers, extentImage, o, black, colorbar, legend, (t, size) => FigureText.Estimate(t, size));
        var svg = new SvgWriter(s.Width, s.Height, s.Background);
        if (s.TitleHeight > 0) svg.Text(Scene.Margin, 21, o.Title!, 15, s.Foreground, bold: true);
        double? voxel = o.LayersAtVoxelSize ? s.AlignedVoxelSize() : null;
        // One pooled buffer for every cut's pixels, each encoded before the next is drawn: no fresh picture memory per page.
        var pixels = ArrayPool<SKColor>.Shared.Rent(s.Grids.Max(g => g.Rows * g.Columns));
        try
        {
            for (int k = 0; k < s.Grids.Length; k++)
            {
                var p = s.Panels[k];
                if (voxel is double size)
                    LayersAtVoxelSize(svg, s, k, size, pixels);
                else
                {
                    var cut = pixels.AsSpan(0, s.Grids[k].Rows * s.Grids[k].Columns);
                    s.CutPixels(k, cut);
                    svg.Image(p.Left, p.Top, p.Width, p.Height, cut, s.Grids[k].Columns, s.Grids[k].Rows, pixelated: true);
                }
                if (o.Crosshair && s.Ortho)
                {
                    var (px, py) = s.Crosshair(k);
                    if (!float.IsNaN(px)) svg.Line(px, p.Top, px, p.Bottom, s.Foreground);
                    if (!float.IsNaN(py)) svg.Line(p.Left, py, p.Right, py, s.Foreground);
                }
                if (o.Annotate)
                {
                    svg.Text(p.Left + 2, p.Bottom - 4, s.CutLabel(k), 12, s.Foreground);
                    if (s.Grids[k].Axis != SliceAxis.Sagittal)
                    {
                        svg.Text(p.Left + 4, p.Top + 14, "L", 13, s.Foreground, bold: true);
                        svg.Text(p.Right - 4, p.Top + 14, "R", 13, s.Foreground, "end", bold: true);
                    }
                }
            }
        }
        finally { ArrayPool<SKColor>.Shared.Return(pixels); }
        if (s.Legend is { } entries)
        {
            var border = s.Foreground.WithAlpha(120);
            for (int k = 0; k < entries.Count; k++)
            {
                var (x, y) = s.LegendEntry(k);
                svg.Rect(x + 4, y, 12, 12, entries[k].Color, border);
                svg.Text(x + 22, y + 10.5, entries[k].Name, Scene.LegendFont, s.Foreground);
            }
            if (s.LegendMore > 0)
            {
                var (x, y) = s.LegendEntry(entries.Count);
                svg.Text(x + 22, y + 10.5, MoreText(s.LegendMore), Scene.LegendFont, s.Foreground);
            }
        }
        else if (s.Colorbar is { } layer)
        {
            var (x0, y0, x1, y1) = s.ColorbarBox;
            int steps = (int)Math.Max(2, y1 - y0);
            var ramp = new SKColor[steps];
            for (int k = 0; k < steps; k++) ramp[k] = ColorbarColour(layer, 1 - (k + 0.5) / steps);
            svg.Image(x0, y0, x1 - x0, y1 - y0, ramp, 1, steps, pixelated: true);
            svg.Rect(x0, y0, x1 - x0, y1 - y0, SKColors.Transparent, s.Foreground);
            for (int i = 0; i <= 4; i++)
            {
                float y = y1 - i * (y1 - y0) / 4;
                svg.Line(x1, y, x1 + 3, y, s.Foreground);
                svg.Text(x1 + 5, y + 4, FormatTick(layer.VMin + i * (layer.VMax - layer.VMin) / 4), 10, s.Foreground);
            }
        }
        return svg.Finish();
    }

    /// <summary>The cuts of a one-axis display mode: the given coordinates, or 7 spread over the image's extent.</summary>
    private static IEnumerable<(SliceAxis Axis, double Coord)> MontageCuts(SliceViewOptions o, WorldBox box)
    {
        var (axis, lo, hi) = o.DisplayMode switch
        {
            DisplayMode.X => (SliceAxis.Sagittal, box.XMin, box.XMax),
            DisplayMode.Y => (SliceAxis.Coronal, box.YMin, box.YMax),
            _ => (SliceAxis.Axial, box.ZMin, box.ZMax),
        };
        if (o.Cuts is { Count: > 0 } given) return given.Select(c => (axis, c));
        const int n = 7;
        return Enumerable.Range(0, n).Select(i => (axis, lo + (hi - lo) * (i + 1) / (n + 1)));
    }

    // "x=0", never "x=-0" for a cut a hair left of the midline.
    private static string Mm(double v) => (Math.Round(v) + 0.0).ToString("0", CultureInfo.InvariantCulture);

    private static SKImage CutImage(SKColor[] pixels, SliceGrid grid)
    {
        using var bmp = new SKBitmap(new SKImageInfo(grid.Columns, grid.Rows, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bmp.Pixels = pixels;
        return SKImage.FromBitmap(bmp);
    }

    /// <summary>Cut <paramref name="k"/> as one picture per layer, one pixel per voxel of <paramref name="size"/> mm (the voxel
    /// grid, see <see cref="Scene.AlignedVoxelSize"/>), each stretched over the cut's panel: continuous images scaled smoothly
    /// by the viewer, labels as square voxels; the viewer lays them over each other at each layer's opacity.</summary>
    private static void LayersAtVoxelSize(SvgWriter svg, Scene s, int k, double size, SKColor[] pixelBuffer)
    {
        var fine = s.Grids[k];
        var grid = new SliceGrid(fine.Axis, fine.Cut, fine.Box, size);
        int n = grid.Rows * grid.Columns;
        var p = s.Panels[k];
        var buffer = ArrayPool<float>.Shared.Rent(n);
        try
        {
            var values = buffer.AsSpan(0, n);
            var pixels = pixelBuffer.AsSpan(0, n);
            foreach (var layer in s.Layers)
            {
                layer.Image.Sample(grid, layer.Volume, layer.Interpolation, values);
                layer.Paint(values, pixels, alone: true);
                svg.Image(p.Left, p.Top, p.Width, p.Height, pixels, grid.Columns, grid.Rows, pixelated: layer.Interpolation == SliceGrid.Interpolation.Nearest);
            }
        }
        finally { ArrayPool<float>.Shared.Return(buffer); }
    }

    private static SKColor Blend(SKColor under, SKColor over, double alpha) => new(
        (byte)Math.Round(under.Red + (over.Red - under.Red) * alpha),
        (byte)Math.Round(under.Green + (over.Green - under.Green) * alpha),
        (byte)Math.Round(under.Blue + (over.Blue - under.Blue) * alpha));

    private const int LegendRow = 15;
    private const int MaxLegendColumns = 6;

    private static string MoreText(int more) => $"… {more} more";

    private static void DrawLegend(SKCanvas canvas, Scene s)
    {
        var entries = s.Legend!;
        using var swatch = new SKPaint { Style = SKPaintStyle.Fill };
        using var border = new SKPaint { Style = SKPaintStyle.Stroke, Color = s.Foreground.WithAlpha(120), StrokeWidth = 1 };
        for (int k = 0; k < entries.Count; k++)
        {
            var (x, y) = s.LegendEntry(k);
            swatch.Color = entries[k].Color;
            var r = new SKRect(x + 4, y, x + 16, y + 12);
            canvas.DrawRect(r, swatch);
            canvas.DrawRect(r, border);
            FigureText.Draw(canvas, entries[k].Name, x + 22, y + 10.5f, Scene.LegendFont, s.Foreground);
        }
        if (s.LegendMore > 0)
        {
            var (x, y) = s.LegendEntry(entries.Count);
            FigureText.Draw(canvas, MoreText(s.LegendMore), x + 22, y + 10.5f, Scene.LegendFont, s.Foreground);
        }
    }

    /// <summary>The colour bar's colour at <paramref name="t"/> (0 bottom, 1 top); values hidden by the threshold are grey
    /// on the bar, as nilearn draws them.</summary>
    private static SKColor ColorbarColour(Layer layer, double t)
    {
        double v = layer.VMin + t * (layer.VMax - layer.VMin);
        return Math.Abs(v) < layer.Threshold ? new SKColor(128, 128, 128) : layer.Map!.Map(t);
    }

    private static void DrawColorbar(SKCanvas canvas, Scene s)
    {
        var layer = s.Colorbar!;
        var fg = s.Foreground;
        var (x0, y0, x1, y1) = s.ColorbarBox;
        int steps = (int)Math.Max(2, y1 - y0);
        using var paint = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = false };
        for (int k = 0; k < steps; k++)
        {
            paint.Color = ColorbarColour(layer, 1 - (k + 0.5) / steps);
            canvas.DrawRect(x0, y0 + k * (y1 - y0) / steps, x1 - x0, (y1 - y0) / steps + 0.5f, paint);
        }
        using var border = new SKPaint { Style = SKPaintStyle.Stroke, Color = fg, StrokeWidth = 1 };
        canvas.DrawRect(x0, y0, x1 - x0, y1 - y0, border);
        for (int i = 0; i <= 4; i++)
        {
            double v = layer.VMin + i * (layer.VMax - layer.VMin) / 4;
            float y = y1 - i * (y1 - y0) / 4;
            canvas.DrawLine(x1, y, x1 + 3, y, border);
            FigureText.Draw(canvas, FormatTick(v), x1 + 5, y + 4, 10, fg);
        }
    }

    /// <summary>A tick label with about three significant digits.</summary>
    internal static string FormatTick(double v)
    {
        double a = Math.Abs(v);
        string fmt = a == 0 ? "0" : a >= 100 ? "0" : a >= 10 ? "0.#" : a >= 1 ? "0.##" : "0.###";
        return v.ToString(fmt, CultureInfo.InvariantCulture);
    }
}
