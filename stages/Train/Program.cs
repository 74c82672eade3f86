using Nsmt.Config;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using Nsmt.Spectral.Training;
using Nsmt.Spectral.Training.Config;
using Nsmt.Runs;
using Nsmt.Spectral.Data;
using Spectre.Console;

// Train: argument parsing plus one library call (TrainingRunner.Run).
const string Usage = """
    Usage: Train [--experiment NAME] [options] [key=value ...]

    Trains a multihead model on a VIMH dataset (generated on first use) and writes a run directory:
    config.yaml, metrics.csv, tensorboard/, checkpoints/best.ckpt + last.ckpt, summary.json.

    Options:
      --experiment NAME   configs/experiment/NAME.yaml (default: configs/train.yaml alone)
      --run-dir DIR       run directory (default: logs/<task_name>/runs/<yyyy-MM-dd_HH-mm-ss>)
      --data DIR          use this VIMH dataset directory instead of data.dir
      --resume PATH       continue a run: its directory (uses checkpoints/last.ckpt) or a .ckpt file
      --configs DIR       config root (default: ./configs, else the nearest parent with configs/train.yaml)
      --list              list the experiments and exit
      -h, --help          show this help

    Overrides: trainer.max_epochs=3  model.optimizer.lr=0.01  model=cnn_tiny  data.batch_size=32  +model.head_weights.note_velocity=0.5
    """;

string? experiment = null, runDir = null, data = null, resume = null, configs = null;
var list = false;
var overrides = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    var a = args[i];
    switch (a)
    {
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        case "--list":
            list = true;
            break;
        case "--experiment" or "--run-dir" or "--data" or "--resume" or "--configs" when i + 1 >= args.Length:
            return Fail($"{a} needs a value");
        case "--experiment":
            experiment = args[++i];
            break;
        case "--run-dir":
            runDir = args[++i];
            break;
        case "--data":
            data = args[++i];
            break;
        case "--resume":
            resume = args[++i];
            break;
        case "--configs":
            configs = args[++i];
            break;
        default:
            if (a.StartsWith('-') || !a.Contains('='))
                return Fail($"unexpected argument '{a}' (options start with --, overrides look like key=value)");
            overrides.Add(a);
            break;
    }
}

try
{
    var configRoot = configs ?? ConfigLocator.Find(Directory.GetCurrentDirectory());
    if (list)
    {
        foreach (var name in new ConfigComposer(configRoot).Experiments())
            Console.WriteLine(name);
        return 0;
    }
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
    var request = new TrainRequest
    {
        ConfigRoot = configRoot,
        Experiment = experiment,
        Overrides = overrides,
        RunDirectory = runDir,
        DataDirectory = data,
        ResumeFrom = resume,
    };
    var result = TrainingRunner.Run(request, ProgressReporter.ForConsole(), cancel.Token);
    PrintResult(result);
    Console.WriteLine($"RUN_DIR: {result.RunDirectory}");
    return 0;
}
catch (Exception e) when (e is ConfigException or Nsmt.Spectral.Models.ModelConfigException or VimhDataException or System.Runtime.InteropServices.ExternalException
    or IOException or InvalidDataException or UnauthorizedAccessException)
{
    return Fail(e.Message);
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Train: cancelled; the last completed epoch is in checkpoints/last.ckpt (resume with --resume RUN_DIR)");
    return 130;
}

static void PrintResult(TrainResult result)
{
    var table = new Table().AddColumns("metric", "final", "best");
    foreach (var (name, value) in result.FinalMetrics.Where(m => m.Key.StartsWith("val/", StringComparison.Ordinal) && !m.Key.EndsWith("_best", StringComparison.Ordinal)).OrderBy(m => m.Key, StringComparer.Ordinal))
    {
        var best = result.Bests.TryGetValue(name + "_best", out var b) ? b.ToString("0.####", CultureInfo.InvariantCulture) : "";
        table.AddRow(name, value.ToString("0.####", CultureInfo.InvariantCulture), best);
    }
    AnsiConsole.Write(table);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{result.EpochsCompleted} epochs{(result.StoppedEarly ? " (stopped early)" : "")}, {result.Parameters:N0} parameters, {result.TrainSamplesPerSecond:0} samples/s, {result.SecondsPerEpoch:0.00} s/epoch"));
}

static int Fail(string message)
{
    Console.Error.WriteLine($"Train: {message}");
    return 2;
}
