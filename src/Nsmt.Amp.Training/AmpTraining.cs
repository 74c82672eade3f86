using System.Globalization;
using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Losses;
using Nsmt.Amp.Training.Modules;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Optimization;
using Nsmt.Neural.Training;
using Nsmt.Outputs;
using Nsmt.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training;

/// <summary>
/// The amp domain of the <see cref="TrainingLoop"/>: an <see cref="AmpModule"/> on windows of the aligned recording,
/// the configured loss (its terms and the gradient norm logged), validation ESR and MSE on the held-out range (each
/// width's ESR for a packed model), a .nam beside every checkpoint and model.nam for the best, and summary.json's
/// alignment and added-delay fields.
/// </summary>
internal sealed class AmpTraining : ITrainingDomain, IDisposable
{
    private const string NamExtension = ".nam";

    private readonly AmpTrainConfig _config;
    private readonly AmpTrainingData _data;
    private readonly RunDirectory _run;
    private readonly AmpModule _model;
    private readonly MixedPrecision<AmpModule> _precision;
    private readonly optim.Optimizer _optimizer;
    private readonly LRScheduler _scheduler;
    private readonly AmpLoss _loss;
    private readonly float[] _validationInput;
    private readonly float[] _validationTarget;
    private readonly Device _device;
    private readonly Dictionary<AmpModule, NamMetadata> _measured = [];
    private int[] _order = [];
    private readonly EpochLossSums _sums = new();
    private double _validationEsr = double.NaN;

    public AmpTraining(AmpTrainConfig config, AmpTrainingData data, RunDirectory run, TrainingDevice device)
    {
        _config = config;
        _data = data;
        _run = run;
        var t = config.Training;
        AmpModule Build() => config.Model.CreateModule(data.SampleRate);
        _model = Build();
        // Model, optimiser state (built below from the moved parameters), weight average, batches and losses live on the
        // device; only logged values and validation outputs come back to the CPU.
        _model.to(device.Device);
        _device = _model.ParameterDevice();
        TargetGain = config.Data.TargetRmsDbfs is { } level ? TargetNormalization.Gain(data.Signals.Output, level) : 1;
        Windows = new WindowDataset(
            data.Signals,
            data.Train,
            config.Data.Ny,
            _model.Context,
            _model.Lookahead,
            TargetGain
        );
        _validationInput = ValidationInput(out var validationFirst, out var validationCount);
        ValidationCount = validationCount;
        _validationTarget = data.Signals.Output.Read(validationFirst, validationCount);
        TargetNormalization.Scale(_validationTarget, TargetGain);
        _optimizer = optim.Adam(_model.parameters(), lr: t.LearningRate, weight_decay: t.WeightDecay);
        _scheduler = new ExponentialLR(_optimizer, t.LearningRateGamma);
        _loss = new AmpLoss(config.Loss);
        _precision = new MixedPrecision<AmpModule>(device.Precision.Mode, _model, Build);
    }

    public AmpModule Module => _model;

    public WindowDataset Windows { get; }

    public int ValidationCount { get; }

    /// <summary>
    /// What training targets are multiplied by (data.target_rms_dbfs, NAM's normalisation; 1 without): the module
    /// learns the scaled level, and every export divides its head_scale by this (<see cref="TargetNormalization.Compensate"/>).
    /// </summary>
    public double TargetGain { get; }

    /// <summary>The best model's added delay on the validation range (issue 16: should be 0); null without a .nam model.</summary>
    public ModelDelay? AddedDelay { get; private set; }

    public string Name => AmpCheckpoint.Domain;

    public nn.Module Model => _model;

    public optim.Optimizer Optimizer => _optimizer;

    public string ConfigYaml => _config.ResolvedYaml;

    public double UnitsPerSample => Windows.Ny;

    public string DivergenceHint => "try a lower training.lr or a training.grad_clip, and check the data";

    public string? ModelFile =>
        _model.IsNamExportable && File.Exists(AmpTrainer.ModelFile(_run)) ? AmpTrainer.ModelFile(_run) : null;

    public int BeginEpoch(int epoch)
    {
        var t = _config.Training;
        _model.train();
        _order = Windows.Shuffle(_config.Seed, epoch);
        if (t.DropLast && _order.Length >= t.BatchSize)
        {
            _order = _order[..(_order.Length / t.BatchSize * t.BatchSize)];
        }

        _sums.Reset();
        return (_order.Length + t.BatchSize - 1) / t.BatchSize;
    }

    public StepResult TrainStep(int step)
    {
        var t = _config.Training;
        var indices = _order.AsSpan(step * t.BatchSize, Math.Min(t.BatchSize, _order.Length - (step * t.BatchSize)));
        var (x, y) = Windows.Batch(indices);
        (x, y) = (x.to(_device), y.to(_device));
        if (_model.OutputsPerInput > 1)
        {
            y = y.repeat(_model.OutputsPerInput, 1); // every width of a packed model learns the same target
        }

        _precision.BeginStep();
        var value = _sums.Step(
            _precision,
            _optimizer,
            _model.parameters(),
            _loss.Compute(_precision.Out(_precision.Compute.call(x)), y),
            t.GradClip,
            indices.Length
        );
        return new StepResult(value, indices.Length);
    }

    /// <summary>Means over the windows trained (all of them unless the epoch ended early).</summary>
    public Dictionary<string, double> EndTrainEpoch(int stepsDone) => _sums.Metrics(stepsDone);

