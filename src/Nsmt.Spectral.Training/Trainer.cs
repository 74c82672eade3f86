using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nsmt.Config;
using Nsmt.Core;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Optimization;
using Nsmt.Runs;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training.Config;
using Nsmt.Spectral.Training.Data;
using Nsmt.Spectral.Training.Losses;
using Nsmt.Spectral.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training;

/// <summary>What a finished <see cref="Trainer.Fit"/> reports.</summary>
public sealed record TrainResult(
    string RunDirectory,
    int EpochsCompleted,
    bool StoppedEarly,
    IReadOnlyDictionary<string, double> FinalMetrics,
    IReadOnlyDictionary<string, double> Bests,
    string? BestCheckpoint,
    string? LastCheckpoint,
    double TrainSamplesPerSecond,
    double SecondsPerEpoch,
    long Parameters
);

/// <summary>
/// A small Lightning-like loop: seeded shuffling, per-head losses, gradient clipping, optimiser and scheduler from
/// the config, validation on the dataset's test split each epoch, early stopping, best/last checkpoints with exact
/// resume, and metrics to CSV, TensorBoard and the console.
/// </summary>
public sealed class Trainer(TrainConfig config, ProgressReporter? progress = null)
{
    private readonly ProgressReporter _progress = progress ?? ProgressReporter.Silent;

    public TrainConfig Config { get; } = config;

    private static string? Diverged(Dictionary<string, double> metrics) =>
        new[] { "train/loss", "val/loss" }.FirstOrDefault(k =>
            metrics.TryGetValue(k, out var v) && !double.IsFinite(v)
        );

