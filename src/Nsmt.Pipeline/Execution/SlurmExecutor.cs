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

    /// <summary>Asked how a job ended once squeue no longer lists it; a cluster without accounting has no answer.</summary>
    public string Sacct { get; init; } = "sacct";

    /// <summary>
    /// How long to wait, after a job whose script exited with code 0 has left the queue, for its exit-status file to
    /// show up on the driver: a shared file system (NFS) may answer "no such file" from its cache for up to a minute
    /// (acdirmax). A script that exited non-zero gets only <see cref="SlurmExecutor.FailedScriptStatusGrace"/>.
    /// </summary>
    public TimeSpan StatusFileTimeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// The slurm executor: each stage program becomes one <c>sbatch</c> job with the stage's resources (pipeline.yaml
/// <c>resources:</c>). The job runs in the shared workspace and writes into the stage's temporary directory, as a local
/// run does; the driver publishes outputs, fills the run cache and writes the lock file when the job has ended.
/// Dependencies are driven by the pipeline, not by Slurm's <c>--dependency</c>: whether a downstream stage runs at all
/// depends on its fingerprint, which needs the upstream outputs' content, known only once the upstream job is done.
/// The job's exit code comes from a file its wrapper writes (atomically, by rename) as its last act. A job whose script
/// exited is waited for until that file is visible to the driver, which on a shared file system can be well after the
/// job left the queue, unless the script exited non-zero (the stage fails either way, so only a short grace); a job
/// killed first (time limit, memory, scancel, node failure) fails with Slurm's state.
/// </summary>
public sealed class SlurmExecutor : IStageExecutor, IDisposable
{
    /// <summary>
    /// How long a job whose script exited non-zero (FAILED with an exit code) is given for its exit-status file to
    /// show up before its stage fails without it. The script exits with its program's code, so the stage fails
    /// whatever the file says: it could only confirm the code. Without it the wrapper itself failed before (or
    /// instead of) recording one, e.g. its <c>cd</c> into the workspace, and waiting out the whole NFS window of
    /// <see cref="SlurmOptions.StatusFileTimeout"/> would only delay a failure that is already certain.
    /// </summary>
    internal static readonly TimeSpan FailedScriptStatusGrace = TimeSpan.FromSeconds(5);

    private readonly SlurmOptions _options;
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<SlurmJobState?>> _waiting = new();
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

