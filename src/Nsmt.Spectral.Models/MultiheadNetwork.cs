using Nsmt.Neural;
using Nsmt.Neural.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Models;

/// <summary>
/// A network with one output per head: forward returns {head name: [B, classes]} (classification)
/// or {head name: [B, 1] in [0, 1]} (regression).
/// </summary>
public abstract class MultiheadNetwork : nn.Module<Tensor, IReadOnlyDictionary<string, Tensor>>
{
    protected MultiheadNetwork(string name, IReadOnlyList<HeadSpec> heads, HeadKind kind) : base(name)
    {
        if (heads.Count == 0)
            throw new ArgumentException($"{name}: a multihead network needs at least one head (one per varying parameter)");
        var duplicate = heads.GroupBy(h => h.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"{name}: head '{duplicate.Key}' is defined twice");
        Heads = heads;
        Kind = kind;
        // Before the first model of the process: a CPU whose float32 kernels are wrong must not train (issue 29).
        EngineGuard.Ensure();
    }

    public IReadOnlyList<HeadSpec> Heads { get; }
    public HeadKind Kind { get; }

    /// <summary>Width of a head's output: the class count, or 1 for regression and scalar heads.</summary>
    protected int OutputWidth(HeadSpec head) => Kind == HeadKind.Classification ? head.NumClasses : 1;

    /// <summary>Regression heads squash into [0, 1]; classification heads return logits.</summary>
    protected nn.Module<Tensor, Tensor> Finish(nn.Module<Tensor, Tensor> head) =>
        Kind == HeadKind.Regression ? nn.Sequential(("0", head), ("1", nn.Sigmoid())) : head;

    /// <summary>Applies every head to the shared features, in head order.</summary>
    protected static IReadOnlyDictionary<string, Tensor> ApplyHeads(ModuleDict<nn.Module<Tensor, Tensor>> heads, Tensor features)
    {
        var outputs = new Dictionary<string, Tensor>();
        foreach (var (name, head) in heads)
            outputs[name] = head.call(features).MoveToOuterDisposeScope();
        return outputs;
    }

    protected ModuleDict<nn.Module<Tensor, Tensor>> BuildHeads(Func<HeadSpec, nn.Module<Tensor, Tensor>> make)
    {
        var dict = new ModuleDict<nn.Module<Tensor, Tensor>>();
        foreach (var head in Heads)
            dict.Add(head.Name, Finish(make(head)));
        return dict;
    }
}
