using System.Text;
using Nsmt.Pipeline.Definition;

namespace Nsmt.Pipeline.Reporting;

/// <summary>The stage graph as text (run order, with what each stage reads from which stage) and as Mermaid.</summary>
public static class DagRenderer
{
    public static string Text(StageGraph graph)
    {
        var sb = new StringBuilder();
        sb.Append("Pipeline for experiments: ").Append(string.Join(", ", graph.Experiments)).Append('\n');
        sb.Append(graph.Stages.Count).Append(" stages in run order:\n");
        var width = graph.Stages.Count == 0 ? 0 : graph.Stages.Max(s => s.Name.Length);
        foreach (var s in graph.Stages)
        {
            var program = s.Program is ProjectProgram p ? p.ProjectDirectory : "command";
            sb.Append("  ")
                .Append(s.Name.PadRight(width))
                .Append("  ")
                .Append(s.Phase.PadRight(9))
                .Append(' ')
                .Append(program)
                .Append('\n');
            foreach (var e in graph.IncomingEdges(s))
            {
                sb.Append("      <- ").Append(e.From).Append("  (").Append(e.Path).Append(")\n");
            }

            foreach (var o in s.Outs)
            {
                sb.Append("      -> ").Append(o.Path).Append('\n');
            }
        }

        return sb.ToString();
    }

    public static string Mermaid(StageGraph graph)
    {
        var sb = new StringBuilder("flowchart LR\n");
        foreach (var phase in graph.Phases.Where(ph => graph.Stages.Any(s => s.Phase == ph)))
        {
            sb.Append("  subgraph ").Append(Id(phase)).Append("_phase[\"").Append(phase).Append("\"]\n");
            foreach (var s in graph.Stages.Where(s => s.Phase == phase))
            {
                sb.Append("    ").Append(Id(s.Name)).Append("[\"").Append(s.Name).Append("\"]\n");
            }

            sb.Append("  end\n");
        }

        foreach (var s in graph.Stages.Where(s => !graph.Phases.Contains(s.Phase)))
        {
            sb.Append("  ").Append(Id(s.Name)).Append("[\"").Append(s.Name).Append("\"]\n");
        }

        foreach (var (from, to) in graph.Edges.Select(e => (e.From, e.To)).Distinct())
        {
            sb.Append("  ").Append(Id(from)).Append(" --> ").Append(Id(to)).Append('\n');
        }

        return sb.ToString();
    }

    private static string Id(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return sb.ToString();
    }
}
