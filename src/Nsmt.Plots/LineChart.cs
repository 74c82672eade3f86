namespace Nsmt.Plots;

public enum AxisScale
{
    Linear,
    Log,
}

/// <summary>One line of a <see cref="LineChart"/>.</summary>
public sealed record LineSeries(
    string Name,
    double[] X,
    double[] Y,
    string Color,
    double Width = 1.5,
    string? Dash = null,
    bool Markers = false
);

/// <summary>A horizontal reference line (a threshold, a target level).</summary>
public sealed record ReferenceLine(double Y, string? Label, string Color = "#555555", string? Dash = "5,4");

/// <summary>
/// An x/y line chart with axes, grid, legend, linear or log scales. Series with more points than
/// the plot has pixels are reduced to each pixel column's minimum and maximum, which draws the
/// same picture with a bounded file size. Non-finite values (and non-positive ones on a log axis)
/// break the line instead of failing.
/// </summary>
public sealed class LineChart : IChart
{
    private const double FontSize = 11;
    private readonly List<LineSeries> _series = [];
    private readonly List<ReferenceLine> _referenceLines = [];

    public string? Title { get; init; }

    public string? XLabel { get; init; }

    public string? YLabel { get; init; }

    public AxisScale XScale { get; init; } = AxisScale.Linear;

    public AxisScale YScale { get; init; } = AxisScale.Linear;

    public double? XMin { get; init; }

    public double? XMax { get; init; }

    public double? YMin { get; init; }

    public double? YMax { get; init; }

    public bool ShowLegend { get; init; } = true;

    public IReadOnlyList<LineSeries> Series => _series;

