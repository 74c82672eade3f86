using System.Globalization;
using System.Text;
using System.Text.Json;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Losses;
using Nsmt.Amp.Training.Modules;
using Nsmt.Core;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Optimization;
using Nsmt.Neural.Training;
using Nsmt.Outputs;
using Nsmt.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Knobs;

/// <summary>
/// The knob domain of the <see cref="TrainingLoop"/>: a <see cref="KnobModule"/> on windows of every trained setting,
/// mixed in each batch (one seeded shuffle over (setting, window) pairs per epoch), each window with its setting's
/// normalised knob values; the configured loss (its terms and the gradient norm logged); validation ESR of every
/// setting on its validation passage, the held-out settings apart; the model (AIDA-X model.json or knob_wavenet.json)
/// and knob_esr.csv of the best epoch; summary.json's per-setting ESRs.
/// </summary>
/// <remarks>
/// Checkpoints rank by <see cref="Monitor"/>, the mean ESR over the trained settings: held-out settings never choose
/// the model. Each checkpoint carries the per-setting ESRs of the model it holds, so the best one's are read back from
/// checkpoints/best.ckpt in any session of the run.
/// </remarks>
internal sealed class KnobTraining : ITrainingDomain, IDisposable
{
    /// <summary>The checkpoints' domain: a knob checkpoint does not fit the amp trainer, nor the other way round.</summary>
    public const string Domain = "knob";

    /// <summary>The checkpoint monitor: the mean validation ESR over the trained settings.</summary>
    public const string Monitor = "val/esr_trained_mean";

    private const string SampleRateKey = "sample_rate";

    /// <summary>Checkpoint metadata: the per-setting validation ESRs of the checkpoint's model, as JSON.</summary>
    private const string SettingEsrKey = "setting_esr";

    private readonly KnobTrainConfig _config;
    private readonly IReadOnlyList<KnobCapture> _captures;
    private readonly RunDirectory _run;
    private readonly KnobModule _model;
    private readonly ScalarType _dtype;
    private readonly Device _device;
    private readonly float[][] _knobs;
    private readonly Dictionary<int, WindowDataset> _windows;
    private readonly (int Setting, int Window)[] _pairs;
    private readonly optim.Optimizer _optimizer;
    private readonly LRScheduler _scheduler;
    private readonly AmpLoss _loss;
    private (int Setting, int Window)[] _order = [];
    private readonly EpochLossSums _sums = new();
    private readonly MixedPrecision<KnobModule> _precision;
    private List<SettingEsr> _validated = [];

    public KnobTraining(
        KnobTrainConfig config,
        IReadOnlyList<KnobCapture> captures,
        RunDirectory run,
        TrainingDevice device
    )
    {
        _config = config;
        _captures = captures;
        _run = run;
        var t = config.Amp.Training;
        _model = config.CreateModule();
        _dtype = config.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        _model.to(_dtype);
        // Parameters, optimiser state (built below), weight average and batches on the device; validation outputs
        // come back to the CPU.
        _model.to(device.Device);
        _device = _model.ParameterDevice();
        _knobs = captures.Select(c => _model.Normalize(c.Setting.Values.Select(v => v.Value).ToList())).ToArray();
        var trained = Enumerable.Range(0, captures.Count).Where(i => !captures[i].HeldOut).ToArray();
        _windows = trained.ToDictionary(
            i => i,
            // Read a batch at a time from the setting's pair (a scratch file for a loaded capture set), so training
            // holds its windows, not the recordings (issue 23 item 13).
            i => new WindowDataset(
                captures[i].Data.Signals,
                captures[i].Data.Train,
                config.Amp.Data.Ny,
                _model.Context,
                0
            )
        );
        _pairs = trained.SelectMany(i => Enumerable.Range(0, _windows[i].Count).Select(w => (i, w))).ToArray();
        TrainedSettings = trained.Length;
        _optimizer = optim.Adam(_model.parameters(), lr: t.LearningRate, weight_decay: t.WeightDecay);
        _scheduler = new ExponentialLR(_optimizer, t.LearningRateGamma);
        _loss = new AmpLoss(config.Amp.Loss);
        _precision = new MixedPrecision<KnobModule>(device.Precision.Mode, _model, config.CreateModule);
    }

    public KnobModule Module => _model;

    public int TrainedSettings { get; }

    public int WindowCount => _pairs.Length;

    public string Name => Domain;

    public nn.Module Model => _model;

    public optim.Optimizer Optimizer => _optimizer;

    public string ConfigYaml => _config.ResolvedYaml;

    public double UnitsPerSample => _config.Amp.Data.Ny;

    public string DivergenceHint => "try a lower training.lr or a training.grad_clip, and check the data";

