using SkiaSharp;

namespace NiSharp.Plotting;

/// <summary>Text on figures: one sans-serif typeface (DejaVu Sans when installed, else Skia's default).</summary>
internal static class FigureText
{
    /// <summary>The family ScottPlot and our own drawing use, so all figures look alike.</summary>
    public static string FamilyName => Faces.Family;

    // Resolved on first use, not when the class is touched: vector figures use this class's text rules without
    // starting the font engine.
    private static class Faces
    {
        public static readonly string Family = ResolveFamily();
        public static readonly SKTypeface Regular = SKTypeface.FromFamilyName(Family) ?? SKTypeface.Default;
        public static readonly SKTypeface Bold = SKTypeface.FromFamilyName(Family, SKFontStyle.Bold) ?? Regular;
    }

    private static string ResolveFamily()
    {
        foreach (var name in new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica" })
        {
            using var tf = SKTypeface.FromFamilyName(name);
            if (tf is not null && string.Equals(tf.FamilyName, name, StringComparison.OrdinalIgnoreCase)) return name;
        }
        return SKTypeface.Default.FamilyName;
    }

    public static SKFont Font(float size, bool bold = false) => new(bold ? Faces.Bold : Faces.Regular, size);

    /// <summary>The longest text a label on a figure shows (characters); longer ones end in an ellipsis. A figure's
    /// size follows its longest label, and a name of thousands of characters would ask for an impossible picture.</summary>
    public const int MaxLabelChars = 60;

    /// <summary><paramref name="text"/>, cut to <see cref="MaxLabelChars"/> with an ellipsis when longer.</summary>
    public static string Shorten(string text) => text.Length <= MaxLabelChars ? text : string.Concat(text.AsSpan(0, MaxLabelChars - 1), "…");

    /// <summary>The width of <paramref name="text"/> in DejaVu Sans without a font engine (vector figures, whose text the
    /// browser sets): per-character advances rounded from the font's metrics, a little generous for other fonts.</summary>
    public static float Estimate(string text, float size, bool bold = false)
    {
        double em = 0;
        foreach (char ch in text)
            em += ch switch
            {
                ' ' or '.' or ',' or ':' or ';' or '!' or '\'' or '|' or 'i' or 'j' or 'l' or 'I' => 0.32,
                'f' or 't' or 'r' or '(' or ')' or '[' or ']' or '-' or '/' => 0.42,
                'm' or 'w' or 'M' or 'W' or '%' or '…' => 0.92,
                >= 'A' and <= 'Z' => 0.72,
                _ => 0.62,
            };
        return (float)(em * size * (bold ? 1.08 : 1.0));
    }

    public static float Measure(string text, float size, bool bold = false)
    {
        using var f = Font(size, bold);
        return f.MeasureText(text);
    }

    /// <summary>Draws <paramref name="text"/> with its baseline at <paramref name="y"/>.</summary>
    public static void Draw(SKCanvas canvas, string text, float x, float y, float size, SKColor color,
        SKTextAlign align = SKTextAlign.Left, bool bold = false)
    {
        using var font = Font(size, bold);
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawText(text, x, y, align, font, paint);
    }

    /// <summary>Applies the figure typeface to a ScottPlot plot.</summary>
    public static void Apply(ScottPlot.Plot plot) => plot.Font.Set(FamilyName);
}
