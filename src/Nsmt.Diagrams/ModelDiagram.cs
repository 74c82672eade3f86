using Nsmt.Core;
using static TorchSharp.torch;

namespace Nsmt.Diagrams;

/// <summary>The files one model's diagram stage writes.</summary>
public sealed record DiagramFiles(string SummaryPath, string DotPath, RenderResult Svg, ModelTrace Trace);

/// <summary>
/// One call for a model's diagrams: traces an example forward pass, then writes summary.txt (the torchinfo-style
/// table), model.dot and, when Graphviz is installed, model.svg, each atomically.
/// </summary>
public static class ModelDiagram
{
    public const string SummaryFile = "summary.txt";
    public const string DotFile = "model.dot";
    public const string SvgFile = "model.svg";

    public static DiagramFiles Write<T, TResult>(
        nn.Module<T, TResult> model,
        T exampleInput,
        string directory,
        SummaryOptions? summary = null,
        GraphOptions? graph = null
    ) => Write(ModelTrace.Capture(model, exampleInput), directory, summary, graph);

    /// <summary>Writes the files for a trace; <paramref name="graphvizSearchPath"/> replaces PATH when looking for <c>dot</c>.</summary>
    public static DiagramFiles Write(
        ModelTrace trace,
        string directory,
        SummaryOptions? summary = null,
        GraphOptions? graph = null,
        string? graphvizSearchPath = null
    )
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var text = ModelSummary.Render(trace, summary);
        var dot = ModelGraph.ToDot(trace, graph);
        Directory.CreateDirectory(directory);
        var summaryPath = Path.Combine(directory, SummaryFile);
        var dotPath = Path.Combine(directory, DotFile);
        AtomicFile.WriteAllText(summaryPath, text);
        AtomicFile.WriteAllText(dotPath, dot);
        var svg = GraphvizRenderer.RenderSvg(dotPath, Path.Combine(directory, SvgFile), graphvizSearchPath);
        return new DiagramFiles(summaryPath, dotPath, svg, trace);
    }
}
