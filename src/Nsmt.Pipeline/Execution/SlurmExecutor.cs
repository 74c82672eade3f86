using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Nsmt.Core;

namespace Nsmt.Pipeline.Execution;

/// <summary>Where and as whom the slurm executor submits (cluster specifics that do not belong in pipeline.yaml).</summary>
public sealed record SlurmOptions
{
    public string? Partition { get; init; }

    public string? Account { get; init; }

    /// <summary>More sbatch options, passed as they are (e.g. <c>--qos=short</c>, <c>--constraint=avx2</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>How often the queue is asked for the state of the jobs in flight (one squeue call for all of them).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(0.5);

    public string Sbatch { get; init; } = "sbatch";

    public string Squeue { get; init; } = "squeue";

    public string Scancel { get; init; } = "scancel";
}

/// <summary>
/// The slurm executor: each stage program becomes one <c>sbatch</c> job with the stage's resources (pipeline.yaml
/// <c>resources:</c>). The job runs in the shared workspace and writes into the stage's temporary directory, as a local
/// run does; the driver publishes outputs, fills the run cache and writes the lock file when the job has ended.
/// Dependencies are driven by the pipeline, not by Slurm's <c>--dependency</c>: whether a downstream stage runs at all
/// depends on its fingerprint, which needs the upstream outputs' content, known only once the upstream job is done.
/// The job's exit code comes from a file its wrapper writes as its last act; a job that ended without it (time
/// limit, memory, scancel, node failure) failed, whatever Slurm's state says.
/// </summary>
public sealed class SlurmExecutor : IStageExecutor, IDisposable
{
    private static readonly string[] EndedStates =
    [
        "COMPLETED",
        "FAILED",
        "CANCELLED",
        "TIMEOUT",
        "OUT_OF_MEMORY",
        "NODE_FAIL",
        "PREEMPTED",
        "BOOT_FAIL",
        "DEADLINE",
        "SPECIAL_EXIT",
        "REVOKED",
    ];

    private readonly SlurmOptions _options;
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _waiting = new();
    private readonly Timer _poller;
    private readonly object _consoleLock = new();
    private int _polling;

    public SlurmExecutor(SlurmOptions? options = null, Action<string>? log = null)
    {
        _options = options ?? new SlurmOptions();
        _log = log ?? (_ => { });
        _poller = new Timer(_ => Poll(), null, _options.PollInterval, _options.PollInterval);
    }

    /// <summary>The sbatch arguments for a stage (without the script): resources, cluster options, job name, log.</summary>
    public IReadOnlyList<string> SubmitArguments(StageInvocation invocation, string logFile)
    {
        var r = invocation.Stage.Resources;
        var args = new List<string>
        {
            "--parsable",
            $"--job-name=nsmt:{invocation.Stage.Name}",
            $"--output={logFile}",
            $"--chdir={invocation.WorkingDirectory}",
        };
        if (r.Cpus is { } cpus)
        {
            args.Add($"--cpus-per-task={cpus.ToString(CultureInfo.InvariantCulture)}");
        }

        if (r.Memory is { } memory)
        {
            args.Add($"--mem={memory}");
        }

        if (r.Time is { } time)
        {
            args.Add($"--time={time}");
        }

        if (r.Gres is { } gres)
        {
            args.Add($"--gres={gres}");
        }

        if (_options.Partition is { } partition)
        {
            args.Add($"--partition={partition}");
        }

        if (_options.Account is { } account)
        {
            args.Add($"--account={account}");
        }

        args.AddRange(_options.ExtraArguments);
        return args;
    }

    /// <summary>The batch script: run the stage's argv in the workspace, then record its exit code atomically.</summary>
    public static string Script(StageInvocation invocation, string statusFile)
    {
        var sb = new StringBuilder("#!/bin/bash\n");
        sb.Append("# nsmt pipeline stage ").Append(invocation.Stage.Name).Append('\n');
        sb.Append("cd ").Append(Quote(invocation.WorkingDirectory)).Append(" || exit 1\n");
        sb.Append("export NSMT_PIPELINE_STAGE=").Append(Quote(invocation.Stage.Name)).Append('\n');
        sb.Append(string.Join(' ', invocation.Argv.Select(Quote))).Append(" </dev/null\n");
        sb.Append("code=$?\n");
        sb.Append("printf '%s\\n' \"$code\" > ")
            .Append(Quote(statusFile + ".tmp"))
            .Append(" && mv ")
            .Append(Quote(statusFile + ".tmp"))
            .Append(' ')
            .Append(Quote(statusFile))
            .Append('\n');
        sb.Append("exit $code\n");
        return sb.ToString();
    }

