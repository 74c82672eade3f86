using Nsmt.Config;
using Nsmt.Neural;
using Nsmt.Neural.Optimization;
using Nsmt.Neural.Training;
using Nsmt.Runs;
using Nsmt.Spectral.Training.Config;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Tests;

public class WeightAveragingTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    private static TrainConfig Config(params string[] overrides) =>
        TrainConfig.Load(
            RepoPaths.Configs,
            "trivial_micro_small",
            ["logger.tensorboard=false", "trainer.threads=1", .. overrides]
        );

    [Fact]
    public void Average_follows_the_ema_rule_and_batchnorm_statistics_are_recomputed_for_it()
    {
        // Expected values worked by hand from avg = decay * avg + (1 - decay) * w (timm's ModelEmaV2) and, for the
        // statistics, PyTorch's update_bn (momentum None: the plain mean and unbiased variance over the batches).
        using var model = nn.Sequential(("fc", nn.Linear(2, 1)), ("bn", nn.BatchNorm1d(1)));
        var state = model.state_dict();
        using (no_grad())
        {
            state["fc.weight"].copy_(tensor(new float[] { 1, 2 }).reshape(1, 2));
            state["fc.bias"].copy_(tensor(new float[] { 0.5f }));
        }
        using var average = new WeightAverage(model, 0.75);
        Assert.Equal(["fc.weight", "fc.bias", "bn.weight", "bn.bias"], average.Names);

        using (no_grad())
        {
            state["fc.weight"].copy_(tensor(new float[] { 3, -2 }).reshape(1, 2));
            state["fc.bias"].copy_(tensor(new float[] { 1.5f }));
        }
        // One training forward: fc(x) = 3 - 2 + 1.5 = 2.5 and 3*3 - 2*1 + 1.5 = 8.5 for x = [1,1], [3,1];
        // running_mean = 0.9 * 0 + 0.1 * 5.5 = 0.55, num_batches_tracked 1.
        model.train();
        using var x = tensor(new float[] { 1, 1, 3, 1 }).reshape(2, 2);
        using (no_grad())
        {
            model.forward(x).Dispose();
        }

        average.Update();

        var live = new[]
        {
            state["fc.weight"].ToArray<float>(),
            state["fc.bias"].ToArray<float>(),
            state["bn.running_mean"].ToArray<float>(),
        };
        using (average.Apply())
        {
            // 0.75 * [1, 2] + 0.25 * [3, -2] = [1.5, 1.0]; bias 0.75 * 0.5 + 0.25 * 1.5 = 0.75.
            Assert.Equal([1.5f, 1.0f], state["fc.weight"].ToArray<float>());
            Assert.Equal([0.75f], state["fc.bias"].ToArray<float>());

            // The averaged fc gives 1.5 + 1 + 0.75 = 3.25 and 4.5 + 1 + 0.75 = 6.25: mean 4.75, unbiased variance 4.5.
            WeightAverage.RecomputeBatchNorm(model, [x.clone()], input => model.forward(input).Dispose());
            Assert.Equal(4.75f, state["bn.running_mean"].ToArray<float>()[0], 5);
            Assert.Equal(4.5f, state["bn.running_var"].ToArray<float>()[0], 5);
            Assert.True(model.training); // the mode the model had
        }

        // The live weights and statistics come back, the counter too.
        Assert.Equal(live[0], state["fc.weight"].ToArray<float>());
        Assert.Equal(live[1], state["fc.bias"].ToArray<float>());
        Assert.Equal(live[2], state["bn.running_mean"].ToArray<float>());
        Assert.Equal(1L, state["bn.num_batches_tracked"].item<long>());
        Assert.Equal(0.1, ((TorchSharp.Modules.BatchNorm1d)model.children().Last()).momentum);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage(model, 1.0));
    }

    [Fact]
    public void Decay_out_of_range_is_a_config_error_naming_the_key()
    {
        var e = Assert.Throws<ConfigException>(() => Config("+callbacks.weight_averaging.decay=1.5"));
        Assert.Contains("callbacks.weight_averaging.decay", e.Message);
    }

    [Fact]
    public void Validation_and_checkpoints_use_the_average_and_resume_continues_it_exactly()
    {
        using var whole = new TempDir();
        using var split = new TempDir();
        var config = Config("trainer.min_epochs=4", "trainer.max_epochs=4", "+callbacks.weight_averaging.decay=0.9");
        Assert.Equal(0.9, config.WeightAveraging.Decay);
        new Trainer(config).Fit(data.Dataset, RunDirectory.At(whole.Path));

        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(config, new CancelAfter(1, cancel)).Fit(
                data.Dataset,
                RunDirectory.At(split.Path),
                null,
                cancel.Token
            )
        );
        var last = Path.Combine(split.Path, "checkpoints", "last.ckpt");
        new Trainer(config).Fit(data.Dataset, RunDirectory.At(split.Path), last);

        using var a = Checkpoint.Load(Path.Combine(whole.Path, "checkpoints", "last.ckpt"));
        using var b = Checkpoint.Load(last);
        foreach (
            var (name, t) in a.Tensors.Where(t =>
                t.Key.StartsWith(TrainingCheckpoint.ModelPrefix, StringComparison.Ordinal)
                || t.Key.StartsWith(TrainingCheckpoint.LivePrefix, StringComparison.Ordinal)
            )
        )
        {
            Assert.Equal(
                t.to(ScalarType.Float64).ToArray<double>(),
                b.Tensors[name].to(ScalarType.Float64).ToArray<double>()
            );
        }

        // model/ is the average (different from the live weights) and reproduces the logged validation loss.
        var averaged = a.Model;
        var live = a.Live;
        Assert.Equal(averaged.Keys.Order(), live.Keys.Order());
        Assert.Contains(averaged.Keys, k =>
            averaged[k].is_floating_point() && !averaged[k].eq(live[k]).all().item<bool>()
        );
        using var model = a.CreateModel();
        var objectives = Losses.HeadObjectives.Create(a.Config.Model, a.Heads);
        using var validation = Data.DatasetTensors.FromSplit(data.Dataset.Test);
        var rows = MetricsCsvLogger.Read(Path.Combine(whole.Path, "metrics.csv"));
        Assert.Equal(rows[^1]["val/loss"], SplitEvaluation.Run(model, objectives, validation, 32).Loss, 5);
        Assert.Equal(
            rows.Select(r => r["val/loss"]),
            MetricsCsvLogger.Read(Path.Combine(split.Path, "metrics.csv")).Select(r => r["val/loss"])
        );
    }

    private sealed class CancelAfter(int epoch, CancellationTokenSource cancel) : ProgressReporter
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
}
