using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>One residual layer: dilated conv (with bias and input mixin) and the 1x1 back to C channels.</summary>
internal sealed unsafe class PackedLayer
{
    private readonly PinnedBuffer<int> _tapOffsets;

    public PackedLayer(PackedConv conv, PackedConv oneByOne, int kernelSize, int dilation)
    {
        Conv = conv;
        OneByOne = oneByOne;
        Dilation = dilation;
        History = (kernelSize - 1) * dilation;

        // Tap k multiplies x[t - (K-1-k)*d]; tap K-1 is the current sample.
        _tapOffsets = new PinnedBuffer<int>(kernelSize);
        for (var k = 0; k < kernelSize; k++)
        {
            _tapOffsets.Span[k] = -(kernelSize - 1 - k) * dilation;
        }
    }

    public PackedConv Conv { get; }

    public PackedConv OneByOne { get; }

    public int Dilation { get; }

    /// <summary>Columns of past input the dilated conv reads: (K-1)*d.</summary>
    public int History { get; }

    public int* TapOffsets => _tapOffsets.Pointer;
}

/// <summary>One layer array with channel counts padded for the kernel.</summary>
internal sealed class PackedLayerArray
{
    public required WaveNetLayerArrayConfig Config { get; init; }

    /// <summary>Channels padded to a multiple of the kernel's row tile.</summary>
    public required int PaddedChannels { get; init; }

    /// <summary>Padded rows of the dilated conv output: 2*PaddedChannels when gated.</summary>
    public required int PaddedConvRows { get; init; }

    /// <summary>Padded head rows (= the next array's padded channels).</summary>
    public required int PaddedHeadRows { get; init; }

    /// <summary>Padded channels of this array's input (1 for the first array).</summary>
    public required int PaddedInputChannels { get; init; }

    public required PackedConv Rechannel { get; init; }

    public required PackedLayer[] Layers { get; init; }

    public required PackedConv Head { get; init; }
}

/// <summary>
/// A WaveNet A1 model's weights repacked once for the kernels; shared by the streaming engine
/// and the offline processor (read-only after construction).
/// </summary>
internal sealed class WaveNetPackedModel
{
    private WaveNetPackedModel(PackedLayerArray[] arrays, float headScale, int receptiveField)
    {
        Arrays = arrays;
        HeadScale = headScale;
        ReceptiveField = receptiveField;
        MaxLayerHistory = arrays.SelectMany(a => a.Layers).Max(l => l.History);
    }

    public PackedLayerArray[] Arrays { get; }

    /// <summary>Core's output scale: the last weight.</summary>
    public float HeadScale { get; }

    public int ReceptiveField { get; }

    public int MaxLayerHistory { get; }

    public static WaveNetPackedModel Create(NamModel model)
    {
        var config = (WaveNetConfig)model.Config;
        var cursor = new WeightCursor(model.Weights);
        var arrays = new PackedLayerArray[config.LayerArrays.Count];
        var paddedInput = 1;
        for (var j = 0; j < arrays.Length; j++)
        {
            arrays[j] = PackArray(config.LayerArrays[j], paddedInput, cursor);
            paddedInput = arrays[j].PaddedChannels;
        }

        var headScale = cursor.TakeOne();
        cursor.ExpectEnd();
        return new WaveNetPackedModel(arrays, headScale, config.ReceptiveField);
    }

    private static PackedLayerArray PackArray(WaveNetLayerArrayConfig array, int paddedInput, WeightCursor cursor)
    {
        int c = array.Channels,
            k = array.KernelSize,
            h = array.HeadSize,
            m = array.ConvOutputChannels;
        var cp = PackedConv.PadRows(c);
        var hp = PackedConv.PadRows(h);
        var mp = array.Gated ? 2 * cp : cp;

        // Gated: the tanh half stays in rows [0, C), the sigmoid half moves to rows [Cp, Cp + C).
        Func<int, int> gatedRows = r => r < c ? r : cp + (r - c);

        var rechannel = new PackedConv(cursor.Take(c * array.InputSize), c, array.InputSize, 1, cp, paddedInput);
        var layers = new PackedLayer[array.Dilations.Count];
        for (var l = 0; l < layers.Length; l++)
        {
            var conv = new PackedConv(cursor.Take(m * c * k), m, c, k, mp, cp, array.Gated ? gatedRows : null);
            conv.SetBias(cursor.Take(m));
            conv.SetMixin(cursor.Take(m));
            var oneByOne = new PackedConv(cursor.Take(c * c), c, c, 1, cp, cp);
            oneByOne.SetBias(cursor.Take(c));
            layers[l] = new PackedLayer(conv, oneByOne, k, array.Dilations[l]);
        }

        var head = new PackedConv(cursor.Take(h * c), h, c, 1, hp, cp);
        if (array.HeadBias)
        {
            head.SetBias(cursor.Take(h));
        }

        return new PackedLayerArray
        {
            Config = array,
            PaddedChannels = cp,
            PaddedConvRows = mp,
            PaddedHeadRows = hp,
            PaddedInputChannels = paddedInput,
            Rechannel = rechannel,
            Layers = layers,
            Head = head,
        };
    }
}
