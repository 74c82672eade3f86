using System.Text.Json;
using Nsmt.Spectral.Data.Json;

namespace Nsmt.Spectral.Data;

/// <summary>The parts of vimh_dataset_info.json a consumer needs, validated; <see cref="Json"/> holds all of it.</summary>
public sealed class VimhInfo
{
    private VimhInfo(string path, JsonElement json)
    {
        Path = path;
        Json = json;
    }

    public string Path { get; }

    /// <summary>The whole document (including keys we do not model).</summary>
    public JsonElement Json { get; }

    public string DatasetName { get; private init; } = "";

    public int Height { get; private init; }

    public int Width { get; private init; }

    public int Channels { get; private init; }

    public IReadOnlyList<string> ChannelLabels { get; private init; } = [];

    /// <summary>The heads, in record id order (parameter_names order).</summary>
    public IReadOnlyList<ParameterSpec> Heads { get; private init; } = [];

    public IReadOnlyDictionary<string, ParameterSpec> ParameterMappings { get; private init; } =
        new Dictionary<string, ParameterSpec>();

    public int? TrainSamples { get; private init; }

    public int? TestSamples { get; private init; }

    public int? SampleRate { get; private init; }

    public double? Duration { get; private init; }

    public static VimhInfo Read(string path)
    {
        byte[] bytes;
        try
        {
            // The file is read whole: its length is checked first so a huge (or endless) file is not.
            var length = new FileInfo(path).Length;
            if (length > VimhLimits.MaxInfoBytes)
            {
                throw new VimhDataException(
                    $"{path}: dataset info is {length} bytes, expected at most {VimhLimits.MaxInfoBytes} (VimhLimits.MaxInfoBytes)"
                );
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VimhDataException($"{path}: cannot read dataset info: {e.Message}");
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses dataset info JSON held elsewhere (e.g. inside a checkpoint); <paramref name="path"/> names it in errors.</summary>
    public static VimhInfo Parse(byte[] bytes, string path)
    {
        // JsonDocument checks string bytes only when a string is read, and then throws InvalidOperationException
        // (found by fuzzing): the whole text is checked here, once.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw new VimhDataException($"{path}: not valid UTF-8 text; {VimhFormat.InfoFileName} is UTF-8 JSON");
        }

        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = false });
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new VimhDataException($"{path}: invalid JSON: {e.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new VimhDataException($"{path}: expected a JSON object at the top level");
        }

        var names = StringList(root, "parameter_names", path);
        var mappingsElement = Property(root, "parameter_mappings", JsonValueKind.Object, path);
        var mappings = new Dictionary<string, ParameterSpec>();
        foreach (var m in mappingsElement.EnumerateObject())
        {
            var field = $"parameter_mappings.{m.Name}";
            if (m.Value.ValueKind != JsonValueKind.Object)
            {
                throw new VimhDataException($"{path}: field '{field}': expected an object with min, max, step");
            }

            var min = Number(m.Value, "min", field, path);
            var max = Number(m.Value, "max", field, path);
            ConfigNumber? step = m.Value.TryGetProperty("step", out _) ? Number(m.Value, "step", field, path) : null;
            try
            {
                mappings[m.Name] = new ParameterSpec(m.Name, min, max, step);
            }
            catch (ArgumentException e)
            {
                throw new VimhDataException($"{path}: field '{field}': {e.Message}");
            }
        }

        if (names.Count > VimhLimits.MaxParameters)
        {
            throw new VimhDataException(
                $"{path}: field 'parameter_names': lists {names.Count} parameters, expected at most {VimhLimits.MaxParameters} (VimhLimits.MaxParameters; a record stores N in one byte)"
            );
        }

        var heads = new List<ParameterSpec>();
        foreach (var name in names)
        {
            if (!mappings.TryGetValue(name, out var spec))
            {
                throw new VimhDataException(
                    $"{path}: field 'parameter_mappings' has no entry for parameter '{name}' listed in parameter_names"
                );
            }

            if (!spec.IsVarying)
            {
                throw new VimhDataException(
                    $"{path}: field 'parameter_mappings.{name}': min equals max, but parameter_names lists it as varying"
                );
            }

            heads.Add(spec);
        }

        var height = Dimension(root, "height", path);
        var width = Dimension(root, "width", path);
        var channels = Dimension(root, "channels", path);
        var imageBytes = VimhLimits.ImageBytes(height, width, channels);
        if (imageBytes > VimhLimits.MaxImageBytes)
        {
            throw new VimhDataException(
                $"{path}: fields 'height' x 'width' x 'channels': {height}x{width}x{channels} = {imageBytes} bytes per image, "
                    + $"expected at most {VimhLimits.MaxImageBytes} (VimhLimits.MaxImageBytes)"
            );
        }

        return new VimhInfo(path, root)
        {
            DatasetName =
                root.TryGetProperty("dataset_name", out var dn) && dn.ValueKind == JsonValueKind.String
                    ? dn.GetString()!
                    : "",
            Height = height,
            Width = width,
            Channels = channels,
            ChannelLabels = root.TryGetProperty("channel_labels", out _)
                ? StringList(root, "channel_labels", path)
                : [],
            Heads = heads,
            ParameterMappings = mappings,
            TrainSamples = OptionalInt(root, "train_samples", path),
            TestSamples = OptionalInt(root, "test_samples", path),
            SampleRate = OptionalInt(root, "sample_rate", path),
            Duration =
                root.TryGetProperty("duration", out var d) && d.ValueKind == JsonValueKind.Number
                    ? d.GetDouble()
                    : null,
        };
    }

    private static JsonElement Property(JsonElement root, string name, JsonValueKind kind, string path)
    {
        if (!root.TryGetProperty(name, out var e))
        {
            throw new VimhDataException($"{path}: field '{name}' is missing");
        }

        if (e.ValueKind != kind)
        {
            throw new VimhDataException(
                $"{path}: field '{name}': expected {kind.ToString().ToLowerInvariant()}, got {e.ValueKind.ToString().ToLowerInvariant()}"
            );
        }

        return e;
    }

    private static int Dimension(JsonElement root, string name, string path)
    {
        var e = Property(root, name, JsonValueKind.Number, path);
        return e.TryGetInt32(out var v) && v is >= 1 and <= ushort.MaxValue
            ? v
            : throw new VimhDataException(
                $"{path}: field '{name}': expected an integer in [1, 65535], got {e.GetRawText()}"
            );
    }

    private static int? OptionalInt(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var e))
        {
            return null;
        }

        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) && v >= 0
            ? v
            : throw new VimhDataException(
                $"{path}: field '{name}': expected an integer in [0, {int.MaxValue}], got {e.GetRawText()}"
            );
    }

    private static List<string> StringList(JsonElement root, string name, string path)
    {
        var e = Property(root, name, JsonValueKind.Array, path);
        var list = new List<string>();
        foreach (var item in e.EnumerateArray())
        {
            list.Add(
                item.ValueKind == JsonValueKind.String
                    ? item.GetString()!
                    : throw new VimhDataException(
                        $"{path}: field '{name}': expected a list of strings, found {item.GetRawText()}"
                    )
            );
        }

        return list;
    }

    private static ConfigNumber Number(JsonElement obj, string name, string field, string path)
    {
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Number)
        {
            throw new VimhDataException($"{path}: field '{field}.{name}': expected a number");
        }

        var raw = e.GetRawText();
        var isInteger = !raw.Contains('.') && !raw.Contains('e') && !raw.Contains('E');
        return new ConfigNumber(e.GetDouble(), isInteger);
    }
}
