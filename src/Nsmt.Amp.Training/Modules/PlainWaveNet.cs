using Nsmt.Neural.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// The predecessor project's WaveNet (amp-modeling.md, "the seed's model"): a plain residual stack, 1x1 conv 1 -> C,
/// L blocks h = h + tanh(conv_K,d(h)) with dilation base^i, 1x1 conv C -> 1; none of NAM's gating, layer arrays,
/// condition mixing or head. "Plain" tells it from NAM's WaveNets; it runs causal or offline (<see cref="Causal"/>).
/// </summary>
/// <param name="Channels">C (16; the predecessor's real-time variant: 18).</param>
/// <param name="Layers">L (10; real-time: 9).</param>
/// <param name="KernelSize">K (3).</param>
/// <param name="DilationBase">Dilation of block i is base^i (2).</param>
/// <param name="Causal">
/// True: each output sees only the present and past (the predecessor's causal mode). False: "same"
/// alignment, each output sees (RF-1)/2 samples of past and future (the predecessor's offline mode).
/// </param>
public sealed record PlainWaveNetOptions(
    int Channels = 16,
    int Layers = 10,
    int KernelSize = 3,
    int DilationBase = 2,
    bool Causal = true
)
{
    /// <summary>The predecessor's real-time variant: C 18, L 9 (8,965 parameters, RF 1,023).</summary>
    public static PlainWaveNetOptions RealTime { get; } = new(Channels: 18, Layers: 9);

    public IReadOnlyList<int> Dilations =>
        Enumerable.Range(0, Layers).Select(i => checked((int)Math.Pow(DilationBase, i))).ToArray();

    /// <summary>1 + sum of (K-1)*d.</summary>
    public int ReceptiveField => 1 + Dilations.Sum(d => (KernelSize - 1) * d);

    /// <summary>C + C (input 1x1 with bias) + L*(C*C*K + C) + C + 1 (output 1x1 with bias).</summary>
    public int ParameterCount =>
        (2 * Channels) + (Layers * ((Channels * Channels * KernelSize) + Channels)) + Channels + 1;

    public void Validate()
    {
        Require(Channels >= 1, "channels", $"must be >= 1, got {Channels}");
        Require(Layers >= 1, "layers", $"must be >= 1, got {Layers}");
        Require(KernelSize >= 1, "kernel_size", $"must be >= 1, got {KernelSize}");
        Require(DilationBase >= 1, "dilation_base", $"must be >= 1, got {DilationBase}");
        Require(
            Causal || KernelSize % 2 == 1,
            "kernel_size",
            $"must be odd for the non-causal (\"same\") variant, got {KernelSize}"
        );
    }

    private static void Require(bool condition, string field, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"plain WaveNet {field}: {message}");
        }
    }
}

/// <summary>The predecessor's plain WaveNet as a torch module; valid convolutions, aligned by <see cref="PlainWaveNetOptions.Causal"/>.</summary>
public sealed class PlainWaveNet : AmpModule
{
    private readonly Conv1d _input;
    private readonly ModuleList<Conv1d> _blocks;
    private readonly Conv1d _output;

    public PlainWaveNet(PlainWaveNetOptions options)
        : base(nameof(PlainWaveNet))
    {
        options.Validate();
        Options = options;
        // Construction order = PyTorch's registration order, so a seed gives PyTorch's initial weights.
        register_module("input", _input = nn.Conv1d(1, options.Channels, 1));
        // TorchSharp registers a ModuleList's items when the list is registered: fill it first.
        register_module(
            "blocks",
            _blocks = new ModuleList<Conv1d>([
                .. options.Dilations.Select(d =>
                    nn.Conv1d(options.Channels, options.Channels, options.KernelSize, dilation: d)
                ),
            ])
        );

        register_module("output", _output = nn.Conv1d(options.Channels, 1, 1));
    }

    public PlainWaveNetOptions Options { get; }

    /// <summary>As <see cref="NamWaveNet.SimdConvolution"/>: null uses the SIMD conv as <see cref="Nsmt.Neural.Kernels.KernelChoice.Convolutions"/> says.</summary>
    public bool? SimdConvolution { get; set; }

    public int ReceptiveField => Options.ReceptiveField;

    public override int Context => Options.Causal ? ReceptiveField - 1 : (ReceptiveField - 1) / 2;

    public override int Lookahead => Options.Causal ? 0 : (ReceptiveField - 1) / 2;

    public override bool IsNamExportable => false;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = _input.call(x.unsqueeze(1));
        var simd = KernelChoice.Convolutions(SimdConvolution);
        foreach (var block in _blocks)
        {
            var z = SimdConv1d.Call(block, h, simd);
            var length = z.size(2);
            h = h.narrow(2, h.size(2) - length, length) + z.tanh_();
        }

        return _output.call(h).squeeze(1).MoveToOuterDisposeScope();
    }

    public override float[] Process(ReadOnlySpan<float> input, int chunkSize = DefaultChunkSize) =>
        ProcessConvolutional(input, chunkSize);
}
