using System.Diagnostics;
using System.Globalization;
using Nsmt.Core;
using Nsmt.Neural.Engine;
using Nsmt.Neural.IO;
using Nsmt.Neural.Optimization;
using Nsmt.Runs;
using static TorchSharp.torch;

namespace Nsmt.Neural.Training;

/// <summary>What a finished <see cref="TrainingLoop"/> run reports.</summary>
public sealed record TrainingOutcome
{
    public required RunDirectory Run { get; init; }

    public required TrainingState State { get; init; }

    public required TrainingDevice Device { get; init; }

    public required string StopReason { get; init; }

    /// <summary>Whether early stopping ended the run before its last epoch.</summary>
    public required bool StoppedEarly { get; init; }

    /// <summary>Epochs this session ran (a resumed run's earlier ones not counted).</summary>
    public required int EpochsRun { get; init; }

    public required double TrainSamplesPerSecond { get; init; }

    public required double SecondsPerEpoch { get; init; }
}

/// <summary>
/// The training loop both domains run on (Lightning's Trainer; the domain is its <see cref="ITrainingDomain"/>): epochs
/// of steps, an exponential moving average of the weights (validated, checkpointed and exported in place of the live
/// weights, its BatchNorm statistics recomputed as SWA does), validation after every epoch, best/top-k/last checkpoints
/// in one layout (<see cref="TrainingCheckpoint"/>), early stopping, a wall-clock budget, metrics.csv, TensorBoard and
/// console progress, exact resume, and summary.json (<see cref="TrainingSummary"/>) with timing.json.
/// </summary>
/// <remarks>
/// A divergence (a non-finite step loss, or a non-finite loss or monitor after validation) saves nothing of its epoch and
/// fails the run (<see cref="NsmtCheckFailedException"/>) after summary.json says so; cancelling stops at the next step
/// boundary and saves nothing of the unfinished epoch (<see cref="OperationCanceledException"/>), so a resume repeats it.
/// </remarks>
public sealed class TrainingLoop(LoopSettings settings, ProgressReporter? progress = null)
{
    private readonly ProgressReporter _progress = progress ?? ProgressReporter.Silent;