    public LineChart Add(
        string name,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        string? color = null,
        double width = 1.5,
        string? dash = null,
        bool markers = false
    )
    {
        ArgumentNullException.ThrowIfNull(name);
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"series '{name}' has {x.Length} x values but {y.Length} y values");
        }

        _series.Add(
            new LineSeries(name, x.ToArray(), y.ToArray(), color ?? Palette.At(_series.Count), width, dash, markers)
        );
        return this;
    }

    /// <summary>A series sampled at x = x0, x0 + dx, ... (e.g. a waveform against time).</summary>
    public LineChart Add(
        string name,
        ReadOnlySpan<float> y,
        double x0,
        double dx,
        string? color = null,
        double width = 1.5,
        string? dash = null
    )
    {
        var xs = new double[y.Length];
        var ys = new double[y.Length];
        for (var i = 0; i < y.Length; i++)
        {
            xs[i] = x0 + (i * dx);
            ys[i] = y[i];
        }

        return Add(name, xs, ys, color, width, dash);
    }

    public LineChart AddReferenceLine(double y, string? label = null, string color = "#555555", string? dash = "5,4")
    {
        _referenceLines.Add(new ReferenceLine(y, label, color, dash));
        return this;
    }

    public void Render(SvgDocument svg, double x, double y, double width, double height)
    {
        ArgumentNullException.ThrowIfNull(svg);
        var area = PlotArea.Inside(x, y, width, height, Title is not null, XLabel is not null, YLabel is not null);
        var (xMin, xMax) = Range(XMin, XMax, _series.SelectMany(s => s.X), XScale);
        var (yMin, yMax) = Range(
            YMin,
            YMax,
            _series.SelectMany(s => s.Y).Concat(_referenceLines.Select(r => r.Y)),
            YScale
        );
        var xAxis = new Axis(xMin, xMax, XScale, area.Left, area.Right);
        var yAxis = new Axis(yMin, yMax, YScale, area.Bottom, area.Top);

        PlotArea.DrawTitle(svg, Title, x, y, width);

        DrawAxes(svg, area, xAxis, yAxis);
        svg.BeginClip(area.Left, area.Top, area.Width, area.Height);
        foreach (var line in _referenceLines)
        {
            var py = yAxis.ToPixel(line.Y);
            if (double.IsFinite(py))
            {
                svg.Line(area.Left, py, area.Right, py, line.Color, 1, line.Dash);
                if (line.Label is not null)
                {
                    svg.Text(area.Left + 4, py - 3, line.Label, FontSize - 1, fill: line.Color);
                }
            }
        }

        foreach (var series in _series)
        {
            DrawSeries(svg, series, xAxis, yAxis, area.Width);
        }

        svg.EndGroup();
        if (ShowLegend && _series.Count > 0)
        {
            DrawLegend(svg, area, xAxis, yAxis);
        }
    }

    private void DrawAxes(SvgDocument svg, PlotArea area, Axis xAxis, Axis yAxis)
    {
        svg.Rect(area.Left, area.Top, area.Width, area.Height, "white", "#888888", 1);
        foreach (var t in xAxis.Ticks(Math.Max(2, (int)(area.Width / 90))))
        {
            var px = xAxis.ToPixel(t);
            svg.Line(px, area.Top, px, area.Bottom, "#e6e6e6", 1);
            svg.Line(px, area.Bottom, px, area.Bottom + 4, "#888888", 1);
            svg.Text(px, area.Bottom + 15, Ticks.Label(t), FontSize, TextAnchor.Middle);
        }

        foreach (var t in yAxis.Ticks(Math.Max(2, (int)(area.Height / 45))))
        {
            var py = yAxis.ToPixel(t);
            svg.Line(area.Left, py, area.Right, py, "#e6e6e6", 1);
            svg.Line(area.Left - 4, py, area.Left, py, "#888888", 1);
            svg.Text(area.Left - 6, py + 4, Ticks.Label(t), FontSize, TextAnchor.End);
        }

        svg.Rect(area.Left, area.Top, area.Width, area.Height, "none", "#888888", 1);
        if (XLabel is not null)
        {
            svg.Text(area.Left + (area.Width / 2), area.Bottom + 32, XLabel, FontSize + 1, TextAnchor.Middle);
        }

        if (YLabel is not null)
        {
            var cx = area.Left - 48;
            var cy = area.Top + (area.Height / 2);
            svg.Text(cx, cy, YLabel, FontSize + 1, TextAnchor.Middle, rotateDegrees: -90);
        }
    }

    private static void DrawSeries(SvgDocument svg, LineSeries series, Axis xAxis, Axis yAxis, double plotWidth)
    {
        var px = new List<double>(series.X.Length);
        var py = new List<double>(series.X.Length);
        void Flush()
        {
            if (px.Count >= 2)
            {
                var (dx, dy) = Decimate(px, py, (int)Math.Ceiling(plotWidth));
                svg.Polyline(dx, dy, series.Color, series.Width, series.Dash);
            }

            px.Clear();
            py.Clear();
        }

        for (var i = 0; i < series.X.Length; i++)
        {
            var sx = xAxis.ToPixel(series.X[i]);
            var sy = yAxis.ToPixel(series.Y[i]);
            if (!(double.IsFinite(sx) && double.IsFinite(sy)))
            {
                Flush();
                continue;
            }

            px.Add(sx);
            py.Add(sy);
            if (series.Markers)
            {
                svg.Circle(sx, sy, 2.5, series.Color);
            }
        }

        Flush();
    }

    /// <summary>Keeps, per pixel column, the first point and the extremes, in drawing order.</summary>
    internal static (double[] X, double[] Y) Decimate(List<double> x, List<double> y, int columns)
    {
        if (x.Count <= 4 * Math.Max(columns, 1))
        {
            return (x.ToArray(), y.ToArray());
        }

        var outX = new List<double>(4 * columns);
        var outY = new List<double>(4 * columns);
        var i = 0;
        while (i < x.Count)
        {
            var column = Math.Floor(x[i]);
            int first = i,
                low = i,
                high = i,
                last = i;
            for (; i < x.Count && Math.Floor(x[i]) == column; i++)
            {
                if (y[i] < y[low])
                {
                    low = i;
                }

                if (y[i] > y[high])
                {
                    high = i;
                }

                last = i;
            }

            foreach (var k in new SortedSet<int> { first, low, high, last })
            {
                outX.Add(x[k]);
                outY.Add(y[k]);
            }
        }

        return (outX.ToArray(), outY.ToArray());
    }

    private void DrawLegend(SvgDocument svg, PlotArea area, Axis xAxis, Axis yAxis)
    {
        double rowHeight = 15;
        var textWidth = _series.Max(s => s.Name.Length) * FontSize * 0.6;
        var boxWidth = 30 + textWidth;
        var boxHeight = 6 + (rowHeight * _series.Count);
        var (left, top) = LegendCorner(area, boxWidth, boxHeight, xAxis, yAxis);
        svg.Rect(left, top, boxWidth, boxHeight, "white", "#cccccc", 1);
        for (var i = 0; i < _series.Count; i++)
        {
            var cy = top + 3 + (rowHeight * i) + (rowHeight / 2);
            svg.Line(left + 5, cy, left + 22, cy, _series[i].Color, 2, _series[i].Dash);
            svg.Text(left + 26, cy + 4, _series[i].Name, FontSize);
        }
    }

    /// <summary>
    /// The corner of the plot (top right, bottom right, top left, bottom left, in that order of preference) where
    /// the legend hides the least of the data: curves that rise to the top right (accuracy) or fall to the bottom
    /// right (loss) would otherwise run under it. Lines are sampled between their points, reference lines count
    /// where they cross the box.
    /// </summary>
    internal (double Left, double Top) LegendCorner(
        PlotArea area,
        double boxWidth,
        double boxHeight,
        Axis xAxis,
        Axis yAxis
    )
    {
        var pixels = new List<(double X, double Y)>();
        foreach (var series in _series)
        {
            for (var i = 0; i < series.X.Length; i++)
            {
                double x = xAxis.ToPixel(series.X[i]),
                    y = yAxis.ToPixel(series.Y[i]);
                if (!(double.IsFinite(x) && double.IsFinite(y)))
                {
                    continue;
                }

                pixels.Add((x, y));
                if (i + 1 < series.X.Length && series.X.Length <= 2000)
                {
                    double x2 = xAxis.ToPixel(series.X[i + 1]),
                        y2 = yAxis.ToPixel(series.Y[i + 1]);
                    for (var k = 1; k < 8 && double.IsFinite(x2) && double.IsFinite(y2); k++)
                    {
                        pixels.Add((x + ((x2 - x) * k / 8), y + ((y2 - y) * k / 8)));
                    }
                }
            }
        }

        var references = _referenceLines.Select(r => yAxis.ToPixel(r.Y)).Where(double.IsFinite).ToList();
        (double, double)[] corners =
        [
            (area.Right - boxWidth - 6, area.Top + 6),
            (area.Right - boxWidth - 6, area.Bottom - boxHeight - 6),
            (area.Left + 6, area.Top + 6),
            (area.Left + 6, area.Bottom - boxHeight - 6),
        ];
        int Hidden((double Left, double Top) c) =>
            pixels.Count(p =>
                p.X >= c.Left - 4 && p.X <= c.Left + boxWidth + 4 && p.Y >= c.Top - 4 && p.Y <= c.Top + boxHeight + 4
            ) + (8 * references.Count(y => y >= c.Top - 4 && y <= c.Top + boxHeight + 4));
        return corners.MinBy(Hidden); // MinBy keeps the first of equals: top right unless another corner hides less
    }

    private static (double Min, double Max) Range(double? min, double? max, IEnumerable<double> values, AxisScale scale)
    {
        double lo = double.PositiveInfinity,
            hi = double.NegativeInfinity;
        if (min is null || max is null)
        {
            foreach (var v in values)
            {
                if (double.IsFinite(v) && (scale == AxisScale.Linear || v > 0))
                {
                    lo = Math.Min(lo, v);
                    hi = Math.Max(hi, v);
                }
            }
        }

        lo = min ?? lo;
        hi = max ?? hi;
        if (!double.IsFinite(lo) || !double.IsFinite(hi))
        {
            (lo, hi) = scale == AxisScale.Log ? (1, 10) : (0, 1);
        }

        if (hi <= lo)
        {
            var pad = scale == AxisScale.Log ? lo : Math.Max(Math.Abs(lo) * 0.1, 1e-9);
            (lo, hi) = scale == AxisScale.Log ? (lo / 2, hi * 2) : (lo - pad, hi + pad);
        }
        else if (scale == AxisScale.Linear && (min is null || max is null))
        {
            // A little headroom so lines do not sit on the frame.
            var pad = (hi - lo) * 0.04;
            lo = min ?? lo - pad;
            hi = max ?? hi + pad;
        }

        return (lo, hi);
    }
}

