using Nsmt.Config;
using Nsmt.Core;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training.Config;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Losses;

/// <summary>One head's loss, its weight in the total, and how its output becomes a class or a physical value.</summary>
public sealed record HeadObjective(HeadSpec Head, IHeadLoss Loss, double Weight)
{
    /// <summary>Physical values [B] for regression heads (sigmoid outputs), null for the other modes.</summary>
    public Tensor? PredictValues(Tensor output) => Loss is NormalizedRegressionLoss r ? r.PredictValues(output) : null;
}

public static class HeadObjectives
{
    /// <summary>Builds the per-head losses of an output mode; head weights must name existing heads.</summary>
    public static IReadOnlyList<HeadObjective> Create(ModelSettings model, IReadOnlyList<HeadSpec> heads)
    {
        foreach (var name in model.HeadWeights.Keys.Where(n => heads.All(h => h.Name != n)))
        {
            throw new ConfigException(
                $"model.head_weights.{name}: no such head in the dataset"
                    + $"{NearestName.Suggestion(name, heads.Select(h => h.Name))}; heads: {string.Join(", ", heads.Select(h => h.Name))}"
            );
        }
        return
        [
            .. heads.Select(h => new HeadObjective(
                h,
                LossFor(model, h),
                model.HeadWeights.TryGetValue(h.Name, out var w) ? w : 1.0
            )),
        ];
    }

    private static IHeadLoss LossFor(ModelSettings model, HeadSpec head)
    {
        var loss = model.Loss;
        var range = head.Max - head.Min;
        return model.Mode switch
        {
            OutputMode.Classification => new CrossEntropyLoss(labelSmoothing: loss.LabelSmoothing),
            OutputMode.WeightedCrossEntropy => new WeightedCrossEntropyLoss(loss.Power, loss.Base),
            OutputMode.SoftTargets => new SoftTargetLoss(
                loss.SoftShape switch
                {
                    "gaussian" => SoftTargetShape.Gaussian,
                    "log_triangular" => SoftTargetShape.LogTriangular,
                    _ => SoftTargetShape.Triangular,
                },
                loss.SoftWidth,
                loss.SoftSigma
            ),
            OutputMode.Ordinal => new OrdinalRegressionLoss(range, Distance(loss.Distance), loss.Alpha),
            OutputMode.QuantizedRegression => new QuantizedRegressionLoss(
                head.NumClasses,
                range,
                Distance(loss.Distance)
            ),
            _ => new NormalizedRegressionLoss(head.Min, head.Max, head.NumClasses, Distance(loss.Distance)),
        };
    }

    private static Distance Distance(string name) =>
        name switch
        {
            "l1" => Losses.Distance.L1,
            "huber" => Losses.Distance.Huber,
            _ => Losses.Distance.L2,
        };
}
