using System.CommandLine;
using Nsmt.Cli;

namespace Nsmt.Pipeline.Cli;

/// <summary>
/// Arguments of nsmt-pipeline, parsed with the stages' convention (Nsmt.Cli on System.CommandLine): a command,
/// then options as --name value or --name=value, each accepted by every command as before.
/// </summary>
internal sealed class CommandLine
{
    public string Command { get; private set; } = string.Empty;

    /// <summary>Set when --help or --version was asked for: invoking it prints that instead of running.</summary>
    public ParseResult? Help { get; private set; }

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

    /// <summary>Parses; a mistake is a <see cref="PipelineException"/> whose message says every problem found.</summary>
    public static CommandLine Parse(string[] args)
    {
        var o = new Options();
        var result = o.Root.Parse(args);
        var cli = new CommandLine();
        if (result.Errors.Count > 0)
        {
            throw new PipelineException(string.Join("; ", StageCli.ErrorMessages(result)));
        }

        cli.Command = result.CommandResult.Command.Name;
        if (result.Action is not Invocation)
        {
            cli.Help = result;
            return cli;
        }

        cli.Experiments.AddRange(result.GetValue(o.Experiment) ?? []);
        cli.Phases.AddRange(result.GetValue(o.Phase) ?? []);
        cli.Stages.AddRange(result.GetValue(o.Stage) ?? []);
        cli.Overrides.AddRange(result.GetValue(o.Set) ?? []);
        cli.Force = result.GetValue(o.Force);
        cli.Wait = result.GetValue(o.Wait);
        cli.Jobs = result.GetValue(o.Jobs);
        cli.Executor = result.GetValue(o.Executor) ?? "local";
        cli.Partition = result.GetValue(o.Partition);
        cli.Account = result.GetValue(o.Account);
        cli.SlurmArguments.AddRange(result.GetValue(o.SlurmArg) ?? []);
        cli.Sweeps.AddRange(result.GetValue(o.Sweep) ?? []);
        cli.SweepRandom = result.GetValue(o.SweepRandom);
        cli.SweepTrials = result.GetValue(o.SweepTrials);
        cli.SweepSeed = result.GetValue(o.SweepSeed);
        cli.SweepMetric = result.GetValue(o.SweepMetric) ?? cli.SweepMetric;
        cli.SweepName = result.GetValue(o.SweepName);
        cli.ReportFile = result.GetValue(o.Report);
        cli.MermaidFile = result.GetValue(o.Mermaid);
        cli.CleanCache = result.GetValue(o.Cache);
        cli.Root = result.GetValue(o.RootDirectory);
        cli.File = result.GetValue(o.File) ?? cli.File;
        if (cli.SweepRandom is not null && cli.SweepTrials is not null)
        {
            throw new PipelineException("give --sweep-random N or --sweep-trials N, not both");
        }

        return cli;
    }

