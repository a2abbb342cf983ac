using System.Net;
using System.Text;
using NiSharp.IO;
using NiSharp.Plotting;

namespace NiSharp.Reports;

/// <summary>A table for a report: column names and rows of cells (all text is escaped when written).</summary>
public sealed record ReportTable(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>A column whose cells are colours (<c>#rrggbb</c>), drawn as swatches.</summary>
    public int? SwatchColumn { get; init; }

    /// <summary>A column whose cells link to the page in <see cref="RowLinks"/> of their row.</summary>
    public int? LinkColumn { get; init; }

    /// <summary>Per row, the page its <see cref="LinkColumn"/> cell links to: a path relative to the page (null: no link).</summary>
    public IReadOnlyList<string?>? RowLinks { get; init; }
}

/// <summary>
/// A self-contained HTML page built section by section: headings, paragraphs, tables and figures, with
/// pictures embedded (PNG or SVG as base64 images, vector figures as inline SVG) so the single file can be mailed or
/// archived and opens without network access. Every text that comes from inputs (file names, label names, reasons) is
/// HTML-escaped; the builder never takes raw HTML.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder _body = new();
    private bool _inSection;

    /// <summary>The page title.</summary>
    public string Title { get; }

    /// <summary>Starts a page with <paramref name="title"/> as its title and first heading.</summary>
    public HtmlReport(string title)
    {
        Title = title;
        _body.Append("<h1>").Append(Escape(title)).Append("</h1>\n");
    }

    /// <summary>HTML-escapes text for element content and attribute values.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>Starts a new section with a heading (closing the previous one).</summary>
    public HtmlReport Section(string heading, string? id = null)
    {
        CloseSection();
        _body.Append("<section");
        if (id is not null) _body.Append(" id=\"").Append(Escape(id)).Append('"');
        _body.Append("><h2>").Append(Escape(heading)).Append("</h2>\n");
        _inSection = true;
        return this;
    }

    /// <summary>A paragraph of text.</summary>
    public HtmlReport Paragraph(string text, string? cssClass = null)
    {
        _body.Append("<p");
        if (cssClass is not null) _body.Append(" class=\"").Append(Escape(cssClass)).Append('"');
        _body.Append('>').Append(Escape(text)).Append("</p>\n");
        return this;
    }

    /// <summary>A highlighted problem (a failed subject, a missing input).</summary>
    public HtmlReport Warning(string text) => Paragraph(text, "warning");

    /// <summary>A note the reader must not miss, that is not an error (subjects above the motion limits kept, say).</summary>
    public HtmlReport Note(string text) => Paragraph(text, "note");

    /// <summary>A paragraph: <paramref name="before"/>, a link to another page of the output, <paramref name="after"/>.</summary>
    /// <param name="before">Text before the link.</param>
    /// <param name="text">The link's text.</param>
    /// <param name="href">A path relative to this page (<c>group/report.html</c>); anything else is refused.</param>
    /// <param name="after">Text after the link.</param>
    public HtmlReport LinkParagraph(string before, string text, string href, string after = "")
    {
        _body.Append("<p>").Append(Escape(before));
        AppendLink(text, href);
        _body.Append(Escape(after)).Append("</p>\n");
        return this;
    }

    /// <summary>A link to a page of the same output: a relative path, each segment percent-encoded.</summary>
    private void AppendLink(string text, string href)
    {
        // Only relative paths: no scheme (javascript:, http:), no absolute path.
        if (href.Length == 0 || href.Contains(':') || href.StartsWith('/'))
            throw new ArgumentException($"not a relative link: {href}", nameof(href));
        var encoded = string.Join('/', href.Split('/').Select(Uri.EscapeDataString));
        _body.Append("<a href=\"").Append(Escape(encoded)).Append("\">").Append(Escape(text)).Append("</a>");
    }

    /// <summary>A table; numeric-looking cells are right-aligned.</summary>
    public HtmlReport Table(ReportTable table, string? caption = null)
    {
        _body.Append("<table>");
        if (caption is not null) _body.Append("<caption>").Append(Escape(caption)).Append("</caption>");
        _body.Append("<thead><tr>");
        foreach (var c in table.Columns) _body.Append("<th>").Append(Escape(c)).Append("</th>");
        _body.Append("</tr></thead><tbody>\n");
        for (int r = 0; r < table.Rows.Count; r++)
        {
            var row = table.Rows[r];
            _body.Append("<tr>");
            for (int c = 0; c < row.Count; c++)
            {
                var cell = row[c];
                if (c == table.SwatchColumn && Atlases.Rgba.TryParseHex(cell, out var colour))
                {
                    _body.Append("<td class=\"nw\"><span class=\"swatch\" style=\"background:").Append(colour.Hex).Append("\"></span> ").Append(colour.Hex).Append("</td>");
                    continue;
                }
                bool num = TsvTable.TryParseNumber(cell, out _) && cell.Trim().Length > 0;
                // Short cells (an edge "44-46", a subject "sub-10165") never break at their hyphen.
                _body.Append(num ? "<td class=\"num\">" : cell.Length <= 20 ? "<td class=\"nw\">" : "<td>");
                if (c == table.LinkColumn && table.RowLinks is { } links && r < links.Count && links[r] is string href)
                    AppendLink(cell, href);
                else _body.Append(Escape(cell));
                _body.Append("</td>");
            }
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>Key–value pairs (parameters, provenance) as a two-column table.</summary>
    public HtmlReport KeyValues(IEnumerable<(string Key, string Value)> pairs, string? caption = null) =>
        Table(new ReportTable(["", ""], pairs.Select(p => (IReadOnlyList<string>)[p.Key, p.Value]).ToList()), caption);

    /// <summary>A figure embedded as a base64 PNG (default) or SVG image, with an optional caption.</summary>
    public HtmlReport Figure(Figure figure, string? caption = null, FigureFormat format = FigureFormat.Png)
    {
        string src = format == FigureFormat.Png
            ? "data:image/png;base64," + Convert.ToBase64String(figure.ToPng())
            : "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(figure.ToSvg()));
        _body.Append("<figure><img src=\"").Append(src).Append("\" width=\"").Append(figure.Width)
            .Append("\" height=\"").Append(figure.Height).Append("\" alt=\"").Append(Escape(caption ?? "figure")).Append("\">");
        return EndFigure(caption);
    }

    /// <summary>A vector figure (<see cref="SvgFigure"/>) written into the page as inline SVG (its text escaped by the
    /// figure; no script), with an optional caption: no second encoding, and its names are found by the browser's search.</summary>
    public HtmlReport Figure(SvgFigure figure, string? caption = null)
    {
        const string root = "<svg ";
        if (!figure.StartsWith(root)) throw new ArgumentException("not an SVG figure", nameof(figure));
        _body.Append("<figure>").Append(root).Append("role=\"img\" aria-label=\"").Append(Escape(caption ?? "figure")).Append("\" ");
        figure.AppendTo(_body, root.Length);
        return EndFigure(caption);
    }

    private HtmlReport EndFigure(string? caption)
    {
        if (caption is not null) _body.Append("<figcaption>").Append(Escape(caption)).Append("</figcaption>");
        _body.Append("</figure>\n");
        return this;
    }

    private void CloseSection()
    {
        if (_inSection) _body.Append("</section>\n");
        _inSection = false;
    }

    /// <summary>The whole page.</summary>
    public string ToHtml()
    {
        using var w = new StringWriter(new StringBuilder(_body.Length + 2048), System.Globalization.CultureInfo.InvariantCulture);
        Write(w);
        return w.ToString();
    }

    /// <summary>Writes the page (<see cref="ToHtml"/>) as UTF-8 without a byte-order mark straight into
    /// <paramref name="stream"/>: no copy of the whole page as one string or byte array (a participant process writes a
    /// page per atlas, and fresh memory is what a page costs most).</summary>
    public void WriteTo(Stream stream)
    {
        using var w = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 8192, leaveOpen: true);
        Write(w);
    }

    private void Write(TextWriter w)
    {
        w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        w.Write("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        w.Write("<meta name=\"generator\" content=\"NiSharp\">\n");
        w.Write("<title>");
        w.Write(Escape(Title));
        w.Write("</title>\n<style>\n");
        w.Write(Css);
        w.Write("</style>\n</head>\n<body>\n");
        w.Write(_body);
        if (_inSection) w.Write("</section>\n");
        w.Write("</body>\n</html>\n");
    }

    /// <summary>Writes the page atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllTextIfChanged(path, ToHtml());

    private const string Css = """
        body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
        h1 { font-size: 24px; border-bottom: 2px solid #ddd; padding-bottom: 6px; }
        h2 { font-size: 19px; margin-top: 28px; }
        table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
        th { background: #f2f2f2; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.nw { white-space: nowrap; }
        caption { text-align: left; font-weight: bold; padding: 4px 0; }
        figure { margin: 8px 0 20px; }
        figure img, figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { font-size: 13px; color: #555; }
        .warning { color: #a00; font-weight: bold; }
        p.caption { font-size: 13px; color: #555; margin-top: -8px; }
        .note { background: #fff4d6; border-left: 4px solid #e0a800; padding: 6px 10px; }
        .swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #888; vertical-align: middle; }

        """;
}
