using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Keras;
using Nsmt.Amp.ReferenceAmp;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;
using Nsmt.Core;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Optimization;
using Nsmt.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Knobs;

/// <summary>Validation ESR of one setting (on its held-out validation passage).</summary>
public sealed record SettingEsr(KnobSetting Setting, bool HeldOut, double Esr);

/// <summary>What a knob training produced.</summary>
public sealed record KnobTrainingResult(
    string OutputDirectory,
    IReadOnlyList<SettingEsr> Esr,
    int BestEpoch,
    int Epochs,
    double ElapsedSeconds,
    string ModelPath
)
{
    public double WorstTrained => Esr.Where(e => !e.HeldOut).Max(e => e.Esr);

    public double WorstHeldOut => Esr.Where(e => e.HeldOut).Select(e => e.Esr).DefaultIfEmpty(double.NaN).Max();
}

/// <summary>
/// Trains a <see cref="KnobModule"/> (conditioned LSTM/GRU or knob WaveNet) on a knob capture set: every batch mixes windows of all trained settings
/// (one seeded shuffle over (setting, window) pairs per epoch), each window carrying its setting's normalised knob
/// values. After every epoch the validation passage of every setting is scored, the held-out settings apart; the
/// model with the lowest mean ESR over the trained settings is kept (held-out settings never choose the model).
/// Writes model.json (AIDA-X; a knob WaveNet: knob_wavenet.json), knob_esr.csv, metrics.csv, summary.json and the
/// <see cref="KnobEvaluation"/> figures and clips.
/// </summary>
public sealed class KnobTrainer(
    KnobTrainConfig config,
    IReadOnlyList<KnobCapture> captures,
    string outputDirectory,
    ProgressReporter? progress = null
)
{
    private readonly ProgressReporter _progress = progress ?? ProgressReporter.Silent;

    public KnobTrainingResult Run()
    {
        var t = config.Amp.Training;
        // Threads, the engine self-check (CPU and the chosen device), the device and deterministic algorithms.
        var device = TrainingEngine.Prepare(t.Engine);
        manual_seed(config.Amp.Seed);
        Directory.CreateDirectory(outputDirectory);
        using var module = config.CreateModule();
        var dtype = config.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        module.to(dtype);
        // Parameters, optimiser state (built below) and batches on the device; validation outputs come back to the CPU.
        module.to(device.Device);
        _progress.Message($"device: {device.Name} ({device.Reason})");
        var knobs = captures.Select(c => module.Normalize(c.Setting.Values.Select(v => v.Value).ToList())).ToArray();
        var trained = Enumerable.Range(0, captures.Count).Where(i => !captures[i].HeldOut).ToArray();
        var windows = trained.ToDictionary(
            i => i,
            i => new WindowDataset(
                captures[i].Data.Input,
                captures[i].Data.Output,
                captures[i].Data.Train,
                config.Amp.Data.Ny,
                module.Context,
                0
            )
        );
        var pairs = trained
            .SelectMany(i => Enumerable.Range(0, windows[i].Count).Select(w => (setting: i, window: w)))
            .ToArray();
        _progress.Message(
            $"knob model: {config.ModelName}, knobs {string.Join(", ", config.Ranges.Select(r => $"{r.Name} {r.Minimum:0.##}..{r.Maximum:0.##}"))}; "
                + $"{trained.Length} settings trained ({pairs.Length} windows), {captures.Count - trained.Length} held out"
        );

        using var optimizer = optim.Adam(module.parameters(), lr: t.LearningRate, weight_decay: t.WeightDecay);
        var scheduler = new ExponentialLR(optimizer, t.LearningRateGamma);
        var metrics = new MetricsCsvLogger(Path.Combine(outputDirectory, "metrics.csv"));
        var clock = Stopwatch.StartNew();
        IReadOnlyList<SettingEsr> best = [];
        var bestMean = double.PositiveInfinity;
        int bestEpoch = -1,
            epoch = 0;
        Dictionary<string, Tensor>? bestWeights = null;
        for (; epoch < t.Epochs; epoch++)
        {
            var trainLoss = TrainEpoch(module, optimizer, windows, pairs, knobs, epoch, dtype);
            scheduler.step();
            if (!double.IsFinite(trainLoss))
            {
                throw new InvalidOperationException(
                    $"the training loss became {trainLoss} in epoch {epoch + 1} (diverged; try a lower training.lr)"
                );
            }

            var esr = Validate(module);
            var mean = esr.Where(e => !e.HeldOut).Average(e => e.Esr);
            var row = new Dictionary<string, double>
            {
                ["train/loss"] = trainLoss,
                ["val/esr_trained_mean"] = mean,
                ["val/esr_trained_max"] = esr.Where(e => !e.HeldOut).Max(e => e.Esr),
                ["elapsed_seconds"] = clock.Elapsed.TotalSeconds,
            };
            if (esr.Any(e => e.HeldOut))
            {
                row["val/esr_held_out_max"] = esr.Where(e => e.HeldOut).Max(e => e.Esr);
            }

            metrics.Log(row, epoch, epoch);
            var heldOut = row.TryGetValue("val/esr_held_out_max", out var h)
                ? string.Create(CultureInfo.InvariantCulture, $", held out max {h:0.#####}")
                : "";
            _progress.Message(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"epoch {epoch + 1}: loss {trainLoss:0.#####}, validation ESR trained mean {mean:0.#####} max {row["val/esr_trained_max"]:0.#####}{heldOut} ({clock.Elapsed.TotalSeconds:0} s)"
                )
            );
            if (mean < bestMean)
            {
                bestMean = mean;
                best = esr;
                bestEpoch = epoch;
                DisposeAll(bestWeights);
                bestWeights = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            }

            if (t.MaxSeconds > 0 && clock.Elapsed.TotalSeconds >= t.MaxSeconds)
            {
                epoch++;
                break;
            }
        }

        module.load_state_dict(bestWeights!);
        DisposeAll(bestWeights);
        var modelPath = Path.Combine(
            outputDirectory,
            module is KnobWaveNet ? KnobWaveNetFile.DefaultFileName : "model.json"
        );
        if (module is KnobWaveNet wavenet)
        {
            KnobWaveNetFile.Save(wavenet, modelPath, captures[0].Data.SampleRate, config.Amp.Metadata);
        }
        else
        {
            KerasModelFile.SaveForAida(
                AidaExport.ToKerasModel((ConditionedRnn)module, captures[0].Data.SampleRate),
                modelPath
            );
        }
        var result = new KnobTrainingResult(
            outputDirectory,
            best,
            bestEpoch + 1,
            epoch,
            clock.Elapsed.TotalSeconds,
            modelPath
        );
        WriteReports(result, device);
        KnobEvaluation.Write(module, captures, best, outputDirectory);
        return result;
    }

    private double TrainEpoch(
        KnobModule module,
        optim.Optimizer optimizer,
        Dictionary<int, WindowDataset> windows,
        (int setting, int window)[] pairs,
        float[][] knobs,
        int epoch,
        ScalarType dtype
    )
    {
        var t = config.Amp.Training;
        module.train();
        var random = new Random(HashCode.Combine(config.Amp.Seed, epoch, 0x6b6e6f62));
        var order = pairs.ToArray();
        random.Shuffle(order);
        var steps =
            t.DropLast && order.Length >= t.BatchSize
                ? order.Length / t.BatchSize
                : (order.Length + t.BatchSize - 1) / t.BatchSize;
        double lossSum = 0;
        var counted = 0;
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var batch = order
                .AsSpan(step * t.BatchSize, Math.Min(t.BatchSize, order.Length - (step * t.BatchSize)))
                .ToArray();
            var inputs = new List<Tensor>();
            var targets = new List<Tensor>();
            foreach (var group in batch.GroupBy(p => p.setting))
            {
                var (x, y) = windows[group.Key].Batch(group.Select(p => p.window).ToArray());
                inputs.Add(x);
                targets.Add(y);
            }

            var knobValues = batch
                .GroupBy(p => p.setting)
                .SelectMany(g => g.Select(_ => knobs[g.Key]))
                .SelectMany(k => k)
                .ToArray();
            var device = module.ParameterDevice();
            var audio = cat(inputs, 0).to(dtype).to(device);
            var target = cat(targets, 0).to(dtype).to(device);
            var knobTensor = TensorExtensions
                .FromSpan<float>(knobValues, batch.Length, knobs[0].Length)
                .to(dtype)
                .to(device);
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(module.call(audio, knobTensor), target);
            loss.backward();
            if (t.GradClip > 0)
            {
                nn.utils.clip_grad_norm_(module.parameters(), t.GradClip);
            }

            optimizer.step();
            var value = loss.to(ScalarType.Float64).item<double>();
            if (!double.IsFinite(value))
            {
                return value;
            }

            lossSum += value * batch.Length;
            counted += batch.Length;
        }

        return lossSum / Math.Max(1, counted);
    }

    /// <summary>ESR of every setting on its validation passage, its burn-in taken from the audio before it.</summary>
    private List<SettingEsr> Validate(KnobModule module)
    {
        var result = new List<SettingEsr>();
        foreach (var capture in captures)
        {
            var range = capture.Data.Validation;
            var start = Math.Max(0, range.Start - module.Context);
            var input = capture.Data.Input.AsSpan(start, range.End - start);
            var prediction = module.Process(input, capture.Setting.Values.Select(v => v.Value).ToList());
            var predicted = prediction.AsSpan(range.Start - start).ToArray().Select(v => (float)v).ToArray();
            var esr = Metrics.Esr(predicted, capture.Data.Output.AsSpan(range.Start, range.Length));
            result.Add(new SettingEsr(capture.Setting, capture.HeldOut, esr));
        }

        return result;
    }

    private void WriteReports(KnobTrainingResult result, TrainingDevice device)
    {
        var csv = new StringBuilder("setting,");
        csv.AppendLine(string.Join(",", config.Ranges.Select(r => r.Name)) + ",held_out,validation_esr");
        foreach (var e in result.Esr)
        {
            csv.AppendLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"\"{e.Setting}\",{string.Join(",", e.Setting.Values.Select(v => v.Value.ToString("R", CultureInfo.InvariantCulture)))},{(e.HeldOut ? "true" : "false")},{e.Esr:R}"
                )
            );
        }

        AtomicFile.WriteAllText(Path.Combine(result.OutputDirectory, "knob_esr.csv"), csv.ToString());
        var summary = new Dictionary<string, object?>
        {
            ["model"] = config.ModelName,
            ["knobs"] = config
                .Ranges.Select(r => new
                {
                    name = r.Name,
                    min = r.Minimum,
                    max = r.Maximum,
                })
                .ToArray(),
            ["best_epoch"] = result.BestEpoch,
            ["epochs"] = result.Epochs,
            ["elapsed_seconds"] = result.ElapsedSeconds,
            ["worst_trained_esr"] = result.WorstTrained,
            ["worst_held_out_esr"] = double.IsNaN(result.WorstHeldOut) ? null : result.WorstHeldOut,
            ["trained"] = result
                .Esr.Where(e => !e.HeldOut)
                .Select(e => new { setting = e.Setting.ToString(), esr = e.Esr })
                .ToArray(),
            ["held_out"] = result
                .Esr.Where(e => e.HeldOut)
                .Select(e => new { setting = e.Setting.ToString(), esr = e.Esr })
                .ToArray(),
            ["model"] = result.ModelPath,
            ["device"] = device.Record(),
        };
        AtomicFile.WriteAllText(
            Path.Combine(result.OutputDirectory, "summary.json"),
            JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true })
        );
        AtomicFile.WriteAllText(Path.Combine(result.OutputDirectory, "config.yaml"), config.Amp.ResolvedYaml);
    }

    private static void DisposeAll(Dictionary<string, Tensor>? tensors)
    {
        foreach (var tensor in tensors?.Values.ToArray() ?? [])
        {
            tensor.Dispose();
        }
    }
}
