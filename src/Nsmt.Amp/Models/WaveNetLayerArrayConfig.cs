using Nsmt.Amp.Format;

namespace Nsmt.Amp.Models;

/// <summary>One layer array of a NAM "A1" WaveNet (one entry of <c>config.layers</c>).</summary>
public sealed record WaveNetLayerArrayConfig
{
    /// <summary>The only activation of the A1 format we support (case-sensitive, as in the file).</summary>
    public const string TanhActivation = "Tanh";

    public required int InputSize { get; init; }

    /// <summary>Size of the conditioning signal (the raw input): always 1 in A1.</summary>
    public int ConditionSize { get; init; } = 1;

    public required int HeadSize { get; init; }

    public required int Channels { get; init; }

    public required int KernelSize { get; init; }

    public required IReadOnlyList<int> Dilations { get; init; }

    public string Activation { get; init; } = TanhActivation;

    public bool Gated { get; init; }

    public required bool HeadBias { get; init; }

    /// <summary>Output channels of each dilated conv: 2C when gated (tanh half, sigmoid half), else C.</summary>
    public int ConvOutputChannels => Gated ? 2 * Channels : Channels;

    /// <summary>Samples of history this array's convolutions look back: sum of (K-1)*d.</summary>
    public int HistoryLength => Dilations.Sum(d => (KernelSize - 1) * d);

    /// <summary>C*in + N*(M*C*K + M + M + C*C + C) + H*C + (H if head_bias), per nam-format.md.</summary>
    public int ParameterCount
    {
        get
        {
            int c = Channels, m = ConvOutputChannels, h = HeadSize;
            int perLayer = (m * c * KernelSize) + m + m + (c * c) + c;
            return (c * InputSize) + (Dilations.Count * perLayer) + (h * c) + (HeadBias ? h : 0);
        }
    }

    public bool Equals(WaveNetLayerArrayConfig? other) =>
        other is not null
        && InputSize == other.InputSize
        && ConditionSize == other.ConditionSize
        && HeadSize == other.HeadSize
        && Channels == other.Channels
        && KernelSize == other.KernelSize
        && Dilations.SequenceEqual(other.Dilations)
        && Activation == other.Activation
        && Gated == other.Gated
        && HeadBias == other.HeadBias;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(InputSize);
        hash.Add(HeadSize);
        hash.Add(Channels);
        hash.Add(KernelSize);
        foreach (int d in Dilations)
        {
            hash.Add(d);
        }

        hash.Add(Gated);
        hash.Add(HeadBias);
        return hash.ToHashCode();
    }

    /// <summary>Rules that concern this array alone; chain rules live in <see cref="WaveNetConfig"/>.</summary>
    internal NamFormatException? FindProblem(string field)
    {
        if (InputSize < 1)
        {
            return new NamFormatException(null, $"{field}.input_size", $"must be >= 1, got {InputSize}");
        }

        if (ConditionSize != 1)
        {
            return new NamFormatException(null, $"{field}.condition_size", $"must be 1 (the raw input), got {ConditionSize}");
        }

        if (Channels < 1)
        {
            return new NamFormatException(null, $"{field}.channels", $"must be >= 1, got {Channels}");
        }

        if (HeadSize < 1)
        {
            return new NamFormatException(null, $"{field}.head_size", $"must be >= 1, got {HeadSize}");
        }

        if (KernelSize < 1)
        {
            return new NamFormatException(null, $"{field}.kernel_size", $"must be >= 1, got {KernelSize}");
        }

        if (Dilations is null || Dilations.Count == 0)
        {
            return new NamFormatException(null, $"{field}.dilations", "must list at least one dilation");
        }

        for (int i = 0; i < Dilations.Count; i++)
        {
            if (Dilations[i] < 1)
            {
                return new NamFormatException(null, $"{field}.dilations[{i}]", $"must be >= 1, got {Dilations[i]}");
            }
        }

        if (!string.Equals(Activation, TanhActivation, StringComparison.Ordinal))
        {
            return new NamFormatException(
                null, $"{field}.activation", $"unsupported activation '{Activation}' (only \"{TanhActivation}\", case-sensitive)");
        }

        return null;
    }
}
