using System.Globalization;
using System.Text;
using System.Text.Json;
using Nsmt.Core;
using Nsmt.Pipeline.Execution;

namespace Nsmt.Pipeline.Sweeps;

public enum SweepMode
{
    Grid,
    Random,
    Tpe,
}

/// <summary>What to sweep: a base experiment, the swept keys, how trials are chosen, and the score to rank them by.</summary>
public sealed record SweepRequest
{
    public required string BaseExperiment { get; init; }

    public required IReadOnlyList<SweepDimension> Dimensions { get; init; }

    public SweepMode Mode { get; init; } = SweepMode.Grid;

    /// <summary>Trials for random and model-based search.</summary>
    public int Trials { get; init; }

    public ulong Seed { get; init; }

    /// <summary>A key of the trials' metrics files (root, <c>bests</c> or <c>metrics</c>), e.g. val/acc_best.</summary>
    public string Metric { get; init; } = "val/acc_best";

    public bool Maximize { get; init; } = true;

    public string? Name { get; init; }

    /// <summary>The run settings every trial batch uses (jobs, overrides, wait, force); experiments and phases are the sweep's.</summary>
    public RunRequest Run { get; init; } = new();
}

public sealed record SweepResult(string Name, IReadOnlyList<TrialScore> Trials, string TableFile)
{
    /// <summary>Best first; trials without a score last.</summary>
    public IReadOnlyList<TrialScore> Ranked => [.. Trials.OrderByDescending(t => t.Score ?? double.NegativeInfinity)];
}

/// <summary>
/// Runs a sweep: each trial is an ordinary experiment (<see cref="TrialConfigWriter"/>), so its stages are fingerprinted,
/// cached and skipped like any other, and a rerun after an interruption redoes only unfinished trials. Grid and random
/// trials are known up front and run as one pipeline run (--jobs of them at once); model-based search trains batches
/// of --jobs trials, scores them, and asks <see cref="TpeSampler"/> for the next. The last run adds every trial's
/// evaluation and diagram and the report (the Report stage), which shows the sweep as a table and a figure, best first.
/// </summary>
public sealed class SweepRunner(PipelineEngine engine, Action<string>? log = null)
{
    /// <summary>
    /// Trials one sweep may hold: each is an experiment file and a training run, so a grid beyond this (a typo in a
    /// value list, 1000 x 1000) would write configs for days before training the first; sample such spaces instead.
    /// </summary>
    public const int MaxTrials = 1000;

    private readonly Action<string> _log = log ?? (_ => { });

    public SweepResult Run(SweepRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Dimensions.Count == 0)
        {
            throw new PipelineException("a sweep needs at least one --sweep KEY=VALUES");
        }

        foreach (var duplicate in request.Dimensions.GroupBy(d => d.Key).Where(g => g.Count() > 1))
        {
            throw new PipelineException($"--sweep {duplicate.Key} is given twice");
        }

