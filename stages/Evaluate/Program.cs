using Nsmt.Config;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using Nsmt.Spectral.Training.Config;
using Nsmt.Spectral.Training.Evaluation;
using Nsmt.Spectral.Data;
using Spectre.Console;

// Evaluate: argument parsing plus one library call (ModelEvaluation.Run).
const string Usage = """
    Usage: Evaluate --run DIR|--checkpoint FILE [--data DIR] [--output DIR] [--samples N]

    Evaluates a trained model on a VIMH dataset's test split: per-head accuracy and MAE, confusion matrices
    (CSV + SVG), metrics.json, and the audio reconstruction check (WAVs, metrics, figure).
    The checkpoint carries its model config and the dataset metadata; nothing else is needed.

    Options:
      --run DIR          a run directory (uses checkpoints/best.ckpt, else last.ckpt)
      --checkpoint FILE  a checkpoint file
      --data DIR         dataset directory (default: the checkpoint config's data.dir)
      --output DIR       where to write (default: <run>/eval)
      --samples N        test samples to re-synthesise (default 8; 0 skips the audio check)
      -h, --help         show this help
    """;

string? run = null, data = null, output = null;
var samples = 8;
for (var i = 0; i < args.Length; i++)
{
    var a = args[i];
    switch (a)
    {
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        case "--run" or "--checkpoint" or "--data" or "--output" or "--samples" when i + 1 >= args.Length:
            return Fail($"{a} needs a value");
        case "--run" or "--checkpoint":
            run = args[++i];
            break;
        case "--data":
            data = args[++i];
            break;
        case "--output":
            output = args[++i];
            break;
        case "--samples":
            if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out samples))
                return Fail($"--samples expects a non-negative integer, got '{args[i]}'");
            break;
        default:
            return Fail($"unexpected argument '{a}'");
    }
}
if (run is null)
    return Fail("--run DIR or --checkpoint FILE is required");

try
{
    var workspace = Path.GetDirectoryName(ConfigLocator.Find(Directory.GetCurrentDirectory()))!;
    var request = new EvaluateRequest
    {
        Checkpoint = run,
        Data = data,
        Output = output ?? Path.Combine(Directory.Exists(run) ? run : Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(run)))!, "eval"),
        Workspace = workspace,
        ReconstructionSamples = samples,
    };
    var report = ModelEvaluation.Run(request);
    var table = new Table().AddColumns("head", "classes", "accuracy", "majority baseline", "MAE");
    foreach (var h in report.Heads)
        table.AddRow(h.Name, h.NumClasses.ToString(CultureInfo.InvariantCulture), F(h.Accuracy), F(h.MajorityBaseline), F(h.MeanAbsoluteError));
    AnsiConsole.Write(table);
    Console.WriteLine($"test samples: {report.Samples}, loss {F(report.Loss)}, mean accuracy {F(report.MeanAccuracy)}");
    if (report.Reconstructions.Count > 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reconstruction ({report.Reconstructions.Count} samples): mean SNR {report.Reconstructions.Average(r => Math.Min(r.Audio.SnrDb, 200)):0.0} dB, mean correlation {report.Reconstructions.Average(r => r.Audio.Correlation):0.###}, good {report.Reconstructions.Count(r => r.Audio.IsGood)}/{report.Reconstructions.Count}"));
    }
    Console.WriteLine($"EVAL_DIR: {Path.GetFullPath(request.Output)}");
    return 0;
}
catch (Exception e) when (e is ConfigException or VimhDataException or System.Runtime.InteropServices.ExternalException or IOException or InvalidDataException or UnauthorizedAccessException)
{
    return Fail(e.Message);
}

static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

static int Fail(string message)
{
    Console.Error.WriteLine($"Evaluate: {message}");
    return 2;
}
