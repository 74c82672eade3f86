using System.Globalization;
using System.Text.Json;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Training;
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
/// Spectral multihead training on the shared <see cref="TrainingLoop"/>: builds the network, the data tensors, the
/// optimiser and the schedule from the config and runs the loop with <see cref="SpectralTraining"/> as its domain
/// (seeded shuffling, per-head losses, gradient clipping, validation on the dataset's test split).
/// </summary>
public sealed class Trainer(TrainConfig config, ProgressReporter? progress = null)
{
    private readonly ProgressReporter _progress = progress ?? ProgressReporter.Silent;

    public TrainConfig Config { get; } = config;

    public TrainResult Fit(
        VimhDataset dataset,
        RunDirectory run,
        string? resumeFrom = null,
        CancellationToken cancellation = default
    )
    {
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
        manual_seed(Config.Seed);
        using var domain = new SpectralTraining(Config, dataset, run, device);
        using var resume = resumeFrom is null ? null : Checkpoint.LoadRaw(resumeFrom);
        var outcome = new TrainingLoop(LoopSettings(Config), _progress).Run(domain, run, device, resume, cancellation);
        return new TrainResult(
            run.Path,
            outcome.State.EpochsCompleted,
            outcome.StoppedEarly,
            outcome.State.Metrics,
            outcome.State.MetricBests,
            File.Exists(run.BestCheckpoint) ? run.BestCheckpoint : null,
            File.Exists(run.LastCheckpoint) ? run.LastCheckpoint : null,
            outcome.TrainSamplesPerSecond,
            outcome.SecondsPerEpoch,
            domain.Model.NumberOfParameters()
        );
    }

    /// <summary>Lightning's callbacks as the config sets them: best.ckpt by the monitor, last.ckpt, early stopping.</summary>
    private static LoopSettings LoopSettings(TrainConfig config) =>
        new()
        {
            MaxEpochs = config.Trainer.MaxEpochs,
            MinEpochs = config.Trainer.MinEpochs,
            Checkpoint = new MetricMonitor(
                config.Checkpoint.Monitor,
                config.Checkpoint.Mode,
                "callbacks.model_checkpoint.monitor"
            ),
            SaveBest = true,
            SaveLast = config.Checkpoint.SaveLast,
            EarlyStopping = config.EarlyStopping.Enabled
                ? new EarlyStoppingRule(
                    new MetricMonitor(
                        config.EarlyStopping.Monitor,
                        config.EarlyStopping.Mode,
                        "callbacks.early_stopping.monitor",
                        config.EarlyStopping.MinDelta
                    ),
                    config.EarlyStopping.Patience
                )
                : null,
            AverageDecay = config.WeightAveraging.Decay,
            Csv = config.Logger.Csv,
            TensorBoard = config.Logger.TensorBoard,
            LogEveryNSteps = config.Trainer.LogEveryNSteps,
            TrackBests = true,
        };
}

/// <summary>
/// The spectral domain of the <see cref="TrainingLoop"/>: a <see cref="MultiheadNetwork"/> on a VIMH dataset, one
/// objective per head, accuracy per head (and MAE for regression) on the test split.
/// </summary>
internal sealed class SpectralTraining : ITrainingDomain, IDisposable
{
    private readonly TrainConfig _config;
    private readonly RunDirectory _run;
    private readonly MultiheadNetwork _model;
    private readonly MixedPrecision<MultiheadNetwork> _precision;
    private readonly IReadOnlyList<HeadObjective> _objectives;
    private readonly DatasetTensors _train;
    private readonly DatasetTensors _validation;
    private readonly optim.Optimizer _optimizer;
    private readonly TrainingSchedule _schedule;
    private readonly string _datasetJson;
    private readonly int _stepsPerEpoch;
    private Tensor? _order;
    private double _lossSum;
    private long[] _correct = [];
    private long _samples;

    public SpectralTraining(TrainConfig config, VimhDataset dataset, RunDirectory run, TrainingDevice device)
    {
        _config = config;
        _run = run;
        _datasetJson = File.ReadAllText(Path.Combine(dataset.Directory, VimhFormat.InfoFileName));
        var heads = DatasetHeads.From(dataset.Heads);
        var shape = new InputShape(dataset.Info.Channels, dataset.Info.Height, dataset.Info.Width);
        var auxiliaryFeatures = config.Data.AuxiliaryFeatures;
        MultiheadNetwork Build() =>
            ModelFactory.Create(config.Model.Network, heads, shape, config.Model.HeadKind, auxiliaryFeatures.Count);
        _model = Build();
        // Model, optimiser state (built below from the moved parameters), batches and losses live on the device; only
        // logged values come back to the CPU.
        _model.to(device.Device);
        _objectives = HeadObjectives.Create(config.Model, heads);
        _train = DatasetTensors.FromSplit(dataset.Train, dataset.Info, auxiliaryFeatures).On(device.Device);
        _validation = DatasetTensors.FromSplit(dataset.Test, dataset.Info, auxiliaryFeatures).On(device.Device);
        if (_train.Auxiliary is not null)
        {
            // From the training split (a resumed run loads the same values back with the weights).
            var (mean, std) = _train.AuxiliaryStatistics();
            using (mean)
            using (std)
            {
                _model.SetAuxiliaryScaling(mean, std);
            }
        }

        _stepsPerEpoch = _train.BatchCount(config.Data.BatchSize, config.Trainer.LimitTrainBatches);
        _optimizer = OptimizerFactory.Create(config.Model.Optimizer, _model.parameters());
        _schedule = new TrainingSchedule(config.Model.Scheduler, _optimizer, config.Trainer.MaxEpochs, _stepsPerEpoch);
        _precision = new MixedPrecision<MultiheadNetwork>(device.Precision.Mode, _model, Build);
    }

