using System.Diagnostics;
using System.Globalization;
using System.Text;
using Nsmt.Config;
using Nsmt.Core;
using Nsmt.Runs;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training.Config;
using Nsmt.Spectral.Training.Data;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Comparison;

/// <summary>One architecture's line in the comparison table.</summary>
public sealed record ComparisonRow(
    string Model,
    string Architecture,
    long Parameters,
    int Epochs,
    IReadOnlyDictionary<string, double> BestHeadAccuracy,
    IReadOnlyDictionary<string, double> FinalHeadAccuracy,
    double SecondsPerEpoch,
    double InferenceMillisecondsPerSample,
    string RunDirectory
)
{
    public double MeanBestAccuracy => BestHeadAccuracy.Values.Average();
}

/// <summary>What to compare: model configs trained with one experiment's data and hyperparameters for N epochs.</summary>
public sealed record ComparisonRequest
{
    public required string ConfigRoot { get; init; }
    public required string Experiment { get; init; }
    public required IReadOnlyList<string> Models { get; init; }
    public int Epochs { get; init; } = 3;
    public required string Output { get; init; }
    public string? DataDirectory { get; init; }
    public IReadOnlyList<string> Overrides { get; init; } = [];
}

/// <summary>
/// The template's "make ca": trains each architecture of a comparison set for the same number of epochs on the same
/// dataset and tabulates parameters, per-head accuracy, time per epoch and inference latency per sample.
/// </summary>
public static class ArchitectureComparison
{
    public static IReadOnlyList<ComparisonRow> Run(ComparisonRequest request, ProgressReporter progress)
    {
        if (request.Models.Count == 0)
        {
            throw new ConfigException("the comparison set is empty (name at least one model config)");
        }

        var workspace = Path.GetDirectoryName(
            Path.GetFullPath(request.ConfigRoot).TrimEnd(Path.DirectorySeparatorChar)
        )!;
        var rows = new List<ComparisonRow>();
        foreach (var model in request.Models)
        {
            var epochs = request.Epochs.ToString(CultureInfo.InvariantCulture);
            var config = TrainConfig.Load(
                request.ConfigRoot,
                request.Experiment,
                [
                    .. request.Overrides,
                    $"model={model}",
                    $"trainer.min_epochs={epochs}",
                    $"trainer.max_epochs={epochs}",
                    "callbacks.early_stopping.enabled=false",
                    "logger.tensorboard=false",
                ]
            );
            var dataset = DatasetProvider.Ensure(config.Data, workspace, request.DataDirectory, progress);
            var run = RunDirectory.At(Path.Combine(request.Output, "runs", model));
            progress.Message($"compare: training {model} for {epochs} epochs");
            var result = new Trainer(config, progress).Fit(dataset, run);
            var heads = DatasetHeads.From(dataset.Heads);
            using var checkpoint = Checkpoint.Load(result.BestCheckpoint ?? result.LastCheckpoint!);
            using var network = checkpoint.CreateModel();
            using var sample = DatasetTensors.FromSplit(dataset.Test, dataset.Info, config.Data.AuxiliaryFeatures);
            rows.Add(
                new ComparisonRow(
                    model,
                    config.Model.Network.Architecture,
                    result.Parameters,
                    result.EpochsCompleted,
                    heads.ToDictionary(h => h.Name, h => result.Bests[$"val/{h.Name}_acc_best"]),
                    heads.ToDictionary(h => h.Name, h => result.FinalMetrics[$"val/{h.Name}_acc"]),
                    result.SecondsPerEpoch,
                    InferenceLatency(network, sample),
                    run.Path
                )
            );
        }
        Directory.CreateDirectory(request.Output);
        AtomicFile.WriteAllText(Path.Combine(request.Output, "comparison.csv"), ToCsv(rows));
        AtomicFile.WriteAllText(Path.Combine(request.Output, "comparison.md"), ToMarkdown(rows, request));
        return rows;
    }

    /// <summary>Median time of a batch-of-one forward pass (eval mode, no gradients), after a warm-up.</summary>
    public static double InferenceLatency(MultiheadNetwork model, DatasetTensors data, int repeats = 100)
    {
        model.eval();
        using var noGrad = no_grad();
        var (one, label) = data.Batch(null, 0, 1);
        label.Dispose();
        using var inputs = one;
        var times = new double[repeats];
        for (var i = -10; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                inputs.Through(model);
            }

            if (i >= 0)
            {
                times[i] = clock.Elapsed.TotalMilliseconds;
            }
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    public static string ToCsv(IReadOnlyList<ComparisonRow> rows)
    {
        var heads = rows[0].BestHeadAccuracy.Keys.ToList();
        var sb = new StringBuilder("model,architecture,parameters,epochs,");
        sb.Append(string.Join(',', heads.Select(h => $"best_{h}_acc"))).Append(',');
        sb.Append(string.Join(',', heads.Select(h => $"final_{h}_acc")))
            .Append(",mean_best_acc,seconds_per_epoch,inference_ms_per_sample\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Model},{r.Architecture},{r.Parameters},{r.Epochs},");
            sb.Append(string.Join(',', heads.Select(h => F(r.BestHeadAccuracy[h])))).Append(',');
            sb.Append(string.Join(',', heads.Select(h => F(r.FinalHeadAccuracy[h]))));
            sb.Append(
                CultureInfo.InvariantCulture,
                $",{F(r.MeanBestAccuracy)},{F(r.SecondsPerEpoch)},{F(r.InferenceMillisecondsPerSample)}\n"
            );
        }
        return sb.ToString();
    }

    private static string ToMarkdown(IReadOnlyList<ComparisonRow> rows, ComparisonRequest request)
    {
        var heads = rows[0].BestHeadAccuracy.Keys.ToList();
        var sb = new StringBuilder();
        sb.Append(
            CultureInfo.InvariantCulture,
            $"# Architecture comparison\n\nExperiment `{request.Experiment}`, {request.Epochs} epochs each; accuracy = best validation epoch.\n\n"
        );
        sb.Append("| model | architecture | parameters | ")
            .Append(string.Join(" | ", heads.Select(h => $"{h} acc")))
            .Append(" | s/epoch | inference ms/sample |\n");
        sb.Append("|---|---|---:|").Append(string.Concat(heads.Select(_ => "---:|"))).Append("---:|---:|\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {r.Model} | {r.Architecture} | {r.Parameters:N0} | ");
            sb.Append(
                string.Join(
                    " | ",
                    heads.Select(h => r.BestHeadAccuracy[h].ToString("0.000", CultureInfo.InvariantCulture))
                )
            );
            sb.Append(
                CultureInfo.InvariantCulture,
                $" | {r.SecondsPerEpoch:0.00} | {r.InferenceMillisecondsPerSample:0.000} |\n"
            );
        }
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}
