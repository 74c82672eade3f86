using System.Collections.Concurrent;
using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
using Nsmt.Config;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// NAM's A2 presets, <c>configs/amp/models/a2.yaml</c> (in the presets folder of <see cref="NamPresetFile"/>): each a
/// .nam 0.6 WaveNet <c>config</c>, parsed by <see cref="A2Config.Parse"/>, in the file's order (narrowest first).
/// </summary>
public static class A2Presets
{
    public const string FileName = "a2.yaml";

    private static readonly ConcurrentDictionary<string, IReadOnlyList<(string Name, A2Config Config)>> Loaded = new(StringComparer.Ordinal);

    /// <summary>Every preset, in the file's order.</summary>
    public static IReadOnlyList<(string Name, A2Config Config)> All() => Loaded.GetOrAdd(Path.Combine(NamPresetFile.Directory(), FileName), Load);

    public static IReadOnlyList<string> Names => [.. All().Select(p => p.Name)];

    /// <exception cref="NamFormatException">No such preset in the file.</exception>
    public static A2Config Get(string name)
    {
        foreach (var (presetName, config) in All())
        {
            if (presetName == name)
            {
                return config;
            }
        }

        throw new NamFormatException(Path.Combine(NamPresetFile.Directory(), FileName), $"presets.{name}", $"no such preset (the file has: {string.Join(", ", Names)})");
    }

    private static IReadOnlyList<(string, A2Config)> Load(string path)
    {
        var root = ConfigYaml.ReadFile(path);
        if (root["presets"] is not ConfigMapping presets || presets.Entries.Count == 0)
        {
            throw new NamFormatException(path, "presets", "required: a mapping NAME: config");
        }

        var result = new List<(string, A2Config)>();
        foreach (var (name, value) in presets.Entries)
        {
            using var json = JsonDocument.Parse(NamPresetFile.ToJson(value)?.ToJsonString() ?? "null");
            result.Add((name, A2Config.Parse(json.RootElement, path, $"presets.{name}")));
        }

        return result;
    }
}
