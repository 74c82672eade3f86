using System.Text.Json;
using Nsmt.Neural;
using Nsmt.Neural.IO;
using Nsmt.Neural.Optimization;
using Nsmt.Neural.Training;
using Nsmt.Runs;
using Nsmt.Spectral.Training.Config;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Tests;

/// <summary>
/// Checkpoints of the spectral layout written before the shared training core (nsmt-checkpoint/1: <c>model.</c> the
/// averaged weights, <c>live.</c> the live ones, <c>rng_state</c>, <c>trainer_state</c>) still evaluate and resume.
/// </summary>
public class LegacyCheckpointTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    private static TrainConfig Config(params string[] overrides) =>
        TrainConfig.Load(
            RepoPaths.Configs,
            "trivial_micro_small",
            [
                "logger.tensorboard=false",
                "trainer.threads=1",
                "trainer.min_epochs=3",
                "trainer.max_epochs=3",
                .. overrides,
            ]
        );

    [Theory]
    [InlineData("+callbacks.weight_averaging.decay=0")]
    [InlineData("+callbacks.weight_averaging.decay=0.9")]
    public void A_checkpoint_in_the_earlier_spectral_layout_loads_and_resumes_like_an_uninterrupted_run(
        string averaging
    )
    {
        using var whole = new TempDir();
        using var split = new TempDir();
        var config = Config(averaging);
        new Trainer(config).Fit(data.Dataset, RunDirectory.At(whole.Path));
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(config, new TrainerTests.CancelAfterEpoch(1, cancel)).Fit(
                data.Dataset,
                RunDirectory.At(split.Path),
                null,
                cancel.Token
            )
        );
        var last = Path.Combine(split.Path, "checkpoints", "last.ckpt");
        var expectedModel = Tensors(last, TrainingCheckpoint.ModelPrefix);
        RewriteAsVersion1(last);
        using (var old = Checkpoint.Load(last))
        {
            Assert.Equal(2, old.State.EpochsCompleted);
            Assert.Equal(TrainingCheckpoint.SpectralFormatV1, old.Layout);
            // Evaluation reads the same (averaged) model from the old layout.
            Assert.Equal(expectedModel.Keys.Order(), old.Model.Keys.Order());
            foreach (var (name, values) in expectedModel)
            {
                Assert.Equal(values, old.Model[name].to(ScalarType.Float64).ToArray<double>());
            }

            using var model = old.CreateModel();
        }

        new Trainer(config).Fit(data.Dataset, RunDirectory.At(split.Path), last);
        var a = Tensors(Path.Combine(whole.Path, "checkpoints", "last.ckpt"), "");
        var b = Tensors(last, "");
        foreach (var (name, values) in a.Where(t => !t.Key.StartsWith("rng/", StringComparison.Ordinal)))
        {
            Assert.Equal(values, b[name]);
        }
    }

    [Fact]
    public void A_file_of_another_layout_or_domain_is_refused_naming_its_layout()
    {
        using var run = new TempDir();
        new Trainer(Config("trainer.max_epochs=1", "trainer.min_epochs=1")).Fit(
            data.Dataset,
            RunDirectory.At(run.Path)
        );
        var last = Path.Combine(run.Path, "checkpoints", "last.ckpt");
        var (tensors, loaded) = SafeTensors.Load(last);
        // Without the file's own integrity record, which SafeTensors.Save writes anew.
        var metadata = loaded.Where(kv => !kv.Key.StartsWith("nsmt.", StringComparison.Ordinal)).ToDictionary();
        var other = Path.Combine(run.Path, "other.ckpt");
        SafeTensors.Save(other, tensors, new Dictionary<string, string>(metadata) { ["format"] = "lightning/2" });
        var unknown = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(other));
        Assert.Contains("'lightning/2'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains(TrainingCheckpoint.Format, unknown.Message, StringComparison.Ordinal);
        SafeTensors.Save(other, tensors, new Dictionary<string, string>(metadata) { ["domain"] = "amp" });
        var amp = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(other));
        Assert.Contains("a checkpoint of amp training", amp.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, double[]> Tensors(string path, string prefix)
    {
        var (tensors, _) = SafeTensors.Load(path);
        return tensors
            .Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Key[prefix.Length..], t => t.Value.to(ScalarType.Float64).ToArray<double>());
    }

    /// <summary>What the spectral Checkpoint.Save of the earlier layout wrote, from a checkpoint of this one.</summary>
    private static void RewriteAsVersion1(string path)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        var state = TrainingState.FromJson(metadata["state"], path);
        var old = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in tensors)
        {
            var renamed = name switch
            {
                TrainingCheckpoint.RngTensor => "rng_state",
                OptimizerStates.TensorName => name,
                _ when name.StartsWith(TrainingCheckpoint.ModelPrefix, StringComparison.Ordinal) => "model."
                    + name[TrainingCheckpoint.ModelPrefix.Length..],
                _ => "live." + name[TrainingCheckpoint.LivePrefix.Length..],
            };
            old[renamed] = tensor;
        }

        var trainerState = new
        {
            state.EpochsCompleted,
            state.GlobalStep,
            BestMonitorValue = state.BestValue,
            state.BestEpoch,
            state.EarlyStoppingBest,
            state.EarlyStoppingWait,
            state.MetricBests,
            state.Scheduler,
            state.Metrics,
        };
        SafeTensors.Save(
            path,
            old,
            new Dictionary<string, string>
            {
                ["format"] = TrainingCheckpoint.SpectralFormatV1,
                ["config"] = metadata["config"],
                ["dataset"] = metadata["dataset"],
                ["trainer_state"] = JsonSerializer.Serialize(trainerState),
            }
        );
    }
}
