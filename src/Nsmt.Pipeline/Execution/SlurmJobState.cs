using System.Globalization;

namespace Nsmt.Pipeline.Execution;

/// <summary>
/// A job as Slurm reports it: its state (PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, ...) and, once it has ended,
/// the batch script's exit code or the signal that killed it. squeue reports the raw wait status (exit code 5 is 1280, SIGTERM is 15); sacct reports
/// <c>code:signal</c>.
/// </summary>
public sealed record SlurmJobState(string State, int ExitCode, int Signal)
{
    /// <summary>The states in which a job has ended for good (squeue's and sacct's names).</summary>
    private static readonly HashSet<string> EndedStates = new HashSet<string>(StringComparer.Ordinal)
    {
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
    };

    public bool HasEnded => EndedStates.Contains(State);

    /// <summary>
    /// The batch script exited by itself (zero or not), so it got to write its exit-status file (unless its <c>cd</c>
    /// failed); any other end (a limit, scancel, a node or a signal) killed it first.
    /// </summary>
    public bool ScriptExited => Signal == 0 && State is "COMPLETED" or "FAILED";

    /// <summary>From squeue's <c>%exit_code</c> field: a wait status (exit code in bits 8-15, signal in bits 0-6).</summary>
    public static SlurmJobState FromWaitStatus(string state, string waitStatus)
    {
        var status = int.TryParse(waitStatus, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0;
        return new SlurmJobState(state, (status >> 8) & 0xff, status & 0x7f);
    }

    /// <summary>From one line of <c>sacct -P -o State,ExitCode</c>, e.g. <c>CANCELLED by 1000|0:15</c>; null unless it has ended.</summary>
    public static SlurmJobState? FromSacct(string line)
    {
        var fields = line.Split('|');
        var state = fields[0].Split(' ', 2)[0];
        var exit = fields.ElementAtOrDefault(1)?.Split(':') ?? [];
        if (!EndedStates.Contains(state) || exit.Length != 2)
        {
            return null;
        }

        return new SlurmJobState(
            state,
            int.TryParse(exit[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : 0,
            int.TryParse(exit[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var signal) ? signal : 0
        );
    }

    public override string ToString() =>
        Signal != 0
            ? $"{State}, signal {Signal.ToString(CultureInfo.InvariantCulture)}"
            : $"{State}, exit code {ExitCode.ToString(CultureInfo.InvariantCulture)}";
}
