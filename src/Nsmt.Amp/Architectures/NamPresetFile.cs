using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nsmt.Amp.Format;
using Nsmt.Config;

namespace Nsmt.Amp.Architectures;

/// <summary>
/// Reads the model preset files, <c>configs/amp/models/*.yaml</c>: <c>architecture:</c> (a .nam architecture) and
/// <c>presets:</c>, NAME: a .nam <c>config</c> object, parsed and checked by the .nam reader itself, so a preset means
/// exactly what it would in a .nam file. The folder is found from the working directory or the program's folder
/// upwards (the repository's configs/), or named by <see cref="DirectoryVariable"/>.
/// </summary>
public static class NamPresetFile
{
    public const string WaveNetFile = "wavenet.yaml";
    public const string LstmFile = "lstm.yaml";

    /// <summary>NAM's A2 widths (0.6 WaveNet configs; read by the trainer's A2Presets).</summary>
    public const string A2File = "a2.yaml";

    /// <summary>Environment variable naming the presets folder, for a program run outside the repository.</summary>
    public const string DirectoryVariable = "NSMT_AMP_MODELS";

    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, NamModelConfig>> Loaded = new(
        StringComparer.Ordinal
    );

    /// <summary>The preset <paramref name="name"/> of <paramref name="fileName"/> in the presets folder.</summary>
    /// <exception cref="NamFormatException">The file breaks a rule of the .nam config, or has no such preset.</exception>
    public static NamModelConfig Preset(string fileName, string name)
    {
        var path = Path.Combine(Directory(), fileName);
        var presets = Loaded.GetOrAdd(path, Load);
        return presets.TryGetValue(name, out var config)
            ? config
            : throw new NamFormatException(
                path,
                $"presets.{name}",
                $"no such preset (the file has: {string.Join(", ", presets.Keys)})"
            );
    }

    /// <summary>Every preset of a file, by name, in the file's order.</summary>
    public static IReadOnlyDictionary<string, NamModelConfig> Load(string path)
    {
        // Read by the config library: bounded size, aliases and tags refused before anything is expanded.
        var root = ConfigYaml.ReadFile(path);
        var architecture = Scalar(root, "architecture", path);
        if (root["presets"] is not ConfigMapping presets)
        {
            throw new NamFormatException(path, "presets", "required: a mapping NAME: config");
        }

        var result = new Dictionary<string, NamModelConfig>(StringComparer.Ordinal);
        foreach (var (name, value) in presets.Entries)
        {
            var text = ToJson(value)?.ToJsonString() ?? "null";
            using var json = JsonDocument.Parse(text);
            try
            {
                result[name] = NamReader.ParseConfig(architecture, json.RootElement);
            }
            catch (NamFormatException e)
            {
                // The reader names fields from the .nam root (config.layers[0]...); here they sit under the preset.
                var field = e.Field.StartsWith("config", StringComparison.Ordinal)
                    ? $"presets.{name}{e.Field["config".Length..]}"
                    : e.Field;
                throw new NamFormatException(path, field, e.Problem, e);
            }
        }

        return result;
    }

    /// <summary>The presets folder: <see cref="DirectoryVariable"/>, else configs/amp/models above the working directory or the program.</summary>
    public static string Directory()
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } named)
        {
            return Path.GetFullPath(named);
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "configs", "amp", "models");
                if (File.Exists(Path.Combine(candidate, WaveNetFile)))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"configs/amp/models (NAM's model presets) not found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}; set {DirectoryVariable}"
        );
    }

    private static string Scalar(ConfigMapping node, string key, string path) =>
        node[key] is ConfigScalar { IsNull: false } scalar
            ? scalar.Text
            : throw new NamFormatException(path, key, "required: a single value");

    /// <summary>
    /// YAML to the JSON a .nam file would hold: a plain scalar is a number, true/false or null when it reads as one
    /// (YAML's core schema), a quoted one is a string.
    /// </summary>
    private static JsonNode? ToJson(ConfigNode node) =>
        node switch
        {
            ConfigMapping map => new JsonObject(
                map.Entries.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))
            ),
            ConfigSequence seq => new JsonArray(seq.Items.Select(ToJson).ToArray()),
            ConfigScalar { Plain: true, Text: var v } => PlainScalar(v),
            ConfigScalar s => JsonValue.Create(s.Text),
            _ => throw new NamFormatException(null, "(yaml)", $"unsupported node at {node.Origin}"),
        };

    private static JsonNode? PlainScalar(string? value) =>
        value switch
        {
            null or "null" or "~" or "" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) =>
                JsonValue.Create(l),
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) =>
                JsonValue.Create(d),
            _ => JsonValue.Create(value),
        };
}