    /// <param name="resume">the checkpoint to continue from (its owner disposes it), or null for a new run</param>
    public TrainingOutcome Run(
        ITrainingDomain domain,
        RunDirectory run,
        TrainingDevice device,
        TrainingCheckpoint? resume = null,
        CancellationToken cancellation = default
    )
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(device);
        var model = domain.Model;
        var csv = new MetricsCsvLogger(run.MetricsCsv);
        var state = new TrainingState();
        WeightAverage? average = null;
        if (resume is not null)
        {
            // Training continues from the live weights; the average from the validated ones.
            StateDicts.RequireFit(model.state_dict(), resume.Live, resume.Path);
            StateDicts.Load(model, resume.Live, strict: true, origin: resume.Path);
            average = Averaging(model);
            if (average is not null && resume.HasLive)
            {
                average.Load(resume.Model, resume.Path);
            }

            resume.LoadOptimizerState(domain.Optimizer);
            domain.LoadSchedulerState(resume.State.Scheduler);
            resume.RestoreRng();
            state = resume.State;
            if (File.Exists(run.MetricsCsv))
            {
                csv.Restore(MetricsCsvLogger.Read(run.MetricsCsv), state.EpochsCompleted);
            }

            _progress.Message(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"resumed from {resume.Path} after epoch {state.EpochsCompleted} (step {state.GlobalStep})"
                )
            );
        }
        else
        {
            average = Averaging(model);
        }

        using var averageScope = average;
        // On resume too: overrides given then (more epochs, a new budget) become part of the run's config.
        AtomicFile.WriteAllText(run.ConfigFile, domain.ConfigYaml);
        _progress.Message($"device: {device.Name} ({device.Reason}); precision: {device.Precision.Text}");
        using var tensorBoard = settings.TensorBoard ? new TensorBoardWriter(run.TensorBoard) : null;
        var session = new Session(settings, domain, run, device, average, csv, tensorBoard, _progress, state);
        var outcome = session.Train(cancellation);
        if (domain.Hyperparameters() is { } hyperparameters)
        {
            tensorBoard?.AddHyperparameters(hyperparameters.Values, hyperparameters.Metrics);
        }

        return outcome;
    }

    private WeightAverage? Averaging(nn.Module model) =>
        settings.AverageDecay > 0 ? new WeightAverage(model, settings.AverageDecay) : null;

    /// <summary>One session of a run: the epochs from where the state stands.</summary>
    private sealed class Session(
        LoopSettings settings,
        ITrainingDomain domain,
        RunDirectory run,
        TrainingDevice device,
        WeightAverage? average,
        MetricsCsvLogger csv,
        TensorBoardWriter? tensorBoard,
        ProgressReporter progress,
        TrainingState state
    )
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly double _elapsedBefore = state.ElapsedSeconds;
        private readonly TimeBudget _budget = new(settings.MaxSeconds);
        private TrainingState _state = state;
        private long _samplesTrained;
        private double _trainingSeconds;
        private int _epochsRun;
        private double _peakResidentMegabytes;
        private double? _residentAfterFirstEpoch;

        private double Elapsed => _elapsedBefore + _clock.Elapsed.TotalSeconds;

        // Checked between steps too: one epoch of a long recording can outlast the whole budget.
        private bool OutOfTime => _budget.Enabled && Elapsed >= _budget.Seconds;

        public TrainingOutcome Train(CancellationToken cancellation)
        {
            var stopReason = "completed all epochs";
            var stoppedEarly = false;
            for (var epoch = _state.EpochsCompleted; epoch < settings.MaxEpochs; epoch++)
            {
                cancellation.ThrowIfCancellationRequested();
                var epochClock = Stopwatch.StartNew();
                var learningRate = domain.Optimizer.ParamGroups.First().LearningRate;
                var (steps, stepsDone, samples, divergence) = TrainEpoch(epoch, cancellation);
                // Nothing of an interrupted epoch is saved: a resume repeats it from the last checkpoint.
                cancellation.ThrowIfCancellationRequested();
                var trainSeconds = epochClock.Elapsed.TotalSeconds;
                if (divergence is not null)
                {
                    Fail(divergence);
                }

                var metrics = domain.EndTrainEpoch(stepsDone);
                metrics["lr"] = learningRate;
                var validated = Validate(metrics);
                try
                {
                    if (Diverged(metrics, epoch) is { } diverged)
                    {
                        Fail(diverged);
                    }

                    EndEpoch(epoch, metrics, trainSeconds, validated);
                }
                finally
                {
                    foreach (var t in validated?.Values.AsEnumerable() ?? [])
                    {
                        t.Dispose();
                    }
                }

                progress.EpochCompleted(
                    epoch,
                    metrics,
                    samples * domain.UnitsPerSample / Math.Max(trainSeconds, 1e-9),
                    epochClock.Elapsed
                );
                _samplesTrained += samples;
                _trainingSeconds += trainSeconds;
                _epochsRun++;
                if (stepsDone < steps)
                {
                    // Validated, ranked and checkpointed like a whole epoch (nothing trained is lost); a resume starts the next.
                    stopReason = string.Create(
                        CultureInfo.InvariantCulture,
                        $"time budget of {settings.MaxSeconds:0.#} s reached after {stepsDone} of {steps} steps of epoch {epoch + 1}; the model so far is validated and saved"
                    );
                    break;
                }

                if (StopRule(epoch, epochClock.Elapsed.TotalSeconds) is { } reason)
                {
                    stopReason = reason.Text;
                    stoppedEarly = reason.Early;
                    break;
                }
            }

            if (domain.Verdict(_state) is { } verdict)
            {
                Fail(verdict);
            }

            return Finish(stopReason, stoppedEarly);
        }

        /// <summary>The epoch's steps; it ends early when cancelled, out of time (after its first step) or diverged.</summary>
        private (int Steps, int StepsDone, long Samples, string? Divergence) TrainEpoch(
            int epoch,
            CancellationToken cancellation
        )
        {
            var steps = domain.BeginEpoch(epoch);
            progress.EpochStarted(epoch, settings.MaxEpochs, steps);
            var clock = Stopwatch.StartNew();
            var stepsDone = 0;
            long samples = 0;
            for (var step = 0; step < steps; step++)
            {
                if (cancellation.IsCancellationRequested || (step > 0 && OutOfTime))
                {
                    break;
                }

                StepResult result;
                using (NewDisposeScope())
                {
                    result = domain.TrainStep(step);
                    average?.Update();
                    domain.AfterStep();
                }

                stepsDone++;
                samples += result.Samples;
                _state = _state with { GlobalStep = _state.GlobalStep + 1 };
                if (!double.IsFinite(result.Loss))
                {
                    return (steps, stepsDone, samples, $"the training loss became {result.Loss} in epoch {epoch + 1}");
                }

                if (
                    tensorBoard is not null
                    && settings.LogEveryNSteps > 0
                    && _state.GlobalStep % settings.LogEveryNSteps == 0
                )
                {
                    tensorBoard.AddScalar("train/loss_step", result.Loss, _state.GlobalStep);
                }

                progress.StepCompleted(
                    step,
                    result.Loss,
                    samples * domain.UnitsPerSample / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)
                );
            }

            return (steps, stepsDone, samples, null);
        }

        /// <summary>
        /// Validates the model (the averaged one, its BatchNorm statistics recomputed, where the run averages) and adds
        /// the metrics; returns the validated state to checkpoint when it is not the model's own (the caller disposes it).
        /// </summary>
        private Dictionary<string, Tensor>? Validate(Dictionary<string, double> metrics)
        {
            Dictionary<string, Tensor>? validated = null;
            Dictionary<string, double> validation;
            using (average?.Apply())
            {
                if (average is not null)
                {
                    domain.RecomputeBatchNorm();
                }

                validation = domain.Validate();
                if (average is not null)
                {
                    validated = domain
                        .Model.state_dict()
                        .ToDictionary(e => e.Key, e => e.Value.detach().clone().DetachFromDisposeScope());
                }
            }

            foreach (var (key, value) in validation)
            {
                metrics[key] = value;
            }

            return validated;
        }

        /// <summary>A lost model: a non-finite loss or monitored value (NaN is never a candidate for a checkpoint).</summary>
        private string? Diverged(IReadOnlyDictionary<string, double> metrics, int epoch)
        {
            foreach (var key in new[] { "train/loss", "val/loss", settings.Checkpoint.Metric })
            {
                if (metrics.TryGetValue(key, out var value) && !double.IsFinite(value))
                {
                    return $"{key} became {value} in epoch {epoch + 1}";
                }
            }

            return null;
        }

        private void EndEpoch(
            int epoch,
            Dictionary<string, double> metrics,
            double trainSeconds,
            IReadOnlyDictionary<string, Tensor>? validated
        )
        {
            if (settings.LogTimes)
            {
                // The optimisation steps alone (validation and checkpoints excluded): what bench/amp-train compares.
                metrics["train_seconds"] = trainSeconds;
                // Wall clock of the whole run so far (all sessions), validation and checkpoints included.
                metrics["elapsed_seconds"] = Elapsed;
            }

            var bests = settings.TrackBests ? UpdateBests(_state.MetricBests, metrics) : _state.MetricBests;
            foreach (var (k, v) in bests)
            {
                metrics[k] = v;
            }

            domain.AfterEpoch(metrics);
            var monitor = settings.Checkpoint;
            var value = monitor.Read(metrics);
            var improved = monitor.Improves(value, _state.BestValue);
            var (stopBest, wait) = (_state.EarlyStoppingBest, _state.EarlyStoppingWait);
            if (settings.EarlyStopping is { } rule)
            {
                var stopValue = rule.Monitor.Read(metrics);
                (stopBest, wait) = rule.Monitor.Improves(stopValue, stopBest) ? (stopValue, 0) : (stopBest, wait + 1);
            }

            var (ranked, newFile, evicted) = Rank(epoch, value);
            _state = _state with
            {
                EpochsCompleted = epoch + 1,
                ElapsedSeconds = settings.RecordsWallClock ? Elapsed : 0,
                BestValue = improved ? value : _state.BestValue,
                BestEpoch = improved ? epoch : _state.BestEpoch,
                EarlyStoppingBest = stopBest,
                EarlyStoppingWait = wait,
                TopK = ranked,
                MetricBests = bests,
                Scheduler = domain.SchedulerState(),
                Metrics = new Dictionary<string, double>(metrics),
            };
            SaveCheckpoints(improved, newFile, validated);
            foreach (var file in evicted)
            {
                var path = Path.Combine(run.Checkpoints, file);
                TryDelete(path);
                domain.OnCheckpointRemoved(path);
            }

            Log(epoch, metrics);
        }

        /// <summary>The ranking with this epoch entered (when it makes the top k), its file and the files to delete.</summary>
        private (List<RankedCheckpoint> Ranked, string? NewFile, List<string> Evicted) Rank(int epoch, double value)
        {
            var monitor = settings.Checkpoint;
            var ranked = _state.TopK.ToList();
            var k = settings.TopK;
            string? newFile = null;
            if (k > 0 && (ranked.Count < k || monitor.Compare(value, ranked[^1].Value) < 0))
            {
                newFile = settings.TopKFileName?.Invoke(epoch, value) ?? $"epoch={epoch + 1:0000}.ckpt";
                ranked.Add(new RankedCheckpoint(epoch, value, newFile));
                ranked.Sort(
                    (a, b) => monitor.Compare(a.Value, b.Value) is var c and not 0 ? c : a.Epoch.CompareTo(b.Epoch)
                );
            }

            var kept = ranked.Take(Math.Max(k, 0)).ToList();
            var evicted = ranked
                .Skip(Math.Max(k, 0))
                .Select(r => r.FileName)
                .Where(f => kept.All(r => r.FileName != f))
                .ToList();
            return (kept, newFile is not null && kept.Any(r => r.FileName == newFile) ? newFile : null, evicted);
        }

        /// <summary>
        /// best.ckpt (when the monitor improved), the new top-k file, then last.ckpt, each with the domain's exports
        /// beside it; evicted files are deleted after, so an interruption at any point leaves a consistent set.
        /// </summary>
        private void SaveCheckpoints(bool improved, string? newFile, IReadOnlyDictionary<string, Tensor>? validated)
        {
            var files = new List<string>();
            if (settings.SaveBest && improved)
            {
                files.Add(run.BestCheckpoint);
            }

            if (newFile is not null)
            {
                files.Add(Path.Combine(run.Checkpoints, newFile));
            }

            if (settings.SaveLast)
            {
                files.Add(run.LastCheckpoint);
            }

            if (files.Count == 0 && !improved)
            {
                return;
            }

            using var scope = NewDisposeScope();
            domain.PrepareState();
            var model = domain.Model;
            // With averaging the live weights are kept apart, and the validated ones go into the model while it is
            // written and exported.
            var live = validated is null
                ? null
                : model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());
            using (validated is null ? null : new StateSwap(model, validated, live!))
            {
                if (validated is not null)
                {
                    domain.PrepareState();
                }

                var weights = model.state_dict();
                var metadata = domain.CheckpointMetadata();
                foreach (var file in files)
                {
                    TrainingCheckpoint.Save(
                        file,
                        domain.Name,
                        weights,
                        live,
                        domain.Optimizer,
                        _state,
                        domain.ConfigYaml,
                        metadata
                    );
                    domain.OnCheckpointWritten(file, _state);
                }

                if (improved)
                {
                    domain.OnImproved(_state);
                }
            }
        }

        private void Log(int epoch, Dictionary<string, double> metrics)
        {
            if (settings.Csv)
            {
                // Lightning's step of an epoch's row: the last step trained.
                csv.Log(metrics, epoch, _state.GlobalStep - 1);
            }

            var residentMegabytes = ResidentMegabytes();
            _peakResidentMegabytes = Math.Max(_peakResidentMegabytes, residentMegabytes);
            _residentAfterFirstEpoch ??= residentMegabytes;
            if (tensorBoard is null)
            {
                return;
            }

            foreach (var (k, v) in metrics)
            {
                tensorBoard.AddScalar(
                    k == "train/loss" && settings.LogEveryNSteps > 0 ? "train/loss_epoch" : k,
                    v,
                    _state.GlobalStep
                );
            }

            tensorBoard.AddScalar("sys/rss_mb", residentMegabytes, _state.GlobalStep);
            tensorBoard.Flush();
        }

        /// <summary>Early stopping, then the time budget: why the run stops after this epoch, or null to go on.</summary>
        private (string Text, bool Early)? StopRule(int epoch, double epochSeconds)
        {
            if (
                settings.EarlyStopping is { } rule
                && _state.EarlyStoppingWait >= rule.Patience
                && epoch + 1 >= settings.MinEpochs
                && epoch + 1 < settings.MaxEpochs
            )
            {
                var text = string.Create(
                    CultureInfo.InvariantCulture,
                    $"early stopping: {rule.Monitor.Metric} did not improve for {_state.EarlyStoppingWait} epochs (best {_state.EarlyStoppingBest:0.#####})"
                );
                progress.Message(text);
                return (text, true);
            }

            if (!_budget.Enabled || epoch + 1 >= settings.MaxEpochs)
            {
                return null;
            }

            progress.Message(_budget.Describe(epoch + 1, _state.ElapsedSeconds, epochSeconds, settings.MaxEpochs));
            return _budget.NextEpochFits(_state.ElapsedSeconds, epochSeconds)
                ? null
                : (
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"time budget of {settings.MaxSeconds:0.#} s: another epoch of about {epochSeconds:0.#} s would end past it"
                    ),
                    false
                );
        }

        /// <summary>Records the failure in summary.json (the checkpoints keep the last good epoch) and fails the stage.</summary>
        private void Fail(string what)
        {
            var message = $"training failed: {what} (diverged; {domain.DivergenceHint})";
            progress.Message(message);
            Finish(message, stoppedEarly: false);
            throw new NsmtCheckFailedException($"{message}; {run.Path} keeps the last good checkpoint");
        }

        private TrainingOutcome Finish(string stopReason, bool stoppedEarly)
        {
            var outcome = new TrainingOutcome
            {
                Run = run,
                State = _state,
                Device = device,
                StopReason = stopReason,
                StoppedEarly = stoppedEarly,
                EpochsRun = _epochsRun,
                TrainSamplesPerSecond = _samplesTrained / Math.Max(_trainingSeconds, 1e-9),
                SecondsPerEpoch = _epochsRun == 0 ? 0 : _trainingSeconds / _epochsRun,
            };
            TrainingSummary.Write(outcome, settings, domain, _residentAfterFirstEpoch, _peakResidentMegabytes);
            return outcome;
        }

        /// <summary>val/x_best for every validation metric: highest accuracy, lowest loss and anything else.</summary>
        private static Dictionary<string, double> UpdateBests(
            IReadOnlyDictionary<string, double> previous,
            IReadOnlyDictionary<string, double> metrics
        )
        {
            var bests = new Dictionary<string, double>(previous);
            foreach (
                var (name, value) in metrics.Where(m =>
                    m.Key.StartsWith("val/", StringComparison.Ordinal)
                    && !m.Key.EndsWith("_best", StringComparison.Ordinal)
                )
            )
            {
                var higherIsBetter = name.EndsWith("acc", StringComparison.Ordinal);
                var key = name + "_best";
                if (!bests.TryGetValue(key, out var best) || (higherIsBetter ? value > best : value < best))
                {
                    bests[key] = value;
                }
            }

            return bests;
        }

        // Resident memory after each epoch, logged so a run shows whether memory stays flat.
        private static double ResidentMegabytes()
        {
            using var self = Process.GetCurrentProcess();
            return Math.Round(self.WorkingSet64 / (1024.0 * 1024.0), 1);
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // A leftover file costs disk space only; the ranking in the checkpoint is what counts.
            }
        }
    }

    /// <summary>
    /// Puts a saved state into a model until disposed, then puts <paramref name="own"/> back: the model's own state,
    /// which the caller copied (and keeps) before.
    /// </summary>
    private sealed class StateSwap : IDisposable
    {
        private readonly Dictionary<string, Tensor> _current;
        private readonly IReadOnlyDictionary<string, Tensor> _own;

        public StateSwap(
            nn.Module model,
            IReadOnlyDictionary<string, Tensor> state,
            IReadOnlyDictionary<string, Tensor> own
        )
        {
            using var noGrad = no_grad();
            _current = model.state_dict();
            _own = own;
            foreach (var (name, t) in _current)
            {
                t.copy_(state[name]);
            }
        }

        public void Dispose()
        {
            using var noGrad = no_grad();
            foreach (var (name, t) in _current)
            {
                t.copy_(_own[name]);
            }
        }
    }
}
