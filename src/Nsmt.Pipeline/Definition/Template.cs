using System.Text;

namespace Nsmt.Pipeline.Definition;

/// <summary>What a <c>${name}</c> reference stands for.</summary>
internal abstract record TemplateValue
{
    /// <summary>Plain text (an experiment name, a variable).</summary>
    public sealed record Text(string Value) : TemplateValue;

    /// <summary>A declared dependency: one or more workspace paths.</summary>
    public sealed record Paths(IReadOnlyList<string> Values) : TemplateValue;

    /// <summary>A declared output, whose location is only known when the stage runs (its temporary directory).</summary>
    public sealed record Output(int Index) : TemplateValue;
}

/// <summary>A piece of a stage argument: literal text or a reference to one of the stage's outputs.</summary>
public abstract record ArgSegment
{
    public sealed record Literal(string Text) : ArgSegment;

    public sealed record OutputRef(int Index) : ArgSegment;
}

/// <summary>One command-line argument of a stage, with output locations filled in at run time.</summary>
public sealed record StageArgument(IReadOnlyList<ArgSegment> Segments)
{
    public static StageArgument Of(string literal) => new([new ArgSegment.Literal(literal)]);

    public string Render(Func<int, string> outputPath)
    {
        var sb = new StringBuilder();
        foreach (var s in Segments)
        {
            sb.Append(
                s switch
                {
                    ArgSegment.Literal l => l.Text,
                    ArgSegment.OutputRef o => outputPath(o.Index),
                    _ => throw new InvalidOperationException(),
                }
            );
        }

        return sb.ToString();
    }
}

/// <summary>
/// <c>${name}</c> substitution for pipeline.yaml (<c>$${</c> writes a literal <c>${</c>). Unknown names are errors
/// that list the names known at that place.
/// </summary>
internal static class Template
{
    public delegate TemplateValue? Lookup(string name);

    /// <summary>Renders text where every reference must be plain text (paths, keys, file names).</summary>
    public static string RenderText(string template, Lookup lookup, string where)
    {
        var sb = new StringBuilder();
        foreach (var part in Split(template, where))
        {
            if (part.IsLiteral)
            {
                sb.Append(part.Text);
                continue;
            }

            switch (Resolve(part.Text, lookup, where))
            {
                case TemplateValue.Text t:
                    sb.Append(t.Value);
                    break;
                case TemplateValue.Paths { Values.Count: 1 } p:
                    sb.Append(p.Values[0]);
                    break;
                case TemplateValue.Paths:
                    throw new PipelineException(
                        $"{where}: ${{{part.Text}}} is a list of paths; use it alone as a whole argument"
                    );
                default:
                    throw new PipelineException(
                        $"{where}: ${{{part.Text}}} is an output; outputs can be referenced only in args or command"
                    );
            }
        }

        return sb.ToString();
    }

    /// <summary>Renders one argument; a lone reference to a list of paths becomes several arguments.</summary>
    public static IEnumerable<StageArgument> RenderArgument(string template, Lookup lookup, string where)
    {
        var parts = Split(template, where);
        if (
            parts.Count == 1
            && !parts[0].IsLiteral
            && Resolve(parts[0].Text, lookup, where) is TemplateValue.Paths paths
        )
        {
            return paths.Values.Select(StageArgument.Of);
        }

        var segments = new List<ArgSegment>();
        var literal = new StringBuilder();
        foreach (var part in parts)
        {
            if (part.IsLiteral)
            {
                literal.Append(part.Text);
                continue;
            }

            switch (Resolve(part.Text, lookup, where))
            {
                case TemplateValue.Text t:
                    literal.Append(t.Value);
                    break;
                case TemplateValue.Paths { Values.Count: 1 } p:
                    literal.Append(p.Values[0]);
                    break;
                case TemplateValue.Paths:
                    throw new PipelineException(
                        $"{where}: ${{{part.Text}}} is a list of paths; use it alone as a whole argument"
                    );
                case TemplateValue.Output o:
                    if (literal.Length > 0)
                    {
                        segments.Add(new ArgSegment.Literal(literal.ToString()));
                        literal.Clear();
                    }

                    segments.Add(new ArgSegment.OutputRef(o.Index));
                    break;
            }
        }

        if (literal.Length > 0 || segments.Count == 0)
        {
            segments.Add(new ArgSegment.Literal(literal.ToString()));
        }

        return [new StageArgument(segments)];
    }

    private static TemplateValue Resolve(string name, Lookup lookup, string where) =>
        lookup(name) ?? throw new PipelineException($"{where}: unknown variable ${{{name}}}");

    private static List<(bool IsLiteral, string Text)> Split(string template, string where)
    {
        var parts = new List<(bool, string)>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            if (template[i] == '$' && i + 2 < template.Length && template[i + 1] == '$' && template[i + 2] == '{')
            {
                literal.Append("${");
                i += 3;
            }
            else if (template[i] == '$' && i + 1 < template.Length && template[i + 1] == '{')
            {
                var end = template.IndexOf('}', i + 2);
                if (end < 0)
                {
                    throw new PipelineException($"{where}: unclosed '${{' in \"{template}\"");
                }

                if (literal.Length > 0)
                {
                    parts.Add((true, literal.ToString()));
                    literal.Clear();
                }

                var name = template[(i + 2)..end].Trim();
                if (name.Length == 0)
                {
                    throw new PipelineException($"{where}: empty '${{}}' in \"{template}\"");
                }

                parts.Add((false, name));
                i = end + 1;
            }
            else
            {
                literal.Append(template[i]);
                i++;
            }
        }

        if (literal.Length > 0 || parts.Count == 0)
        {
            parts.Add((true, literal.ToString()));
        }

        return parts;
    }
}
