using System.Globalization;
using System.Text.Json;

namespace Nsmt.Amp.Format;

/// <summary>Typed, path-aware access to JSON values so every error names its field.</summary>
internal static class JsonFields
{
    public static void RejectUnknownKeys(JsonElement obj, string path, IReadOnlySet<string> allowed, string why)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                throw new NamFormatException(
                    null,
                    Join(path, property.Name),
                    $"unsupported key '{property.Name}' ({why})"
                );
            }
        }
    }

    public static JsonElement RequireObject(JsonElement obj, string path, string key)
    {
        var value = Require(obj, path, key);
        return value.ValueKind == JsonValueKind.Object ? value : throw TypeError(path, key, "an object", value);
    }

    public static JsonElement RequireArray(JsonElement obj, string path, string key)
    {
        var value = Require(obj, path, key);
        return value.ValueKind == JsonValueKind.Array ? value : throw TypeError(path, key, "an array", value);
    }

    /// <summary>An array of objects at <paramref name="key"/>, each parsed with its own field path (<c>key[i]</c>).</summary>
    public static List<T> RequireObjects<T>(
        JsonElement obj,
        string path,
        string key,
        Func<JsonElement, string, T> parse
    )
    {
        var items = new List<T>();
        var i = 0;
        foreach (var item in RequireArray(obj, path, key).EnumerateArray())
        {
            var field = $"{Join(path, key)}[{i}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new NamFormatException(null, field, "must be an object");
            }

            items.Add(parse(item, field));
            i++;
        }

        return items;
    }

    public static string RequireString(JsonElement obj, string path, string key)
    {
        var value = Require(obj, path, key);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw TypeError(path, key, "a string", value);
    }

    public static int RequireInt(JsonElement obj, string path, string key) =>
        AsInt(Require(obj, path, key), Join(path, key));

    public static bool RequireBool(JsonElement obj, string path, string key) =>
        AsBool(Require(obj, path, key), Join(path, key));

    /// <summary>Value of an optional key; null when absent or JSON null.</summary>
    public static JsonElement? Optional(JsonElement obj, string key) =>
        obj.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static int AsInt(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var result)
            ? result
            : throw new NamFormatException(
                null,
                field,
                $"must be an integer in [{int.MinValue}, {int.MaxValue}], got {Describe(value)}"
            );

    public static bool AsBool(JsonElement value, string field) =>
        value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new NamFormatException(null, field, $"must be true or false, got {Describe(value)}"),
        };

    public static double AsDouble(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new NamFormatException(null, field, $"must be a number, got {Describe(value)}");
        }

        // double.Parse maps out-of-range literals such as 1e400 to infinity; reject those explicitly.
        var result = double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(result)
            ? result
            : throw new NamFormatException(null, field, $"must be finite, got {value.GetRawText()}");
    }

    /// <summary>A number read as float32 (as Core does); must be finite after the conversion.</summary>
    public static float AsFiniteSingle(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new NamFormatException(null, field, $"must be a number, got {Describe(value)}");
        }

        var result = float.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
        return float.IsFinite(result)
            ? result
            : throw new NamFormatException(null, field, $"must be finite as float32, got {value.GetRawText()}");
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static JsonElement Require(JsonElement obj, string path, string key)
    {
        if (!obj.TryGetProperty(key, out var value))
        {
            throw new NamFormatException(null, Join(path, key), "required key is missing");
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            throw new NamFormatException(null, Join(path, key), "must not be null");
        }

        return value;
    }

    private static NamFormatException TypeError(string path, string key, string expected, JsonElement value) =>
        new(null, Join(path, key), $"must be {expected}, got {Describe(value)}");

    private static string Describe(JsonElement value) =>
        value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => $"the string \"{value.GetString()}\"",
            JsonValueKind.Null => "null",
            _ => value.GetRawText(),
        };
}
