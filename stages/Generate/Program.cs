using Nsmt.Config;
using System.Globalization;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Generation;
using Spectre.Console;

// Generate: argument parsing plus one library call (DatasetGenerator.Generate).
//   Generate --config configs/synth/simple_saw.yaml [--output DIR] [--threads N] [--no-reports] [key=value ...]

const string Usage = """
    Usage: Generate --config FILE.yaml [options] [key=value ...]

    Generates a VIMH dataset from a synthesiser config.

    Options:
      --config FILE     generator config (YAML), e.g. configs/synth/simple_saw.yaml
      --output DIR      dataset directory (default: generate.output_dir/<conventional name>)
      --threads N       worker threads (default: all cores; the output does not depend on it)
      --no-reports      skip preview.png and summary.txt
      -h, --help        show this help

    Overrides (dotted config keys): dataset.size=16384 seed=3 sampling=grid shuffle=true
    """;

string? configPath = null, output = null;
int? threads = null;
bool reports = true;
var overrides = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string a = args[i];
    switch (a)
    {
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        case "--config" or "--output" or "--threads" when i + 1 >= args.Length:
            return Fail($"{a} needs a value");
        case "--config":
            configPath = args[++i];
            break;
        case "--output":
            output = args[++i];
            break;
        case "--threads":
            if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out int t) || t < 1)
            {
                return Fail($"--threads expects a positive integer, got '{args[i]}'");
            }

            threads = t;
            break;
        case "--no-reports":
            reports = false;
            break;
        default:
            if (a.StartsWith('-'))
            {
                return Fail($"unknown option '{a}'");
            }

            if (!a.Contains('='))
            {
                return Fail($"unexpected argument '{a}' (overrides look like key=value)");
            }

            overrides.Add(a);
            break;
    }
}

if (configPath is null)
{
    return Fail("--config is required");
}

try
{
    GeneratorConfig config = GeneratorConfig.Load(configPath, overrides);
    bool plain = Console.IsOutputRedirected || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
    Console.WriteLine($"Generating {config.DatasetName}: {config.Size} samples, seed {config.Seed}, {config.Sampling.ToString().ToLowerInvariant()} sampling");
    GenerationResult result;
    var options = new GenerationOptions { OutputDirectory = output, MaxDegreeOfParallelism = threads, WriteReports = reports };
    if (plain)
    {
        int lastDecile = -1;
        var progress = new SynchronousProgress(p =>
        {
            int decile = (int)(p.Done * 10L / p.Total);
            if (decile > Volatile.Read(ref lastDecile) && Interlocked.Exchange(ref lastDecile, decile) < decile)
            {
                Console.WriteLine($"progress: {p.Done}/{p.Total} samples ({decile * 10}%)");
            }
        });
        result = DatasetGenerator.Generate(config, options with { Progress = progress });
    }
    else
    {
        result = AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask("samples", maxValue: config.Size);
                var progress = new SynchronousProgress(p =>
                {
                    if (p.Done % 64 == 0 || p.Done == p.Total)
                    {
                        task.Value = p.Done;
                    }
                });
                GenerationResult r = DatasetGenerator.Generate(config, options with { Progress = progress });
                task.Value = config.Size;
                return r;
            });
    }

    double rate = config.Size / Math.Max(result.Elapsed.TotalSeconds, 1e-9);
    Console.WriteLine($"Wrote {result.TrainCount} train + {result.TestCount} test records to {result.DatasetDirectory}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Time: {result.Elapsed.TotalSeconds:F2} s ({rate:F0} samples/s)"));
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
catch (Exception e) when (e is ConfigException or VimhDataException or IOException or UnauthorizedAccessException or ArgumentException)
{
    return Fail(e.Message);
}

static int Fail(string message)
{
    Console.Error.WriteLine($"Generate: error: {message}");
    Console.Error.WriteLine("Run 'Generate --help' for usage.");
    return 2;
}

/// <summary>Reports on the calling (worker) thread, unlike Progress&lt;T&gt; which posts to a context.</summary>
internal sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
{
    public void Report(GenerationProgress value) => report(value);
}
