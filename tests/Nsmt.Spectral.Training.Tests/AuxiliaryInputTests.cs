using System.Diagnostics;
using Nsmt.Config;
using Nsmt.Runs;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training.Config;
using Nsmt.Spectral.Training.Data;

namespace Nsmt.Spectral.Training.Tests;

/// <summary>data.auxiliary_features and model.net.auxiliary_*: the template's auxiliary-input experiments.</summary>
public class AuxiliaryInputTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    [Fact]
    public void Auxiliary_cnn_256dss_trains_within_the_test_budget()
    {
        // The template's experiment as shipped (50 epochs of cnn_64k_auxiliary on simple_saw 256), on one thread.
        var config = TrainConfig.Load(
            RepoPaths.Configs,
            "auxiliary_cnn_256dss",
            ["logger.tensorboard=false", "trainer.max_epochs=10", "trainer.threads=1"]
        );
        Assert.Equal(["decay_time"], config.Data.AuxiliaryFeatures);
        using var run = new TempDir();
        var clock = Stopwatch.StartNew();
        var result = new Trainer(config).Fit(data.Dataset, RunDirectory.At(run.Path));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), $"took {clock.Elapsed}");
        Assert.True(result.EpochsCompleted >= 10);
        // 24 decay classes (majority 0.06 on the 52 test samples): the measured decay time carries the label.
        Assert.True(
            result.Bests["val/log10_decay_time_acc_best"] > 0.3,
            $"decay accuracy {result.Bests["val/log10_decay_time_acc_best"]}"
        );

        // The checkpoint holds the auxiliary branch and the training split's feature scaling; evaluation rebuilds both.
        using var checkpoint = Checkpoint.Load(result.BestCheckpoint!);
        using var model = checkpoint.CreateModel();
        Assert.Equal(1, model.AuxiliaryInputSize);
        using var train = DatasetTensors.FromSplit(data.Dataset.Train, data.Dataset.Info, ["decay_time"]);
        var (mean, std) = train.AuxiliaryStatistics();
        Assert.Equal(mean.item<float>(), checkpoint.Model["auxiliary_scaling.mean"].item<float>());
        Assert.Equal(std.item<float>(), checkpoint.Model["auxiliary_scaling.std"].item<float>());
        using var validation = DatasetTensors.FromSplit(data.Dataset.Test, data.Dataset.Info, ["decay_time"]);
        var evaluated = SplitEvaluation.Run(
            model,
            Losses.HeadObjectives.Create(config.Model, model.Heads),
            validation,
            32
        );
        Assert.Equal(result.Bests["val/log10_decay_time_acc_best"], evaluated.Accuracy(1), 9);
    }

    [Fact]
    public void Feature_names_and_sizes_are_checked_against_the_registry_and_the_data()
    {
        var e = Assert.Throws<ConfigException>(() =>
            TrainConfig.Load(RepoPaths.Configs, "auxiliary_cnn_256dss", ["data.auxiliary_features=[decay_tme]"])
        );
        Assert.Contains("unknown feature 'decay_tme' (did you mean 'decay_time'?)", e.Message);
        var config = TrainConfig.Load(RepoPaths.Configs, "auxiliary_cnn_256dss", ["model.net.auxiliary_input_size=2"]);
        var m = Assert.Throws<ModelConfigException>(() =>
            ModelFactory.Create(
                config.Model.Network,
                DatasetHeads.From(data.Dataset.Heads),
                new InputShape(1, 32, 32),
                auxiliaryInputs: 1
            )
        );
        Assert.Contains("auxiliary_input_size: expected 1", m.Message);
    }

    [Fact]
    public void Several_features_train_together_on_any_architecture()
    {
        var config = TrainConfig.Load(
            RepoPaths.Configs,
            "trivial_micro_small",
            [
                "logger.tensorboard=false",
                "trainer.threads=1",
                "trainer.max_epochs=1",
                "+data.auxiliary_features=[decay_time,rms_db,spectral_centroid]",
            ]
        );
        using var run = new TempDir();
        var result = new Trainer(config).Fit(data.Dataset, RunDirectory.At(run.Path));
        using var checkpoint = Checkpoint.Load(result.LastCheckpoint!);
        using var model = checkpoint.CreateModel();
        Assert.Equal(3, model.AuxiliaryInputSize);
        Assert.True(double.IsFinite(result.FinalMetrics["train/loss"]));
    }
}
