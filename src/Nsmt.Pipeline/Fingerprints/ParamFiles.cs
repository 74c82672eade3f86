using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Pipeline.Fingerprints;

/// <summary>
/// Reads params files (YAML) as flat dotted keys (<c>optimizer.lr</c>), each file parsed once per run. A file
/// whose <c>defaults:</c> is a list of names (the amp configs' <c>defaults: [recipe]</c>) is read as the stage
/// reads it: the named files beside it first, then its own keys on top, so a change to a composed file
/// reaches the fingerprint of every stage that reads the composition.
/// </summary>
public sealed class ParamFiles(string root)
{
    private const int MaxDefaultsDepth = 8;

    private readonly Dictionary<string, IReadOnlyDictionary<string, ParamValue>> _files = new(StringComparer.Ordinal);

    /// <summary>Every leaf key of the file (mappings are flattened; lists and scalars are values).</summary>
    public IReadOnlyDictionary<string, ParamValue> Read(string relativePath) => Read(relativePath, []);

    private IReadOnlyDictionary<string, ParamValue> Read(string relativePath, IReadOnlyList<string> including)
    {
        if (_files.TryGetValue(relativePath, out var cached))
        {
            return cached;
        }

        if (including.Contains(relativePath, StringComparer.Ordinal) || including.Count > MaxDefaultsDepth)
        {
            throw new PipelineException($"{including[^1]}: 'defaults' includes {relativePath} again (a cycle) or nests too deep");
        }

        string full = WorkspacePath.ToFull(root, relativePath);
        if (!File.Exists(full))
        {
            throw new PipelineException($"params file {relativePath} does not exist");
        }

        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(full);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new PipelineException($"{relativePath}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16 throws these, not YamlException, on some malformed text (found by fuzzing).
            throw new PipelineException($"{relativePath}: invalid YAML: the parser stopped ({e.Message})");
        }

        var flat = new SortedDictionary<string, ParamValue>(StringComparer.Ordinal);
        if (stream.Documents.Count > 0)
        {
            if (stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                throw new PipelineException($"{relativePath}: a params file must be a mapping of keys at the top level");
            }

            var defaults = new YamlScalarNode("defaults");
            if (map.Children.TryGetValue(defaults, out var list) && list is YamlSequenceNode names)
            {
                foreach (var name in names.Children)
                {
                    if (name is not YamlScalarNode { Value.Length: > 0 } scalar)
                    {
                        throw new PipelineException($"{relativePath}:{name.Start.Line}: 'defaults' must be a list of config names beside this file");
                    }

                    string file = scalar.Value!.EndsWith(".yaml", StringComparison.Ordinal) ? scalar.Value : scalar.Value + ".yaml";
                    string sibling = (Path.GetDirectoryName(relativePath) is { Length: > 0 } dir ? dir + "/" : "") + file;
                    foreach (var (k, v) in Read(sibling, [.. including, relativePath]))
                    {
                        flat[k] = v;
                    }
                }

                map.Children.Remove(defaults);
            }

            Flatten(map, string.Empty, flat, relativePath);
        }

        _files[relativePath] = flat;
        return flat;
    }

    /// <summary>
    /// The values of <paramref name="keys"/> (all keys when empty). A key naming a mapping selects everything under it.
    /// </summary>
    public SortedDictionary<string, ParamValue> Select(string relativePath, IReadOnlyList<string> keys, string context)
    {
        var all = Read(relativePath);
        var selected = new SortedDictionary<string, ParamValue>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            foreach (var (k, v) in all)
            {
                selected[k] = v;
            }

            return selected;
        }

        foreach (string key in keys)
        {
            bool found = false;
            foreach (var (k, v) in all)
            {
                if (WorkspacePath.IsWithin(k.Replace('.', '/'), key.Replace('.', '/')))
                {
                    selected[k] = v;
                    found = true;
                }
            }

            if (!found)
            {
                throw new PipelineException($"{context}: params file {relativePath} has no key '{key}'");
            }
        }

        return selected;
    }

    /// <summary>The values a stage reads from <paramref name="source"/>, keyed as the stage sees them (with its prefix).</summary>
    public SortedDictionary<string, ParamValue> Values(Definition.ParamSource source, string context)
    {
        var selected = Select(source.File, source.Keys, context);
        if (source.Under is null)
        {
            return selected;
        }

        var prefixed = new SortedDictionary<string, ParamValue>(StringComparer.Ordinal);
        foreach (var (k, v) in selected)
        {
            prefixed[$"{source.Under}.{k}"] = v;
        }

        return prefixed;
    }

    private static void Flatten(YamlMappingNode map, string prefix, SortedDictionary<string, ParamValue> into, string file)
    {
        foreach (var (keyNode, value) in map.Children)
        {
            string key = prefix + ParamValue.KeyText(keyNode, file);
            if (value is YamlMappingNode child && child.Children.Count > 0)
            {
                Flatten(child, key + ".", into, file);
            }
            else
            {
                into[key] = ParamValue.FromYaml(value, file);
            }
        }
    }
}
