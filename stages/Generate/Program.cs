using System.CommandLine;
using System.Globalization;
using Nsmt.Cli;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Generation;
using Spectre.Console;

// Generate: argument parsing plus one library call (DatasetGenerator.Generate).
var configOption = StageOptions.Config("generator config (YAML), e.g. configs/synth/simple_saw.yaml", required: true);
var outputOption = StageOptions.Output("dataset directory (default: generate.output_dir/<conventional name>)");
var seedOption = StageOptions.Seed("random seed (sets seed=N; the same config and seed give the same bytes)");
var threadsOption = StageOptions.Threads("worker threads (default: all cores; the output does not depend on it)");
var plainOption = StageOptions.Plain();
var noReportsOption = new Option<bool>("--no-reports") { Description = "skip preview.png and summary.txt" };
var overridesArgument = Overrides.Argument("dataset.size=16384 seed=3 sampling=grid shuffle=true");
var root = new StageCommand(
    "Generates a VIMH dataset from a synthesiser config.",
    "Generate --config configs/synth/simple_saw.yaml",
    "Generate --config configs/synth/moog_basic.yaml --output data/moog --seed 3 dataset.size=16384"
)
{
    configOption,
    outputOption,
    seedOption,
    threadsOption,
    plainOption,
    noReportsOption,
    overridesArgument,
};
root.SetAction(parse =>
    StageCli.Run(
        "Generate",
        () =>
            Generate(
                parse.GetRequiredValue(configOption),
                parse.GetValue(outputOption),
                parse.GetValue(threadsOption),
                !parse.GetValue(noReportsOption),
                StageOptions.PlainProgress(parse.GetValue(plainOption)),
                GenerateOverrides(parse)
            ),
        e => e is ArgumentException,
        () => GeneratorConfig.ReadsOf(parse.GetRequiredValue(configOption), GenerateOverrides(parse))
    )
);
return StageCli.Invoke(root, args);

IReadOnlyList<string> GenerateOverrides(ParseResult parse) =>
    Overrides.With(parse.GetValue(overridesArgument), ("seed", parse.GetValue(seedOption)));

static int Generate(
    string configPath,
    string? output,
    int? threads,
    bool reports,
    bool plain,
    IReadOnlyList<string> overrides
)
{
    var config = GeneratorConfig.Load(configPath, overrides);
    Console.WriteLine(
        $"Generating {config.DatasetName}: {config.Size} samples, seed {config.Seed}, {config.Sampling.ToString().ToLowerInvariant()} sampling"
    );
    GenerationResult result;
    using var stop = new StopSignals(
        "Generate",
        "no partial data files are kept; run it again to generate the dataset"
    );
    var options = new GenerationOptions
    {
        OutputDirectory = output,
        MaxDegreeOfParallelism = threads,
        WriteReports = reports,
        CancellationToken = stop.Token,
    };
    if (plain)
    {
        var lastDecile = -1;
        var progress = new SynchronousProgress(p =>
        {
            var decile = (int)(p.Done * 10L / p.Total);
            if (decile > Volatile.Read(ref lastDecile) && Interlocked.Exchange(ref lastDecile, decile) < decile)
            {
                Console.WriteLine($"progress: {p.Done}/{p.Total} samples ({decile * 10}%)");
            }
        });
        result = DatasetGenerator.Generate(config, options with { Progress = progress });
    }
    else
    {
        result = AnsiConsole
            .Progress()
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RemainingTimeColumn()
            )
            .Start(ctx =>
            {
                var task = ctx.AddTask("samples", maxValue: config.Size);
                var progress = new SynchronousProgress(p =>
                {
                    if (p.Done % 64 == 0 || p.Done == p.Total)
                    {
                        task.Value = p.Done;
                    }
                });
                var r = DatasetGenerator.Generate(config, options with { Progress = progress });
                task.Value = config.Size;
                return r;
            });
    }

    var rate = config.Size / Math.Max(result.Elapsed.TotalSeconds, 1e-9);
    Console.WriteLine(
        $"Wrote {result.TrainCount} train + {result.TestCount} test records to {result.DatasetDirectory}"
    );
    Console.WriteLine(
        string.Create(CultureInfo.InvariantCulture, $"Time: {result.Elapsed.TotalSeconds:F2} s ({rate:F0} samples/s)")
    );
    if (result.PreviewPath is not null)
    {
        Console.WriteLine($"Preview: {result.PreviewPath}");
    }

    if (result.SummaryPath is not null)
    {
        Console.WriteLine($"Summary: {result.SummaryPath}");
    }

    Console.WriteLine($"DATASET_PATH: {result.DatasetDirectory}");
    return 0;
}

/// <summary>Reports on the calling (worker) thread, unlike Progress&lt;T&gt; which posts to a context.</summary>
internal sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
{
    public void Report(GenerationProgress value) => report(value);
}
