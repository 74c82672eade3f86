namespace Nsmt.Amp.Architectures;

/// <summary>
/// Upper bounds on the sizes a <c>.nam</c> config may ask for, checked before anything is allocated. Real NAM
/// models are tiny (the A1 "standard" WaveNet has 16 channels, kernel 3, dilations up to 512 and about 13,800
/// weights; LSTMs have 1-3 layers of 8-32 units), so these are generous: they only refuse files whose sizes would
/// overflow the weight count or exhaust memory (e.g. <c>num_layers: 1073741825</c>, <c>hidden_size: 1000000</c>).
/// </summary>
public static class NamLimits
{
    /// <summary>Largest flat weight vector accepted (16 Mi floats = 64 MiB; about 1000x the largest real NAM model).</summary>
    public const int MaxWeights = 1 << 24;

    /// <summary>LSTM layers (real models: 1-3).</summary>
    public const int MaxLstmLayers = 64;

    /// <summary>LSTM hidden units per layer (real models: 8-32).</summary>
    public const int MaxLstmHiddenSize = 2048;

    /// <summary>WaveNet layer arrays (A1: 2).</summary>
    public const int MaxLayerArrays = 64;

    /// <summary>Channels, head size and input size of a WaveNet layer array (A1 standard: 16).</summary>
    public const int MaxChannels = 1024;

    /// <summary>Dilated conv kernel size (A1: 3).</summary>
    public const int MaxKernelSize = 64;

    /// <summary>Dilated layers per layer array (A1: 10-13).</summary>
    public const int MaxLayersPerArray = 1024;

    /// <summary>One dilation (A1: up to 512).</summary>
    public const int MaxDilation = 1 << 16;

    /// <summary>Receptive field in samples (A1 standard: 4,093; 1 Mi samples is about 22 s at 48 kHz); engines keep this much history.</summary>
    public const int MaxReceptiveField = 1 << 20;

    /// <summary>Null when <paramref name="value"/> is within [1, <paramref name="max"/>], else the problem text naming the limit.</summary>
    internal static string? OutOfRange(long value, long max, string limitName) =>
        value >= 1 && value <= max ? null : $"must be in [1, {max}] (NamLimits.{limitName}), got {value}";
}
