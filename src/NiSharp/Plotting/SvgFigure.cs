using System.Globalization;
using System.Text;
using NiSharp.IO;
using SkiaSharp;

namespace NiSharp.Plotting;

/// <summary>
/// A vector figure for the HTML pages: SVG markup written directly, its pictures (slices at their voxel size, a heatmap at
/// one pixel per cell) embedded as small PNGs. The browser draws it, sharp at any zoom, and making it needs no raster
/// engine — a subject's page costs milliseconds instead of most of a one-subject process (issue #23). The PNG figures
/// (<see cref="Figure"/>) stay for files and the <c>plot</c> commands.
/// </summary>
public sealed class SvgFigure
{
    /// <summary>Width in CSS pixels.</summary>
    public int Width { get; }

    /// <summary>Height in CSS pixels.</summary>
    public int Height { get; }

    private readonly StringBuilder _markup;
    private string? _text;

    /// <summary>The whole SVG document.</summary>
    public string Markup => _text ??= _markup.ToString();

    internal SvgFigure(int width, int height, StringBuilder markup)
    {
        Width = width;
        Height = height;
        _markup = markup;
    }

    /// <summary>Whether the markup starts with <paramref name="prefix"/>.</summary>
    internal bool StartsWith(string prefix)
    {
        if (_markup.Length < prefix.Length) return false;
        for (int i = 0; i < prefix.Length; i++)
            if (_markup[i] != prefix[i]) return false;
        return true;
    }

    /// <summary>Appends the markup from character <paramref name="start"/> on to <paramref name="destination"/>, from the
    /// figure's own builder: a page takes its figures without a copy of each as a string.</summary>
    internal void AppendTo(StringBuilder destination, int start) => destination.Append(_markup, start, _markup.Length - start);

    /// <summary>Writes the SVG atomically; <paramref name="path"/> must end in <c>.svg</c>.</summary>
    public void Save(string path)
    {
        if (Figure.FormatOf(path) != FigureFormat.Svg) throw new NiSharpException(path, "a vector figure is written as .svg");
        AtomicFile.WriteAllText(path, Markup);
    }
}

/// <summary>Writes SVG elements: numbers in invariant culture with two decimals at most, every text escaped.</summary>
internal sealed class SvgWriter
{
    /// <summary>The text family of the figures (the pages' own family first).</summary>
    public const string FontFamily = "DejaVu Sans, Arial, Helvetica, sans-serif";

    private readonly StringBuilder _sb = new(16 * 1024);
    private readonly int _width, _height;

    public SvgWriter(int width, int height, SKColor background)
    {
        _width = width;
        _height = height;
        _sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(width).Append("\" height=\"").Append(height)
           .Append("\" viewBox=\"0 0 ").Append(width).Append(' ').Append(height).Append("\" font-family=\"").Append(FontFamily).Append("\">\n");
        Rect(0, 0, width, height, background);
    }

    public static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    public static string Colour(SKColor c) => new Atlases.Rgba(c.Red, c.Green, c.Blue).Hex;

    private void Fill(string attribute, SKColor c)
    {
        Atlases.Rgba.AppendHex(_sb.Append(' ').Append(attribute).Append("=\""), c.Red, c.Green, c.Blue).Append('"');
        if (c.Alpha != 255) _sb.Append(' ').Append(attribute).Append("-opacity=\"").AppendNumber(c.Alpha / 255.0).Append('"');
    }

    public static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? "";

    public void Rect(double x, double y, double w, double h, SKColor fill, SKColor? stroke = null, double strokeWidth = 1)
    {
        _sb.Append("<rect x=\"").AppendNumber(x).Append("\" y=\"").AppendNumber(y).Append("\" width=\"").AppendNumber(w).Append("\" height=\"").AppendNumber(h).Append('"');
        if (fill.Alpha == 0) _sb.Append(" fill=\"none\"");
        else Fill("fill", fill);
        if (stroke is { } s) { Fill("stroke", s); _sb.Append(" stroke-width=\"").AppendNumber(strokeWidth).Append('"'); }
        _sb.Append("/>\n");
    }

    public void Line(double x1, double y1, double x2, double y2, SKColor stroke, double width = 1, string? dash = null)
    {
        _sb.Append("<line x1=\"").AppendNumber(x1).Append("\" y1=\"").AppendNumber(y1).Append("\" x2=\"").AppendNumber(x2).Append("\" y2=\"").AppendNumber(y2).Append('"');
        Fill("stroke", stroke);
        _sb.Append(" stroke-width=\"").AppendNumber(width).Append('"');
        if (dash is not null) _sb.Append(" stroke-dasharray=\"").Append(dash).Append('"');
        _sb.Append("/>\n");
    }