    /// <summary>The best model's file: AIDA-X's model.json, or knob_wavenet.json for a knob WaveNet.</summary>
    public string ModelPath =>
        Path.Combine(_run.Path, _model is KnobWaveNet ? KnobWaveNetFile.DefaultFileName : "model.json");

    public string? ModelFile => File.Exists(ModelPath) ? ModelPath : null;

    public int BeginEpoch(int epoch)
    {
        var t = _config.Amp.Training;
        _model.train();
        _order = [.. WindowDataset.Permutation(_pairs.Length, _config.Amp.Seed, epoch).Select(i => _pairs[i])];
        if (t.DropLast && _order.Length >= t.BatchSize)
        {
            _order = _order[..(_order.Length / t.BatchSize * t.BatchSize)];
        }

        _sums.Reset();
        return (_order.Length + t.BatchSize - 1) / t.BatchSize;
    }

    public StepResult TrainStep(int step)
    {
        var t = _config.Amp.Training;
        var (cpuAudio, cpuTarget, cpuKnobs) = Batch(step);
        var rows = (int)cpuAudio.size(0);
        var audio = cpuAudio.to(_dtype).to(_device);
        var target = cpuTarget.to(_dtype).to(_device);
        var knobs = cpuKnobs.to(_dtype).to(_device);
        _precision.BeginStep();
        var output = _precision.Compute.call(audio, knobs);
        var loss = _loss.Compute(_precision.Out(output), target);
        var value = _sums.Step(_precision, _optimizer, _model.parameters(), loss, t.GradClip, rows);
        return new StepResult(value, rows);
    }

    /// <summary>
    /// The (setting, window) of each row of step <paramref name="step"/>'s batch: the epoch's shuffled pairs, the
    /// windows of one setting together (in their shuffled order), settings in the order they first appear.
    /// </summary>
    internal (int Setting, int Window)[] BatchRows(int step)
    {
        var size = _config.Amp.Training.BatchSize;
        var batch = _order.AsSpan(step * size, Math.Min(size, _order.Length - (step * size)));
        return [.. batch.ToArray().GroupBy(p => p.Setting).SelectMany(group => group)];
    }

    /// <summary>
    /// Step <paramref name="step"/>'s batch as float32 on the CPU: audio [B, Context + ny] and target [B, ny] read from
    /// each setting's pair, a setting's windows in one read, and each row's normalised knob values [B, K].
    /// </summary>
    internal (Tensor Audio, Tensor Target, Tensor Knobs) Batch(int step)
    {
        var rows = BatchRows(step);
        var inputs = new List<Tensor>();
        var targets = new List<Tensor>();
        var knobValues = new List<float>();
        foreach (var group in rows.GroupBy(p => p.Setting))
        {
            var (x, y) = _windows[group.Key].Batch(group.Select(p => p.Window).ToArray());
            inputs.Add(x);
            targets.Add(y);
            foreach (var _ in group)
            {
                knobValues.AddRange(_knobs[group.Key]);
            }
        }

        return (
            cat(inputs, 0),
            cat(targets, 0),
            TensorExtensions.FromSpan<float>(knobValues.ToArray(), rows.Length, _knobs[0].Length)
        );
    }

    /// <summary>Means over the windows trained (all of them unless the epoch ended early).</summary>
    public Dictionary<string, double> EndTrainEpoch(int stepsDone) => _sums.Metrics(stepsDone);

    /// <summary>The ESR of every setting on its validation passage: the trained settings' mean and worst, the held-out worst.</summary>
    public Dictionary<string, double> Validate()
    {
        _validated = ValidateSettings();
        var trained = _validated.Where(e => !e.HeldOut).Select(e => e.Esr).ToList();
        var metrics = new Dictionary<string, double>
        {
            [Monitor] = trained.Average(),
            ["val/esr_trained_max"] = trained.Max(),
        };
        if (_validated.Any(e => e.HeldOut))
        {
            metrics["val/esr_held_out_max"] = _validated.Where(e => e.HeldOut).Max(e => e.Esr);
        }

        return metrics;
    }

    /// <summary>ESR of every setting on its validation passage, its burn-in taken from the audio before it.</summary>
    public List<SettingEsr> ValidateSettings()
    {
        var result = new List<SettingEsr>();
        // One setting's validation passage at a time, read from its pair: memory is the passage's, not the recordings'.
        foreach (var capture in _captures)
        {
            var esr = Metrics.Esr(capture.PredictValidation(_model, capture.KnobValues), capture.ValidationTarget());
            result.Add(new SettingEsr(capture.Setting, capture.HeldOut, esr));
        }

        return result;
    }

