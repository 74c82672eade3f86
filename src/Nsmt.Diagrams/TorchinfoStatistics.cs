using static TorchSharp.torch;

namespace Nsmt.Diagrams;

/// <summary>
/// The totals under a torchinfo table, computed with torchinfo 1.8's definitions:
/// <list type="bullet">
/// <item>Total params: over rows not marked recursive, a leaf's parameters plus every container's leftover
/// (own) parameters; trainable likewise with requires_grad parameters.</item>
/// <item>Total mult-adds: the sum of the leaves' estimates (<see cref="MultAdds"/>), shown in M, G or T.</item>
/// <item>Input size: bytes of the example input. Forward/backward pass size: twice (values and gradients) the
/// output bytes of every leaf that has parameters. Params size: parameter bytes of non-recursive leaves (a
/// container's own parameters are left out, as in torchinfo). Estimated total: the sum of the three.</item>
/// </list>
/// Sizes are bytes / 1e6 printed with two decimals (MB, not MiB).
/// </summary>
public sealed record TorchinfoStatistics(
    long TotalParams,
    long TrainableParams,
    long TotalMultAdds,
    long InputBytes,
    long ForwardBackwardBytes,
    long ParamBytes
)
{
    public long NonTrainableParams => TotalParams - TrainableParams;

    public long TotalBytes => InputBytes + ForwardBackwardBytes + ParamBytes;

    public static TorchinfoStatistics Of(ModelTrace trace)
    {
        long total = 0,
            trainable = 0,
            macs = 0,
            outputBytes = 0,
            paramBytes = 0;
        foreach (var layer in trace.Layers)
        {
            if (layer.IsLeaf)
            {
                macs += layer.MultAdds;
                if (layer.IsRecursive)
                {
                    continue;
                }

                total += layer.NumParams;
                trainable += layer.TrainableParams;
                paramBytes += layer.ParamBytes;
                if (layer.NumParams > 0)
                {
                    outputBytes += layer.OutputBytes * 2; // values and their gradients
                }
            }
            else if (!layer.IsRecursive)
            {
                total += Math.Max(layer.LeftoverParams(), 0);
                trainable += Math.Max(layer.LeftoverTrainableParams(), 0);
            }
        }
        return new TorchinfoStatistics(total, trainable, macs, trace.InputBytes, outputBytes, paramBytes);
    }

    /// <summary>
    /// torchinfo's estimate for one leaf call: each parameter named weight or bias counts once per output
    /// position for convolutions (batch times spatial size, channels excluded) and once per batch item
    /// otherwise; other parameters whose names contain weight or bias (recurrent weight_ih_l0) count once per
    /// batch item and time step (the first two output dims). Other parameters (GRN's gamma) count nothing.
    /// </summary>
    internal static long MultAdds(LayerInfo layer)
    {
        if (!layer.IsLeaf || layer.OutputShapes.Count == 0)
        {
            return 0;
        }

        var dims = layer.OutputShapes[0].Dims;
        long macs = 0;
        foreach (var (name, parameter) in layer.Module.named_parameters())
        {
            var count = parameter.numel();
            if (name is "weight" or "bias")
            {
                macs += layer.TypeName.Contains("Conv", StringComparison.Ordinal)
                    ? count * dims.Skip(2).Aggregate(dims.Count > 0 ? dims[0] : 1, (p, d) => p * d)
                    : count * (dims.Count > 0 ? dims[0] : 1);
            }
            else if (
                name.Contains("weight", StringComparison.Ordinal) || name.Contains("bias", StringComparison.Ordinal)
            )
            {
                macs += count * dims.Take(2).Aggregate(1L, (p, d) => p * d);
            }
        }
        return macs;
    }

    /// <summary>The output bytes torchinfo attributes to a call: a tensor's; a tuple's first tensor; a dictionary's last value.</summary>
    internal static long OutputBytes(object? output, IReadOnlyList<TensorShape> shapes) =>
        output switch
        {
            _ when shapes.Count == 0 => 0,
            IEnumerable<KeyValuePair<string, Tensor>> => shapes[^1].Bytes,
            _ => shapes[0].Bytes,
        };
}
