using System.Globalization;
using System.Text;
using Nsmt.Spectral.Data.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Spectral.Training.Config;

/// <summary>Reads YAML files into config trees and writes trees back as deterministic YAML.</summary>
public static class ConfigYaml
{
    public static ConfigMapping ReadFile(string path)
    {
        string text;
        try
        {
            text = YamlGuard.ReadText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read config: {e.Message}");
        }
        return Parse(text, path);
    }

    public static ConfigMapping Parse(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{path}:{e.Start.Line}: invalid YAML: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16 throws these, not YamlException, on some malformed text (found by fuzzing).
            throw new ConfigException($"{path}: invalid YAML: the parser stopped ({e.Message})");
        }
        if (stream.Documents.Count == 0)
            return new ConfigMapping(path);
        // Before converting: the conversion expands aliases and would take gigabytes on an alias bomb.
        if (YamlGuard.FindProblem(stream) is { } problem)
            throw new ConfigException($"{path}:{problem.Line}: {problem.Message}");
        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode root => Convert(root, path, ""),
            YamlScalarNode { Value: null or "" } => new ConfigMapping(path),
            var other => throw new ConfigException($"{path}:{other.Start.Line}: the top level must be a mapping of keys"),
        };
    }

    private static ConfigMapping Convert(YamlMappingNode node, string path, string prefix)
    {
        var map = new ConfigMapping($"{path}:{node.Start.Line}");
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? throw new ConfigException($"{path}:{keyNode.Start.Line}: keys must be plain strings");
            var full = prefix.Length == 0 ? key : prefix + "." + key;
            if (map[key] is not null)
                throw new ConfigException($"{path}:{keyNode.Start.Line}: duplicate key '{full}'");
            map.Set(key, ConvertValue(valueNode, path, full));
        }
        return map;
    }

    private static ConfigNode ConvertValue(YamlNode node, string path, string full) => node switch
    {
        YamlMappingNode m => Convert(m, path, full),
        YamlScalarNode s => new ConfigScalar(s.Value ?? "", $"{path}:{s.Start.Line}", s.Style is ScalarStyle.Plain or ScalarStyle.Any),
        YamlSequenceNode q => new ConfigSequence([.. q.Children.Select((c, i) => ConvertValue(c, path, $"{full}[{i}]"))], $"{path}:{q.Start.Line}"),
        _ => throw new ConfigException($"{path}:{node.Start.Line}: '{full}' has an unsupported YAML node"),
    };

    /// <summary>Block-style YAML in the tree's order; strings that YAML would misread are quoted.</summary>
    public static string Write(ConfigMapping root)
    {
        var sb = new StringBuilder();
        WriteMapping(sb, root, 0);
        return sb.ToString();
    }

    private static void WriteMapping(StringBuilder sb, ConfigMapping map, int indent)
    {
        foreach (var (key, value) in map.Entries)
        {
            sb.Append(' ', indent).Append(key).Append(':');
            switch (value)
            {
                case ConfigMapping m when m.Entries.Count > 0:
                    sb.Append('\n');
                    WriteMapping(sb, m, indent + 2);
                    break;
                case ConfigMapping:
                    sb.Append(" {}\n");
                    break;
                case ConfigSequence q:
                    sb.Append(" [").Append(string.Join(", ", q.Items.Select(FlowItem))).Append("]\n");
                    break;
                case ConfigScalar s:
                    sb.Append(' ').Append(Scalar(s)).Append('\n');
                    break;
            }
        }
    }

    private static string FlowItem(ConfigNode node) => node switch
    {
        ConfigScalar s => Scalar(s),
        ConfigSequence q => "[" + string.Join(", ", q.Items.Select(FlowItem)) + "]",
        _ => throw new ConfigException($"{node.Origin}: lists of mappings are not supported in configs"),
    };

    private static string Scalar(ConfigScalar s)
    {
        if (s.IsNull)
            return "null";
        if (s.Plain && NeedsNoQuotes(s.Text))
            return s.Text;
        return "'" + s.Text.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static bool NeedsNoQuotes(string text) =>
        text.Length > 0 && !text.Any(c => c is ':' or '#' or '{' or '}' or '[' or ']' or ',' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`')
        && !char.IsWhiteSpace(text[0]) && !char.IsWhiteSpace(text[^1]) && text[0] != '-' || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
