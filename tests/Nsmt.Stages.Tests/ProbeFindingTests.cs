using System.Diagnostics;

namespace Nsmt.Stages.Tests;

/// <summary>
/// What a bad-input probe found the stage programs doing wrong (issue 23, items 15-25 and its messages), each case
/// run as a user runs it: the real program, its exit code, its one line, and what it leaves on disk.
/// </summary>
public sealed class ProbeFindingTests : IDisposable
{
    private const int Usage = 1;
    private const int BadInput = 2;
    private const int Interrupted = 130;
    private const string QuickAmp = "configs/amp/quick_amp.yaml";

    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-stage-probe-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string In(string name) => Path.Combine(_folder, name);

    private static string AssertBadInput(StageProgram.Result result, params string[] named)
    {
        Assert.True(result.ExitCode == BadInput, $"exit code {result.ExitCode}\n{result.Output}\n{result.Error}");
        // The engine self-check's line (where it switched oneDNN off on this CPU) is information, not the error.
        var error = string.Join(
            '\n',
            result
                .Error.ReplaceLineEndings("\n")
                .TrimEnd('\n')
                .Split('\n')
                .Where(line => !line.StartsWith("engine: ", StringComparison.Ordinal))
        );
        Assert.Single(error.Split('\n'));
        foreach (var n in named)
        {
            Assert.Contains(n, error, StringComparison.Ordinal);
        }

        return error;
    }

    [Fact]
    public void Tilde_overrides_reach_the_config_library_from_the_command_line()
    {
        // Refused as "unexpected argument" (exit 1) before; now the library deletes, or names the key it lacks.
        AssertBadInput(
            StageProgram.Run("AmpTrain", "--config", QuickAmp, "~training.nope"),
            "override '~training.nope': unknown key 'training.nope'"
        );
        AssertBadInput(
            StageProgram.Run("AmpTrain", "--config", QuickAmp, "~training.epochs", "training.epoch=3"),
            "unknown key 'training.epoch'"
        );
    }

    [Theory]
    [InlineData("training.epochs=")]
    [InlineData("training.epochs=null")]
    [InlineData("training.epochs=~")]
    public void An_empty_override_is_bad_input_not_the_code_default(string set) =>
        AssertBadInput(
            StageProgram.Run("AmpTrain", "--config", QuickAmp, set),
            $"override '{set}': field 'training.epochs': expected an integer",
            "cannot be null"
        );

    [Fact]
    public void Empty_and_multi_document_configs_and_a_directory_are_bad_input_naming_the_file()
    {
        File.WriteAllText(In("empty.yaml"), "");
        AssertBadInput(
            StageProgram.Run("AmpTrain", "--config", In("empty.yaml")),
            $"{In("empty.yaml")}: the config file is empty"
        );
        File.WriteAllText(In("two.yaml"), "defaults: [quick_amp]\n---\ntraining:\n  epochs: 1\n");
        AssertBadInput(
            StageProgram.Run("Generate", "--config", In("two.yaml")),
            $"{In("two.yaml")}:3:1: a second YAML document"
        );
        AssertBadInput(
            StageProgram.Run("AmpTrain", "--config", _folder),
            $"{_folder}: cannot read config: it is a directory"
        );
    }

    [Fact]
    public void Too_many_threads_and_min_epochs_above_max_epochs_are_refused()
    {
        var threads = StageProgram.Run("AmpTrain", "--config", QuickAmp, "--threads", "1000");
        Assert.Equal(Usage, threads.ExitCode);
        Assert.StartsWith(
            "AmpTrain: error: --threads expects a whole number from 1 to 256, got '1000'",
            threads.Error,
            StringComparison.Ordinal
        );
        AssertBadInput(
            StageProgram.Run("Train", "--experiment", "quick", "trainer.min_epochs=5", "trainer.max_epochs=2"),
            "field 'trainer.min_epochs': expected an integer <= trainer.max_epochs (2), got '5'"
        );
    }

    [Fact]
    public void Plus_on_an_existing_key_is_bad_input()
    {
        AssertBadInput(
            StageProgram.Run("Train", "--experiment", "quick", "+trainer.max_epochs=3"),
            "key 'trainer.max_epochs' already exists",
            "change it with trainer.max_epochs=..."
        );
    }

    [Fact]
    public void A_dataset_size_with_an_empty_split_is_refused_before_anything_is_written()
    {
        AssertBadInput(
            StageProgram.Run(
                "Generate",
                "--config",
                "configs/synth/simple_saw.yaml",
                "-o",
                In("data"),
                "dataset.size=1"
            ),
            "field 'dataset.size': expected at least 2",
            "a split of 0 train and 1 test records"
        );
        Assert.False(Directory.Exists(In("data")));
    }

