using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Nsmt.Core;

namespace Nsmt.Plots;

/// <summary>
/// A self-contained HTML page: headings, paragraphs, tables, inline SVG figures, embedded PNG images and WAV
/// clips (data: URIs) and links, built in order and written atomically. Text is HTML-escaped; SVG and the
/// fragments given to <see cref="Html"/> are inserted as given. The page needs no scripts and no network, and its
/// style sheet keeps every element within the viewport (figures scale down, wide tables and preformatted text
/// scroll inside their own box), so it reads on a 1280 px desktop and a 390 px phone alike.
/// </summary>
public sealed partial class HtmlReport
{
    private const string ContentsMarker = "<!--nsmt:contents-->";
    private readonly StringBuilder _body = new();
    private readonly List<(string Id, string Text)> _sections = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private int _figures;

    public HtmlReport(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        Title = title;
        _ids.Add("contents"); // the table of contents' own heading
    }

    public string Title { get; }

    /// <summary>The level-2 headings so far (their anchor ids and text): what <see cref="Contents"/> lists.</summary>
    public IReadOnlyList<(string Id, string Text)> Sections => _sections;

    /// <summary>A heading with an anchor id (given, or made from the text and unique in the page).</summary>
    public HtmlReport Heading(string text, int level = 2, string? id = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 6);
        var anchor = UniqueId(id ?? text);
        if (level == 2)
        {
            _sections.Add((anchor, text));
        }

