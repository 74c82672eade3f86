using Nsmt.Amp.Format;

namespace Nsmt.Amp.Architectures;

/// <summary>NAM LSTM configuration (<c>config</c> of an <c>"LSTM"</c> file).</summary>
public sealed record LstmConfig : NamModelConfig
{
    public int InputSize { get; init; } = 1;

    public required int HiddenSize { get; init; }

    public required int NumLayers { get; init; }

    public override NamArchitecture Architecture => NamArchitecture.Lstm;

    /// <summary>Per layer 4H(I+H) + 4H + H + H (W, b, h0, c0), then head H + 1.</summary>
    /// <exception cref="OverflowException">The sizes are beyond <see cref="NamLimits"/> (<see cref="NamModelConfig.Validate"/> says which).</exception>
    public override int ParameterCount => checked((int)WeightCount);

    /// <summary>The weight count in checked 64-bit arithmetic, so absurd sizes fail instead of wrapping to a small number.</summary>
    internal override long WeightCount
    {
        get
        {
            checked
            {
                long h = HiddenSize,
                    input0 = InputSize;
                var first = (4 * h * (input0 + h)) + (4 * h) + h + h;
                var other = (4 * h * (h + h)) + (4 * h) + h + h;
                return first + ((NumLayers - 1L) * other) + h + 1;
            }
        }
    }

    public override int ReceptiveField => 1;

    public override IReadOnlyList<NamWeightBlock> DescribeWeights()
    {
        var blocks = new List<NamWeightBlock>();
        var offset = 0;
        void Add(string name, int length, int fanIn)
        {
            blocks.Add(new NamWeightBlock(name, offset, length, fanIn));
            offset += length;
        }

        var h = HiddenSize;
        for (var l = 0; l < NumLayers; l++)
        {
            var input = l == 0 ? InputSize : h;
            Add($"layers[{l}].w_ih_hh", 4 * h * (input + h), h);
            Add($"layers[{l}].bias_ih_plus_hh", 4 * h, 0);
            Add($"layers[{l}].h0", h, 0);
            Add($"layers[{l}].c0", h, 0);
        }

        Add("head.weight", h, h);
        Add("head.bias", 1, 0);
        return blocks;
    }

    internal override NamFormatException? FindProblem()
    {
        if (InputSize != 1)
        {
            return new NamFormatException(null, "config.input_size", $"must be 1 (mono input), got {InputSize}");
        }

        if (
            NamLimits.OutOfRange(HiddenSize, NamLimits.MaxLstmHiddenSize, nameof(NamLimits.MaxLstmHiddenSize)) is
            { } hidden
        )
        {
            return new NamFormatException(null, "config.hidden_size", hidden);
        }

        if (NamLimits.OutOfRange(NumLayers, NamLimits.MaxLstmLayers, nameof(NamLimits.MaxLstmLayers)) is { } layers)
        {
            return new NamFormatException(null, "config.num_layers", layers);
        }

        return TooManyWeights();
    }
}
