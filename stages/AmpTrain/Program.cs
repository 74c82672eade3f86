using System.CommandLine;
using System.Globalization;
using Nsmt.Amp.Training;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Knobs;
using Nsmt.Cli;
using Nsmt.Config;
using Nsmt.Core;
using Nsmt.Neural.Training;
using Nsmt.Runs;

// AmpTrain: argument parsing plus library calls (AmpDataLoader.Load, AmpTrainer.Run, NamExport).
var resumeOption = new Option<string>("--resume")
{
    Description =
        "continue the run in this directory from checkpoints/last.ckpt (overrides, e.g. training.epochs=200, update its config.yaml)",
    HelpName = "RUN_DIR",
};
var timeOption = new Option<string>("--time")
{
    Description =
        "wall-clock budget for the whole run, e.g. 10m, 90s, 1h30m (sets training.max_seconds); the best model so far is what model.nam holds",
    HelpName = "DURATION",
};
var configOption = StageOptions.Config("experiment config (YAML), e.g. configs/amp/default.yaml");
var outputOption = StageOptions.Output("run directory (default: logs/amp/runs/<yyyy-MM-dd_HH-mm-ss>)");
var seedOption = StageOptions.Seed("random seed (sets seed=N)");
var threadsOption = StageOptions.Threads("libtorch threads (sets training.threads=N; default: all cores)");
var plainOption = StageOptions.Plain();
var captureOption = new Option<string>("--capture")
{
    Description =
        "with data.source reference: train on this capture WAV (Amp capture --config, the same config) instead of generating it; with --reamped",
    HelpName = "FILE",
};
var reampedOption = new Option<string>("--reamped")
{
    Description = "with --capture: its reamp (Amp reamp --config), so training reads the bytes evaluation reads",
    HelpName = "FILE",
};
timeOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<string>() is { } time && TimeBudget.ParseDuration(time) is null)
    {
        result.AddError($"--time '{time}': expected a duration such as 10m, 90s, 1.5h or 1h30m");
    }
});
var overridesArgument = Overrides.Argument("training.epochs=20 model.preset=standard data.seconds=60");
var root = new StageCommand(
    "Trains a neural amp model (NAM WaveNet/LSTM or the predecessor project's plain WaveNet) and writes a run directory: "
        + "config.yaml, metrics.csv, tensorboard/, checkpoints/ (top-k + last, each with a .nam), "
        + "model.nam (best), summary.json.",
    "AmpTrain --config configs/amp/default.yaml",
    "AmpTrain --config configs/amp/files.yaml --time 10m data.di=di.wav data.reamp=amp.wav",
    "AmpTrain --resume RUN_DIR training.epochs=40",
    "AmpTrain export RUN_DIR/checkpoints/last.ckpt -o amp.nam",
    "AmpTrain export LSTM_RUN_DIR/checkpoints/last.ckpt -o amp.json   # AIDA-X"
)
{
    configOption,
    outputOption,
    seedOption,
    threadsOption,
    plainOption,
    resumeOption,
    timeOption,
    captureOption,
    reampedOption,
    overridesArgument,
};
root.Validators.Add(command =>
{
    var resume = command.GetResult(resumeOption) is not null;
    if (!resume && command.GetResult(configOption) is null)
    {
        command.AddError("--config is required (or --resume RUN_DIR)");
    }

    if (resume && (command.GetResult(configOption) is not null || command.GetResult(outputOption) is not null))
    {
        command.AddError(
            "--resume takes no --config or --output: the run continues in its folder with its own config.yaml (overrides such as training.epochs=200 still apply)"
        );
    }

    if ((command.GetResult(captureOption) is null) != (command.GetResult(reampedOption) is null))
    {
        command.AddError("--capture and --reamped go together");
    }
});
root.SetAction(parse =>
    StageCli.Run(
        "AmpTrain",
        () =>
            Train(
                parse.GetValue(configOption),
                parse.GetValue(outputOption),
                parse.GetValue(resumeOption),
                parse.GetValue(timeOption),
                parse.GetValue(plainOption),
                TrainOverrides(parse),
                parse.GetValue(captureOption) is { } capture ? (capture, parse.GetRequiredValue(reampedOption)) : null
            ),
        IsBadInput,
        // A resumed run reads the config.yaml inside its run folder, not config files.
        () =>
            parse.GetValue(configOption) is { } config
                ? AmpTrainConfig.ReadsOf(config, TrainOverrides(parse))
                : ConfigReads.None
    )
);

