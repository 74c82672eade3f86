using Nsmt.Config;
using System.CommandLine;
using System.Globalization;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training;
using Nsmt.Runs;

// AmpTrain: argument parsing plus library calls (AmpDataLoader.Load, AmpTrainer.Run, NamExport).
//   AmpTrain --config configs/amp/default.yaml [--run-dir DIR] [--time 10m] [key=value ...]
//   AmpTrain --resume RUN_DIR
//   AmpTrain export CHECKPOINT -o model.nam

var configOption = new Option<string?>("--config") { Description = "experiment config (YAML), e.g. configs/amp/default.yaml" };
var runDirOption = new Option<string?>("--run-dir") { Description = "run directory (default: logs/amp/runs/<yyyy-MM-dd_HH-mm-ss>)" };
var resumeOption = new Option<string?>("--resume")
{
    Description = "continue the run in this directory from checkpoints/last.ckpt (overrides, e.g. training.epochs=200, update its config.yaml)",
};
var timeOption = new Option<string?>("--time")
{
    Description = "wall-clock budget for the whole run, e.g. 10m, 90s, 1h30m (sets training.max_seconds); the best model so far is what model.nam holds",
};
var overridesArgument = new Argument<string[]>("overrides")
{
    Description = "config overrides: key=value (training.epochs=20 model.preset=standard data.seconds=60 ...)",
    Arity = ArgumentArity.ZeroOrMore,
};
var root = new RootCommand("Trains a neural amp model (NAM WaveNet/LSTM or the seed WaveNet) and writes a run directory: "
    + "config.yaml, metrics.csv, tensorboard/, checkpoints/ (top-k + last, each with a .nam), model.nam (best), summary.json.")
{
    configOption, runDirOption, resumeOption, timeOption, overridesArgument,
};
root.SetAction(parse => Train(parse.GetValue(configOption), parse.GetValue(runDirOption), parse.GetValue(resumeOption), parse.GetValue(timeOption),
    parse.GetValue(overridesArgument) ?? []));

var checkpointArgument = new Argument<string>("checkpoint") { Description = "a .ckpt file of a run (checkpoints/last.ckpt, a top-k one, ...)" };
var outputOption = new Option<string>("--output", "-o") { Description = "the .nam file to write", Required = true };
var export = new Command("export", "Exports a checkpoint's model as a .nam file (version 0.5.4), with measured loudness and gain.")
{
    checkpointArgument, outputOption,
};
export.SetAction(parse => Export(parse.GetValue(checkpointArgument)!, parse.GetValue(outputOption)!));
root.Add(export);
return root.Parse(args).Invoke();

static int Train(string? configPath, string? runDir, string? resume, string? time, string[] overrides)
{
    try
    {
        if (time is not null)
        {
            double? seconds = TimeBudget.ParseDuration(time);
            if (seconds is null)
            {
                return Fail($"--time '{time}': expected a duration such as 10m, 90s, 1.5h or 1h30m");
            }

            overrides = [.. overrides, string.Create(CultureInfo.InvariantCulture, $"training.max_seconds={seconds.Value:R}")];
        }

        if (resume is null && configPath is null)
        {
            return Fail("--config is required (or --resume RUN_DIR)");
        }

        if (resume is not null && (configPath is not null || runDir is not null))
        {
            return Fail("--resume takes no --config or --run-dir: the run continues in its folder with its own config.yaml (overrides such as training.epochs=200 still apply)");
        }

        RunDirectory run;
        AmpTrainConfig config;
        if (resume is not null)
        {
            string folder = Directory.Exists(resume) ? resume : Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(resume))!)!;
            run = RunDirectory.At(folder);
            config = AmpTrainConfig.Load(run.ConfigFile, overrides);
        }
        else
        {
            config = AmpTrainConfig.Load(configPath!, overrides);
            run = runDir is not null ? RunDirectory.At(runDir) : RunDirectory.CreateTimestamped("logs", "amp", DateTime.Now);
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
            Console.Error.WriteLine("AmpTrain: stopping after this step (the last completed epoch stays saved; --resume continues)");
        };
        var progress = ProgressReporter.ForConsole();
        Console.WriteLine($"AmpTrain: {config.Model.Describe()} -> {run.Path}");
        var data = AmpDataLoader.Load(config.Data);
        var result = new AmpTrainer(config, data, run, progress).Run(resume is not null, cancel.Token);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Validation ESR {result.ValidationEsr:0.00000} ({result.Grade}) at epoch {result.BestEpoch} of {result.Epochs}; "
            + $"{result.ElapsedSeconds:0.0} s; {result.StopReason}"));
        if (result.ModelPath is not null)
        {
            Console.WriteLine($"Model: {result.ModelPath}");
        }

        if (result.AddedDelay is { } delay)
        {
            Console.WriteLine($"Alignment: {data.Description}");
            Console.WriteLine($"Timing: {delay.ToText()}");
        }

        Console.WriteLine($"RUN_DIR: {result.RunDirectory}");
        return 0;
    }
    catch (Exception e) when (e is ConfigException or NamFormatException or IOException or InvalidDataException or ArgumentException
        or NotSupportedException or UnauthorizedAccessException or InvalidOperationException or Nsmt.Amp.Ingest.IngestException or Nsmt.Audio.WavFormatException)
    {
        return Fail(e.Message);
    }
}

static int Export(string checkpointPath, string output)
{
    try
    {
        var model = CheckpointExport.ToNam(checkpointPath, output);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {output}: {model.Architecture} at {model.SampleRate} Hz, {model.Weights.Length} weights, loudness {model.Metadata?.Loudness:0.0} dB"));
        return 0;
    }
    catch (Exception e) when (e is ConfigException or NamFormatException or IOException or InvalidDataException or ArgumentException
        or NotSupportedException or UnauthorizedAccessException or InvalidOperationException or Nsmt.Amp.Ingest.IngestException or Nsmt.Audio.WavFormatException)
    {
        return Fail(e.Message);
    }
}

static int Fail(string message)
{
    Console.Error.WriteLine($"AmpTrain: error: {message}");
    Console.Error.WriteLine("Run 'AmpTrain --help' for usage.");
    return 2;
}
