using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Nsmt.Spectral.Training.Losses;

/// <summary>Cross-entropy on logits; prediction = argmax. Optional class weights and label smoothing.</summary>
public sealed class CrossEntropyLoss(Tensor? classWeights = null, double labelSmoothing = 0) : IHeadLoss
{
    public Tensor Loss(Tensor output, Tensor classes) =>
        F.cross_entropy(output, classes, classWeights, label_smoothing: labelSmoothing);

    public Tensor PredictClasses(Tensor output) => output.argmax(1);
}

/// <summary>
/// Cross-entropy plus a penalty on probability mass far from the true class:
/// CE + mean_b sum_{j != y} (base + |j - y|^power) * softmax_j.
/// </summary>
public sealed class WeightedCrossEntropyLoss(double power = 2, double @base = 1) : IHeadLoss
{
    public Tensor Loss(Tensor output, Tensor classes)
    {
        using var scope = NewDisposeScope();
        var c = output.size(1);
        var distance = (
            arange(0, c, dtype: output.dtype, device: output.device).unsqueeze(0)
            - classes.unsqueeze(1).to(output.dtype)
        ).abs();
        var penalty = (distance.pow(power) + @base).masked_fill(distance.eq(0), 0);
        var expected = (F.softmax(output, 1) * penalty).sum(1).mean();
        return (F.cross_entropy(output, classes) + expected).MoveToOuterDisposeScope();
    }

    public Tensor PredictClasses(Tensor output) => output.argmax(1);
}

public enum SoftTargetShape
{
    Triangular,
    Gaussian,
    LogTriangular,
}

/// <summary>
/// KL(soft || softmax(z)) with a per-sample target distribution over the classes within +-width of the
/// true class: triangular (width+1-|j-c|), gaussian exp(-0.5((j-c)/sigma)^2) or log-triangular exp(-|j-c|); normalised.
/// </summary>
public sealed class SoftTargetLoss(
    SoftTargetShape shape = SoftTargetShape.Triangular,
    int width = 2,
    double sigma = 1.0
) : IHeadLoss
{
    public Tensor Targets(Tensor classes, long numClasses, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var distance = (
            arange(0, numClasses, dtype: dtype, device: classes.device).unsqueeze(0) - classes.unsqueeze(1).to(dtype)
        ).abs();
        var weights = shape switch
        {
            SoftTargetShape.Triangular => (width + 1) - distance,
            SoftTargetShape.Gaussian => (distance / sigma).pow(2).mul(-0.5).exp(),
            _ => distance.neg().exp(),
        };
        weights = weights.masked_fill(distance > width, 0);
        return (weights / weights.sum(1, keepdim: true)).MoveToOuterDisposeScope();
    }

    public Tensor Loss(Tensor output, Tensor classes)
    {
        using var scope = NewDisposeScope();
        var soft = Targets(classes, output.size(1), output.dtype);
        // KL divergence with 'batchmean' reduction (TorchSharp's Reduction has no BatchMean): sum over the batch / B.
        return (
            F.kl_div(F.log_softmax(output, 1), soft, log_target: false, reduction: nn.Reduction.Sum) / output.size(0)
        ).MoveToOuterDisposeScope();
    }

    public Tensor PredictClasses(Tensor output) => output.argmax(1);
}
