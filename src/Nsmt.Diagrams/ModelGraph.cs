using System.Globalization;
using System.Text;

namespace Nsmt.Diagrams;

public enum GraphDirection
{
    /// <summary>rankdir=TB: input at the top.</summary>
    TopToBottom,

    /// <summary>rankdir=LR: input on the left.</summary>
    LeftToRight,
}

public sealed record GraphOptions
{
    public GraphDirection Direction { get; init; } = GraphDirection.TopToBottom;

    /// <summary>
    /// Modules at this depth are drawn as one block node (their insides hidden); null draws every layer that
    /// ran, with its containers as boxes around it.
    /// </summary>
    public int? MaxDepth { get; init; }
}

/// <summary>
/// The architecture as a Graphviz DOT graph: a node per layer call (type, key settings, output shape,
/// parameters), a box (cluster) per container, the example input on top and one node per model output, so
/// multihead networks fan out into their heads. Edges follow the tensors: a layer fed the very tensor another
/// produced is joined to it; when the tensor was made by operations between layers (a permute, a residual
/// sum, attention), it is joined to the layers whose outputs nothing had consumed yet, else to the layer
/// that ran last. Output is deterministic: node ids follow the table order.
/// </summary>
public static class ModelGraph
{
    private const string InputNode = "input";

    public static string ToDot(ModelTrace trace, GraphOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        options ??= new GraphOptions();
        if (options.MaxDepth is < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.MaxDepth,
                "graph depth must be >= 1 (depth 0 is the whole model)"
            );
        }

