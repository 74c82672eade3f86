using System.Text.Json;
using Nsmt.Core;

namespace Nsmt.Neural.Training;

/// <summary>
/// summary.json, one core for both domains: <c>domain</c>, <c>epochs</c> (completed, all sessions), <c>best_epoch</c>
/// (1-based, the checkpoint monitor's best), <c>monitor</c> (metric, mode, best value), <c>stop_reason</c>,
/// <c>stopped_early</c>, <c>device</c>, <c>precision</c> (mode, tf32), <c>model</c> (the run's model file relative to the run folder, or null),
/// <c>metrics</c> (the last epoch's), <c>bests</c>, <c>top_k</c> (epoch, value, file); then the domain's own fields.
/// It is reproducible (same config + seed, same bytes, apart from a domain's timing fields); what varies run to run
/// goes to timing.json. Both are declared as records (<see cref="TrainingSummaryJson"/>, <see cref="TrainingTimingJson"/>).
/// </summary>
public static class TrainingSummary
{
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
        var summary = new TrainingSummaryJson(
            domain.Name,
            state.EpochsCompleted,
            state.BestEpoch < 0 ? null : state.BestEpoch + 1,
            new MonitorJson(settings.Checkpoint.Metric, settings.Checkpoint.Mode, state.BestValue),
            outcome.StopReason,
            outcome.StoppedEarly,
            outcome.Device.Record(),
            outcome.Device.Precision.Record(),
            domain.ModelFile is { } file ? RelativeToRun(run.Path, file) : null,
            state.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(),
            state.MetricBests.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(),
            [.. state.TopK.Select(r => new TopKJson(r.Epoch + 1, r.Value, r.FileName))]
        );
        AtomicFile.WriteAllText(run.SummaryJson, Serialize(summary, domain.SummaryExtension(outcome)));
        AtomicFile.WriteAllText(
            run.TimingJson,
            Serialize(
                new TrainingTimingJson(
                    Math.Round(outcome.TrainSamplesPerSecond, 1),
                    Math.Round(outcome.SecondsPerEpoch, 3),
                    residentAfterFirstEpoch,
                    peakResidentMegabytes,
                    TorchSharp.torch.get_num_threads()
                )
            )
        );
    }

    /// <summary>
    /// summary.json's text: the core's fields, then the domain's (a JSON object its own serializer context wrote), which
    /// may not repeat a core field.
    /// </summary>
    public static string Serialize(TrainingSummaryJson summary, JsonElement domainFields)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var core = TrainingJsonContext
            .Default.TrainingSummaryJson.Properties.Where(p => !p.IsExtensionData)
            .Select(p => p.Name)
            .ToHashSet();
        var fields = new Dictionary<string, JsonElement>();
        foreach (var field in domainFields.EnumerateObject())
        {
            if (core.Contains(field.Name))
            {
                throw new InvalidOperationException(
                    $"summary.json: the {summary.Domain} domain's field '{field.Name}' is a core field"
                );
            }

            fields[field.Name] = field.Value;
        }

        return JsonSerializer.Serialize(
            summary with
            {
                DomainFields = fields,
            },
            TrainingJsonContext.Default.TrainingSummaryJson
        );
    }

    /// <summary>timing.json's text.</summary>
    public static string Serialize(TrainingTimingJson timing) =>
        JsonSerializer.Serialize(timing, TrainingJsonContext.Default.TrainingTimingJson);

    /// <summary>
    /// A file of the run as summary.json names it: relative to the run folder, so the record stays true when the folder
    /// moves (a pipeline trains in a temporary folder and publishes it under its stage's name).
    /// </summary>
    public static string RelativeToRun(string runPath, string file) =>
        Path.GetRelativePath(runPath, Path.GetFullPath(file)).Replace('\\', '/');
}
