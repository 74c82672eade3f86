using System.Globalization;
using System.Runtime.InteropServices;
using Nsmt.Core;
using Nsmt.Pipeline.Execution;
using Nsmt.Pipeline.Reporting;
using Nsmt.Pipeline.Sweeps;

namespace Nsmt.Pipeline.Cli;

/// <summary>The commands of nsmt-pipeline, run once per process or, in serve mode, once per line of input.</summary>
internal sealed class PipelineCommands
{
    private CancellationTokenSource _cancel = new();

    public void Interrupt(PosixSignalContext context)
    {
        // Let the engine stop the stage and discard its partial outputs before the process exits.
        context.Cancel = true;
        _cancel.Cancel();
    }

    /// <summary>
    /// Serve mode: each input line is one command's arguments, tab-separated; after it runs, "<paramref name="doneMarker"/>EXITCODE"
    /// is written to <paramref name="replies"/>. The caller chooses the marker (build/pipeline.cake defines it, once), so
    /// the two sides cannot drift apart; it should be text no stage prints at the start of a line. Stage output goes to the console as usual. Ends at end of input.
    /// If the caller dies (this process is re-parented), the running stage is stopped and its partial outputs are
    /// discarded, exactly as on Ctrl-C: a server outliving its build must not go on publishing outputs.
    /// </summary>
    public int Serve(TextReader commands, TextWriter replies, string doneMarker)
    {
        var parent = ParentProcessId();
        using var watchdog = new Timer(
            _ =>
            {
                if (parent > 1 && ParentProcessId() != parent)
                {
                    _cancel.Cancel();
                }
            },
            null,
            TimeSpan.FromMilliseconds(500),
            TimeSpan.FromMilliseconds(500)
        );
        string? line;
        while (!_cancel.IsCancellationRequested && (line = commands.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var code = Execute(line.Split('\t'));
            replies.WriteLine(doneMarker + code.ToString(CultureInfo.InvariantCulture));
            replies.Flush();
        }

        return _cancel.IsCancellationRequested ? 130 : 0;
    }

    /// <summary>The parent's process id from /proc (Linux); 0 where that is not available.</summary>
    private static int ParentProcessId()
    {
        try
        {
            // /proc/self/stat: "pid (comm) state ppid ..."; comm may contain spaces, so parse after the last ')'.
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    public int Execute(string[] args)
    {
        CommandLine cli;
        try
        {
            cli = CommandLine.Parse(args);
        }
        catch (PipelineException e)
        {
            Console.Error.WriteLine($"nsmt-pipeline: error: {e.Message}");
            Console.Error.WriteLine("Run 'nsmt-pipeline --help' for usage.");
            return 2;
        }

        if (cli.Help is { } help)
        {
            return help.Invoke();
        }

        try
        {
            var root = cli.Root ?? PipelineWorkspace.FindRoot(Environment.CurrentDirectory, cli.File);
            var workspace = new PipelineWorkspace(root, cli.File);
            Action<string> log = line => Console.WriteLine($"pipeline: {line}");
            using var executor = Executor(cli, log, out var jobs);
            var engine = new PipelineEngine(workspace, executor, log);
            var request = new RunRequest
            {
                Experiments = cli.Experiments,
                Phases = cli.Phases,
                Stages = cli.Stages,
                Overrides = cli.Overrides,
                Force = cli.Force,
                Jobs = jobs,
                Wait = cli.Wait,
                Command = "nsmt-pipeline " + string.Join(' ', args),
            };
            switch (cli.Command)
            {
                case "run":
                    return Run(engine, request, cli.ReportFile);
                case "sweep":
                    return Sweep(engine, request, cli, log);
                case "status":
                    Console.Write(engine.Status(request).Render());
                    return 0;
                case "dag":
                    var graph = engine.Resolve(request);
                    Console.Write(DagRenderer.Text(graph));
                    Console.WriteLine();
                    Console.WriteLine("```mermaid");
                    Console.Write(DagRenderer.Mermaid(graph));
                    Console.WriteLine("```");
                    if (cli.MermaidFile is not null)
                    {
                        AtomicFile.WriteAllText(cli.MermaidFile, DagRenderer.Mermaid(graph));
                        Console.WriteLine($"Mermaid graph written to {cli.MermaidFile}");
                    }

                    return 0;
                case "clean":
                    foreach (var removed in engine.Clean(request, cli.CleanCache))
                    {
                        Console.WriteLine($"removed {removed}");
                    }

                    return 0;
                default:
                    throw new PipelineException($"unknown command '{cli.Command}' (run, status, dag, clean, serve)");
            }
        }
        catch (WorkspaceBusyException e)
        {
            Console.Error.WriteLine($"nsmt-pipeline: {e.Message}");
            return 3;
        }
        catch (StageFailedException e)
        {
            Console.Error.WriteLine($"nsmt-pipeline: {e.Message}");
            return _cancel.IsCancellationRequested ? 130 : 1;
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Between stages (a sweep writing its trials): nothing was running to stop.
            Console.Error.WriteLine("nsmt-pipeline: interrupted");
            return 130;
        }
        catch (PipelineException e)
        {
            Console.Error.WriteLine($"nsmt-pipeline: error: {e.Message}");
            return 2;
        }
    }

    private int Sweep(PipelineEngine engine, RunRequest request, CommandLine cli, Action<string> log)
    {
        if (cli.Experiments.Count != 1)
        {
            throw new PipelineException(
                "sweep needs exactly one --experiment: the base experiment whose trials it runs"
            );
        }

        var sweep = new SweepRequest
        {
            BaseExperiment = cli.Experiments[0],
            Dimensions = cli.Sweeps.Select(SweepDimension.Parse).ToList(),
            Mode =
                cli.SweepTrials is not null ? SweepMode.Tpe
                : cli.SweepRandom is not null ? SweepMode.Random
                : SweepMode.Grid,
            Trials = cli.SweepTrials ?? cli.SweepRandom ?? 0,
            Seed = cli.SweepSeed,
            Metric = cli.SweepMetric[4..],
            Maximize = cli.SweepMetric.StartsWith("max:", StringComparison.Ordinal),
            Name = cli.SweepName,
            Run = request,
        };
        try
        {
            var result = new SweepRunner(engine, log).Run(sweep, _cancel.Token);
            log($"sweep {result.Name}: table in {result.TableFile}; report in artifacts/report/index.html");
            return 0;
        }
        finally
        {
            if (cli.ReportFile is not null)
            {
                RunReport.Append(cli.ReportFile, engine.LastResults);
            }
        }
    }

    /// <summary>The executor the command line asks for, and how many stages it may run at once.</summary>
    private static ExecutorHandle Executor(CommandLine cli, Action<string> log, out int jobs)
    {
        if (cli.Executor == "slurm")
        {
            jobs = cli.Jobs ?? 100;
            var slurm = new SlurmExecutor(
                new SlurmOptions
                {
                    Partition = cli.Partition,
                    Account = cli.Account,
                    ExtraArguments = cli.SlurmArguments,
                },
                log
            );
            return new ExecutorHandle(slurm, slurm);
        }

        // More concurrent stages than cores only makes each slower (and they contend for memory bandwidth).
        jobs = Math.Min(cli.Jobs ?? 1, Environment.ProcessorCount);
        if (cli.Jobs > jobs)
        {
            log(
                $"--jobs {cli.Jobs}: this machine has {Environment.ProcessorCount} cores; running at most {jobs} stages at once"
            );
        }

        return new ExecutorHandle(new ProcessStageRunner(), null);
    }

    /// <summary>An executor and what to dispose of when the command ends (the slurm executor's queue poller).</summary>
    private sealed class ExecutorHandle(IStageExecutor executor, IDisposable? owned) : IStageExecutor, IDisposable
    {
        public int Run(StageInvocation invocation, CancellationToken cancellationToken) =>
            executor.Run(invocation, cancellationToken);

        // Jobs of an earlier slurm run count whatever executor this run uses: they may still write into the workspace.
        public void RecoverFromEarlierRun(PipelineWorkspace workspace)
        {
            if (owned is null && new SlurmJobRegistry(workspace).List().Count > 0)
            {
                using var slurm = new SlurmExecutor(log: line => Console.WriteLine($"pipeline: {line}"));
                slurm.RecoverFromEarlierRun(workspace);
            }

            executor.RecoverFromEarlierRun(workspace);
        }

        public IReadOnlyList<string> DescribeActiveWork(PipelineWorkspace workspace)
        {
            if (owned is null && new SlurmJobRegistry(workspace).List().Count > 0)
            {
                using var slurm = new SlurmExecutor();
                return slurm.DescribeActiveWork(workspace);
            }

            return executor.DescribeActiveWork(workspace);
        }

        public void Dispose() => owned?.Dispose();
    }

    private int Run(PipelineEngine engine, RunRequest request, string? reportFile)
    {
        try
        {
            var summary = engine.Run(request, _cancel.Token);
            var ran = summary.Results.Count(r => r.Outcome == StageOutcome.Ran);
            var skipped = summary.Results.Count(r => r.Outcome == StageOutcome.Skipped);
            var restored = summary.Results.Count(r => r.Outcome == StageOutcome.Restored);
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"pipeline: {summary.Results.Count} stages: {ran} ran, {skipped} up to date, {restored} restored; "
                        + $"pipeline work {summary.Overhead.TotalMilliseconds:F0} ms (excluding stage programs), total {summary.Elapsed.TotalSeconds:F2} s"
                )
            );
            return 0;
        }
        finally
        {
            if (reportFile is not null)
            {
                RunReport.Append(reportFile, engine.LastResults);
            }
        }
    }
}
