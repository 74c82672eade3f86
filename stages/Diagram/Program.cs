using System.CommandLine;
using System.Globalization;
using Nsmt.Amp.Training.Config;
using Nsmt.Cli;
using Nsmt.Config;
using Nsmt.Diagrams;

// Diagram: argument parsing plus library calls (ModelSources builds and traces the model, ModelDiagram writes the files).
var experimentOption = StageOptions.Experiment(
    "configs/experiment/NAME.yaml composed with configs/train.yaml, as Train does; heads and "
        + "input shape come from the dataset, or its generator config when it is not generated yet"
);
var modelOption = new Option<string>("--model")
{
    Description = "a model config (e.g. configs/model/cnn_micro.yaml), with --heads and --input",
    HelpName = "FILE",
};
var headsOption = new Option<string>("--heads")
{
    Description = "with --model: heads as name:classes, e.g. note_velocity:3,log10_decay_time:24",
    HelpName = "LIST",
};
var inputOption = new Option<string>("--input")
{
    Description = "with --model: input image shape, e.g. 1x32x32",
    HelpName = "CxHxW",
};
var ampOption = new Option<string>("--amp")
{
    Description = "an amp training config (e.g. configs/amp/NAME.yaml): its WaveNet/LSTM model",
    HelpName = "FILE",
};
var namOption = new Option<string>("--nam") { Description = "a .nam file (NAM WaveNet A1 or LSTM)", HelpName = "FILE" };
var outputOption = StageOptions.Output("output folder (default: artifacts/diagrams/<experiment or file name>)");
var configsOption = new Option<string>("--configs")
{
    Description = "config root (default: ./configs, else the nearest parent with configs/train.yaml)",
    HelpName = "DIR",
};
var samplesOption = StageOptions.WholeNumber(
    "--samples",
    $"amp models: output samples of the example input after the context (default {ModelSources.DefaultAmpSamples})",
    minimum: 1
);
var depthOption = StageOptions.WholeNumber("--depth", "table depth (default 3, as torchinfo)", minimum: 0);
var graphDepthOption = StageOptions.WholeNumber(
    "--graph-depth",
    "draw modules at this depth as single blocks (default: every layer)",
    minimum: 1
);
var directionOption = new Option<GraphDirection>("--direction")
{
    Description = "graph direction: TB (top to bottom, default) or LR",
    HelpName = "TB|LR",
    CustomParser = r =>
    {
        var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
        switch (text.ToUpperInvariant())
        {
            case "TB":
                return GraphDirection.TopToBottom;
            case "LR":
                return GraphDirection.LeftToRight;
            default:
                r.AddError($"--direction expects TB or LR, got '{text}'");
                return GraphDirection.TopToBottom;
        }
    },
};
var varNamesOption = new Option<bool>("--var-names")
{
    Description = "show attribute names in the table: \"Linear (note_velocity): 2-1\"",
};
var overridesArgument = Overrides.Argument(
    "model=vit_micro model.net.dropout=0.3 (experiments); net.embed_dim=64 (model files); model.preset=lite (amp)"
);
var root = new StageCommand(
    "Writes, for one model: summary.txt (a torchinfo-style table of layers, output shapes and parameters, with "
        + "totals and memory estimates), model.dot (a Graphviz graph of the architecture) and model.svg (rendered by Graphviz's dot; "
        + "without Graphviz the .dot is still written and the message says how to render it). "
        + "The model comes from exactly one of --experiment, --model, --amp or --nam.",
    "Diagram --experiment quick",
    "Diagram --model configs/model/cnn_micro.yaml --heads note_velocity:3,log10_decay_time:24 --input 1x32x32 --direction LR",
    "Diagram --amp configs/amp/default.yaml model.preset=lite",
    "Diagram --nam amp.nam --output artifacts/diagrams/amp"
)
{
    experimentOption,
    modelOption,
    headsOption,
    inputOption,
    ampOption,
    namOption,
    outputOption,
    configsOption,
    samplesOption,
    depthOption,
    graphDepthOption,
    directionOption,
    varNamesOption,
    overridesArgument,
};
root.Validators.Add(command =>
{
    bool Has(Option option) => command.GetResult(option) is not null;
    if (new Option[] { experimentOption, modelOption, ampOption, namOption }.Count(Has) != 1)
    {
        command.AddError("give exactly one of --experiment, --model, --amp or --nam");
    }
    else if (Has(modelOption) && !(Has(headsOption) && Has(inputOption)))
    {
        command.AddError(
            "--model needs --heads NAME:CLASSES,... and --input CxHxW (an experiment takes both from its dataset)"
        );
    }
    else if (!Has(modelOption) && (Has(headsOption) || Has(inputOption)))
    {
        command.AddError("--heads and --input go with --model");
    }
    else if (Has(namOption) && command.GetValue(overridesArgument) is { Length: > 0 })
    {
        command.AddError("a .nam file takes no overrides");
    }
});
root.SetAction(parse =>
    StageCli.Run(
        "Diagram",
        () =>
            Draw(
                new Source(
                    parse.GetValue(experimentOption),
                    parse.GetValue(modelOption),
                    parse.GetValue(headsOption),
                    parse.GetValue(inputOption),
                    parse.GetValue(ampOption),
                    parse.GetValue(namOption),
                    parse.GetValue(configsOption)
                ),
                parse.GetValue(outputOption),
                parse.GetValue(samplesOption) ?? ModelSources.DefaultAmpSamples,
                new SummaryOptions
                {
                    Depth = parse.GetValue(depthOption) ?? 3,
                    ShowVariableNames = parse.GetValue(varNamesOption),
                },
                new GraphOptions
                {
                    MaxDepth = parse.GetValue(graphDepthOption),
                    Direction = parse.GetValue(directionOption),
                },
                parse.GetValue(overridesArgument) ?? []
            ),
        e => e is NotSupportedException or ArgumentException or InvalidOperationException,
        () =>
            Reads(
                parse.GetValue(experimentOption),
                parse.GetValue(ampOption),
                parse.GetValue(modelOption),
                parse.GetValue(configsOption),
                parse.GetValue(overridesArgument) ?? []
            )
    )
);
return StageCli.Invoke(root, args);

