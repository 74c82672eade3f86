using Nsmt.Amp.Evaluation;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Losses;

/// <summary>
/// The losses and metrics of amp modeling (amp-modeling.md) on batches [B, N] of predictions and
/// targets (a 1-d signal counts as one item). All are differentiable torch expressions.
/// </summary>
public static class AmpLosses
{
    /// <summary>
    /// NAM's ESR as a loss: per item sum((y - t)^2) / sum(t^2), averaged over the batch; per item the definition of
    /// <see cref="Metrics.Esr"/>, including its silent-target cases (<see cref="Metrics.EsrOfSums"/>: a silent item
    /// predicted exactly counts 0, any error on it +infinity). So as a training loss on material with silences (our
    /// capture signal has some) use <see cref="EsrPooled"/>.
    /// </summary>
    public static Tensor Esr(Tensor prediction, Tensor target)
    {
        using var scope = NewDisposeScope();
        var (y, t) = AsBatch(prediction, target);
        var error = (y - t).square().mean([1]);
        var energy = t.square().mean([1]);
        var perItem = error / energy;
        if (energy.eq(0).any().item<bool>())
        {
            // Only a silent item takes this path, so the ordinary loss (and its gradient) is the plain quotient.
            var silentValue = where(error > 0, full_like(error, double.PositiveInfinity), zeros_like(error));
            perItem = where(energy > 0, perItem, silentValue);
        }

        return perItem.mean().MoveToOuterDisposeScope();
    }

    /// <summary>The predecessor project's ESR, pooled over the batch: mean((y - t)^2) / (mean(t^2) + eps).</summary>
    public static Tensor EsrPooled(Tensor prediction, Tensor target, double epsilon = 1e-8)
    {
        using var scope = NewDisposeScope();
        var (y, t) = AsBatch(prediction, target);
        return ((y - t).square().mean() / (t.square().mean() + epsilon)).MoveToOuterDisposeScope();
    }

    public static Tensor Mse(Tensor prediction, Tensor target) => nn.functional.mse_loss(prediction, target);

    /// <summary>First-order pre-emphasis along the last axis: x[n] - coef * x[n-1] (one sample shorter).</summary>
    public static Tensor PreEmphasis(Tensor x, double coefficient)
    {
        using var scope = NewDisposeScope();
        var n = x.size(-1);
        if (n < 2)
        {
            throw new ArgumentException($"pre-emphasis needs at least 2 samples, got {n}");
        }

        return (x.narrow(-1, 1, n - 1) - (x.narrow(-1, 0, n - 1) * coefficient)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// DC loss: mean over items of (mean(t) - mean(y))^2, divided by the batch's mean(t^2) + eps.
    /// The denominator pools the batch (like the predecessor project's ESR) so a silent window cannot divide by zero.
    /// </summary>
    public static Tensor Dc(Tensor prediction, Tensor target, double epsilon = 1e-8)
    {
        using var scope = NewDisposeScope();
        var (y, t) = AsBatch(prediction, target);
        var offset = (t.mean([1]) - y.mean([1])).square().mean();
        return (offset / (t.square().mean() + epsilon)).MoveToOuterDisposeScope();
    }

    internal static (Tensor prediction, Tensor target) AsBatch(Tensor prediction, Tensor target)
    {
        if (!prediction.shape.SequenceEqual(target.shape))
        {
            throw new ArgumentException(
                $"prediction [{string.Join(", ", prediction.shape)}] and target [{string.Join(", ", target.shape)}] differ in shape"
            );
        }

        return prediction.Dimensions switch
        {
            1 => (prediction.unsqueeze(0), target.unsqueeze(0)),
            2 => (prediction, target),
            _ => throw new ArgumentException($"expected [N] or [B, N], got [{string.Join(", ", prediction.shape)}]"),
        };
    }
}
