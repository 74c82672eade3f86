using Nsmt.Amp.Format;

namespace Nsmt.Amp.Architectures;

/// <summary>
/// NAM "A1" WaveNet configuration (<c>config</c> of a <c>"WaveNet"</c> file): layer arrays, no
/// post-head (<c>head</c> is always null) and the output scale.
/// </summary>
public sealed record WaveNetConfig : NamModelConfig
{
    public required IReadOnlyList<WaveNetLayerArrayConfig> LayerArrays { get; init; }

    /// <summary>
    /// Output scale. Core reads the scale from the LAST WEIGHT, so a valid model stores the same
    /// value there; the exporter refuses a model where they differ.
    /// </summary>
    public required float HeadScale { get; init; }

    public override NamArchitecture Architecture => NamArchitecture.WaveNet;

    /// <exception cref="OverflowException">The sizes are beyond <see cref="NamLimits"/> (<see cref="NamModelConfig.Validate"/> says which).</exception>
    public override int ParameterCount => checked((int)WeightCount);

    internal override long WeightCount => checked(LayerArrays.Sum(a => a.WeightCount) + 1);

    /// <summary>RF = 1 + sum over all layers of (K-1)*d.</summary>
    public override int ReceptiveField => checked((int)ReceptiveField64);

    private long ReceptiveField64 => checked(1 + LayerArrays.Sum(a => a.HistoryLength64));

    public bool Equals(WaveNetConfig? other) =>
        other is not null && HeadScale.Equals(other.HeadScale) && LayerArrays.SequenceEqual(other.LayerArrays);

    public override int GetHashCode() => HashCode.Combine(HeadScale, LayerArrays.Count);

    public override IReadOnlyList<NamWeightBlock> DescribeWeights()
    {
        var blocks = new List<NamWeightBlock>();
        var offset = 0;
        void Add(string name, int length, int fanIn)
        {
            blocks.Add(new NamWeightBlock(name, offset, length, fanIn));
            offset += length;
        }

        for (var j = 0; j < LayerArrays.Count; j++)
        {
            var a = LayerArrays[j];
            int c = a.Channels,
                m = a.ConvOutputChannels,
                k = a.KernelSize;
            var prefix = $"layers[{j}]";
            Add($"{prefix}.rechannel.weight", c * a.InputSize, a.InputSize);
            for (var l = 0; l < a.Dilations.Count; l++)
            {
                var layer = $"{prefix}.layer[{l}]";
                Add($"{layer}.conv.weight", m * c * k, c * k);
                Add($"{layer}.conv.bias", m, 0);
                Add($"{layer}.input_mixin.weight", m * a.ConditionSize, a.ConditionSize);
                Add($"{layer}.1x1.weight", c * c, c);
                Add($"{layer}.1x1.bias", c, 0);
            }

            Add($"{prefix}.head_rechannel.weight", a.HeadSize * c, c);
            if (a.HeadBias)
            {
                Add($"{prefix}.head_rechannel.bias", a.HeadSize, 0);
            }
        }

        Add("head_scale", 1, 0);
        return blocks;
    }

    internal override NamFormatException? FindProblem()
    {
        if (LayerArrays is null || LayerArrays.Count == 0)
        {
            return new NamFormatException(null, "config.layers", "must contain at least one layer array");
        }

        if (LayerArrays.Count > NamLimits.MaxLayerArrays)
        {
            return new NamFormatException(
                null,
                "config.layers",
                $"must contain at most {NamLimits.MaxLayerArrays} layer arrays (NamLimits.MaxLayerArrays), got {LayerArrays.Count}"
            );
        }

        if (!float.IsFinite(HeadScale))
        {
            return new NamFormatException(null, "config.head_scale", "must be a finite number");
        }

        for (var j = 0; j < LayerArrays.Count; j++)
        {
            var field = $"config.layers[{j}]";
            var array = LayerArrays[j];
            if (array.FindProblem(field) is { } own)
            {
                return own;
            }

            if (
                LayerArrayChain.InputSizeProblem(field, j, array.InputSize, j > 0 ? LayerArrays[j - 1].Channels : 0) is
                { } input
            )
            {
                return input;
            }

            if (j > 0)
            {
                var previous = LayerArrays[j - 1];

                // The previous array's head output becomes this array's skip accumulator.
                if (array.Channels != previous.HeadSize)
                {
                    return new NamFormatException(
                        null,
                        $"{field}.channels",
                        $"must equal head_size of layers[{j - 1}] ({previous.HeadSize}), got {array.Channels}"
                    );
                }
            }
        }

        var last = LayerArrays[^1];
        if (last.HeadSize != 1)
        {
            return new NamFormatException(
                null,
                $"config.layers[{LayerArrays.Count - 1}].head_size",
                $"the last array produces the mono output: must be 1, got {last.HeadSize}"
            );
        }

        if (ReceptiveField64 > NamLimits.MaxReceptiveField)
        {
            return new NamFormatException(
                null,
                "config.layers",
                $"receptive field of {ReceptiveField64} samples (1 + sum of (kernel_size - 1) * dilation) is more than the limit of {NamLimits.MaxReceptiveField} (NamLimits.MaxReceptiveField)"
            );
        }

        return TooManyWeights();
    }
}