var checkpointArgument = new Argument<string>("checkpoint")
{
    Description = "a .ckpt file of a run (checkpoints/last.ckpt, a top-k one, ...)",
};
var namOption = StageOptions.Output(
    "the .nam file to write (.json or .aidax: an AIDA-X model, for LSTM captures)",
    required: true,
    helpName: "FILE"
);
var export = new Command(
    "export",
    "Exports a checkpoint's model as a .nam file (version 0.5.4), with measured loudness and gain, or as an AIDA-X .json."
)
{
    checkpointArgument,
    namOption,
};
export.SetAction(parse =>
    StageCli.Run(
        "AmpTrain export",
        () => Export(parse.GetRequiredValue(checkpointArgument), parse.GetRequiredValue(namOption)),
        IsBadInput
    )
);
root.Add(export);
return StageCli.Invoke(root, args);

IReadOnlyList<string> TrainOverrides(ParseResult parse) =>
    Overrides.With(
        parse.GetValue(overridesArgument),
        ("seed", parse.GetValue(seedOption)),
        ("training.threads", parse.GetValue(threadsOption))
    );

// Beyond NsmtInputException (configs, .nam, WAV, ingest): the argument checks of TorchSharp and of the trainer's
// recipe validation, which report a recipe the engine cannot run.
static bool IsBadInput(Exception e) => e is ArgumentException or NotSupportedException or InvalidOperationException;

static int Train(
    string? configPath,
    string? runDir,
    string? resume,
    string? time,
    bool plain,
    IReadOnlyList<string> overrides,
    (string Capture, string Reamped)? referenceFiles
)
{
    if (time is not null)
    {
        var seconds = TimeBudget.ParseDuration(time) ?? throw new ArgumentException($"--time '{time}': not a duration");
        overrides = [.. overrides, string.Create(CultureInfo.InvariantCulture, $"training.max_seconds={seconds:R}")];
    }

    var resumed = resume is null ? null : RunDirectory.At(ResumeFolder(resume));
    // A knob run's config.yaml keeps its knobs: section, so a resume trains the knob model again.
    if (SiblingDefaults.Load(resumed?.ConfigFile ?? configPath!)["knobs"] is not null)
    {
        // A knob run reamps or reads one recording per setting (its knobs: section); one pair given here would be
        // silently ignored, so it is refused.
        if (referenceFiles is not null)
        {
            throw new ArgumentException(
                $"{resumed?.ConfigFile ?? configPath}: field 'knobs': a knob config trains on one recording per setting (knobs.recordings, or the reference amp at each grid setting); --capture and --reamped give one pair and are not read, leave them out"
            );
        }

        return TrainKnobs(resumed?.ConfigFile ?? configPath!, resumed, runDir, overrides, plain);
    }

    RunDirectory? run;
    AmpTrainConfig config;
    if (resumed is not null)
    {
        run = resumed;
        config = AmpTrainConfig.Load(run.ConfigFile, overrides);
    }
    else
    {
        config = AmpTrainConfig.Load(configPath!, overrides);
        // Checked now, made once the recordings have loaded: bad input leaves no run folder.
        run = runDir is not null ? RunDirectory.ForNewRun(runDir) : null;
    }

    // SIGINT or SIGTERM: the loop stops at its next step boundary and saves nothing of the unfinished epoch; 130 or 143.
    using var stop = new StopSignals(
        "AmpTrain",
        "after this step; the last completed epoch stays saved, --resume continues"
    );
    var progress = ProgressReporter.ForConsole(plain);
    if (referenceFiles is not null && config.Data.Source != DataSource.Reference)
    {
        throw new ArgumentException(
            $"{configPath}: field 'data.source': expected reference with --capture and --reamped (the recordings are data.di and data.reamp), got files"
        );
    }

    var data = AmpDataLoader.Load(config.Data, referenceFiles);
    run = (run ?? RunDirectory.CreateTimestamped("logs", "amp", DateTime.Now)).Create();
    Console.WriteLine($"AmpTrain: {config.Model.Describe()} -> {run.Path}");
    AmpTrainingResult result;
    try
    {
        result = new AmpTrainer(config, data, run, progress).Run(resume is not null, stop.Token);
    }
    catch
    {
        run.RemoveIfEmpty();
        throw;
    }

    Console.WriteLine(
        string.Create(
            CultureInfo.InvariantCulture,
            $"Validation ESR {result.ValidationEsr:0.00000} ({result.Grade}) at epoch {result.BestEpoch} of {result.Epochs}; "
                + $"{result.ElapsedSeconds:0.0} s; {result.StopReason}"
        )
    );
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
    // A signal after the last epoch: the run is complete, and the exit code still says it was stopped.
    return stop.Token.IsCancellationRequested ? StopSignals.ExitCode : ExitCodes.Ok;
}

