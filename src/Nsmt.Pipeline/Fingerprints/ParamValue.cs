using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Nsmt.Config;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Pipeline.Fingerprints;

public enum ParamKind
{
    Null,
    Bool,
    Integer,
    Float,
    String,
    List,
    Map,
}

/// <summary>
/// A parameter value compared by value, the way DVC compares params: YAML scalars are typed with the YAML 1.2 core
/// schema (so <c>lr: 1e-3</c> and <c>lr: 0.001</c> are equal, and a comment or re-indentation changes nothing).
/// Its text form is canonical JSON, which is also valid YAML, so the lock file can hold it verbatim.
/// </summary>
public sealed partial class ParamValue : IEquatable<ParamValue>
{
    private readonly string? _scalar;
    private readonly IReadOnlyList<ParamValue>? _items;
    private readonly SortedDictionary<string, ParamValue>? _map;

    private ParamValue(
        ParamKind kind,
        string? scalar,
        IReadOnlyList<ParamValue>? items,
        SortedDictionary<string, ParamValue>? map
    )
    {
        Kind = kind;
        _scalar = scalar;
        _items = items;
        _map = map;
    }

    public ParamKind Kind { get; }

    /// <summary>The text of a string value (null for other kinds).</summary>
    public string? StringValue => Kind == ParamKind.String ? _scalar : null;

    public static ParamValue Null { get; } = new(ParamKind.Null, "null", null, null);

    public static ParamValue Of(bool value) => new(ParamKind.Bool, value ? "true" : "false", null, null);

    public static ParamValue Of(long value) =>
        new(ParamKind.Integer, value.ToString(CultureInfo.InvariantCulture), null, null);

    public static ParamValue Of(double value) => new(ParamKind.Float, FormatDouble(value), null, null);

    public static ParamValue Of(string value) => new(ParamKind.String, value, null, null);

    public static ParamValue List(IEnumerable<ParamValue> items) => new(ParamKind.List, null, items.ToArray(), null);

    public static ParamValue Map(IEnumerable<KeyValuePair<string, ParamValue>> entries)
    {
        var map = new SortedDictionary<string, ParamValue>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            map[key] = value;
        }

        return new ParamValue(ParamKind.Map, null, null, map);
    }

    /// <summary>Types a scalar: plain (unquoted) scalars by the YAML 1.2 core schema, quoted ones are strings.</summary>
    public static ParamValue FromScalar(string text, bool plain)
    {
        if (!plain)
        {
            return Of(text);
        }

        if (text.Length == 0 || text is "~" or "null" or "Null" or "NULL")
        {
            return Null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return Of(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return Of(false);
        }

        if (IntegerPattern().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? Of(l)
                : new ParamValue(ParamKind.Integer, text.TrimStart('+'), null, null); // beyond 64 bits: keep the digits
        }

        if (
            text.StartsWith("0x", StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex)
        )
        {
            return Of(hex);
        }

        if (FloatPattern().IsMatch(text))
        {
            return Of(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        switch (text)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return Of(double.PositiveInfinity);
            case "-.inf" or "-.Inf" or "-.INF":
                return Of(double.NegativeInfinity);
            case ".nan" or ".NaN" or ".NAN":
                return Of(double.NaN);
            default:
                return Of(text);
        }
    }

    /// <summary>Converts a config node (scalar, sequence, mapping) to a value.</summary>
    public static ParamValue FromNode(ConfigNode node) =>
        node switch
        {
            ConfigScalar s => FromScalar(s.Text, s.Plain),
            ConfigSequence seq => List(seq.Items.Select(FromNode)),
            ConfigMapping map => Map(map.Entries.Select(kv => KeyValuePair.Create(kv.Key, FromNode(kv.Value)))),
            _ => throw new ArgumentException($"unknown config node {node.GetType().Name}", nameof(node)),
        };

    /// <summary>
    /// The value as a config node (<see cref="FromNode"/> reads it back as this value): numbers, booleans and null
    /// plain, a string plain only where YAML's core schema reads it back as a string.
    /// </summary>
    public ConfigNode ToNode(string origin) =>
        Kind switch
        {
            ParamKind.String => new ConfigScalar(
                _scalar!,
                origin,
                plain: FromScalar(_scalar!, plain: true).Kind == ParamKind.String
            ),
            ParamKind.List => new ConfigSequence([.. _items!.Select(i => i.ToNode(origin))], origin),
            ParamKind.Map => MappingNode(origin),
            _ => new ConfigScalar(_scalar!, origin),
        };

    private ConfigMapping MappingNode(string origin)
    {
        var mapping = new ConfigMapping(origin);
        foreach (var (key, value) in _map!)
        {
            mapping.Set(key, value.ToNode(origin));
        }

        return mapping;
    }

    /// <summary>Converts any YAML node (scalar, sequence, mapping) to a value (the lock file's).</summary>
    public static ParamValue FromYaml(YamlNode node, string context) =>
        node switch
        {
            YamlScalarNode s => FromScalar(
                s.Value ?? string.Empty,
                s.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any
            ),
            YamlSequenceNode seq => List(seq.Children.Select(c => FromYaml(c, context))),
            YamlMappingNode map => Map(
                map.Children.Select(kv => KeyValuePair.Create(KeyText(kv.Key, context), FromYaml(kv.Value, context)))
            ),
            _ => throw new PipelineException(
                $"{context}: unsupported YAML node at line {node.Start.Line} (aliases are not supported)"
            ),
        };

    /// <summary>Compact canonical JSON: sorted keys, no spaces. This is what fingerprints hash.</summary>
    public string ToCanonicalJson()
    {
        var sb = new StringBuilder();
        Write(sb, compact: true);
        return sb.ToString();
    }

    /// <summary>The same JSON with ", " and ": " separators, which every YAML parser reads as a flow node.</summary>
    public string ToYamlFlow()
    {
        var sb = new StringBuilder();
        Write(sb, compact: false);
        return sb.ToString();
    }

    public override string ToString() => ToYamlFlow();

    public bool Equals(ParamValue? other) =>
        other is not null && Kind == other.Kind && ToCanonicalJson() == other.ToCanonicalJson();

    public override bool Equals(object? obj) => Equals(obj as ParamValue);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToCanonicalJson());

    internal static string KeyText(YamlNode key, string context) =>
        key is YamlScalarNode { Value: { } v }
            ? v
            : throw new PipelineException($"{context}: line {key.Start.Line}: mapping keys must be plain scalars");

    internal static string FormatDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return ".nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? ".inf" : "-.inf";
        }

        var s = d.ToString("R", CultureInfo.InvariantCulture);
        // An integral double must not read back as an integer: 2.0 stays "2.0".
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    internal static void WriteJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    private void Write(StringBuilder sb, bool compact)
    {
        switch (Kind)
        {
            case ParamKind.String:
                WriteJsonString(sb, _scalar!);
                break;
            case ParamKind.List:
                sb.Append('[');
                for (var i = 0; i < _items!.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(compact ? "," : ", ");
                    }

                    _items[i].Write(sb, compact);
                }

                sb.Append(']');
                break;
            case ParamKind.Map:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in _map!)
                {
                    if (!first)
                    {
                        sb.Append(compact ? "," : ", ");
                    }

                    first = false;
                    WriteJsonString(sb, key);
                    sb.Append(compact ? ":" : ": ");
                    value.Write(sb, compact);
                }

                sb.Append('}');
                break;
            default:
                sb.Append(_scalar);
                break;
        }
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
