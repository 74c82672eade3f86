using System.Globalization;
using Nsmt.Spectral.Data.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Amp.Training.Config;

/// <summary>A config error; the message names the file (and line) or override and the field.</summary>
public sealed class AmpConfigException(string message) : Exception(message);

/// <summary>
/// A YAML config flattened to dotted keys (<c>training.lr</c>), with <c>key=value</c> overrides on
/// top. A file may start from others, Hydra's way: <c>defaults: [recipe]</c> names configs beside it
/// (".yaml" optional) whose keys it inherits, later ones and then its own keys winning, so a recipe lives
/// in one file. Typed reads mark keys as used; <see cref="RejectUnknown"/> then fails on the first key
/// nobody asked for, so a typo never silently does nothing.
/// </summary>
internal sealed class ConfigSource
{
    private readonly Dictionary<string, (string? value, string origin)> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    private ConfigSource(string name) => Name = name;

    /// <summary>The file (or "overrides") the config came from, for messages.</summary>
    public string Name { get; }

    /// <summary>Composition deeper than this is a cycle or a mistake, not a recipe.</summary>
    private const int MaxDefaultsDepth = 8;

    /// <summary>Every config file read, the composed ones first (what a pipeline stage depends on).</summary>
    public IReadOnlyList<string> Files => files;

    private readonly List<string> files = [];

    public static ConfigSource FromYaml(string text, string name) => FromYaml(text, name, []);

    private static ConfigSource FromYaml(string text, string name, IReadOnlyList<string> including)
    {
        var source = new ConfigSource(name);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new AmpConfigException($"{name}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16 throws these, not YamlException, on some malformed text (found by fuzzing).
            throw new AmpConfigException($"{name}: invalid YAML: the parser stopped ({e.Message})");
        }

        if (stream.Documents.Count == 0)
        {
            return source;
        }

        // Before flattening: flattening expands aliases and would take gigabytes on an alias bomb.
        if (YamlGuard.FindProblem(stream) is { } problem)
        {
            throw new AmpConfigException($"{name}:{problem.Line}: {problem.Message}");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new AmpConfigException($"{name}: the top level must be a mapping of keys (data:, model:, training:, ...)");
        }

        var defaults = new YamlScalarNode("defaults");
        if (root.Children.TryGetValue(defaults, out var inherited))
        {
            source.Inherit(inherited, name, including);
            root.Children.Remove(defaults);
        }

        source.Flatten(root);
        return source;
    }

    public static ConfigSource FromFile(string path) => FromFile(path, []);

    private static ConfigSource FromFile(string path, IReadOnlyList<string> including)
    {
        string text;
        try
        {
            text = YamlGuard.ReadText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AmpConfigException($"{path}: cannot read config: {e.Message}");
        }

        var source = FromYaml(text, path, [.. including, Path.GetFullPath(path)]);
        source.files.Add(path);
        return source;
    }

    /// <summary>Loads the configs a <c>defaults:</c> list names, in order, into this (still empty) source.</summary>
    private void Inherit(YamlNode list, string name, IReadOnlyList<string> including)
    {
        string origin = $"{name}:{list.Start.Line}";
        if (list is not YamlSequenceNode sequence || sequence.Children.Any(c => c is not YamlScalarNode { Value.Length: > 0 }))
        {
            throw new AmpConfigException($"{origin}: 'defaults' must be a list of config names beside this file, like [recipe]");
        }

        if (including.Count == 0)
        {
            throw new AmpConfigException($"{origin}: 'defaults' needs a config file to resolve names against (not text given inline)");
        }

        if (including.Count > MaxDefaultsDepth)
        {
            throw new AmpConfigException($"{origin}: 'defaults' nested more than {MaxDefaultsDepth} files deep");
        }

        string directory = Path.GetDirectoryName(including[^1])!;
        foreach (YamlScalarNode item in sequence.Children.Cast<YamlScalarNode>())
        {
            string file = Path.Combine(directory, item.Value!.EndsWith(".yaml", StringComparison.Ordinal) ? item.Value : item.Value + ".yaml");
            string full = Path.GetFullPath(file);
            if (including.Contains(full, StringComparer.Ordinal))
            {
                throw new AmpConfigException($"{name}:{item.Start.Line}: 'defaults' entry '{item.Value}' includes itself ({full})");
            }

            if (!File.Exists(full))
            {
                throw new AmpConfigException($"{name}:{item.Start.Line}: 'defaults' entry '{item.Value}': no config {full}");
            }

            var inherited = FromFile(file, including);
            foreach (var (key, value) in inherited.values)
            {
                values[key] = value;
            }

            files.AddRange(inherited.files);
        }
    }

