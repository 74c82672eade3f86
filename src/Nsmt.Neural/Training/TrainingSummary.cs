using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Core;

namespace Nsmt.Neural.Training;

/// <summary>
/// summary.json, one core for both domains: <c>domain</c>, <c>epochs</c> (completed, all sessions), <c>best_epoch</c>
/// (1-based, the checkpoint monitor's best), <c>monitor</c> (metric, mode, best value), <c>stop_reason</c>,
/// <c>stopped_early</c>, <c>device</c>, <c>precision</c> (mode, tf32), <c>model</c> (the run's model file relative to the run folder, or null),
/// <c>metrics</c> (the last epoch's), <c>bests</c>, <c>top_k</c> (epoch, value, file); then the domain's own fields.
/// It is reproducible (same config + seed, same bytes, apart from a domain's timing fields); what varies run to run
/// goes to timing.json.
/// </summary>
public static class TrainingSummary
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    internal static void Write(
        TrainingOutcome outcome,
        LoopSettings settings,
        ITrainingDomain domain,
        double? residentAfterFirstEpoch,
        double peakResidentMegabytes
    )
    {
        var run = outcome.Run;
        var state = outcome.State;
        var summary = new Dictionary<string, object?>
        {
            ["domain"] = domain.Name,
            ["epochs"] = state.EpochsCompleted,
            ["best_epoch"] = state.BestEpoch < 0 ? null : state.BestEpoch + 1,
            ["monitor"] = new Dictionary<string, object?>
            {
                ["metric"] = settings.Checkpoint.Metric,
                ["mode"] = settings.Checkpoint.Mode,
                ["best"] = state.BestValue,
            },
            ["stop_reason"] = outcome.StopReason,
            ["stopped_early"] = outcome.StoppedEarly,
            ["device"] = outcome.Device.Record(),
            ["precision"] = outcome.Device.Precision.Record(),
            ["model"] = domain.ModelFile is { } file ? RelativeToRun(run.Path, file) : null,
            ["metrics"] = state.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(),
            ["bests"] = state.MetricBests.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(),
            ["top_k"] = state
                .TopK.Select(r => new Dictionary<string, object?>
                {
                    ["epoch"] = r.Epoch + 1,
                    ["value"] = r.Value,
                    ["file"] = r.FileName,
                })
                .ToArray(),
        };
        foreach (var (key, value) in domain.SummaryExtension(outcome))
        {
            if (!summary.TryAdd(key, value))
            {
                throw new InvalidOperationException(
                    $"summary.json: the {domain.Name} domain's field '{key}' is a core field"
                );
            }
        }

        AtomicFile.WriteAllText(run.SummaryJson, JsonSerializer.Serialize(summary, Json));
        AtomicFile.WriteAllText(
            run.TimingJson,
            JsonSerializer.Serialize(
                new Dictionary<string, object?>
                {
                    ["train_samples_per_second"] = Math.Round(outcome.TrainSamplesPerSecond, 1),
                    ["seconds_per_epoch"] = Math.Round(outcome.SecondsPerEpoch, 3),
                    ["resident_mb_after_first_epoch"] = residentAfterFirstEpoch,
                    ["resident_mb_peak"] = peakResidentMegabytes,
                    ["threads"] = TorchSharp.torch.get_num_threads(),
                },
                Json
            )
        );
    }

    /// <summary>
    /// A file of the run as summary.json names it: relative to the run folder, so the record stays true when the folder
    /// moves (a pipeline trains in a temporary folder and publishes it under its stage's name).
    /// </summary>
    public static string RelativeToRun(string runPath, string file) =>
        Path.GetRelativePath(runPath, Path.GetFullPath(file)).Replace('\\', '/');
}
