using Nsmt.Torch;
using Nsmt.Torch.Modules;
using static Nsmt.Torch.torch;

namespace Nsmt.Models;

public sealed record DenseOptions(int InputSize = 784, int Hidden1 = 64, int Hidden2 = 128, int Hidden3 = 64, double Dropout = 0.1);

/// <summary>NSMT's SimpleDenseNet: Flatten -> [Linear -> BatchNorm1d -> ReLU] x 3 -> heads.</summary>
public sealed class SimpleDenseNet : MultiheadNetwork
{
    private readonly Sequential body;
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> heads;

    public SimpleDenseNet(DenseOptions options, IReadOnlyList<HeadSpec> heads, HeadKind kind = HeadKind.Classification)
        : base(nameof(SimpleDenseNet), heads, kind)
    {
        Options = options;
        body = register_module("model", nn.Sequential(
            nn.Flatten(),
            nn.Linear(options.InputSize, options.Hidden1), nn.BatchNorm1d(options.Hidden1), nn.ReLU(),
            nn.Linear(options.Hidden1, options.Hidden2), nn.BatchNorm1d(options.Hidden2), nn.ReLU(),
            nn.Linear(options.Hidden2, options.Hidden3), nn.BatchNorm1d(options.Hidden3), nn.ReLU()));
        this.heads = register_module("heads", BuildHeads(h => nn.Linear(options.Hidden3, OutputWidth(h))));
    }

    public DenseOptions Options { get; }

    public override IReadOnlyDictionary<string, Tensor> forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return ApplyHeads(heads, body.forward(input));
    }
}

/// <summary>SimpleMLP: Flatten -> [Linear -> ReLU -> Dropout] x 3 -> heads.</summary>
public sealed class SimpleMlp : MultiheadNetwork
{
    private readonly Sequential body;
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> heads;

    public SimpleMlp(DenseOptions options, IReadOnlyList<HeadSpec> heads, HeadKind kind = HeadKind.Classification)
        : base(nameof(SimpleMlp), heads, kind)
    {
        Options = options;
        body = register_module("model", nn.Sequential(
            nn.Flatten(),
            nn.Linear(options.InputSize, options.Hidden1), nn.ReLU(), nn.Dropout(options.Dropout),
            nn.Linear(options.Hidden1, options.Hidden2), nn.ReLU(), nn.Dropout(options.Dropout),
            nn.Linear(options.Hidden2, options.Hidden3), nn.ReLU(), nn.Dropout(options.Dropout)));
        this.heads = register_module("heads", BuildHeads(h => nn.Linear(options.Hidden3, OutputWidth(h))));
    }

    public DenseOptions Options { get; }

    public override IReadOnlyDictionary<string, Tensor> forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return ApplyHeads(heads, body.forward(input));
    }
}
