namespace Nsmt.Config;

/// <summary>
/// A config file that starts from others, Hydra's way for flat config folders: <c>defaults: [recipe]</c> names
/// configs beside the file (".yaml" optional) whose keys it inherits, later ones and then its own keys winning.
/// The amp configs compose like this, and the pipeline reads params files the same way so that a change to a
/// composed file reaches the fingerprint of every stage that reads it.
/// </summary>
public static class SiblingDefaults
{
    /// <summary>Composition deeper than this is a cycle or a mistake, not a recipe.</summary>
    public const int MaxDepth = 8;

    /// <summary>
    /// Reads <paramref name="path"/> and the files its <c>defaults:</c> list names, merged. With
    /// <paramref name="listOnly"/> a <c>defaults:</c> that is not a list is an error; without it, it stays an
    /// ordinary key (the training configs' <c>defaults:</c> mapping is the Hydra composer's business).
    /// </summary>
    public static ConfigMapping Load(string path, bool listOnly = true) => Load(path, listOnly, []);

    /// <summary>Text given inline has no folder to find siblings in: a <c>defaults:</c> list there is an error.</summary>
    public static ConfigMapping Parse(string text, string name)
    {
        var body = ConfigYaml.Parse(text, name);
        if (body["defaults"] is { } list)
        {
            throw new ConfigException(
                $"{list.Origin}: 'defaults' needs a config file to resolve names against (not text given inline)"
            );
        }

        return body;
    }

    private static ConfigMapping Load(string path, bool listOnly, IReadOnlyList<string> including)
    {
        var body = ConfigYaml.ReadFile(path);
        var list = body["defaults"];
        if (list is null || (!listOnly && list is not ConfigSequence))
        {
            return body;
        }

        if (list is not ConfigSequence { Items: var items } || items.Any(i => i is not ConfigScalar { IsNull: false }))
        {
            throw new ConfigException(
                $"{list.Origin}: 'defaults' must be a list of config names beside this file, like [recipe]"
            );
        }

        var chain = (IReadOnlyList<string>)[.. including, Path.GetFullPath(path)];
        if (chain.Count > MaxDepth)
        {
            throw new ConfigException($"{list.Origin}: 'defaults' nested more than {MaxDepth} files deep");
        }

        var composed = new ConfigMapping(body.Origin);
        var directory = Path.GetDirectoryName(path) ?? ".";
        foreach (var item in items.Cast<ConfigScalar>())
        {
            var file = Path.Combine(
                directory,
                item.Text.EndsWith(".yaml", StringComparison.Ordinal) ? item.Text : item.Text + ".yaml"
            );
            var full = Path.GetFullPath(file);
            if (chain.Contains(full, StringComparer.Ordinal))
            {
                throw new ConfigException($"{item.Origin}: 'defaults' entry '{item.Text}' includes itself ({full})");
            }

            if (!File.Exists(full))
            {
                throw new ConfigException($"{item.Origin}: 'defaults' entry '{item.Text}': no config {full}");
            }

            composed.Merge(Load(file, listOnly, chain));
        }
        body.Remove("defaults");
        composed.Merge(body);
        return composed;
    }
}
