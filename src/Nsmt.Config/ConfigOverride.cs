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
/// composer takes as a group choice), <c>+key=value</c> and <c>~key</c> (Hydra's spellings: <c>~key=</c> deletes
/// too, <c>~key=value</c> only when the key holds that value). A value in brackets is parsed as a YAML list; quotes
/// make a value a string. An empty value (<c>key=</c>, <c>key=null</c>, <c>key=~</c>) is YAML's null, which the
/// config's reader accepts only for keys that may be null.
/// </summary>
public sealed record ConfigOverride(string Path, ConfigNode Value, OverrideKind Kind)
{
    private const string OriginPrefix = "override '";

    /// <summary>Whether a node's origin is a command-line override (which may name paths outside the workspace).</summary>
    public static bool IsOverride(string? origin) => origin?.StartsWith(OriginPrefix, StringComparison.Ordinal) == true;

    public static ConfigOverride Parse(string text)
    {
        var origin = $"{OriginPrefix}{Core.ShownText.Of(text)}'";
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (text.StartsWith('~'))
        {
            var deleted = (eq < 0 ? text[1..] : text[1..eq]).Trim();
            CheckPath(deleted, text, "~model.scheduler");
            // ~key and ~key= delete whatever the key holds; ~key=value only that value (Hydra's rule).
            var expected = eq < 0 ? "" : text[(eq + 1)..].Trim();
            return new ConfigOverride(deleted, new ConfigScalar(expected, origin), OverrideKind.Delete);
        }
        if (eq <= 0)
        {
            throw new ConfigException(
                $"override '{Core.ShownText.Of(text)}': expected key=value, +key=value or ~key (e.g. trainer.max_epochs=3)"
            );
        }

        var add = text[0] == '+';
        var path = text[(add ? 1 : 0)..eq].Trim();
        CheckPath(path, text, "model.optimizer.lr");
        var raw = text[(eq + 1)..].Trim();
        var value =
            raw.StartsWith('[') && raw.EndsWith(']')
                ? ConfigYaml.Parse("v: " + raw, origin)["v"]!
                : new ConfigScalar(raw.Trim('"', '\''), origin, !(raw.Length >= 2 && raw[0] is '"' or '\''));
        return new ConfigOverride(path, value, add ? OverrideKind.Add : OverrideKind.Set);
    }

    private static void CheckPath(string path, string text, string example)
    {
        if (path.Length == 0 || path.Split('.').Any(p => p.Length == 0 || p.Any(char.IsWhiteSpace)))
        {
            throw new ConfigException($"override '{Core.ShownText.Of(text)}': expected a dotted key such as {example}");
        }
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
                    throw new ConfigException(
                        $"{Value.Origin}: '{string.Join('.', parts[..(i + 1)])}' is a value, not a group of keys"
                    );
            }
        }
        var last = parts[^1];
        if (Kind == OverrideKind.Delete)
        {
            Delete(map, last, string.Join('.', parts[..^1]));
            return;
        }
        if (map[last] is null && !create)
        {
            throw Unknown(Path, map, string.Join('.', parts[..^1]));
        }
        // Hydra's rule: + adds a key; changing one that exists is key=value, so a typo'd intent is not hidden.
        if (Kind == OverrideKind.Add && map[last] is { } existing)
        {
            throw new ConfigException(
                $"{Value.Origin}: key '{Core.ShownText.Of(Path)}' already exists (set at {existing.Origin}); change it with {Core.ShownText.Of(Path)}=..., + only adds a new key"
            );
        }

        if (map[last] is ConfigMapping { Entries.Count: > 0 } group && Value is ConfigScalar { IsNull: false })
        {
            throw new ConfigException(
                $"{Value.Origin}: '{Path}' is a group of keys ({string.Join(", ", group.Keys)}); set one of them"
            );
        }

        map.Set(last, Value);
    }

    private void Delete(ConfigMapping map, string key, string parentPath)
    {
        var expected = ((ConfigScalar)Value).Text;
        switch (map[key])
        {
            case null:
                throw Unknown(Path, map, parentPath);
            case ConfigScalar current when expected.Length > 0 && current.Text != expected.Trim('"', '\''):
                throw new ConfigException(
                    $"{Value.Origin}: key '{Path}' holds '{Core.ShownText.Of(current.Text)}' (set at {current.Origin}), not '{Core.ShownText.Of(expected)}'; ~{Path} deletes it whatever it holds"
                );
            case not ConfigScalar when expected.Length > 0:
                throw new ConfigException(
                    $"{Value.Origin}: key '{Path}' is not a single value; ~{Path} deletes it whatever it holds"
                );
            default:
                map.Remove(key);
                break;
        }
    }

    private ConfigException Unknown(string path, ConfigMapping parent, string parentPath)
    {
        var siblings = parent.Keys.Select(k => parentPath.Length == 0 ? k : parentPath + "." + k);
        var shown = Core.ShownText.Of(path);
        var hint = Kind == OverrideKind.Delete ? "" : $" (use +{shown}=... to add a new key)";
        var suggestion = path.Length <= Core.ShownText.MaxLength ? Core.NearestName.Suggestion(path, siblings) : "";
        return new ConfigException($"{Value.Origin}: unknown key '{shown}'{suggestion}{hint}");
    }
}
