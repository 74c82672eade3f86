using Nsmt.Neural;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Diagrams;

/// <summary>
/// One row of a traced model: one call of a module during the example forward pass (a module called twice has
/// two rows, the second marked recursive), a container listed for the structure although it is never called
/// itself (ModuleList, ModuleDict), or a module the pass never reached.
/// </summary>
public sealed class LayerInfo
{
    private readonly List<LayerInfo> _children = [];

    internal LayerInfo(
        nn.Module module,
        string path,
        int depth,
        LayerInfo? parent,
        LayerKind kind,
        bool isRecursive,
        ParameterStats parameters,
        ParameterStats ownParameters
    )
    {
        Module = module;
        Path = path;
        Depth = depth;
        Parent = parent;
        Kind = kind;
        IsRecursive = isRecursive;
        IsLeaf = !module.children().Any();
        NumParams = parameters.Count;
        TrainableParams = parameters.Trainable;
        ParamBytes = parameters.Bytes;
        OwnParameters = ownParameters;
        // Read now, so a trace stays usable after its model is disposed.
        Settings = LayerDescriptions.Describe(module);
        Category = LayerDescriptions.Categorize(module);
        parent?._children.Add(this);
    }

    /// <summary>The module itself; reading its tensors needs the model alive (the rest of the row does not).</summary>
    public nn.Module Module { get; }

    /// <summary>Qualified name as in state_dict keys ("features.0", "heads.note_velocity"); empty for the model.</summary>
    public string Path { get; }

    /// <summary>The attribute name under the parent (torchinfo's var_name): the last part of <see cref="Path"/>.</summary>
    public string VariableName => Path[(Path.LastIndexOf('.') + 1)..];

    /// <summary>The module's type name (GetName): "Conv2d", "SimpleCnn".</summary>
    public string TypeName => Module.TypeName();

    public int Depth { get; }

    /// <summary>torchinfo's index: rows of one depth numbered 1, 2, ... in table order, across parents.</summary>
    public int DepthIndex { get; internal set; }

    public LayerInfo? Parent { get; }

    public IReadOnlyList<LayerInfo> Children => _children;

    public LayerKind Kind { get; }

    /// <summary>The module has no submodules (Conv2d, ReLU; also custom layers such as GRN that hold only parameters).</summary>
    public bool IsLeaf { get; }

    /// <summary>A further call (or listing) of a module that already has a row: its parameters are not counted again.</summary>
    public bool IsRecursive { get; }

    public IReadOnlyList<TensorShape> InputShapes { get; internal set; } = [];

    /// <summary>Empty for rows that did not run (containers listed for structure, unreached modules).</summary>
    public IReadOnlyList<TensorShape> OutputShapes { get; internal set; } = [];

    /// <summary>
    /// Parameters of the module and its submodules (every parameter once), as torchinfo's num_params; the table
    /// shows them for leaves and at the depth limit, and a container's own parameters (leftover) otherwise.
    /// </summary>
    public long NumParams { get; }

    public long TrainableParams { get; }

    public long ParamBytes { get; }

    /// <summary>
    /// Bytes of the output as torchinfo counts them: the tensor; the first tensor of a tuple such as an LSTM's
    /// (output, state); the last value of a dictionary.
    /// </summary>
    public long OutputBytes { get; internal set; }

    /// <summary>Multiply-accumulates as torchinfo 1.8 estimates them for a leaf (see <see cref="TorchinfoStatistics"/>).</summary>
    public long MultAdds { get; internal set; }

    /// <summary>Key hyperparameters ("8->16 k3 p1"), empty when the type says it all (see <see cref="LayerDescriptions"/>).</summary>
    public string Settings { get; }

    public LayerCategory Category { get; }

    /// <summary>All rows below this one, in table order.</summary>
    public IEnumerable<LayerInfo> Descendants() => _children.SelectMany(c => c.Descendants().Prepend(c));

    /// <summary>
    /// The module's own parameters, outside any submodule (a ViT's class token): what torchinfo's leftover_params
    /// amounts to when every submodule has a row, which is the case here as unreached modules get rows too.
    /// Counted per module rather than from the rows below, so a container listed twice (a ModuleList whose
    /// items alternate with another's) does not count its items' parameters again.
    /// </summary>
    public long LeftoverParams() => OwnParameters.Count;

    public long LeftoverTrainableParams() => OwnParameters.Trainable;

    internal ParameterStats OwnParameters { get; }

    // Dataflow, for graphs: identities of the tensors that went in and came out, and when the call ran.
    internal int[] InputIds { get; set; } = [];
    internal int[] OutputIds { get; set; } = [];
    internal int StartSequence { get; set; } = -1;
    internal int EndSequence { get; set; } = -1;

    public override string ToString() => $"{TypeName}: {Depth}-{DepthIndex} ({(Path.Length == 0 ? "model" : Path)})";
}

/// <summary>Why a row exists.</summary>
public enum LayerKind
{
    /// <summary>The module ran (through call) during the example pass.</summary>
    Called,

    /// <summary>A container whose children ran although it was not called itself (ModuleList, ModuleDict, or a module invoked through forward).</summary>
    Container,

    /// <summary>The module never ran: not used by the forward pass, or invoked without call so no hook saw it.</summary>
    NotReached,
}

internal readonly record struct ParameterStats(long Count, long Trainable, long Bytes)
{
    public static ParameterStats Of(nn.Module module, bool recurse = true)
    {
        long count = 0,
            trainable = 0,
            bytes = 0;
        foreach (var p in module.parameters(recurse))
        {
            var n = p.numel();
            count += n;
            if (p.requires_grad)
            {
                trainable += n;
            }

            bytes += n * p.dtype.ElementSize();
        }
        return new ParameterStats(count, trainable, bytes);
    }
}
