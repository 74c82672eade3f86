using Nsmt.Core;
using System.Globalization;
using Nsmt.Neural;
using Nsmt.Spectral.Models;

namespace Nsmt.Spectral.Training.Config;

/// <summary>
/// Typed reads from a composed config. Every key the program understands is read (with its default), so any
/// key left unread afterwards is a typo or a setting that does not exist: <see cref="RejectUnknown"/> names it
/// with the nearest valid key.
/// </summary>
public sealed class ConfigReader(ConfigMapping root)
{
    private readonly HashSet<string> known = [];

    public ConfigNode? Node(string path)
    {
        known.Add(path);
        ConfigNode? node = root;
        foreach (var part in path.Split('.'))
            node = (node as ConfigMapping)?[part];
        return node;
    }

    public ConfigScalar? Scalar(string path) => Node(path) switch
    {
        null => null,
        ConfigScalar { IsNull: true } => null,
        ConfigScalar s => s,
        var other => throw Error(path, "a single value", other is ConfigMapping ? "a mapping" : "a list", other),
    };

    /// <summary>A mapping whose keys the caller validates itself (e.g. network settings).</summary>
    public ConfigMapping? OpenMapping(string path)
    {
        var node = Node(path);
        if (node is ConfigMapping m)
        {
            foreach (var (leaf, _) in m.Leaves(path))
                known.Add(leaf);
            return m;
        }
        return node is null or ConfigScalar { IsNull: true } ? null : throw Error(path, "a mapping of keys", "a value", node);
    }

    public string String(string path, string fallback) => Scalar(path)?.Text ?? fallback;

    public string? OptionalString(string path) => Scalar(path)?.Text;

    public string Choice(string path, string fallback, params string[] allowed)
    {
        var s = Scalar(path);
        var value = s?.Text.ToLowerInvariant() ?? fallback;
        return allowed.Contains(value)
            ? value
            : throw Error(path, "one of " + string.Join(", ", allowed), $"'{s?.Text}'{NearestName.Suggestion(value, allowed)}", s);
    }

    public int Int(string path, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = Scalar(path);
        if (s is null)
            return fallback;
        if (!int.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw Error(path, max == int.MaxValue ? $"an integer >= {min}" : $"an integer in [{min}, {max}]", $"'{s.Text}'", s);
        return v;
    }

    public long Long(string path, long fallback, long min = long.MinValue)
    {
        var s = Scalar(path);
        if (s is null)
            return fallback;
        if (!long.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min)
            throw Error(path, $"an integer >= {min}", $"'{s.Text}'", s);
        return v;
    }

    public double Double(string path, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var s = Scalar(path);
        if (s is null)
            return fallback;
        if (!double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < min || v > max)
            throw Error(path, $"a number in [{Format(min)}, {Format(max)}]", $"'{s.Text}'", s);
        return v;
    }

    public bool Bool(string path, bool fallback)
    {
        var s = Scalar(path);
        if (s is null)
            return fallback;
        return s.Text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(path, "true or false", $"'{s.Text}'", s),
        };
    }

    public IReadOnlyList<string> StringList(string path)
    {
        return Node(path) switch
        {
            null or ConfigScalar { IsNull: true } => [],
            ConfigSequence q => [.. q.Items.Select(i => (i as ConfigScalar)?.Text ?? throw Error(path, "a list of values", "a nested structure", i))],
            ConfigScalar s => [s.Text],
            var other => throw Error(path, "a list", "a mapping", other),
        };
    }

    /// <summary>Fails on the first key of the tree that no read asked for, suggesting the nearest known key.</summary>
    public void RejectUnknown()
    {
        foreach (var (path, node) in root.Leaves())
        {
            if (known.Contains(path) || known.Any(k => path.StartsWith(k + ".", StringComparison.Ordinal)))
                continue;
            if (node is ConfigMapping { Entries.Count: 0 } && known.Any(k => k.StartsWith(path + ".", StringComparison.Ordinal)))
                continue; // an empty group such as `loss: {}`
            var parent = path.Contains('.') ? path[..path.LastIndexOf('.')] : "";
            var siblings = known.Where(k => (k.Contains('.') ? k[..k.LastIndexOf('.')] : "") == parent);
            throw new ConfigException($"{node.Origin}: unknown key '{path}'{NearestName.Suggestion(path, siblings)}");
        }
    }

    public static ConfigException Error(string path, string expected, string got, ConfigNode? at) =>
        new($"{at?.Origin ?? "config"}: field '{path}': expected {expected}, got {got}");

    private static string Format(double v) => double.IsInfinity(v) ? (v > 0 ? "inf" : "-inf") : v.ToString(CultureInfo.InvariantCulture);
}
