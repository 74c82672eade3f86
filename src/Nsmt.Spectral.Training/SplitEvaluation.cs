using Nsmt.Neural;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training.Data;
using Nsmt.Spectral.Training.Losses;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training;

/// <summary>Predictions of every head over a split, with the metrics the template logs.</summary>
public sealed class SplitResult
{
    public required IReadOnlyList<HeadObjective> Objectives { get; init; }
    public required double Loss { get; init; }

    /// <summary>Predicted and true class per head per sample.</summary>
    public required int[][] Predicted { get; init; }
    public required int[][] Truth { get; init; }

    /// <summary>Predicted physical values per head (regression heads: the sigmoid mapped to the range; others: the class value).</summary>
    public required double[][] PredictedValues { get; init; }

    public int Count => Truth.Length == 0 ? 0 : Truth[0].Length;

    public double Accuracy(int head) =>
        Count == 0 ? 0 : Predicted[head].Zip(Truth[head]).Count(p => p.First == p.Second) / (double)Count;

    /// <summary>Mean absolute error in the parameter's physical units (true value = the class value).</summary>
    public double MeanAbsoluteError(int head)
    {
        var spec = Objectives[head].Head;
        return Count == 0
            ? 0
            : PredictedValues[head].Zip(Truth[head]).Average(p => Math.Abs(p.First - spec.ValueOfClass(p.Second)));
    }

    /// <summary>Metrics named like the template's: {split}/loss, {split}/{head}_acc, {split}/{head}_mae (regression), {split}/acc (mean over heads).</summary>
    public Dictionary<string, double> Metrics(string split, bool includeMae)
    {
        var metrics = new Dictionary<string, double> { [$"{split}/loss"] = Loss };
        for (var h = 0; h < Objectives.Count; h++)
        {
            metrics[$"{split}/{Objectives[h].Head.Name}_acc"] = Accuracy(h);
            if (includeMae)
            {
                metrics[$"{split}/{Objectives[h].Head.Name}_mae"] = MeanAbsoluteError(h);
            }
        }
        metrics[$"{split}/acc"] = Enumerable.Range(0, Objectives.Count).Average(Accuracy);
        return metrics;
    }

    /// <summary>Confusion matrix of one head: rows = true class, columns = predicted class.</summary>
    public long[,] ConfusionMatrix(int head)
    {
        var n = Objectives[head].Head.NumClasses;
        var matrix = new long[n, n];
        for (var i = 0; i < Count; i++)
        {
            matrix[Truth[head][i], Math.Clamp(Predicted[head][i], 0, n - 1)]++;
        }

        return matrix;
    }
}

public static class SplitEvaluation
{
    /// <summary>Runs the model in eval mode without gradients over a split, in order.</summary>
    public static SplitResult Run(
        MultiheadNetwork model,
        IReadOnlyList<HeadObjective> objectives,
        DatasetTensors data,
        int batchSize,
        int limitBatches = 0
    )
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var batches = data.BatchCount(batchSize, limitBatches);
            var count = Math.Min(data.Count, batches * batchSize);
            var predicted = objectives.Select(_ => new int[count]).ToArray();
            var truth = objectives.Select(_ => new int[count]).ToArray();
            var values = objectives.Select(_ => new double[count]).ToArray();
            double lossSum = 0;
            for (var b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                var start = b * batchSize;
                var length = Math.Min(batchSize, count - start);
                var (inputs, labels) = data.Batch(null, start, length);
                var outputs = inputs.Through(model);
                var loss = TotalLoss(objectives, outputs, labels);
                lossSum += loss.item<float>() * length;
                for (var h = 0; h < objectives.Count; h++)
                {
                    var output = outputs[objectives[h].Head.Name];
                    var classes = objectives[h].Loss.PredictClasses(output).to(ScalarType.Int32).ToArray<int>();
                    classes.CopyTo(predicted[h], start);
                    labels.select(1, h).to(ScalarType.Int32).ToArray<int>().CopyTo(truth[h], start);
                    var physical = objectives[h].PredictValues(output)?.to(ScalarType.Float64).ToArray<double>()
                        ?? classes.Select(c => objectives[h].Head.ValueOfClass(c)).ToArray();
                    physical.CopyTo(values[h], start);
                }
            }
            return new SplitResult
            {
                Objectives = objectives,
                Loss = count == 0 ? 0 : lossSum / count,
                Predicted = predicted,
                Truth = truth,
                PredictedValues = values,
            };
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>sum over heads of weight_h * loss_h.</summary>
    public static Tensor TotalLoss(
        IReadOnlyList<HeadObjective> objectives,
        IReadOnlyDictionary<string, Tensor> outputs,
        Tensor labels
    )
    {
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (var h = 0; h < objectives.Count; h++)
        {
            using var target = labels.select(1, h);
            var term = objectives[h].Loss.Loss(outputs[objectives[h].Head.Name], target);
            if (objectives[h].Weight != 1.0)
            {
                term = term * objectives[h].Weight;
            }

            total = total is null ? term : total + term;
        }
        return total!.MoveToOuterDisposeScope();
    }
}
