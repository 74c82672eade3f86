using Nsmt.Core;

namespace Nsmt.Neural.Training;

/// <summary>
/// A monitored metric (Lightning's monitor/mode/min_delta): <paramref name="Field"/> is the config key that named it, for
/// the error when it is not a logged metric.
/// </summary>
public sealed record MetricMonitor(string Metric, string Mode, string Field, double MinDelta = 0)
{
    /// <summary>Lightning's improvement test: the first value improves; NaN never does.</summary>
    public bool Improves(double value, double? best) =>
        best is null || (Mode == "max" ? value - MinDelta > best : value + MinDelta < best);

    /// <summary>Whether <paramref name="a"/> ranks before <paramref name="b"/> (the better one first).</summary>
    public int Compare(double a, double b) => Mode == "max" ? b.CompareTo(a) : a.CompareTo(b);

    public double Read(IReadOnlyDictionary<string, double> metrics) =>
        metrics.TryGetValue(Metric, out var value)
            ? value
            : throw new NsmtInputException(
                null,
                Field,
                $"monitor '{Metric}' is not a logged metric{NearestName.Suggestion(Metric, metrics.Keys)}; "
                    + $"available: {string.Join(", ", metrics.Keys.Order(StringComparer.Ordinal))}"
            );
}

/// <summary>Stops a run when <see cref="MetricMonitor"/> has not improved for <see cref="Patience"/> epochs.</summary>
public sealed record EarlyStoppingRule(MetricMonitor Monitor, int Patience);

/// <summary>How the <see cref="TrainingLoop"/> runs: its epochs and its callbacks' settings, from the domain's config.</summary>
public sealed record LoopSettings
{
    public required int MaxEpochs { get; init; }

    /// <summary>Early stopping waits for at least this many epochs.</summary>
    public int MinEpochs { get; init; }

    /// <summary>What checkpoints rank by; its improvement writes the best checkpoint and tells the domain.</summary>
    public required MetricMonitor Checkpoint { get; init; }

    /// <summary>Top-k checkpoints kept in checkpoints/ (0: none), named by <see cref="TopKFileName"/>.</summary>
    public int TopK { get; init; }

    /// <summary>A top-k checkpoint's file name from its epoch (0-based) and monitored value.</summary>
    public Func<int, double, string>? TopKFileName { get; init; }

    /// <summary>Keep checkpoints/best.ckpt, rewritten whenever the monitor improves.</summary>
    public bool SaveBest { get; init; }

    /// <summary>Keep checkpoints/last.ckpt (what resume reads), rewritten after every epoch.</summary>
    public bool SaveLast { get; init; } = true;

    public EarlyStoppingRule? EarlyStopping { get; init; }

    /// <summary>Decay of the exponential moving average of the weights; 0: no averaging.</summary>
    public double AverageDecay { get; init; }

    /// <summary>Wall-clock budget of the whole run in seconds; 0: none.</summary>
    public double MaxSeconds { get; init; }

    /// <summary>Write metrics.csv.</summary>
    public bool Csv { get; init; } = true;

    public bool TensorBoard { get; init; } = true;

    /// <summary>The step loss to TensorBoard every this many steps (train/loss_step; the epoch's is then train/loss_epoch); 0: none.</summary>
    public int LogEveryNSteps { get; init; }

    /// <summary>Log <c>val/x_best</c> for every validation metric (highest accuracy, lowest anything else).</summary>
    public bool TrackBests { get; init; }

    /// <summary>Log the epoch's training seconds and the run's elapsed seconds as metrics.</summary>
    public bool LogTimes { get; init; }

    /// <summary>
    /// Whether the run's wall clock goes into its state (a time budget needs it across sessions, logged times show it);
    /// otherwise it stays out, so that the same config and seed give the same checkpoint bytes.
    /// </summary>
    public bool RecordsWallClock => LogTimes || MaxSeconds > 0;
}
