using Nsmt.Core;

namespace Nsmt.Plots;

/// <summary>Charts laid out in a grid (row by row) under an optional title, saved as one SVG.</summary>
public sealed class Figure
{
    private readonly List<IChart> _panels = [];

    /// <param name="columns">Panels per row.</param>
    /// <param name="panelWidth">Width of each panel in pixels.</param>
    /// <param name="panelHeight">Height of each panel in pixels.</param>
    public Figure(int columns = 1, double panelWidth = 720, double panelHeight = 300)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(panelWidth, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(panelHeight, 0);
        Columns = columns;
        PanelWidth = panelWidth;
        PanelHeight = panelHeight;
    }

    public int Columns { get; }

    public double PanelWidth { get; }

    public double PanelHeight { get; }

    public string? Title { get; init; }

    public IReadOnlyList<IChart> Panels => _panels;

    public Figure Add(IChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        _panels.Add(chart);
        return this;
    }

    public string ToSvg()
    {
        if (_panels.Count == 0)
        {
            throw new InvalidOperationException("a figure needs at least one panel");
        }

        double titleHeight = Title is null ? 0 : 30;
        var rows = (_panels.Count + Columns - 1) / Columns;
        var columns = Math.Min(Columns, _panels.Count);
        var svg = new SvgDocument(columns * PanelWidth, titleHeight + (rows * PanelHeight));
        if (Title is not null)
        {
            svg.Text(
                svg.Width / 2,
                21,
                Title,
                SvgDocument.FitFontSize(Title, 16, svg.Width, bold: true),
                TextAnchor.Middle,
                bold: true
            );
        }

        for (var i = 0; i < _panels.Count; i++)
        {
            _panels[i]
                .Render(
                    svg,
                    (i % Columns) * PanelWidth,
                    titleHeight + ((i / Columns) * PanelHeight),
                    PanelWidth,
                    PanelHeight
                );
        }

        return svg.ToSvg();
    }

    /// <summary>Writes the figure atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToSvg());
}