// What drawing reads of a config. The binder reads the whole config; the model is built from model:, the seed and
// data: (a dataset's heads and input shape, an amp's sample rate).
static ConfigReads Reads(string? experiment, string? amp, string? modelFile, string? configs, string[] overrides)
{
    if (experiment is not null)
    {
        var configRoot = configs ?? Nsmt.Spectral.Training.Config.ConfigLocator.Find(Directory.GetCurrentDirectory());
        return Nsmt
            .Spectral.Training.Config.TrainConfig.ReadsOf(configRoot, experiment, overrides)
            .Within("model", "seed", "data");
    }

    if (amp is not null)
    {
        return AmpTrainConfig.ReadsOf(amp, overrides).Within("model", "seed", "data.sample_rate");
    }

    return modelFile is null
        ? ConfigReads.None // a .nam file: the pipeline hashes it as a dependency
        : throw new NotSupportedException(
            "Diagram --model cannot report what it reads (the pipeline draws experiments: --experiment or --amp)"
        );
}

static int Draw(
    Source source,
    string? output,
    int samples,
    SummaryOptions summary,
    GraphOptions graph,
    string[] overrides
)
{
    var (experiment, modelFile, heads, input, amp, nam, configs) = source;
    TracedModel model;
    string? configRoot = null;
    if (experiment is not null)
    {
        configRoot = configs ?? Nsmt.Spectral.Training.Config.ConfigLocator.Find(Directory.GetCurrentDirectory());
        model = ModelSources.FromExperiment(configRoot, experiment, overrides);
    }
    else if (modelFile is not null)
    {
        model = ModelSources.FromModelConfig(
            modelFile,
            ModelSources.ParseHeads(heads!),
            ModelSources.ParseInputShape(input!),
            overrides
        );
    }
    else if (amp is not null)
    {
        model = ModelSources.FromAmpConfig(amp, overrides, samples);
    }
    else
    {
        model = ModelSources.FromNamFile(nam!, samples);
    }

    var workspace = configRoot is null
        ? Directory.GetCurrentDirectory()
        : Path.GetDirectoryName(Path.GetFullPath(configRoot).TrimEnd('/'))!;
    var directory = output ?? Path.Combine(workspace, "artifacts", "diagrams", model.Name);
    Console.WriteLine($"Diagram of {model.Description}");
    var files = ModelDiagram.Write(model.Trace, directory, summary, graph);
    var statistics = TorchinfoStatistics.Of(model.Trace);
    Console.WriteLine(
        $"{model.Trace.ModelName}: {statistics.TotalParams.ToString("#,0", CultureInfo.InvariantCulture)} parameters, "
            + $"{model.Trace.Layers.Count} rows, input {string.Join(" + ", model.Trace.InputShapes.Select(s => s.DimsText))}"
    );
    Console.WriteLine($"Summary: {files.SummaryPath}");
    Console.WriteLine($"Graph: {files.DotPath}");
    if (files.Svg.Rendered)
    {
        Console.WriteLine($"SVG: {files.Svg.SvgPath}");
    }
    else
    {
        Console.WriteLine($"SVG: not written. {files.Svg.Message}");
    }

    var notTraced = model.Trace.Layers.Where(l => l.Kind == LayerKind.NotReached).Select(l => l.Path).ToList();
    if (notTraced.Count > 0)
    {
        Console.WriteLine(
            $"Note: no hook saw these modules run (not used, or invoked with forward instead of call): {string.Join(", ", notTraced)}"
        );
    }

    Console.WriteLine($"DIAGRAM_PATH: {Path.GetFullPath(directory)}");
    return 0;
}

/// <summary>Where the model comes from: exactly one of experiment, model file, amp config or .nam file.</summary>
internal sealed record Source(
    string? Experiment,
    string? ModelFile,
    string? Heads,
    string? Input,
    string? Amp,
    string? Nam,
    string? Configs
);
