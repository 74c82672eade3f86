using Nsmt.Neural;
using Nsmt.Neural.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models;

public sealed record SimpleCnnOptions(
    int InputChannels = 1,
    int Conv1Channels = 64,
    int Conv2Channels = 128,
    int FcHidden = 512,
    double Dropout = 0.5,
    int InputSize = 32
);

/// <summary>
/// Two [Conv3x3 -> BatchNorm -> ReLU -> MaxPool2] stages, adaptive pooling to 7x7 (28-px inputs) or 4x4,
/// then Linear -> ReLU -> Dropout shared by the heads (NSMT's SimpleCNN), optionally beside an auxiliary input branch.
/// </summary>
public sealed class SimpleCnn : MultiheadNetwork
{
    private readonly Sequential _features;
    private readonly Sequential _shared;
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> _heads;

    public SimpleCnn(
        SimpleCnnOptions options,
        IReadOnlyList<HeadSpec> heads,
        HeadKind kind = HeadKind.Classification,
        AuxiliaryOptions? auxiliary = null
    )
        : base(nameof(SimpleCnn), heads, kind, auxiliary)
    {
        Options = options;
        var pool = options.InputSize / 4 == 7 ? 7 : 4;
        register_module(
            "features",
            _features = nn.Sequential(
                nn.Conv2d(options.InputChannels, options.Conv1Channels, 3, padding: 1),
                nn.BatchNorm2d(options.Conv1Channels),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(options.Conv1Channels, options.Conv2Channels, 3, padding: 1),
                nn.BatchNorm2d(options.Conv2Channels),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.AdaptiveAvgPool2d(pool)
            )
        );
        register_module(
            "shared",
            _shared = nn.Sequential(
                nn.Flatten(),
                nn.Linear(options.Conv2Channels * pool * pool, options.FcHidden),
                nn.ReLU(),
                nn.Dropout(options.Dropout)
            )
        );
        register_module(
            "heads",
            this._heads = BuildHeads(options.FcHidden, (h, width) => nn.Linear(width, OutputWidth(h)))
        );
    }

    public SimpleCnnOptions Options { get; }

    /// <summary>
    /// Whether the 3x3 convs run on <see cref="SimdConv2d"/> (CPU float32) rather than libtorch: the same function.
    /// Null (the default): <see cref="KernelChoice.Convolutions"/>, i.e. where oneDNN is off (on CPUs with 256/512-bit vectors), where libtorch's own
    /// conv2d (im2col + GEMM) is 2-3x slower on these layers (bench/train-parity/RESULTS.md).
    /// </summary>
    public bool? SimdConvolution { get; set; }

    /// <summary>
    /// Whether the 2x2 max pools run on <see cref="SimdMaxPool2d"/> (CPU float32) rather than libtorch: the same values
    /// and gradients, bit for bit. Null (the default): <see cref="KernelChoice.NormsAndPools"/>, i.e. on every CPU with 256-
    /// or 512-bit vectors, where it takes 5-13x less CPU time than libtorch's pooling (bench/train-parity/RESULTS.md).
    /// </summary>
    public bool? SimdPooling { get; set; }

    /// <summary>
    /// Whether the batch norms run on <see cref="SimdBatchNorm2d"/> (CPU float32, training mode) rather than libtorch:
    /// the same function, running statistics included; evaluation mode always runs on libtorch. Null (the default):
    /// <see cref="KernelChoice.NormsAndPools"/>, as the pools; it made cnn_tiny's one-epoch training 1.2x faster
    /// (bench/train-parity/RESULTS.md).
    /// </summary>
    public bool? SimdBatchNorm { get; set; }

    public override IReadOnlyDictionary<string, Tensor> forward(Tensor input, Tensor? auxiliary)
    {
        using var scope = NewDisposeScope();
        return ApplyHeads(_heads, _shared.call(Features(input)), auxiliary);
    }

    // The feature stack layer by layer with its convs through SimdConv2d, its batch norms through SimdBatchNorm2d and
    // its pools through SimdMaxPool2d where enabled; the Sequential itself where all three kernels are off or the stack
    // has forward hooks (diagrams), so observers see it run.
    private Tensor Features(Tensor input)
    {
        var (convs, norms, pools) = (
            KernelChoice.Convolutions(SimdConvolution),
            KernelChoice.NormsAndPools(SimdBatchNorm),
            KernelChoice.NormsAndPools(SimdPooling)
        );
        if (!(convs || norms || pools) || _features.HasForwardHooks)
        {
            return _features.call(input);
        }

        var h = input;
        foreach (var layer in _features.children())
        {
            h = layer switch
            {
                Conv2d conv => SimdConv2d.Call(conv, h, convs),
                BatchNorm2d norm => SimdBatchNorm2d.Call(norm, h, norms),
                MaxPool2d pool => SimdMaxPool2d.Call(pool, h, pools),
                _ => ((nn.Module<Tensor, Tensor>)layer).call(h),
            };
        }

        return h;
    }
}
