namespace Nsmt.Stages.Tests;

/// <summary>
/// What a stage's output option may never do (issue 23): replace a device node, mix a new run into an old one, or
/// leave a folder behind after refusing its input. Each case is built here and run through the stage program.
/// </summary>
public sealed class OutputSafetyTests : IDisposable
{
    private const int BadInput = 2;

    private readonly string _dir = Directory.CreateTempSubdirectory("nsmt-output-safety-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string In(string name) => Path.Combine(_dir, name);

    /// <summary>Every stage's -o (and Amp check's --json) given a scratch copy of /dev/null: the node stays a device.</summary>
    [RootFact]
    public void A_device_node_survives_every_stages_output_option()
    {
        var node = SpecialFiles.NullDevice(_dir);
        var dry = In("dry.wav");
        Assert.Equal(
            0,
            StageProgram.Run("Amp", "capture", "-o", dry, "--seconds", "8", "--validation-seconds", "1").ExitCode
        );
        var wet = In("wet.wav");
        Assert.Equal(0, StageProgram.Run("Amp", "reamp", dry, "-o", wet).ExitCode);
        var model = NamFixtures.PathOf("lstm.nam");

        // Single files: written into the node, as a shell redirection would, and the command succeeds.
        var writers = new[]
        {
            new[] { "Amp", "capture", "-o", node, "--seconds", "8", "--validation-seconds", "1" },
            ["Amp", "reamp", dry, "-o", node],
            ["Amp", "process", dry, "-o", node, "--model", model],
            ["Amp", "check", "--di", dry, "--reamp", wet, "--json", node],
        };
        foreach (var args in writers)
        {
            var result = StageProgram.Run(args[0], args[1..]);
            Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: exit {result.ExitCode}\n{result.Error}");
            Assert.Equal("character special file", SpecialFiles.TypeOf(node));
        }

        // Folders: refused (a device is not a folder), and the node stays.
        var folders = new[]
        {
            new[] { "Amp", "evaluate", "--model", model, "--di", dry, "--reamp", wet, "-o", node },
            ["AmpTrain", "--config", "configs/amp/quick_amp.yaml", "-o", node],
            ["AmpTrain", "export", In("missing.ckpt"), "-o", node],
            ["Generate", "--config", "configs/synth/simple_saw.yaml", "-o", node, "dataset.size=8"],
            ["Train", "--experiment", "quick", "-o", node],
            ["Evaluate", "--checkpoint", In("missing.ckpt"), "-o", node],
            ["Diagram", "--nam", model, "-o", node],
            ["Report", "-o", node],
        };
        foreach (var args in folders)
        {
            var result = StageProgram.Run(args[0], args[1..]);
            Assert.True(result.ExitCode != 0, $"{string.Join(' ', args)}: exit 0");
            Assert.Equal("character special file", SpecialFiles.TypeOf(node));
        }
    }

    [Theory]
    [InlineData("AmpTrain", "--config", "configs/amp/quick_amp.yaml")]
    [InlineData("Train", "--experiment", "quick")]
    public void A_new_run_into_a_folder_holding_another_run_is_refused_and_changes_nothing(
        string stage,
        params string[] args
    )
    {
        var run = Directory.CreateDirectory(In("old-run")).FullName;
        File.WriteAllText(Path.Combine(run, "metrics.csv"), "epoch,val/loss\n0,1\n1,0.5\n");
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        File.WriteAllText(Path.Combine(run, "checkpoints", "last.ckpt"), "old checkpoint");

        var result = StageProgram.Run(stage, [.. args, "-o", run]);

        Assert.True(result.ExitCode == BadInput, $"exit {result.ExitCode}\n{result.Output}\n{result.Error}");
        Assert.Contains(run, result.Error, StringComparison.Ordinal);
        Assert.Contains("--resume", result.Error, StringComparison.Ordinal);
        Assert.Equal("epoch,val/loss\n0,1\n1,0.5\n", File.ReadAllText(Path.Combine(run, "metrics.csv")));
        Assert.Equal(
            ["checkpoints", "metrics.csv"],
            Directory.GetFileSystemEntries(run).Select(Path.GetFileName).Order(StringComparer.Ordinal)
        );
        Assert.Equal(
            ["last.ckpt"],
            Directory.GetFileSystemEntries(Path.Combine(run, "checkpoints")).Select(Path.GetFileName)
        );
    }

    [Fact]
    public void An_amp_training_with_a_missing_recording_leaves_no_run_folder()
    {
        var run = In("new-run");
        var result = StageProgram.Run(
            "AmpTrain",
            "--config",
            "configs/amp/files.yaml",
            "-o",
            run,
            $"data.di={In("missing.wav")}",
            $"data.reamp={In("missing-too.wav")}"
        );
        Assert.True(result.ExitCode == BadInput, $"exit {result.ExitCode}\n{result.Error}");
        Assert.Contains("missing.wav", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(run), "a refused input left its run folder");
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public void An_interrupted_generation_leaves_no_temporary_files_and_exits_128_plus_the_signal(string signal)
    {
        var output = In("dataset");
        using var process = StageProgram.Start(
            "Generate",
            "--config",
            "configs/synth/simple_saw.yaml",
            "-o",
            output,
            "--plain",
            "--no-reports",
            "dataset.size=2000000"
        );
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (
            !(Directory.Exists(output) && Directory.EnumerateFiles(output, "*.tmp").Any())
            && DateTime.UtcNow < deadline
            && !process.HasExited
        )
        {
            Thread.Sleep(50);
        }

        Assert.False(process.HasExited, "the generation ended before it could be interrupted");
        Thread.Sleep(500); // well into writing its splits
        using (
            var kill = System.Diagnostics.Process.Start(
                "kill",
                ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            )
        )
        {
            kill.WaitForExit();
        }

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the generation did not stop");
        Assert.Equal(signal == "TERM" ? 143 : 130, process.ExitCode);
        Assert.Empty(Directory.EnumerateFiles(output, "*.tmp"));
    }

    [Fact]
    public void Evaluate_refuses_an_output_folder_that_is_not_an_evaluations_before_reading_anything()
    {
        var dataset = Directory.CreateDirectory(In("dataset")).FullName;
        File.WriteAllText(Path.Combine(dataset, "train"), "records");
        var result = StageProgram.Run("Evaluate", "--checkpoint", In("missing.ckpt"), "-o", dataset);
        Assert.True(result.ExitCode == BadInput, $"exit {result.ExitCode}\n{result.Error}");
        Assert.Contains(
            $"{dataset}: --output: expected a folder for the evaluation",
            result.Error,
            StringComparison.Ordinal
        );
        Assert.Contains("it holds train", result.Error, StringComparison.Ordinal);
        Assert.Equal(["train"], Directory.GetFileSystemEntries(dataset).Select(Path.GetFileName));
    }
}
