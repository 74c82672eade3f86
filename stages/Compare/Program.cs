using System.Globalization;
using Nsmt.Report;
using TorchSharp;
using static TorchSharp.torch;
using Nsmt.Spectral.Training.Comparison;
using Nsmt.Spectral.Training.Config;
using Nsmt.Runs;
using Nsmt.Spectral.Data;

// Compare: argument parsing plus one library call per part (ArchitectureComparison.Run, ReportBuilder.Build).
const string Usage = """
    Usage: Compare --output DIR [--architectures a,b,...] [options]

    Trains each model of a comparison set for N epochs on one experiment's dataset (the template's "make ca") and
    writes comparison.csv/.md, then builds DIR/index.html: comparison tables, training curves, confusion matrices,
    architecture diagrams, dataset previews, amp plots and listening clips and the pipeline lock's provenance, all inline.

    Options:
      --output DIR            report directory (e.g. artifacts/report)
      --architectures LIST    model configs to compare, e.g. cnn_micro,cnn_tiny,vit_micro (skip to only build the report)
      --experiment NAME       experiment giving dataset and hyperparameters (default trivial_micro_small)
      --epochs N              epochs per architecture (default 3)
      --data DIR              dataset directory instead of the experiment's data.dir
      --runs DIR...           training run directories to include (each may have eval/)
      --evals DIR...          Evaluate output directories to include
      --diagrams DIR...       diagram directories to include
      --amp DIR...            amp evaluation directories to include
      --amp-runs DIR...       amp training run directories to include (training curves)
      --datasets DIR...       VIMH dataset directories the runs trained on (spectrograms, label histograms)
      --lock FILE             pipeline lock file (default artifacts/pipeline.lock when present)
      -h, --help              show this help
    Overrides for the comparison runs: key=value (e.g. data.batch_size=32)
    """;

string? output = null, data = null, lockFile = null;
var experiment = "trivial_micro_small";
var epochs = 3;
var architectures = new List<string>();
var runs = new List<string>();
var evals = new List<string>();
var diagrams = new List<string>();
var amp = new List<string>();
var ampRuns = new List<string>();
var datasets = new List<string>();
var overrides = new List<string>();
List<string>? collecting = null;
for (var i = 0; i < args.Length; i++)
{
    var a = args[i];
    switch (a)
    {
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        case "--output" or "--architectures" or "--experiment" or "--epochs" or "--data" or "--lock" when i + 1 >= args.Length:
            return Fail($"{a} needs a value");
        case "--output":
            output = args[++i];
            collecting = null;
            break;
        case "--architectures":
            architectures.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            collecting = null;
            break;
        case "--experiment":
            experiment = args[++i];
            collecting = null;
            break;
        case "--epochs":
            if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out epochs) || epochs < 1)
                return Fail($"--epochs expects a positive integer, got '{args[i]}'");
            collecting = null;
            break;
        case "--data":
            data = args[++i];
            collecting = null;
            break;
        case "--lock":
            lockFile = args[++i];
            collecting = null;
            break;
        case "--runs":
            collecting = runs;
            break;
        case "--evals":
            collecting = evals;
            break;
        case "--diagrams":
            collecting = diagrams;
            break;
        case "--amp":
            collecting = amp;
            break;
        case "--amp-runs":
            collecting = ampRuns;
            break;
        case "--datasets":
            collecting = datasets;
            break;
        default:
            if (a.StartsWith('-'))
                return Fail($"unknown option '{a}'");
            if (collecting is not null)
                collecting.Add(a);
            else if (a.Contains('='))
                overrides.Add(a);
            else
                return Fail($"unexpected argument '{a}'");
            break;
    }
}
if (output is null)
    return Fail("--output DIR is required");

try
{
    var configRoot = ConfigLocator.Find(Directory.GetCurrentDirectory());
    string? comparisonDir = null;
    if (architectures.Count > 0)
    {
        comparisonDir = Path.Combine(output, "comparison");
        ArchitectureComparison.Run(new ComparisonRequest
        {
            ConfigRoot = configRoot,
            Experiment = experiment,
            Models = architectures,
            Epochs = epochs,
            Output = comparisonDir,
            DataDirectory = data,
            Overrides = overrides,
        }, ProgressReporter.ForConsole());
        Console.WriteLine(File.ReadAllText(Path.Combine(comparisonDir, "comparison.md")));
    }
    var defaultLock = Path.Combine(Path.GetDirectoryName(configRoot)!, "artifacts", "pipeline.lock");
    var index = ReportBuilder.Build(new ReportRequest
    {
        Output = output,
        Comparison = comparisonDir,
        Runs = runs,
        Evaluations = evals,
        Diagrams = diagrams,
        Amp = amp,
        AmpRuns = ampRuns,
        Datasets = datasets,
        Lock = lockFile ?? (File.Exists(defaultLock) ? defaultLock : null),
    });
    Console.WriteLine($"REPORT: {Path.GetFullPath(index)}");
    return 0;
}
catch (Exception e) when (e is ConfigException or Nsmt.Spectral.Models.ModelConfigException or VimhDataException or System.Runtime.InteropServices.ExternalException
    or IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
{
    return Fail(e.Message);
}

static int Fail(string message)
{
    Console.Error.WriteLine($"Compare: {message}");
    return 2;
}
