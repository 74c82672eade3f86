using System.Globalization;
using System.Xml.Linq;

namespace Nsmt.Plots.Tests;

/// <summary>Charts render to well-formed SVG, escape text, and stay small for long series.</summary>
public sealed class ChartTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-plots-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Line_chart_is_well_formed_and_escapes_text()
    {
        var chart = new LineChart
        {
            Title = "ESR < 0.01 & \"great\"",
            XLabel = "epoch",
            YLabel = "loss",
            YScale = AxisScale.Log,
        }
            .Add("train <a>", [1, 2, 3], [0.1, 0.01, 0.001], markers: true)
            .Add("validation", [1, 2, 3], [0.2, double.NaN, 0.002])
            .AddReferenceLine(0.01, "great");

        var document = XDocument.Parse(chart.ToSvg(640, 320));

        Assert.Equal(Svg + "svg", document.Root!.Name);
        var texts = document.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("ESR < 0.01 & \"great\"", texts);
        Assert.Contains("train <a>", texts);
        // The NaN splits the validation line: no polyline joins its two finite points.
        Assert.Single(document.Descendants(Svg + "polyline"));
        Assert.Equal(3, document.Descendants(Svg + "circle").Count());
    }

    [Fact]
    public void Long_series_are_reduced_to_pixel_extremes_without_losing_a_spike()
    {
        var n = 200_000;
        var x = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var y = x.Select(i => Math.Sin(i / 1000.0)).ToArray();
        y[123_457] = 5; // a one-sample spike

        var svg = new LineChart { YMin = -6, YMax = 6 }
            .Add("signal", x, y)
            .ToSvg(800, 300);
        var points = XDocument.Parse(svg).Descendants(Svg + "polyline").Single().Attribute("points")!.Value.Split(' ');

        Assert.InRange(points.Length, 800, 4 * 800);
        var spikeY = points.Select(p => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture)).Min();
        Assert.True(spikeY < 40, $"the spike should reach near the top of the plot, lowest y {spikeY}");
        Assert.True(svg.Length < 100_000, $"{svg.Length} characters");
    }

    [Fact]
    public void Small_heatmap_draws_cells_with_values_and_labels()
    {
        var confusion = new Heatmap([5, 1, 0, 7], 2, 2)
        {
            Title = "Confusion matrix",
            RowLabels = ["saw", "square"],
            ColumnLabels = ["saw", "square"],
            ShowValues = true,
            Colormap = Colormap.Blues,
            ValueFormat = "0",
        };

        var document = XDocument.Parse(confusion.ToSvg(400, 360));

        Assert.False(confusion.UsesPng);
        Assert.Empty(document.Descendants(Svg + "image"));
        var cellTitles = document
            .Descendants(Svg + "rect")
            .Select(r => r.Element(Svg + "title")?.Value)
            .Where(t => t is not null)
            .ToList();
        Assert.Contains("square, saw: 0", cellTitles);
        var texts = document.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("7", texts);
        Assert.Contains("square", texts);
    }

    [Fact]
    public void Large_heatmap_embeds_one_png_pixel_per_cell()
    {
        int rows = 100,
            columns = 300;
        var values = new double[rows * columns];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (i / columns) - (i % columns * 0.1);
        }

        var heatmap = new Heatmap(values, rows, columns)
        {
            RowZeroAtBottom = true,
            XRange = (0, 3),
            YRange = (0, 24000),
            ColorBarLabel = "dB",
        };
        var document = XDocument.Parse(heatmap.ToSvg());
        var image = document.Descendants(Svg + "image").Single();
        var png = Convert.FromBase64String(image.Attribute("href")!.Value["data:image/png;base64,".Length..]);

        Assert.True(heatmap.UsesPng);
        Assert.Equal(columns, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(rows, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Contains("20k", document.Descendants(Svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void Figure_saves_atomically_into_a_new_folder()
    {
        var path = Path.Combine(_folder, "sub", "figure.svg");
        var figure = new Figure(2, 300, 200) { Title = "Two panels" }
            .Add(new LineChart().Add("a", [0, 1], [0, 1]))
            .Add(new Heatmap([1, 2, 3, 4], 2, 2));

        figure.Save(path);

        var document = XDocument.Load(path);
        Assert.Equal("600", document.Root!.Attribute("width")!.Value);
        Assert.Equal(["figure.svg"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        Assert.Throws<InvalidOperationException>(() => new Figure().ToSvg());
    }

    [Fact]
    public void Html_report_escapes_text_and_embeds_figures()
    {
        var svg = new LineChart().Add("a", [0, 1], [0, 1]).ToSvg(300, 200);
        var report = new HtmlReport("Run <1>")
            .Heading("Metrics & figures")
            .Table(
                ["metric", "value"],
                [
                    ["ESR", "0.0042"],
                    ["grade", "<great>"],
                ]
            )
            .Svg(svg, "training curve")
            .Paragraph("done");
        var path = Path.Combine(_folder, "report.html");

        report.Save(path);
        var html = File.ReadAllText(path);

        Assert.Contains("<title>Run &lt;1&gt;</title>", html, StringComparison.Ordinal);
        Assert.Contains("Metrics &amp; figures", html, StringComparison.Ordinal);
        Assert.Contains("<td>&lt;great&gt;</td>", html, StringComparison.Ordinal);
        Assert.Contains("<svg xmlns=", html, StringComparison.Ordinal);
        Assert.Contains("<figcaption>training curve</figcaption>", html, StringComparison.Ordinal);
    }
}
