using System.Globalization;
using Nsmt.Core;

namespace Nsmt.Config;

/// <summary>
/// Strict typed reads from a config tree, the one binder every program's config record uses: each call names a
/// key, its default (null: the key is required) and its valid range. Every key the program understands is read,
/// so any key left unread afterwards is a typo or a setting that does not exist: <see cref="RejectUnknown"/> names
/// it, where it was written, and the nearest valid key. Adding a setting to a record is one more call here.
/// </summary>
public sealed class ConfigReader(ConfigMapping root, string? file = null)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly HashSet<string> _open = new(StringComparer.Ordinal);
    private readonly ConfigMapping _resolved = new("resolved config");

    /// <summary>The config's name (file) for messages about keys that are absent.</summary>
    public string File { get; } = file ?? root.Origin;

    public ConfigMapping Root { get; } = root;

    /// <summary>
    /// What every typed read resolved to (the config's value or the caller's default), in the order the binder read
    /// them: a program's resolved config (config.yaml of a run) comes from its one binder, so a key is declared once.
    /// Free text (<see cref="OptionalString"/>) is kept quoted, so it reads back as the same string.
    /// </summary>
    public ConfigMapping Resolved => _resolved;

    /// <summary>Records (or replaces in place) the value <paramref name="path"/> resolved to; null writes YAML's null.</summary>
    public void Resolve(string path, string? text, bool plain = true) =>
        ResolveNode(
            path,
            text is null ? new ConfigScalar("null", _resolved.Origin) : new ConfigScalar(text, _resolved.Origin, plain)
        );

    /// <summary>Records (or replaces in place) the node <paramref name="path"/> resolved to: a list or a mapping as well as a value.</summary>
    public void ResolveNode(string path, ConfigNode node)
    {
        var parts = path.Split('.');
        var mapping = _resolved;
        foreach (var part in parts[..^1])
        {
            if (mapping[part] is not ConfigMapping child)
            {
                child = new ConfigMapping(_resolved.Origin);
                mapping.Set(part, child);
            }
            mapping = child;
        }
        mapping.Set(parts[^1], node);
    }

    /// <summary>Drops a key (or a group) from <see cref="Resolved"/>: read and checked, but it does not apply to this config.</summary>
    public void Prune(string path)
    {
        var parts = path.Split('.');
        var mapping = _resolved;
        foreach (var part in parts[..^1])
        {
            if (mapping[part] is not ConfigMapping child)
            {
                return;
            }

            mapping = child;
        }
        mapping.Remove(parts[^1]);
    }

    private T Keep<T>(string path, T value, Func<T, string> format)
    {
        Resolve(path, format(value));
        return value;
    }

    /// <summary>The node at <paramref name="path"/> (marked as read), or null.</summary>
    public ConfigNode? Node(string path)
    {
        _known.Add(path);
        return Find(path);
    }

    private ConfigNode? Find(string path)
    {
        ConfigNode? node = Root;
        foreach (var part in path.Split('.'))
        {
            node = (node as ConfigMapping)?[part];
        }

        return node;
    }

    /// <summary>The value at <paramref name="path"/>; null when absent or YAML null.</summary>
    public ConfigScalar? Scalar(string path) =>
        Node(path) switch
        {
            null => null,
            ConfigScalar { IsNull: true } => null,
            ConfigScalar s => s,
            var other => throw Error(path, "a single value", other is ConfigMapping ? "a mapping" : "a list", other),
        };

    /// <summary>
    /// The value of a key that cannot be null: absent means the caller's default, but an explicit null (<c>key:</c>,
    /// <c>key: ~</c>, an override <c>key=</c> or <c>key=null</c>) is an error rather than the code's default, which
    /// would silently replace the value a recipe set.
    /// </summary>
    private ConfigScalar? NonNull(string path, string expected) =>
        Node(path) switch
        {
            ConfigScalar { IsNull: true } empty => throw Error(
                path,
                expected,
                $"{(empty.Text.Length == 0 ? "an empty value" : $"'{empty.Text}'")} (this key cannot be null: give a value, or leave the key out for its default)",
                empty
            ),
            _ => Scalar(path),
        };

    /// <summary>Whether the key holds a (non-null) value.</summary>
    public bool Has(string path) => Scalar(path) is not null;

    /// <summary>A mapping whose keys the caller reads one by one (each still checked by <see cref="RejectUnknown"/>).</summary>
    public ConfigMapping? Mapping(string path)
    {
        var node = Node(path);
        return node switch
        {
            ConfigMapping m => m,
            null or ConfigScalar { IsNull: true } => null,
            ConfigScalar s => throw Error(path, "a mapping of keys", $"'{s.Text}'", s),
            _ => throw Error(path, "a mapping of keys", "a list", node),
        };
    }

    /// <summary>A mapping whose keys the caller validates itself (e.g. network settings): all of them count as read.</summary>
    public ConfigMapping? OpenMapping(string path)
    {
        var m = Mapping(path);
        if (m is not null)
        {
            _open.Add(path);
        }

        return m;
    }

    public string String(string path, string fallback) =>
        Keep(path, NonNull(path, "a value")?.Text ?? fallback, v => v);

    public string? OptionalString(string path)
    {
        var text = Scalar(path)?.Text;
        Resolve(path, text, plain: false);
        return text;
    }

    /// <summary>An integer in [min, max], or null when the key is absent or null.</summary>
    public int? NullableInt(string path, int min = int.MinValue, int max = int.MaxValue)
    {
        if (Scalar(path) is null)
        {
            Resolve(path, null);
            return null;
        }
        return Int(path, null, min, max);
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive, returned as listed); null fallback: required.</summary>
    public string Choice(string path, string? fallback, params string[] allowed)
    {
        var s = NonNull(path, "one of " + string.Join(", ", allowed));
        if (s is null)
        {
            return Keep(path, fallback ?? throw Missing(path, "one of " + string.Join(", ", allowed)), v => v);
        }

        var match = allowed.FirstOrDefault(a => string.Equals(a, s.Text, StringComparison.OrdinalIgnoreCase));
        return match is null
            ? throw Error(
                path,
                "one of " + string.Join(", ", allowed),
                $"'{s.Text}'{NearestName.Suggestion(s.Text.ToLowerInvariant(), allowed)}",
                s
            )
            : Keep(path, match, v => v);
    }

    public int Int(string path, int? fallback, int min = int.MinValue, int max = int.MaxValue) =>
        (int)Long(path, fallback, min, max);

    public long Long(string path, long? fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        var s = NonNull(path, IntegerRange(min, max));
        if (s is null)
        {
            return Keep<long>(path, fallback ?? throw Missing(path, "an integer"), Invariant);
        }

        if (
            !long.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            || v < min
            || v > max
        )
        {
            throw Error(path, IntegerRange(min, max), $"'{s.Text}'", s);
        }

        return Keep<long>(path, v, Invariant);
    }

    public ulong UInt64(string path, ulong? fallback)
    {
        var s = NonNull(path, "a non-negative integer");
        if (s is null)
        {
            return Keep(path, fallback ?? throw Missing(path, "a non-negative integer"), v =>
                v.ToString(CultureInfo.InvariantCulture)
            );
        }

        return ulong.TryParse(s.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? Keep(path, v, v => v.ToString(CultureInfo.InvariantCulture))
            : throw Error(path, "a non-negative integer", $"'{s.Text}'", s);
    }

    public double Double(
        string path,
        double? fallback,
        double min = double.NegativeInfinity,
        double max = double.PositiveInfinity
    ) =>
        Keep<double>(
            path,
            NumberIn(path, NonNull(path, NumberRange(min, max)), min, max)
                ?? fallback
                ?? throw Missing(path, "a number"),
            Invariant
        );

    /// <summary>A finite number in [min, max], or null when the key is absent or null.</summary>
    public double? NullableDouble(
        string path,
        double min = double.NegativeInfinity,
        double max = double.PositiveInfinity
    )
    {
        var value = NumberIn(path, Scalar(path), min, max);
        Resolve(path, value is { } v ? Invariant(v) : null);
        return value;
    }

    private double? NumberIn(string path, ConfigScalar? s, double min, double max)
    {
        if (s is null)
        {
            return null;
        }

        if (
            !double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            || !double.IsFinite(v)
            || v < min
            || v > max
        )
        {
            throw Error(path, NumberRange(min, max), $"'{s.Text}'", s);
        }

        return v;
    }

    private static string NumberRange(double min, double max) => $"a number in [{Format(min)}, {Format(max)}]";

    public bool Bool(string path, bool fallback)
    {
        var s = NonNull(path, "true or false");
        var value = s is null
            ? fallback
            : s.Text.ToLowerInvariant() switch
            {
                "true" or "yes" or "on" or "1" => true,
                "false" or "no" or "off" or "0" => false,
                _ => throw Error(path, "true or false", $"'{s.Text}'", s),
            };
        return Keep(path, value, v => v ? "true" : "false");
    }

    public IReadOnlyList<string> StringList(string path)
    {
        return Node(path) switch
        {
            null or ConfigScalar { IsNull: true } => [],
            ConfigSequence q =>
            [
                .. q.Items.Select(i =>
                    (i as ConfigScalar)?.Text ?? throw Error(path, "a list of values", "a nested structure", i)
                ),
            ],
            ConfigScalar s => [s.Text],
            var other => throw Error(path, "a list", "a mapping", other),
        };
    }

    /// <summary>
    /// Fails if the config sets <paramref name="path"/> or any key under it: it does not apply to a choice made
    /// elsewhere (<paramref name="why"/> says which), and silently ignoring it would hide a mistake.
    /// </summary>
    public void NotApplicable(string path, string why)
    {
        switch (Find(path))
        {
            case null:
                return;
            case ConfigMapping m:
                foreach (var (leaf, node) in m.Leaves(path))
                {
                    if (node is not ConfigMapping)
                    {
                        throw NotApplicableError(node, leaf, why);
                    }
                }
                return;
            case var node:
                throw NotApplicableError(node, path, why);
        }
    }

    /// <summary>"{origin}: field '{path}' {why}": the reason reads on from the key (e.g. "applies only to ...").</summary>
    private static ConfigException NotApplicableError(ConfigNode node, string path, string why) =>
        new($"{node.Origin}: field '{path}' {why}");

    /// <summary>Every key a read asked for so far, present in the tree or not (a key left to its default in code).</summary>
    public IReadOnlyCollection<string> AskedKeys => _known;

    /// <summary>The leaves of the tree that reads took: asked for by name, or inside a mapping read whole.</summary>
    public IEnumerable<(string Path, ConfigNode Node)> ReadLeaves() =>
        Root.Leaves()
            .Where(leaf =>
                _known.Contains(leaf.Path) || _open.Any(k => leaf.Path.StartsWith(k + ".", StringComparison.Ordinal))
            );

    /// <summary>Fails on the first key of the tree that no read asked for, suggesting the nearest known key.</summary>
    public void RejectUnknown()
    {
        foreach (var (path, node) in Root.Leaves())
        {
            if (_known.Contains(path) || _open.Any(k => path.StartsWith(k + ".", StringComparison.Ordinal)))
            {
                continue;
            }

            if (
                node is ConfigMapping { Entries.Count: 0 }
                && _known.Any(k => k.StartsWith(path + ".", StringComparison.Ordinal))
            )
            {
                continue; // an empty group such as `loss: {}`
            }

            var parent = path.Contains('.') ? path[..path.LastIndexOf('.')] : "";
            var siblings = _known.Where(k => (k.Contains('.') ? k[..k.LastIndexOf('.')] : "") == parent);
            // An override names no file itself: say which config it was applied to.
            var target =
                file is not null && ConfigOverride.IsOverride(node.Origin) ? $" (not a setting of {file})" : "";
            var suggestion = path.Length <= ShownText.MaxLength ? NearestName.Suggestion(path, siblings) : "";
            throw new ConfigException($"{node.Origin}: unknown key '{ShownText.Of(path)}'{suggestion}{target}");
        }
    }

    /// <summary>"{origin}: field '{path}': expected {expected}, got {got}", at the node or else the config file.</summary>
    public ConfigException Error(string path, string expected, string got, ConfigNode? at = null) =>
        new(at?.Origin ?? File, path, $"expected {expected}, got {got}");

    public ConfigException Missing(string path, string expected) => new(File, path, $"missing (expected {expected})");

    private static string IntegerRange(long min, long max) =>
        (min, max) switch
        {
            (long.MinValue or int.MinValue, long.MaxValue or int.MaxValue) => "an integer",
            (_, long.MaxValue or int.MaxValue) => $"an integer >= {min}",
            _ => $"an integer in [{min}, {max}]",
        };

    /// <summary>Round-trip form, as config.yaml records numbers.</summary>
    private static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Format(double v) =>
        double.IsInfinity(v) ? (v > 0 ? "inf" : "-inf") : v.ToString(CultureInfo.InvariantCulture);
}
