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
/// temporary directory and move the outputs into place only when it succeeds.
/// </summary>
public sealed class PipelineEngine(PipelineWorkspace workspace, IStageRunner? runner = null, Action<string>? log = null)
{
    private readonly IStageRunner _runner = runner ?? new ProcessStageRunner();
    private readonly Action<string> _log = log ?? (_ => { });

    public PipelineWorkspace Workspace { get; } = workspace;

    public StageGraph Resolve(RunRequest request) =>
        PipelineDefinition.Load(Workspace.Root, Workspace.DefinitionFile).Resolve(request.Experiments);

    public RunSummary Run(RunRequest request, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using var workspaceLock = WorkspaceLock.Acquire(Workspace.WorkspaceLockFile, request.Wait, request.Command, _log);
        var graph = Resolve(request);
        var targets = request.SelectTargets(graph);
        var targetNames = targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var plan = graph.WithUpstream(targets);
        var statCache = StatCache.Load(Workspace.StatCacheFile, Workspace.StatCacheRacyMarginNs);
        var hasher = new WorkspaceHasher(Workspace.Root, statCache);
        var calculator = new FingerprintCalculator(hasher, graph, request.Overrides.Select(ParamOverride.Parse).ToList());
        var lockFile = LockFile.Load(Workspace.LockFile);
        var runCache = new RunCache(Workspace.RunCacheDirectory);
        DeleteDirectory(Workspace.Full($"{Workspace.CacheRelative}/tmp")); // leftovers of killed runs: never trusted, never reused
        var results = new List<StageResult>();
        var inPrograms = TimeSpan.Zero;
        try
        {
            foreach (var stage in plan)
            {
                var stageClock = Stopwatch.StartNew();
                bool isTarget = targetNames.Contains(stage.Name);
                var parts = calculator.Compute(stage);
                string fingerprint = parts.ComputeFingerprint();
                var recorded = lockFile[stage.Name];
                List<string> reasons = recorded is null ? ["never run"] : FingerprintDiff.Explain(recorded, parts);
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
                            results.Add(new StageResult(stage.Name, stage.Phase, StageOutcome.Skipped, stageClock.Elapsed, "up to date", true));
                            _log($"{stage.Name}: up to date");
                        }

                        continue;
                    }

                    if (runCache.Contains(fingerprint) && TryRestore(stage, fingerprint, parts, runCache, hasher, lockFile))
                    {
                        string why = $"{string.Join("; ", reasons)}; outputs of this fingerprint restored from the run cache";
                        results.Add(new StageResult(stage.Name, stage.Phase, StageOutcome.Restored, stageClock.Elapsed, why, isTarget));
                        _log($"{stage.Name}: restored from cache ({string.Join("; ", reasons)})");
                        continue;
                    }
                }
                else
                {
                    reasons = ["forced"];
                }

                _log($"{stage.Name}: running ({string.Join("; ", reasons)})");
                try
                {
                    inPrograms += RunStage(stage, fingerprint, parts, calculator, runCache, hasher, lockFile, cancellationToken);
                }
                catch (Exception e) when (e is StageFailedException or OperationCanceledException)
                {
                    results.Add(new StageResult(stage.Name, stage.Phase, StageOutcome.Failed, stageClock.Elapsed, e.Message, isTarget));
                    throw;
                }

