using Nsmt.Tests.Snapshots;

namespace Nsmt.Stages.Tests;

/// <summary>
/// The common mistakes and what each stage says: command-line mistakes exit with 1 (snapshots of the whole message,
/// which is the command line's own), unusable input with 2. Config errors come from the config readers, whose wording
/// may change, so those tests assert what must stay: the exit code, one line naming the file or key, the suggestion.
/// </summary>
public sealed class ErrorTests
{
    // Help and messages hold no times; "90s" in a description is text, not a duration to scrub.
    private static readonly SnapshotSettings Verbatim = new() { ScrubDurations = false, ScrubTimestamps = false };

    private const int Usage = 1;
    private const int BadInput = 2;

    public static TheoryData<string, string, string[]> UsageErrors() =>
        new()
        {
            { "unknown-option", "Generate", ["--config", "configs/synth/simple_saw.yaml", "--plian"] },
            { "wrong-type", "Generate", ["--config", "configs/synth/simple_saw.yaml", "--threads", "two"] },
            { "missing-required-option", "Generate", ["dataset.size=16"] },
            { "missing-value", "Evaluate", ["--checkpoint"] },
            { "not-an-override", "Train", ["--experiment", "quick", "stray"] },
            { "negative-seed", "AmpTrain", ["--config", "configs/amp/quick_amp.yaml", "--seed", "-1"] },
            { "conflicting-options", "AmpTrain", ["--resume", "logs/amp/runs/x", "--output", "elsewhere"] },
            { "not-a-duration", "AmpTrain", ["--config", "configs/amp/quick_amp.yaml", "--time", "ten minutes"] },
            { "one-source", "Diagram", ["--experiment", "quick", "--nam", "x.nam"] },
            { "unknown-command", "Amp", ["chek"] },
            { "unknown-subcommand-option", "Amp", ["check", "--dii", "a.wav", "--reamp", "b.wav"] },
            { "not-a-choice", "Amp", ["process", "a.wav", "-o", "b.wav", "--model", "m.nam", "--format", "mp3"] },
        };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public void Command_line_mistakes_exit_with_1(string name, string stage, string[] args)
    {
        var result = StageProgram.Run(stage, args);
        Assert.Equal(Usage, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.EndsWith("--help' for usage.\n", result.Error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Snapshot.Verify(result.Error, Verbatim, name: name);
    }

    [Fact]
    public void An_unknown_option_names_the_nearest_one()
    {
        var result = StageProgram.Run("Train", "--experiment", "quick", "--thread", "2");
        Assert.Equal(Usage, result.ExitCode);
        Assert.Contains(
            "Train: error: unknown option '--thread' (did you mean '--threads'?)",
            result.Error,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void The_pipeline_command_line_names_the_nearest_option_and_keeps_its_exit_code()
    {
        // nsmt-pipeline's own codes (README, Pipeline): 1 is a failed stage, so an argument mistake is 2 there.
        var result = StageProgram.Run("nsmt-pipeline", "status", "--experimnt", "quick");
        Assert.Equal(2, result.ExitCode);
        Snapshot.Verify(result.Error, Verbatim);
    }

    [Fact]
    public void A_missing_file_is_bad_input_named_in_one_line()
    {
        var result = StageProgram.Run("Amp", "process", "missing.wav", "-o", "never.wav", "--model", "missing.nam");
        Assert.Equal(BadInput, result.ExitCode);
        Snapshot.Verify(result.Error, Verbatim);
        Assert.False(File.Exists(Path.Combine(StageProgram.RepositoryRoot, "never.wav")));
    }

    [Theory]
    [InlineData("Generate", "configs/synth/missing.yaml", "--config", "configs/synth/missing.yaml")]
    [InlineData("AmpTrain", "configs/amp/missing.yaml", "--config", "configs/amp/missing.yaml")]
    [InlineData("Evaluate", "artifacts/none/best.ckpt", "--checkpoint", "artifacts/none/best.ckpt")]
    [InlineData("Train", "'nope'", "--experiment", "nope")]
    public void A_missing_config_or_checkpoint_is_bad_input_naming_it(string stage, string named, params string[] args)
    {
        var result = StageProgram.Run(stage, args);
        AssertBadInput(stage, result, named);
    }

    [Fact]
    public void A_missing_checkpoint_is_named_even_where_the_default_output_folder_holds_other_files()
    {
        // The default output of RUN/checkpoints/best.ckpt is RUN/eval; after a main-job run artifacts/eval holds the
        // pipeline's evaluations, and the missing checkpoint must still be the error, not the output folder.
        var root = Path.Combine(Path.GetTempPath(), "nsmt-evalorder-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "eval", "some_experiment"));
            var checkpoint = Path.Combine(root, "checkpoints", "best.ckpt");
            var result = StageProgram.Run("Evaluate", "--checkpoint", checkpoint);
            AssertBadInput("Evaluate", result, checkpoint);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_knob_config_refuses_one_capture_pair_it_would_not_read()
    {
        // The pair must not exist: the refusal comes before anything is read or a run folder is made.
        var result = StageProgram.Run(
            "AmpTrain",
            "--config",
            "configs/amp/knobs_micro.yaml",
            "--capture",
            "missing-di.wav",
            "--reamped",
            "missing-amp.wav",
            "--output",
            Path.Combine(Path.GetTempPath(), "nsmt-never-" + Guid.NewGuid().ToString("N"))
        );
        AssertBadInput("AmpTrain", result, "field 'knobs'");
        Assert.Contains("--capture and --reamped", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Train", "trainer.max_epoch", "trainer.max_epochs", "--experiment", "quick", "trainer.max_epoch=3")]
    [InlineData(
        "Report",
        "trainer.max_epoch",
        "trainer.max_epochs",
        "--output",
        "never",
        "--architectures",
        "cnn_micro",
        "--experiment",
        "quick",
        "trainer.max_epoch=3"
    )]
    [InlineData("Diagram", "model.net.bogus", null, "--experiment", "quick", "model.net.bogus=1")]
    [InlineData(
        "Generate",
        "dataset.sise",
        "simple_saw.yaml",
        "--config",
        "configs/synth/simple_saw.yaml",
        "dataset.sise=16"
    )]
    [InlineData("AmpTrain", "training.epoch", null, "--config", "configs/amp/quick_amp.yaml", "training.epoch=3")]
    public void An_unknown_config_key_is_bad_input_naming_it(
        string stage,
        string key,
        string? alsoNamed,
        params string[] args
    )
    {
        var result = StageProgram.Run(stage, args);
        AssertBadInput(stage, result, $"'{key}'");
        // The whole line, now that every stage reads configs through Nsmt.Config (repository paths scrubbed).
        Snapshot.Verify(result.Error, name: $"{stage}-{key}");
        if (alsoNamed is not null)
        {
            Assert.Contains(alsoNamed, result.Error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Train", "trainer.max_epochs", "--experiment", "quick", "trainer.max_epochs=abc")]
    [InlineData("Generate", "dataset.size", "--config", "configs/synth/simple_saw.yaml", "dataset.size=abc")]
    [InlineData("AmpTrain", "training.epochs", "--config", "configs/amp/quick_amp.yaml", "training.epochs=abc")]
    public void A_config_value_of_the_wrong_type_is_bad_input_naming_key_and_value(
        string stage,
        string key,
        params string[] args
    )
    {
        var result = StageProgram.Run(stage, args);
        AssertBadInput(stage, result, key);
        Assert.Contains("'abc'", result.Error, StringComparison.Ordinal);
        Snapshot.Verify(result.Error, name: $"{stage}-{key}");
    }

    private static void AssertBadInput(string stage, StageProgram.Result result, string named)
    {
        Assert.True(result.ExitCode == BadInput, $"exit code {result.ExitCode}\n{result.Output}\n{result.Error}");
        var error = result.Error.ReplaceLineEndings("\n");
        Assert.StartsWith($"{stage}: error: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
