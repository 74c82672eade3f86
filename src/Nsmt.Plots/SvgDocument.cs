using System.Globalization;
using System.Text;
using Nsmt.Core;

namespace Nsmt.Plots;

public enum TextAnchor
{
    Start,
    Middle,
    End,
}

/// <summary>
/// A minimal SVG writer: shapes, text and embedded PNG images in user units (pixels), with
/// coordinates written with two decimals so files stay small and identical across machines.
/// </summary>
public sealed class SvgDocument
{
    private readonly StringBuilder _body = new();
    private int _clipCount;

    public SvgDocument(double width, double height)
    {
        if (!(width > 0 && height > 0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(width),
                $"an SVG needs a positive size, got {width} x {height}"
            );
        }

        Width = width;
        Height = height;
    }

    public double Width { get; }

    public double Height { get; }

    public string FontFamily { get; init; } = "DejaVu Sans, Arial, sans-serif";

    public void Rect(
        double x,
        double y,
        double width,
        double height,
        string fill,
        string? stroke = null,
        double strokeWidth = 1,
        string? tooltip = null
    )
    {
        _body
            .Append("<rect x=\"")
            .Append(N(x))
            .Append("\" y=\"")
            .Append(N(y))
            .Append("\" width=\"")
            .Append(N(Math.Max(0, width)))
            .Append("\" height=\"")
            .Append(N(Math.Max(0, height)))
            .Append("\" fill=\"")
            .Append(Escape(fill))
            .Append('"');
        AppendStroke(stroke, strokeWidth);
        if (tooltip is null)
        {
            _body.Append("/>\n");
        }
        else
        {
            _body.Append("><title>").Append(Escape(tooltip)).Append("</title></rect>\n");
        }
    }

    public void Line(
        double x1,
        double y1,
        double x2,
        double y2,
        string stroke,
        double strokeWidth = 1,
        string? dash = null
    )
    {
        _body
            .Append("<line x1=\"")
            .Append(N(x1))
            .Append("\" y1=\"")
            .Append(N(y1))
            .Append("\" x2=\"")
            .Append(N(x2))
            .Append("\" y2=\"")
            .Append(N(y2))
            .Append('"');
        AppendStroke(stroke, strokeWidth, dash);
        _body.Append("/>\n");
    }