                results.Add(new StageResult(stage.Name, stage.Phase, StageOutcome.Ran, stageClock.Elapsed, string.Join("; ", reasons), isTarget));
                _log($"{stage.Name}: ran in {stageClock.Elapsed.TotalSeconds:F1} s");
            }
        }
        finally
        {
            statCache.Save();
            LastResults = results;
        }

        return new RunSummary(results, clock.Elapsed, inPrograms);
    }

    /// <summary>The results of the last <see cref="Run"/>, including the failed stage when it threw.</summary>
    public IReadOnlyList<StageResult> LastResults { get; private set; } = [];

    /// <summary>Which stages would run and exactly why (changed dependency, parameter, code, ...), like <c>dvc status</c>.</summary>
    public StatusReport Status(RunRequest request)
    {
        var graph = Resolve(request);
        var plan = graph.WithUpstream(request.SelectTargets(graph));
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
            var statCache = StatCache.Load(Workspace.StatCacheFile, Workspace.StatCacheRacyMarginNs);
            var hasher = new WorkspaceHasher(Workspace.Root, statCache);
            var calculator = new FingerprintCalculator(hasher, graph, request.Overrides.Select(ParamOverride.Parse).ToList());
            var lockFile = LockFile.Load(Workspace.LockFile);
            var runCache = new RunCache(Workspace.RunCacheDirectory);
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
                bool cached = false;
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

                    state = recorded is null ? StageState.NeverRun : reasons.Count == 0 ? StageState.UpToDate : StageState.Stale;
                }
                catch (ProgramNotBuiltException e)
                {
                    reasons.Add(e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
                    state = StageState.NotBuilt;
                }
                catch (MissingDependencyException e)
                {
                    var producer = graph.Stages.FirstOrDefault(s => s.Outs.Any(o => WorkspacePath.Overlaps(o.Path, e.Path)));
                    reasons.Add($"dependency missing: {e.Path}{(producer is null ? " (no stage writes it)" : $" (written by {producer.Name})")}");
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

                statuses.Add(new StageStatus(stage.Name, stage.Phase, state, reasons, cached && state != StageState.UpToDate));
            }

            if (held is not null)
            {
                statCache.Save();
            }

            return new StatusReport(graph.Experiments, statuses, busy);
        }
        finally
        {
            held?.Dispose();
        }
    }

    /// <summary>Removes the outputs and lock entries of the selected stages (and, when asked, the run cache).</summary>
    public IReadOnlyList<string> Clean(RunRequest request, bool runCache)
    {
        using var workspaceLock = WorkspaceLock.Acquire(Workspace.WorkspaceLockFile, request.Wait, request.Command, _log);
        var graph = Resolve(request);
        var lockFile = LockFile.Load(Workspace.LockFile);
        var removed = new List<string>();
        foreach (var stage in request.SelectTargets(graph))
        {
            foreach (var o in stage.Outs)
            {
                string full = Workspace.Full(o.Path);
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

    private TimeSpan RunStage(Stage stage, string fingerprint, FingerprintParts parts, FingerprintCalculator calculator,
        RunCache runCache, WorkspaceHasher hasher, LockFile lockFile, CancellationToken cancellationToken)
    {
        string tempRelative = Workspace.TempRelative(stage.Name);
        string tempFull = Workspace.Full(tempRelative);
        DeleteDirectory(tempFull);
        foreach (var o in stage.Outs)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tempFull, o.Path))!);
        }

        try
        {
            var argv = calculator.CommandLine(stage, i => $"{tempRelative}/{stage.Outs[i].Path}");
            var programClock = Stopwatch.StartNew();
            int exitCode;
            try
            {
                exitCode = _runner.Run(new StageInvocation(stage, argv, Workspace.Root), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new StageFailedException(stage.Name, $"stage {stage.Name} was interrupted; its partial outputs were discarded");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
            {
                throw new StageFailedException(stage.Name, $"stage {stage.Name}: cannot start `{argv[0]}`: {e.Message}");
            }

            var inProgram = programClock.Elapsed;
            if (exitCode != 0)
            {
                throw new StageFailedException(stage.Name,
                    $"stage {stage.Name} failed (exit code {exitCode}); its outputs were discarded and earlier results are kept. Command: {string.Join(' ', argv)}");
            }

            long hashedAt = StatCache.NowNs();
            var produced = new List<(PathHash Hash, string FullPath)>();
            foreach (var o in stage.Outs)
            {
                string full = Path.Combine(tempFull, o.Path);
                var h = hasher.HashUncached(o.Path, full);
                if (h.Kind == PathKind.Missing)
                {
                    throw new StageFailedException(stage.Name, $"stage {stage.Name} exited successfully but did not write its output {o.Path} (it was asked to write {tempRelative}/{o.Path})");
                }

                produced.Add((h, full));
            }

            foreach (string m in stage.Metrics)
            {
                if (!File.Exists(Path.Combine(tempFull, m)))
                {
                    throw new StageFailedException(stage.Name, $"stage {stage.Name} did not write its metrics file {m}");
                }
            }

            runCache.Store(fingerprint, produced);
            Publish(stage, tempFull, produced.Select(p => p.Hash).ToList(), hasher, hashedAt);
            lockFile.Set(new LockEntry(stage.Name, fingerprint, parts, produced.Select(p => OutputRecord.From(p.Hash)).ToList()));
            lockFile.Save();
            return inProgram;
        }
        finally
        {
            DeleteDirectory(tempFull);
        }
    }

    private bool TryRestore(Stage stage, string fingerprint, FingerprintParts parts, RunCache runCache, WorkspaceHasher hasher, LockFile lockFile)
    {
        string tempFull = Workspace.Full(Workspace.TempRelative(stage.Name));
        DeleteDirectory(tempFull);
        try
        {
            long hashedAt = StatCache.NowNs();
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
    private void Publish(Stage stage, string tempFull, IReadOnlyList<PathHash> hashes, WorkspaceHasher hasher, long hashedAt)
    {
        string aside = tempFull + ".old";
        DeleteDirectory(aside);
        foreach (var o in stage.Outs)
        {
            string source = Path.Combine(tempFull, o.Path);
            string target = Workspace.Full(o.Path);
            if (File.Exists(target) || Directory.Exists(target))
            {
                string old = Path.Combine(aside, o.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(old)!);
                MovePath(target, old);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            MovePath(source, target);
            hasher.StatCache.Forget(o.Path);
        }

        DeleteDirectory(aside);

        // Renames keep inodes and bytes: remember the hashes taken in the temporary directory.
        foreach (var h in hashes)
        {
            foreach (var f in h.Files)
            {
                string key = f.RelativePath.Length == 0 ? h.Path : $"{h.Path}/{f.RelativePath}";
                var stat = FileStats.Get(Workspace.Full(key));
                if (stat.Exists && stat.Size == f.Size)
                {
                    hasher.StatCache.Put(key, stat, f.Hash, hashedAt);
                }
            }
        }
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
        foreach (string file in Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            string to = Path.Combine(target, Path.GetRelativePath(source, file));
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
