using static Nsmt.Torch.torch;
using static Nsmt.Torch.torch.nn;

namespace Nsmt.Torch.Modules;

/// <summary>
/// Shared parameters of LSTM and GRU: weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k},
/// all initialised uniform(+-1/sqrt(hidden)) in registration order, as PyTorch does.
/// </summary>
public abstract class RecurrentBase : Module
{
    private readonly List<Parameter> flat = [];

    protected RecurrentBase(string name, int gates, long inputSize, long hiddenSize, long numLayers, bool hasBias, bool batchFirst, double dropout,
        bool bidirectional, Device? device) : base(name)
    {
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        HasBias = hasBias;
        BatchFirst = batchFirst;
        DropoutP = dropout;
        Bidirectional = bidirectional;
        var directions = bidirectional ? 2 : 1;
        for (var layer = 0; layer < numLayers; layer++)
        {
            for (var direction = 0; direction < directions; direction++)
            {
                var layerInput = layer == 0 ? inputSize : hiddenSize * directions;
                var suffix = $"_l{layer}" + (direction == 1 ? "_reverse" : "");
                Add("weight_ih" + suffix, [gates * hiddenSize, layerInput], device);
                Add("weight_hh" + suffix, [gates * hiddenSize, hiddenSize], device);
                if (hasBias)
                {
                    Add("bias_ih" + suffix, [gates * hiddenSize], device);
                    Add("bias_hh" + suffix, [gates * hiddenSize], device);
                }
            }
        }
        var stdv = hiddenSize > 0 ? 1.0 / Math.Sqrt(hiddenSize) : 0;
        foreach (var p in flat)
            init.uniform_(p, -stdv, stdv);
    }

    private void Add(string name, long[] shape, Device? device)
    {
        var p = new Parameter(empty(shape, device: device));
        register_parameter(name, p);
        flat.Add(p);
    }

    public long InputSize { get; }
    public long HiddenSize { get; }
    public long NumLayers { get; }
    public bool HasBias { get; }
    public bool BatchFirst { get; }
    public double DropoutP { get; }
    public bool Bidirectional { get; }
    protected IReadOnlyList<Parameter> FlatWeights => flat;

    protected Tensor ZeroState(Tensor input, bool batched)
    {
        var batch = batched ? input.size(BatchFirst ? 0 : 1) : 1;
        return zeros([NumLayers * (Bidirectional ? 2 : 1), batch, HiddenSize], input.dtype, input.device);
    }
}

/// <summary>Multi-layer LSTM. forward((input, state?)) returns (output, (h_n, c_n)); unbatched 2-d inputs are accepted.</summary>
public sealed class LSTM(long inputSize, long hiddenSize, long numLayers = 1, bool hasBias = true, bool batchFirst = false, double dropout = 0,
    bool bidirectional = false, Device? device = null)
    : RecurrentBase(nameof(LSTM), 4, inputSize, hiddenSize, numLayers, hasBias, batchFirst, dropout, bidirectional, device)
{
    /// <summary>forward through the module's hooks (what containers and diagrams observe).</summary>
    public (Tensor output, (Tensor h_n, Tensor c_n) state) call(Tensor input, (Tensor h0, Tensor c0)? state = null) =>
        HasForwardHooks ? RunWithHooks((input, state), a => forward(a.input, a.state)) : forward(input, state);

    public (Tensor output, (Tensor h_n, Tensor c_n) state) forward(Tensor input, (Tensor h0, Tensor c0)? state = null)
    {
        using var scope = NewDisposeScope();
        var batched = input.Dimensions == 3;
        var x = batched ? input : input.unsqueeze(BatchFirst ? 0 : 1);
        var (h0, c0) = state ?? (ZeroState(input, batched), ZeroState(input, batched));
        if (!batched && state is not null)
            (h0, c0) = (h0.unsqueeze(1), c0.unsqueeze(1));
        var (output, hn, cn) = functional.lstm(x, h0, c0, FlatWeights, HasBias, NumLayers, DropoutP, training, Bidirectional, BatchFirst);
        if (!batched)
            (output, hn, cn) = (output.squeeze(BatchFirst ? 0 : 1), hn.squeeze(1), cn.squeeze(1));
        return (output.MoveToOuterDisposeScope(), (hn.MoveToOuterDisposeScope(), cn.MoveToOuterDisposeScope()));
    }
}

/// <summary>Multi-layer GRU. forward(input, h0?) returns (output, h_n).</summary>
public sealed class GRU(long inputSize, long hiddenSize, long numLayers = 1, bool hasBias = true, bool batchFirst = false, double dropout = 0,
    bool bidirectional = false, Device? device = null)
    : RecurrentBase(nameof(GRU), 3, inputSize, hiddenSize, numLayers, hasBias, batchFirst, dropout, bidirectional, device)
{
    /// <summary>forward through the module's hooks (what containers and diagrams observe).</summary>
    public (Tensor output, Tensor h_n) call(Tensor input, Tensor? h0 = null) =>
        HasForwardHooks ? RunWithHooks((input, h0), a => forward(a.input, a.h0)) : forward(input, h0);

    public (Tensor output, Tensor h_n) forward(Tensor input, Tensor? h0 = null)
    {
        using var scope = NewDisposeScope();
        var batched = input.Dimensions == 3;
        var x = batched ? input : input.unsqueeze(BatchFirst ? 0 : 1);
        var h = h0 is null ? ZeroState(input, batched) : batched ? h0 : h0.unsqueeze(1);
        var (output, hn) = functional.gru(x, h, FlatWeights, HasBias, NumLayers, DropoutP, training, Bidirectional, BatchFirst);
        if (!batched)
            (output, hn) = (output.squeeze(BatchFirst ? 0 : 1), hn.squeeze(1));
        return (output.MoveToOuterDisposeScope(), hn.MoveToOuterDisposeScope());
    }
}
