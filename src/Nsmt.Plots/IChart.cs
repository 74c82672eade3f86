using Nsmt.Core;

namespace Nsmt.Plots;

/// <summary>Something that draws itself into a rectangle of an <see cref="SvgDocument"/>.</summary>
public interface IChart
{
    void Render(SvgDocument svg, double x, double y, double width, double height);
}

public static class ChartExtensions
{
    public static string ToSvg(this IChart chart, double width = 720, double height = 360)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var svg = new SvgDocument(width, height);
        chart.Render(svg, 0, 0, width, height);
        return svg.ToSvg();
    }

    /// <summary>Writes the chart as a standalone SVG file, atomically.</summary>
    public static void Save(this IChart chart, string path, double width = 720, double height = 360) =>
        AtomicFile.WriteAllText(path, chart.ToSvg(width, height));
}

/// <summary>Default series colours (matplotlib's tab10), so figures across stages look alike.</summary>
public static class Palette
{
    public static IReadOnlyList<string> Categorical { get; } =
    ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string At(int index) =>
        Categorical[((index % Categorical.Count) + Categorical.Count) % Categorical.Count];
}
