using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Nsmt.Neural.Training;

/// <summary>One kept top-k checkpoint: its epoch (0-based index), its monitored value and its file name (in checkpoints/).</summary>
public sealed record RankedCheckpoint(int Epoch, double Value, string FileName);

/// <summary>
/// Where a run stands after an epoch: everything besides tensors that an exact resume needs, for either domain. Epochs
/// are counted one way: <see cref="EpochsCompleted"/> is also the index of the next epoch to run; epoch indices in
/// here are 0-based (as in metrics.csv), people see them 1-based (summary.json, file names, messages).
/// </summary>
public sealed record TrainingState
{
    /// <summary>
    /// Why resuming this run with <paramref name="maxEpochs"/> (the config key <paramref name="field"/>) would train
    /// nothing, or null: such a resume is refused before anything is written, so it never lowers the run's recorded
    /// epochs.
    /// </summary>
    public string? NothingToTrain(int maxEpochs, string field) =>
        EpochsCompleted < maxEpochs
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"the run has already completed {EpochsCompleted} epochs, so {field}={maxEpochs} trains nothing; "
                    + $"give more to continue (e.g. {field}={EpochsCompleted + 10}); the run is unchanged"
            );

    public int EpochsCompleted { get; init; }

    public long GlobalStep { get; init; }

    /// <summary>Wall clock of the run so far (all sessions), validation and checkpoints included.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>The best value of the checkpoint monitor so far; null before the first validation.</summary>
    public double? BestValue { get; init; }

    /// <summary>The epoch (0-based) that gave <see cref="BestValue"/>; -1 before the first.</summary>
    public int BestEpoch { get; init; } = -1;

    public double? EarlyStoppingBest { get; init; }

    /// <summary>Epochs since the early-stopping monitor last improved.</summary>
    public int EarlyStoppingWait { get; init; }

    /// <summary>The top-k checkpoints, best first.</summary>
    public IReadOnlyList<RankedCheckpoint> TopK { get; init; } = [];

    /// <summary>Best value of each validation metric so far (<c>val/x_best</c>), where the domain asks for them.</summary>
    public Dictionary<string, double> MetricBests { get; init; } = [];

    /// <summary>The learning-rate scheduler's position.</summary>
    public Dictionary<string, double> Scheduler { get; init; } = [];

    /// <summary>The last epoch's logged metrics.</summary>
    public Dictionary<string, double> Metrics { get; init; } = [];

    /// <summary>The checkpoint's <c>state</c> entry (<see cref="TrainingStateJsonContext"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, TrainingJsonContext.State.TrainingState);

    public static TrainingState FromJson(string json, string origin) =>
        Deserialize(json, origin, TrainingJsonContext.State.TrainingState)
        ?? throw new InvalidDataException($"{origin}: the training state is empty");

    /// <summary>
    /// Reads the state of an earlier checkpoint layout (LegacyCheckpoints: private records, read by reflection with the
    /// options the state is written with).
    /// </summary>
    internal static T? Deserialize<T>(string json, string origin) =>
        Deserialize(json, origin, (JsonTypeInfo<T>)TrainingJsonContext.Reflected.GetTypeInfo(typeof(T)));

    private static T? Deserialize<T>(string json, string origin, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: the training state is not valid JSON: {e.Message}", e);
        }
    }
}
