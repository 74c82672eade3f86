using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

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

    /// <summary>NaN and infinities are legal values here (a validation may give them): written as JSON's named literals.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainingState FromJson(string json, string origin) =>
        Deserialize<TrainingState>(json, origin)
        ?? throw new InvalidDataException($"{origin}: the training state is empty");

    internal static T? Deserialize<T>(string json, string origin)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: the training state is not valid JSON: {e.Message}", e);
        }
    }
}
