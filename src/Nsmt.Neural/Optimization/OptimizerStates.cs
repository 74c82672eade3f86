using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Neural.Optimization;

/// <summary>
/// An optimiser's whole state (per-parameter moments, steps, group options) as one byte tensor in a checkpoint, in
/// TorchSharp's own state format, so that a resumed run continues bit for bit.
/// </summary>
public static class OptimizerStates
{
    /// <summary>The checkpoint tensor that holds the state.</summary>
    public const string TensorName = "optimizer_state";

    public static Tensor ToTensor(optim.Optimizer optimizer)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            Helper(optimizer).save_state_dict(writer);
        }

        var bytes = buffer.ToArray();
        var tensor = empty(bytes.LongLength, ScalarType.Byte);
        bytes.CopyTo(tensor.bytes);
        return tensor;
    }

    /// <summary>Restores the state; <paramref name="origin"/> names the checkpoint in errors.</summary>
    public static void Load(optim.Optimizer optimizer, IReadOnlyDictionary<string, Tensor> tensors, string origin)
    {
        if (!tensors.TryGetValue(TensorName, out var state))
        {
            throw new InvalidDataException(
                tensors.Keys.Any(k =>
                    k.StartsWith("optimizer.", StringComparison.Ordinal)
                    || k.StartsWith("optimizer/", StringComparison.Ordinal)
                )
                    ? $"{origin}: tensor '{TensorName}' missing: the checkpoint was written by the earlier libtorch 1.13 engine; its weights "
                        + "load for evaluation and export, but resuming needs a checkpoint written by this version (train again)"
                    : $"{origin}: tensor '{TensorName}' missing: expected the optimizer's state to resume from"
            );
        }
        using var reader = new BinaryReader(new MemoryStream(state.bytes.ToArray()));
        try
        {
            Helper(optimizer).load_state_dict(reader);
        }
        catch (Exception e)
            when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
        {
            throw new InvalidDataException(
                $"{origin}: tensor '{TensorName}' does not hold a state for this {optimizer.GetType().Name} ({e.Message})",
                e
            );
        }
    }

    private static OptimizerHelper Helper(optim.Optimizer optimizer) =>
        optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"{optimizer.GetType().Name} cannot save its state");
}
