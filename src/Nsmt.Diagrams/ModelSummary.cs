using System.Text;

namespace Nsmt.Diagrams;

/// <summary>Table settings; the defaults are torchinfo's (depth 3, 25-character columns, "type:depth-idx" rows).</summary>
public sealed record SummaryOptions
{
    /// <summary>Rows deeper than this are not shown (their parameters still count, in their ancestor at this depth).</summary>
    public int Depth { get; init; } = 3;

    public int ColumnWidth { get; init; } = 25;

    /// <summary>torchinfo's "var_names" row setting: "Linear (note_velocity): 2-1".</summary>
    public bool ShowVariableNames { get; init; }

    /// <summary>torchinfo's "depth" row setting (on by default): the ": depth-idx" suffix.</summary>
    public bool ShowDepth { get; init; } = true;

    /// <summary>"+ " and "|" instead of box-drawing characters.</summary>
    public bool AsciiOnly { get; init; }
}

/// <summary>
/// A torchinfo-style text summary: one row per module call with its output shape and parameters, then the
/// totals and memory estimates (see <see cref="TorchinfoStatistics"/>). Where torchinfo would print one shape
/// for a model with several outputs, each output gets its own line ("head: [1, 24]").
/// </summary>
public static class ModelSummary
{
    private const int MinimumNameWidth = 40;
    private const int NameAlignment = 5;

    public static string Render(ModelTrace trace, SummaryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        options ??= new SummaryOptions();
        if (options.Depth < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Depth, "summary depth must be >= 0");
        }

        if (options.ColumnWidth < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.ColumnWidth,
                "summary column width must be >= 1"
            );
        }

        var nameWidth = NameWidth(trace, options);
        var divider = new string('=', nameWidth + 2 * options.ColumnWidth);
        var statistics = TorchinfoStatistics.Of(trace);
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        void Row(string name, string shape, string parameters) =>
            Line(
                $"{name.PadRight(nameWidth)} {shape.PadRight(options.ColumnWidth)} {parameters.PadRight(options.ColumnWidth)}".TrimEnd()
            );

        Line(divider);
        Row(
            "Layer (type"
                + (options.ShowVariableNames ? " (var_name)" : "")
                + (options.ShowDepth ? ":depth-idx" : "")
                + ")",
            "Output Shape",
            "Param #"
        );
        Line(divider);
        foreach (var layer in trace.Layers)
        {
            if (layer.Depth > options.Depth)
            {
                continue;
            }

            var shapes = ShapeCells(layer);
            Row(
                Prefix(layer.Depth, options) + LayerName(layer, options),
                shapes[0],
                ParamsCell(layer, layer.Depth == options.Depth)
            );
            foreach (var more in shapes.Skip(1))
            {
                Row("", more, "");
            }
        }
        Line(divider);
        Line($"Total params: {PythonFormat.Grouped(statistics.TotalParams)}");
        Line($"Trainable params: {PythonFormat.Grouped(statistics.TrainableParams)}");
        Line($"Non-trainable params: {PythonFormat.Grouped(statistics.NonTrainableParams)}");
        var (unit, macs) = Readable(statistics.TotalMultAdds);
        Line($"Total mult-adds ({unit}): {PythonFormat.Fixed2(macs)}");
        Line(divider);
        Line($"Input size (MB): {PythonFormat.Fixed2(statistics.InputBytes / 1e6)}");
        Line($"Forward/backward pass size (MB): {PythonFormat.Fixed2(statistics.ForwardBackwardBytes / 1e6)}");
        Line($"Params size (MB): {PythonFormat.Fixed2(statistics.ParamBytes / 1e6)}");
        Line($"Estimated Total Size (MB): {PythonFormat.Fixed2(statistics.TotalBytes / 1e6)}");
        Line(divider);
        return text.ToString();
    }

    /// <summary>torchinfo's layer_name_width: the longest name plus 5 per depth level and 1, rounded up to 5, at least 40.</summary>
    private static int NameWidth(ModelTrace trace, SummaryOptions options)
    {
        var longest = trace.Layers.Max(l => LayerName(l, options).Length + l.Depth * NameAlignment + 1);
        return longest >= MinimumNameWidth
            ? (longest + NameAlignment - 1) / NameAlignment * NameAlignment
            : MinimumNameWidth;
    }

    private static string LayerName(LayerInfo layer, SummaryOptions options)
    {
        var name = layer.TypeName;
        if (options.ShowVariableNames && layer.Path.Length > 0)
        {
            name += $" ({layer.VariableName})";
        }

        if (options.ShowDepth && layer.Depth > 0)
        {
            name += $": {layer.Depth}-{layer.DepthIndex}";
        }

        return name;
    }

    private static string Prefix(int depth, SummaryOptions options) =>
        depth switch
        {
            0 => "",
            1 => options.AsciiOnly ? "+ " : "├─",
            _ => string.Concat(Enumerable.Repeat(options.AsciiOnly ? "|    " : "│    ", depth - 1))
                + (options.AsciiOnly ? "+ " : "└─"),
        };

    private static List<string> ShapeCells(LayerInfo layer) =>
        layer.OutputShapes.Count switch
        {
            0 => ["--"],
            1 => [layer.OutputShapes[0].DimsText],
            _ => layer.OutputShapes.Select(s => s.ToString()).ToList(),
        };

    /// <summary>torchinfo's num_params_to_str: all parameters for leaves and at the depth limit, own parameters for containers.</summary>
    private static string ParamsCell(LayerInfo layer, bool atDepthLimit)
    {
        if (layer.IsRecursive)
        {
            return "(recursive)";
        }

        if (layer.NumParams > 0 && (atDepthLimit || layer.IsLeaf))
        {
            var count = PythonFormat.Grouped(layer.NumParams);
            return layer.TrainableParams > 0 ? count : $"({count})";
        }
        var leftover = layer.LeftoverParams();
        return leftover > 0 ? PythonFormat.Grouped(leftover) : "--";
    }

    /// <summary>torchinfo's to_readable for mult-adds: millions below 1e9, then G and T.</summary>
    private static (string Unit, double Value) Readable(long value) =>
        value switch
        {
            >= 1_000_000_000_000 => ("T", value / 1e12),
            >= 1_000_000_000 => ("G", value / 1e9),
            _ => ("M", value / 1e6),
        };
}
