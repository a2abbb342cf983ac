using NiSharp.IO;
using SkiaSharp;

namespace NiSharp.Plotting;

/// <summary>The file formats a <see cref="Figure"/> can be written as.</summary>
public enum FigureFormat
{
    /// <summary>Raster PNG (RGBA, 8 bits per channel).</summary>
    Png,
    /// <summary>Vector SVG (slice images inside it are embedded PNGs).</summary>
    Svg,
}

/// <summary>
/// A picture ready to be written: its size in pixels and how to paint it on a Skia canvas. The same
/// painting produces the PNG (raster surface) and the SVG (Skia's SVG canvas), so both show the same thing.
/// </summary>
public class Figure
{
    private readonly Action<SKCanvas> _paint;

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Builds a figure of the given size from a painting function (called once per output).</summary>
    public Figure(int width, int height, Action<SKCanvas> paint)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "a figure needs a positive size");
        Width = width;
        Height = height;
        _paint = paint;
    }

    /// <summary>Paints the figure on <paramref name="canvas"/> (whose origin is the figure's top-left corner).</summary>
    public void Paint(SKCanvas canvas) => _paint(canvas);

    /// <summary>Renders to a raster bitmap (the caller disposes it).</summary>
    public SKBitmap ToBitmap()
    {
        var bmp = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bmp);
        canvas.Clear(SKColors.White);
        _paint(canvas);
        canvas.Flush();
        return bmp;
    }

    private static readonly SKPngEncoderOptions PngOptions = new(SKPngEncoderFilterFlags.Up, zLibLevel: 6);

    /// <summary>The figure as PNG bytes.</summary>
    public byte[] ToPng()
    {
        using var bmp = ToBitmap();
        using var pixels = bmp.PeekPixels() ?? throw new InvalidOperationException("a raster bitmap without pixels");
        // One filter (Up) instead of libpng's per-row trial of all five: the same size for plots and slices at zlib's
        // default level, in about 40% of the encoding time — the encoder was a tenth of a one-subject run's CPU.
        using var data = pixels.Encode(PngOptions) ?? throw new InvalidOperationException("the PNG encoder failed");
        return data.ToArray();
    }

    /// <summary>The figure as an SVG document.</summary>
    public string ToSvg()
    {
        using var ms = new MemoryStream();
        using (var skStream = new SKManagedWStream(ms))
        {
            using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), skStream))
            {
                using var bg = new SKPaint { Color = SKColors.White };
                canvas.DrawRect(0, 0, Width, Height, bg);
                _paint(canvas);
            }
            skStream.Flush();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>The format implied by a file name (<c>.png</c> or <c>.svg</c>, any case).</summary>
    public static FigureFormat FormatOf(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".png" => FigureFormat.Png,
            ".svg" => FigureFormat.Svg,
            _ => throw new NiSharpException(path, $"unknown picture format '{ext}': use .png or .svg"),
        };
    }

    /// <summary>Writes the figure atomically as PNG or SVG, chosen by the extension of <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        var format = FormatOf(path);
        if (format == FigureFormat.Png)
        {
            var bytes = ToPng();
            AtomicFile.Write(path, s => s.Write(bytes));
        }
        else
        {
            AtomicFile.WriteAllText(path, ToSvg());
        }
    }
}
