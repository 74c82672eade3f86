using Nsmt.Pipeline.Definition;

namespace Nsmt.Pipeline.Execution;

/// <summary>What to run or inspect.</summary>
public sealed record RunRequest
{
    /// <summary>Experiments to resolve the pipeline for; empty: the definition's defaults.</summary>
    public IReadOnlyList<string> Experiments { get; init; } = [];

    /// <summary>Phases whose stages are the targets (case-insensitive); empty together with <see cref="Stages"/>: all stages.</summary>
    public IReadOnlyList<string> Phases { get; init; } = [];

    /// <summary>Stage names (instance <c>train@x</c> or declared <c>train</c>) that are targets.</summary>
    public IReadOnlyList<string> Stages { get; init; } = [];

    /// <summary><c>[STAGE:]key=value</c> parameter overrides.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>Rerun the target stages even when up to date (not their upstream).</summary>
    public bool Force { get; init; }

    /// <summary>Wait for another run to release the workspace instead of failing.</summary>
    public bool Wait { get; init; }

    /// <summary>How many stage programs may run at once (independent stages only; 1: one after another).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Described in the lock owner file (what holds the workspace).</summary>
    public string Command { get; init; } = "nsmt-pipeline";

    /// <summary>
    /// The caller already holds the workspace lock for this run (a sweep runs several in one hold). Passed explicitly,
    /// not through the lock's environment token, which is process-wide and meant for child processes.
    /// </summary>
    public bool WorkspaceLockHeld { get; init; }

    /// <summary>
    /// Phases renamed in this release: where the pipeline defines the new name and not the old one, the old name selects
    /// the new phase with a one-line notice. Compare became Report (it builds the report); the alias goes next release.
    /// </summary>
    public static IReadOnlyDictionary<string, string> RenamedPhases { get; } =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Compare"] = "Report" };

    /// <param name="notice">Told, in one line, when a phase is selected by its old name.</param>
    public IReadOnlyList<Stage> SelectTargets(StageGraph graph, Action<string>? notice = null)
    {
        if (Phases.Count == 0 && Stages.Count == 0)
        {
            return graph.Stages;
        }

        var phases = Phases.Select(p => CurrentName(graph, p, notice)).ToList();
        foreach (var p in phases)
        {
            if (graph.Phases.Count > 0 && !graph.Phases.Contains(p, StringComparer.OrdinalIgnoreCase))
            {
                throw new PipelineException($"unknown phase '{p}' (phases: {string.Join(", ", graph.Phases)})");
            }
        }

        foreach (var s in Stages)
        {
            if (!graph.Stages.Any(x => x.Name == s || x.Definition == s))
            {
                throw new PipelineException(
                    $"no stage '{s}' for these experiments (stages: {string.Join(", ", graph.Stages.Select(x => x.Name))})"
                );
            }
        }

        return graph
            .Stages.Where(s =>
                phases.Contains(s.Phase, StringComparer.OrdinalIgnoreCase)
                || Stages.Contains(s.Name)
                || Stages.Contains(s.Definition)
            )
            .ToList();
    }

    private static string CurrentName(StageGraph graph, string phase, Action<string>? notice)
    {
        if (
            graph.Phases.Contains(phase, StringComparer.OrdinalIgnoreCase)
            || !RenamedPhases.TryGetValue(phase, out var renamed)
            || !graph.Phases.Contains(renamed, StringComparer.OrdinalIgnoreCase)
        )
        {
            return phase;
        }

        notice?.Invoke(
            $"phase '{phase}' is deprecated: it is now '{renamed}' (the old name works for this release only)"
        );
        return renamed;
    }
}

public enum StageOutcome
{
    /// <summary>The program ran and its outputs were recorded.</summary>
    Ran,

    /// <summary>Up to date: fingerprint and outputs match the lock file.</summary>
    Skipped,

    /// <summary>Outputs restored from the run cache without running.</summary>
    Restored,

    /// <summary>The program failed, was interrupted, or did not write its outputs.</summary>
    Failed,
}

public sealed record StageResult(
    string Stage,
    string Phase,
    StageOutcome Outcome,
    TimeSpan Duration,
    string Detail,
    bool IsTarget
)
{
    public string OutcomeText =>
        Outcome switch
        {
            StageOutcome.Ran => "ran",
            StageOutcome.Skipped => "skipped (up to date)",
            StageOutcome.Restored => "restored (cache)",
            _ => "failed",
        };
}

public sealed record RunSummary(IReadOnlyList<StageResult> Results, TimeSpan Elapsed, TimeSpan InStagePrograms)
{
    /// <summary>Time the pipeline itself spent (hashing, comparing, caching, moving), excluding the stage programs.</summary>
    public TimeSpan Overhead => Elapsed - InStagePrograms;

    public bool Succeeded => Results.All(r => r.Outcome != StageOutcome.Failed);
}
