using System.Globalization;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Config;
using Nsmt.Diagrams;
using Nsmt.Neural;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Data;

// Diagram: argument parsing plus library calls (ModelSources builds and traces the model, ModelDiagram writes the files).
const string Usage = """
    Usage: Diagram --experiment NAME [options] [key=value ...]
           Diagram --model FILE.yaml --heads NAME:CLASSES,... --input CxHxW [options] [key=value ...]
           Diagram --amp FILE.yaml [options] [key=value ...]
           Diagram --nam FILE.nam [options]

    Writes, for one model: summary.txt (a torchinfo-style table of layers, output shapes and parameters, with
    totals and memory estimates), model.dot (a Graphviz graph of the architecture) and model.svg (rendered by
    Graphviz's dot; without Graphviz the .dot is still written and the message says how to render it).

    Model sources:
      --experiment NAME   configs/experiment/NAME.yaml composed with configs/train.yaml, as Train does; heads and
                          input shape come from the dataset, or its generator config when it is not generated yet
      --model FILE        a model config (e.g. configs/model/cnn_micro.yaml), with:
      --heads LIST          heads as name:classes, e.g. note_velocity:3,log10_decay_time:24
      --input CxHxW         input image shape, e.g. 1x32x32
      --amp FILE          an amp training config (e.g. configs/amp/NAME.yaml): its WaveNet/LSTM model
      --nam FILE          a .nam file (NAM WaveNet A1 or LSTM)

    Options:
      --output DIR        output folder (default: artifacts/diagrams/<experiment or file name>)
      --configs DIR       config root (default: ./configs, else the nearest parent with configs/train.yaml)
      --samples N         amp models: output samples of the example input after the context (default 64)
      --depth N           table depth (default 3, as torchinfo)
      --graph-depth N     draw modules at this depth as single blocks (default: every layer)
      --direction TB|LR   graph direction (default TB, top to bottom)
      --var-names         show attribute names in the table: "Linear (note_velocity): 2-1"
      -h, --help          show this help

    Overrides: model=vit_micro  model.net.dropout=0.3 (experiments); net.embed_dim=64 (model files); model.preset=lite (amp)
    """;

string? experiment = null, modelFile = null, heads = null, input = null, amp = null, nam = null, output = null, configs = null;
int samples = ModelSources.DefaultAmpSamples, depth = 3;
int? graphDepth = null;
var direction = GraphDirection.TopToBottom;
var varNames = false;
var overrides = new List<string>();
string[] valued = ["--experiment", "--model", "--heads", "--input", "--amp", "--nam", "--output", "--configs", "--samples", "--depth", "--graph-depth", "--direction"];
for (var i = 0; i < args.Length; i++)
{
    var a = args[i];
    if (valued.Contains(a) && i + 1 >= args.Length)
        return Fail($"{a} needs a value");
    switch (a)
    {
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        case "--experiment": experiment = args[++i]; break;
        case "--model": modelFile = args[++i]; break;
        case "--heads": heads = args[++i]; break;
        case "--input": input = args[++i]; break;
        case "--amp": amp = args[++i]; break;
        case "--nam": nam = args[++i]; break;
        case "--output": output = args[++i]; break;
        case "--configs": configs = args[++i]; break;
        case "--samples":
            if (!TryPositive(args[++i], out samples))
                return Fail($"--samples expects a positive integer, got '{args[i]}'");
            break;
        case "--depth":
            if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out depth))
                return Fail($"--depth expects an integer >= 0, got '{args[i]}'");
            break;
        case "--graph-depth":
            if (!TryPositive(args[++i], out var g))
                return Fail($"--graph-depth expects a positive integer, got '{args[i]}'");
            graphDepth = g;
            break;
        case "--direction":
            direction = args[++i].ToUpperInvariant() switch
            {
                "TB" => GraphDirection.TopToBottom,
                "LR" => GraphDirection.LeftToRight,
                _ => (GraphDirection)(-1),
            };
            if (!Enum.IsDefined(direction))
                return Fail($"--direction expects TB or LR, got '{args[i]}'");
            break;
        case "--var-names": varNames = true; break;
        default:
            if (a.StartsWith('-') || !a.Contains('='))
                return Fail($"unexpected argument '{a}' (options start with --, overrides look like key=value)");
            overrides.Add(a);
            break;
    }
}

var sources = new[] { experiment, modelFile, amp, nam }.Count(s => s is not null);
if (sources != 1)
    return Fail("give exactly one of --experiment, --model, --amp or --nam");
if (modelFile is not null && (heads is null || input is null))
    return Fail("--model needs --heads NAME:CLASSES,... and --input CxHxW (an experiment takes both from its dataset)");
if (modelFile is null && (heads is not null || input is not null))
    return Fail("--heads and --input go with --model");
if (nam is not null && overrides.Count > 0)
    return Fail("a .nam file takes no overrides");

try
{
    TracedModel model;
    string? configRoot = null;
    if (experiment is not null)
    {
        configRoot = configs ?? Nsmt.Spectral.Training.Config.ConfigLocator.Find(Directory.GetCurrentDirectory());
        model = ModelSources.FromExperiment(configRoot, experiment, overrides);
    }
    else if (modelFile is not null)
        model = ModelSources.FromModelConfig(modelFile, ModelSources.ParseHeads(heads!), ModelSources.ParseInputShape(input!), overrides);
    else if (amp is not null)
        model = ModelSources.FromAmpConfig(amp, overrides, samples);
    else
        model = ModelSources.FromNamFile(nam!, samples);

    var workspace = configRoot is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(configRoot).TrimEnd('/'))!;
    var directory = output ?? Path.Combine(workspace, "artifacts", "diagrams", model.Name);
    Console.WriteLine($"Diagram of {model.Description}");
    var files = ModelDiagram.Write(model.Trace, directory,
        new SummaryOptions { Depth = depth, ShowVariableNames = varNames },
        new GraphOptions { MaxDepth = graphDepth, Direction = direction });
    var statistics = TorchinfoStatistics.Of(model.Trace);
    Console.WriteLine($"{model.Trace.ModelName}: {statistics.TotalParams.ToString("#,0", CultureInfo.InvariantCulture)} parameters, "
        + $"{model.Trace.Layers.Count} rows, input {string.Join(" + ", model.Trace.InputShapes.Select(s => s.DimsText))}");
    Console.WriteLine($"Summary: {files.SummaryPath}");
    Console.WriteLine($"Graph: {files.DotPath}");
    if (files.Svg.Rendered)
        Console.WriteLine($"SVG: {files.Svg.SvgPath}");
    else
        Console.WriteLine($"SVG: not written. {files.Svg.Message}");
    var notTraced = model.Trace.Layers.Where(l => l.Kind == LayerKind.NotReached).Select(l => l.Path).ToList();
    if (notTraced.Count > 0)
        Console.WriteLine($"Note: no hook saw these modules run (not used, or invoked with forward instead of call): {string.Join(", ", notTraced)}");
    Console.WriteLine($"DIAGRAM_PATH: {Path.GetFullPath(directory)}");
    return 0;
}
catch (Exception e) when (e is Nsmt.Spectral.Training.Config.ConfigException or Nsmt.Spectral.Data.Config.ConfigException or ModelConfigException or AmpConfigException
    or NamFormatException or NotSupportedException or VimhDataException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
{
    return Fail(e.Message);
}

static bool TryPositive(string text, out int value) =>
    int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

static int Fail(string message)
{
    Console.Error.WriteLine($"Diagram: error: {message}");
    Console.Error.WriteLine("Run 'Diagram --help' for usage.");
    return 2;
}
