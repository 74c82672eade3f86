using Nsmt.Amp.Architectures;
using Nsmt.Neural;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// One layer of an A1 layer array (nam-format.md): z = conv(h) + mixin(x); a = act(z) (gated:
/// tanh(z[:C]) * sigmoid(z[C:])); h = h + 1x1(a); the head accumulator takes a.
/// </summary>
public sealed class NamWaveNetLayer : nn.Module
{
    public NamWaveNetLayer(WaveNetLayerArrayConfig array, int dilation)
        : base(nameof(NamWaveNetLayer))
    {
        Channels = array.Channels;
        Gated = array.Gated;
        Dilation = dilation;
        var m = array.ConvOutputChannels;
        register_module("conv", Conv = nn.Conv1d(array.Channels, m, array.KernelSize, dilation: dilation));
        register_module("input_mixer", InputMixer = nn.Conv1d(array.ConditionSize, m, 1, bias: false));
        register_module("1x1", OneByOne = nn.Conv1d(array.Channels, array.Channels, 1));
    }

    public Conv1d Conv { get; }

    public Conv1d InputMixer { get; }

    public Conv1d OneByOne { get; }

    public int Channels { get; }

    public bool Gated { get; }

    public int Dilation { get; }

    /// <summary>Samples this layer's conv looks back: (K-1)*d.</summary>
    public int History => (int)((Conv.kernel_size[0] - 1) * Dilation);

    /// <summary>
    /// One layer over right-aligned signals: <paramref name="h"/> [B, C, L], <paramref name="condition"/>
    /// [B, 1, >= L]. Returns the activation [B, C, L - History] and, unless <paramref name="residual"/>
    /// is false, the next residual stream of the same length.
    /// </summary>
    public (Tensor activation, Tensor? next) Run(Tensor h, Tensor condition, bool residual, bool fuseMixer)
    {
        var length = h.size(2) - History;
        Tensor z;
        // Observers (diagrams, forward hooks) see NAM's formulation: same result, one call per module.
        if (fuseMixer && !Conv.HasForwardHooks && !InputMixer.HasForwardHooks)
        {
            // The mixin rides along as one more input channel of the dilated conv, weighted only at
            // the last tap (the output's own sample): one convolution instead of two plus an add.
            // A training step is about 10% faster than NAM's formulation (bench/amp-train/RESULTS.md).
            var k = Conv.kernel_size[0];
            var weight = torch.cat([Conv.weight, nn.functional.pad(InputMixer.weight, [k - 1, 0])], 1);
            var input = torch.cat([h, condition.narrow(2, condition.size(2) - h.size(2), h.size(2))], 1);
            z = nn.functional.conv1d(input, weight, Conv.bias, dilation: Dilation);
        }
        else
        {
            // NAM's formulation, except that only the aligned tail of the condition is mixed in.
            z = Conv.call(h);
            z.add_(InputMixer.call(condition.narrow(2, condition.size(2) - length, length)));
        }

        var a = Gated ? z.narrow(1, 0, Channels).tanh() * z.narrow(1, Channels, Channels).sigmoid() : z.tanh_();
        var next = residual ? h.narrow(2, h.size(2) - length, length) + OneByOne.call(a) : null;
        return (a, next);
    }
}

/// <summary>One A1 layer array: rechannel, layers, head rechannel (registered in NAM's order).</summary>
public sealed class NamWaveNetLayerArray : nn.Module
{
    public NamWaveNetLayerArray(WaveNetLayerArrayConfig config)
        : base(nameof(NamWaveNetLayerArray))
    {
        Config = config;
        register_module("rechannel", Rechannel = nn.Conv1d(config.InputSize, config.Channels, 1, bias: false));
        // TorchSharp registers a ModuleList's items when the list is registered: fill it first.
        register_module(
            "layers",
            Layers = new ModuleList<NamWaveNetLayer>([.. config.Dilations.Select(d => new NamWaveNetLayer(config, d))])
        );

        register_module(
            "head_rechannel",
            HeadRechannel = nn.Conv1d(config.Channels, config.HeadSize, 1, bias: config.HeadBias)
        );
    }

    public WaveNetLayerArrayConfig Config { get; }

    public Conv1d Rechannel { get; }

    public ModuleList<NamWaveNetLayer> Layers { get; }

    public Conv1d HeadRechannel { get; }

    /// <summary>
    /// Runs the array on <paramref name="input"/> [B, in, L] with the raw input as condition; the head
    /// accumulator starts at <paramref name="headIn"/> (null = zeros) and is kept only over the last
    /// <paramref name="outLength"/> samples. Returns (head output [B, H, outLength], residual stream).
    /// </summary>
    public (Tensor head, Tensor? residual) Run(
        Tensor input,
        Tensor condition,
        Tensor? headIn,
        long outLength,
        bool needResidual,
        bool fuseMixer
    )
    {
        var h = Rechannel.call(input);
        var s = headIn;
        for (var l = 0; l < Layers.Count; l++)
        {
            var last = l == Layers.Count - 1;
            var (a, next) = Layers[l].Run(h, condition, residual: !last || needResidual, fuseMixer);
            var tail = a.narrow(2, a.size(2) - outLength, outLength);
            s = s is null ? tail : s + tail;
            if (next is not null)
            {
                h = next;
            }
        }

        return (HeadRechannel.call(s!), needResidual ? h : null);
    }
}

/// <summary>
/// NAM's "A1" WaveNet (nam-format.md) as a torch module: any layer arrays, gated or not, condition =
/// raw input, head accumulator chained through the arrays, output = head_scale * last head. The head
/// scale is a constant, as in NAM's trainer (it is not trained; it is exported as the last weight).
/// </summary>
public sealed class NamWaveNet : AmpModule
{
    public NamWaveNet(WaveNetConfig config)
        : base(nameof(NamWaveNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        register_module(
            "layer_arrays",
            Arrays = new ModuleList<NamWaveNetLayerArray>([
                .. config.LayerArrays.Select(a => new NamWaveNetLayerArray(a)),
            ])
        );
    }

    public WaveNetConfig Config { get; }

    public ModuleList<NamWaveNetLayerArray> Arrays { get; }

    public float HeadScale => Config.HeadScale;

    /// <summary>
    /// Computes each layer's input mixin inside its dilated conv (an extra input channel) rather than
    /// as a separate 1x1 conv; the same function, faster to train on CPU. Parameters are unchanged.
    /// </summary>
    public bool FuseInputMixer { get; set; } = true;

    public int ReceptiveField => Config.ReceptiveField;

    public override int Context => ReceptiveField - 1;

    public override bool IsNamExportable => true;

    public override long WeightCount => Config.ParameterCount;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var outLength = x.size(1) - ReceptiveField + 1;
        if (outLength < 1)
        {
            throw new ArgumentException(
                $"input of {x.size(1)} samples is shorter than the receptive field ({ReceptiveField})"
            );
        }

        var condition = x.unsqueeze(1);
        var input = condition;
        Tensor? head = null;
        for (var j = 0; j < Arrays.Count; j++)
        {
            var last = j == Arrays.Count - 1;
            var (h, residual) = Arrays[j].Run(input, condition, head, outLength, needResidual: !last, FuseInputMixer);
            head = h;
            if (residual is not null)
            {
                input = residual;
            }
        }

        return (head!.squeeze(1) * HeadScale).MoveToOuterDisposeScope();
    }

    public override float[] Process(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize) =>
        ProcessConvolutional(input, chunkSize);
}
