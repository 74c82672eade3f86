using Nsmt.Pipeline;

namespace Nsmt.Pipeline.Cli;

/// <summary>Arguments of nsmt-pipeline (both --name value and --name=value).</summary>
internal sealed class CommandLine
{
    public const string Usage = """
        Usage: nsmt-pipeline COMMAND [options]

        Commands:
          run      run the stages that are not up to date (restoring from the run cache when possible)
          status   which stages would run, and exactly why (changed dependency, parameter, code, ...)
          dag      the stage graph as text and as Mermaid
          sweep    run trials of one --experiment: a grid (--sweep KEY=a,b,c, repeatable), --sweep-random N
                   draws over ranges (KEY=lo..hi, log:lo..hi, int:lo..hi), or --sweep-trials N model-based (TPE)
          clean    remove the selected stages' outputs and lock entries (--cache: the run cache too)
          serve --done-marker TEXT
                   read commands from standard input, one per line (arguments separated by tabs), and
                   answer each on standard error with a line TEXT EXITCODE (the caller's marker: build.cake's)

        Options:
          --experiment NAME   experiment to run (repeatable; default: pipeline.yaml's default list)
          --phase PHASE       only stages of this phase (repeatable: Generate, Train, ...) and what they need
          --stage NAME        only this stage (train or train@NAME; repeatable) and what it needs
          --set [STAGE:]K=V   parameter override, passed to the stages that read key K (repeatable)
          --force             rerun the selected stages even when up to date
          --wait              wait for another run on this workspace instead of failing
          --jobs N            run up to N independent stages at once (local: at most the core count; default 1;
                              slurm: jobs in the queue at once, default 100)
          --executor NAME     where stage programs run: local (default) or slurm (one sbatch job per stage;
                              resources from pipeline.yaml resources:)
          --partition NAME    (slurm) sbatch --partition
          --account NAME      (slurm) sbatch --account
          --slurm-arg ARG     (slurm) another sbatch option, e.g. --slurm-arg=--qos=short (repeatable)
          --sweep KEY=SPEC    (sweep) a swept key: values a,b,c or a range lo..hi, log:lo..hi, int:lo..hi
          --sweep-random N    (sweep) N random trials instead of the grid
          --sweep-trials N    (sweep) N trials chosen by TPE (Bergstra et al. 2011) on the trainer's metrics
          --sweep-seed S      (sweep) seed of random and TPE draws (default 0)
          --sweep-metric M    (sweep) score to rank by, max:KEY or min:KEY (default max:val/acc_best)
          --sweep-name NAME   (sweep) names artifacts/sweeps/NAME (default: the experiment)
          --report FILE       append one line per stage result (tab-separated) to FILE
          --mermaid FILE      (dag) also write the Mermaid graph to FILE
          --cache             (clean) also empty the run cache
          --root DIR          workspace root (default: nearest directory upwards with pipeline.yaml)
          --file FILE         pipeline definition (default: pipeline.yaml)
        """;

    public string Command { get; private set; } = string.Empty;

    public bool Help { get; private set; }

    public List<string> Experiments { get; } = [];

    public List<string> Phases { get; } = [];

    public List<string> Stages { get; } = [];

    public List<string> Overrides { get; } = [];

    public bool Force { get; private set; }

    public bool Wait { get; private set; }

    public bool CleanCache { get; private set; }

    /// <summary>null: the executor's default.</summary>
    public int? Jobs { get; private set; }

    public string Executor { get; private set; } = "local";

    public List<string> Sweeps { get; } = [];

    public int? SweepRandom { get; private set; }

    public int? SweepTrials { get; private set; }

    public ulong SweepSeed { get; private set; }

    public string SweepMetric { get; private set; } = "max:val/acc_best";

    public string? SweepName { get; private set; }

    public string? Partition { get; private set; }

    public string? Account { get; private set; }

    public List<string> SlurmArguments { get; } = [];

    public string? ReportFile { get; private set; }

    public string? MermaidFile { get; private set; }

    public string? Root { get; private set; }

    public string File { get; private set; } = "pipeline.yaml";

    private static int PositiveCount(string option, string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new PipelineException($"{option}: '{text}' is not a positive whole number");

    public static CommandLine Parse(string[] args)
    {
        var cli = new CommandLine();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? inline = null;
            if (a.StartsWith("--", StringComparison.Ordinal) && a.IndexOf('=') is > 2 and var eq)
            {
                inline = a[(eq + 1)..];
                a = a[..eq];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Length)
                {
                    throw new PipelineException($"{a} needs a value");
                }

                return args[++i];
            }

            switch (a)
            {
                case "-h" or "--help":
                    cli.Help = true;
                    break;
                case "--experiment":
                    cli.Experiments.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--phase":
                    cli.Phases.Add(Value());
                    break;
                case "--stage":
                    cli.Stages.Add(Value());
                    break;
                case "--set":
                    cli.Overrides.Add(Value());
                    break;
                case "--force":
                    cli.Force = true;
                    break;
                case "--wait":
                    cli.Wait = true;
                    break;
                case "--jobs":
                    string jobs = Value();
                    cli.Jobs = int.TryParse(jobs, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0
                        ? n
                        : throw new PipelineException($"--jobs: '{jobs}' is not a positive whole number");
                    break;
                case "--executor":
                    string executor = Value();
                    cli.Executor = executor is "local" or "slurm"
                        ? executor
                        : throw new PipelineException($"--executor: '{executor}' is not an executor (expected local or slurm)");
                    break;
                case "--sweep":
                    cli.Sweeps.Add(Value());
                    break;
                case "--sweep-random":
                    cli.SweepRandom = PositiveCount(a, Value());
                    break;
                case "--sweep-trials":
                    cli.SweepTrials = PositiveCount(a, Value());
                    break;
                case "--sweep-seed":
                    string seed = Value();
                    cli.SweepSeed = ulong.TryParse(seed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong s)
                        ? s
                        : throw new PipelineException($"--sweep-seed: '{seed}' is not a whole number");
                    break;
                case "--sweep-metric":
                    string metric = Value();
                    cli.SweepMetric = metric.StartsWith("max:", StringComparison.Ordinal) || metric.StartsWith("min:", StringComparison.Ordinal)
                        ? metric
                        : throw new PipelineException($"--sweep-metric: '{metric}' must be max:KEY or min:KEY (e.g. max:val/acc_best)");
                    break;
                case "--sweep-name":
                    cli.SweepName = Value();
                    break;
                case "--partition":
                    cli.Partition = Value();
                    break;
                case "--account":
                    cli.Account = Value();
                    break;
                case "--slurm-arg":
                    cli.SlurmArguments.Add(Value());
                    break;
                case "--cache":
                    cli.CleanCache = true;
                    break;
                case "--report":
                    cli.ReportFile = Value();
                    break;
                case "--mermaid":
                    cli.MermaidFile = Value();
                    break;
                case "--root":
                    cli.Root = Value();
                    break;
                case "--file":
                    cli.File = Value();
                    break;
                default:
                    if (a.StartsWith('-'))
                    {
                        throw new PipelineException($"unknown option '{a}'");
                    }

                    if (cli.Command.Length > 0)
                    {
                        throw new PipelineException($"unexpected argument '{a}'");
                    }

                    cli.Command = a;
                    break;
            }
        }

        if (cli.SweepRandom is not null && cli.SweepTrials is not null)
        {
            throw new PipelineException("give --sweep-random N or --sweep-trials N, not both");
        }

        if (cli.Command.Length == 0 && !cli.Help)
        {
            throw new PipelineException("missing command (run, status, dag or clean)");
        }

        return cli;
    }
}
