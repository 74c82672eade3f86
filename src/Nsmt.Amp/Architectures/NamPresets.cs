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
/// NAM's architecture presets (nam-format.md): A1 WaveNets (K 3, Tanh, not gated, array 0 without
/// head bias, array 1 with) and LSTMs.
/// </summary>
public static class NamPresets
{
    /// <summary>NAM's default output scale of the A1 presets.</summary>
    public const float DefaultHeadScale = 0.02f;

    private static readonly int[] TenDoublings = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
    private static readonly int[] SevenDoublings = [1, 2, 4, 8, 16, 32, 64];
    private static readonly int[] ThirteenDilations = [128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

    public static WaveNetConfig WaveNet(WaveNetPreset preset, float headScale = DefaultHeadScale) => preset switch
    {
        WaveNetPreset.Standard => TwoArrays(16, 8, TenDoublings, TenDoublings, headScale),
        WaveNetPreset.Lite => TwoArrays(12, 6, SevenDoublings, ThirteenDilations, headScale),
        WaveNetPreset.Feather => TwoArrays(8, 4, SevenDoublings, ThirteenDilations, headScale),
        WaveNetPreset.Nano => TwoArrays(4, 2, SevenDoublings, ThirteenDilations, headScale),
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, null),
    };

    public static LstmConfig Lstm(LstmPreset preset) => preset switch
    {
        LstmPreset.Standard => new LstmConfig { HiddenSize = 24, NumLayers = 1 },
        LstmPreset.Lite => new LstmConfig { HiddenSize = 8, NumLayers = 2 },
        LstmPreset.Feather => new LstmConfig { HiddenSize = 16, NumLayers = 1 },
        LstmPreset.Nano => new LstmConfig { HiddenSize = 12, NumLayers = 1 },
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, null),
    };

    private static WaveNetConfig TwoArrays(int channels, int headSize, int[] dilations0, int[] dilations1, float headScale) => new()
    {
        LayerArrays =
        [
            new WaveNetLayerArrayConfig
            {
                InputSize = 1,
                HeadSize = headSize,
                Channels = channels,
                KernelSize = 3,
                Dilations = dilations0,
                HeadBias = false,
            },
            new WaveNetLayerArrayConfig
            {
                InputSize = channels,
                HeadSize = 1,
                Channels = headSize,
                KernelSize = 3,
                Dilations = dilations1,
                HeadBias = true,
            },
        ],
        HeadScale = headScale,
    };
}
