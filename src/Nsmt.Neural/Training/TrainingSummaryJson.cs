using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nsmt.Neural.Training;

// summary.json and timing.json of a run, their shapes declared once as records: the serializer writes their properties
// in declaration order, snake_case (TrainingJsonContext), so the files read as these records do.

/// <summary>summary.json's core fields (<see cref="TrainingSummary"/>); the domain's own follow them.</summary>
/// <param name="BestEpoch">1-based; null before the first validation.</param>
/// <param name="Model">The run's model file relative to the run folder, or null.</param>
public sealed record TrainingSummaryJson(
    string Domain,
    int Epochs,
    int? BestEpoch,
    MonitorJson Monitor,
    string StopReason,
    bool StoppedEarly,
    DeviceJson Device,
    PrecisionJson Precision,
    string? Model,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double> Bests,
    IReadOnlyList<TopKJson> TopK
)
{
    /// <summary>
    /// The domain's fields (<see cref="ITrainingDomain.SummaryExtension"/>), written after the core's. Settable, not
    /// init-only: System.Text.Json binds init-only properties of a record to its constructor, and refuses that for
    /// extension data.
    /// </summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? DomainFields { get; set; }
}

/// <summary>The checkpoint monitor: its metric, mode and best value (null before the first validation).</summary>
public sealed record MonitorJson(string Metric, string Mode, double? Best);

/// <summary>The device that trained, what was asked and why this one.</summary>
public sealed record DeviceJson(string Name, string Requested, string Reason);

/// <summary>The precision the run computed in, and the TF32 switch as set on CUDA (null where untouched).</summary>
public sealed record PrecisionJson(string Mode, bool? Tf32);

/// <summary>One kept top-k checkpoint: its epoch (1-based), monitored value and file name.</summary>
public sealed record TopKJson(int Epoch, double Value, string File);

/// <summary>timing.json: what varies run to run, kept out of the reproducible summary.json.</summary>
public sealed record TrainingTimingJson(
    double TrainSamplesPerSecond,
    double SecondsPerEpoch,
    double? ResidentMbAfterFirstEpoch,
    double ResidentMbPeak,
    int Threads
);
