using System.CommandLine;
using System.Globalization;
using Nsmt.Cli;
using Nsmt.Runs;
using Nsmt.Spectral.Training.Config;
using Nsmt.Spectral.Training.Evaluation;
using Spectre.Console;

// Evaluate: argument parsing plus one library call (ModelEvaluation.Run).
var runOption = new Option<string>("--run")
{
    Description = "a run directory (uses checkpoints/best.ckpt, else last.ckpt)",
    HelpName = "DIR",
};
var checkpointOption = new Option<string>("--checkpoint") { Description = "a checkpoint file", HelpName = "FILE" };
var dataOption = StageOptions.Data("dataset directory (default: the checkpoint config's data.dir)");
var outputOption = StageOptions.Output("where to write (default: <run>/eval)");
var samplesOption = StageOptions.WholeNumber(
    "--samples",
    "test samples to re-synthesise (default 8; 0 skips the audio check)",
    minimum: 0
);
var root = new StageCommand(
    "Evaluates a trained model on a VIMH dataset's test split: per-head accuracy and MAE, confusion matrices "
        + "(CSV + SVG), metrics.json, and the audio reconstruction check (WAVs, metrics, figure). "
        + "The checkpoint carries its model config and the dataset metadata; nothing else is needed.",
    "Evaluate --run logs/trivial_tiny_small/runs/2026-11-21_10-00-00",
    "Evaluate --checkpoint artifacts/runs/quick/checkpoints/best.ckpt --data data/simple_saw --output eval/ --samples 0"
)
{
    runOption,
    checkpointOption,
    dataOption,
    outputOption,
    samplesOption,
};
root.Validators.Add(command =>
{
    if ((command.GetResult(runOption) is null) == (command.GetResult(checkpointOption) is null))
    {
        command.AddError("give one of --run DIR or --checkpoint FILE");
    }
});
root.SetAction(parse =>
    StageCli.Run(
        "Evaluate",
        () =>
            Evaluate(
                parse.GetValue(runOption) ?? parse.GetRequiredValue(checkpointOption),
                parse.GetValue(dataOption),
                parse.GetValue(outputOption),
                parse.GetValue(samplesOption) ?? 8
            ),
        e => e is System.Runtime.InteropServices.ExternalException
    )
);
return StageCli.Invoke(root, args);

static int Evaluate(string run, string? data, string? output, int samples)
{
    var workspace = Path.GetDirectoryName(ConfigLocator.Find(Directory.GetCurrentDirectory()))!;
    var request = new EvaluateRequest
    {
        Checkpoint = run,
        Data = data,
        Output = output ?? DefaultOutput(run),
        Workspace = workspace,
        ReconstructionSamples = samples,
    };
    var report = ModelEvaluation.Run(request);
    var table = new Table().AddColumns("head", "classes", "accuracy", "majority baseline", "MAE");
    foreach (var h in report.Heads)
    {
        table.AddRow(
            h.Name,
            h.NumClasses.ToString(CultureInfo.InvariantCulture),
            F(h.Accuracy),
            F(h.MajorityBaseline),
            F(h.MeanAbsoluteError)
        );
    }

    AnsiConsole.Write(table);
    Console.WriteLine($"test samples: {report.Samples}, loss {F(report.Loss)}, mean accuracy {F(report.MeanAccuracy)}");
    if (report.Reconstructions.Count > 0)
    {
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"reconstruction ({report.Reconstructions.Count} samples): mean SNR {report.Reconstructions.Average(r => Math.Min(r.Audio.SnrDb, 200)):0.0} dB, mean correlation {report.Reconstructions.Average(r => r.Audio.Correlation):0.###}, good {report.Reconstructions.Count(r => r.Audio.IsGood)}/{report.Reconstructions.Count}"
            )
        );
    }
    Console.WriteLine($"EVAL_DIR: {Path.GetFullPath(request.Output)}");
    return 0;
}

// RUN/eval, beside the checkpoint's run folder. A checkpoint that is not there has no run folder, and is the error to
// report, not whatever the folder two levels up holds (after a main-job run, artifacts/eval holds the pipeline's).
static string DefaultOutput(string checkpoint) =>
    Directory.Exists(checkpoint) ? Path.Combine(checkpoint, "eval")
    : File.Exists(checkpoint) ? Path.Combine(RunDirectory.OfCheckpoint(checkpoint).Path, "eval")
    : throw new FileNotFoundException($"{checkpoint}: checkpoint not found", checkpoint);

static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
