using System.Buffers;
using NiSharp.Nifti;
using ScottPlot;

namespace NiSharp.Plotting;

/// <summary>A named series of values over volumes (a voxel, a region, a confound).</summary>
public sealed record NamedSeries(string Name, double[] Values);

/// <summary>Options of the time-series pictures.</summary>
public sealed record TimeSeriesPlotOptions
{
    /// <summary>Title.</summary>
    public string? Title { get; init; }

    /// <summary>Seconds between volumes; when set the x axis is time in seconds, otherwise the volume index ("Timepoint").</summary>
    public double? RepetitionTime { get; init; }

    /// <summary>Y axis label.</summary>
    public string? YLabel { get; init; } = "Signal Value";

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 720;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 360;
}

/// <summary>
/// Signals over time: the lesson's voxel time-series figure (one black line), several region series with a
/// legend, and carpet plots (voxels × time, nilearn <c>plot_carpet</c>).
/// </summary>
public static class TimeSeriesPlot
{
    /// <summary>One or more series over volumes. One series is drawn black (as the lesson); several get a palette and a legend.</summary>
    public static ChartFigure Lines(IReadOnlyList<NamedSeries> series, TimeSeriesPlotOptions? options = null)
    {
        var o = options ?? new TimeSeriesPlotOptions();
        if (series.Count == 0) throw new NiSharpException("no time series to plot");
        var plot = ChartFigure.NewPlot(o.Title, o.RepetitionTime is null ? "Timepoint" : "Time (s)", o.YLabel);
        double period = o.RepetitionTime ?? 1;
        var palette = new ScottPlot.Palettes.Category10();
        for (int s = 0; s < series.Count; s++)
        {
            ChartFigure.AddLine(plot, series[s].Values, period, series.Count == 1 ? Colors.Black : palette.GetColor(s),
                series.Count > 1 ? series[s].Name : null, 1.5f);
        }
        if (series.Count > 1) plot.ShowLegend(Alignment.UpperRight);
        return ChartFigure.Single(plot, o.Width, o.Height);
    }

    /// <summary>One series drawn as a black line against the volume index, as the lesson's
    /// <c>plt.plot(np.arange(len(x)), x, 'k')</c> (e.g. one voxel's values, <c>img.Slicer[i..(i+1), j..(j+1), k..(k+1), ..].Data</c>).</summary>
    public static ChartFigure Line(ReadOnlySpan<float> values, TimeSeriesPlotOptions? options = null)
    {
        var v = new double[values.Length];
        for (int i = 0; i < v.Length; i++) v[i] = values[i];
        return Lines([new NamedSeries("signal", v)], options);
    }

    /// <summary>
    /// nilearn's <c>plot_carpet(img, mask_img, t_r)</c> of a 4D image held in memory: the voxels inside
    /// <paramref name="mask"/> (non-zero; null: voxels non-zero in the first volume), each z-scored over time.
    /// </summary>
    public static ChartFigure Carpet(Image<float> image, Image<float>? mask = null, TimeSeriesPlotOptions? options = null, int maxRows = 800)
    {
        int t = image.VolumeCount, n = image.VoxelsPerVolume;
        if (image.NDim < 4 || t < 2) throw new NiSharpException($"a carpet plot needs a 4D image with at least 2 volumes, got {image.ShapeText()}");
        if (mask is not null && !mask.SpatialShape.SequenceEqual(image.SpatialShape))
            throw new NiSharpException($"the mask's shape {Nifti.Image.ShapeText(mask.SpatialShape)} differs from the image's {Nifti.Image.ShapeText(image.SpatialShape)}");
        var select = mask is not null ? mask.Volume(0) : image.Volume(0);
        var voxels = new List<int>();
        for (int i = 0; i < n; i++) if (select[i] != 0 && float.IsFinite(select[i])) voxels.Add(i);
        if (voxels.Count == 0) throw new NiSharpException("the mask selects no voxel");
        int rows = Math.Min(voxels.Count, maxRows);
        var carpet = new double[rows, t];
        var row = new double[t];
        for (int r = 0; r < rows; r++)
        {
            int v = voxels[(int)((long)r * voxels.Count / rows)];
            for (int k = 0; k < t; k++) row[k] = image.Data[(long)k * n + v];
            ZScore(row);
            for (int k = 0; k < t; k++) carpet[r, k] = row[k];
        }
        var o = options ?? new TimeSeriesPlotOptions();
        return CarpetFigure(carpet, o with { RepetitionTime = o.RepetitionTime ?? image.RepetitionTime },
            voxels.Count > rows ? $"Voxels ({rows} of {voxels.Count})" : "Voxels");
    }