    /// <summary>A line through the points, broken where a value is not finite.</summary>
    public void Polyline(IReadOnlyList<(double X, double Y)> points, SKColor stroke, double width = 1)
    {
        int i = 0;
        while (i < points.Count)
        {
            while (i < points.Count && !(double.IsFinite(points[i].X) && double.IsFinite(points[i].Y))) i++;
            int start = i;
            while (i < points.Count && double.IsFinite(points[i].X) && double.IsFinite(points[i].Y)) i++;
            if (i - start == 0) break;
            _sb.Append("<polyline fill=\"none\"");
            Fill("stroke", stroke);
            _sb.Append(" stroke-width=\"").AppendNumber(width).Append("\" stroke-linejoin=\"round\" points=\"");
            for (int k = start; k < i; k++) _sb.AppendNumber(points[k].X).Append(',').AppendNumber(points[k].Y).Append(k + 1 < i ? " " : "");
            _sb.Append("\"/>\n");
        }
    }

    /// <summary>Text with its baseline at <paramref name="y"/>; <paramref name="anchor"/>: start, middle or end;
    /// <paramref name="rotate"/>: degrees clockwise about (x, y).</summary>
    public void Text(double x, double y, string text, double size, SKColor fill, string anchor = "start", bool bold = false, double rotate = 0)
    {
        _sb.Append("<text x=\"").AppendNumber(x).Append("\" y=\"").AppendNumber(y).Append("\" font-size=\"").AppendNumber(size).Append('"');
        Fill("fill", fill);
        if (anchor != "start") _sb.Append(" text-anchor=\"").Append(anchor).Append('"');
        if (bold) _sb.Append(" font-weight=\"bold\"");
        if (rotate != 0) _sb.Append(" transform=\"rotate(").AppendNumber(rotate).Append(' ').AppendNumber(x).Append(' ').AppendNumber(y).Append(")\"");
        _sb.Append('>').Append(Escape(text)).Append("</text>\n");
    }

    /// <summary>The picture of <paramref name="width"/> × <paramref name="height"/> colours (<see cref="PngImage"/>) stretched
    /// over the rectangle; <paramref name="pixelated"/>: each pixel a sharp block (cells, voxels).</summary>
    public void Image(double x, double y, double w, double h, ReadOnlySpan<SKColor> pixels, int width, int height, bool pixelated)
    {
        _sb.Append("<image x=\"").AppendNumber(x).Append("\" y=\"").AppendNumber(y).Append("\" width=\"").AppendNumber(w).Append("\" height=\"").AppendNumber(h)
           .Append("\" preserveAspectRatio=\"none\"");
        if (pixelated) _sb.Append(" image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\"");
        var png = t_png ??= new MemoryStream();
        png.SetLength(0);
        PngImage.Encode(pixels, width, height, png);
        _sb.Append(" href=\"data:image/png;base64,");
        AppendBase64(png.GetBuffer().AsSpan(0, (int)png.Length));
        _sb.Append("\"/>\n");
    }

    // This thread's PNG, reused from one picture to the next (each is base64-copied into the markup at once).
    [ThreadStatic] private static MemoryStream? t_png;

    /// <summary>Appends <paramref name="bytes"/> in base64 (as <see cref="Convert.ToBase64String(byte[])"/> spells it) through a
    /// small buffer, 3 bytes to 4 characters: no base64 string of the whole picture.</summary>
    private void AppendBase64(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[4096];
        const int block = 4096 / 4 * 3;
        while (bytes.Length > 0)
        {
            var part = bytes[..Math.Min(block, bytes.Length)];
            if (!Convert.TryToBase64Chars(part, chars, out int written)) throw new InvalidOperationException("base64 buffer too small");
            _sb.Append(chars[..written]);
            bytes = bytes[part.Length..];
        }
    }

    /// <summary>Round tick values (1, 2 or 5 times a power of ten apart) inside [lo, hi], about <paramref name="count"/> of them.</summary>
    public static IReadOnlyList<double> Ticks(double lo, double hi, int count)
    {
        if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi)) return [];
        double raw = (hi - lo) / Math.Max(1, count);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        var ticks = new List<double>();
        for (double v = Math.Ceiling(lo / step) * step; v <= hi + step * 1e-9; v += step)
            ticks.Add(Math.Abs(v) < step * 1e-9 ? 0 : Math.Round(v / step) * step);
        return ticks;
    }

    public SvgFigure Finish() => new(_width, _height, _sb.Append("</svg>\n"));
}

/// <summary>SVG numbers written straight into the markup.</summary>
internal static class SvgNumbers
{
    /// <summary>Appends <see cref="SvgWriter.N"/> of <paramref name="v"/> without a string of it: whole numbers (most
    /// coordinates) as integers, which is what <c>0.##</c> writes for them, the rest through a stack buffer.</summary>
    public static StringBuilder AppendNumber(this StringBuilder sb, double v)
    {
        double r = Math.Round(v, 2);
        if (r == Math.Truncate(r) && Math.Abs(r) < 1e15 && !(r == 0 && double.IsNegative(r))) return sb.Append((long)r);
        Span<char> chars = stackalloc char[64];
        return r.TryFormat(chars, out int n, "0.##", CultureInfo.InvariantCulture) ? sb.Append(chars[..n]) : sb.Append(SvgWriter.N(v));
    }
}
