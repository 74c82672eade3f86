namespace Nsmt.Amp.Architectures;

public enum WaveNetPreset
{
    Standard,
    Lite,
    Feather,
    Nano,
}

public enum LstmPreset
{
    Standard,
    Lite,
    Feather,
    Nano,
}

/// <summary>
/// NAM's architecture presets (nam-format.md): A1 WaveNets (K 3, Tanh, not gated, array 0 without head bias, array 1
/// with) and LSTMs. They are data, <c>configs/amp/models/wavenet.yaml</c> and <c>lstm.yaml</c> in the field names of a
/// .nam file's config (<see cref="NamPresetFile"/>), so a changed preset is a changed parameter to the pipeline.
/// </summary>
public static class NamPresets
{
    /// <summary>NAM's default output scale of the A1 presets.</summary>
    public const float DefaultHeadScale = 0.02f;

    /// <summary>A WaveNet preset; <paramref name="headScale"/> replaces the preset's output scale when given.</summary>
    public static WaveNetConfig WaveNet(WaveNetPreset preset, float? headScale = null)
    {
        var config = (WaveNetConfig)NamPresetFile.Preset(NamPresetFile.WaveNetFile, PresetName(preset));
        return headScale is { } scale ? config with { HeadScale = scale } : config;
    }

    public static LstmConfig Lstm(LstmPreset preset) =>
        (LstmConfig)NamPresetFile.Preset(NamPresetFile.LstmFile, PresetName(preset));

    private static string PresetName<T>(T preset)
        where T : struct, Enum => preset.ToString().ToLowerInvariant();
}