    public TrainResult Fit(
        VimhDataset dataset,
        RunDirectory run,
        string? resumeFrom = null,
        CancellationToken cancellation = default
    )
    {
        var datasetJson = File.ReadAllText(Path.Combine(dataset.Directory, VimhFormat.InfoFileName));
        // An empty split would "train" to a loss of 0 or validate on nothing, and the run would look like a success.
        foreach (var (split, name) in new[] { (dataset.Train, "train"), (dataset.Test, "test") })
        {
            if (split.Count == 0)
            {
                throw new VimhDataException(
                    $"{split.Path}: the {name} split has no records (expected at least 1; the dataset has {dataset.Train.Count} train and {dataset.Test.Count} test records)"
                );
            }
        }
        // Threads, the engine self-check (CPU and the chosen device), the device and deterministic algorithms.
        var device = TrainingEngine.Prepare(Config.Trainer.Engine);
        _progress.Message($"device: {device.Name} ({device.Reason})");
        manual_seed(Config.Seed);

        var heads = DatasetHeads.From(dataset.Heads);
        var shape = new InputShape(dataset.Info.Channels, dataset.Info.Height, dataset.Info.Width);
        var auxiliaryFeatures = Config.Data.AuxiliaryFeatures;
        using var model = ModelFactory.Create(
            Config.Model.Network,
            heads,
            shape,
            Config.Model.HeadKind,
            auxiliaryFeatures.Count
        );
        // Model, optimiser state (built below from the moved parameters), batches and losses live on the device; only
        // logged values come back to the CPU.
        model.to(device.Device);
        var objectives = HeadObjectives.Create(Config.Model, heads);
        using var train = DatasetTensors.FromSplit(dataset.Train, dataset.Info, auxiliaryFeatures).On(device.Device);
        using var validation = DatasetTensors
            .FromSplit(dataset.Test, dataset.Info, auxiliaryFeatures)
            .On(device.Device);
        if (train.Auxiliary is not null)
        {
            // From the training split (a resumed run loads the same values back with the weights).
            var (mean, std) = train.AuxiliaryStatistics();
            using (mean)
            using (std)
            {
                model.SetAuxiliaryScaling(mean, std);
            }
        }
        var batchSize = Config.Data.BatchSize;
        var stepsPerEpoch = train.BatchCount(batchSize, Config.Trainer.LimitTrainBatches);
        using var optimizer = OptimizerFactory.Create(Config.Model.Optimizer, model.parameters());
        var schedule = new TrainingSchedule(Config.Model.Scheduler, optimizer, Config.Trainer.MaxEpochs, stepsPerEpoch);

        var state = new TrainerState();
        var csv = new MetricsCsvLogger(run.MetricsCsv);
        WeightAverage? average = null;
        if (resumeFrom is not null)
        {
            using var checkpoint = Checkpoint.Load(resumeFrom);
            // A run with weight averaging stores the averaged model as model.* (what evaluation reads) and the
            // live weights as live.*; training continues from the live ones.
            var live = checkpoint.Prefixed(Checkpoint.LivePrefix);
            model.load_state_dict(live.Count > 0 ? live : checkpoint.Prefixed("model."), strict: true);
            if (Config.WeightAveraging.Enabled)
            {
                average = new WeightAverage(model, Config.WeightAveraging.Decay);
                if (live.Count > 0)
                {
                    average.Load(checkpoint.Prefixed("model."), checkpoint.Path);
                }
            }
            checkpoint.LoadOptimizerState(optimizer);
            schedule.LoadStateDict(checkpoint.State.Scheduler);
            set_rng_state(checkpoint.RngState);
            state = checkpoint.State;
            if (File.Exists(run.MetricsCsv))
            {
                csv.Restore(MetricsCsvLogger.Read(run.MetricsCsv), state.EpochsCompleted);
            }

            _progress.Message($"resumed from {checkpoint}");
        }
        else if (Config.WeightAveraging.Enabled)
        {
            average = new WeightAverage(model, Config.WeightAveraging.Decay);
        }
        using var averageScope = average;

        AtomicFile.WriteAllText(run.ConfigFile, Config.ResolvedYaml);
        using var tensorboard = Config.Logger.TensorBoard ? new TensorBoardWriter(run.TensorBoard) : null;
        var includeMae = Config.Model.Mode == OutputMode.Regression;
        var trainedSamples = 0L;
        var trainingSeconds = 0.0;
        var epochsRun = 0;
        var stoppedEarly = false;
        var metrics = new Dictionary<string, double>(state.Metrics);
        var peakResidentMegabytes = 0.0;
        double? residentAfterFirstEpoch = null;

        for (var epoch = state.EpochsCompleted; epoch < Config.Trainer.MaxEpochs; epoch++)
        {
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var learningRate = optimizer.ParamGroups.First().LearningRate;
            var (trainLoss, trainAccuracy, samples, globalStep) = TrainEpoch(
                model,
                objectives,
                optimizer,
                schedule,
                average,
                train,
                stepsPerEpoch,
                epoch,
                state.GlobalStep,
                tensorboard,
                cancellation
            );
            var trainSeconds = clock.Elapsed.TotalSeconds;
            SplitResult val;
            // With weight averaging: the averaged network, its BatchNorm statistics recomputed from the training split
            // (SWA's update_bn), is what is validated and what the checkpoints hold (averaged below).
            Dictionary<string, Tensor>? averaged = null;
            using (average?.Apply())
            {
                if (average is not null)
                {
                    WeightAverage.RecomputeBatchNorm(model, TrainInputs(train, batchSize), inputs =>
                        inputs.Through(model)
                    );
                    averaged = model
                        .state_dict()
                        .ToDictionary(e => e.Key, e => e.Value.detach().clone().DetachFromDisposeScope());
                }
                val = SplitEvaluation.Run(model, objectives, validation, batchSize, Config.Trainer.LimitValBatches);
            }

            metrics = new Dictionary<string, double> { ["train/loss"] = trainLoss, ["lr"] = learningRate };
            for (var h = 0; h < objectives.Count; h++)
            {
                metrics[$"train/{objectives[h].Head.Name}_acc"] = trainAccuracy[h];
            }

            foreach (var (k, v) in val.Metrics("val", includeMae))
            {
                metrics[k] = v;
            }
            // A NaN or infinite loss is a lost model: nothing of this epoch is saved and the stage fails here, not at the
            // next stage that reads a checkpoint.
            if (Diverged(metrics) is { } diverged)
            {
                var message =
                    $"training failed: {diverged} became {metrics[diverged]} in epoch {epoch + 1} "
                    + "(diverged; try a lower model.optimizer.lr or a trainer.gradient_clip_val)";
                _progress.Message(message);
                throw new NsmtCheckFailedException($"{message}; {run.Path} keeps the last good checkpoint");
            }
            var bests = UpdateBests(state.MetricBests, metrics);
            foreach (var (k, v) in bests)
            {
                metrics[k] = v;
            }

            schedule.AfterEpoch(metrics);
            var (bestValue, bestEpoch, improved) = Improve(
                Config.Checkpoint.Monitor,
                Config.Checkpoint.Mode,
                0,
                state.BestMonitorValue,
                state.BestEpoch,
                epoch,
                metrics
            );
            var (stopBest, _, stopImproved) = Improve(
                Config.EarlyStopping.Monitor,
                Config.EarlyStopping.Mode,
                Config.EarlyStopping.MinDelta,
                state.EarlyStoppingBest,
                0,
                epoch,
                metrics
            );
            var wait = stopImproved ? 0 : state.EarlyStoppingWait + 1;
            state = state with
            {
                EpochsCompleted = epoch + 1,
                GlobalStep = globalStep,
                BestMonitorValue = bestValue,
                BestEpoch = bestEpoch,
                EarlyStoppingBest = stopBest,
                EarlyStoppingWait = wait,
                MetricBests = bests,
                Scheduler = schedule.StateDict(),
                Metrics = metrics,
            };
            if (improved)
            {
                SaveCheckpoint(run.BestCheckpoint, datasetJson, state, model, optimizer, averaged);
            }

            if (Config.Checkpoint.SaveLast)
            {
                SaveCheckpoint(run.LastCheckpoint, datasetJson, state, model, optimizer, averaged);
            }

            foreach (var t in averaged?.Values.AsEnumerable() ?? [])
            {
                t.Dispose();
            }

            if (Config.Logger.Csv)
            {
                csv.Log(metrics, epoch, globalStep - 1);
            }

            var residentMegabytes = ResidentMegabytes();
            peakResidentMegabytes = Math.Max(peakResidentMegabytes, residentMegabytes);
            residentAfterFirstEpoch ??= residentMegabytes;
            if (tensorboard is not null)
            {
                foreach (var (k, v) in metrics)
                {
                    tensorboard.AddScalar(k == "train/loss" ? "train/loss_epoch" : k, v, globalStep);
                }

                tensorboard.AddScalar("sys/rss_mb", residentMegabytes, globalStep);
                tensorboard.Flush();
            }
            _progress.EpochCompleted(epoch, metrics, samples / Math.Max(trainSeconds, 1e-9), clock.Elapsed);
            trainedSamples += samples;
            trainingSeconds += trainSeconds;
            epochsRun++;

            if (
                Config.EarlyStopping.Enabled
                && wait >= Config.EarlyStopping.Patience
                && epoch + 1 >= Config.Trainer.MinEpochs
            )
            {
                stoppedEarly = epoch + 1 < Config.Trainer.MaxEpochs;
                if (stoppedEarly)
                {
                    _progress.Message(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"early stopping: {Config.EarlyStopping.Monitor} did not improve for {wait} epochs (best {stopBest:0.####})"
                        )
                    );
                }
                break;
            }
        }

