using Nsmt.Amp.Capture;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Export;
using Nsmt.Core;
using Nsmt.Neural.IO;
using Nsmt.Neural.Training;
using Nsmt.Runs;

namespace Nsmt.Amp.Training.Tests;

public sealed class TrainingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"nsmt-amp-train-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>A small nonlinear "amp": a soft clipper after a one-pole low-pass, on a mix of tones and noise (8 kHz).</summary>
    internal static AmpTrainingData SyntheticData(int seconds = 4)
    {
        const int rate = 8000;
        var n = seconds * rate;
        var random = new Random(5);
        var input = new float[n];
        var output = new float[n];
        double state = 0;
        for (var i = 0; i < n; i++)
        {
            var t = (double)i / rate;
            var envelope = 0.3 + (0.25 * Math.Sin(2 * Math.PI * 0.7 * t));
            input[i] = (float)(
                (envelope * Math.Sin(2 * Math.PI * 110 * t * (1 + (0.3 * t / seconds))))
                + (0.05 * (random.NextDouble() - 0.5))
            );
            state += 0.35 * (input[i] - state);
            output[i] = (float)(0.5 * Math.Tanh(3 * state));
        }

        var validation = rate / 2;
        return new AmpTrainingData(
            input,
            output,
            rate,
            new SampleRange(0, n - validation),
            new SampleRange(n - validation, validation)
        )
        {
            Description = "synthetic test data",
        };
    }

    internal static AmpTrainConfig SmallConfig(string model = "plain_wavenet", params string[] overrides) =>
        AmpTrainConfig.Parse(
            """
            seed: 3
            data:
              ny: 512
            model:
              type: plain_wavenet
              plain_wavenet:
                channels: 4
                layers: 4
            training:
              epochs: 4
              batch_size: 8
              lr: 0.01
              top_k: 2
              threads: 1
            loss:
              mse: 1
              pre_emph_mrstft: 0
            """,
            "test config",
            [$"model.type={model}", .. overrides]
        );

    private AmpTrainingResult Train(AmpTrainConfig config, string name, bool resume = false) =>
        new AmpTrainer(config, SyntheticData(), RunDirectory.At(Path.Combine(_root, name))).Run(resume);

    [Fact]
    public void Training_lowers_validation_esr_and_writes_the_run_directory()
    {
        var result = Train(SmallConfig(overrides: "training.epochs=6"), "run");
        var run = RunDirectory.At(result.RunDirectory);
        var rows = MetricsCsvLogger.Read(run.MetricsCsv);
        Assert.Equal(6, rows.Count);
        // 54 windows (512 outputs after 30 samples of context in 28,000), batches of 8, the last partial one dropped:
        // 6 steps, and an epoch's row has Lightning's step, the last one trained (0-based).
        Assert.Equal(5, rows[0]["step"]);
        Assert.True(
            rows[^1]["val/esr"] < 0.5 * rows[0]["val/esr"],
            $"validation ESR went from {rows[0]["val/esr"]} to {rows[^1]["val/esr"]}"
        );
        Assert.Equal(rows.Min(r => r["val/esr"]), result.ValidationEsr);
        Assert.True(File.Exists(run.ConfigFile));
        Assert.True(File.Exists(run.LastCheckpoint));
        Assert.True(File.Exists(run.SummaryJson));
        Assert.Single(Directory.GetFiles(run.TensorBoard, "events.out.tfevents.*"));
        // Top-2 plus last; the plain WaveNet has no .nam form, so no model.nam.
        Assert.Equal(3, Directory.GetFiles(run.Checkpoints, "*.ckpt").Length);
        Assert.Null(result.ModelPath);
        Assert.Equal(SmallConfig(overrides: "training.epochs=6").ResolvedYaml, File.ReadAllText(run.ConfigFile));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void Resumed_run_continues_exactly_like_an_uninterrupted_one(double emaDecay)
    {
        var ema = FormattableString.Invariant($"training.ema_decay={emaDecay}");
        Train(SmallConfig(overrides: ema), "straight");
        Train(SmallConfig(overrides: [ema, "training.epochs=2"]), "interrupted");
        Train(SmallConfig(overrides: ema), "interrupted", resume: true);
        var (straight, _) = SafeTensors.Load(Path.Combine(_root, "straight", "checkpoints", "last.ckpt"));
        var (resumed, _) = SafeTensors.Load(Path.Combine(_root, "interrupted", "checkpoints", "last.ckpt"));
        foreach (var (name, tensor) in straight.Where(kv => !kv.Key.StartsWith("rng/", StringComparison.Ordinal)))
        {
            Assert.Equal(tensor.bytes.ToArray(), resumed[name].bytes.ToArray());
        }

        var a = MetricsCsvLogger.Read(Path.Combine(_root, "straight", "metrics.csv"));
        var b = MetricsCsvLogger.Read(Path.Combine(_root, "interrupted", "metrics.csv"));
        Assert.Equal(a.Select(r => r["val/esr"]), b.Select(r => r["val/esr"]));
        Assert.Equal(a.Select(r => r["step"]), b.Select(r => r["step"]));
    }

    [Fact]
    public void Explicit_cpu_trains_bit_for_bit_like_the_default_and_a_checkpoint_resumes_under_another_device_field()
    {
        Train(SmallConfig(overrides: "training.epochs=3"), "auto");
        Train(SmallConfig(overrides: ["training.epochs=3", "training.accelerator=cpu"]), "cpu");
        // The checkpoint's tensors (its embedded config differs by the one key) and the metrics, byte for byte.
        var (auto, _) = SafeTensors.Load(Path.Combine(_root, "auto", "checkpoints", "last.ckpt"));
        var (cpu, _) = SafeTensors.Load(Path.Combine(_root, "cpu", "checkpoints", "last.ckpt"));
        Assert.Equal(auto.Keys.Order(), cpu.Keys.Order());
        foreach (var (name, tensor) in auto)
        {
            Assert.Equal(tensor.bytes.ToArray(), cpu[name].bytes.ToArray());
        }

        // metrics.csv apart from its two wall-clock columns.
        static IEnumerable<string> Values(string run) =>
            MetricsCsvLogger
                .Read(Path.Combine(run, "metrics.csv"))
                .SelectMany(r =>
                    r.Where(kv => !kv.Key.EndsWith("_seconds", StringComparison.Ordinal))
                        .Select(kv => FormattableString.Invariant($"{kv.Key}={kv.Value:R}"))
                );
        Assert.Equal(Values(Path.Combine(_root, "auto")), Values(Path.Combine(_root, "cpu")));

        // Written with accelerator=cpu, resumed with auto (CPU here): it loads and continues like an uninterrupted run.
        Train(SmallConfig(overrides: ["training.epochs=2", "training.accelerator=cpu"]), "moved");
        Train(SmallConfig(overrides: ["training.epochs=3", "training.accelerator=auto"]), "moved", resume: true);
        Assert.Equal(
            MetricsCsvLogger.Read(Path.Combine(_root, "auto", "metrics.csv")).Select(r => r["val/esr"]),
            MetricsCsvLogger.Read(Path.Combine(_root, "moved", "metrics.csv")).Select(r => r["val/esr"])
        );
        using var summary = System.Text.Json.JsonDocument.Parse(
            File.ReadAllText(Path.Combine(_root, "moved", "summary.json"))
        );
        Assert.Equal("cpu", summary.RootElement.GetProperty("device").GetProperty("name").GetString());
        Assert.Equal("auto", summary.RootElement.GetProperty("device").GetProperty("requested").GetString());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void A_checkpoint_in_the_earlier_amp_layout_exports_and_resumes_like_an_uninterrupted_run(double emaDecay)
    {
        var ema = FormattableString.Invariant($"training.ema_decay={emaDecay}");
        Train(SmallConfig(overrides: [ema, "training.epochs=3"]), "straight");
        Train(SmallConfig(overrides: [ema, "training.epochs=2"]), "old");
        var last = Path.Combine(_root, "old", "checkpoints", "last.ckpt");
        var (current, _) = SafeTensors.Load(last);
        var validated = current
            .Where(kv => kv.Key.StartsWith(TrainingCheckpoint.ModelPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value.bytes.ToArray());
        RewriteAsAmpVersion1(last, SmallConfig(overrides: ema));
        using (var old = AmpCheckpoint.Load(last))
        {
            Assert.Equal(TrainingCheckpoint.AmpFormatV1, old.Checkpoint.Layout);
            Assert.Equal(2, old.State.EpochsCompleted);
            // What export reads: the averaged weights where the run averaged, as the current layout's model/.
            using var model = SmallConfig(overrides: ema).Model.CreateModule(8000);
            old.LoadExportedWeights(model);
            foreach (var (name, tensor) in model.state_dict())
            {
                Assert.Equal(validated[TrainingCheckpoint.ModelPrefix + name], tensor.bytes.ToArray());
            }
        }

        Train(SmallConfig(overrides: [ema, "training.epochs=3"]), "old", resume: true);
        var (straight, _) = SafeTensors.Load(Path.Combine(_root, "straight", "checkpoints", "last.ckpt"));
        var (resumed, _) = SafeTensors.Load(last);
        Assert.Equal(straight.Keys.Order(), resumed.Keys.Order());
        foreach (var (name, tensor) in straight.Where(kv => !kv.Key.StartsWith("rng/", StringComparison.Ordinal)))
        {
            Assert.Equal(tensor.bytes.ToArray(), resumed[name].bytes.ToArray());
        }
    }

    /// <summary>
    /// What AmpCheckpoint.Save of the earlier layout wrote, from a checkpoint of this one: <c>model/</c> the live
    /// weights, <c>ema/</c> the averaged parameters, the loop's counters as <c>progress</c> and the scheduler apart.
    /// </summary>
    private static void RewriteAsAmpVersion1(string path, AmpTrainConfig config)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        var state = TrainingState.FromJson(metadata["state"], path);
        using var module = config.Model.CreateModule(8000);
        var parameters = module.named_parameters().Select(p => p.name).ToHashSet();
        var averaged = tensors.Keys.Any(k => k.StartsWith(TrainingCheckpoint.LivePrefix, StringComparison.Ordinal));
        var old = new Dictionary<string, TorchSharp.torch.Tensor>();
        foreach (var (name, tensor) in tensors)
        {
            if (name.StartsWith(TrainingCheckpoint.LivePrefix, StringComparison.Ordinal))
            {
                old["model/" + name[TrainingCheckpoint.LivePrefix.Length..]] = tensor;
            }
            else if (name.StartsWith(TrainingCheckpoint.ModelPrefix, StringComparison.Ordinal))
            {
                var weight = name[TrainingCheckpoint.ModelPrefix.Length..];
                if (!averaged)
                {
                    old[name] = tensor;
                }
                else if (parameters.Contains(weight))
                {
                    old["ema/" + weight] = tensor;
                }
            }
            else
            {
                old[name] = tensor;
            }
        }

        var progress = new
        {
            Epoch = state.EpochsCompleted - 1,
            state.GlobalStep,
            ValidationEsr = state.Metrics["val/esr"],
            BestValidationEsr = state.BestValue,
            state.BestEpoch,
            EpochsWithoutImprovement = state.EarlyStoppingWait,
            state.ElapsedSeconds,
            TopK = state
                .TopK.Select(r => new
                {
                    r.Epoch,
                    ValidationEsr = r.Value,
                    r.FileName,
                })
                .ToArray(),
        };
        var metadataV1 = new Dictionary<string, string>
        {
            ["format"] = TrainingCheckpoint.AmpFormatV1,
            ["config"] = metadata["config"],
            ["sample_rate"] = metadata["sample_rate"],
            ["scheduler"] = System.Text.Json.JsonSerializer.Serialize(state.Scheduler),
            ["progress"] = System.Text.Json.JsonSerializer.Serialize(progress),
        };
        if (metadata.TryGetValue("training_data", out var data))
        {
            metadataV1["training_data"] = data;
        }

        SafeTensors.Save(path, old, metadataV1);
    }

    [Fact]
    public void Early_stopping_ends_the_run_when_validation_stops_improving_and_a_run_that_never_improved_fails()
    {
        // With a zero learning rate nothing improves after the first epoch: early stopping ends the run after the
        // patience, and a run whose best epoch is still its first learned nothing (issue 29), which fails the stage.
        var error = Assert.Throws<NsmtCheckFailedException>(() =>
            Train(
                SmallConfig(overrides: ["training.lr=0", "training.early_stopping_patience=2", "training.epochs=10"]),
                "early"
            )
        );
        Assert.Contains(
            "the validation ESR never improved on the first epoch's",
            error.Message,
            StringComparison.Ordinal
        );
        Assert.Contains("in 3 epochs", error.Message, StringComparison.Ordinal);
        var run = RunDirectory.At(Path.Combine(_root, "early"));
        Assert.Equal(3, MetricsCsvLogger.Read(run.MetricsCsv).Count);
        Assert.Contains("training failed", File.ReadAllText(run.SummaryJson), StringComparison.Ordinal);
    }

    [Fact]
    public void Wavenet_run_exports_best_model_with_metadata_and_checkpoint_export_reproduces_it()
    {
        // With a weight average: model.nam and the exported checkpoint hold the averaged weights.
        var config = SmallConfig(
            "wavenet",
            "model.preset=nano",
            "training.epochs=2",
            "metadata.gear_type=pedal",
            "metadata.name=test pedal",
            "training.ema_decay=0.8"
        );
        var result = Train(config, "nano");
        Assert.NotNull(result.ModelPath);
        var model = NamFile.Load(result.ModelPath!);
        Assert.Equal(8000, model.SampleRate);
        Assert.Equal("pedal", model.Metadata!.GearType);
        Assert.Equal("test pedal", model.Metadata.Name);
        Assert.Equal(result.ValidationEsr, model.Metadata.Training!.ValidationEsr!.Value, 12);
        Assert.True(model.Metadata.Loudness is < 0 and > -120);
        Assert.InRange(model.Metadata.Gain!.Value, 0, 1);
        // Every kept checkpoint has its .nam twin.
        var checkpoints = Directory.GetFiles(Path.Combine(result.RunDirectory, "checkpoints"), "*.ckpt");
        Assert.All(checkpoints, c => Assert.True(File.Exists(Path.ChangeExtension(c, ".nam")), c));

        var best = Directory
            .GetFiles(Path.Combine(result.RunDirectory, "checkpoints"), $"epoch={result.BestEpoch:0000}_*.ckpt")
            .Single();
        var exported = Path.Combine(_root, "exported.nam");
        CheckpointExport.ToNam(best, exported);
        Assert.Equal(model.Weights, NamFile.Load(exported).Weights);
    }

    [Fact]
    public void The_trained_model_adds_no_delay_and_the_run_says_so()
    {
        // Issue 16: a model trained on a late alignment learns to delay its output. Here the data is
        // aligned (the target answers the input at once), so the model must answer at once too.
        var result = Train(SmallConfig("wavenet", "model.preset=nano", "training.epochs=3"), "delay");

        var delay = result.AddedDelay!;
        Assert.InRange(delay.AddedDelay, -1, 1);
        Assert.InRange(delay.ModelOnset!.Value, delay.TargetOnset!.Value - 1, delay.TargetOnset.Value + 1);
        Assert.InRange(delay.TargetOnset.Value, 0, 1);
        using var summary = System.Text.Json.JsonDocument.Parse(
            File.ReadAllText(RunDirectory.At(result.RunDirectory).SummaryJson)
        );
        Assert.Equal(delay.AddedDelay, summary.RootElement.GetProperty("added_delay_samples").GetDouble(), 12);
        // The model file is named relative to the run folder, so the record stays true where the folder moves (a
        // pipeline trains in a temporary folder and publishes it under the stage's name).
        var model = summary.RootElement.GetProperty("model").GetString()!;
        Assert.Equal("model.nam", model);
        var published = Path.Combine(_root, "published");
        Directory.Move(result.RunDirectory, published);
        Assert.True(File.Exists(Path.Combine(published, model)));
    }

    [Fact]
    public void A_non_finite_loss_fails_the_run_without_saving_the_lost_model()
    {
        // Per-item ESR is infinite on a silent target window: the run must stop, not crash or save NaNs, and fail as a
        // stage (issue 29: a diverged training exited 0 without model.nam and the next stage failed instead).
        var data = SyntheticData();
        Array.Clear(data.Output, 0, 8_000);
        var config = SmallConfig(overrides: ["loss.mse=0", "loss.esr=1", "training.batch_size=54"]);
        var run = RunDirectory.At(Path.Combine(_root, "diverged"));
        var error = Assert.Throws<NsmtCheckFailedException>(() => new AmpTrainer(config, data, run).Run());
        Assert.StartsWith("training failed: the training loss became ", error.Message, StringComparison.Ordinal);
        Assert.Contains(" in epoch 1 (diverged", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(run.LastCheckpoint));
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(run.SummaryJson));
        Assert.StartsWith(
            "training failed",
            summary.RootElement.GetProperty("stop_reason").GetString(),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Lstm_trains_with_burn_in_and_exports()
    {
        var config = SmallConfig(
            "lstm",
            "model.preset=nano",
            "model.lstm_burn_in=64",
            "data.ny=256",
            "training.epochs=1"
        );
        var result = Train(config, "lstm");
        Assert.True(double.IsFinite(result.ValidationEsr));
        var model = NamFile.Load(result.ModelPath!);
        Assert.Equal(709, model.Weights.Length);
    }

    [Fact]
    public void An_export_from_a_checkpoint_carries_the_alignment_the_training_used()
    {
        // Issue 28: AmpTrain export wrote a .nam without metadata.training.data, so evaluation re-detected the
        // alignment on new audio instead of scoring the model on the one it learned.
        var latency = new Nsmt.Amp.Format.NamLatencyMetadata
        {
            Calibration = new Nsmt.Amp.Format.NamLatencyCalibration
            {
                AlgorithmVersion = 1,
                Delays = [13, 14],
                SafetyFactor = 1,
                Recommended = 12,
            },
        };
        var data = SyntheticData() with
        {
            Latency = latency,
            Checks = new Nsmt.Amp.Format.NamDataChecks { Version = 1, Passed = true },
        };
        var config = SmallConfig("lstm", "model.preset=nano", "data.ny=256", "training.epochs=1");
        var result = new AmpTrainer(config, data, RunDirectory.At(Path.Combine(_root, "aligned"))).Run();
        var exported = Path.Combine(_root, "aligned-export.nam");

        CheckpointExport.ToNam(Path.Combine(result.RunDirectory, "checkpoints", "last.ckpt"), exported);

        var trained = NamFile.Load(result.ModelPath!).Metadata!.Training!.Data!;
        var fromCheckpoint = NamFile.Load(exported).Metadata!.Training!.Data!;
        Assert.Equal(new Nsmt.Amp.Ingest.Alignment(12, 1), Nsmt.Amp.Ingest.Alignment.Of(fromCheckpoint.Latency));
        Assert.Equal(trained.Latency, fromCheckpoint.Latency);
        Assert.Equal(trained.Checks, fromCheckpoint.Checks);
    }

    private string TrainedCheckpoint(string name)
    {
        var result = Train(SmallConfig("lstm", "model.preset=nano", "data.ny=256", "training.epochs=1"), name);
        return Path.Combine(result.RunDirectory, "checkpoints", "last.ckpt");
    }

    [Fact]
    public void Export_refuses_an_output_that_is_its_checkpoint_by_path_or_link()
    {
        var last = TrainedCheckpoint("export-self");
        var before = File.ReadAllBytes(last);
        var link = Path.Combine(_root, "link.nam");
        File.CreateSymbolicLink(link, last);
        var dotted = Path.Combine(Path.GetDirectoryName(last)!, ".", "last.ckpt");
        foreach (var output in new[] { last, link, dotted })
        {
            var error = Assert.Throws<Nsmt.Core.NsmtInputException>(() => CheckpointExport.ToNam(last, output));
            Assert.Contains("same file", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, File.ReadAllBytes(last));
        Assert.Equal("symbolic link", SpecialFiles.TypeOf(link));
        using var reloaded = AmpCheckpoint.Load(last);
        Assert.Equal(1, reloaded.State.EpochsCompleted);
    }

    [RootFact]
    public void Export_into_a_device_node_writes_through_it()
    {
        var checkpoint = TrainedCheckpoint("export-device");
        var node = SpecialFiles.NullDevice(_root);
        CheckpointExport.ToNam(checkpoint, node);
        Assert.Equal("character special file", SpecialFiles.TypeOf(node));
    }

    [Fact]
    public void A_time_budget_ends_an_epoch_between_batches_and_saves_what_it_trained()
    {
        // 60 s of audio in 512-sample windows: about 115 steps an epoch, far more than one budget of 1 ms allows.
        var config = SmallConfig(overrides: ["training.max_seconds=0.001", "training.epochs=3"]);
        var result = new AmpTrainer(
            config,
            SyntheticData(seconds: 60),
            RunDirectory.At(Path.Combine(_root, "budget"))
        ).Run();

        Assert.Matches(
            @"^time budget of 0 s reached after 1 of \d+ steps of epoch 1; the model so far is validated and saved$",
            result.StopReason
        );
        Assert.Equal(1, result.Epochs);
        using var last = AmpCheckpoint.Load(Path.Combine(_root, "budget", "checkpoints", "last.ckpt"));
        Assert.Equal(1, last.State.EpochsCompleted);
        Assert.Equal(1, last.State.GlobalStep);
        Assert.Single(MetricsCsvLogger.Read(Path.Combine(_root, "budget", "metrics.csv")));
    }
}