    /// <summary>Marks a parse that reached a command (no help or version was asked for).</summary>
    private sealed class Invocation : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) => 0;
    }

    /// <summary>The command tree; every option is recursive, so each command accepts it after its name.</summary>
    private sealed class Options
    {
        public readonly Option<string[]> Experiment = List(
            "--experiment",
            "NAME",
            "experiment to run (repeatable, or comma-separated; default: pipeline.yaml's default list)",
            commas: true
        );
        public readonly Option<string[]> Phase = List(
            "--phase",
            "PHASE",
            "only stages of this phase (repeatable: Generate, Train, ...) and what they need"
        );
        public readonly Option<string[]> Stage = List(
            "--stage",
            "NAME",
            "only this stage (train or train@NAME; repeatable) and what it needs"
        );
        public readonly Option<string[]> Set = List(
            "--set",
            "[STAGE:]K=V",
            "parameter override, passed to the stages that read key K (repeatable)"
        );
        public readonly Option<bool> Force = Flag("--force", "rerun the selected stages even when up to date");
        public readonly Option<bool> Wait = Flag("--wait", "wait for another run on this workspace instead of failing");
        public readonly Option<int?> Jobs = StageOptions.WholeNumber(
            "--jobs",
            "run up to N independent stages at once (local: at most the core count; default 1; slurm: jobs in the queue at once, default 100)",
            minimum: 1
        );
        public readonly Option<string> Executor = Value(
            "--executor",
            "NAME",
            "where stage programs run: local (default) or slurm (one sbatch job per stage; resources from pipeline.yaml resources:)"
        );
        public readonly Option<string> Partition = Value("--partition", "NAME", "(slurm) sbatch --partition");
        public readonly Option<string> Account = Value("--account", "NAME", "(slurm) sbatch --account");
        public readonly Option<string[]> SlurmArg = List(
            "--slurm-arg",
            "ARG",
            "(slurm) another sbatch option, e.g. --slurm-arg=--qos=short (repeatable)"
        );
        public readonly Option<string[]> Sweep = List(
            "--sweep",
            "KEY=SPEC",
            "(sweep) a swept key: values a,b,c or a range lo..hi, log:lo..hi, int:lo..hi"
        );
        public readonly Option<int?> SweepRandom = StageOptions.WholeNumber(
            "--sweep-random",
            "(sweep) N random trials instead of the grid",
            minimum: 1
        );
        public readonly Option<int?> SweepTrials = StageOptions.WholeNumber(
            "--sweep-trials",
            "(sweep) N trials chosen by TPE (Bergstra et al. 2011) on the trainer's metrics",
            minimum: 1
        );
        public readonly Option<ulong> SweepSeed = new("--sweep-seed")
        {
            Description = "(sweep) seed of random and TPE draws (default 0)",
            HelpName = "S",
            Recursive = true,
        };
        public readonly Option<string> SweepMetric = Value(
            "--sweep-metric",
            "M",
            "(sweep) score to rank by, max:KEY or min:KEY (default max:val/acc_best)"
        );
        public readonly Option<string> SweepName = Value(
            "--sweep-name",
            "NAME",
            "(sweep) names artifacts/sweeps/NAME (default: the experiment)"
        );
        public readonly Option<string> Report = Value(
            "--report",
            "FILE",
            "append one line per stage result (tab-separated) to FILE"
        );
        public readonly Option<string> Mermaid = Value(
            "--mermaid",
            "FILE",
            "(dag) also write the Mermaid graph to FILE"
        );
        public readonly Option<bool> Cache = Flag("--cache", "(clean) also empty the run cache");
        public readonly Option<string> RootDirectory = Value(
            "--root",
            "DIR",
            "workspace root (default: nearest directory upwards with pipeline.yaml)"
        );
        public readonly Option<string> File = Value("--file", "FILE", "pipeline definition (default: pipeline.yaml)");

        public readonly StageCommand Root = new(
            "The reproducible pipeline over the stages (pipeline.yaml): runs what is not up to date, restoring from the run cache when it can.",
            "nsmt-pipeline run --experiment quick --set model.optimizer.lr=0.01",
            "nsmt-pipeline status",
            "nsmt-pipeline sweep --experiment quick --sweep model.optimizer.lr=1e-3,3e-3 --jobs 2"
        );

        public Options()
        {
            Executor.AcceptOnlyFromAmong("local", "slurm");
            SweepMetric.Validators.Add(r =>
            {
                if (
                    r.GetValueOrDefault<string>() is { } metric
                    && !metric.StartsWith("max:", StringComparison.Ordinal)
                    && !metric.StartsWith("min:", StringComparison.Ordinal)
                )
                {
                    r.AddError($"--sweep-metric: '{metric}' must be max:KEY or min:KEY (e.g. max:val/acc_best)");
                }
            });
            foreach (var option in new Option[] { Jobs, SweepRandom, SweepTrials })
            {
                option.Recursive = true;
            }

            foreach (
                var option in new Option[]
                {
                    Experiment,
                    Phase,
                    Stage,
                    Set,
                    Force,
                    Wait,
                    Jobs,
                    Executor,
                    Partition,
                    Account,
                    SlurmArg,
                    Sweep,
                    SweepRandom,
                    SweepTrials,
                    SweepSeed,
                    SweepMetric,
                    SweepName,
                    Report,
                    Mermaid,
                    Cache,
                    RootDirectory,
                    File,
                }
            )
            {
                Root.Options.Add(option);
            }

            Root.Subcommands.Add(
                Command("run", "run the stages that are not up to date (restoring from the run cache when possible)")
            );
            Root.Subcommands.Add(
                Command("status", "which stages would run, and exactly why (changed dependency, parameter, code, ...)")
            );
            Root.Subcommands.Add(Command("dag", "the stage graph as text and as Mermaid"));
            Root.Subcommands.Add(
                Command(
                    "sweep",
                    "run trials of one --experiment: a grid (--sweep KEY=a,b,c, repeatable), --sweep-random N draws over ranges "
                        + "(KEY=lo..hi, log:lo..hi, int:lo..hi), or --sweep-trials N model-based (TPE)"
                )
            );
            Root.Subcommands.Add(
                Command("clean", "remove the selected stages' outputs and lock entries (--cache: the run cache too)")
            );
            Root.Subcommands.Add(
                Command(
                    "serve",
                    "serve --done-marker TEXT: read commands from standard input, one per line (arguments separated "
                        + "by tabs), and answer each on standard error with a line TEXT EXITCODE (the caller's marker: build.cake's)"
                )
            );
        }

        private static Command Command(string name, string description)
        {
            var command = new Command(name, description);
            command.Action = new Invocation();
            return command;
        }

        private static Option<bool> Flag(string name, string description) =>
            new(name) { Description = description, Recursive = true };

        private static Option<string> Value(string name, string helpName, string description) =>
            new(name)
            {
                Description = description,
                HelpName = helpName,
                Recursive = true,
            };

        private static Option<string[]> List(string name, string helpName, string description, bool commas = false) =>
            new(name)
            {
                Description = description,
                HelpName = helpName,
                Recursive = true,
                CustomParser = commas
                    ? r =>
                        [
                            .. r.Tokens.SelectMany(t =>
                                t.Value.Split(
                                    ',',
                                    StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
                                )
                            ),
                        ]
                    : r => [.. r.Tokens.Select(t => t.Value)],
            };
    }
}
