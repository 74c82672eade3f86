using System.Globalization;
using Nsmt.Spectral.Data.Json;

namespace Nsmt.Spectral.Data.Config;

/// <summary>
/// Reads typed values out of a <see cref="ConfigMap"/>, remembering which keys were used so that
/// anything left over (a typo in the file, an unknown override) is reported as an error.
/// </summary>
internal sealed class ConfigBinder(string file, ConfigMap root)
{
    private readonly HashSet<string> _used = [];

    public string File { get; } = file;

    public ConfigScalar? Scalar(string path)
    {
        object? node = Find(path);
        _used.Add(path);
        return node switch
        {
            null => null,
            ConfigScalar s => s,
            _ => throw Error(path, "a single value", "a mapping"),
        };
    }

    public ConfigMap? Map(string path)
    {
        object? node = Find(path);
        _used.Add(path);
        return node switch
        {
            null => null,
            ConfigMap m => m,
            ConfigScalar s => throw Error(path, "a mapping of keys", $"'{s.Text}'"),
            _ => null,
        };
    }

    public void MarkUsed(string path) => _used.Add(path);

    public int Int(string path, int? fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        ConfigScalar? s = Scalar(path);
        if (s is null)
        {
            return fallback ?? throw Missing(path, "an integer");
        }

        if (!long.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
        {
            throw Error(path, $"an integer in [{min}, {max}]", $"'{s.Text}'", s);
        }

        return (int)v;
    }

    public ulong UInt64(string path, ulong fallback)
    {
        ConfigScalar? s = Scalar(path);
        if (s is null)
        {
            return fallback;
        }

        return ulong.TryParse(s.Text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)
            ? v
            : throw Error(path, "a non-negative integer", $"'{s.Text}'", s);
    }

    public ConfigNumber Number(string path, ConfigNumber? fallback)
    {
        ConfigScalar? s = Scalar(path);
        if (s is null)
        {
            return fallback ?? throw Missing(path, "a number");
        }

        return ParseNumber(path, s);
    }

    public ConfigNumber ParseNumber(string path, ConfigScalar s)
    {
        if (s.Plain && long.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long i))
        {
            return new ConfigNumber(i, true);
        }

        if (double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
        {
            return ConfigNumber.Float(d);
        }

        throw Error(path, "a number", $"'{s.Text}'", s);
    }

    public double Double(string path, double? fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        ConfigScalar? s = Scalar(path);
        double v = s is null ? fallback ?? throw Missing(path, "a number") : ParseNumber(path, s).Value;
        if (v < min || v > max)
        {
            throw Error(path, $"a number in [{min}, {max}]", v.ToString(CultureInfo.InvariantCulture), s);
        }

        return v;
    }

    public bool Bool(string path, bool fallback)
    {
        ConfigScalar? s = Scalar(path);
        if (s is null)
        {
            return fallback;
        }

        return s.Text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" or "1" => true,
            "false" or "no" or "off" or "0" => false,
            _ => throw Error(path, "true or false", $"'{s.Text}'", s),
        };
    }

    public string Choice(string path, string fallback, params string[] allowed)
    {
        ConfigScalar? s = Scalar(path);
        string v = s?.Text ?? fallback;
        return allowed.Contains(v) ? v : throw Error(path, "one of " + string.Join(", ", allowed), $"'{v}'", s);
    }

    public string? String(string path) => Scalar(path)?.Text;

    /// <summary>Fails on the first key that no binder call asked for.</summary>
    public void RejectUnknown(IReadOnlySet<string> overridden)
    {
        foreach ((string path, object node) in Walk(root, ""))
        {
            if (!_used.Contains(path) && !(node is ConfigMap && _used.Any(u => u.StartsWith(path + ".", StringComparison.Ordinal))))
            {
                if (node is ConfigMap m && m.Entries.Count > 0)
                {
                    continue; // its children are reported instead
                }

                throw overridden.Contains(path)
                    ? new ConfigException($"unknown override key '{path}' (not a setting of {File})")
                    : new ConfigException($"{Where(node)}: unknown key '{path}'");
            }
        }
    }

    public ConfigException Error(string path, string expected, string got, ConfigScalar? at = null) =>
        new($"{(at is null ? File : at.Origin)}: field '{path}': expected {expected}, got {got}");

    private ConfigException Missing(string path, string expected) =>
        new($"{File}: field '{path}' is missing (expected {expected})");

    private string Where(object node) => node is ConfigScalar s ? s.Origin : File;

    private object? Find(string path)
    {
        object? node = root;
        foreach (string part in path.Split('.'))
        {
            node = (node as ConfigMap)?.Get(part);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private static IEnumerable<(string Path, object Node)> Walk(ConfigMap map, string prefix)
    {
        foreach ((string key, object value) in map.Entries)
        {
            string path = prefix.Length == 0 ? key : prefix + "." + key;
            yield return (path, value);
            if (value is ConfigMap child)
            {
                foreach (var inner in Walk(child, path))
                {
                    yield return inner;
                }
            }
        }
    }
}
