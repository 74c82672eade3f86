using System.Globalization;

namespace Nsmt.Plots;

public enum HeatmapRendering
{
    /// <summary>Rectangles for small matrices (crisp, with tooltips), an embedded PNG for large ones.</summary>
    Auto,
    Rectangles,
    Png,
}

/// <summary>
/// A matrix drawn as coloured cells: a confusion matrix (categorical labels, values written in the
/// cells) or a spectrogram (numeric extents, row 0 at the bottom, an embedded PNG). Large matrices
/// are embedded as one PNG pixel per cell, which keeps the SVG small.
/// </summary>
public sealed class Heatmap : IChart
{
    /// <summary>Above this many cells <see cref="HeatmapRendering.Auto"/> embeds a PNG.</summary>
    public const int MaxRectangles = 4096;

    private const double FontSize = 11;

    /// <param name="values">Row-major cells: values[row * columns + column]; NaN cells are drawn grey.</param>
    public Heatmap(double[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (values.Length != (long)rows * columns)
        {
            throw new ArgumentException(
                $"a {rows} x {columns} heat map needs {(long)rows * columns} values, got {values.Length}"
            );
        }

        Values = values;
        Rows = rows;
        Columns = columns;
    }

    public double[] Values { get; }

    public int Rows { get; }

    public int Columns { get; }

    public string? Title { get; init; }

    public string? XLabel { get; init; }

    public string? YLabel { get; init; }

    public Colormap Colormap { get; init; } = Colormap.Viridis;

    /// <summary>Value at the low end of the colour scale (default: the smallest finite value).</summary>
    public double? ColorMin { get; init; }

    /// <summary>Value at the high end of the colour scale (default: the largest finite value).</summary>
    public double? ColorMax { get; init; }

    public bool ShowColorBar { get; init; } = true;

    public string? ColorBarLabel { get; init; }

    /// <summary>Category names under the columns (confusion matrix: predicted classes).</summary>
    public IReadOnlyList<string>? ColumnLabels { get; init; }

    /// <summary>Category names beside the rows (confusion matrix: true classes).</summary>
    public IReadOnlyList<string>? RowLabels { get; init; }

    /// <summary>Numeric span of the columns (e.g. time in s) when there are no column labels.</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>Numeric span of the rows (e.g. frequency in Hz) when there are no row labels.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>Draw row 0 at the bottom (spectrograms) instead of the top (matrices).</summary>
    public bool RowZeroAtBottom { get; init; }

    /// <summary>Write each cell's value in it (confusion matrices).</summary>
    public bool ShowValues { get; init; }

    public string ValueFormat { get; init; } = "0.##";

    public HeatmapRendering Rendering { get; init; } = HeatmapRendering.Auto;

    public bool UsesPng =>
        Rendering == HeatmapRendering.Png || (Rendering == HeatmapRendering.Auto && Values.Length > MaxRectangles);

    public void Render(SvgDocument svg, double x, double y, double width, double height)
    {
        ArgumentNullException.ThrowIfNull(svg);
        double colorBarRoom = ShowColorBar ? 78 : 14;
        var area = PlotArea.Inside(
            x,
            y,
            width,
            height,
            Title is not null,
            XLabel is not null || ColumnLabels is not null,
            YLabel is not null,
            colorBarRoom
        );
        if (RowLabels is not null)
        {
            var extra = Math.Min(80, RowLabels.Max(l => l.Length) * FontSize * 0.6) - 30;
            if (extra > 0)
            {
                area = area with { Left = area.Left + extra, Width = Math.Max(10, area.Width - extra) };
            }
        }

        var (low, high) = ColorRange();
        PlotArea.DrawTitle(svg, Title, x, y, width);

        if (UsesPng)
        {
            svg.Image(area.Left, area.Top, area.Width, area.Height, ToPng(low, high));
        }
        else
        {
            DrawCells(svg, area, low, high);
        }

        svg.Rect(area.Left, area.Top, area.Width, area.Height, "none", "#888888", 1);
        DrawColumnAxis(svg, area);
        DrawRowAxis(svg, area);
        if (ShowColorBar)
        {
            DrawColorBar(svg, area, low, high);
        }
    }

    /// <summary>The matrix as an RGB PNG, one pixel per cell, oriented as drawn.</summary>
    public byte[] ToPng(double low, double high)
    {
        var rgb = new byte[Rows * Columns * 3];
        for (var r = 0; r < Rows; r++)
        {
            var imageRow = RowZeroAtBottom ? Rows - 1 - r : r;
            for (var c = 0; c < Columns; c++)
            {
                var v = Values[(r * Columns) + c];
                var (red, green, blue) = double.IsNaN(v)
                    ? ((byte)200, (byte)200, (byte)200)
                    : Colormap.At((v - low) / (high - low));
                var o = ((imageRow * Columns) + c) * 3;
                rgb[o] = red;
                rgb[o + 1] = green;
                rgb[o + 2] = blue;
            }
        }

        return PngEncoder.EncodeRgb(Columns, Rows, rgb);
    }

    private (double Low, double High) ColorRange()
    {
        double low = ColorMin ?? double.PositiveInfinity,
            high = ColorMax ?? double.NegativeInfinity;
        if (ColorMin is null || ColorMax is null)
        {
            foreach (var v in Values)
            {
                if (double.IsFinite(v))
                {
                    if (ColorMin is null)
                    {
                        low = Math.Min(low, v);
                    }

                    if (ColorMax is null)
                    {
                        high = Math.Max(high, v);
                    }
                }
            }
        }

        if (!double.IsFinite(low) || !double.IsFinite(high))
        {
            (low, high) = (0, 1);
        }

        if (high <= low)
        {
            high = low + 1;
        }

        return (low, high);
    }

    private void DrawCells(SvgDocument svg, PlotArea area, double low, double high)
    {
        var cellWidth = area.Width / Columns;
        var cellHeight = area.Height / Rows;
        for (var r = 0; r < Rows; r++)
        {
            var drawRow = RowZeroAtBottom ? Rows - 1 - r : r;
            for (var c = 0; c < Columns; c++)
            {
                var v = Values[(r * Columns) + c];
                var t = (v - low) / (high - low);
                var fill = double.IsNaN(v) ? "#c8c8c8" : Colormap.HexAt(t);
                var tooltip = $"{RowName(r)}, {ColumnName(c)}: {Format(v)}";
                // A hair of overlap hides anti-aliasing seams between neighbouring cells.
                svg.Rect(
                    area.Left + (c * cellWidth),
                    area.Top + (drawRow * cellHeight),
                    cellWidth + 0.3,
                    cellHeight + 0.3,
                    fill,
                    tooltip: tooltip
                );
                if (ShowValues && !double.IsNaN(v))
                {
                    var textColor = Colormap.LuminanceAt(t) > 0.55 ? "#111111" : "#ffffff";
                    var size = Math.Clamp(Math.Min(cellWidth / 4, cellHeight / 2), 6, 13);
                    svg.Text(
                        area.Left + ((c + 0.5) * cellWidth),
                        area.Top + ((drawRow + 0.5) * cellHeight) + (size * 0.35),
                        Format(v),
                        size,
                        TextAnchor.Middle,
                        textColor
                    );
                }
            }
        }
    }

    private void DrawColumnAxis(SvgDocument svg, PlotArea area)
    {
        if (ColumnLabels is not null)
        {
            var cellWidth = area.Width / Columns;
            var every = Math.Max(1, (int)Math.Ceiling(Columns * 8 * FontSize * 0.6 / area.Width / 1.2));
            for (var c = 0; c < Columns && c < ColumnLabels.Count; c += every)
            {
                svg.Text(
                    area.Left + ((c + 0.5) * cellWidth),
                    area.Bottom + 15,
                    ColumnLabels[c],
                    FontSize,
                    TextAnchor.Middle
                );
            }
        }
        else if (XRange is { } range)
        {
            var axis = new Axis(range.Min, range.Max, AxisScale.Linear, area.Left, area.Right);
            foreach (var t in axis.Ticks(Math.Max(2, (int)(area.Width / 90))))
            {
                var px = axis.ToPixel(t);
                svg.Line(px, area.Bottom, px, area.Bottom + 4, "#888888", 1);
                svg.Text(px, area.Bottom + 15, Ticks.Label(t), FontSize, TextAnchor.Middle);
            }
        }

        if (XLabel is not null)
        {
            svg.Text(area.Left + (area.Width / 2), area.Bottom + 32, XLabel, FontSize + 1, TextAnchor.Middle);
        }
    }

    private void DrawRowAxis(SvgDocument svg, PlotArea area)
    {
        if (RowLabels is not null)
        {
            var cellHeight = area.Height / Rows;
            var every = Math.Max(1, (int)Math.Ceiling(FontSize * 1.2 / cellHeight));
            for (var r = 0; r < Rows && r < RowLabels.Count; r += every)
            {
                var drawRow = RowZeroAtBottom ? Rows - 1 - r : r;
                svg.Text(
                    area.Left - 6,
                    area.Top + ((drawRow + 0.5) * cellHeight) + 4,
                    RowLabels[r],
                    FontSize,
                    TextAnchor.End
                );
            }
        }
        else if (YRange is { } range)
        {
            var axis = RowZeroAtBottom
                ? new Axis(range.Min, range.Max, AxisScale.Linear, area.Bottom, area.Top)
                : new Axis(range.Min, range.Max, AxisScale.Linear, area.Top, area.Bottom);
            foreach (var t in axis.Ticks(Math.Max(2, (int)(area.Height / 45))))
            {
                var py = axis.ToPixel(t);
                svg.Line(area.Left - 4, py, area.Left, py, "#888888", 1);
                svg.Text(area.Left - 6, py + 4, Ticks.Label(t), FontSize, TextAnchor.End);
            }
        }

        if (YLabel is not null)
        {
            var labelX = RowLabels is not null
                ? area.Left - 20 - Math.Min(80, RowLabels.Max(l => l.Length) * FontSize * 0.6)
                : area.Left - 48;
            svg.Text(labelX, area.Top + (area.Height / 2), YLabel, FontSize + 1, TextAnchor.Middle, rotateDegrees: -90);
        }
    }

    private void DrawColorBar(SvgDocument svg, PlotArea area, double low, double high)
    {
        var left = area.Right + 12;
        const double barWidth = 12;
        const int steps = 64;
        var stepHeight = area.Height / steps;
        for (var i = 0; i < steps; i++)
        {
            var t = (i + 0.5) / steps;
            svg.Rect(left, area.Bottom - ((i + 1) * stepHeight), barWidth, stepHeight + 0.3, Colormap.HexAt(t));
        }

        svg.Rect(left, area.Top, barWidth, area.Height, "none", "#888888", 1);
        var axis = new Axis(low, high, AxisScale.Linear, area.Bottom, area.Top);
        foreach (var t in axis.Ticks(Math.Max(2, (int)(area.Height / 45))))
        {
            var py = axis.ToPixel(t);
            svg.Line(left + barWidth, py, left + barWidth + 3, py, "#888888", 1);
            svg.Text(left + barWidth + 5, py + 4, Ticks.Label(t), FontSize - 1);
        }

        if (ColorBarLabel is not null)
        {
            svg.Text(
                left + barWidth + 40,
                area.Top + (area.Height / 2),
                ColorBarLabel,
                FontSize,
                TextAnchor.Middle,
                rotateDegrees: 90
            );
        }
    }

    private string RowName(int r) => RowLabels is not null && r < RowLabels.Count ? RowLabels[r] : $"row {r}";

    private string ColumnName(int c) =>
        ColumnLabels is not null && c < ColumnLabels.Count ? ColumnLabels[c] : $"column {c}";

    private string Format(double v) => v.ToString(ValueFormat, CultureInfo.InvariantCulture);
}
