using Nsmt.Core;
using System.Globalization;
using System.Net;
using System.Text;

namespace Nsmt.Plots;

/// <summary>
/// A self-contained HTML page: headings, paragraphs, tables, inline SVG figures and links,
/// built in order and written atomically. Text is HTML-escaped; SVG is inserted as given.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder _body = new();

    public HtmlReport(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        Title = title;
    }

    public string Title { get; }

    public HtmlReport Heading(string text, int level = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 6);
        _body.Append(CultureInfo.InvariantCulture, $"<h{level}>{Encode(text)}</h{level}>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(Encode(text)).Append("</p>\n");
        return this;
    }

    public HtmlReport Preformatted(string text)
    {
        _body.Append("<pre>").Append(Encode(text)).Append("</pre>\n");
        return this;
    }

    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        _body.Append("<table>\n<tr>");
        foreach (string cell in header)
        {
            _body.Append("<th>").Append(Encode(cell)).Append("</th>");
        }

        _body.Append("</tr>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (string cell in row)
            {
                _body.Append("<td>").Append(Encode(cell)).Append("</td>");
            }

            _body.Append("</tr>\n");
        }

        _body.Append("</table>\n");
        return this;
    }

    /// <summary>Inserts an SVG document (e.g. <see cref="Figure.ToSvg"/>) with an optional caption.</summary>
    public HtmlReport Svg(string svg, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(svg);
        _body.Append("<figure>\n").Append(svg);
        if (caption is not null)
        {
            _body.Append("<figcaption>").Append(Encode(caption)).Append("</figcaption>\n");
        }

        _body.Append("</figure>\n");
        return this;
    }

    /// <summary>A link or image referring to another file by a path relative to the report.</summary>
    public HtmlReport Link(string href, string text)
    {
        _body.Append("<p><a href=\"").Append(Encode(href)).Append("\">").Append(Encode(text)).Append("</a></p>\n");
        return this;
    }

    public string ToHtml() =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + Encode(Title) + "</title>\n<style>\n"
        + "body{font-family:DejaVu Sans,Arial,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}\n"
        + "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}\n"
        + "th{background:#f2f2f2}figure{margin:12px 0}figcaption{color:#555;font-size:90%}pre{background:#f7f7f7;padding:8px}\n"
        + "</style>\n</head>\n<body>\n<h1>" + Encode(Title) + "</h1>\n" + _body + "</body>\n</html>\n";

    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());

    private static string Encode(string text) => WebUtility.HtmlEncode(text ?? string.Empty);
}