// A run directory, or a checkpoint inside one (RUN/checkpoints/x.ckpt); anything else is named, not guessed at.
static string ResumeFolder(string resume)
{
    if (Directory.Exists(resume))
    {
        return resume;
    }

    if (File.Exists(resume))
    {
        return RunDirectory.OfCheckpoint(resume).Path;
    }

    throw new NsmtInputException(
        resume,
        "--resume",
        "no such run directory or checkpoint (expected a run directory with checkpoints/last.ckpt)"
    );
}

// A config with a knobs: section trains one knob-conditioned LSTM/GRU or WaveNet over all its settings (Nsmt.Amp.Training.Knobs).
static int TrainKnobs(
    string configFile,
    RunDirectory? resumed,
    string? runDir,
    IReadOnlyList<string> overrides,
    bool plain
)
{
    var config = KnobTrainConfig.Load(configFile, overrides);
    // Checked now, made once the recordings have loaded: bad input leaves no run folder.
    var run = resumed ?? (runDir is not null ? RunDirectory.ForNewRun(runDir) : null);
    using var stop = new StopSignals(
        "AmpTrain",
        "after this step; the last completed epoch stays saved, --resume continues"
    );
    var captures = KnobCaptureSet.Load(config);
    run = (run ?? RunDirectory.CreateTimestamped("logs", "amp", DateTime.Now)).Create();
    Console.WriteLine(
        $"AmpTrain: knob-conditioned {config.ModelName} over {config.Settings.Count} settings -> {run.Path}"
    );
    foreach (var capture in captures)
    {
        Console.WriteLine($"  {capture.Setting}{(capture.HeldOut ? " (held out)" : "")}: {capture.Data.Description}");
        foreach (var warning in capture.Data.Warnings)
        {
            Console.WriteLine($"    warning: {warning}");
        }
    }

    KnobTrainingResult result;
    try
    {
        result = new KnobTrainer(config, captures, run.Path, ProgressReporter.ForConsole(plain)).Run(
            resumed is not null,
            stop.Token
        );
    }
    catch
    {
        run.RemoveIfEmpty();
        throw;
    }

    foreach (var e in result.Esr)
    {
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"  {e.Setting, -28} {(e.HeldOut ? "held out" : "trained "), -9} validation ESR {e.Esr:0.00000}"
            )
        );
    }

    Console.WriteLine(
        string.Create(
            CultureInfo.InvariantCulture,
            $"Validation ESR worst trained {result.WorstTrained:0.00000}, worst held out {result.WorstHeldOut:0.00000}, epoch {result.BestEpoch} of {result.Epochs}; {result.ElapsedSeconds:0.0} s; {result.StopReason}"
        )
    );
    Console.WriteLine($"Model: {result.ModelPath}");
    Console.WriteLine($"RUN_DIR: {result.OutputDirectory}");
    // A signal after the last epoch: the run is complete, and the exit code still says it was stopped.
    return stop.Token.IsCancellationRequested ? StopSignals.ExitCode : ExitCodes.Ok;
}

static int Export(string checkpointPath, string output)
{
    if (CheckpointExport.IsAidaPath(output))
    {
        var keras = CheckpointExport.ToAida(checkpointPath, output);
        Console.WriteLine(
            $"Wrote {output}: AIDA-X {keras.Layers[0].TypeName} {keras.Layers[0].OutputSize}, {keras.InputSize} input(s)"
        );
        return 0;
    }

    Console.WriteLine($"Wrote {output}: {CheckpointExport.ToNam(checkpointPath, output)}");
    return 0;
}
