using System.Globalization;
using System.Xml.Linq;

namespace Nsmt.Plots.Tests;

/// <summary>What keeps the report readable: titles that fit their figure, bar charts, anchors, breakable table cells.</summary>
public sealed class ReportLayoutTests
{
    [Fact]
    public void A_title_wider_than_its_figure_shrinks_to_fit_and_a_short_one_keeps_its_size()
    {
        const string title = "note_velocity: confusion matrix (rows: true, columns: predicted)";
        var size = SvgDocument.FitFontSize(title, 16, 440, bold: true);
        Assert.True(size < 16 && title.Length * 0.66 * size <= 440 - 8 + 1e-9, $"size {size}");
        Assert.Equal(16, SvgDocument.FitFontSize("Loss", 16, 440, bold: true));

        var svg = new Figure(1, 440, 320) { Title = title }
            .Add(new Heatmap([1, 0, 0, 1], 2, 2))
            .ToSvg();
        var text = XDocument.Parse(svg).Descendants().First(e => e.Name.LocalName == "text" && e.Value == title);
        Assert.Equal(size, double.Parse(text.Attribute("font-size")!.Value, CultureInfo.InvariantCulture), 2);
    }

    [Fact]
    public void A_bar_chart_draws_a_bar_per_value_and_thins_crowded_labels()
    {
        var categories = Enumerable
            .Range(0, 24)
            .Select(i => (-2 + (i * 0.1)).ToString("0.0", CultureInfo.InvariantCulture))
            .ToList();
        var chart = new BarChart(categories) { Title = "samples per class" }
            .Add("train", Enumerable.Range(0, 24).Select(i => (double)(i % 5)).ToArray())
            .Add("test", Enumerable.Range(0, 24).Select(_ => 1.0).ToArray());
        var doc = XDocument.Parse(chart.ToSvg(360, 240));

        var bars = doc.Descendants()
            .Count(e => e.Name.LocalName == "rect" && e.Elements().Any(t => t.Name.LocalName == "title"));
        Assert.Equal(24 - 5 + 24, bars); // zero counts draw nothing
        var labels = doc.Descendants()
            .Where(e => e.Name.LocalName == "text")
            .Select(e => e.Value)
            .Where(categories.Contains)
            .ToList();
        Assert.True(labels.Count is > 2 and < 24, $"{labels.Count} category labels on a 360 px axis");
        Assert.Throws<ArgumentException>(() => chart.Add("short", [1.0]));
    }

    [Fact]
    public void Headings_get_unique_anchors_and_the_contents_list_them()
    {
        var report = new HtmlReport("t")
            .Heading("Summary")
            .Contents()
            .Heading("Run a.b")
            .Heading("Run a.b")
            .Heading("detail", 3);
        var html = report.ToHtml();

        Assert.Contains("<h2 id=\"run-a-b\">", html);
        Assert.Contains("<h2 id=\"run-a-b-2\">", html);
        Assert.Contains("<li><a href=\"#run-a-b-2\">Run a.b</a></li>", html);
        Assert.DoesNotContain("<li><a href=\"#detail\">", html); // level 3 stays out of the contents
        Assert.DoesNotContain("nsmt:contents", html);
        Assert.Contains("name=\"viewport\"", html);
    }

    [Fact]
    public void Table_cells_break_after_underscores_and_slashes_but_numbers_and_dots_stay_whole()
    {
        Assert.Equal("heads.note_<wbr>velocity", HtmlReport.Breakable("heads.note_velocity"));
        Assert.Equal("a/<wbr>b", HtmlReport.Breakable("a/b"));
        Assert.Equal("1.5e-3", HtmlReport.Breakable("1.5e-3"));
    }

    [Fact]
    public void Each_inline_figure_keeps_its_own_clip_path()
    {
        var chart = new LineChart().Add("a", [0, 1], [0, 1]).ToSvg(300, 200);
        Assert.Contains("url(#clip1)", chart);
        var html = new HtmlReport("t").Svg(chart).Svg(chart).ToHtml();

        Assert.Contains("<clipPath id=\"f1-clip1\">", html);
        Assert.Contains("url(#f2-clip1)", html);
        Assert.DoesNotContain("url(#clip1)", html);
        Assert.Equal(
            "<a xlink:href=\"#f3-n\"/><image href=\"data:x\"/><g id=\"f3-n\"/>",
            HtmlReport.ScopeIds("<a xlink:href=\"#n\"/><image href=\"data:x\"/><g id=\"n\"/>", "f3-")
        );
    }

    [Fact]
    public void The_legend_goes_to_the_corner_where_it_hides_the_least_data()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        (double X, double Y) Legend(double[] y)
        {
            var doc = XDocument.Parse(
                new LineChart()
                    .Add("val/accuracy_of_a_head", x, y)
                    .Add("train/accuracy_of_a_head", x, [.. y.Select(v => v - 0.02)])
                    .ToSvg(520, 300)
            );
            var box = doc.Descendants()
                .Single(e =>
                    e.Name.LocalName == "rect"
                    && (string?)e.Attribute("fill") == "white"
                    && (string?)e.Attribute("stroke") == "#cccccc"
                );
            return (
                double.Parse(box.Attribute("x")!.Value, CultureInfo.InvariantCulture),
                double.Parse(box.Attribute("y")!.Value, CultureInfo.InvariantCulture)
            );
        }

        var falling = Legend([.. x.Select(v => 1 / v)]); // a loss: the top right is free
        var rising = Legend([.. x.Select(v => 1 - (1 / v))]); // an accuracy: it climbs into the top right
        Assert.True(falling.X > 260 && falling.Y < 60, $"falling: {falling}");
        Assert.True(rising.Y > 150, $"rising: the legend should leave the top, found it at {rising}");
    }

    [Fact]
    public void Images_and_clips_are_embedded_as_data()
    {
        var png = PngEncoder.EncodeRgb(1, 1, [255, 0, 0]);
        var html = new HtmlReport("t").Image(png, "red <dot>").Audio([82, 73, 70, 70], "DI & amp").ToHtml();

        Assert.Contains("alt=\"red &lt;dot&gt;\" src=\"data:image/png;base64,", html);
        Assert.Contains("<audio controls preload=\"auto\" src=\"data:audio/wav;base64,UklGRg==\">", html);
        Assert.Contains("<figcaption>DI &amp; amp</figcaption>", html);
    }
}
