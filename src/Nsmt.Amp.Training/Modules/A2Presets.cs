using System.Collections.Concurrent;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// NAM's A2 presets, <c>configs/amp/models/a2.yaml</c> (in the presets folder of <see cref="NamPresetFile"/>): each a
/// .nam 0.6 WaveNet <c>config</c>, parsed by the .nam reader and checked by <see cref="A2Config.From"/>, in the file's
/// order (narrowest first).
/// </summary>
public static class A2Presets
{
    public const string FileName = NamPresetFile.A2File;

    private static readonly ConcurrentDictionary<string, IReadOnlyList<(string Name, A2Config Config)>> Loaded = new(
        StringComparer.Ordinal
    );

    /// <summary>Every preset, in the file's order.</summary>
    public static IReadOnlyList<(string Name, A2Config Config)> All() =>
        Loaded.GetOrAdd(Path.Combine(NamPresetFile.Directory(), FileName), Load);

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

        throw new NamFormatException(
            Path.Combine(NamPresetFile.Directory(), FileName),
            $"presets.{name}",
            $"no such preset (the file has: {string.Join(", ", Names)})"
        );
    }

    /// <summary>The presets as the .nam reader parses them (<see cref="NamPresetFile.Load"/>), each checked to be an A2.</summary>
    private static IReadOnlyList<(string, A2Config)> Load(string path) =>
        [.. NamPresetFile.Load(path).Select(p => (p.Key, A2Config.From(p.Value, path, $"presets.{p.Key}")))];
}
