using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Losses;
using Nsmt.Amp.Training.Modules;
using Nsmt.Core;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Optimization;
using Nsmt.Outputs;
using Nsmt.Runs;
using TorchSharp;
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

    /// <summary>The best model as .nam (null for the seed WaveNet, which has no .nam form).</summary>
    public string? ModelPath { get; init; }

    public required string StopReason { get; init; }

    /// <summary>The best model's added delay on the validation range (issue 16: should be 0); null without a .nam model.</summary>
    public ModelDelay? AddedDelay { get; init; }
}

/// <summary>
/// The amp training loop (NAM's recipe): seeded window shuffling, Adam + ExponentialLR per epoch,
/// optional gradient clipping, validation ESR on the held-out range after every epoch, top-k and
/// last checkpoints (each also as .nam), early stopping, a wall-clock budget and exact resume.
/// Writes config.yaml (resolved), metrics.csv, TensorBoard events, checkpoints/ and model.nam (best).
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
    /// Cancelling stops at the next step; the interrupted epoch is not saved, so a resume repeats
    /// it from the last checkpoint.
    /// </remarks>
    public AmpTrainingResult Run(bool resume = false, CancellationToken cancellation = default)
    {
        var t = _config.Training;
        // Threads, the engine self-check (CPU and the chosen device), the device and deterministic algorithms.
        var device = TrainingEngine.Prepare(t.Engine);
        manual_seed(_config.Seed);
        var configYaml = _config.ResolvedYaml;
        using var model = _config.Model.CreateModule(_data.SampleRate);
        // Model, optimiser state (built below from the moved parameters), weight average, batches and losses live on the
        // device; only logged values and validation outputs come back to the CPU.
        model.to(device.Device);
        var train = new WindowDataset(_data.Signals, _data.Train, _config.Data.Ny, model.Context, model.Lookahead);
        var validationInput = ValidationInput(model, out var validationFirst, out var validationCount);
        var validationTarget = _data.Signals.Output(validationFirst, validationCount);
        using var optimizer = optim.Adam(model.parameters(), lr: t.LearningRate, weight_decay: t.WeightDecay);
        var scheduler = new ExponentialLR(optimizer, t.LearningRateGamma);
        using var loss = new AmpLoss(_config.Loss);
        using var average = t.EmaDecay > 0 ? new WeightAverage(model, t.EmaDecay) : null;
        var metrics = new MetricsCsvLogger(_run.MetricsCsv);
        var state = resume ? Resume(model, optimizer, scheduler, average, metrics) : new TrainingProgress();
        if (resume && state.Epoch + 1 >= t.Epochs)
        {
            // Before config.yaml is written: a resume that trains nothing must not lower the run's recorded epochs.
            throw new NsmtInputException(
                _run.ConfigFile,
                "training.epochs",
                $"the run has already completed {state.Epoch + 1} epochs, so training.epochs={t.Epochs} trains nothing; "
                    + $"give more to continue (e.g. training.epochs={state.Epoch + 1 + 10}); the run is unchanged"
            );
        }

        // On resume too: overrides given then (more epochs, a new budget) become part of the run's config.
        AtomicFile.WriteAllText(_run.ConfigFile, configYaml);

        Announce(model, train, validationCount, device);
        var callbacks = Callbacks(model, optimizer, scheduler, average, configYaml);
        using var tensorBoard = new TensorBoardWriter(_run.TensorBoard);
        var clock = Stopwatch.StartNew();
        var elapsedBefore = state.ElapsedSeconds;
        var budget = new TimeBudget(t.MaxSeconds);
        // Checked between batches too: one epoch of a long recording can outlast the whole budget.
        bool OutOfTime() => budget.Enabled && elapsedBefore + clock.Elapsed.TotalSeconds >= budget.Seconds;
        var stopReason = "completed all epochs";
        string? divergence = null;
        for (var epoch = state.Epoch + 1; epoch < t.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var (trainLoss, terms, steps, stepsDone, windows) = TrainEpoch(
                model,
                train,
                optimizer,
                loss,
                callbacks,
                epoch,
                ref state,
                OutOfTime,
                cancellation
            );
            var trainSeconds = epochClock.Elapsed.TotalSeconds;
            if (cancellation.IsCancellationRequested)
            {
                stopReason = $"interrupted during epoch {epoch + 1}; resume continues after epoch {state.Epoch + 1}";
                break;
            }

            if (!double.IsFinite(trainLoss))
            {
                // Nothing of this epoch is saved: the checkpoints keep the last finite model.
                divergence = $"the training loss became {trainLoss} in epoch {epoch + 1}";
                break;
            }

            var learningRate = optimizer.ParamGroups.First().LearningRate;
            scheduler.step();
            float[] prediction;
            var widthEsr = new Dictionary<string, double>();
            using (callbacks.ValidationWeights())
            {
                prediction = model.PredictAligned(validationInput);
                if (model is PackedA2 packed)
                {
                    // Each width's own ESR; model selection follows the widest (prediction), the width played by default.
                    for (var i = 0; i < packed.Submodels.Count; i++)
                    {
                        widthEsr[$"val/esr.{packed.Names[i]}"] = Metrics.Esr(
                            packed.Submodels[i].PredictAligned(validationInput),
                            validationTarget
                        );
                    }
                }
            }

            var esr = Metrics.Esr(prediction, validationTarget);
            if (double.IsNaN(esr))
            {
                // A NaN validation is never a candidate: nothing of this epoch is saved.
                divergence = $"the validation ESR became {esr} in epoch {epoch + 1}";
                break;
            }

            var improved = esr < state.BestValidationEsr;
            state = state with
            {
                Epoch = epoch,
                ValidationEsr = esr,
                BestValidationEsr = improved ? esr : state.BestValidationEsr,
                BestEpoch = improved ? epoch : state.BestEpoch,
                EpochsWithoutImprovement = improved ? 0 : state.EpochsWithoutImprovement + 1,
                ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds,
            };
            state = callbacks.OnValidationEnd(state, improved);

            var row = MetricsRow(
                trainLoss,
                terms,
                esr,
                Metrics.Mse(prediction, validationTarget),
                learningRate,
                trainSeconds,
                state
            );
            foreach (var (key, value) in widthEsr)
            {
                row[key] = value;
            }

            LogEpoch(metrics, tensorBoard, row, epoch, state);
            // The windows actually trained, not steps x batch_size: a last or only batch may be partial.
            _progress.EpochCompleted(
                epoch,
                row,
                windows * (double)train.Ny / Math.Max(trainSeconds, 1e-9),
                epochClock.Elapsed
            );
            if (stepsDone < steps)
            {
                // Validated, ranked and checkpointed like a whole epoch (so nothing trained is lost); a resume starts the next.
                stopReason = string.Create(
                    CultureInfo.InvariantCulture,
                    $"time budget of {t.MaxSeconds:0.#} s reached after {stepsDone} of {steps} steps of epoch {epoch + 1}; the model so far is validated and saved"
                );
                break;
            }

            if (callbacks.StopReason(state, epochClock.Elapsed.TotalSeconds) is { } reason)
            {
                stopReason = reason;
                break;
            }
        }

        divergence ??= NeverImproved(state);
        if (divergence is not null)
        {
            var message =
                $"training failed: {divergence} (diverged; try a lower training.lr or a training.grad_clip, and check the data)";
            _progress.Message(message);
            Finish(model, state, message, device);
            throw new NsmtCheckFailedException($"{message}; {_run.Path} keeps the last good checkpoint");
        }

        return Finish(model, state, stopReason, device);
    }

    /// <summary>
    /// A run of three or more epochs whose best validation is still its first learned nothing (seen on CPUs with wrong
    /// kernels: the nano preset ended at ESR 1.0009); a shorter run is a smoke run and is not judged.
    /// </summary>
    private static string? NeverImproved(TrainingProgress state) =>
        state.Epoch >= 2 && state.BestEpoch == 0
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"the validation ESR never improved on the first epoch's {state.BestValidationEsr:0.#####} in {state.Epoch + 1} epochs"
            )
            : null;

    /// <summary>Model, optimiser, scheduler, weight average and metrics as checkpoints/last.ckpt left them.</summary>
    private TrainingProgress Resume(
        AmpModule model,
        optim.Optimizer optimizer,
        LRScheduler scheduler,
        WeightAverage? average,
        MetricsCsvLogger metrics
    )
    {
        using var checkpoint = AmpCheckpoint.Load(_run.LastCheckpoint);
        checkpoint.LoadModel(model);
        checkpoint.LoadTrainingState(optimizer, scheduler);
        average?.Load(checkpoint.Averages(), checkpoint.Path);
        var state = checkpoint.Progress;
        if (File.Exists(_run.MetricsCsv))
        {
            metrics.Restore(MetricsCsvLogger.Read(_run.MetricsCsv), state.Epoch + 1);
        }

        _progress.Message(
            $"resuming {_run.Path} after epoch {state.Epoch + 1} (best validation ESR {state.BestValidationEsr:0.#####})"
        );
        return state;
    }

    private void Announce(AmpModule model, WindowDataset train, int validationCount, TrainingDevice device)
    {
        var t = _config.Training;
        _progress.Message($"device: {device.Name} ({device.Reason})");
        _progress.Message($"data: {_data.Description}");
        foreach (var warning in _data.Warnings)
        {
            _progress.Message($"warning: {warning}");
        }

        _progress.Message(
            string.Create(
                CultureInfo.InvariantCulture,
                $"model: {_config.Model.Describe()}, {model.WeightCount:N0} weights{(model.IsNamExportable ? " (NAM's count)" : "")}, context {model.Context}, lookahead {model.Lookahead}; "
                    + $"{train.Count} windows of {train.Ny} samples, batch {t.BatchSize}, validation {validationCount} samples"
            )
        );
    }

    /// <summary>The run's callbacks in the order of their effects: averaging, checkpoints, then the stop rules.</summary>
    private AmpTrainingCallbacks Callbacks(
        AmpModule model,
        optim.Optimizer optimizer,
        LRScheduler scheduler,
        WeightAverage? average,
        string configYaml
    )
    {
        var t = _config.Training;
        var callbacks = new List<IAmpTrainingCallback>();
        if (average is not null)
        {
            callbacks.Add(new WeightAveraging(average));
        }

        callbacks.Add(new CheckpointSaving(model, optimizer, scheduler, average, _config, _data, _run, configYaml));
        if (t.EarlyStoppingPatience > 0)
        {
            callbacks.Add(new EarlyStopping(t.EarlyStoppingPatience));
        }

        callbacks.Add(new TimeBudgetStop(new TimeBudget(t.MaxSeconds), t.MaxSeconds, t.Epochs, _progress));
        return new AmpTrainingCallbacks(callbacks);
    }

    private static Dictionary<string, double> MetricsRow(
        double trainLoss,
        Dictionary<string, double> terms,
        double esr,
        double mse,
        double learningRate,
        double trainSeconds,
        TrainingProgress state
    )
    {
        var row = new Dictionary<string, double>
        {
            ["train/loss"] = trainLoss,
            ["val/loss"] = esr,
            ["val/esr"] = esr,
            ["val/mse"] = mse,
            ["lr"] = learningRate,
            // The optimisation steps alone (validation and checkpoints excluded): what bench/amp-train compares.
            ["train_seconds"] = trainSeconds,
            // Wall clock of the whole run so far (all sessions), validation and checkpoints included.
            ["elapsed_seconds"] = state.ElapsedSeconds,
        };
        foreach (var (key, value) in terms)
        {
            row[$"train/{key}"] = value;
        }

        return row;
    }

    private static void LogEpoch(
        MetricsCsvLogger metrics,
        TensorBoardWriter tensorBoard,
        Dictionary<string, double> row,
        int epoch,
        TrainingProgress state
    )
    {
        metrics.Log(row, epoch, state.GlobalStep);
        foreach (var (key, value) in row)
        {
            tensorBoard.AddScalar(key, value, state.GlobalStep);
        }

        tensorBoard.Flush();
    }

    /// <summary>
    /// One epoch's optimisation steps; it ends early when cancelled or <paramref name="outOfTime"/> (checked after each
    /// step). Returns the mean loss, its terms, the steps planned and done, and the windows actually trained on.
    /// </summary>
    private (double loss, Dictionary<string, double> terms, int steps, int stepsDone, int windows) TrainEpoch(
        AmpModule model,
        WindowDataset train,
        optim.Optimizer optimizer,
        AmpLoss loss,
        AmpTrainingCallbacks callbacks,
        int epoch,
        ref TrainingProgress state,
        Func<bool> outOfTime,
        CancellationToken cancellation
    )
    {
        var t = _config.Training;
        model.train();
        var device = model.ParameterDevice();
        var order = train.Shuffle(_config.Seed, epoch);
        if (t.DropLast && order.Length >= t.BatchSize)
        {
            order = order[..(order.Length / t.BatchSize * t.BatchSize)];
        }

        var steps = (order.Length + t.BatchSize - 1) / t.BatchSize;
        _progress.EpochStarted(epoch, t.Epochs, steps);
        double lossSum = 0,
            normSum = 0,
            normMax = 0;
        var termSums = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        int stepsDone = 0,
            windows = 0;
        for (var step = 0; step < steps && !cancellation.IsCancellationRequested && (step == 0 || !outOfTime()); step++)
        {
            using var scope = NewDisposeScope();
            var indices = order.AsSpan(step * t.BatchSize, Math.Min(t.BatchSize, order.Length - (step * t.BatchSize)));
            var (x, y) = train.Batch(indices);
            (x, y) = (x.to(device), y.to(device));
            if (model.OutputsPerInput > 1)
            {
                y = y.repeat(model.OutputsPerInput, 1); // every width of a packed model learns the same target
            }

            optimizer.zero_grad();
            var prediction = model.call(x);
            var (total, terms) = loss.Compute(prediction, y);
            total.backward();
            // The norm is logged either way; an infinite limit measures without clipping.
            var norm = nn.utils.clip_grad_norm_(
                model.parameters(),
                t.GradClip > 0 ? t.GradClip : double.PositiveInfinity
            );
            normSum += norm;
            normMax = Math.Max(normMax, norm);

            optimizer.step();
            callbacks.OnStepEnd();
            double value = total.item<float>();
            stepsDone++;
            windows += indices.Length;
            lossSum += value * indices.Length;
            foreach (var (key, term) in terms)
            {
                termSums[key] = termSums.GetValueOrDefault(key) + (term.item<float>() * indices.Length);
            }

            state = state with { GlobalStep = state.GlobalStep + 1 };
            if (!double.IsFinite(value))
            {
                break; // the model is lost; Run stops without saving this epoch
            }

            // The windows of this epoch so far, not steps x batch_size: a last or only batch may be partial.
            _progress.StepCompleted(
                step,
                value,
                windows * (double)train.Ny / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)
            );
        }

        // Means over the windows trained (all of them unless the epoch ended early).
        var means = termSums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1, windows));
        means["grad_norm"] = normSum / Math.Max(1, stepsDone);
        means["grad_norm_max"] = normMax;
        return (lossSum / Math.Max(1, windows), means, steps, stepsDone, windows);
    }

    /// <summary>
    /// The validation input with the model's context taken from the data before the range (when
    /// there is not enough, the first targets are skipped) and its lookahead after.
    /// </summary>
    private float[] ValidationInput(AmpModule model, out int first, out int count)
    {
        var range = _data.Validation;
        first = Math.Max(range.Start, model.Context);
        var end = Math.Min(range.End, _data.Signals.Length - model.Lookahead);
        count = end - first;
        if (count < 1)
        {
            throw new ArgumentException(
                $"the validation range {range} leaves no sample with the model's context ({model.Context}) and lookahead ({model.Lookahead})"
            );
        }

        return _data.Signals.Input(first - model.Context, model.Context + count + model.Lookahead);
    }

    /// <summary>An LSTM exports the state after silence as h0/c0 (NAM); its windows start from zero regardless.</summary>
    internal static void PrepareForExport(AmpModule model)
    {
        if (model is NamLstm lstm)
        {
            lstm.SetInitialStateFromSilence();
        }
    }

    private AmpTrainingResult Finish(AmpModule model, TrainingProgress state, string stopReason, TrainingDevice device)
    {
        var modelPath = model.IsNamExportable && File.Exists(ModelFile(_run)) ? ModelFile(_run) : null;
        var delay = modelPath is null ? null : MeasureAddedDelay(modelPath);
        if (delay is not null)
        {
            _progress.Message(delay.ToText());
        }

        var summary = new Dictionary<string, object?>
        {
            ["validation_esr"] = state.BestValidationEsr,
            ["grade"] = NamGrades.Of(state.BestValidationEsr),
            ["best_epoch"] = state.BestEpoch + 1,
            ["epochs"] = state.Epoch + 1,
            ["elapsed_seconds"] = state.ElapsedSeconds,
            ["stop_reason"] = stopReason,
            ["device"] = device.Record(),
            ["model"] = modelPath,
            ["alignment"] = new Dictionary<string, object?>
            {
                ["latency_samples"] = _data.Latency?.Manual ?? _data.Latency?.Calibration?.Recommended,
                ["safety_margin_samples"] = _data.Latency?.Calibration?.SafetyFactor,
                ["manual"] = _data.Latency?.Manual is not null,
            },
            ["added_delay_samples"] = delay?.AddedDelay,
            ["added_delay_confidence_db"] = delay?.ConfidenceDb,
            ["model_onset_samples"] = delay?.ModelOnset,
            ["target_onset_samples"] = delay?.TargetOnset,
            ["top_k"] = state
                .TopK.Select(r => new
                {
                    epoch = r.Epoch + 1,
                    validation_esr = r.ValidationEsr,
                    file = r.FileName,
                })
                .ToArray(),
        };
        AtomicFile.WriteAllText(
            _run.SummaryJson,
            JsonSerializer.Serialize(
                summary,
                new JsonSerializerOptions
                {
                    WriteIndented = true,
                    NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
                }
            )
        );
        return new AmpTrainingResult
        {
            RunDirectory = _run.Path,
            ValidationEsr = state.BestValidationEsr,
            BestEpoch = state.BestEpoch + 1,
            Epochs = state.Epoch + 1,
            ElapsedSeconds = state.ElapsedSeconds,
            ModelPath = modelPath,
            StopReason = stopReason,
            AddedDelay = delay,
        };
    }

    /// <summary>
    /// The best model as exported (the .nam through our engine, as a player would run it) over the
    /// validation range, against the target: the delay the model learned to add.
    /// </summary>
    private ModelDelay? MeasureAddedDelay(string modelPath)
    {
        var range = _data.Validation;
        var nam = NamFile.Load(modelPath);
        // The input Predict reads: a WaveNet's receptive field (plus a resampler's margin) before the range, an LSTM's
        // whole prefix (its state runs from the start); reading only that keeps a spilled recording on disk.
        var margin = nam.Config is WaveNetConfig ? nam.ReceptiveField - 1 + (_data.SampleRate / 10) : range.Start;
        var from = Math.Max(0, range.Start - margin);
        var to = Math.Min(_data.Signals.Length, range.End + (_data.SampleRate / 10));
        var prediction = AmpEvaluation.Predict(
            nam,
            _data.Signals.Input(from, to - from),
            _data.SampleRate,
            range.ShiftClamped(-from, to - from)
        );
        return ModelDelay.Measure(
            _data.Signals.Input(range.Start, range.Length),
            _data.Signals.Output(range.Start, range.Length),
            prediction
        );
    }
}
