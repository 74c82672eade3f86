using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Losses;

/// <summary>
/// The loss of one head given its raw output and the true class indices [B] (int64). Each output
/// mode also knows how to turn an output into a predicted class, so metrics follow the mode.
/// </summary>
public interface IHeadLoss
{
    Tensor Loss(Tensor output, Tensor classes);

    /// <summary>Predicted class indices [B] (int64).</summary>
    Tensor PredictClasses(Tensor output);
}

/// <summary>Reductions of a distance between predictions and targets (mean over the batch).</summary>
public enum Distance
{
    L1,
    L2,
    Huber,
}

internal static class DistanceExtensions
{
    public static Tensor Measure(this Distance distance, Tensor prediction, Tensor target, double huberDelta = 0.1) =>
        distance switch
        {
            Distance.L1 => torch.nn.functional.l1_loss(prediction, target),
            Distance.L2 => torch.nn.functional.mse_loss(prediction, target),
            _ => torch.nn.functional.huber_loss(prediction, target, delta: huberDelta),
        };
}
