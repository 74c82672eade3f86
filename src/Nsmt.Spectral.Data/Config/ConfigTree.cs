using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Spectral.Data.Config;

/// <summary>A scalar from YAML or a key=value override, with where it came from for error messages.</summary>
internal sealed record ConfigScalar(string Text, bool Plain, string Origin);

/// <summary>An insertion-ordered mapping of config keys (order matters: it is the parameter order).</summary>
internal sealed class ConfigMap
{
    public List<KeyValuePair<string, object>> Entries { get; } = [];

    public object? Get(string key) => Entries.FirstOrDefault(e => e.Key == key).Value;

    public void Set(string key, object value)
    {
        int i = Entries.FindIndex(e => e.Key == key);
        if (i >= 0)
        {
            Entries[i] = KeyValuePair.Create(key, value);
        }
        else
        {
            Entries.Add(KeyValuePair.Create(key, value));
        }
    }

    public static ConfigMap FromYamlFile(string path)
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

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{path}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16 throws these, not YamlException, on some malformed text (found by fuzzing).
            throw new ConfigException($"{path}: invalid YAML: the parser stopped ({e.Message})");
        }

        if (stream.Documents.Count == 0)
        {
            throw new ConfigException($"{path}: the config file is empty");
        }

        if (YamlGuard.FindProblem(stream) is { } problem)
        {
            throw new ConfigException($"{path}:{problem.Line}: {problem.Message}");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigException($"{path}: the top level must be a mapping of keys (dataset:, stft:, ...)");
        }

        return Convert(root, path, "");
    }

    private static ConfigMap Convert(YamlMappingNode node, string path, string prefix)
    {
        var map = new ConfigMap();
        foreach ((YamlNode keyNode, YamlNode valueNode) in node.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value
                ?? throw new ConfigException($"{path}:{keyNode.Start.Line}: keys must be plain strings");
            string full = prefix.Length == 0 ? key : prefix + "." + key;
            if (map.Get(key) is not null)
            {
                throw new ConfigException($"{path}:{keyNode.Start.Line}: duplicate key '{full}'");
            }

            object value = valueNode switch
            {
                YamlMappingNode m => Convert(m, path, full),
                YamlScalarNode s => new ConfigScalar(s.Value ?? "", s.Style == ScalarStyle.Plain, $"{path}:{s.Start.Line}"),
                _ => throw new ConfigException($"{path}:{valueNode.Start.Line}: '{full}' must be a value or a mapping, not a list"),
            };
            map.Entries.Add(KeyValuePair.Create(key, value));
        }

        return map;
    }
}
