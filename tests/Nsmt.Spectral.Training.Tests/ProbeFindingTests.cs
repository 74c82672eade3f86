using System.Text.RegularExpressions;
using Nsmt.Config;
using Nsmt.Runs;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Training.Config;

namespace Nsmt.Spectral.Training.Tests;

/// <summary>
/// Training cases a bad-input probe found wrong (issue 23: items 22, 23 and 25), built as a user meets them: a
/// resume that trains nothing, an empty split, a minimum epoch count above the maximum.
/// </summary>
public sealed class ProbeFindingTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    private static TrainConfig Config(params string[] overrides) =>
        TrainConfig.Load(
            RepoPaths.Configs,
            "trivial_micro_small",
            ["logger.tensorboard=false", "trainer.threads=1", "trainer.limit_train_batches=2", .. overrides]
        );

    [Fact]
    public void Resuming_with_no_more_epochs_than_done_says_so_and_leaves_the_run_alone()
    {
        using var run = new TempDir();
        new Trainer(Config("trainer.min_epochs=1", "trainer.max_epochs=2")).Fit(
            data.Dataset,
            RunDirectory.At(run.Path)
        );
        var before = Directory
            .EnumerateFiles(run.Path, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, File.ReadAllBytes);

        var request = new TrainRequest
        {
            ConfigRoot = RepoPaths.Configs,
            ResumeFrom = run.Path,
            Overrides = ["trainer.min_epochs=1", "trainer.max_epochs=1"],
        };
        var e = Assert.Throws<ConfigException>(() => TrainingRunner.Run(request, ProgressReporter.Silent));

        Assert.Equal(
            $"{Path.Combine(run.Path, "checkpoints", "last.ckpt")}: field 'trainer.max_epochs': the run has already completed 2 epochs, "
                + "so trainer.max_epochs=1 trains nothing; give more to continue (e.g. trainer.max_epochs=12); the run is unchanged",
            e.Message
        );
        var after = Directory
            .EnumerateFiles(run.Path, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, File.ReadAllBytes);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
        Assert.Contains(
            "max_epochs: 2",
            File.ReadAllText(Path.Combine(run.Path, "config.yaml")),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void A_dataset_size_that_leaves_a_split_empty_is_refused_with_the_split_sizes()
    {
        var e = Assert.Throws<ConfigException>(() =>
            GeneratorConfig.Load(Path.Combine(RepoPaths.Configs, "synth", "simple_saw.yaml"), ["dataset.size=1"])
        );
        Assert.Equal(
            "override 'dataset.size=1': field 'dataset.size': expected at least 2 (80 % train, 20 % test, each at least 1 record), "
                + "got 1 (a split of 0 train and 1 test records)",
            e.Message
        );
        GeneratorConfig.Load(Path.Combine(RepoPaths.Configs, "synth", "simple_saw.yaml"), ["dataset.size=2"]);
    }

    [Fact]
    public void Training_on_a_dataset_with_an_empty_split_is_refused()
    {
        using var copy = new TempDir();
        foreach (var file in Directory.EnumerateFiles(data.Directory))
        {
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        }
        // A dataset made elsewhere whose train split holds no records (its info says so, so it loads).
        File.WriteAllBytes(Path.Combine(copy.Path, VimhFormat.TrainFileName), []);
        var info = Path.Combine(copy.Path, VimhFormat.InfoFileName);
        File.WriteAllText(
            info,
            Regex.Replace(File.ReadAllText(info), "\"train_samples\": *[0-9]+", "\"train_samples\": 0")
        );
        var dataset = VimhDataset.Load(copy.Path);
        Assert.Equal(0, dataset.Train.Count);

        using var run = new TempDir();
        var e = Assert.Throws<VimhDataException>(() =>
            new Trainer(Config("trainer.min_epochs=1", "trainer.max_epochs=1")).Fit(dataset, RunDirectory.At(run.Path))
        );
        Assert.StartsWith(
            $"{dataset.Train.Path}: the train split has no records (expected at least 1;",
            e.Message,
            StringComparison.Ordinal
        );
        Assert.False(File.Exists(Path.Combine(run.Path, "config.yaml")));
    }

    [Fact]
    public void Min_epochs_above_max_epochs_is_refused_where_both_are_given_together()
    {
        var e = Assert.Throws<ConfigException>(() => Config("trainer.min_epochs=5", "trainer.max_epochs=2"));
        Assert.Equal(
            "override 'trainer.min_epochs=5': field 'trainer.min_epochs': expected an integer <= trainer.max_epochs (2), got '5'",
            e.Message
        );

        // A run's record (config.yaml, a checkpoint's config) holds both as the run resolved them, max_epochs lowered on
        // its command line included: it reads back (max_epochs wins), or evaluation and resume of such runs would fail.
        var yaml = TrainConfig.Load(RepoPaths.Configs, "trivial_micro_small", ["trainer.max_epochs=2"]).ResolvedYaml;
        Assert.Equal(2, TrainConfig.FromResolvedYaml(yaml, "run/config.yaml").Trainer.MaxEpochs);

        // Lowering max_epochs alone for a short run stays Lightning's: max_epochs wins.
        Assert.Equal(
            1,
            TrainConfig.Load(RepoPaths.Configs, "trivial_micro_small", ["trainer.max_epochs=1"]).Trainer.MaxEpochs
        );
    }
}
