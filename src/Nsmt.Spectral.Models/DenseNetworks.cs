using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models;

public sealed record DenseOptions(
    int InputSize = 784,
    int Hidden1 = 64,
    int Hidden2 = 128,
    int Hidden3 = 64,
    double Dropout = 0.1
);

/// <summary>Flatten -> three hidden blocks -> heads; the two dense networks differ only in their blocks.</summary>
public abstract class DenseHeadNetwork : MultiheadNetwork
{
    private readonly Sequential _body;
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> _heads;

    protected DenseHeadNetwork(
        string name,
        DenseOptions options,
        IReadOnlyList<HeadSpec> heads,
        HeadKind kind,
        Func<int, int, nn.Module<Tensor, Tensor>[]> block,
        AuxiliaryOptions? auxiliary
    )
        : base(name, heads, kind, auxiliary)
    {
        Options = options;
        register_module(
            "model",
            _body = nn.Sequential([
                nn.Flatten(),
                .. block(options.InputSize, options.Hidden1),
                .. block(options.Hidden1, options.Hidden2),
                .. block(options.Hidden2, options.Hidden3),
            ])
        );
        register_module(
            "heads",
            this._heads = BuildHeads(options.Hidden3, (h, width) => nn.Linear(width, OutputWidth(h)))
        );
    }

    public DenseOptions Options { get; }

    public override IReadOnlyDictionary<string, Tensor> forward(Tensor input, Tensor? auxiliary)
    {
        using var scope = NewDisposeScope();
        return ApplyHeads(_heads, _body.call(input), auxiliary);
    }
}

/// <summary>NSMT's SimpleDenseNet: Flatten -> [Linear -> BatchNorm1d -> ReLU] x 3 -> heads.</summary>
public sealed class SimpleDenseNet(
    DenseOptions options,
    IReadOnlyList<HeadSpec> heads,
    HeadKind kind = HeadKind.Classification,
    AuxiliaryOptions? auxiliary = null
)
    : DenseHeadNetwork(
        nameof(SimpleDenseNet),
        options,
        heads,
        kind,
        (input, output) => [nn.Linear(input, output), nn.BatchNorm1d(output), nn.ReLU()],
        auxiliary
    );

/// <summary>SimpleMLP: Flatten -> [Linear -> ReLU -> Dropout] x 3 -> heads.</summary>
public sealed class SimpleMlp(
    DenseOptions options,
    IReadOnlyList<HeadSpec> heads,
    HeadKind kind = HeadKind.Classification,
    AuxiliaryOptions? auxiliary = null
)
    : DenseHeadNetwork(
        nameof(SimpleMlp),
        options,
        heads,
        kind,
        (input, output) => [nn.Linear(input, output), nn.ReLU(), nn.Dropout(options.Dropout)],
        auxiliary
    );
