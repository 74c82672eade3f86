using System.Text.Json;
using static TorchSharp.torch;

namespace Nsmt.Neural.Training;

/// <summary>What one optimisation step reports: its loss and the samples (items of the batch) it trained on.</summary>
public readonly record struct StepResult(double Loss, int Samples);

/// <summary>
/// What a domain supplies to the <see cref="TrainingLoop"/> (Lightning's LightningModule to its Trainer): its model and
/// optimiser, its training step, its validation and its metrics, and where its run differs (what a checkpoint carries
/// beside the weights, what is exported next to it, what summary.json adds). The loop owns the rest: epochs and steps,
/// weight averaging, checkpoints, early stopping, the time budget, logging, resume and the run's record.
/// </summary>
public interface ITrainingDomain
{
    /// <summary>"spectral" or "amp": the checkpoints' domain.</summary>
    string Name { get; }

    nn.Module Model { get; }

    optim.Optimizer Optimizer { get; }

    /// <summary>The resolved config, stored in every checkpoint.</summary>
    string ConfigYaml { get; }

    /// <summary>What the throughput counts per trained sample (amp: the samples of a window; spectral: 1, the example).</summary>
    double UnitsPerSample => 1;

    /// <summary>How to avoid a divergence, said when one happens.</summary>
    string DivergenceHint { get; }

    /// <summary>Before an epoch's first step: training mode, the epoch's order of the data. Returns the steps planned.</summary>
    int BeginEpoch(int epoch);

    /// <summary>
    /// One step (forward, loss, backward, clipping, optimiser step), inside a dispose scope of the loop's; the domain
    /// keeps the sums its epoch metrics need.
    /// </summary>
    StepResult TrainStep(int step);

    /// <summary>After each step and its weight-average update (a per-step learning-rate schedule).</summary>
    void AfterStep() { }

    /// <summary>The epoch's training metrics ("train/loss", ...) over the <paramref name="stepsDone"/> steps it ran.</summary>
    Dictionary<string, double> EndTrainEpoch(int stepsDone);

    /// <summary>With weight averaging: re-estimates the BatchNorm statistics of the averaged model from training data.</summary>
    void RecomputeBatchNorm() { }

    /// <summary>The validation metrics ("val/loss", ...) of the model as it is now (the averaged one, where the run averages).</summary>
    Dictionary<string, double> Validate();

    /// <summary>After the epoch's metrics are complete: the learning-rate schedule's epoch step.</summary>
    void AfterEpoch(IReadOnlyDictionary<string, double> metrics);

    Dictionary<string, double> SchedulerState();

    void LoadSchedulerState(IReadOnlyDictionary<string, double> state);

    /// <summary>Before the model's state is written (an LSTM's exported initial state).</summary>
    void PrepareState() { }

    /// <summary>What the domain's checkpoints carry beside the weights.</summary>
    IReadOnlyDictionary<string, string> CheckpointMetadata();

    /// <summary>After a checkpoint was written, with the validated weights in the model (amp: its .nam beside it).</summary>
    void OnCheckpointWritten(string path, TrainingState state) { }

    /// <summary>After a top-k checkpoint left the ranking and was deleted.</summary>
    void OnCheckpointRemoved(string path) { }

    /// <summary>After the monitor improved, with the validated weights in the model (amp: model.nam).</summary>
    void OnImproved(TrainingState state) { }

    /// <summary>Why a run that ended without diverging still failed its check, or null.</summary>
    string? Verdict(TrainingState state) => null;

    /// <summary>The run's model file (the best model's), for summary.json; null where the domain has none.</summary>
    string? ModelFile => null;

    /// <summary>
    /// The domain's fields of summary.json, after the core's (<see cref="TrainingSummary"/>): a JSON object written from
    /// the domain's own record by its source-generated serializer context.
    /// </summary>
    JsonElement SummaryExtension(TrainingOutcome outcome);

    /// <summary>TensorBoard's hyperparameters and the metrics to show with them; null for none.</summary>
    (Dictionary<string, object> Values, string[] Metrics)? Hyperparameters() => null;
}