        PlainName(request.BaseExperiment, "--experiment");
        var name = PlainName(
            request.Name ?? request.BaseExperiment,
            request.Name is null ? "--experiment" : "--sweep-name"
        );
        var count = request.Mode == SweepMode.Grid ? GridSampler.Count(request.Dimensions) : request.Trials;
        if (count > MaxTrials)
        {
            throw new PipelineException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"the sweep has {count:N0} trials, more than the limit of {MaxTrials:N0} (each trial is an experiment file and a training run); sweep fewer values, or sample the space with --sweep-random N or --sweep-trials N"
                )
            );
        }

        var root = engine.Workspace.Root;
        TrialConfigWriter.BaseFile(root, request.BaseExperiment);
        // Held for the whole sweep (trial files included); the engine's runs inside it are let through by its token.
        using var workspaceLock = WorkspaceLock.Acquire(
            engine.Workspace.WorkspaceLockFile,
            request.Run.Wait,
            request.Run.Command,
            _log
        );
        ISweepSampler sampler = request.Mode switch
        {
            SweepMode.Grid => new GridSampler(request.BaseExperiment, request.Dimensions),
            SweepMode.Random => new RandomSampler(
                request.BaseExperiment,
                request.Dimensions,
                Positive(request.Trials, "--sweep-random"),
                request.Seed
            ),
            _ => new TpeSampler(
                request.BaseExperiment,
                request.Dimensions,
                Positive(request.Trials, "--sweep-trials"),
                request.Seed
            ),
        };

        void WriteTrial(SweepTrial trial)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TrialConfigWriter.Write(root, trial, name);
            _log($"sweep {name}: trial {trial.Name}: {trial.Describe()}");
        }

        var history = new List<TrialScore>();
        var batch = request.Mode == SweepMode.Tpe ? Math.Max(1, request.Run.Jobs) : int.MaxValue;
        while (sampler.Next(batch, history) is { Count: > 0 } next)
        {
            if (request.Mode == SweepMode.Tpe)
            {
                // Each batch is written as it is sampled, just before it trains.
                foreach (var trial in next)
                {
                    WriteTrial(trial);
                }
            }

            if (request.Mode == SweepMode.Tpe)
            {
                // Only training is needed to score a trial; evaluation and the report follow once for all of them.
                engine.Run(
                    request.Run with
                    {
                        Experiments = next.Select(t => t.Name).ToList(),
                        Phases = ["Train"],
                        Stages = [],
                        WorkspaceLockHeld = true,
                    },
                    cancellationToken
                );
            }

            if (request.Mode == SweepMode.Tpe && history.Count == 0)
            {
                RequireMetric(next[0], request);
            }

            history.AddRange(next.Select(t => new TrialScore(t, null)));
            if (request.Mode == SweepMode.Tpe)
            {
                history = history
                    .Select(h => h.Score is null ? h with { Score = Score(h.Trial, request) } : h)
                    .ToList();
            }
        }

        if (request.Mode != SweepMode.Tpe && history.Count > 0)
        {
            // One trial's training first: a metric the trainer does not write fails before the other trials run, and
            // before their files are written (a failed sweep leaves one trial file, not the whole grid's).
            WriteTrial(history[0].Trial);
            engine.Run(
                request.Run with
                {
                    Experiments = [history[0].Trial.Name],
                    Phases = ["Train"],
                    Stages = [],
                    WorkspaceLockHeld = true,
                },
                cancellationToken
            );
            RequireMetric(history[0].Trial, request);
            foreach (var waiting in history.Skip(1))
            {
                WriteTrial(waiting.Trial);
            }
        }

        engine.Run(
            request.Run with
            {
                Experiments = history.Select(h => h.Trial.Name).ToList(),
                Phases = [],
                Stages = [],
                WorkspaceLockHeld = true,
            },
            cancellationToken
        );
        var scored = history.Select(h => h with { Score = Score(h.Trial, request) }).ToList();
        var result = new SweepResult(name, scored, $"artifacts/sweeps/{name}/trials.tsv");
        WriteTable(result, request);
        return result;
    }

    /// <summary>
    /// A sweep's name and its base experiment name files (artifacts/sweeps/NAME/, configs/experiment/NAME.trial-*.yaml):
    /// one plain name, so that no name reaches outside those folders.
    /// </summary>
    private static string PlainName(string value, string option)
    {
        if (
            value.Length == 0
            || value is "." or ".."
            || value.IndexOfAny(['/', '\\']) >= 0
            || value.Any(char.IsControl)
        )
        {
            throw new PipelineException(
                $"{option} '{value}': expected a plain name (no '/', '\\', '..' or control characters): it names files under artifacts/sweeps/ and configs/"
            );
        }

        return value;
    }

    /// <summary>The trial's score, higher is better (a metric to minimise is negated); null when no metrics file has it.</summary>
    private double? Score(SweepTrial trial, SweepRequest request)
    {
        var graph = engine.Resolve(new RunRequest { Experiments = [trial.Name] });
        foreach (var stage in graph.Stages.Where(s => s.Experiment == trial.Name))
        {
            foreach (var metrics in stage.Metrics)
            {
                if (ReadMetric(engine.Workspace.Full(metrics), request.Metric) is { } value)
                {
                    return request.Maximize ? value : -value;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Fails when the trained <paramref name="trial"/>'s metrics files exist but none has the sweep's metric: every
    /// trial would rank "missing". The message lists the keys there are.
    /// </summary>
    private void RequireMetric(SweepTrial trial, SweepRequest request)
    {
        var graph = engine.Resolve(new RunRequest { Experiments = [trial.Name] });
        var files = graph
            .Stages.Where(s => s.Experiment == trial.Name)
            .SelectMany(s => s.Metrics)
            .Select(engine.Workspace.Full)
            .Where(File.Exists)
            .ToList();
        var keys = files.SelectMany(MetricKeys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (files.Count > 0 && !keys.Contains(request.Metric, StringComparer.Ordinal))
        {
            throw new PipelineException(
                $"--sweep-metric {ShownText.Of(request.Metric)}: the first trial ({trial.Name}) wrote no such metric"
                    + $"{NearestName.Suggestion(request.Metric, keys)}; expected one of: {string.Join(", ", keys)}"
            );
        }
    }

    /// <summary>The numeric keys <see cref="ReadMetric"/> can find in a metrics file.</summary>
    private static IEnumerable<string> MetricKeys(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var keys = new List<string>();
        foreach (var scope in MetricScopes(doc.RootElement))
        {
            keys.AddRange(
                scope.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).Select(p => p.Name)
            );
        }

        return keys;
    }

    /// <summary>Where a metric may be: the root, then its <c>bests</c> and <c>metrics</c> objects.</summary>
    private static IEnumerable<JsonElement> MetricScopes(JsonElement root) =>
        new[] { root }
            .Concat(
                new[] { "bests", "metrics" }.Select(s =>
                    root.ValueKind == JsonValueKind.Object && root.TryGetProperty(s, out var e) ? e : default
                )
            )
            .Where(scope => scope.ValueKind == JsonValueKind.Object);

    internal static double? ReadMetric(string file, string key)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        foreach (var scope in MetricScopes(doc.RootElement))
        {
            if (scope.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number)
            {
                return v.GetDouble();
            }
        }

        return null;
    }

    /// <summary>artifacts/sweeps/NAME/trials.tsv, best first (the driver's record; the report builds its own from the runs).</summary>
    private void WriteTable(SweepResult result, SweepRequest request)
    {
        var keys = request.Dimensions.Select(d => d.Key).ToList();
        var sb = new StringBuilder("rank\ttrial\t")
            .Append(string.Join('\t', keys))
            .Append('\t')
            .Append(request.Metric)
            .Append('\n');
        var rank = 1;
        foreach (var t in result.Ranked)
        {
            var metric = t.Score is { } s
                ? (request.Maximize ? s : -s).ToString("G6", CultureInfo.InvariantCulture)
                : "missing";
            sb.Append(rank++.ToString(CultureInfo.InvariantCulture))
                .Append('\t')
                .Append(t.Trial.Name)
                .Append('\t')
                .Append(string.Join('\t', keys.Select(k => t.Trial.Assignments.First(a => a.Key == k).Value)))
                .Append('\t')
                .Append(metric)
                .Append('\n');
        }

        AtomicFile.WriteAllText(engine.Workspace.Full(result.TableFile), sb.ToString());
        _log(
            $"sweep {result.Name}: {result.Trials.Count} trials, best first ({request.Metric}, {(request.Maximize ? "higher" : "lower")} is better):"
        );
        foreach (var line in sb.ToString().TrimEnd('\n').Split('\n'))
        {
            _log("  " + line.Replace('\t', ' '));
        }
    }

    private static int Positive(int n, string option) =>
        n > 0 ? n : throw new PipelineException($"{option} needs a positive number of trials");
}
