using Nsmt.Core;
using Nsmt.Runs;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// Amp training cases a bad-input probe found wrong (issue 23: items 23 and 25), built as a user meets them.
/// </summary>
public sealed class ProbeFindingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nsmt-amp-probe-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Keeps what the trainer reports per epoch.</summary>
    private sealed class Recorder : ProgressReporter
    {
        public List<(double SamplesPerSecond, double TrainSeconds)> Epochs { get; } = [];

        public override void EpochStarted(int epoch, int maxEpochs, int stepsInEpoch) { }

        public override void StepCompleted(int stepInEpoch, double loss, double samplesPerSecond) { }

        public override void EpochCompleted(
            int epoch,
            IReadOnlyDictionary<string, double> metrics,
            double samplesPerSecond,
            TimeSpan duration
        ) => Epochs.Add((samplesPerSecond, metrics["train_seconds"]));
    }

    [Fact]
    public void Samples_per_second_count_the_windows_trained_not_whole_batches()
    {
        // 54 windows of 512 samples and a batch of 64: one partial batch. Counting steps x batch_size claimed 64.
        var progress = new Recorder();
        var config = TrainingTests.SmallConfig(
            overrides: ["training.epochs=1", "training.batch_size=64", "training.drop_last=false"]
        );
        new AmpTrainer(
            config,
            TrainingTests.SyntheticData(),
            RunDirectory.At(Path.Combine(_root, "run")),
            progress
        ).Run();

        var (samplesPerSecond, trainSeconds) = Assert.Single(progress.Epochs);
        Assert.Equal(54 * 512, samplesPerSecond * trainSeconds, 1e-6 * 54 * 512);
    }

    [Fact]
    public void Resuming_with_no_more_epochs_than_done_says_so_and_leaves_the_run_alone()
    {
        var run = RunDirectory.At(Path.Combine(_root, "run"));
        new AmpTrainer(
            TrainingTests.SmallConfig(overrides: "training.epochs=2"),
            TrainingTests.SyntheticData(),
            run
        ).Run();
        var before = Directory
            .EnumerateFiles(run.Path, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, File.ReadAllBytes);

        var fewer = TrainingTests.SmallConfig(overrides: "training.epochs=1");
        var e = Assert.Throws<NsmtInputException>(() =>
            new AmpTrainer(fewer, TrainingTests.SyntheticData(), run).Run(resume: true)
        );

        Assert.Equal(
            $"{run.ConfigFile}: training.epochs: the run has already completed 2 epochs, so training.epochs=1 trains nothing; "
                + "give more to continue (e.g. training.epochs=12); the run is unchanged",
            e.Message
        );
        var after = Directory
            .EnumerateFiles(run.Path, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, File.ReadAllBytes);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
    }

    [Fact]
    public void Resuming_with_another_model_size_names_the_weight_that_does_not_fit()
    {
        var run = RunDirectory.At(Path.Combine(_root, "run"));
        new AmpTrainer(
            TrainingTests.SmallConfig(overrides: "training.epochs=1"),
            TrainingTests.SyntheticData(),
            run
        ).Run();

        var wider = TrainingTests.SmallConfig(overrides: ["training.epochs=3", "model.plain_wavenet.channels=6"]);
        var e = Assert.Throws<InvalidDataException>(() =>
            new AmpTrainer(wider, TrainingTests.SyntheticData(), run).Run(resume: true)
        );

        Assert.StartsWith(
            $"{run.LastCheckpoint}: the checkpoint does not fit the configured model: weight '",
            e.Message,
            StringComparison.Ordinal
        );
        Assert.Contains("[4", e.Message, StringComparison.Ordinal);
        Assert.Contains("[6", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("state_dict", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Interpolation_in_amp_configs_resolves_or_names_the_reference()
    {
        var config = TrainingTests.SmallConfig(
            overrides: ["training.lr=0.003", "+training.weight_decay=${training.lr}"]
        );
        Assert.Equal(0.003, config.Training.WeightDecay);

        var e = Assert.Throws<Nsmt.Config.ConfigException>(() =>
            TrainingTests.SmallConfig(overrides: "training.lr=${}")
        );
        Assert.Equal(
            "override 'training.lr=${}': field 'training.lr': expected a reference to a key of the config, got '${}'",
            e.Message
        );
    }

    [Fact]
    public void A_reference_capture_too_short_for_its_layout_names_data_seconds_and_the_minimum()
    {
        // The probe's case: AmpTrain data.seconds=5 printed ".. got 5 s (Parameter 'options')" from the capture generator.
        var e = Assert.Throws<Nsmt.Config.ConfigException>(() =>
            TrainingTests.SmallConfig(overrides: ["data.seconds=5", "data.validation_seconds=3"])
        );
        Assert.Equal(
            "test config: data.seconds: a capture signal with 3 s validation passages needs at least 11 s, got 5 s (data.validation_seconds 3 s)",
            e.Message
        );
    }
}
