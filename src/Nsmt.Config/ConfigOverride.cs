namespace Nsmt.Config;

/// <summary>What an override does: set an existing key, add a new one (<c>+key=value</c>) or delete one (<c>~key</c>).</summary>
public enum OverrideKind
{
    Set,
    Add,
    Delete,
}

/// <summary>
/// One command-line override, parsed once for every program: <c>key=value</c> (also <c>group=name</c>, which the
/// composer takes as a group choice), <c>+key=value</c> and <c>~key</c>. A value in brackets is parsed as a YAML
/// list; quotes make a value a string.
/// </summary>
public sealed record ConfigOverride(string Path, ConfigNode Value, OverrideKind Kind)
{
    private const string OriginPrefix = "override '";

    /// <summary>Whether a node's origin is a command-line override (which may name paths outside the workspace).</summary>
    public static bool IsOverride(string? origin) => origin?.StartsWith(OriginPrefix, StringComparison.Ordinal) == true;

    public static ConfigOverride Parse(string text)
    {
        var origin = $"{OriginPrefix}{text}'";
        if (text.StartsWith('~'))
        {
            var deleted = text[1..].Trim();
            CheckPath(deleted, text, "~model.scheduler");
            return new ConfigOverride(deleted, new ConfigScalar("", origin), OverrideKind.Delete);
        }
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
            throw new ConfigException($"override '{text}': expected key=value, +key=value or ~key (e.g. trainer.max_epochs=3)");
        var add = text[0] == '+';
        var path = text[(add ? 1 : 0)..eq].Trim();
        CheckPath(path, text, "model.optimizer.lr");
        var raw = text[(eq + 1)..].Trim();
        ConfigNode value = raw.StartsWith('[') && raw.EndsWith(']')
            ? ConfigYaml.Parse("v: " + raw, origin)["v"]!
            : new ConfigScalar(raw.Trim('"', '\''), origin, !(raw.Length >= 2 && raw[0] is '"' or '\''));
        return new ConfigOverride(path, value, add ? OverrideKind.Add : OverrideKind.Set);
    }

    private static void CheckPath(string path, string text, string example)
    {
        if (path.Length == 0 || path.Split('.').Any(p => p.Length == 0 || p.Any(char.IsWhiteSpace)))
            throw new ConfigException($"override '{text}': expected a dotted key such as {example}");
    }

    /// <summary>
    /// Applies the override. With <paramref name="strict"/> (Hydra's rule, for composed configs that hold every
    /// key) a plain <c>key=value</c> must name an existing key; without it (configs whose defaults live in code)
    /// any key may be set and the binder's unknown-key check names a misspelt one.
    /// </summary>
    public void ApplyTo(ConfigMapping root, bool strict = true)
    {
        var parts = Path.Split('.');
        var map = root;
        var create = Kind == OverrideKind.Add || !strict;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            switch (map[parts[i]])
            {
                case ConfigMapping child:
                    map = child;
                    break;
                case null when Kind == OverrideKind.Delete:
                    throw Unknown(string.Join('.', parts[..(i + 1)]), map, string.Join('.', parts[..i]));
                case null or ConfigScalar { IsNull: true } when create:
                    var created = new ConfigMapping(Value.Origin);
                    map.Set(parts[i], created);
                    map = created;
                    break;
                case null:
                    throw Unknown(string.Join('.', parts[..(i + 1)]), map, string.Join('.', parts[..i]));
                default:
                    throw new ConfigException($"{Value.Origin}: '{string.Join('.', parts[..(i + 1)])}' is a value, not a group of keys");
            }
        }
        var last = parts[^1];
        if (Kind == OverrideKind.Delete)
        {
            if (!map.Remove(last))
                throw Unknown(Path, map, string.Join('.', parts[..^1]));
            return;
        }
        if (map[last] is null && !create)
            throw Unknown(Path, map, string.Join('.', parts[..^1]));
        if (map[last] is ConfigMapping { Entries.Count: > 0 } group && Value is ConfigScalar { IsNull: false })
            throw new ConfigException($"{Value.Origin}: '{Path}' is a group of keys ({string.Join(", ", group.Keys)}); set one of them");
        map.Set(last, Value);
    }

    private ConfigException Unknown(string path, ConfigMapping parent, string parentPath)
    {
        var siblings = parent.Keys.Select(k => parentPath.Length == 0 ? k : parentPath + "." + k);
        var hint = Kind == OverrideKind.Delete ? "" : $" (use +{path}=... to add a new key)";
        return new ConfigException($"{Value.Origin}: unknown key '{path}'{Core.NearestName.Suggestion(path, siblings)}{hint}");
    }
}
