using System.CommandLine;
using Nsmt.Cli;
using Nsmt.Report;
using Nsmt.Runs;
using Nsmt.Spectral.Training.Comparison;
using Nsmt.Spectral.Training.Config;

// Report: argument parsing plus one library call per part (ArchitectureComparison.Run, ReportBuilder.Build).
var outputOption = StageOptions.Output("report directory (e.g. artifacts/report)", required: true);
var architecturesOption = new Option<string[]>("--architectures")
{
    Description = "model configs to compare, e.g. cnn_micro,cnn_tiny,vit_micro (skip to only build the report)",
    HelpName = "LIST",
    CustomParser = r =>
        [
            .. r.Tokens.SelectMany(t =>
                t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ),
        ],
};
var experimentOption = StageOptions.Experiment(
    "experiment giving dataset and hyperparameters (default trivial_micro_small)"
);
var epochsOption = StageOptions.WholeNumber("--epochs", "epochs per architecture (default 3)", minimum: 1);
var dataOption = StageOptions.Data("dataset directory instead of the experiment's data.dir");
var seedOption = StageOptions.Seed("random seed of the comparison runs (sets seed=N)");
var threadsOption = StageOptions.Threads("libtorch threads of the comparison runs (sets trainer.threads=N)");
var plainOption = StageOptions.Plain();
var runsOption = Directories("--runs", "training run directories to include (each may have eval/)");
var evalsOption = Directories("--evals", "Evaluate output directories to include");
var diagramsOption = Directories("--diagrams", "diagram directories to include");
var ampOption = Directories("--amp", "amp evaluation directories to include");
var ampRunsOption = Directories("--amp-runs", "amp training run directories to include (training curves)");
var datasetsOption = Directories(
    "--datasets",
    "VIMH dataset directories the runs trained on (spectrograms, label histograms)"
);
var knobRunsOption = Directories("--knob-runs", "knob run directories to include (ESR heat map, clips, sweeps)");
var lockOption = new Option<string>("--lock")
{
    Description = "pipeline lock file (default artifacts/pipeline.lock when present)",
    HelpName = "FILE",
};
var overridesArgument = Overrides.Argument("data.batch_size=32 (for the comparison runs)");
var root = new StageCommand(
    "Trains each model of a comparison set for N epochs on one experiment's dataset (the template's \"make ca\") and "
        + "writes comparison.csv/.md, then builds DIR/index.html: comparison tables, training curves, confusion matrices, "
        + "architecture diagrams, dataset previews, amp plots and listening clips and the pipeline lock's provenance, all inline.",
    "Report --output artifacts/report --runs artifacts/runs/quick --evals artifacts/eval/quick --diagrams artifacts/diagrams/quick",
    "Report --output artifacts/compare --architectures cnn_micro,cnn_tiny --experiment quick --epochs 2 data.batch_size=32"
)
{
    outputOption,
    architecturesOption,
    experimentOption,
    epochsOption,
    dataOption,
    seedOption,
    threadsOption,
    plainOption,
    runsOption,
    evalsOption,
    diagramsOption,
    ampOption,
    ampRunsOption,
    datasetsOption,
    knobRunsOption,
    lockOption,
    overridesArgument,
};
root.SetAction(parse =>
    StageCli.Run(
        "Report",
        () =>
            Compare(
                parse.GetRequiredValue(outputOption),
                parse.GetValue(architecturesOption) ?? [],
                parse.GetValue(experimentOption) ?? "trivial_micro_small",
                parse.GetValue(epochsOption) ?? 3,
                parse.GetValue(dataOption),
                parse.GetValue(lockOption),
                parse.GetValue(plainOption),
                new Inputs(
                    parse.GetValue(runsOption) ?? [],
                    parse.GetValue(evalsOption) ?? [],
                    parse.GetValue(diagramsOption) ?? [],
                    parse.GetValue(ampOption) ?? [],
                    parse.GetValue(ampRunsOption) ?? [],
                    parse.GetValue(datasetsOption) ?? [],
                    parse.GetValue(knobRunsOption) ?? []
                ),
                Overrides.With(
                    parse.GetValue(overridesArgument),
                    ("seed", parse.GetValue(seedOption)),
                    ("trainer.threads", parse.GetValue(threadsOption))
                )
            ),
        e => e is System.Runtime.InteropServices.ExternalException or System.Text.Json.JsonException
    )
);
return StageCli.Invoke(root, args);

// Several values after one option (--runs a b c), as the pipeline passes a list; none is allowed (an empty list).
static Option<string[]> Directories(string name, string description) =>
    new(name)
    {
        Description = description,
        HelpName = "DIR...",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = true,
    };

static int Compare(
    string output,
    string[] architectures,
    string experiment,
    int epochs,
    string? data,
    string? lockFile,
    bool plain,
    Inputs inputs,
    IReadOnlyList<string> overrides
)
{
    var configRoot = ConfigLocator.Find(Directory.GetCurrentDirectory());
    var defaultLock = Path.Combine(Path.GetDirectoryName(configRoot)!, "artifacts", "pipeline.lock");
    // Checked before any comparison run trains: a mistyped or misplaced folder fails now, not after the training.
    var request = new ReportRequest
    {
        Output = output,
        Runs = inputs.Runs,
        Evaluations = inputs.Evals,
        Diagrams = inputs.Diagrams,
        Amp = inputs.Amp,
        AmpRuns = inputs.AmpRuns,
        Datasets = inputs.Datasets,
        KnobRuns = inputs.KnobRuns,
        Lock = lockFile ?? (File.Exists(defaultLock) ? defaultLock : null),
    };
    ReportInputs.Check(request);
    string? comparisonDir = null;
    if (architectures.Length > 0)
    {
        comparisonDir = Path.Combine(output, "comparison");
        ArchitectureComparison.Run(
            new ComparisonRequest
            {
                ConfigRoot = configRoot,
                Experiment = experiment,
                Models = architectures,
                Epochs = epochs,
                Output = comparisonDir,
                DataDirectory = data,
                Overrides = overrides,
            },
            ProgressReporter.ForConsole(plain)
        );
        Console.WriteLine(File.ReadAllText(Path.Combine(comparisonDir, "comparison.md")));
    }
    var index = ReportBuilder.Build(request with { Comparison = comparisonDir });
    Console.WriteLine($"REPORT: {Path.GetFullPath(index)}");
    return 0;
}

/// <summary>The pipeline outputs the report includes.</summary>
internal sealed record Inputs(
    string[] Runs,
    string[] Evals,
    string[] Diagrams,
    string[] Amp,
    string[] AmpRuns,
    string[] Datasets,
    string[] KnobRuns
);
