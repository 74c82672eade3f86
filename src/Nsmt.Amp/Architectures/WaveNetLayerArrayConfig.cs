using Nsmt.Amp.Format;

namespace Nsmt.Amp.Architectures;

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
    public int HistoryLength => checked((int)HistoryLength64);

    /// <summary><see cref="HistoryLength"/> in 64-bit arithmetic, for checking it against <see cref="NamLimits.MaxReceptiveField"/>.</summary>
    internal long HistoryLength64 => Dilations.Sum(d => (KernelSize - 1L) * d);

    /// <summary>C*in + N*(M*C*K + M + M + C*C + C) + H*C + (H if head_bias), per nam-format.md.</summary>
    public int ParameterCount => checked((int)WeightCount);

    /// <summary>The weight count in checked 64-bit arithmetic, so absurd sizes fail instead of wrapping to a small number.</summary>
    internal long WeightCount
    {
        get
        {
            checked
            {
                long c = Channels,
                    m = Gated ? 2L * Channels : Channels,
                    h = HeadSize;
                var perLayer = (m * c * KernelSize) + m + m + (c * c) + c;
                return (c * InputSize) + (Dilations.Count * perLayer) + (h * c) + (HeadBias ? h : 0);
            }
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
        foreach (var d in Dilations)
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
        if (NamLimits.OutOfRange(InputSize, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)) is { } inputSize)
        {
            return new NamFormatException(null, $"{field}.input_size", inputSize);
        }

        if (ConditionSize != 1)
        {
            return new NamFormatException(
                null,
                $"{field}.condition_size",
                $"must be 1 (the raw input), got {ConditionSize}"
            );
        }

        if (NamLimits.OutOfRange(Channels, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)) is { } channels)
        {
            return new NamFormatException(null, $"{field}.channels", channels);
        }

        if (NamLimits.OutOfRange(HeadSize, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)) is { } headSize)
        {
            return new NamFormatException(null, $"{field}.head_size", headSize);
        }

        if (
            NamLimits.OutOfRange(KernelSize, NamLimits.MaxKernelSize, nameof(NamLimits.MaxKernelSize)) is { } kernelSize
        )
        {
            return new NamFormatException(null, $"{field}.kernel_size", kernelSize);
        }

        if (Dilations is null || Dilations.Count == 0)
        {
            return new NamFormatException(null, $"{field}.dilations", "must list at least one dilation");
        }

        if (Dilations.Count > NamLimits.MaxLayersPerArray)
        {
            return new NamFormatException(
                null,
                $"{field}.dilations",
                $"must list at most {NamLimits.MaxLayersPerArray} dilations (NamLimits.MaxLayersPerArray), got {Dilations.Count}"
            );
        }

        for (var i = 0; i < Dilations.Count; i++)
        {
            if (
                NamLimits.OutOfRange(Dilations[i], NamLimits.MaxDilation, nameof(NamLimits.MaxDilation)) is { } dilation
            )
            {
                return new NamFormatException(null, $"{field}.dilations[{i}]", dilation);
            }
        }

        if (!string.Equals(Activation, TanhActivation, StringComparison.Ordinal))
        {
            return new NamFormatException(
                null,
                $"{field}.activation",
                $"unsupported activation '{Activation}' (only \"{TanhActivation}\", case-sensitive)"
            );
        }

        return null;
    }
}
