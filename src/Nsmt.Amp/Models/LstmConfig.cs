using Nsmt.Amp.Format;

namespace Nsmt.Amp.Models;

/// <summary>NAM LSTM configuration (<c>config</c> of an <c>"LSTM"</c> file).</summary>
public sealed record LstmConfig : NamModelConfig
{
    public int InputSize { get; init; } = 1;

    public required int HiddenSize { get; init; }

    public required int NumLayers { get; init; }

    public override NamArchitecture Architecture => NamArchitecture.Lstm;

    /// <summary>Per layer 4H(I+H) + 4H + H + H (W, b, h0, c0), then head H + 1.</summary>
    public override int ParameterCount
    {
        get
        {
            int h = HiddenSize, total = 0;
            for (int l = 0; l < NumLayers; l++)
            {
                int input = l == 0 ? InputSize : h;
                total += (4 * h * (input + h)) + (4 * h) + h + h;
            }

            return total + h + 1;
        }
    }

    public override int ReceptiveField => 1;

    public override IReadOnlyList<NamWeightBlock> DescribeWeights()
    {
        var blocks = new List<NamWeightBlock>();
        int offset = 0;
        void Add(string name, int length, int fanIn)
        {
            blocks.Add(new NamWeightBlock(name, offset, length, fanIn));
            offset += length;
        }

        int h = HiddenSize;
        for (int l = 0; l < NumLayers; l++)
        {
            int input = l == 0 ? InputSize : h;
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

        if (HiddenSize < 1)
        {
            return new NamFormatException(null, "config.hidden_size", $"must be >= 1, got {HiddenSize}");
        }

        if (NumLayers < 1)
        {
            return new NamFormatException(null, "config.num_layers", $"must be >= 1, got {NumLayers}");
        }

        return null;
    }
}