        var job = new SlurmJob(id, invocation.Stage.Name, logFile, statusFile);
        registry.Add(job);
        // Waited for from here on; only squeue calls started after this can judge it (see Poll).
        var ended = _waiting.GetOrAdd(id, _ => new TaskCompletionSource<SlurmJobState?>(
            TaskCreationOptions.RunContinuationsAsynchronously
        ));
        _log(
            $"{invocation.Stage.Name}: slurm job {id} submitted (log {Path.GetRelativePath(workspace.Root, logFile)})"
        );
        try
        {
            try
            {
                ended.Task.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancel([id]);
                throw;
            }

            try
            {
                return ExitCode(job, ended.Task.Result, cancellationToken);
            }
            finally
            {
                ShowLog(invocation.Stage.Name, id, logFile);
            }
        }
        finally
        {
            _waiting.TryRemove(id, out _);
            registry.Remove(id);
            File.Delete(statusFile);
            File.Delete(statusFile + ".tmp"); // left by a wrapper killed between writing and renaming it
            File.Delete(script);
        }
    }

    /// <summary>
    /// The exit code of an ended job's program, from its status file. squeue's last word on the job (null: it no longer
    /// lists it, so sacct is asked) tells whether the script exited, and so wrote the file, which may then take a while
    /// to become visible here (a script that exited non-zero only briefly, see <see cref="FailedScriptStatusGrace"/>);
    /// or was killed first, which fails the stage with Slurm's state at once.
    /// </summary>
    private int ExitCode(SlurmJob job, SlurmJobState? end, CancellationToken cancellationToken)
    {
        end ??= Accounting(job.Id);
        var deadline = DateTime.UtcNow + _options.StatusFileTimeout;
        // Set once Slurm (squeue or sacct) says the script exited non-zero.
        DateTime? failedDeadline = null;
        while (true)
        {
            if (failedDeadline is null && end is { ScriptExited: true, ExitCode: not 0 })
            {
                failedDeadline = DateTime.UtcNow + FailedScriptStatusGrace;
            }

            if (ReadStatus(job.StatusFile) is { } code)
            {
                // The program exited, but Slurm may still have ended the job for a reason worth naming (memory).
                if (code != 0 && end is { ScriptExited: false })
                {
                    throw new StageFailedException(
                        job.Stage,
                        $"slurm job {job.Id} for stage {job.Stage} ended {end}; its program exited with code {code}. Log: {job.LogFile}"
                    );
                }

                return code;
            }

            if (end is { ScriptExited: false })
            {
                throw new StageFailedException(
                    job.Stage,
                    $"slurm job {job.Id} for stage {job.Stage} ended {end} before its program finished "
                        + $"(time limit, memory, scancel, node failure or signal); its outputs were discarded. Log: {job.LogFile}"
                );
            }

            if (DateTime.UtcNow >= failedDeadline)
            {
                throw new StageFailedException(
                    job.Stage,
                    $"slurm job {job.Id} for stage {job.Stage} ended {end}, without writing its exit-status file "
                        + $"{job.StatusFile} (none within {FailedScriptStatusGrace.TotalSeconds:F0} s): its wrapper "
                        + "failed before or after the stage program (e.g. its cd into the workspace), or the file is "
                        + $"not visible here yet; its outputs were discarded. Log: {job.LogFile}"
                );
            }

            if (DateTime.UtcNow >= deadline)
            {
                var how = end is null
                    ? "left the queue (squeue and sacct no longer know how it ended)"
                    : $"ended {end}";
                throw new StageFailedException(
                    job.Stage,
                    $"slurm job {job.Id} for stage {job.Stage} {how}, but its exit-status file {job.StatusFile} "
                        + $"did not appear within {_options.StatusFileTimeout.TotalSeconds:F0} s (is the workspace on a file system "
                        + $"every node mounts at the same path?); its outputs were discarded. Log: {job.LogFile}"
                );
            }

            cancellationToken.WaitHandle.WaitOne(_options.PollInterval);
            cancellationToken.ThrowIfCancellationRequested();
            // sacct may not have recorded the job yet when it left the queue.
            end ??= Accounting(job.Id);
        }
    }

    private static int? ReadStatus(string statusFile)
    {
        try
        {
            return int.TryParse(
                File.ReadAllText(statusFile).Trim(),
                NumberStyles.Integer,
                CultureInfo.InvariantCulture,
                out var code
            )
                ? code
                : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>How sacct says the job ended; null where there is no accounting, or it has no record of the job yet.</summary>
    private SlurmJobState? Accounting(string id)
    {
        try
        {
            var result = SlurmCommand.Run(
                _options.Sacct,
                ["-n", "-X", "-P", "-j", id, "-o", "State,ExitCode"],
                TimeSpan.FromSeconds(30)
            );
            return result.ExitCode != 0
                ? null
                : result
                    .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(SlurmJobState.FromSacct)
                    .FirstOrDefault(e => e is not null);
        }
        catch (PipelineException)
        {
            return null; // sacct missing or not answering: the status file alone decides
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
                $"slurm job {j.Id}  {j.Stage}  {(states.TryGetValue(j.Id, out var s) ? s.State : "ended (or unknown to squeue)")}  log {Path.GetRelativePath(workspace.Root, j.LogFile)}"
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
            if (ids.All(id => !states.TryGetValue(id, out var s) || s.HasEnded))
            {
                return;
            }

            Thread.Sleep(_options.PollInterval);
        }

        _log($"slurm job(s) {string.Join(' ', ids)} still not ended a minute after scancel");
    }

    /// <summary>One squeue call for all of this user's jobs, ended ones included while the controller remembers them.</summary>
    private Dictionary<string, SlurmJobState> QueueStates()
    {
        // -O with a "|" suffix per field: the one squeue format that has the exit code (a wait status).
        var result = SlurmCommand.Run(
            _options.Squeue,
            ["-h", "-t", "all", "-u", Environment.UserName, "-O", "JobID:|,State:|,exit_code:|"],
            TimeSpan.FromSeconds(30)
        );
        if (result.ExitCode != 0)
        {
            throw new PipelineException($"squeue failed (exit code {result.ExitCode}): {result.Error.Trim()}");
        }

        var states = new Dictionary<string, SlurmJobState>(StringComparer.Ordinal);
        foreach (
            var line in result.Output.Split(
                '\n',
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
            )
        )
        {
            var f = line.Split('|');
            if (f.Length >= 3)
            {
                states[f[0]] = SlurmJobState.FromWaitStatus(f[1], f[2]);
            }
        }

        return states;
    }

    private void Poll()
    {
        // Only jobs registered before squeue is asked can be judged by its answer: one submitted while it runs is
        // missing from it without having ended.
        var asked = _waiting.ToArray();
        if (asked.Length == 0 || Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return;
        }

        try
        {
            var states = QueueStates();
            foreach (var (id, ended) in asked)
            {
                // Gone from the queue: the controller forgot it (MinJobAge); sacct and the status file tell how it ended.
                if (!states.TryGetValue(id, out var state))
                {
                    ended.TrySetResult(null);
                }
                else if (state.HasEnded)
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
