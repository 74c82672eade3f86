using System.Collections.Concurrent;
using Nsmt.Config;
using Nsmt.Runs;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Generation;
using Nsmt.Spectral.Training.Config;

namespace Nsmt.Spectral.Training.Tests;

/// <summary>Small versions (24 samples) of each generator config the experiments use, generated on demand.</summary>
public sealed class SmallDatasets : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentDictionary<string, VimhDataset> _cache = new();

    public VimhDataset For(string generator) => _cache.GetOrAdd(generator, g =>
        {
            var config = Nsmt.Spectral.Data.Config.GeneratorConfig.Load(
                Path.Combine(RepoPaths.Root, g),
                ["dataset.size=24"]
            );
            var output = Path.Combine(_dir.Path, Path.GetFileNameWithoutExtension(g));
            DatasetGenerator.Generate(config, new GenerationOptions { OutputDirectory = output, WriteReports = false });
            return VimhDataset.Load(output);
        });

    public void Dispose() => _dir.Dispose();
}

public class ExperimentSmokeTests(SmallDatasets datasets) : IClassFixture<SmallDatasets>
{
    public static TheoryData<string> Experiments() => [.. new ConfigComposer(RepoPaths.Configs).Experiments()];

    /// <summary>Every row of the experiment table (and the quick ones) builds its model on its dataset and trains a step.</summary>
    [Theory]
    [MemberData(nameof(Experiments))]
    public void Experiment_trains_two_batches_on_a_small_version_of_its_dataset(string experiment)
    {
        var config = TrainConfig.Load(
            RepoPaths.Configs,
            experiment,
            [
                "trainer.min_epochs=1",
                "trainer.max_epochs=1",
                "trainer.limit_train_batches=2",
                "trainer.limit_val_batches=1",
                "logger.tensorboard=false",
                "data.batch_size=4",
            ]
        );
        using var run = new TempDir();
        var result = new Trainer(config).Fit(datasets.For(config.Data.Generator), RunDirectory.At(run.Path));
        Assert.Equal(1, result.EpochsCompleted);
        Assert.True(double.IsFinite(result.FinalMetrics["train/loss"]));
    }

    public static TheoryData<string, string> ArchitecturesAndDatasets()
    {
        var data = new TheoryData<string, string>();
        foreach (
            var model in new[]
            {
                "cnn_micro",
                "vit_micro",
                "convnext_tiny",
                "convnext_large",
                "densenet",
                "mlp",
                "efficientnet",
                "cnn_tiny_regression",
            }
        )
        {
            data.Add(model, "configs/synth/simple_saw.yaml");
            data.Add(model, "configs/synth/moog_basic.yaml");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ArchitecturesAndDatasets))]
    public void Every_architecture_trains_on_simple_saw_and_moog_basic(string model, string generator)
    {
        var config = TrainConfig.Load(
            RepoPaths.Configs,
            null,
            [
                $"model={model}",
                "trainer.max_epochs=1",
                "trainer.limit_train_batches=2",
                "logger.tensorboard=false",
                "data.batch_size=4",
            ]
        );
        using var run = new TempDir();
        var dataset = datasets.For(generator);
        var result = new Trainer(config).Fit(dataset, RunDirectory.At(run.Path));
        Assert.True(double.IsFinite(result.FinalMetrics["train/loss"]));
        Assert.Equal(
            dataset.Heads.Count,
            result.FinalMetrics.Keys.Count(k =>
                k.StartsWith("val/", StringComparison.Ordinal)
                && k.EndsWith("_acc", StringComparison.Ordinal)
                && k != "val/acc"
            )
        );
    }
}
