using System.Text.RegularExpressions;

namespace Nsmt.Diagrams.Tests;

/// <summary>Reads back the parts of our DOT output the tests check: node paths (tooltips) and edges.</summary>
internal sealed partial class DotGraph
{
    private DotGraph(Dictionary<string, string> names, List<(string From, string To)> edges)
    {
        Names = names;
        Edges = edges;
    }

    /// <summary>Node id to a readable name: the layer's qualified path, or the input/output node's id.</summary>
    public Dictionary<string, string> Names { get; }

    public List<(string From, string To)> Edges { get; }

    public IEnumerable<(string From, string To)> NamedEdges => Edges.Select(e => (Names[e.From], Names[e.To]));

    public static DotGraph Parse(string dot)
    {
        var names = new Dictionary<string, string>();
        foreach (Match m in NodeLine().Matches(dot))
        {
            names[m.Groups["id"].Value] = m.Groups["tooltip"].Success
                ? m.Groups["tooltip"].Value
                : m.Groups["id"].Value;
        }

        var edges = EdgeLine().Matches(dot).Select(m => (m.Groups["from"].Value, m.Groups["to"].Value)).ToList();
        return new DotGraph(names, edges);
    }

    [GeneratedRegex(
        @"^\s*(?<id>\w+) \[label=""(?:[^""\\]|\\.)*""(?:, tooltip=""(?<tooltip>[^""]*)"")?",
        RegexOptions.Multiline
    )]
    private static partial Regex NodeLine();

    [GeneratedRegex(@"^\s*(?<from>\w+) -> (?<to>\w+);", RegexOptions.Multiline)]
    private static partial Regex EdgeLine();
}