        tensorboard?.AddHyperparameters(Hyperparameters(model), ["val/acc", "val/loss", "val/acc_best"]);
        var result = new TrainResult(
            run.Path,
            state.EpochsCompleted,
            stoppedEarly,
            metrics,
            state.MetricBests,
            File.Exists(run.BestCheckpoint) ? run.BestCheckpoint : null,
            File.Exists(run.LastCheckpoint) ? run.LastCheckpoint : null,
            trainedSamples / Math.Max(trainingSeconds, 1e-9),
            epochsRun == 0 ? 0 : trainingSeconds / epochsRun,
            model.NumberOfParameters()
        );
        // summary.json is reproducible (same config + seed => same bytes); what varies run to run goes to timing.json.
        AtomicFile.WriteAllText(
            run.TimingJson,
            JsonSerializer.Serialize(
                new
                {
                    train_samples_per_second = Math.Round(result.TrainSamplesPerSecond, 1),
                    seconds_per_epoch = Math.Round(result.SecondsPerEpoch, 3),
                    resident_mb_after_first_epoch = residentAfterFirstEpoch,
                    resident_mb_peak = peakResidentMegabytes,
                    threads = get_num_threads(),
                },
                new JsonSerializerOptions { WriteIndented = true }
            )
        );
        AtomicFile.WriteAllText(
            run.SummaryJson,
            JsonSerializer.Serialize(
                new
                {
                    task_name = Config.TaskName,
                    epochs = result.EpochsCompleted,
                    stopped_early = result.StoppedEarly,
                    parameters = result.Parameters,
                    device = device.Record(),
                    best_epoch = state.BestEpoch,
                    metrics = result.FinalMetrics.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(),
                    bests = result.Bests.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(),
                },
                new JsonSerializerOptions { WriteIndented = true }
            )
        );
        return result;
    }

    /// <summary>With weight averaging the checkpoint's model is the averaged state (what evaluation reads), plus the live weights for resume.</summary>
    private void SaveCheckpoint(
        string path,
        string datasetJson,
        TrainerState state,
        MultiheadNetwork model,
        optim.Optimizer optimizer,
        IReadOnlyDictionary<string, Tensor>? averaged
    )
    {
        if (averaged is null)
        {
            Checkpoint.Save(path, Config, datasetJson, state, model, optimizer);
            return;
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var current = model.state_dict();
        var live = current.ToDictionary(e => e.Key, e => e.Value.detach().clone());
        try
        {
            foreach (var (name, t) in current)
            {
                t.copy_(averaged[name]);
            }

            Checkpoint.Save(path, Config, datasetJson, state, model, optimizer, live);
        }
        finally
        {
            foreach (var (name, t) in current)
            {
                t.copy_(live[name]);
            }
        }
    }

    /// <summary>The training split's inputs in order, one batch at a time (for re-estimating BatchNorm statistics).</summary>
    private static IEnumerable<ModelInputs> TrainInputs(DatasetTensors train, int batchSize)
    {
        for (var start = 0; start < train.Count; start += batchSize)
        {
            var (inputs, labels) = train.Batch(null, start, Math.Min(batchSize, train.Count - start));
            labels.Dispose();
            yield return inputs;
        }
    }

    private (double Loss, double[] Accuracy, long Samples, long GlobalStep) TrainEpoch(
        MultiheadNetwork model,
        IReadOnlyList<HeadObjective> objectives,
        optim.Optimizer optimizer,
        TrainingSchedule schedule,
        WeightAverage? average,
        DatasetTensors train,
        int steps,
        int epoch,
        long globalStep,
        TensorBoardWriter? tensorboard,
        CancellationToken cancellation
    )
    {
        model.train();
        _progress.EpochStarted(epoch, Config.Trainer.MaxEpochs, steps);
        var batchSize = Config.Data.BatchSize;
        using var order = randperm(train.Count);
        double lossSum = 0;
        var correct = new long[objectives.Count];
        long samples = 0;
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var start = step * batchSize;
            var length = Math.Min(batchSize, train.Count - start);
            var (inputs, labels) = train.Batch(order, start, length);
            var outputs = inputs.Through(model);
            var loss = SplitEvaluation.TotalLoss(objectives, outputs, labels);
            optimizer.zero_grad();
            loss.backward();
            ClipGradients(model);
            optimizer.step();
            average?.Update();
            schedule.AfterStep();

            var lossValue = loss.item<float>();
            lossSum += lossValue * length;
            using (no_grad())
            {
                for (var h = 0; h < objectives.Count; h++)
                {
                    var predicted = objectives[h].Loss.PredictClasses(outputs[objectives[h].Head.Name]);
                    correct[h] += predicted.eq(labels.select(1, h)).sum().item<long>();
                }
            }
            samples += length;
            globalStep++;
            if (tensorboard is not null && globalStep % Config.Trainer.LogEveryNSteps == 0)
            {
                tensorboard.AddScalar("train/loss_step", lossValue, globalStep);
            }

            _progress.StepCompleted(step, lossValue, samples / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
        }
        return (
            samples == 0 ? 0 : lossSum / samples,
            [.. correct.Select(c => samples == 0 ? 0 : c / (double)samples)],
            samples,
            globalStep
        );
    }

    // Resident memory after each epoch, logged so a run shows whether memory stays flat.
    private static double ResidentMegabytes()
    {
        using var self = Process.GetCurrentProcess();
        return Math.Round(self.WorkingSet64 / (1024.0 * 1024.0), 1);
    }

    private void ClipGradients(nn.Module model)
    {
        var clip = Config.Trainer.GradientClipValue;
        if (clip <= 0)
        {
            return;
        }

        if (Config.Trainer.GradientClipAlgorithm == "value")
        {
            nn.utils.clip_grad_value_(model.parameters(), clip);
        }
        else
        {
            nn.utils.clip_grad_norm_(model.parameters(), clip);
        }
    }

    /// <summary>val/acc_best and per-head bests: highest accuracy, lowest loss and MAE seen so far.</summary>
    private static Dictionary<string, double> UpdateBests(
        IReadOnlyDictionary<string, double> previous,
        IReadOnlyDictionary<string, double> metrics
    )
    {
        var bests = new Dictionary<string, double>(previous);
        foreach (var (name, value) in metrics.Where(m => m.Key.StartsWith("val/", StringComparison.Ordinal)))
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

    /// <summary>Lightning's improvement test for checkpointing and early stopping.</summary>
    private static (double? Best, int BestEpoch, bool Improved) Improve(
        string monitor,
        string mode,
        double minDelta,
        double? best,
        int bestEpoch,
        int epoch,
        IReadOnlyDictionary<string, double> metrics
    )
    {
        if (!metrics.TryGetValue(monitor, out var value))
        {
            throw new ConfigException(
                $"monitor '{monitor}' is not a logged metric{NearestName.Suggestion(monitor, metrics.Keys)}; "
                    + $"available: {string.Join(", ", metrics.Keys.Order(StringComparer.Ordinal))}"
            );
        }
        var improved = best is null || (mode == "max" ? value - minDelta > best : value + minDelta < best);
        return improved ? (value, epoch, true) : (best, bestEpoch, false);
    }

    private Dictionary<string, object> Hyperparameters(nn.Module model)
    {
        var result = new Dictionary<string, object>
        {
            ["architecture"] = Config.Model.Network.Architecture,
            ["output_mode"] = Config.Model.Mode.ToString(),
            ["optimizer"] = Config.Model.Optimizer.Name,
            ["lr"] = Config.Model.Optimizer.LearningRate,
            ["weight_decay"] = Config.Model.Optimizer.WeightDecay,
            ["batch_size"] = (double)Config.Data.BatchSize,
            ["seed"] = (double)Config.Seed,
            ["parameters"] = (double)model.NumberOfParameters(),
        };
        foreach (var (k, v) in Config.Model.Network.Settings)
        {
            result["net." + k] = double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : v;
        }

        return result;
    }
}
