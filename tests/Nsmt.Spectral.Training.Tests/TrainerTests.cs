using System.Diagnostics;
using Nsmt.Neural;
using Nsmt.Runs;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Generation;
using Nsmt.Spectral.Training.Config;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Tests;

/// <summary>simple_saw, 256 samples, generated once for the trainer tests.</summary>
public sealed class SmallDataset : IDisposable
{
    private readonly TempDir _dir = new();

    public SmallDataset()
    {
        var config = Nsmt.Spectral.Data.Config.GeneratorConfig.Load(
            Path.Combine(RepoPaths.Configs, "synth", "simple_saw.yaml"),
            ["dataset.size=256"]
        );
        Directory = Path.Combine(_dir.Path, "simple_saw_256");
        DatasetGenerator.Generate(config, new GenerationOptions { OutputDirectory = Directory, WriteReports = false });
        Dataset = VimhDataset.Load(Directory);
    }

    public string Directory { get; }
    public VimhDataset Dataset { get; }

    public void Dispose() => _dir.Dispose();
}

public class TrainerTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    private static TrainConfig Config(params string[] overrides) =>
        TrainConfig.Load(
            RepoPaths.Configs,
            "trivial_micro_small",
            ["logger.tensorboard=false", "trainer.threads=1", .. overrides]
        );

    private static Dictionary<string, float[]> Weights(string checkpoint)
    {
        using var c = Checkpoint.Load(checkpoint);
        return c.Model.ToDictionary(p => p.Key, p => p.Value.to(ScalarType.Float32).ToArray<float>());
    }

    [Fact]
    public void Same_config_and_seed_give_bit_identical_weights_and_run_files()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        new Trainer(Config("trainer.max_epochs=2")).Fit(data.Dataset, RunDirectory.At(a.Path));
        new Trainer(Config("trainer.max_epochs=2")).Fit(data.Dataset, RunDirectory.At(b.Path));
        var wa = Weights(Path.Combine(a.Path, "checkpoints", "last.ckpt"));
        var wb = Weights(Path.Combine(b.Path, "checkpoints", "last.ckpt"));
        Assert.Equal(wa.Keys, wb.Keys);
        foreach (var key in wa.Keys)
        {
            Assert.Equal(wa[key], wb[key]);
        }
        // Byte for byte too, so the pipeline sees an unchanged output (timings live in timing.json).
        foreach (
            var file in new[]
            {
                "checkpoints/last.ckpt",
                "checkpoints/best.ckpt",
                "metrics.csv",
                "summary.json",
                "config.yaml",
            }
        )
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, file)), File.ReadAllBytes(Path.Combine(b.Path, file)));
        }
    }

    [Fact]
    public void Explicit_cpu_trains_bit_for_bit_like_the_default_and_the_run_record_names_the_device()
    {
        using var auto = new TempDir();
        using var cpu = new TempDir();
        new Trainer(Config("trainer.max_epochs=2")).Fit(data.Dataset, RunDirectory.At(auto.Path));
        new Trainer(Config("trainer.max_epochs=2", "trainer.accelerator=cpu")).Fit(
            data.Dataset,
            RunDirectory.At(cpu.Path)
        );
        // The checkpoints' tensors (their embedded config differs by the one key) and the metrics, byte for byte.
        foreach (var file in new[] { "checkpoints/last.ckpt", "checkpoints/best.ckpt" })
        {
            var (expected, _) = Nsmt.Neural.IO.SafeTensors.Load(Path.Combine(auto.Path, file));
            var (actual, _) = Nsmt.Neural.IO.SafeTensors.Load(Path.Combine(cpu.Path, file));
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (name, tensor) in expected)
            {
                Assert.Equal(tensor.bytes.ToArray(), actual[name].bytes.ToArray());
            }
        }
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(auto.Path, "metrics.csv")),
            File.ReadAllBytes(Path.Combine(cpu.Path, "metrics.csv"))
        );
        using var summary = System.Text.Json.JsonDocument.Parse(
            File.ReadAllText(Path.Combine(cpu.Path, "summary.json"))
        );
        var device = summary.RootElement.GetProperty("device");
        Assert.Equal("cpu", device.GetProperty("name").GetString());
        Assert.Equal("cpu", device.GetProperty("requested").GetString());
        Assert.Equal("asked for", device.GetProperty("reason").GetString());
    }

    [Fact]
    public void A_device_the_libtorch_lacks_fails_before_training_naming_the_build_property()
    {
        if (cuda.is_available())
        {
            return; // the refusal is for a build without CUDA (TrainingDeviceTests covers it with a fake probe)
        }

        using var run = new TempDir();
        var error = Assert.Throws<Nsmt.Core.NsmtEnvironmentException>(() =>
            new Trainer(Config("trainer.max_epochs=1", "trainer.accelerator=cuda")).Fit(
                data.Dataset,
                RunDirectory.At(run.Path)
            )
        );
        Assert.Contains("TorchBackend=cuda", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(run.Path, "metrics.csv")));
    }

    [Fact]
    public void Stopping_after_epoch_3_and_resuming_gives_the_weights_of_an_uninterrupted_run()
    {
        using var whole = new TempDir();
        using var split = new TempDir();
        var config = Config("trainer.min_epochs=5", "trainer.max_epochs=5", "model.scheduler.patience=0");
        new Trainer(config).Fit(data.Dataset, RunDirectory.At(whole.Path));

        using var cancel = new CancellationTokenSource();
        var stopper = new CancelAfterEpoch(2, cancel);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(config, stopper).Fit(data.Dataset, RunDirectory.At(split.Path), null, cancel.Token)
        );
        var last = Path.Combine(split.Path, "checkpoints", "last.ckpt");
        using (var interrupted = Checkpoint.Load(last))
        {
            Assert.Equal(3, interrupted.State.EpochsCompleted);
        }

        var resumed = new Trainer(config).Fit(data.Dataset, RunDirectory.At(split.Path), last);

        Assert.Equal(5, resumed.EpochsCompleted);
        var expected = Weights(Path.Combine(whole.Path, "checkpoints", "last.ckpt"));
        var actual = Weights(last);
        foreach (var key in expected.Keys)
        {
            Assert.Equal(expected[key], actual[key]);
        }

        var wholeRows = MetricsCsvLogger.Read(Path.Combine(whole.Path, "metrics.csv"));
        var splitRows = MetricsCsvLogger.Read(Path.Combine(split.Path, "metrics.csv"));
        Assert.Equal(wholeRows.Select(r => r["val/loss"]), splitRows.Select(r => r["val/loss"]));
        Assert.Equal(wholeRows.Select(r => r["lr"]), splitRows.Select(r => r["lr"]));
    }

    [Fact]
    public void Early_stopping_waits_patience_epochs_without_improvement()
    {
        using var run = new TempDir();
        // note_velocity 126 vs 127 give identical images, so its accuracy cannot improve after the first epoch
        // beyond the majority class; a min_delta of 1 makes any change count as no improvement.
        var result = new Trainer(
            Config(
                "trainer.min_epochs=1",
                "trainer.max_epochs=10",
                "callbacks.early_stopping.monitor=val/loss",
                "callbacks.early_stopping.mode=min",
                "callbacks.early_stopping.min_delta=100",
                "callbacks.early_stopping.patience=2"
            )
        ).Fit(data.Dataset, RunDirectory.At(run.Path));
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.EpochsCompleted);
    }

    [Fact]
    public void Run_directory_has_config_metrics_with_template_names_and_checkpoints_that_reproduce_validation()
    {
        using var run = new TempDir();
        var result = new Trainer(Config("trainer.max_epochs=3", "logger.tensorboard=true")).Fit(
            data.Dataset,
            RunDirectory.At(run.Path)
        );
        var rows = MetricsCsvLogger.Read(Path.Combine(run.Path, "metrics.csv"));
        Assert.Equal(3, rows.Count);
        foreach (
            var name in new[]
            {
                "train/loss",
                "val/loss",
                "val/note_velocity_acc",
                "val/log10_decay_time_acc",
                "val/acc",
                "val/acc_best",
                "val/log10_decay_time_acc_best",
                "epoch",
                "step",
            }
        )
        {
            Assert.Contains(name, rows[0].Keys);
        }

        Assert.Equal(rows.Max(r => r["val/acc"]), rows[^1]["val/acc_best"]);
        Assert.Equal(
            (rows[0]["val/note_velocity_acc"] + rows[0]["val/log10_decay_time_acc"]) / 2,
            rows[0]["val/acc"],
            12
        );
        Assert.Single(Directory.GetFiles(Path.Combine(run.Path, "tensorboard"), "events.out.tfevents.*"));
        Assert.True(File.Exists(Path.Combine(run.Path, "config.yaml")));

        // The last checkpoint alone (config + dataset metadata inside) rebuilds the model and its validation accuracy.
        using var checkpoint = Checkpoint.Load(result.LastCheckpoint!);
        using var model = checkpoint.CreateModel();
        var objectives = Losses.HeadObjectives.Create(checkpoint.Config.Model, checkpoint.Heads);
        using var validation = Data.DatasetTensors.FromSplit(data.Dataset.Test);
        var evaluation = SplitEvaluation.Run(model, objectives, validation, 32);
        Assert.Equal(rows[^1]["val/log10_decay_time_acc"], evaluation.Accuracy(1), 12);
        Assert.Equal(rows[^1]["val/loss"], evaluation.Loss, 5);
    }

    [Fact]
    public void Memory_stays_flat_over_fifteen_epochs()
    {
        using var run = new TempDir();
        var probe = new ResidentMemoryProbe();
        new Trainer(Config("trainer.min_epochs=15", "trainer.max_epochs=15", "logger.csv=false"), probe).Fit(
            data.Dataset,
            RunDirectory.At(run.Path)
        );
        Assert.Equal(15, probe.Samples.Count);
        var growth = probe.Samples[^1] - probe.Samples[1];
        Assert.True(growth < 24L << 20, $"resident memory grew {growth >> 20} MB between epoch 2 and 15");
    }

    /// <summary>Cancels the run once epoch <paramref name="epoch"/> (0-based) is complete.</summary>
    internal sealed class CancelAfterEpoch(int epoch, CancellationTokenSource cancel) : ProgressReporter
    {
        public override void EpochStarted(int e, int maxEpochs, int stepsInEpoch) { }

        public override void StepCompleted(int stepInEpoch, double loss, double samplesPerSecond) { }

        public override void EpochCompleted(
            int e,
            IReadOnlyDictionary<string, double> metrics,
            double samplesPerSecond,
            TimeSpan duration
        )
        {
            if (e == epoch)
            {
                cancel.Cancel();
            }
        }
    }

    private sealed class ResidentMemoryProbe : ProgressReporter
    {
        public List<long> Samples { get; } = [];

        public override void EpochStarted(int e, int maxEpochs, int stepsInEpoch) { }

        public override void StepCompleted(int stepInEpoch, double loss, double samplesPerSecond) { }

        public override void EpochCompleted(
            int e,
            IReadOnlyDictionary<string, double> metrics,
            double samplesPerSecond,
            TimeSpan duration
        )
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var self = Process.GetCurrentProcess();
            Samples.Add(self.WorkingSet64);
        }
    }
}