/// <summary>The plotting rectangle of a panel after room for title, tick labels and axis labels.</summary>
internal readonly record struct PlotArea(double Left, double Top, double Width, double Height)
{
    public double Right => Left + Width;

    public double Bottom => Top + Height;

    public static PlotArea Inside(
        double x,
        double y,
        double width,
        double height,
        bool title,
        bool xLabel,
        bool yLabel,
        double rightMargin = 14
    )
    {
        var left = x + (yLabel ? 66 : 50);
        var top = y + (title ? 28 : 10);
        var bottom = y + height - (xLabel ? 42 : 24);
        var right = x + width - rightMargin;
        return new PlotArea(left, top, Math.Max(10, right - left), Math.Max(10, bottom - top));
    }

    /// <summary>A panel's title, bold and centred in the band <see cref="Inside"/> leaves above the plot.</summary>
    public static void DrawTitle(SvgDocument svg, string? title, double x, double y, double width)
    {
        if (title is not null)
        {
            svg.Text(
                x + (width / 2),
                y + 17,
                title,
                SvgDocument.FitFontSize(title, 13, width, bold: true),
                TextAnchor.Middle,
                bold: true
            );
        }
    }
}

/// <summary>Maps data values to pixels along one axis, linearly or logarithmically.</summary>
internal readonly record struct Axis(double Min, double Max, AxisScale Scale, double PixelAtMin, double PixelAtMax)
{
    public double ToPixel(double value)
    {
        double f;
        if (Scale == AxisScale.Log)
        {
            if (!(value > 0))
            {
                return double.NaN;
            }

            f = (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min));
        }
        else
        {
            f = (value - Min) / (Max - Min);
        }

        return PixelAtMin + (f * (PixelAtMax - PixelAtMin));
    }

    public double[] Ticks(int target) =>
        Scale == AxisScale.Log ? Plots.Ticks.Log(Min, Max) : Plots.Ticks.Linear(Min, Max, target);
}
