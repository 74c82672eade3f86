using System.Globalization;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Modules;
using Nsmt.Core;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Training;
using Nsmt.Outputs;
using Nsmt.Runs;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training;

/// <summary>What a training run produced.</summary>
public sealed record AmpTrainingResult
{
    public required string RunDirectory { get; init; }

    /// <summary>Validation ESR (NAM's, per item) of the best checkpoint.</summary>
    public required double ValidationEsr { get; init; }

    public string Grade => NamGrades.Of(ValidationEsr);

    public required int BestEpoch { get; init; }

    /// <summary>Epochs completed (all sessions of the run).</summary>
    public required int Epochs { get; init; }

    public required double ElapsedSeconds { get; init; }

    /// <summary>The best model as .nam (null for the plain WaveNet, which has no .nam form).</summary>
    public string? ModelPath { get; init; }

    public required string StopReason { get; init; }

    /// <summary>The best model's added delay on the validation range (issue 16: should be 0); null without a .nam model.</summary>
    public ModelDelay? AddedDelay { get; init; }
}

/// <summary>
/// Amp training (NAM's recipe) on the shared <see cref="TrainingLoop"/>: seeded window shuffling, Adam + ExponentialLR
/// per epoch, optional gradient clipping and EMA, validation ESR on the held-out range after every epoch, top-k and
/// last checkpoints (each also as .nam), early stopping, a wall-clock budget and exact resume.
/// Writes config.yaml (resolved), metrics.csv, TensorBoard events, checkpoints/, model.nam (best) and summary.json.
/// </summary>
public sealed class AmpTrainer
{
    private readonly AmpTrainConfig _config;
    private readonly AmpTrainingData _data;
    private readonly RunDirectory _run;
    private readonly ProgressReporter _progress;

    public AmpTrainer(AmpTrainConfig config, AmpTrainingData data, RunDirectory run, ProgressReporter? progress = null)
    {
        this._config = config;
        this._data = data;
        this._run = run;
        this._progress = progress ?? ProgressReporter.Silent;
    }

    /// <summary>The model file of a run folder: the best checkpoint's .nam.</summary>
    public static string ModelFile(RunDirectory run) => Path.Combine(run.Path, "model.nam");

    /// <summary>Trains from scratch, or continues from checkpoints/last.ckpt when <paramref name="resume"/> is set.</summary>
    /// <remarks>
    /// Cancelling stops at the next step (<see cref="OperationCanceledException"/>); the interrupted epoch is not saved,
    /// so a resume repeats it from the last checkpoint.
    /// </remarks>
    public AmpTrainingResult Run(bool resume = false, CancellationToken cancellation = default)
    {
        var t = _config.Training;
        // Threads, the engine self-check (CPU and the chosen device), the device and deterministic algorithms.
        var device = TrainingEngine.Prepare(t.Engine);
        manual_seed(_config.Seed);
        using var domain = new AmpTraining(_config, _data, _run, device);
        using var checkpoint = resume ? AmpCheckpoint.Load(_run.LastCheckpoint) : null;
        // Before config.yaml is written.
        if (checkpoint?.State.NothingToTrain(t.Epochs, "training.epochs") is { } nothing)
        {
            throw new NsmtInputException(_run.ConfigFile, "training.epochs", nothing);
        }

        Announce(domain);
        var outcome = new TrainingLoop(LoopSettings(t), _progress).Run(
            domain,
            _run,
            device,
            checkpoint?.Checkpoint,
            cancellation
        );
        if (domain.AddedDelay is { } delay)
        {
            _progress.Message(delay.ToText());
        }

        var best = outcome.State.BestValue ?? double.PositiveInfinity;
        return new AmpTrainingResult
        {
            RunDirectory = _run.Path,
            ValidationEsr = best,
            BestEpoch = outcome.State.BestEpoch + 1,
            Epochs = outcome.State.EpochsCompleted,
            ElapsedSeconds = outcome.State.ElapsedSeconds,
            ModelPath = domain.ModelFile,
            StopReason = outcome.StopReason,
            AddedDelay = domain.AddedDelay,
        };
    }

    /// <summary>
    /// NAM's checkpointing (top-k by validation ESR, <paramref name="metric"/>, and last), early stopping, EMA and the
    /// time budget: the amp recipe's, also for knob runs.
    /// </summary>
    internal static LoopSettings LoopSettings(TrainingSettings t, string metric = "val/esr")
    {
        var esr = new MetricMonitor(metric, "min", "training.top_k");
        var tag = metric.Replace('/', '_');
        return new LoopSettings
        {
            MaxEpochs = t.Epochs,
            Checkpoint = esr,
            TopK = t.TopK,
            TopKFileName = (epoch, value) =>
                string.Create(CultureInfo.InvariantCulture, $"epoch={epoch + 1:0000}_{tag}={value:0.000000}.ckpt"),
            SaveLast = true,
            EarlyStopping =
                t.EarlyStoppingPatience > 0
                    ? new EarlyStoppingRule(
                        esr with
                        {
                            Field = "training.early_stopping_patience",
                        },
                        t.EarlyStoppingPatience
                    )
                    : null,
            AverageDecay = t.EmaDecay,
            MaxSeconds = t.MaxSeconds,
            LogTimes = true,
        };
    }

    private void Announce(AmpTraining domain)
    {
        var t = _config.Training;
        var model = domain.Module;
        _progress.Message($"data: {_data.Description}");
        if (_config.Data.TargetRmsDbfs is { } level)
        {
            _progress.Message(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"targets: normalised to {level} dBFS RMS, gain {domain.TargetGain:0.####} ({20 * Math.Log10(domain.TargetGain):+0.0;-0.0} dB); exports divide head_scale by it"
                )
            );
        }

        foreach (var warning in _data.Warnings)
        {
            _progress.Message($"warning: {warning}");
        }

        _progress.Message(
            string.Create(
                CultureInfo.InvariantCulture,
                $"model: {_config.Model.Describe()}, {model.WeightCount:N0} weights{(model.IsNamExportable ? " (NAM's count)" : "")}, context {model.Context}, lookahead {model.Lookahead}; "
                    + $"{domain.Windows.Count} windows of {domain.Windows.Ny} samples, batch {t.BatchSize}, validation {domain.ValidationCount} samples"
            )
        );
    }

    /// <summary>An LSTM exports the state after silence as h0/c0 (NAM); its windows start from zero regardless.</summary>
    internal static void PrepareForExport(AmpModule model)
    {
        if (model is NamLstm lstm)
        {
            lstm.SetInitialStateFromSilence();
        }
    }
}