        var ids = new Dictionary<LayerInfo, string>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < trace.Layers.Count; i++)
        {
            ids[trace.Layers[i]] = "n" + i.ToString(CultureInfo.InvariantCulture);
        }
        // A container that never ran itself (a ModuleDict) stays a box even at the depth limit: its items are the nodes.
        bool IsNode(LayerInfo layer) =>
            layer.Depth > 0
            && (
                layer.IsLeaf
                || layer.Children.Count == 0
                || (layer.Depth >= options.MaxDepth && layer.Kind == LayerKind.Called)
            );

        var dot = new StringBuilder();
        void Line(int indent, string text) => dot.Append(' ', indent * 2).Append(text).Append('\n');

        var totalParams = TorchinfoStatistics.Of(trace).TotalParams;
        Line(0, $"digraph {Quote(trace.ModelName)} {{");
        Line(
            1,
            $"graph [rankdir={(options.Direction == GraphDirection.LeftToRight ? "LR" : "TB")}, "
                + $"label={Quote($"{trace.ModelName} ({PythonFormat.Grouped(totalParams)} params)")}, labelloc=t, fontname=\"Helvetica\", fontsize=12, "
                + "nodesep=0.25, ranksep=0.3];"
        );
        Line(
            1,
            "node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, fillcolor=\"#ffffff\"];"
        );
        Line(1, "edge [arrowsize=0.7, color=\"#555555\"];");
        Line(
            1,
            $"{InputNode} [label={Quote("input\n" + ShapeLines(trace.InputShapes))}, shape=oval, style=filled, fillcolor=\"#eeeeee\"];"
        );

        var clusterCount = 0;
        void Emit(LayerInfo layer, int indent)
        {
            if (IsNode(layer))
            {
                Line(indent, $"{ids[layer]} [{NodeAttributes(layer)}];");
                return;
            }
            if (layer.Depth == 0)
            {
                foreach (var child in layer.Children)
                {
                    Emit(child, indent);
                }

                return;
            }
            Line(indent, $"subgraph cluster_{clusterCount++} {{");
            var note = layer.Kind == LayerKind.NotReached ? "\n(not run)" : "";
            Line(
                indent + 1,
                $"label={Quote($"{layer.Path}: {layer.TypeName}{note}")}; labeljust=l; fontsize=10; style=\"rounded,dashed\"; color=\"#888888\";"
            );
            foreach (var child in layer.Children)
            {
                Emit(child, indent + 1);
            }

            Line(indent, "}");
        }
        Emit(trace.Root, 1);

        var outputs = trace
            .OutputShapes.Select(
                (shape, i) =>
                    (
                        Shape: shape,
                        Id: "output" + (trace.OutputShapes.Count == 1 ? "" : i.ToString(CultureInfo.InvariantCulture))
                    )
            )
            .ToList();
        foreach (var (shape, id) in outputs)
        {
            var name = shape.Label.Length == 0 ? "output" : shape.Label;
            Line(
                1,
                $"{id} [label={Quote(name + "\n" + shape.DimsText)}, shape=oval, style=filled, fillcolor=\"#eeeeee\"];"
            );
        }

        var units = trace
            .Layers.Where(l => IsNode(l) && !HasNodeAncestor(l, IsNode) && l.StartSequence >= 0)
            .OrderBy(l => l.StartSequence);
        foreach (var (from, to) in Edges(trace, units, ids, outputs.Select(o => o.Id).ToList()))
        {
            Line(1, $"{from} -> {to};");
        }

        Line(0, "}");
        return dot.ToString();
    }

    private static bool HasNodeAncestor(LayerInfo layer, Func<LayerInfo, bool> isNode)
    {
        for (var parent = layer.Parent; parent is not null; parent = parent.Parent)
        {
            if (isNode(parent))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Replays the calls in order, joining each to the producers of its inputs (see the class summary).</summary>
    private static List<(string From, string To)> Edges(
        ModelTrace trace,
        IEnumerable<LayerInfo> units,
        Dictionary<LayerInfo, string> ids,
        List<string> outputIds
    )
    {
        var producers = new Dictionary<int, List<string>>();
        foreach (var id in trace.Root.InputIds)
        {
            producers[id] = [InputNode];
        }

        var unconsumed = new List<string>();
        var last = InputNode;
        var edges = new List<(string, string)>();

        List<string> Sources(int[] inputIds)
        {
            var sources = inputIds.Where(producers.ContainsKey).SelectMany(id => producers[id]).Distinct().ToList();
            if (sources.Count == 0)
            {
                sources = unconsumed.Count > 0 ? [.. unconsumed] : [last];
                foreach (var id in inputIds)
                {
                    producers[id] = sources;
                }
            }
            unconsumed.RemoveAll(sources.Contains);
            return sources;
        }

        void Join(IEnumerable<string> sources, string target)
        {
            foreach (var source in sources)
            {
                if (!edges.Contains((source, target)))
                {
                    edges.Add((source, target));
                }
            }
        }

        foreach (var unit in units)
        {
            var node = ids[unit];
            Join(Sources(unit.InputIds), node);
            foreach (var id in unit.OutputIds)
            {
                producers[id] = [node];
            }

            unconsumed.Add(node);
            last = node;
        }
        var rootOutputs = trace.Root.OutputIds;
        for (var i = 0; i < outputIds.Count && i < rootOutputs.Length; i++)
        {
            Join(Sources([rootOutputs[i]]), outputIds[i]);
        }

        return edges;
    }

    private static string NodeAttributes(LayerInfo layer)
    {
        var lines = new List<string>
        {
            $"{layer.VariableName}: {layer.TypeName}"
                + (layer.IsRecursive && layer.Kind == LayerKind.Called ? " (again)" : ""),
        };
        if (layer.Settings.Length > 0)
        {
            lines.Add(layer.Settings);
        }

        if (layer.OutputShapes.Count > 0)
        {
            lines.Add(ShapeLines(layer.OutputShapes));
        }
        else if (layer.Kind == LayerKind.NotReached)
        {
            lines.Add("(not run)");
        }

        if (layer.NumParams > 0)
        {
            lines.Add($"{PythonFormat.Grouped(layer.NumParams)} params" + (layer.IsRecursive ? " (shared)" : ""));
        }

        var attributes =
            $"label={Quote(string.Join("\n", lines))}, tooltip={Quote(layer.Path)}, fillcolor=\"{Colour(layer)}\"";
        if (layer.Kind == LayerKind.NotReached)
        {
            attributes += ", style=\"rounded,dashed\"";
        }
        else if (!layer.IsLeaf)
        {
            attributes += ", penwidth=2";
        }

        return attributes;
    }

    private static string ShapeLines(IReadOnlyList<TensorShape> shapes) =>
        shapes.Count == 1 ? shapes[0].DimsText : string.Join("\n", shapes.Select(s => s.ToString()));

    private static string Colour(LayerInfo layer) =>
        !layer.IsLeaf
            ? "#fce5cd"
            : layer.Category switch
            {
                LayerCategory.Convolution => "#cfe2f3",
                LayerCategory.Linear => "#d9ead3",
                LayerCategory.Normalization => "#fff2cc",
                LayerCategory.Activation => "#f4cccc",
                LayerCategory.Pooling => "#d0e0e3",
                LayerCategory.Regularization => "#eeeeee",
                LayerCategory.Recurrent => "#d9d2e9",
                LayerCategory.Reshape => "#ffffff",
                _ => "#fce5cd",
            };

    /// <summary>A DOT quoted string; line breaks become centred "\n" breaks.</summary>
    private static string Quote(string text) =>
        "\""
        + text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal)
        + "\"";
}
