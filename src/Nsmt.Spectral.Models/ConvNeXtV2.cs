using System.Diagnostics.CodeAnalysis;
using Nsmt.Neural;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Nsmt.Spectral.Models;

public sealed record ConvNeXtV2Options(
    int InputChannels = 1,
    int[]? Depths = null,
    int[]? Dims = null,
    double DropPath = 0.0,
    int KernelSize = 7,
    int InputSize = 32
)
{
    public int[] StageDepths => Depths ?? [1, 1, 1, 1];
    public int[] StageDims => Dims ?? [4, 8, 16, 32];

    public static ConvNeXtV2Options Tiny(int inputChannels = 1, int inputSize = 32) =>
        new(inputChannels, [1, 1, 1, 1], [4, 8, 16, 32], InputSize: inputSize);

    public static ConvNeXtV2Options Small(int inputChannels = 1, int inputSize = 32) =>
        new(inputChannels, [1, 1, 2, 1], [8, 16, 32, 64], InputSize: inputSize);

    public static ConvNeXtV2Options Base(int inputChannels = 1, int inputSize = 32) =>
        new(inputChannels, [2, 2, 4, 2], [12, 24, 48, 96], InputSize: inputSize);

    public static ConvNeXtV2Options Large(int inputChannels = 1, int inputSize = 32) =>
        new(inputChannels, [3, 3, 6, 3], [16, 32, 64, 128], InputSize: inputSize);
}

/// <summary>LayerNorm over the channel dim of an NCHW tensor.</summary>
public sealed class ChannelsFirstLayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm _norm;

    public ChannelsFirstLayerNorm(long channels, double eps = 1e-6)
        : base("LayerNorm2d") => register_module("norm", _norm = nn.LayerNorm(channels, eps));

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return _norm.call(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }
}

/// <summary>Global Response Normalization (channels-last): gamma*(x*Nx) + beta + x, gamma = beta = 0 at init.</summary>
public sealed class GlobalResponseNorm : nn.Module<Tensor, Tensor>
{
    [SuppressMessage(
        "Style",
        "IDE1006",
        Justification = "TorchSharp's to() replaces a registered tensor through the field named like it"
    )]
    private readonly Parameter gamma;

    [SuppressMessage(
        "Style",
        "IDE1006",
        Justification = "TorchSharp's to() replaces a registered tensor through the field named like it"
    )]
    private readonly Parameter beta;

    public GlobalResponseNorm(long dim)
        : base("GRN")
    {
        gamma = nn.Parameter(zeros(1, 1, 1, dim));
        beta = nn.Parameter(zeros(1, 1, 1, dim));
        register_parameter("gamma", gamma);
        register_parameter("beta", beta);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gx = linalg.vector_norm(x, dims: [1, 2], keepdim: true);
        var nx = gx / (gx.mean([-1], keepdim: true) + 1e-6);
        return (gamma * (x * nx) + beta + x).MoveToOuterDisposeScope();
    }
}

/// <summary>Stochastic depth: drops the whole residual branch per sample with probability p during training.</summary>
public sealed class DropPath(double p) : nn.Module<Tensor, Tensor>(nameof(DropPath))
{
    public override Tensor forward(Tensor x)
    {
        if (p == 0 || !training)
        {
            return x.alias();
        }

        using var scope = NewDisposeScope();
        var keep = 1 - p;
        var shape = new long[x.Dimensions];
        Array.Fill(shape, 1L);
        shape[0] = x.size(0);
        var mask = empty(shape, x.dtype, x.device).bernoulli_(keep);
        return (x / keep * mask).MoveToOuterDisposeScope();
    }
}