    public void AfterEpoch(IReadOnlyDictionary<string, double> metrics) => _scheduler.step();

    public Dictionary<string, double> SchedulerState() => _scheduler.state_dict();

    public void LoadSchedulerState(IReadOnlyDictionary<string, double> state) => _scheduler.load_state_dict(state);

    public IReadOnlyDictionary<string, string> CheckpointMetadata() =>
        new Dictionary<string, string>
        {
            [SampleRateKey] = SampleRate.ToString(CultureInfo.InvariantCulture),
            [SettingEsrKey] = SettingEsrJson(_validated),
        };

    /// <summary>The per-setting ESRs as a checkpoint carries them (<see cref="SettingEsrOf"/> reads them back).</summary>
    internal static string SettingEsrJson(IEnumerable<SettingEsr> esr) =>
        JsonSerializer.Serialize(
            [.. esr.Select(e => new SettingEsrCheckpointJson(KnobTrainConfig.Exact(e.Setting), e.HeldOut, e.Esr))],
            AmpTrainingJsonContext.Checkpoint.SettingEsrCheckpointJsonArray
        );

    /// <summary>The best model so far (the validated weights are in the model): its file and its knob_esr.csv.</summary>
    public void OnImproved(TrainingState state)
    {
        SaveModel(ModelPath);
        WriteEsrTable(_validated);
    }

    public JsonElement SummaryExtension(TrainingOutcome outcome)
    {
        var best = BestSettingEsr() ?? [];
        var heldOut = best.Where(e => e.HeldOut).Select(e => e.Esr).ToList();
        return new KnobSummaryJson(
            _config.ModelName,
            [.. _config.Ranges.Select(KnobRangeJson.Of)],
            outcome.State.ElapsedSeconds,
            best.Count == 0 ? null : best.Where(e => !e.HeldOut).Max(e => e.Esr),
            heldOut.Count == 0 ? null : heldOut.Max(),
            Settings(best, heldOut: false),
            Settings(best, heldOut: true)
        ).ToElement();
    }

    /// <summary>The per-setting ESRs of checkpoints/best.ckpt (any session of the run); null before a best exists.</summary>
    public IReadOnlyList<SettingEsr>? BestSettingEsr()
    {
        if (!File.Exists(_run.BestCheckpoint))
        {
            return null;
        }

        using var best = TrainingCheckpoint.Load(_run.BestCheckpoint, Domain);
        return SettingEsrOf(best);
    }

    /// <summary>The per-setting ESRs a knob checkpoint carries.</summary>
    public static IReadOnlyList<SettingEsr> SettingEsrOf(TrainingCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        try
        {
            return
            [
                .. JsonSerializer
                    .Deserialize(
                        checkpoint.Require(SettingEsrKey),
                        AmpTrainingJsonContext.Checkpoint.SettingEsrCheckpointJsonArray
                    )!
                    .Select(r => new SettingEsr(KnobSetting.Parse(r.Setting, SettingEsrKey), r.HeldOut, r.Esr)),
            ];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"{checkpoint.Path}: metadata '{SettingEsrKey}' is not valid JSON: {e.Message}",
                e
            );
        }
    }

    private int SampleRate => _captures[0].Data.SampleRate;

    private void SaveModel(string path)
    {
        if (_model is KnobWaveNet wavenet)
        {
            KnobWaveNetFile.Save(wavenet, path, SampleRate, _config.Amp.Metadata);
        }
        else
        {
            KerasModelFile.SaveForAida(AidaExport.ToKerasModel((ConditionedRnn)_model, SampleRate), path);
        }
    }

    private void WriteEsrTable(IReadOnlyList<SettingEsr> esr)
    {
        var csv = new StringBuilder("setting,");
        csv.AppendLine(string.Join(",", _config.Ranges.Select(r => r.Name)) + ",held_out,validation_esr");
        foreach (var e in esr)
        {
            csv.AppendLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"\"{e.Setting}\",{string.Join(",", e.Setting.Values.Select(v => v.Value.ToString("R", CultureInfo.InvariantCulture)))},{(e.HeldOut ? "true" : "false")},{e.Esr:R}"
                )
            );
        }

        AtomicFile.WriteAllText(Path.Combine(_run.Path, KnobRunFiles.EsrTable), csv.ToString());
    }

    private static SettingEsrSummaryJson[] Settings(IReadOnlyList<SettingEsr> esr, bool heldOut) =>
        [.. esr.Where(e => e.HeldOut == heldOut).Select(e => new SettingEsrSummaryJson(e.Setting.ToString(), e.Esr))];

    public void Dispose()
    {
        _loss.Dispose();
        _optimizer.Dispose();
        _precision.Dispose();
        _model.Dispose();
    }
}