    public Dictionary<string, double> Validate()
    {
        _measured.Clear();
        var prediction = _model.PredictAligned(_validationInput);
        _validationEsr = Metrics.Esr(prediction, _validationTarget);
        var metrics = new Dictionary<string, double>
        {
            ["val/loss"] = _validationEsr,
            ["val/esr"] = _validationEsr,
            ["val/mse"] = Metrics.Mse(prediction, _validationTarget),
        };
        if (_model is PackedA2 packed)
        {
            // Each width's own ESR; model selection follows the widest (prediction), the width played by default.
            for (var i = 0; i < packed.Submodels.Count; i++)
            {
                metrics[$"val/esr.{packed.Names[i]}"] = Metrics.Esr(
                    packed.Submodels[i].PredictAligned(_validationInput),
                    _validationTarget
                );
            }
        }

        return metrics;
    }

    public void AfterEpoch(IReadOnlyDictionary<string, double> metrics) => _scheduler.step();

    public Dictionary<string, double> SchedulerState() => _scheduler.state_dict();

    public void LoadSchedulerState(IReadOnlyDictionary<string, double> state) => _scheduler.load_state_dict(state);

    public void PrepareState() => AmpTrainer.PrepareForExport(_model);

    public IReadOnlyDictionary<string, string> CheckpointMetadata() =>
        AmpCheckpoint.Metadata(_data.SampleRate, _data.ToNamTrainingData(), TargetGain);

    public void OnCheckpointWritten(string path, TrainingState state)
    {
        if (_model.IsNamExportable)
        {
            ExportNam(Path.ChangeExtension(path, NamExtension));
        }
    }

    public void OnCheckpointRemoved(string path)
    {
        try
        {
            File.Delete(Path.ChangeExtension(path, NamExtension));
        }
        catch (IOException)
        {
            // A leftover file costs disk space only; the ranking in the checkpoint is what counts.
        }
    }

    public void OnImproved(TrainingState state)
    {
        if (_model.IsNamExportable)
        {
            ExportNam(AmpTrainer.ModelFile(_run));
        }
    }

    /// <summary>
    /// A run of three or more epochs whose best validation is still its first learned nothing (seen on CPUs with wrong
    /// kernels: the nano preset ended at ESR 1.0009); a shorter run is a smoke run and is not judged.
    /// </summary>
    public string? Verdict(TrainingState state) =>
        state.EpochsCompleted >= 3 && state.BestEpoch == 0
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"the validation ESR never improved on the first epoch's {state.BestValue:0.#####} in {state.EpochsCompleted} epochs"
            )
            : null;

    public JsonElement SummaryExtension(TrainingOutcome outcome)
    {
        AddedDelay = ModelFile is { } modelPath ? MeasureAddedDelay(modelPath) : null;
        var best = outcome.State.BestValue ?? double.PositiveInfinity;
        return new AmpSummaryJson(
            best,
            NamGrades.Of(best),
            outcome.State.ElapsedSeconds,
            new AlignmentSummaryJson(
                _data.Latency?.Manual ?? _data.Latency?.Calibration?.Recommended,
                _data.Latency?.Calibration?.SafetyFactor,
                _data.Latency?.Manual is not null
            ),
            _config.Data.TargetRmsDbfs,
            TargetGain,
            AddedDelay?.AddedDelay,
            AddedDelay?.ConfidenceDb,
            AddedDelay?.ModelOnset,
            AddedDelay?.TargetOnset
        ).ToElement();
    }

    /// <summary>
    /// The .nam files hold what was validated (the loop has the validated weights in the model here), at the recording's
    /// level: head_scale compensated for the target gain while the file and its metadata (loudness runs the model) are made.
    /// </summary>
    private void ExportNam(string path)
    {
        using var compensated = TargetNormalization.Compensate(_model, TargetGain);
        ModelExport.Save(_model, path, _data.SampleRate, _config.Model.ExportVersion, Metadata);
    }

    /// <summary>Measured once per validation (loudness and gain run the model), per width of a packed model.</summary>
    private NamMetadata Metadata(AmpModule module) =>
        _measured.TryGetValue(module, out var m)
            ? m
            : _measured[module] = TrainedModelMetadata.Build(
                module,
                _data.SampleRate,
                _config.Metadata,
                _data.ToNamTrainingData(),
                _validationEsr,
                DateTime.Now
            );

    /// <summary>
    /// The validation input with the model's context taken from the data before the range (when
    /// there is not enough, the first targets are skipped) and its lookahead after.
    /// </summary>
    private float[] ValidationInput(out int first, out int count)
    {
        var range = _data.Validation;
        first = Math.Max(range.Start, _model.Context);
        var end = Math.Min(range.End, _data.Signals.Length - _model.Lookahead);
        count = end - first;
        if (count < 1)
        {
            throw new ArgumentException(
                $"the validation range {range} leaves no sample with the model's context ({_model.Context}) and lookahead ({_model.Lookahead})"
            );
        }

        return _data.Signals.Input.Read(first - _model.Context, _model.Context + count + _model.Lookahead);
    }

    public void Dispose()
    {
        _loss.Dispose();
        _optimizer.Dispose();
        _precision.Dispose();
        _model.Dispose();
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
            _data.Signals.Input.Read(from, to - from),
            _data.SampleRate,
            range.ShiftClamped(-from, to - from)
        );
        return ModelDelay.Measure(
            _data.Signals.Input.Read(range.Start, range.Length),
            _data.Signals.Output.Read(range.Start, range.Length),
            prediction
        );
    }
}