    /// <summary>An open polyline through the points (x[i], y[i]); needs at least two points.</summary>
    public void Polyline(
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        string stroke,
        double strokeWidth = 1,
        string? dash = null
    )
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"polyline has {x.Length} x values but {y.Length} y values");
        }

        if (x.Length < 2)
        {
            return;
        }

        _body.Append("<polyline fill=\"none\" points=\"");
        for (var i = 0; i < x.Length; i++)
        {
            if (i > 0)
            {
                _body.Append(' ');
            }

            _body.Append(N(x[i])).Append(',').Append(N(y[i]));
        }

        _body.Append('"');
        AppendStroke(stroke, strokeWidth, dash);
        _body.Append(" stroke-linejoin=\"round\"/>\n");
    }

    public void Circle(double cx, double cy, double r, string fill)
    {
        _body
            .Append("<circle cx=\"")
            .Append(N(cx))
            .Append("\" cy=\"")
            .Append(N(cy))
            .Append("\" r=\"")
            .Append(N(r))
            .Append("\" fill=\"")
            .Append(Escape(fill))
            .Append("\"/>\n");
    }

    public void Text(
        double x,
        double y,
        string text,
        double size = 12,
        TextAnchor anchor = TextAnchor.Start,
        string fill = "#222222",
        double rotateDegrees = 0,
        bool bold = false
    )
    {
        ArgumentNullException.ThrowIfNull(text);
        _body
            .Append("<text x=\"")
            .Append(N(x))
            .Append("\" y=\"")
            .Append(N(y))
            .Append("\" font-size=\"")
            .Append(N(size))
            .Append('"');
        if (anchor != TextAnchor.Start)
        {
            _body.Append(" text-anchor=\"").Append(anchor == TextAnchor.Middle ? "middle" : "end").Append('"');
        }

        if (fill != "#222222")
        {
            _body.Append(" fill=\"").Append(Escape(fill)).Append('"');
        }

        if (bold)
        {
            _body.Append(" font-weight=\"bold\"");
        }

        if (rotateDegrees != 0)
        {
            _body
                .Append(" transform=\"rotate(")
                .Append(N(rotateDegrees))
                .Append(' ')
                .Append(N(x))
                .Append(' ')
                .Append(N(y))
                .Append(")\"");
        }

        _body.Append('>').Append(Escape(text)).Append("</text>\n");
    }

    /// <summary>
    /// The font size, at most <paramref name="size"/>, at which <paramref name="text"/> fits in <paramref name="width"/>
    /// pixels. SVG text does not wrap and a centred title wider than its figure is cut at both edges, so titles
    /// shrink instead. The width is estimated (DejaVu Sans averages about 0.6 em per character, bold 0.66) because
    /// no font metrics are at hand when the SVG is written; the estimate errs on the wide side.
    /// </summary>
    public static double FitFontSize(string text, double size, double width, bool bold = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var perEm = (bold ? 0.66 : 0.6) * Math.Max(1, text.Length);
        return Math.Max(7, Math.Min(size, (width - 8) / perEm));
    }

    /// <summary>Embeds a PNG as a data URI, stretched to the rectangle without smoothing.</summary>
    public void Image(double x, double y, double width, double height, ReadOnlySpan<byte> png)
    {
        _body
            .Append("<image x=\"")
            .Append(N(x))
            .Append("\" y=\"")
            .Append(N(y))
            .Append("\" width=\"")
            .Append(N(width))
            .Append("\" height=\"")
            .Append(N(height))
            .Append("\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(png))
            .Append("\"/>\n");
    }

    /// <summary>Starts a group clipped to a rectangle; close it with <see cref="EndGroup"/>.</summary>
    public void BeginClip(double x, double y, double width, double height)
    {
        var id = $"clip{++_clipCount}";
        _body
            .Append("<clipPath id=\"")
            .Append(id)
            .Append("\"><rect x=\"")
            .Append(N(x))
            .Append("\" y=\"")
            .Append(N(y))
            .Append("\" width=\"")
            .Append(N(width))
            .Append("\" height=\"")
            .Append(N(height))
            .Append("\"/></clipPath>\n")
            .Append("<g clip-path=\"url(#")
            .Append(id)
            .Append(")\">\n");
    }

    public void EndGroup() => _body.Append("</g>\n");

    public string ToSvg()
    {
        var svg = new StringBuilder(_body.Length + 512);
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
            .Append(N(Width))
            .Append("\" height=\"")
            .Append(N(Height))
            .Append("\" viewBox=\"0 0 ")
            .Append(N(Width))
            .Append(' ')
            .Append(N(Height))
            .Append("\" font-family=\"")
            .Append(Escape(FontFamily))
            .Append("\">\n")
            .Append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
            .Append(_body)
            .Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Writes the SVG atomically (a reader never sees half a file).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToSvg());

    /// <summary>XML-escapes text and attribute values.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&':
                    result.Append("&amp;");
                    break;
                case '<':
                    result.Append("&lt;");
                    break;
                case '>':
                    result.Append("&gt;");
                    break;
                case '"':
                    result.Append("&quot;");
                    break;
                case '\'':
                    result.Append("&apos;");
                    break;
                default:
                    // Control characters are not allowed in XML 1.0; drop them rather than write an invalid file.
                    if (c >= ' ' || c is '\t' or '\n' or '\r')
                    {
                        result.Append(c);
                    }

                    break;
            }
        }

        return result.ToString();
    }

    internal static string N(double value) =>
        double.IsFinite(value) ? Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture) : "0";

    private void AppendStroke(string? stroke, double strokeWidth, string? dash = null)
    {
        if (stroke is null)
        {
            return;
        }

        _body
            .Append(" stroke=\"")
            .Append(Escape(stroke))
            .Append("\" stroke-width=\"")
            .Append(N(strokeWidth))
            .Append('"');
        if (dash is not null)
        {
            _body.Append(" stroke-dasharray=\"").Append(Escape(dash)).Append('"');
        }
    }
}
