using System.Text;

namespace Nsmt.Pipeline.Reporting;

public enum StageState
{
    UpToDate,
    Stale,
    NeverRun,
    NotBuilt,
}

public sealed record StageStatus(
    string Stage,
    string Phase,
    StageState State,
    IReadOnlyList<string> Reasons,
    bool InRunCache
);

/// <summary>What <c>Status</c> prints: every stage, whether it would run, and exactly why.</summary>
public sealed record StatusReport(IReadOnlyList<string> Experiments, IReadOnlyList<StageStatus> Stages, string? Busy)
{
    /// <summary>The executor's work in flight (Slurm jobs queued or running), one line each.</summary>
    public IReadOnlyList<string> ActiveWork { get; init; } = [];

    public bool AllUpToDate => Stages.All(s => s.State == StageState.UpToDate);

    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append("Pipeline status for experiments: ").Append(string.Join(", ", Experiments)).Append('\n');
        if (Busy is not null)
        {
            sb.Append("note: ").Append(Busy).Append('\n');
        }

        var width = Stages.Count == 0 ? 0 : Stages.Max(s => s.Stage.Length);
        foreach (var s in Stages)
        {
            var state = s.State switch
            {
                StageState.UpToDate => "up to date",
                StageState.Stale => "stale",
                StageState.NeverRun => "never run",
                _ => "not built",
            };
            if (s.InRunCache)
            {
                state += " (run cache has its outputs: would restore)";
            }

            sb.Append("  ")
                .Append(s.Stage.PadRight(width))
                .Append("  ")
                .Append(s.Phase.PadRight(9))
                .Append(' ')
                .Append(state)
                .Append('\n');
            foreach (var r in s.Reasons)
            {
                if (r != "never run")
                {
                    sb.Append("      - ").Append(r).Append('\n');
                }
            }
        }

        var upToDate = Stages.Count(s => s.State == StageState.UpToDate);
        sb.Append(upToDate).Append(" up to date, ").Append(Stages.Count - upToDate).Append(" would run\n");
        if (ActiveWork.Count > 0)
        {
            sb.Append("Jobs in flight:\n");
            foreach (var line in ActiveWork)
            {
                sb.Append("  ").Append(line).Append('\n');
            }
        }

        return sb.ToString();
    }
}