        _body.Append(CultureInfo.InvariantCulture, $"<h{level} id=\"{anchor}\">{Encode(text)}</h{level}>\n");
        return this;
    }

    /// <summary>
    /// The anchor id <see cref="Heading"/> gives a heading with this text or id: lower case letters, digits and
    /// dashes, so links can be written before the section exists.
    /// </summary>
    public static string Slug(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slug = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var result = slug.ToString().Trim('-');
        return result.Length == 0 ? "section" : result;
    }

    /// <summary>Marks where the table of contents (a link to every level-2 heading, as the page ends up) goes.</summary>
    public HtmlReport Contents()
    {
        _body.Append(ContentsMarker).Append('\n');
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
        return HtmlTable(
            header.Select(Encode).ToList(),
            rows.Select(r => (IReadOnlyList<string>)r.Select(c => Breakable(Encode(c))).ToList())
        );
    }

    /// <summary>
    /// Text with break opportunities after slashes and underscores (metric keys, paths), so a table column can
    /// narrow on a phone without breaking words at random. Dots are left alone: they are in numbers and in the
    /// names people search the page for (trial names, dotted config keys).
    /// </summary>
    public static string Breakable(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (double.TryParse(encoded, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            return encoded;
        }

        return encoded
            .Replace("/", "/<wbr>", StringComparison.Ordinal)
            .Replace("_", "_<wbr>", StringComparison.Ordinal);
    }

    /// <summary>A table whose cells are HTML fragments (links, emphasis), inserted as given.</summary>
    public HtmlReport HtmlTable(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        // The wrapper scrolls a table wider than the page inside itself rather than widening the page.
        _body.Append("<div class=\"scroll\"><table>\n<tr>");
        foreach (var cell in header)
        {
            _body.Append("<th>").Append(cell).Append("</th>");
        }

        _body.Append("</tr>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row)
            {
                _body.Append("<td>").Append(cell).Append("</td>");
            }

            _body.Append("</tr>\n");
        }

        _body.Append("</table></div>\n");
        return this;
    }

    /// <summary>Inserts an SVG document (e.g. <see cref="Figure.ToSvg"/>) with an optional caption.</summary>
    public HtmlReport Svg(string svg, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(svg);
        _body.Append("<figure>\n").Append(ScopeIds(svg, $"f{++_figures}-"));
        AppendCaption(caption);
        _body.Append("</figure>\n");
        return this;
    }

    /// <summary>Several SVG figures side by side that wrap onto new rows on a narrow screen.</summary>
    public HtmlReport SvgRow(IEnumerable<(string Svg, string? Caption)> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        _body.Append("<div class=\"row\">\n");
        foreach (var (svg, caption) in figures)
        {
            Svg(svg, caption);
        }

        _body.Append("</div>\n");
        return this;
    }

    /// <summary>A PNG embedded as a data URI.</summary>
    public HtmlReport Image(ReadOnlySpan<byte> png, string alt, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(alt);
        _body.Append("<figure>\n").Append(ImageTag(png, alt)).Append('\n');
        AppendCaption(caption);
        _body.Append("</figure>\n");
        return this;
    }

    /// <summary>An <c>img</c> element holding a PNG as a data URI (for <see cref="Html"/> fragments).</summary>
    public static string ImageTag(ReadOnlySpan<byte> png, string alt, string? cssClass = null) =>
        "<img"
        + (cssClass is null ? "" : $" class=\"{Encode(cssClass)}\"")
        + " alt=\""
        + Encode(alt)
        + "\" src=\"data:image/png;base64,"
        + Convert.ToBase64String(png)
        + "\">";

    /// <summary>An audio player for a WAV file embedded as a data URI, with its label above it.</summary>
    public HtmlReport Audio(ReadOnlySpan<byte> wav, string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        _body
            .Append("<figure class=\"clip\">\n<figcaption>")
            .Append(Encode(label))
            .Append("</figcaption>\n")
            .Append("<audio controls preload=\"auto\" src=\"data:audio/wav;base64,")
            .Append(Convert.ToBase64String(wav))
            .Append("\"></audio>\n</figure>\n");
        return this;
    }

    /// <summary>An HTML fragment inserted as given (the caller escapes its text, e.g. with <see cref="Encode"/>).</summary>
    public HtmlReport Html(string fragment)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        _body.Append(fragment).Append('\n');
        return this;
    }

    /// <summary>A link or image referring to another file by a path relative to the report.</summary>
    public HtmlReport Link(string href, string text)
    {
        _body.Append("<p><a href=\"").Append(Encode(href)).Append("\">").Append(Encode(text)).Append("</a></p>\n");
        return this;
    }

    public string ToHtml()
    {
        var body = _body.ToString();
        if (body.Contains(ContentsMarker, StringComparison.Ordinal))
        {
            var nav = new StringBuilder("<nav class=\"contents\"><h2 id=\"contents\">Contents</h2>\n<ol>\n");
            foreach (var (id, text) in _sections)
            {
                nav.Append("<li><a href=\"#").Append(id).Append("\">").Append(Encode(text)).Append("</a></li>\n");
            }

            body = body.Replace(ContentsMarker, nav.Append("</ol>\n</nav>").ToString(), StringComparison.Ordinal);
        }

        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
            + Encode(Title)
            + "</title>\n<style>\n"
            + Style
            + "</style>\n</head>\n<body>\n<h1>"
            + Encode(Title)
            + "</h1>\n"
            + body
            + "</body>\n</html>\n";
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());

    public static string Encode(string text) => WebUtility.HtmlEncode(text ?? string.Empty);

    // Figures carry fixed pixel sizes and a viewBox: max-width plus height:auto scales them down to the column
    // without distorting them. A word too long for its line (a path, a hash) breaks rather than widen the page;
    // break-word, unlike anywhere, leaves table columns their natural widths (a wide table scrolls in its box).
    private const string Style =
        "*{box-sizing:border-box}\n"
        + "body{font-family:DejaVu Sans,Arial,sans-serif;max-width:1100px;margin:0 auto;padding:16px;color:#222;line-height:1.4;overflow-wrap:break-word}\n"
        + "h1{margin-top:8px}h2{border-bottom:1px solid #ddd;padding-bottom:2px;margin-top:32px}\n"
        + "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}\n"
        + "th{background:#f2f2f2}.scroll{overflow-x:auto;max-width:100%}\n"
        + "figure{margin:12px 0;max-width:100%}figcaption{color:#555;font-size:90%}\n"
        + "svg,img{max-width:100%;height:auto;display:block}\n"
        + "pre{background:#f7f7f7;padding:8px;overflow-x:auto;max-width:100%;font-size:85%}\n"
        + ".row{display:flex;flex-wrap:wrap;gap:0 16px;align-items:flex-start}.row>figure{flex:1 1 360px;min-width:0}\n"
        + ".clip audio{width:100%;max-width:420px;display:block}\n"
        + ".sheet{display:grid;grid-template-columns:repeat(auto-fill,minmax(110px,1fr));gap:10px;margin:8px 0}\n"
        + ".sheet figure{margin:0}.sheet img{width:100%;image-rendering:pixelated}.sheet figcaption{font-size:80%}\n"
        + "td.num{white-space:nowrap;text-align:right}ul.verdicts{margin:4px 0}\n"
        + ".verdict{background:#eef5ee;border-left:4px solid #2ca02c;padding:8px 12px}.verdict.warn{background:#fdf3e7;border-left-color:#ff7f0e}\n"
        + "nav.contents ol{columns:2 280px;margin:4px 0}\n"
        + "@media (max-width:600px){body{padding:8px;font-size:15px}td,th{padding:2px 4px}}\n";

    /// <summary>
    /// The SVG with its ids (and the references to them: url(#id), href="#id") prefixed. Inline SVGs share the
    /// page's id space: every chart names its first clip path clip1, and a second chart's url(#clip1) would
    /// clip it with the first chart's rectangle.
    /// </summary>
    internal static string ScopeIds(string svg, string prefix)
    {
        svg = IdAttribute().Replace(svg, m => $"{m.Groups[1].Value}id=\"{prefix}{m.Groups[2].Value}\"");
        svg = UrlReference().Replace(svg, m => $"url(#{prefix}{m.Groups[1].Value})");
        return HrefReference().Replace(svg, m => $"{m.Groups[1].Value}=\"#{prefix}{m.Groups[2].Value}\"");
    }

    [GeneratedRegex("(\\s)id=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();

    [GeneratedRegex("url\\(#([^)]+)\\)")]
    private static partial Regex UrlReference();

    [GeneratedRegex("((?:xlink:)?href)=\"#([^\"]+)\"")]
    private static partial Regex HrefReference();

    private void AppendCaption(string? caption)
    {
        if (caption is not null)
        {
            _body.Append("<figcaption>").Append(Encode(caption)).Append("</figcaption>\n");
        }
    }

    private string UniqueId(string text)
    {
        string slug = Slug(text),
            id = slug;
        for (var n = 2; !_ids.Add(id); n++)
        {
            id = $"{slug}-{n.ToString(CultureInfo.InvariantCulture)}";
        }

        return id;
    }
}
