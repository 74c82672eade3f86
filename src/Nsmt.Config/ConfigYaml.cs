using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Config;

/// <summary>
/// Reads YAML files into config trees whose every node knows its file:line:column, and writes trees back as
/// deterministic YAML. Reading is safe by construction: files over <see cref="YamlGuard.MaxFileBytes"/> are not read,
/// and <see cref="YamlGuard"/> refuses alias bombs, deep nesting and object-constructing tags before the document is
/// converted (the conversion is what would expand aliases).
/// </summary>
public static partial class ConfigYaml
{
    /// <summary>
    /// Reads a config file. An empty file (or one of comments only) is an error: it would run every setting's code
    /// default, which is never what a file named on purpose means.
    /// </summary>
    public static ConfigMapping ReadFile(string path) =>
        ToMapping(ReadDocument(ReadText(path), path), path)
        ?? throw new ConfigException($"{path}: the config file is empty (expected a mapping of keys, e.g. 'seed: 0')");

    /// <summary>
    /// Parses <paramref name="text"/>; <paramref name="path"/> is the name origins and messages use.
    /// <paramref name="maxValues"/>: see <see cref="YamlGuard.FindProblem(YamlNode, long)"/>.
    /// </summary>
    public static ConfigMapping Parse(string text, string path, long maxValues = YamlGuard.MaxExpandedNodes) =>
        ToMapping(ReadDocument(text, path, maxValues), path) ?? new ConfigMapping(path);

    /// <summary>The document as a mapping; null for an empty one.</summary>
    private static ConfigMapping? ToMapping(YamlNode? document, string path) =>
        document switch
        {
            null or YamlScalarNode { Value: null or "" } => null,
            YamlMappingNode root => Convert(root, path, ""),
            var other => throw new ConfigException($"{Origin(path, other)}: the top level must be a mapping of keys"),
        };