    public string Name => Checkpoint.Domain;

    public MultiheadNetwork Model => _model;

    nn.Module ITrainingDomain.Model => _model;

    public optim.Optimizer Optimizer => _optimizer;

    public string ConfigYaml => _config.ResolvedYaml;

    public string DivergenceHint => "try a lower model.optimizer.lr or a trainer.gradient_clip_val";

    /// <summary>The checkpoint evaluation reads: the best one, or the last where none was kept as best.</summary>
    public string? ModelFile => new[] { _run.BestCheckpoint, _run.LastCheckpoint }.FirstOrDefault(File.Exists);

    public int BeginEpoch(int epoch)
    {
        _model.train();
        _order?.Dispose();
        _order = randperm(_train.Count);
        _lossSum = 0;
        _correct = new long[_objectives.Count];
        _samples = 0;
        return _stepsPerEpoch;
    }

    public StepResult TrainStep(int step)
    {
        var batchSize = _config.Data.BatchSize;
        var start = step * batchSize;
        var length = Math.Min(batchSize, _train.Count - start);
        var (inputs, labels) = _train.Batch(_order, start, length);
        _precision.BeginStep();
        var computed = inputs.Through(_precision.Compute);
        var outputs = computed.ToDictionary(o => o.Key, o => _precision.Out(o.Value));
        var loss = SplitEvaluation.TotalLoss(_objectives, outputs, labels);
        _precision.Backward(_optimizer, loss);
        ClipGradients();
        _optimizer.step();

        var lossValue = loss.item<float>();
        _lossSum += lossValue * length;
        using (no_grad())
        {
            for (var h = 0; h < _objectives.Count; h++)
            {
                var predicted = _objectives[h].Loss.PredictClasses(outputs[_objectives[h].Head.Name]);
                _correct[h] += predicted.eq(labels.select(1, h)).sum().item<long>();
            }
        }

        _samples += length;
        return new StepResult(lossValue, length);
    }

    public void AfterStep() => _schedule.AfterStep();

    public Dictionary<string, double> EndTrainEpoch(int stepsDone)
    {
        var metrics = new Dictionary<string, double> { ["train/loss"] = _samples == 0 ? 0 : _lossSum / _samples };
        for (var h = 0; h < _objectives.Count; h++)
        {
            metrics[$"train/{_objectives[h].Head.Name}_acc"] = _samples == 0 ? 0 : _correct[h] / (double)_samples;
        }

        return metrics;
    }

    /// <summary>SWA's update_bn over the training split in order.</summary>
    public void RecomputeBatchNorm() =>
        Nsmt.Neural.Optimization.WeightAverage.RecomputeBatchNorm(_model, TrainInputs(), inputs =>
            inputs.Through(_model)
        );

    public Dictionary<string, double> Validate()
    {
        var result = SplitEvaluation.Run(
            _model,
            _objectives,
            _validation,
            _config.Data.BatchSize,
            _config.Trainer.LimitValBatches
        );
        return result.Metrics("val", _config.Model.Mode == OutputMode.Regression);
    }

    public void AfterEpoch(IReadOnlyDictionary<string, double> metrics) => _schedule.AfterEpoch(metrics);

    public Dictionary<string, double> SchedulerState() => _schedule.StateDict();

    public void LoadSchedulerState(IReadOnlyDictionary<string, double> state) => _schedule.LoadStateDict(state);

    public IReadOnlyDictionary<string, string> CheckpointMetadata() =>
        new Dictionary<string, string> { [Checkpoint.DatasetKey] = _datasetJson };

    public JsonElement SummaryExtension(TrainingOutcome outcome) =>
        new SpectralSummaryJson(_config.TaskName, _model.NumberOfParameters()).ToElement();

    public (Dictionary<string, object> Values, string[] Metrics)? Hyperparameters()
    {
        var result = new Dictionary<string, object>
        {
            ["architecture"] = _config.Model.Network.Architecture,
            ["output_mode"] = _config.Model.Mode.ToString(),
            ["optimizer"] = _config.Model.Optimizer.Name,
            ["lr"] = _config.Model.Optimizer.LearningRate,
            ["weight_decay"] = _config.Model.Optimizer.WeightDecay,
            ["batch_size"] = (double)_config.Data.BatchSize,
            ["seed"] = (double)_config.Seed,
            ["parameters"] = (double)_model.NumberOfParameters(),
        };
        foreach (var (k, v) in _config.Model.Network.Settings)
        {
            result["net." + k] = double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : v;
        }

        return (result, ["val/acc", "val/loss", "val/acc_best"]);
    }

    /// <summary>The training split's inputs in order, one batch at a time (for re-estimating BatchNorm statistics).</summary>
    private IEnumerable<ModelInputs> TrainInputs()
    {
        var batchSize = _config.Data.BatchSize;
        for (var start = 0; start < _train.Count; start += batchSize)
        {
            var (inputs, labels) = _train.Batch(null, start, Math.Min(batchSize, _train.Count - start));
            labels.Dispose();
            yield return inputs;
        }
    }

    private void ClipGradients()
    {
        var clip = _config.Trainer.GradientClipValue;
        if (clip <= 0)
        {
            return;
        }

        if (_config.Trainer.GradientClipAlgorithm == "value")
        {
            nn.utils.clip_grad_value_(_model.parameters(), clip);
        }
        else
        {
            nn.utils.clip_grad_norm_(_model.parameters(), clip);
        }
    }

    public void Dispose()
    {
        _order?.Dispose();
        _optimizer.Dispose();
        _precision.Dispose();
        _validation.Dispose();
        _train.Dispose();
        _model.Dispose();
    }
}
