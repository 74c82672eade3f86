using System.CommandLine;
using System.Globalization;
using Nsmt.Cli;
using Nsmt.Config;
using Nsmt.Neural.Engine;
using Nsmt.Runs;
using Nsmt.Spectral.Training;
using Nsmt.Spectral.Training.Config;
using Spectre.Console;

// Train: argument parsing plus one library call (TrainingRunner.Run).
var experimentOption = StageOptions.Experiment("configs/experiment/NAME.yaml (default: configs/train.yaml alone)");
var outputOption = StageOptions.Output("run directory (default: logs/<task_name>/runs/<yyyy-MM-dd_HH-mm-ss>)");
var dataOption = StageOptions.Data("use this VIMH dataset directory instead of data.dir");
var seedOption = StageOptions.Seed("random seed (sets seed=N)");
var threadsOption = StageOptions.Threads("libtorch threads (sets trainer.threads=N; default: all cores)");
var plainOption = StageOptions.Plain();
var resumeOption = new Option<string>("--resume")
{
    Description = "continue a run: its directory (uses checkpoints/last.ckpt) or a .ckpt file",
    HelpName = "PATH",
};
var configsOption = new Option<string>("--configs")
{
    Description = "config root (default: ./configs, else the nearest parent with configs/train.yaml)",
    HelpName = "DIR",
};
var listOption = new Option<bool>("--list") { Description = "list the experiments and exit" };
var checkEngineOption = new Option<bool>("--check-engine")
{
    Description =
        $"check the engine's float32 kernels against float64 (what every training does first), print what it found and did, and exit; {EngineGuard.EnvironmentVariable}=auto|on|off",
};
var overridesArgument = Overrides.Argument(
    "trainer.max_epochs=3 model.optimizer.lr=0.01 model=cnn_tiny +model.head_weights.note_velocity=0.5"
);
var root = new StageCommand(
    "Trains a multihead model on a VIMH dataset (generated on first use) and writes a run directory: "
        + "config.yaml, metrics.csv, tensorboard/, checkpoints/best.ckpt + last.ckpt, summary.json.",
    "Train --list",
    "Train --experiment trivial_tiny_small",
    "Train --experiment quick model=vit_micro trainer.max_epochs=3",
    "Train --resume logs/trivial_tiny_small/runs/2026-11-21_10-00-00 trainer.max_epochs=12"
)
{
    experimentOption,
    outputOption,
    dataOption,
    seedOption,
    threadsOption,
    plainOption,
    resumeOption,
    configsOption,
    listOption,
    checkEngineOption,
    overridesArgument,
};
root.SetAction(parse =>
    StageCli.Run(
        "Train",
        () =>
            parse.GetValue(checkEngineOption)
                ? CheckEngine()
                : Train(
                    parse.GetValue(configsOption),
                    parse.GetValue(listOption),
                    parse.GetValue(experimentOption),
                    parse.GetValue(outputOption),
                    parse.GetValue(dataOption),
                    parse.GetValue(resumeOption),
                    parse.GetValue(plainOption),
                    TrainOverrides(parse)
                ),
        e => e is System.Runtime.InteropServices.ExternalException,
        // A resumed run reads the config inside its checkpoint, not config files.
        () =>
            parse.GetValue(resumeOption) is not null
                ? ConfigReads.None
                : TrainConfig.ReadsOf(
                    parse.GetValue(configsOption) ?? ConfigLocator.Find(Directory.GetCurrentDirectory()),
                    parse.GetValue(experimentOption),
                    TrainOverrides(parse)
                )
    )
);
return StageCli.Invoke(root, args);

IReadOnlyList<string> TrainOverrides(ParseResult parse) =>
    Overrides.With(
        parse.GetValue(overridesArgument),
        ("seed", parse.GetValue(seedOption)),
        ("trainer.threads", parse.GetValue(threadsOption))
    );

// The line CI logs show: which path the engine took on this CPU (an engine that stays wrong is exit code 4).
static int CheckEngine()
{
    Console.WriteLine(EngineGuard.Ensure(log: _ => { }).Line);
    return 0;
}

static int Train(
    string? configs,
    bool list,
    string? experiment,
    string? runDir,
    string? data,
    string? resume,
    bool plain,
    IReadOnlyList<string> overrides
)
{
    var configRoot = configs ?? ConfigLocator.Find(Directory.GetCurrentDirectory());
    if (list)
    {
        foreach (var name in new ConfigComposer(configRoot).Experiments())
        {
            Console.WriteLine(name);
        }

        return 0;
    }
    // SIGINT or SIGTERM: the loop stops at its next step boundary and saves nothing of the unfinished epoch; 130 or 143.
    using var stop = new StopSignals(
        "Train",
        "after this step; the last completed epoch is in checkpoints/last.ckpt, resume with --resume RUN_DIR"
    );
    var request = new TrainRequest
    {
        ConfigRoot = configRoot,
        Experiment = experiment,
        Overrides = overrides,
        RunDirectory = runDir,
        DataDirectory = data,
        ResumeFrom = resume,
    };
    var result = TrainingRunner.Run(request, ProgressReporter.ForConsole(plain), stop.Token);
    PrintResult(result);
    Console.WriteLine($"RUN_DIR: {result.RunDirectory}");
    return 0;
}

static void PrintResult(TrainResult result)
{
    var table = new Table().AddColumns("metric", "final", "best");
    foreach (
        var (name, value) in result
            .FinalMetrics.Where(m =>
                m.Key.StartsWith("val/", StringComparison.Ordinal) && !m.Key.EndsWith("_best", StringComparison.Ordinal)
            )
            .OrderBy(m => m.Key, StringComparer.Ordinal)
    )
    {
        var best = result.Bests.TryGetValue(name + "_best", out var b)
            ? b.ToString("0.####", CultureInfo.InvariantCulture)
            : "";
        table.AddRow(name, value.ToString("0.####", CultureInfo.InvariantCulture), best);
    }
    AnsiConsole.Write(table);
    Console.WriteLine(
        string.Create(
            CultureInfo.InvariantCulture,
            $"{result.EpochsCompleted} epochs{(result.StoppedEarly ? " (stopped early)" : "")}, {result.Parameters:N0} parameters, {result.TrainSamplesPerSecond:0} samples/s, {result.SecondsPerEpoch:0.00} s/epoch"
        )
    );
}