    /// <summary>Applies <c>key=value</c> overrides (dotted keys; "null" clears a value).</summary>
    public void Override(IEnumerable<string> overrides)
    {
        foreach (string item in overrides)
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new AmpConfigException($"override '{item}': expected key=value");
            }

            string key = item[..eq].Trim();
            string value = item[(eq + 1)..].Trim();
            if (values.Keys.Any(k => k.StartsWith(key + ".", StringComparison.Ordinal)))
            {
                throw new AmpConfigException($"override '{item}': '{key}' is a section; override its keys ({key}.xxx=...)");
            }

            values[key] = (IsNull(value) ? null : value, $"override '{item}'");
        }
    }

    public bool Has(string key)
    {
        used.Add(key);
        return values.TryGetValue(key, out var v) && v.value is not null;
    }

    public string? String(string key, string? fallback = null)
    {
        used.Add(key);
        return values.TryGetValue(key, out var v) ? v.value ?? fallback : fallback;
    }

    public string Choice(string key, string fallback, params string[] allowed)
    {
        string value = String(key, fallback)!;
        return allowed.Contains(value, StringComparer.Ordinal) ? value : throw Error(key, "one of " + string.Join(", ", allowed), value);
    }

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        string? text = String(key);
        if (text is null)
        {
            return fallback;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) && v >= min && v <= max
            ? (int)v
            : throw Error(key, $"an integer in [{min}, {max}]", text);
    }

    public double Double(string key, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        double? value = NullableDouble(key, min, max);
        return value ?? fallback;
    }

    public double? NullableDouble(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        string? text = String(key);
        if (text is null)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v >= min && v <= max
            ? v
            : throw Error(key, $"a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]", text);
    }

    public bool Bool(string key, bool fallback)
    {
        string? text = String(key);
        return text?.ToLowerInvariant() switch
        {
            null => fallback,
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(key, "true or false", text),
        };
    }

    public IReadOnlyList<int> IntList(string key, IReadOnlyList<int> fallback)
    {
        string? text = String(key);
        if (text is null)
        {
            return fallback;
        }

        var parts = text.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = new List<int>();
        foreach (string part in parts)
        {
            result.Add(int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
                ? v
                : throw Error(key, "a list of integers like [1, 2, 4]", text));
        }

        return result;
    }

    /// <summary>
    /// Fails if the config sets <paramref name="key"/> or any key under it: it does not apply to the choice
    /// made elsewhere (<paramref name="why"/> says which), and silently ignoring it would hide a mistake.
    /// </summary>
    public void NotApplicable(string key, string why)
    {
        foreach (var (k, (_, origin)) in values)
        {
            if (k == key || k.StartsWith(key + ".", StringComparison.Ordinal))
            {
                throw new AmpConfigException($"{origin}: field '{k}' {why}");
            }
        }
    }

    /// <summary>Fails on the first key no typed read asked for, naming it and where it came from.</summary>
    public void RejectUnknown()
    {
        foreach (var (key, (_, origin)) in values)
        {
            if (!used.Contains(key))
            {
                throw new AmpConfigException($"{origin}: unknown key '{key}'");
            }
        }
    }

    public AmpConfigException Error(string key, string expected, string got)
    {
        string origin = values.TryGetValue(key, out var v) ? v.origin : Name;
        return new AmpConfigException($"{origin}: field '{key}': expected {expected}, got '{got}'");
    }

    private static bool IsNull(string value) => value is "null" or "~" or "";

    /// <summary>Adds the file's keys, replacing inherited ones; a key twice in the same file is an error.</summary>
    private void Flatten(YamlMappingNode root) => FlattenInto(root, "", new HashSet<string>(StringComparer.Ordinal));

    private void FlattenInto(YamlMappingNode node, string prefix, HashSet<string> own)
    {
        foreach (var (keyNode, valueNode) in node.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value
                ?? throw new AmpConfigException($"{Name}:{keyNode.Start.Line}: keys must be plain strings");
            string full = prefix.Length == 0 ? key : prefix + "." + key;
            string origin = $"{Name}:{keyNode.Start.Line}";
            if (!own.Add(full))
            {
                throw new AmpConfigException($"{origin}: duplicate key '{full}'");
            }

            switch (valueNode)
            {
                case YamlMappingNode map:
                    FlattenInto(map, full, own);
                    break;
                case YamlScalarNode scalar:
                    string text = scalar.Value ?? "";
                    values[full] = (scalar.Style == ScalarStyle.Plain && IsNull(text) ? null : text, origin);
                    break;
                case YamlSequenceNode sequence:
                    var items = sequence.Children.Select(c => (c as YamlScalarNode)?.Value
                        ?? throw new AmpConfigException($"{origin}: '{full}' must be a list of values"));
                    values[full] = ("[" + string.Join(", ", items) + "]", origin);
                    break;
            }
        }
    }
}