    /// <summary>
    /// A carpet plot from a T × N matrix (rows are volumes, row-major: region or voxel signals): each column
    /// is z-scored over time and drawn as one grey row of the carpet (−2 black … +2 white), time running left
    /// to right. At most <paramref name="maxRows"/> columns are drawn (evenly spaced) so big masks stay legible.
    /// </summary>
    public static ChartFigure Carpet(ReadOnlySpan<double> timeBySignals, int timepoints, int signals, TimeSeriesPlotOptions? options = null, int maxRows = 800)
    {
        if (timepoints <= 0 || signals <= 0 || timeBySignals.Length != timepoints * signals)
            throw new NiSharpException($"a carpet needs a T×N matrix with T, N > 0 (got {timepoints}×{signals} for {timeBySignals.Length} values)");
        int rows = Math.Min(signals, maxRows);
        var carpet = new double[rows, timepoints];
        var column = new double[timepoints];
        for (int r = 0; r < rows; r++)
        {
            int s = (int)((long)r * signals / rows);
            for (int t = 0; t < timepoints; t++) column[t] = timeBySignals[t * signals + s];
            ZScore(column);
            for (int t = 0; t < timepoints; t++) carpet[r, t] = column[t];
        }
        return CarpetFigure(carpet, options, signals > rows ? $"Signals ({rows} of {signals})" : "Signals");
    }

    /// <summary>
    /// A carpet plot of a 4D image restricted to <paramref name="mask"/> (non-zero voxels; null: voxels that are
    /// non-zero in the first volume), read volume by volume so the 4D image is never held in memory.
    /// </summary>
    public static ChartFigure Carpet(NiftiFile bold, Image<float>? mask = null, TimeSeriesPlotOptions? options = null, int maxRows = 800)
    {
        int t = bold.VolumeCount;
        int nvox = bold.VoxelsPerVolume;
        if (t < 2) throw new NiSharpException(bold.Path, "a carpet plot needs a 4D image with at least 2 volumes");
        var buffer = ArrayPool<float>.Shared.Rent(nvox);
        try
        {
            var vol = buffer.AsSpan(0, nvox);
            bold.ReadVolume(0, vol);
            List<int> voxels = new();
            if (mask is not null)
            {
                if (!mask.SpatialShape.SequenceEqual(bold.SpatialShape))
                    throw new NiSharpException(bold.Path, $"the mask's shape {Nifti.Image.ShapeText(mask.SpatialShape)} differs from the image's {Nifti.Image.ShapeText(bold.SpatialShape)}");
                var m = mask.Volume(0);
                for (int i = 0; i < nvox; i++) if (m[i] != 0 && float.IsFinite(m[i])) voxels.Add(i);
            }
            else
            {
                for (int i = 0; i < nvox; i++) if (vol[i] != 0 && float.IsFinite(vol[i])) voxels.Add(i);
            }
            if (voxels.Count == 0) throw new NiSharpException(bold.Path, "the mask selects no voxel");
            int rows = Math.Min(voxels.Count, maxRows);
            var picked = new int[rows];
            for (int r = 0; r < rows; r++) picked[r] = voxels[(int)((long)r * voxels.Count / rows)];
            var carpet = new double[rows, t];
            for (int k = 0; k < t; k++)
            {
                if (k > 0) bold.ReadVolume(k, vol);
                for (int r = 0; r < rows; r++) carpet[r, k] = vol[picked[r]];
            }
            var row = new double[t];
            for (int r = 0; r < rows; r++)
            {
                for (int k = 0; k < t; k++) row[k] = carpet[r, k];
                ZScore(row);
                for (int k = 0; k < t; k++) carpet[r, k] = row[k];
            }
            var o = options ?? new TimeSeriesPlotOptions();
            return CarpetFigure(carpet, o with { RepetitionTime = o.RepetitionTime ?? bold.RepetitionTime },
                voxels.Count > rows ? $"Voxels ({rows} of {voxels.Count})" : "Voxels");
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static ChartFigure CarpetFigure(double[,] carpet, TimeSeriesPlotOptions? options, string yLabel)
    {
        var o = options ?? new TimeSeriesPlotOptions();
        int rows = carpet.GetLength(0), t = carpet.GetLength(1);
        var plot = ChartFigure.NewPlot(o.Title, o.RepetitionTime is null ? "Timepoint" : "Time (s)", yLabel);
        var hm = plot.Add.Heatmap(carpet);
        hm.Colormap = ColorMap.Gray.ToScottPlot();
        hm.ManualRange = new ScottPlot.Range(-2, 2);
        double dt = o.RepetitionTime ?? 1;
        hm.Extent = new CoordinateRect(-0.5 * dt, (t - 0.5) * dt, 0, rows);
        plot.Add.ColorBar(hm).Label = "z";
        plot.Grid.IsVisible = false;
        plot.Axes.SetLimits(-0.5 * dt, (t - 0.5) * dt, 0, rows);
        return ChartFigure.Single(plot, o.Width, Math.Max(o.Height, 300));
    }

    /// <summary>Subtracts the mean and divides by the standard deviation (ddof 0); constant series become 0; NaN stays NaN.</summary>
    internal static void ZScore(Span<double> x)
    {
        double sum = 0; int n = 0;
        foreach (var v in x) if (double.IsFinite(v)) { sum += v; n++; }
        if (n == 0) return;
        double mean = sum / n, ss = 0;
        foreach (var v in x) if (double.IsFinite(v)) ss += (v - mean) * (v - mean);
        double sd = Math.Sqrt(ss / n);
        for (int i = 0; i < x.Length; i++)
            x[i] = double.IsFinite(x[i]) ? (sd > 0 ? (x[i] - mean) / sd : 0) : double.NaN;
    }
}
