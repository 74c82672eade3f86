using System.Collections.Concurrent;
using System.Diagnostics;
using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Fingerprints;
using Nsmt.Pipeline.Hashing;
using Nsmt.Pipeline.Reporting;
using Nsmt.Pipeline.State;

namespace Nsmt.Pipeline.Execution;

/// <summary>
/// Runs the pipeline: for each stage in dependency order, skip it when its fingerprint and outputs match the lock
/// file, restore its outputs from the run cache when that fingerprint ran before, otherwise run its program into a
/// temporary directory and move the outputs into place only when it succeeds. Stages whose inputs are settled run
/// concurrently, up to <see cref="RunRequest.Jobs"/> at a time, on the executor (this machine or a Slurm cluster).
/// </summary>
public sealed class PipelineEngine(
    PipelineWorkspace workspace,
    IStageExecutor? executor = null,
    Action<string>? log = null
)
{
    private readonly IStageExecutor _executor = executor ?? new ProcessStageRunner();
    private readonly Action<string> _log = log ?? (_ => { });

    public PipelineWorkspace Workspace { get; } = workspace;

    /// <summary>Written into a stage's temporary directory before its program starts; its absence afterwards means the directory was deleted.</summary>
    private const string StartedMarker = ".nsmt-stage-started";

    public StageGraph Resolve(RunRequest request) =>
        PipelineDefinition.Load(Workspace.Root, Workspace.DefinitionFile).Resolve(request.Experiments);

    public RunSummary Run(RunRequest request, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using var workspaceLock = request.WorkspaceLockHeld
            ? null
            : WorkspaceLock.Acquire(Workspace.WorkspaceLockFile, request.Wait, request.Command, _log);
        var graph = Resolve(request);
        var targets = request.SelectTargets(graph, _log);
        var targetNames = targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var plan = graph.WithUpstream(targets);
        var (statCache, hasher, calculator, lockFile, runCache) = OpenState(graph, request);
        _executor.RecoverFromEarlierRun(Workspace); // before the cleanup below: nothing of a killed run may still write there
        DeleteDirectory(Workspace.Full($"{Workspace.CacheRelative}/tmp")); // leftovers of killed runs: never trusted, never reused
        var results = new List<StageResult>();
        var inPrograms = new Stopwatch(); // wall time with at least one program running (stages overlap with --jobs)
        var inPlan = plan.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var pending = plan.ToList();
        var settled = new HashSet<string>(StringComparer.Ordinal); // ran, skipped or restored: downstream may start
        var running = new HashSet<string>(StringComparer.Ordinal);
        using var completions = new BlockingCollection<Completion>();
        StageFailedException? failure = null;
        try
        {
            // All decisions, hashing, caching, publishing and lock writes happen on this thread; executor threads
            // only run programs. So the lock file has one writer, and the stat cache needs no locking.
            while (true)
            {
                while (
                    failure is null
                    && !cancellationToken.IsCancellationRequested
                    && pending.FirstOrDefault(s =>
                        graph.Upstream(s).All(u => !inPlan.Contains(u.Name) || settled.Contains(u.Name))
                    )
                        is { } stage
                )
                {
                    if (running.Count >= request.Jobs)
                    {
                        break;
                    }

                    pending.Remove(stage);
                    var started = StartOrSettle(
                        stage,
                        targetNames.Contains(stage.Name),
                        request,
                        calculator,
                        lockFile,
                        runCache,
                        hasher,
                        results,
                        completions,
                        cancellationToken
                    );
                    if (started)
                    {
                        inPrograms.Start();
                        running.Add(stage.Name);
                    }
                    else
                    {
                        settled.Add(stage.Name);
                    }
                }

                if (running.Count == 0)
                {
                    break;
                }

                var done = completions.Take();
                running.Remove(done.Stage.Name);
                if (running.Count == 0)
                {
                    inPrograms.Stop();
                }

                try
                {
                    Finish(done, graph, runCache, hasher, lockFile);
                    settled.Add(done.Stage.Name);
                    results.Add(
                        new StageResult(
                            done.Stage.Name,
                            done.Stage.Phase,
                            StageOutcome.Ran,
                            done.Elapsed,
                            done.Reasons,
                            done.IsTarget
                        )
                    );
                    _log($"{done.Stage.Name}: ran in {done.Elapsed.TotalSeconds:F1} s");
                }
                catch (StageFailedException e)
                {
                    // Stages already running go on and are kept when they succeed (another trial's work is valid);
                    // nothing new starts.
                    results.Add(
                        new StageResult(
                            done.Stage.Name,
                            done.Stage.Phase,
                            StageOutcome.Failed,
                            done.Elapsed,
                            e.Message,
                            done.IsTarget
                        )
                    );
                    failure ??= e;
                }
            }
        }
        finally
        {
            statCache.Save();
            LastResults = results;
        }

        if (failure is not null)
        {
            throw failure;
        }

        if (pending.Count > 0 && cancellationToken.IsCancellationRequested)
        {
            throw new StageFailedException(
                pending[0].Name,
                $"interrupted before {pending[0].Name} started; finished stages are kept"
            );
        }

        return new RunSummary(results, clock.Elapsed, inPrograms.Elapsed);
    }

    /// <summary>A stage program that ended (or could not run), handed from its executor thread to the engine's.</summary>
    private sealed record Completion(
        Stage Stage,
        bool IsTarget,
        string Reasons,
        string Fingerprint,
        FingerprintParts Parts,
        IReadOnlyList<string> Argv,
        int? ExitCode,
        Exception? Error,
        TimeSpan Elapsed
    );

    /// <summary>
    /// Skips the stage when up to date, restores it from the run cache when its fingerprint ran before, or starts its
    /// program on the executor (true). Runs on the engine's thread.
    /// </summary>
    private bool StartOrSettle(
        Stage stage,
        bool isTarget,
        RunRequest request,
        FingerprintCalculator calculator,
        LockFile lockFile,
        RunCache runCache,
        WorkspaceHasher hasher,
        List<StageResult> results,
        BlockingCollection<Completion> completions,
        CancellationToken cancellationToken
    )
    {
        var stageClock = Stopwatch.StartNew();
        var parts = calculator.Compute(stage);
        var fingerprint = parts.ComputeFingerprint();
        var recorded = lockFile[stage.Name];
        var reasons = recorded is null ? ["never run"] : FingerprintDiff.Explain(recorded, parts);
        if (recorded is not null && reasons.Count == 0)
        {
            reasons.AddRange(OutputProblems(recorded, hasher));
        }

        if (!(request.Force && isTarget))
        {
            if (reasons.Count == 0)
            {
                if (isTarget)
                {
                    results.Add(
                        new StageResult(
                            stage.Name,
                            stage.Phase,
                            StageOutcome.Skipped,
                            stageClock.Elapsed,
                            "up to date",
                            true
                        )
                    );
                    _log($"{stage.Name}: up to date");
                }

                return false;
            }

            if (runCache.Contains(fingerprint) && TryRestore(stage, fingerprint, parts, runCache, hasher, lockFile))
            {
                var why = $"{string.Join("; ", reasons)}; outputs of this fingerprint restored from the run cache";
                results.Add(
                    new StageResult(stage.Name, stage.Phase, StageOutcome.Restored, stageClock.Elapsed, why, isTarget)
                );
                _log($"{stage.Name}: restored from cache ({string.Join("; ", reasons)})");
                return false;
            }
        }
        else
        {
            reasons = ["forced"];
        }

        _log($"{stage.Name}: running ({string.Join("; ", reasons)})");
        var tempRelative = Workspace.TempRelative(stage.Name);
        var tempFull = Workspace.Full(tempRelative);
        DeleteDirectory(tempFull);
        foreach (var o in stage.Outs)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tempFull, o.Path))!);
        }

        File.WriteAllText(Path.Combine(tempFull, StartedMarker), stage.Name);

        var argv = calculator.CommandLine(stage, i => $"{tempRelative}/{stage.Outs[i].Path}");
        var reasonText = string.Join("; ", reasons);
        var thread = new Thread(() =>
        {
            // A dedicated thread per running stage, alive until its program ends: the local executor's
            // parent-death signal is tied to the thread that started the child.
            int? exitCode = null;
            Exception? error = null;
            try
            {
                exitCode = _executor.Run(new StageInvocation(stage, argv, Workspace.Root), cancellationToken);
            }
            catch (Exception e)
            {
                error = e;
            }

            completions.Add(
                new Completion(
                    stage,
                    isTarget,
                    reasonText,
                    fingerprint,
                    parts,
                    argv,
                    exitCode,
                    error,
                    stageClock.Elapsed
                )
            );
        })
        {
            IsBackground = true,
            Name = $"stage {stage.Name}",
        };
        thread.Start();
        return true;
    }

    /// <summary>Checks a finished program's outputs, stores them in the run cache, publishes them and records them in the lock file.</summary>
    private void Finish(Completion done, StageGraph graph, RunCache runCache, WorkspaceHasher hasher, LockFile lockFile)
    {
        var stage = done.Stage;
        var tempRelative = Workspace.TempRelative(stage.Name);
        var tempFull = Workspace.Full(tempRelative);
        try
        {
            switch (done.Error)
            {
                case null:
                    break;
                case OperationCanceledException:
                    throw new StageFailedException(
                        stage.Name,
                        $"stage {stage.Name} was interrupted; its partial outputs were discarded"
                    );
                case System.ComponentModel.Win32Exception or IOException:
                    throw new StageFailedException(
                        stage.Name,
                        $"stage {stage.Name}: cannot start `{done.Argv[0]}`: {done.Error.Message}"
                    );
                case StageFailedException failed:
                    throw failed;
                default:
                    throw new StageFailedException(stage.Name, $"stage {stage.Name}: {done.Error.Message}");
            }

            if (done.ExitCode != 0)
            {
                throw new StageFailedException(
                    stage.Name,
                    $"stage {stage.Name} failed (exit code {done.ExitCode}); its outputs were discarded and earlier results are kept. Command: {string.Join(' ', done.Argv)}"
                );
            }

            // Outputs written after their temporary directory was deleted (someone removed .cache/pipeline while the
            // stage ran) can be any part of what the stage wrote: never published, whatever they look like.
            if (!File.Exists(Path.Combine(tempFull, StartedMarker)))
            {
                throw new StageFailedException(
                    stage.Name,
                    $"stage {stage.Name}: its temporary directory {tempRelative} was deleted while it ran, so its outputs may be incomplete; they were discarded and earlier results are kept"
                );
            }

            var hashedAt = StatCache.NowNs();
            var produced = new List<(PathHash Hash, string FullPath)>();
            foreach (var o in stage.Outs)
            {
                var full = Path.Combine(tempFull, o.Path);
                var h = hasher.HashUncached(o.Path, full);
                if (h.Kind == PathKind.Missing)
                {
                    throw new StageFailedException(
                        stage.Name,
                        $"stage {stage.Name} exited successfully but did not write its output {o.Path} (it was asked to write {tempRelative}/{o.Path})"
                    );
                }

                produced.Add((h, full));
            }

            // A directory output is judged by what its readers need too: a training that exits 0 with a run directory
            // but no model.nam fails here, naming the file, instead of at the stage that reads it.
            foreach (var (reader, path) in ReadsInside(stage, graph))
            {
                if (!Path.Exists(Path.Combine(tempFull, path)))
                {
                    throw new StageFailedException(
                        stage.Name,
                        $"stage {stage.Name} exited successfully but did not write {path}, which {reader} reads; its outputs were discarded and earlier results are kept"
                    );
                }
            }

            foreach (var m in stage.Metrics)
            {
                if (!File.Exists(Path.Combine(tempFull, m)))
                {
                    throw new StageFailedException(
                        stage.Name,
                        $"stage {stage.Name} did not write its metrics file {m}"
                    );
                }
            }

            runCache.Store(done.Fingerprint, produced);
            Publish(stage, tempFull, produced.Select(p => p.Hash).ToList(), hasher, hashedAt);
            lockFile.Set(
                new LockEntry(
                    stage.Name,
                    done.Fingerprint,
                    done.Parts,
                    produced.Select(p => OutputRecord.From(p.Hash)).ToList()
                )
            );
            lockFile.Save();
        }
        finally
        {
            DeleteDirectory(tempFull);
        }
    }

    /// <summary>The paths other stages read from inside this stage's directory outputs, with the stage reading each.</summary>
    private static IEnumerable<(string Reader, string Path)> ReadsInside(Stage stage, StageGraph graph) =>
        from reader in graph.Stages
        where reader != stage
        from dep in reader.Deps
        where stage.Outs.Any(o => dep.Path != o.Path && WorkspacePath.IsWithin(dep.Path, o.Path))
        select (reader.Name, dep.Path);

    /// <summary>What a run and a status read of the workspace: hashes, fingerprints, the lock and the run cache.</summary>
    private (
        StatCache StatCache,
        WorkspaceHasher Hasher,
        FingerprintCalculator Calculator,
        LockFile LockFile,
        RunCache RunCache
    ) OpenState(StageGraph graph, RunRequest request)
    {
        var statCache = StatCache.Load(Workspace.StatCacheFile, Workspace.StatCacheRacyMarginNs);
        var hasher = new WorkspaceHasher(Workspace.Root, statCache);
        var calculator = new FingerprintCalculator(
            hasher,
            graph,
            request.Overrides.Select(ParamOverride.Parse).ToList(),
            readsCache: Workspace.ReadsCacheDirectory
        );
        return (
            statCache,
            hasher,
            calculator,
            LockFile.Load(Workspace.LockFile),
            new RunCache(Workspace.RunCacheDirectory)
        );
    }

    /// <summary>The results of the last <see cref="Run"/>, including the failed stage when it threw.</summary>
    public IReadOnlyList<StageResult> LastResults { get; private set; } = [];

    /// <summary>Which stages would run and exactly why (changed dependency, parameter, code, ...), like <c>dvc status</c>.</summary>
    public StatusReport Status(RunRequest request)
    {
        var graph = Resolve(request);
        var plan = graph.WithUpstream(request.SelectTargets(graph, _log));
        WorkspaceLock? held = null;
        string? busy = null;
        try
        {
            held = WorkspaceLock.Acquire(Workspace.WorkspaceLockFile, wait: false, request.Command);
        }
        catch (WorkspaceBusyException e)
        {
            busy = e.Message;
        }

        try
        {
            var (statCache, hasher, calculator, lockFile, runCache) = OpenState(graph, request);
            var stale = new HashSet<string>(StringComparer.Ordinal);
            var statuses = new List<StageStatus>();
            foreach (var stage in plan)
            {
                var reasons = new List<string>();
                var upstream = graph.Upstream(stage).Where(u => stale.Contains(u.Name)).Select(u => u.Name).ToList();
                if (upstream.Count > 0)
                {
                    reasons.Add($"upstream stale: {string.Join(", ", upstream)}");
                }

                StageState state;
                var cached = false;
                var recorded = lockFile[stage.Name];
                try
                {
                    var parts = calculator.Compute(stage);
                    cached = runCache.Contains(parts.ComputeFingerprint());
                    if (recorded is null)
                    {
                        reasons.Add("never run");
                    }
                    else
                    {
                        reasons.AddRange(FingerprintDiff.Explain(recorded, parts));
                        reasons.AddRange(OutputProblems(recorded, hasher));
                    }

                    state =
                        recorded is null ? StageState.NeverRun
                        : reasons.Count == 0 ? StageState.UpToDate
                        : StageState.Stale;
                }
                catch (ProgramNotBuiltException e)
                {
                    reasons.Add(e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
                    state = StageState.NotBuilt;
                }
                catch (MissingDependencyException e)
                {
                    var producer = graph.Stages.FirstOrDefault(s =>
                        s.Outs.Any(o => WorkspacePath.Overlaps(o.Path, e.Path))
                    );
                    reasons.Add(
                        $"dependency missing: {e.Path}{(producer is null ? " (no stage writes it)" : $" (written by {producer.Name})")}"
                    );
                    state = recorded is null ? StageState.NeverRun : StageState.Stale;
                }
                catch (PipelineException e)
                {
                    // A missing params file, say: report it on this stage and go on with the others.
                    reasons.Add($"cannot be checked: {e.Message}");
                    state = StageState.Stale;
                }

                if (state != StageState.UpToDate)
                {
                    stale.Add(stage.Name);
                }

                statuses.Add(
                    new StageStatus(stage.Name, stage.Phase, state, reasons, cached && state != StageState.UpToDate)
                );
            }

            if (held is not null)
            {
                statCache.Save();
            }

            return new StatusReport(graph.Experiments, statuses, busy)
            {
                ActiveWork = _executor.DescribeActiveWork(Workspace),
            };
        }
        finally
        {
            held?.Dispose();
        }
    }

    /// <summary>Removes the outputs and lock entries of the selected stages (and, when asked, the run cache).</summary>
    public IReadOnlyList<string> Clean(RunRequest request, bool runCache)
    {
        using var workspaceLock = WorkspaceLock.Acquire(
            Workspace.WorkspaceLockFile,
            request.Wait,
            request.Command,
            _log
        );
        var graph = Resolve(request);
        var lockFile = LockFile.Load(Workspace.LockFile);
        var removed = new List<string>();
        foreach (var stage in request.SelectTargets(graph, _log))
        {
            foreach (var o in stage.Outs)
            {
                var full = Workspace.Full(o.Path);
                if (File.Exists(full) || Directory.Exists(full))
                {
                    DeletePath(full);
                    removed.Add(o.Path);
                }
            }

            lockFile.Remove(stage.Name);
        }

        lockFile.Save();
        DeleteDirectory(Workspace.Full($"{Workspace.CacheRelative}/tmp"));
        if (runCache)
        {
            DeleteDirectory(Workspace.CacheDirectory + "/objects");
            DeleteDirectory(Workspace.CacheDirectory + "/runs");
            File.Delete(Workspace.StatCacheFile);
            removed.Add(Workspace.CacheRelative + " (run cache)");
        }

        return removed;
    }

    private bool TryRestore(
        Stage stage,
        string fingerprint,
        FingerprintParts parts,
        RunCache runCache,
        WorkspaceHasher hasher,
        LockFile lockFile
    )
    {
        var tempFull = Workspace.Full(Workspace.TempRelative(stage.Name));
        DeleteDirectory(tempFull);
        try
        {
            var hashedAt = StatCache.NowNs();
            var restored = runCache.TryRestore(fingerprint, path => Path.Combine(tempFull, path));
            if (restored is null || !restored.Select(r => r.Path).SequenceEqual(stage.Outs.Select(o => o.Path)))
            {
                return false;
            }

            Publish(stage, tempFull, restored, hasher, hashedAt);
            lockFile.Set(new LockEntry(stage.Name, fingerprint, parts, restored.Select(OutputRecord.From).ToList()));
            lockFile.Save();
            return true;
        }
        finally
        {
            DeleteDirectory(tempFull);
        }
    }

    /// <summary>
    /// Moves finished outputs from the temporary directory into place. An existing output is first moved aside, so
    /// an interruption leaves either the old output or the new one, or none (which the lock's hashes reveal).
    /// </summary>
    private void Publish(
        Stage stage,
        string tempFull,
        IReadOnlyList<PathHash> hashes,
        WorkspaceHasher hasher,
        long hashedAt
    )
    {
        var aside = tempFull + ".old";
        DeleteDirectory(aside);
        var placed = new List<(string Target, string? Old)>();
        try
        {
            foreach (var o in stage.Outs)
            {
                var source = Path.Combine(tempFull, o.Path);
                var target = Workspace.Full(o.Path);
                string? old = null;
                hasher.StatCache.Forget(o.Path);
                if (File.Exists(target) || Directory.Exists(target))
                {
                    old = Path.Combine(aside, o.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(old)!);
                    MovePath(target, old);
                }

                placed.Add((target, old));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                MovePath(source, target);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk (or a read-only mount) while copying onto another file system: the aside copies live in the
            // temporary directory, deleted after this call, so put them back now or the previous outputs are lost.
            var restored = RestorePrevious(placed);
            throw new StageFailedException(
                stage.Name,
                $"stage {stage.Name}: its new outputs could not be put in place ({e.Message}); "
                    + $"the new outputs were discarded and {restored}. Free space, then rerun."
            );
        }

        DeleteDirectory(aside);

        // Renames keep inodes and bytes: remember the hashes taken in the temporary directory.
        foreach (var h in hashes)
        {
            foreach (var f in h.Files)
            {
                var key = f.RelativePath.Length == 0 ? h.Path : $"{h.Path}/{f.RelativePath}";
                var stat = FileStats.Get(Workspace.Full(key));
                if (stat.Exists && stat.Size == f.Size)
                {
                    hasher.StatCache.Put(key, stat, f.Hash, hashedAt);
                }
            }
        }
    }

    /// <summary>Removes partly placed outputs and moves the previous ones back; says what was restored.</summary>
    private static string RestorePrevious(List<(string Target, string? Old)> placed)
    {
        var lost = new List<string>();
        foreach (var (target, old) in Enumerable.Reverse(placed))
        {
            try
            {
                DeletePath(target);
                if (old is not null)
                {
                    MovePath(old, target);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                lost.Add($"{target} ({e.Message})");
            }
        }

        // The lock still records the previous outputs' hashes, so anything not restored shows up as modified in status.
        return lost.Count == 0
            ? "the previous outputs were restored"
            : $"the previous outputs could not all be restored: {string.Join("; ", lost)}";
    }

    private static List<string> OutputProblems(LockEntry recorded, WorkspaceHasher hasher)
    {
        var problems = new List<string>();
        foreach (var o in recorded.Outs)
        {
            var now = hasher.Hash(o.Path);
            if (now.Kind == PathKind.Missing)
            {
                problems.Add($"output missing: {o.Path}");
            }
            else if (now.Kind != o.Kind || now.Hash != o.Hash)
            {
                problems.Add($"output modified: {o.Path}");
            }
        }

        return problems;
    }

    private static void MovePath(string source, string target)
    {
        try
        {
            if (Directory.Exists(source))
            {
                Directory.Move(source, target);
            }
            else
            {
                File.Move(source, target);
            }
        }
        catch (IOException) when (Directory.Exists(source))
        {
            // Another file system (a mounted data/ directory): copy, then remove the source.
            CopyDirectory(source, target);
            Directory.Delete(source, recursive: true);
        }
        catch (IOException) when (File.Exists(source) && !File.Exists(target))
        {
            File.Copy(source, target);
            File.Delete(source);
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (
            var file in Directory.EnumerateFiles(
                source,
                "*",
                new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }
            )
        )
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    private static void DeletePath(string full)
    {
        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
        else if (File.Exists(full))
        {
            File.Delete(full);
        }
    }

    private static void DeleteDirectory(string full)
    {
        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
    }
}
