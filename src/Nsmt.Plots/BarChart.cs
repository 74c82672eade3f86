namespace Nsmt.Plots;

/// <summary>One group of bars of a <see cref="BarChart"/>: a value per category.</summary>
public sealed record BarSeries(string Name, double[] Values, string Color);

/// <summary>
/// Vertical bars over named categories (e.g. a class histogram), one bar per series side by side in each category.
/// Category labels are thinned to every k-th so they never overlap, whatever the number of classes.
/// </summary>
public sealed class BarChart : IChart
{
    private const double FontSize = 11;
    private readonly List<BarSeries> _series = [];

    public BarChart(IReadOnlyList<string> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        if (categories.Count == 0)
        {
            throw new ArgumentException("a bar chart needs at least one category", nameof(categories));
        }

        Categories = categories;
    }

    public IReadOnlyList<string> Categories { get; }

    public string? Title { get; init; }

    public string? XLabel { get; init; }

    public string? YLabel { get; init; }

    public IReadOnlyList<BarSeries> Series => _series;

    public BarChart Add(string name, ReadOnlySpan<double> values, string? color = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (values.Length != Categories.Count)
        {
            throw new ArgumentException(
                $"series '{name}' has {values.Length} values for {Categories.Count} categories"
            );
        }

        _series.Add(new BarSeries(name, values.ToArray(), color ?? Palette.At(_series.Count)));
        return this;
    }

    public void Render(SvgDocument svg, double x, double y, double width, double height)
    {
        ArgumentNullException.ThrowIfNull(svg);
        var area = PlotArea.Inside(x, y, width, height, Title is not null, XLabel is not null, YLabel is not null);
        var top = _series.SelectMany(s => s.Values).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        // Headroom above the tallest bar for the legend in the top right corner.
        top *= _series.Count > 1 ? 1.1 + (0.07 * _series.Count) : 1;
        var ticks = Ticks.Linear(0, top > 0 ? top : 1, Math.Max(2, (int)(area.Height / 45)));
        var yMax = Math.Max(ticks[^1], top > 0 ? top : 1);
        double Py(double v) => area.Bottom - (area.Height * Math.Clamp(v / yMax, 0, 1));

        PlotArea.DrawTitle(svg, Title, x, y, width);

        svg.Rect(area.Left, area.Top, area.Width, area.Height, "white", "#888888", 1);
        foreach (var t in ticks)
        {
            var py = Py(t);
            svg.Line(area.Left, py, area.Right, py, "#e6e6e6", 1);
            svg.Text(area.Left - 6, py + 4, Ticks.Label(t), FontSize, TextAnchor.End);
        }

        var n = Categories.Count;
        var slot = area.Width / n;
        var bar = slot * 0.8 / Math.Max(1, _series.Count);
        for (var s = 0; s < _series.Count; s++)
        {
            for (var c = 0; c < n; c++)
            {
                var v = _series[s].Values[c];
                if (double.IsFinite(v) && v > 0)
                {
                    var py = Py(v);
                    svg.Rect(
                        area.Left + (c * slot) + (slot * 0.1) + (s * bar),
                        py,
                        bar,
                        area.Bottom - py,
                        _series[s].Color,
                        tooltip: $"{_series[s].Name} {Categories[c]}: {Ticks.Label(v)}"
                    );
                }
            }
        }

        // Every k-th label, k chosen so the widest label fits its share of the axis.
        var labelWidth = (Categories.Max(l => l.Length) * FontSize * 0.6) + 6;
        var every = Math.Max(1, (int)Math.Ceiling(labelWidth / slot));
        for (var c = 0; c < n; c += every)
        {
            var px = area.Left + ((c + 0.5) * slot);
            svg.Line(px, area.Bottom, px, area.Bottom + 4, "#888888", 1);
            svg.Text(px, area.Bottom + 15, Categories[c], FontSize, TextAnchor.Middle);
        }

        svg.Rect(area.Left, area.Top, area.Width, area.Height, "none", "#888888", 1);
        if (XLabel is not null)
        {
            svg.Text(area.Left + (area.Width / 2), area.Bottom + 32, XLabel, FontSize + 1, TextAnchor.Middle);
        }

        if (YLabel is not null)
        {
            svg.Text(
                area.Left - 48,
                area.Top + (area.Height / 2),
                YLabel,
                FontSize + 1,
                TextAnchor.Middle,
                rotateDegrees: -90
            );
        }

        if (_series.Count > 1)
        {
            for (var s = 0; s < _series.Count; s++)
            {
                var ly = area.Top + 8 + (s * 16);
                svg.Rect(area.Right - 110, ly, 10, 10, _series[s].Color);
                svg.Text(area.Right - 96, ly + 9, _series[s].Name, FontSize);
            }
        }
    }
}
