using System.Diagnostics.CodeAnalysis;
using Nsmt.Neural.Engine;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models;

/// <summary>
/// Auxiliary scalar inputs (the template's SimpleCNN auxiliary_input_size/auxiliary_hidden_size): the scalars go
/// through Linear -> ReLU -> Dropout(<see cref="Dropout"/>) -> Linear -> ReLU and are concatenated with the image
/// features before the heads.
/// </summary>
public sealed record AuxiliaryOptions(int InputSize, int HiddenSize = 32, double Dropout = 0.25);

/// <summary>
/// A network with one output per head: forward(images, auxiliary) returns {head name: [B, classes]} (classification)
/// or {head name: [B, 1] in [0, 1]} (regression). auxiliary is [B, auxiliary inputs], or null for a network without.
/// </summary>
public abstract class MultiheadNetwork : nn.Module<Tensor, Tensor?, IReadOnlyDictionary<string, Tensor>>
{
    private AuxiliaryScaling? _auxiliaryScaling;
    private Sequential? _auxiliaryNet;

    protected MultiheadNetwork(
        string name,
        IReadOnlyList<HeadSpec> heads,
        HeadKind kind,
        AuxiliaryOptions? auxiliary = null
    )
        : base(name)
    {
        if (heads.Count == 0)
        {
            throw new ArgumentException(
                $"{name}: a multihead network needs at least one head (one per varying parameter)"
            );
        }

        var duplicate = heads.GroupBy(h => h.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"{name}: head '{duplicate.Key}' is defined twice");
        }

        Heads = heads;
        Kind = kind;
        Auxiliary = auxiliary;
        // Before the first model of the process: a CPU whose float32 kernels are wrong must not train (issue 29).
        EngineGuard.Ensure();
    }

    public IReadOnlyList<HeadSpec> Heads { get; }
    public HeadKind Kind { get; }

    /// <summary>The auxiliary input branch, or null when the network reads the image alone.</summary>
    public AuxiliaryOptions? Auxiliary { get; }

    public int AuxiliaryInputSize => Auxiliary?.InputSize ?? 0;

    /// <summary>
    /// Sets the per-feature standardisation (x - mean) / std applied before the auxiliary branch: buffers of the model,
    /// so checkpoints carry them. Trainers set them from the training split; our addition to the template, which feeds
    /// the raw values (fine for its one feature in [-3, 1], not for a level in dB or a centroid in Hz).
    /// </summary>
    public void SetAuxiliaryScaling(Tensor mean, Tensor std) =>
        (_auxiliaryScaling ?? throw new InvalidOperationException($"{GetName()} has no auxiliary input")).Set(
            mean,
            std
        );

    /// <summary>Width of a head's output: the class count, or 1 for regression and scalar heads.</summary>
    protected int OutputWidth(HeadSpec head) => Kind == HeadKind.Classification ? head.NumClasses : 1;

    /// <summary>Regression heads squash into [0, 1]; classification heads return logits.</summary>
    protected nn.Module<Tensor, Tensor> Finish(nn.Module<Tensor, Tensor> head) =>
        Kind == HeadKind.Regression ? nn.Sequential(("0", head), ("1", nn.Sigmoid())) : head;

    /// <summary>
    /// Applies every head, in head order, to the image features concatenated with the auxiliary branch's output.
    /// </summary>
    protected IReadOnlyDictionary<string, Tensor> ApplyHeads(
        ModuleDict<nn.Module<Tensor, Tensor>> heads,
        Tensor features,
        Tensor? auxiliary
    )
    {
        var combined = Combine(features, auxiliary);
        var outputs = new Dictionary<string, Tensor>();
        foreach (var (name, head) in heads)
        {
            outputs[name] = head.call(combined).MoveToOuterDisposeScope();
        }

        return outputs;
    }

    /// <summary>
    /// The heads, each made for its input width (the image features plus the auxiliary branch's). The auxiliary
    /// modules are registered here, just before the heads, so the module order is the order of the forward pass.
    /// </summary>
    protected ModuleDict<nn.Module<Tensor, Tensor>> BuildHeads(
        int featureWidth,
        Func<HeadSpec, int, nn.Module<Tensor, Tensor>> make
    )
    {
        if (Auxiliary is { } aux)
        {
            register_module("auxiliary_scaling", _auxiliaryScaling = new AuxiliaryScaling(aux.InputSize));
            register_module(
                "auxiliary_net",
                _auxiliaryNet = nn.Sequential(
                    nn.Linear(aux.InputSize, aux.HiddenSize),
                    nn.ReLU(),
                    nn.Dropout(aux.Dropout),
                    nn.Linear(aux.HiddenSize, aux.HiddenSize),
                    nn.ReLU()
                )
            );
        }
        var width = featureWidth + (Auxiliary?.HiddenSize ?? 0);
        var dict = new ModuleDict<nn.Module<Tensor, Tensor>>();
        foreach (var head in Heads)
        {
            dict.Add(head.Name, Finish(make(head, width)));
        }

        return dict;
    }

    private Tensor Combine(Tensor features, Tensor? auxiliary)
    {
        if (_auxiliaryNet is null)
        {
            return auxiliary is null
                ? features
                : throw new ArgumentException(
                    $"{GetName()}: given auxiliary inputs {auxiliary.shape.Last()}, but the network has none (model.net.auxiliary_input_size)"
                );
        }
        if (
            auxiliary is null
            || auxiliary.dim() != 2
            || auxiliary.shape[1] != AuxiliaryInputSize
            || auxiliary.shape[0] != features.shape[0]
        )
        {
            throw new ArgumentException(
                $"{GetName()}: expected auxiliary inputs [{features.shape[0]}, {AuxiliaryInputSize}], got "
                    + (auxiliary is null ? "none" : $"[{string.Join(", ", auxiliary.shape)}]")
            );
        }

        return cat([features, _auxiliaryNet.call(_auxiliaryScaling!.call(auxiliary))], 1);
    }

    /// <summary>(x - mean) / std per feature, with mean and std as buffers (0 and 1 until set).</summary>
    private sealed class AuxiliaryScaling : nn.Module<Tensor, Tensor>
    {
        [SuppressMessage(
            "Style",
            "IDE1006",
            Justification = "TorchSharp's to() replaces a registered tensor through the field named like it"
        )]
        private readonly Tensor mean;

        [SuppressMessage(
            "Style",
            "IDE1006",
            Justification = "TorchSharp's to() replaces a registered tensor through the field named like it"
        )]
        private readonly Tensor std;

        public AuxiliaryScaling(int features)
            : base(nameof(AuxiliaryScaling))
        {
            register_buffer("mean", mean = zeros(features));
            register_buffer("std", std = ones(features));
        }

        public void Set(Tensor newMean, Tensor newStd)
        {
            using var noGrad = no_grad();
            mean.copy_(newMean);
            std.copy_(newStd);
        }

        public override Tensor forward(Tensor input) => (input - mean) / std;
    }
}
