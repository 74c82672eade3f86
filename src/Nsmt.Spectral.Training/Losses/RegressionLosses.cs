using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Nsmt.Spectral.Training.Losses;

/// <summary>
/// Ordinal regression on logits: p = softmax(z), yhat = sum_i p_i * i,
/// loss = dist(yhat, y) * R/(C-1) + alpha * CE(z, y); prediction = the expected class, rounded.
/// </summary>
public sealed class OrdinalRegressionLoss(double range, Distance distance = Distance.L1, double alpha = 0.1) : IHeadLoss
{
    private static Tensor Expected(Tensor output)
    {
        using var scope = NewDisposeScope();
        var c = output.size(1);
        return (F.softmax(output, 1) * arange(0, c, dtype: output.dtype, device: output.device))
            .sum(1)
            .MoveToOuterDisposeScope();
    }

    public Tensor Loss(Tensor output, Tensor classes)
    {
        using var scope = NewDisposeScope();
        var c = output.size(1);
        var scale = c > 1 ? range / (c - 1) : range;
        var loss =
            distance.Measure(Expected(output), classes.to(output.dtype)) * scale
            + F.cross_entropy(output, classes) * alpha;
        return loss.MoveToOuterDisposeScope();
    }

    public Tensor PredictClasses(Tensor output)
    {
        using var scope = NewDisposeScope();
        return Expected(output).round().clamp(0, output.size(1) - 1).to(ScalarType.Int64).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Quantized regression: the head emits one value o, clamped to [0, C-1]; loss = dist(o, y) * R/(C-1);
/// prediction = round(o). numClasses comes from the dataset (the head itself is 1 wide).
/// </summary>
public sealed class QuantizedRegressionLoss(int numClasses, double range, Distance distance = Distance.L1) : IHeadLoss
{
    public Tensor Loss(Tensor output, Tensor classes)
    {
        using var scope = NewDisposeScope();
        var o = output.reshape(-1).clamp(0, numClasses - 1);
        var scale = numClasses > 1 ? range / (numClasses - 1) : range;
        return (distance.Measure(o, classes.to(output.dtype)) * scale).MoveToOuterDisposeScope();
    }

    public Tensor PredictClasses(Tensor output)
    {
        using var scope = NewDisposeScope();
        return output.reshape(-1).clamp(0, numClasses - 1).round().to(ScalarType.Int64).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Regression in physical units for sigmoid heads: p = clamp(pred, 0, 1), t = clamp((y - min)/(max - min), 0, 1)
/// with y = min + class*step the physical value (NSMT fed class indices here by mistake),
/// loss = dist(p, t) * (max - min). Prediction = nearest class of min + p*(max - min).
/// </summary>
public sealed class NormalizedRegressionLoss(double min, double max, int numClasses, Distance distance = Distance.L2)
    : IHeadLoss
{
    private double Step => numClasses > 1 ? (max - min) / (numClasses - 1) : 0;

    public Tensor PhysicalValues(Tensor classes, ScalarType dtype) => classes.to(dtype) * Step + min;

    public Tensor Loss(Tensor output, Tensor classes)
    {
        using var scope = NewDisposeScope();
        var p = output.reshape(-1).clamp(0, 1);
        var t = ((PhysicalValues(classes, output.dtype) - min) / (max - min)).clamp(0, 1);
        return (distance.Measure(p, t) * (max - min)).MoveToOuterDisposeScope();
    }

    /// <summary>Predicted physical values [B].</summary>
    public Tensor PredictValues(Tensor output) => output.reshape(-1).clamp(0, 1) * (max - min) + min;

    public Tensor PredictClasses(Tensor output)
    {
        using var scope = NewDisposeScope();
        var fraction = output.reshape(-1).clamp(0, 1);
        return (fraction * (numClasses - 1)).round().to(ScalarType.Int64).MoveToOuterDisposeScope();
    }
}
