using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// One A2 layer (Core's wavenet Layer without gating, FiLM or head1x1): z = conv(h) + mixin(x) over B channels,
/// a = act(z), h' = h + layer1x1(a); the head sum takes a.
/// </summary>
public sealed class NamA2Layer : nn.Module
{
    public NamA2Layer(A2Config config, int index)
        : base(nameof(NamA2Layer))
    {
        Dilation = config.Dilations[index];
        KernelSize = config.KernelSizes[index];
        LeakySlope = config.LeakySlopes[index];
        register_module("conv", Conv = nn.Conv1d(config.Channels, config.Bottleneck, KernelSize, dilation: Dilation));
        register_module("input_mixer", InputMixer = nn.Conv1d(1, config.Bottleneck, 1, bias: false));
        register_module("layer1x1", Layer1x1 = nn.Conv1d(config.Bottleneck, config.Channels, 1));
    }

    public Conv1d Conv { get; }

    public Conv1d InputMixer { get; }

    public Conv1d Layer1x1 { get; }

    public int Dilation { get; }

    public int KernelSize { get; }

    /// <summary>LeakyReLU's slope, or null for Tanh.</summary>
    public double? LeakySlope { get; }

    /// <summary>Samples this layer's conv looks back: (K-1)*d.</summary>
    public int History => (KernelSize - 1) * Dilation;

    /// <summary>
    /// <paramref name="h"/> [B, C, L] and the condition [B, 1, &gt;= L], right-aligned: the activation
    /// [B, Bn, L - History] and, when <paramref name="residual"/>, the next residual stream of that length.
    /// </summary>
    public (Tensor activation, Tensor? next) Run(Tensor h, Tensor condition, bool residual)
    {
        var length = h.size(2) - History;
        var z = Conv.call(h);
        z.add_(InputMixer.call(condition.narrow(2, condition.size(2) - length, length)));
        var a = LeakySlope is { } slope ? nn.functional.leaky_relu(z, slope) : z.tanh();
        var next = residual ? h.narrow(2, h.size(2) - length, length) + Layer1x1.call(a) : null;
        return (a, next);
    }
}

/// <summary>
/// NAM's A2 WaveNet (<see cref="A2Config"/>) as a torch module, in Core's semantics and weight order: rechannel
/// (no bias), the layers, the head conv (kernel K_head, causal) over the sum of every layer's activation, times
/// head_scale. head_scale is a constant, exported as the last weight, as in NAM's trainer.
/// </summary>
public sealed class NamA2WaveNet : AmpModule, IHeadScaled
{
    public NamA2WaveNet(A2Config config)
        : base(nameof(NamA2WaveNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        register_module("rechannel", Rechannel = nn.Conv1d(1, config.Channels, 1, bias: false));
        register_module(
            "layers",
            Layers = new ModuleList<NamA2Layer>([
                .. Enumerable.Range(0, config.Layers).Select(i => new NamA2Layer(config, i)),
            ])
        );
        register_module("head", Head = nn.Conv1d(config.Bottleneck, 1, config.HeadKernelSize, bias: config.HeadBias));
        HeadScale = config.HeadScale;
    }

    public A2Config Config { get; }

    public Conv1d Rechannel { get; }

    public ModuleList<NamA2Layer> Layers { get; }

    public Conv1d Head { get; }

    /// <summary>The output scale; NAM's target normalisation divides it by the gain it applied to the target.</summary>
    public float HeadScale { get; set; }

    public int ReceptiveField => Config.ReceptiveField;

    public override int Context => ReceptiveField - 1;

    public override bool IsNamExportable => true;

    public override long WeightCount => Config.WeightCount;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (Unscaled(x) * HeadScale).MoveToOuterDisposeScope();
    }

    /// <summary>The head conv's output before head_scale, [B, T - Context].</summary>
    public Tensor Unscaled(Tensor x)
    {
        var outLength = x.size(1) - ReceptiveField + 1;
        if (outLength < 1)
        {
            throw new ArgumentException(
                $"input of {x.size(1)} samples is shorter than the receptive field ({ReceptiveField})"
            );
        }

        // The head conv needs K_head - 1 samples of the activation sum before the first output.
        var headLength = outLength + Config.HeadKernelSize - 1;
        var condition = x.unsqueeze(1);
        var h = Rechannel.call(condition);
        Tensor? sum = null;
        for (var l = 0; l < Layers.Count; l++)
        {
            // The last layer's layer1x1 feeds nothing (Core computes it; its weights are exported all the same).
            var (a, next) = Layers[l].Run(h, condition, residual: l < Layers.Count - 1);
            var tail = a.narrow(2, a.size(2) - headLength, headLength);
            sum = sum is null ? tail : sum + tail;
            if (next is not null)
            {
                h = next;
            }
        }

        return Head.call(sum!).squeeze(1);
    }

    public override float[] Process(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize) =>
        ProcessConvolutional(input, chunkSize);
}
