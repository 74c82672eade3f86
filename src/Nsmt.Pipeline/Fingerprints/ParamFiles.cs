using Nsmt.Config;

namespace Nsmt.Pipeline.Fingerprints;

/// <summary>
/// Reads params files (YAML) as flat dotted keys (<c>optimizer.lr</c>), each file parsed once per run, through the
/// config library the stages use, so a params file means to the pipeline what it means to the stage. A file whose
/// <c>defaults:</c> is a list of names (the amp configs' <c>defaults: [recipe]</c>) is composed as the stage composes
/// it, so a change to a composed file reaches the fingerprint of every stage that reads the composition; a
/// <c>defaults:</c> mapping (the training configs') stays an ordinary value.
/// </summary>
public sealed class ParamFiles(string root)
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, ParamValue>> _files = new(StringComparer.Ordinal);

    /// <summary>Every leaf key of the file (mappings are flattened; lists and scalars are values).</summary>
    public IReadOnlyDictionary<string, ParamValue> Read(string relativePath)
    {
        if (_files.TryGetValue(relativePath, out var cached))
        {
            return cached;
        }

        var full = WorkspacePath.ToFull(root, relativePath);
        if (!File.Exists(full))
        {
            throw new PipelineException($"params file {relativePath} does not exist");
        }

        ConfigMapping composed;
        try
        {
            composed = SiblingDefaults.Load(full, listOnly: false);
        }
        catch (ConfigException e)
        {
            throw new PipelineException(e.Message, e);
        }

        var flat = new SortedDictionary<string, ParamValue>(StringComparer.Ordinal);
        Flatten(composed, string.Empty, flat);
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

        foreach (var key in keys)
        {
            var found = false;
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

    private static void Flatten(ConfigMapping map, string prefix, SortedDictionary<string, ParamValue> into)
    {
        foreach (var (key, value) in map.Entries)
        {
            if (value is ConfigMapping { Entries.Count: > 0 } child)
            {
                Flatten(child, prefix + key + ".", into);
            }
            else
            {
                into[prefix + key] = ParamValue.FromNode(value);
            }
        }
    }
}