    /// <summary>
    /// The first document's root node, checked by <see cref="YamlGuard"/> (so walking it cannot blow up), or null
    /// for an empty text. For YAML files that are not configs but need the same safety (pipeline definitions).
    /// </summary>
    public static YamlNode? ReadDocument(string text, string path, long maxValues = YamlGuard.MaxExpandedNodes)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException(
                $"{path}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}",
                e
            );
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16 throws these, not YamlException, on some malformed text (found by fuzzing).
            throw new ConfigException($"{path}: invalid YAML: the parser stopped ({e.Message})", e);
        }
        if (stream.Documents.Count == 0)
        {
            return null;
        }
        // Readers use one document; a second one ('---') would be silently ignored.
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw new ConfigException(
                $"{Origin(path, second)}: a second YAML document ('---'): a config is one document (merge them or split the file)"
            );
        }
        // Before converting: the conversion expands aliases and would take gigabytes on an alias bomb.
        if (YamlGuard.FindProblem(stream.Documents[0].RootNode, maxValues) is { } problem)
        {
            throw new ConfigException($"{path}:{problem.Line}:{problem.Column}: {problem.Message}");
        }

        return stream.Documents[0].RootNode;
    }

    /// <summary>The file's text as <see cref="ReadFile"/> reads it: at most <see cref="YamlGuard.MaxFileBytes"/>.</summary>
    public static string ReadText(string path)
    {
        // .NET reports a directory as "Access to the path is denied", which sends people to check permissions.
        if (Directory.Exists(path))
        {
            throw new ConfigException($"{path}: cannot read config: it is a directory (expected a YAML file)");
        }

        try
        {
            return YamlGuard.ReadText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException($"{path}: cannot read config: no such file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read config: {e.Message}", e);
        }
    }

    private static string Origin(string path, YamlNode node) => $"{path}:{node.Start.Line}:{node.Start.Column}";

    private static ConfigMapping Convert(YamlMappingNode node, string path, string prefix)
    {
        var map = new ConfigMapping(Origin(path, node));
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value
                ?? throw new ConfigException($"{Origin(path, keyNode)}: keys must be plain strings");
            var full = prefix.Length == 0 ? key : prefix + "." + key;
            if (map[key] is not null)
            {
                throw new ConfigException($"{Origin(path, keyNode)}: duplicate key '{full}'");
            }

            map.Set(key, ConvertValue(valueNode, path, full));
        }
        return map;
    }

    private static ConfigNode ConvertValue(YamlNode node, string path, string full) =>
        node switch
        {
            YamlMappingNode m => Convert(m, path, full),
            YamlScalarNode s => new ConfigScalar(
                s.Value ?? "",
                Origin(path, s),
                s.Style is ScalarStyle.Plain or ScalarStyle.Any
            ),
            YamlSequenceNode q => new ConfigSequence(
                [.. q.Children.Select((c, i) => ConvertValue(c, path, $"{full}[{i}]"))],
                Origin(path, q)
            ),
            _ => throw new ConfigException($"{Origin(path, node)}: '{full}' has an unsupported YAML node"),
        };

    /// <summary>
    /// Block-style YAML in the tree's order (a mapping marked <see cref="ConfigMapping.WrittenInFlow"/> on one line);
    /// strings that YAML would misread are quoted, keys only where YAML needs it, so every tree reads back as itself.
    /// </summary>
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
            sb.Append(' ', indent).Append(Key(key, flow: false)).Append(':');
            switch (value)
            {
                case ConfigMapping { WrittenInFlow: true } m:
                    sb.Append(' ').Append(FlowText(m)).Append('\n');
                    break;
                case ConfigMapping m when m.Entries.Count > 0:
                    sb.Append('\n');
                    WriteMapping(sb, m, indent + 2);
                    break;
                case ConfigMapping:
                    sb.Append(" {}\n");
                    break;
                case ConfigSequence q:
                    sb.Append(' ').Append(FlowItem(q)).Append('\n');
                    break;
                case ConfigScalar s:
                    sb.Append(' ').Append(Scalar(s)).Append('\n');
                    break;
            }
        }
    }

    /// <summary>A node as one line of flow YAML (what follows "key: "), read back as the same node by <see cref="Parse"/>.</summary>
    public static string FlowText(ConfigNode node) =>
        node switch
        {
            ConfigMapping m => "{"
                + string.Join(", ", m.Entries.Select(e => Key(e.Key, flow: true) + ": " + FlowText(e.Value)))
                + "}",
            _ => FlowItem(node),
        };

    private static string FlowItem(ConfigNode node) =>
        node switch
        {
            ConfigScalar s => Scalar(s),
            ConfigSequence q => "[" + string.Join(", ", q.Items.Select(FlowItem)) + "]",
            _ => FlowText(node),
        };

    private static string Scalar(ConfigScalar s)
    {
        if (s.IsNull)
        {
            return "null";
        }

        // Neither plain nor single-quoted text can hold a line break or a control character (YAML folds or refuses them).
        if (s.Text.Any(char.IsControl))
        {
            return DoubleQuoted(s.Text);
        }

        // -.inf is a float of the core schema; the '-' test of NeedsNoQuotes would quote it into a string.
        if (s.Plain && (NeedsNoQuotes(s.Text) || s.Text is "-.inf" or "-.Inf" or "-.INF"))
        {
            return s.Text;
        }

        return "'" + s.Text.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A key as written: plain where YAML reads it back as the same text, else double-quoted.</summary>
    private static string Key(string key, bool flow) =>
        PlainKey().IsMatch(key)
        && !key.Contains(": ", StringComparison.Ordinal)
        && !key.Contains(" #", StringComparison.Ordinal)
        && !key.EndsWith(':')
        && !key.EndsWith(' ')
        && !(flow && key.AsSpan().IndexOfAny(",[]{}") >= 0)
            ? key
            : DoubleQuoted(key);

    /// <summary>A YAML double-quoted scalar with JSON's escapes (which YAML's double-quoted style shares).</summary>
    private static string DoubleQuoted(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\n' => sb.Append("\\n"),
                '\t' => sb.Append("\\t"),
                '\r' => sb.Append("\\r"),
                _ when char.IsControl(c) => sb.Append("\\u")
                    .Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }

        return sb.Append('"').ToString();
    }

    [GeneratedRegex(@"^[A-Za-z0-9_./@+(][A-Za-z0-9_./@+=(), :-]*$")]
    private static partial Regex PlainKey();

    private static bool NeedsNoQuotes(string text) =>
        text.Length > 0
            && !text.Any(c =>
                c
                    is ':'
                        or '#'
                        or '{'
                        or '}'
                        or '['
                        or ']'
                        or ','
                        or '&'
                        or '*'
                        or '!'
                        or '|'
                        or '>'
                        or '\''
                        or '"'
                        or '%'
                        or '@'
                        or '`'
            )
            && !char.IsWhiteSpace(text[0])
            && !char.IsWhiteSpace(text[^1])
            && text[0] != '-'
        || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
