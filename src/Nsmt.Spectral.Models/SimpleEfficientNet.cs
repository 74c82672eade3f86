using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models;

/// <summary>One MBConv stage of EfficientNet-B0: expansion ratio, output channels, repeats, first stride, kernel.</summary>
public sealed record MbConvStage(int Expand, int Channels, int Repeats, int Stride, int Kernel);

public sealed record EfficientNetOptions(
    int InputChannels = 1,
    double Dropout = 0.2,
    IReadOnlyList<MbConvStage>? Stages = null
)
{
    /// <summary>EfficientNet-B0's stages.</summary>
    public static readonly IReadOnlyList<MbConvStage> B0 =
    [
        new(1, 16, 1, 1, 3),
        new(6, 24, 2, 2, 3),
        new(6, 40, 2, 2, 5),
        new(6, 80, 3, 2, 3),
        new(6, 112, 3, 1, 5),
        new(6, 192, 4, 2, 5),
        new(6, 320, 1, 1, 3),
    ];

    public IReadOnlyList<MbConvStage> StageList => Stages ?? B0;
}

/// <summary>Squeeze-and-excitation: channel weights from a pooled bottleneck (ratio 0.25 of the block input).</summary>
public sealed class SqueezeExcite : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _gate;

    public SqueezeExcite(int channels, int squeezed)
        : base(nameof(SqueezeExcite)) =>
        register_module(
            "gate",
            _gate = nn.Sequential(
                nn.AdaptiveAvgPool2d(1),
                nn.Conv2d(channels, squeezed, 1),
                nn.SiLU(),
                nn.Conv2d(squeezed, channels, 1),
                nn.Sigmoid()
            )
        );

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (x * _gate.call(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>Inverted residual: [expand 1x1] -> depthwise kxk -> SE -> project 1x1, residual when shapes allow.</summary>
public sealed class MbConv : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _block;
    private readonly bool _residual;

    public MbConv(int input, int output, int expand, int stride, int kernel)
        : base(nameof(MbConv))
    {
        var hidden = input * expand;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        if (expand != 1)
        {
            layers.AddRange([nn.Conv2d(input, hidden, 1, bias: false), nn.BatchNorm2d(hidden), nn.SiLU()]);
        }

        layers.AddRange([
            nn.Conv2d(hidden, hidden, kernel, stride: stride, padding: kernel / 2, groups: hidden, bias: false),
            nn.BatchNorm2d(hidden),
            nn.SiLU(),
            new SqueezeExcite(hidden, Math.Max(1, (int)(input * 0.25))),
            nn.Conv2d(hidden, output, 1, bias: false),
            nn.BatchNorm2d(output),
        ]);
        register_module("block", _block = nn.Sequential([.. layers]));
        _residual = stride == 1 && input == output;
    }

    public override Tensor forward(Tensor x)
    {
        if (!_residual)
        {
            return _block.call(x);
        }

        using var scope = NewDisposeScope();
        return (x + _block.call(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>A simplified EfficientNet-B0 with Swish: stem conv3x3/2 (32 ch), MBConv stages, 1x1 head to 1280, pooling, dropout, heads.</summary>
public sealed class SimpleEfficientNet : MultiheadNetwork
{
    private readonly Sequential _features;
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> _heads;

    public SimpleEfficientNet(
        EfficientNetOptions options,
        IReadOnlyList<HeadSpec> heads,
        HeadKind kind = HeadKind.Classification,
        AuxiliaryOptions? auxiliary = null
    )
        : base(nameof(SimpleEfficientNet), heads, kind, auxiliary)
    {
        Options = options;
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Conv2d(options.InputChannels, 32, 3, stride: 2, padding: 1, bias: false),
            nn.BatchNorm2d(32),
            nn.SiLU(),
        };
        var channels = 32;
        foreach (var stage in options.StageList)
        {
            for (var r = 0; r < stage.Repeats; r++)
            {
                layers.Add(new MbConv(channels, stage.Channels, stage.Expand, r == 0 ? stage.Stride : 1, stage.Kernel));
                channels = stage.Channels;
            }
        }
        layers.AddRange([
            nn.Conv2d(channels, 1280, 1, bias: false),
            nn.BatchNorm2d(1280),
            nn.SiLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Dropout(options.Dropout),
        ]);
        register_module("features", _features = nn.Sequential([.. layers]));
        register_module("heads", this._heads = BuildHeads(1280, (h, width) => nn.Linear(width, OutputWidth(h))));
    }

    public EfficientNetOptions Options { get; }

    public override IReadOnlyDictionary<string, Tensor> forward(Tensor input, Tensor? auxiliary)
    {
        using var scope = NewDisposeScope();
        return ApplyHeads(_heads, _features.call(input), auxiliary);
    }
}