    [Fact]
    public void Amp_training_input_errors_leave_no_run_directory_and_a_missing_resume_folder_is_named()
    {
        AssertBadInput(
            StageProgram.Run(
                "AmpTrain",
                "--config",
                "configs/amp/files.yaml",
                "-o",
                In("run"),
                $"data.di={In("di.wav")}",
                $"data.reamp={In("amp.wav")}"
            ),
            In("di.wav")
        );
        Assert.False(Directory.Exists(In("run")));
        var missing = AssertBadInput(
            StageProgram.Run("AmpTrain", "--resume", In("no-run")),
            $"{In("no-run")}: --resume: no such run directory or checkpoint"
        );
        Assert.DoesNotContain("config.yaml", missing, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_refuses_a_missing_folder_and_runs_in_the_other_domain_slot()
    {
        AssertBadInput(
            StageProgram.Run("Report", "--output", In("report"), "--runs", In("nope")),
            $"{In("nope")}: --runs: no such directory"
        );
        Directory.CreateDirectory(In("amp-run"));
        File.WriteAllText(In("amp-run/metrics.csv"), "epoch,step,train/loss,val/esr\n0,10,0.5,0.2\n");
        AssertBadInput(
            StageProgram.Run("Report", "--output", In("report"), "--runs", In("amp-run")),
            $"{In("amp-run")}: --runs: an amp training run"
        );
        Directory.CreateDirectory(In("spectral-run"));
        File.WriteAllText(In("spectral-run/metrics.csv"), "epoch,step,train/loss,val/acc\n0,10,0.5,0.2\n");
        AssertBadInput(
            StageProgram.Run("Report", "--output", In("report"), "--amp-runs", In("spectral-run")),
            $"{In("spectral-run")}: --amp-runs: a spectral training run"
        );
        Assert.False(Directory.Exists(In("report")));
    }

    [Fact]
    public void An_over_long_key_gives_a_short_line()
    {
        var result = StageProgram.Run("AmpTrain", "--config", QuickAmp, new string('k', 100_000) + "=1");
        var error = AssertBadInput(result, "(100000 characters)");
        Assert.True(error.Length < 1000, $"{error.Length} characters");
    }

    /// <summary>A tiny reference-amp run: a few seconds an epoch on one thread.</summary>
    private string TinyAmpConfig()
    {
        File.WriteAllText(
            In("tiny.yaml"),
            """
            seed: 0
            data:
              source: reference
              sample_rate: 16000
              seconds: 12
              validation_seconds: 2
              ny: 512
            model:
              type: plain_wavenet
              plain_wavenet:
                channels: 4
                layers: 4
            training:
              epochs: 1000
              batch_size: 16
              threads: 1
            loss:
              mse: 1
              pre_emph_mrstft: 0
            """
        );
        return In("tiny.yaml");
    }

    /// <summary>
    /// Issue 24: a trainer stopped by a signal stops at its next step boundary, keeps its last completed epoch and no
    /// temporary file, says so on stderr and exits 128 + the signal (130 for Ctrl-C, 143 for a scheduler's SIGTERM).
    /// </summary>
    [Theory]
    [InlineData("INT", "SIGINT", Interrupted)]
    [InlineData("TERM", "SIGTERM", 143)]
    public async Task Amp_training_stopped_by_a_signal_exits_128_plus_it_keeping_its_last_epoch_and_a_resume_that_trains_nothing_is_refused(
        string signal,
        string name,
        int exitCode
    )
    {
        var run = In("run");
        var start = StageProgram.StartInfo(
            "AmpTrain",
            ["--config", TinyAmpConfig(), "-o", run, "--plain"],
            defaultInterrupt: true
        );
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        // The first completed epoch's line, then the signal (Ctrl-C sends SIGINT; Slurm and the pipeline SIGTERM).
        string? line;
        while (
            (line = process.StandardOutput.ReadLine()) is not null
            && !line.StartsWith("epoch 1/", StringComparison.Ordinal)
        ) { }

        Assert.NotNull(line);
        using (
            var kill = Process.Start(
                "kill",
                ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            )
        )
        {
            kill.WaitForExit();
        }

        var rest = await process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), $"AmpTrain did not stop after {name}");
        var stderr = await error;
        Assert.True(process.ExitCode == exitCode, $"exit code {process.ExitCode}\n{rest}\n{stderr}");
        Assert.Contains($"AmpTrain: {name}: stopping (after this step", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "last.ckpt")));
        Assert.Empty(Directory.EnumerateFiles(run, "*.tmp*", SearchOption.AllDirectories));

        // Resuming with fewer epochs than done: bad input, and config.yaml keeps its 1000.
        var config = File.ReadAllBytes(Path.Combine(run, "config.yaml"));
        AssertBadInput(
            StageProgram.Run("AmpTrain", "--resume", run, "training.epochs=1"),
            "training.epochs=1 trains nothing"
        );
        Assert.Equal(config, File.ReadAllBytes(Path.Combine(run, "config.yaml")));
    }
}
