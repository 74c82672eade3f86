namespace Nsmt.Config;

/// <summary>A node of a composed config tree; every node remembers where its value came from.</summary>
public abstract class ConfigNode
{
    protected ConfigNode(string origin) => Origin = origin;

    /// <summary>file:line:column (or the override) that set this value, for error messages.</summary>
    public string Origin { get; }

    public abstract ConfigNode Clone();
}

/// <summary>A single value: the text as written, and whether it was a plain (unquoted) YAML scalar.</summary>
public sealed class ConfigScalar(string text, string origin, bool plain = true) : ConfigNode(origin)
{
    public string Text { get; } = text;
    public bool Plain { get; } = plain;

    /// <summary>YAML's null (~, null or empty, unquoted).</summary>
    public bool IsNull => Plain && Text is "" or "~" or "null" or "Null" or "NULL";

    public override ConfigNode Clone() => new ConfigScalar(Text, Origin, Plain);
}

/// <summary>A list of values.</summary>
public sealed class ConfigSequence(IReadOnlyList<ConfigNode> items, string origin) : ConfigNode(origin)
{
    public IReadOnlyList<ConfigNode> Items { get; } = items;

    public override ConfigNode Clone() => new ConfigSequence([.. Items.Select(i => i.Clone())], Origin);
}

/// <summary>An insertion-ordered mapping (order is kept when the resolved config is written back).</summary>
public sealed class ConfigMapping(string origin) : ConfigNode(origin)
{
    private readonly List<KeyValuePair<string, ConfigNode>> _entries = [];

    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries => _entries;

    /// <summary>
    /// Written on one line by <see cref="ConfigYaml.Write"/> (<c>{a: 1, b: 2}</c>): for small records of scalars, such as
    /// the pipeline lock's outputs, that read best as one line each. Reading does not set it.
    /// </summary>
    public bool WrittenInFlow { get; init; }

    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    public ConfigNode? this[string key] => _entries.FirstOrDefault(e => e.Key == key).Value;

    public void Set(string key, ConfigNode value)
    {
        var i = _entries.FindIndex(e => e.Key == key);
        if (i >= 0)
        {
            _entries[i] = KeyValuePair.Create(key, value);
        }
        else
        {
            _entries.Add(KeyValuePair.Create(key, value));
        }
    }

    public bool Remove(string key) => _entries.RemoveAll(e => e.Key == key) > 0;

    /// <summary>Adds a key at <paramref name="index"/> (e.g. defaults: first, where readers expect it).</summary>
    public void Insert(int index, string key, ConfigNode value)
    {
        Remove(key);
        _entries.Insert(index, KeyValuePair.Create(key, value));
    }

    public override ConfigNode Clone()
    {
        var copy = new ConfigMapping(Origin) { WrittenInFlow = WrittenInFlow };
        foreach (var (key, value) in _entries)
        {
            copy.Set(key, value.Clone());
        }

        return copy;
    }

    /// <summary>Merges <paramref name="overlay"/> into this mapping: mappings merge key by key, anything else replaces.</summary>
    public void Merge(ConfigMapping overlay)
    {
        foreach (var (key, value) in overlay.Entries)
        {
            if (this[key] is ConfigMapping mine && value is ConfigMapping theirs)
            {
                mine.Merge(theirs);
            }
            else
            {
                Set(key, value.Clone());
            }
        }
    }

    /// <summary>Every leaf with its dotted path, in order.</summary>
    public IEnumerable<(string Path, ConfigNode Node)> Leaves(string prefix = "")
    {
        foreach (var (key, value) in _entries)
        {
            var path = prefix.Length == 0 ? key : prefix + "." + key;
            if (value is ConfigMapping m && m._entries.Count > 0)
            {
                foreach (var leaf in m.Leaves(path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (path, value);
            }
        }
    }
}