public sealed class ConvNeXtBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _depthwise;
    private readonly LayerNorm _norm;
    private readonly Linear _expand;
    private readonly GlobalResponseNorm _grn;
    private readonly Linear _project;
    private readonly DropPath _dropPath;

    public ConvNeXtBlock(int dim, int kernel, double dropPath)
        : base("Block")
    {
        register_module("dwconv", _depthwise = nn.Conv2d(dim, dim, kernel, padding: kernel / 2, groups: dim));
        register_module("norm", _norm = nn.LayerNorm(dim, 1e-6));
        register_module("pwconv1", _expand = nn.Linear(dim, 4 * dim));
        register_module("grn", _grn = new GlobalResponseNorm(4 * dim));
        register_module("pwconv2", _project = nn.Linear(4 * dim, dim));
        register_module("drop_path", this._dropPath = new DropPath(dropPath));
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _depthwise.call(input).permute(0, 2, 3, 1);
        x = _project.call(_grn.call(F.gelu(_expand.call(_norm.call(x))))).permute(0, 3, 1, 2);
        return (input + _dropPath.call(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>ConvNeXt V2 for small spectrograms: stem, three downsamplings, GRN blocks, pooled LayerNorm, heads.</summary>
public sealed class ConvNeXtV2 : MultiheadNetwork
{
    private readonly ModuleList<Sequential> _downsample;
    private readonly ModuleList<Sequential> _stages;
    private readonly LayerNorm _norm;
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> _heads;

    public ConvNeXtV2(
        ConvNeXtV2Options options,
        IReadOnlyList<HeadSpec> heads,
        HeadKind kind = HeadKind.Classification,
        AuxiliaryOptions? auxiliary = null
    )
        : base(nameof(ConvNeXtV2), heads, kind, auxiliary)
    {
        var dims = options.StageDims;
        var depths = options.StageDepths;
        if (dims.Length != 4 || depths.Length != 4)
        {
            throw new ArgumentException("ConvNeXtV2 needs 4 depths and 4 dims");
        }

        Options = options;
        var stem = options.InputSize is 28 or 32 ? 2 : 4;
        var layers = new List<Sequential>
        {
            nn.Sequential(
                nn.Conv2d(options.InputChannels, dims[0], stem, stride: stem),
                new ChannelsFirstLayerNorm(dims[0])
            ),
        };
        for (var i = 1; i < 4; i++)
        {
            layers.Add(
                nn.Sequential(new ChannelsFirstLayerNorm(dims[i - 1]), nn.Conv2d(dims[i - 1], dims[i], 2, stride: 2))
            );
        }

        register_module("downsample_layers", _downsample = new ModuleList<Sequential>([.. layers]));
        var total = depths.Sum();
        var rates = Enumerable
            .Range(0, total)
            .Select(i => total == 1 ? 0 : options.DropPath * i / (total - 1))
            .ToArray();
        var blockIndex = 0;
        var stageList = new List<Sequential>();
        for (var i = 0; i < 4; i++)
        {
            var blocks = Enumerable
                .Range(0, depths[i])
                .Select(_ =>
                    (nn.Module<Tensor, Tensor>)new ConvNeXtBlock(dims[i], options.KernelSize, rates[blockIndex++])
                )
                .ToArray();
            stageList.Add(nn.Sequential(blocks));
        }
        register_module("stages", _stages = new ModuleList<Sequential>([.. stageList]));
        register_module("norm", _norm = nn.LayerNorm(dims[3], 1e-6));
        register_module("heads", this._heads = BuildHeads(dims[3], (h, width) => nn.Linear(width, OutputWidth(h))));
        foreach (var module in this.ModulesDepthFirst())
        {
            if (module is Convolution conv)
            {
                Initializers.TruncNormal(conv.weight, std: 0.02);
                if (conv.bias is not null)
                {
                    nn.init.zeros_(conv.bias);
                }
            }
            else if (module is Linear linear)
            {
                Initializers.TruncNormal(linear.weight, std: 0.02);
                if (linear.bias is not null)
                {
                    nn.init.zeros_(linear.bias);
                }
            }
        }
    }

    public ConvNeXtV2Options Options { get; }

    public override IReadOnlyDictionary<string, Tensor> forward(Tensor input, Tensor? auxiliary)
    {
        using var scope = NewDisposeScope();
        var x = input;
        for (var i = 0; i < 4; i++)
        {
            x = _stages[i].call(_downsample[i].call(x));
        }

        return ApplyHeads(_heads, _norm.call(x.mean([-2, -1])), auxiliary);
    }
}