    public int Run(StageInvocation invocation, CancellationToken cancellationToken)
    {
        var workspace = new PipelineWorkspace(invocation.WorkingDirectory);
        var registry = new SlurmJobRegistry(workspace);
        var token = Guid.NewGuid().ToString("N")[..12];
        var safe = invocation.Stage.Name.Replace('@', '_').Replace('/', '_');
        var script = Path.Combine(registry.Directory, "scripts", $"{safe}.{token}.sh");
        var statusFile = Path.Combine(registry.Directory, "status", $"{safe}.{token}");
        var logFile = Path.Combine(registry.Directory, "logs", $"{safe}.{token}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(statusFile)!);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        AtomicFile.WriteAllText(script, Script(invocation, statusFile));
        cancellationToken.ThrowIfCancellationRequested();

        var submit = SlurmCommand.Run(_options.Sbatch, [.. SubmitArguments(invocation, logFile), script]);
        var id = submit.Output.Trim().Split(';')[0];
        if (submit.ExitCode != 0 || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new StageFailedException(
                invocation.Stage.Name,
                $"sbatch refused stage {invocation.Stage.Name} (exit code {submit.ExitCode}): {submit.Error.Trim()} {submit.Output.Trim()}".TrimEnd()
                    + $" (the stage and its resources: are declared at {invocation.Stage.Origin})"
            );
        }

        registry.Add(new SlurmJob(id, invocation.Stage.Name, logFile, statusFile));
        _log(
            $"{invocation.Stage.Name}: slurm job {id} submitted (log {Path.GetRelativePath(workspace.Root, logFile)})"
        );
        try
        {
            var ended = _waiting.GetOrAdd(id, _ => new TaskCompletionSource<string>(
                TaskCreationOptions.RunContinuationsAsynchronously
            ));
            string state;
            try
            {
                state = ended.Task.Wait(Timeout.Infinite, cancellationToken) ? ended.Task.Result : "UNKNOWN";
            }
            catch (OperationCanceledException)
            {
                Cancel([id]);
                throw;
            }

            ShowLog(invocation.Stage.Name, id, logFile);
            if (
                File.Exists(statusFile)
                && int.TryParse(
                    File.ReadAllText(statusFile).Trim(),
                    NumberStyles.Integer,
                    CultureInfo.InvariantCulture,
                    out var code
                )
            )
            {
                return code;
            }

            throw new StageFailedException(
                invocation.Stage.Name,
                $"slurm job {id} for stage {invocation.Stage.Name} ended ({state}) before its program finished (time limit, memory, scancel or node failure); "
                    + $"its outputs were discarded. Log: {logFile}"
            );
        }
        finally
        {
            _waiting.TryRemove(id, out _);
            registry.Remove(id);
            File.Delete(statusFile);
            File.Delete(script);
        }
    }

    /// <summary>Jobs left by a driver that was killed outright: cancelled, and waited for, before their directories are cleared.</summary>
    public void RecoverFromEarlierRun(PipelineWorkspace workspace)
    {
        var registry = new SlurmJobRegistry(workspace);
        var leftovers = registry.List();
        if (leftovers.Count == 0)
        {
            return;
        }

        _log(
            $"cancelling {leftovers.Count} slurm job(s) of an earlier run that did not end cleanly: {string.Join(", ", leftovers.Select(j => $"{j.Id} ({j.Stage})"))}"
        );
        Cancel(leftovers.Select(j => j.Id).ToList());
        foreach (var job in leftovers)
        {
            registry.Remove(job.Id);
            File.Delete(job.StatusFile);
        }
    }

    public IReadOnlyList<string> DescribeActiveWork(PipelineWorkspace workspace)
    {
        var jobs = new SlurmJobRegistry(workspace).List();
        if (jobs.Count == 0)
        {
            return [];
        }

        var states = QueueStates();
        return jobs.Select(j =>
                $"slurm job {j.Id}  {j.Stage}  {states.GetValueOrDefault(j.Id, "ended (or unknown to squeue)")}  log {Path.GetRelativePath(workspace.Root, j.LogFile)}"
            )
            .ToList();
    }

    public void Dispose() => _poller.Dispose();

    /// <summary>scancel, then wait (up to a minute) until the jobs have left the queue, so none still writes anywhere.</summary>
    private void Cancel(IReadOnlyList<string> ids)
    {
        var result = SlurmCommand.Run(_options.Scancel, ids);
        if (result.ExitCode != 0)
        {
            _log($"scancel {string.Join(' ', ids)}: {result.Error.Trim()}");
        }

        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            var states = QueueStates();
            if (ids.All(id => !states.TryGetValue(id, out var s) || EndedStates.Contains(s)))
            {
                return;
            }

            Thread.Sleep(_options.PollInterval);
        }

        _log($"slurm job(s) {string.Join(' ', ids)} still not ended a minute after scancel");
    }

    /// <summary>One squeue call for all of this user's jobs, ended ones included while the controller remembers them.</summary>
    private Dictionary<string, string> QueueStates()
    {
        var result = SlurmCommand.Run(
            _options.Squeue,
            ["-h", "-t", "all", "-u", Environment.UserName, "-o", "%i %T"],
            TimeSpan.FromSeconds(30)
        );
        if (result.ExitCode != 0)
        {
            throw new PipelineException($"squeue failed (exit code {result.ExitCode}): {result.Error.Trim()}");
        }

        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (
            var line in result.Output.Split(
                '\n',
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
            )
        )
        {
            var f = line.Split(' ', 2);
            if (f.Length == 2)
            {
                states[f[0]] = f[1];
            }
        }

        return states;
    }

    private void Poll()
    {
        if (_waiting.IsEmpty || Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return;
        }

        try
        {
            var states = QueueStates();
            foreach (var (id, ended) in _waiting)
            {
                // Gone from the queue: the controller forgot it (MinJobAge); the status file tells how it ended.
                if (!states.TryGetValue(id, out var state))
                {
                    ended.TrySetResult("ended, no longer in the queue");
                }
                else if (EndedStates.Contains(state))
                {
                    ended.TrySetResult(state);
                }
            }
        }
        catch (PipelineException e)
        {
            _log($"polling the slurm queue: {e.Message} (retrying)");
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    /// <summary>The job's output (the stage's progress and messages), shown when it has ended.</summary>
    private void ShowLog(string stage, string id, string logFile)
    {
        if (!File.Exists(logFile))
        {
            return;
        }

        lock (_consoleLock)
        {
            Console.WriteLine($"---- {stage} (slurm job {id}) ----");
            Console.Write(File.ReadAllText(logFile));
            Console.WriteLine($"---- end of {stage} ----");
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
