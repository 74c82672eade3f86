using System.Globalization;

namespace Nsmt.Neural.Training;

/// <summary>
/// A wall-clock budget (amp: training.max_seconds) for the whole run (all sessions, validation and checkpoints
/// included). An epoch is started only if, at the pace of the last one, it ends inside the budget, and an epoch
/// still running when the budget ends (the first one, on a long recording) stops between batches and is validated
/// and saved, so "10 minutes" means at most about 10 minutes; the best checkpoint so far is what the run exports.
/// </summary>
public sealed record TimeBudget(double Seconds)
{
    public bool Enabled => Seconds > 0;

    /// <summary>Whether one more epoch, taking about <paramref name="epochSeconds"/>, still ends inside the budget.</summary>
    public bool NextEpochFits(double elapsedSeconds, double epochSeconds) =>
        !Enabled || elapsedSeconds + epochSeconds <= Seconds;

    /// <summary>Epochs the run will have done when the budget (or <paramref name="maxEpochs"/>) ends it, at this pace.</summary>
    public int ProjectedEpochs(int epochsDone, double elapsedSeconds, double epochSeconds, int maxEpochs)
    {
        if (!Enabled)
        {
            return maxEpochs;
        }

        var left = Math.Max(0, Seconds - elapsedSeconds);
        var more = epochSeconds > 0 ? (long)Math.Floor(left / epochSeconds) : maxEpochs;
        return (int)Math.Min(maxEpochs, epochsDone + more);
    }

    /// <summary>The progress line: budget used and the epochs that fit.</summary>
    public string Describe(int epochsDone, double elapsedSeconds, double epochSeconds, int maxEpochs) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"time budget: {Minutes(elapsedSeconds)} of {Minutes(Seconds)} used; at {epochSeconds:0.#} s per epoch, "
                + $"about {ProjectedEpochs(epochsDone, elapsedSeconds, epochSeconds, maxEpochs)} of {maxEpochs} epochs fit"
        );

    private static string Minutes(double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.0} min");

    /// <summary>
    /// Reads a duration as people type it: "600" or "600s", "10m", "1.5h", "1h30m". Null for anything else.
    /// </summary>
    public static double? ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.Trim().ToLowerInvariant();
        if (rest.Length == 0)
        {
            return null;
        }

        if (double.TryParse(rest, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
        {
            return plain > 0 && double.IsFinite(plain) ? plain : null;
        }

        double total = 0;
        while (rest.Length > 0)
        {
            var unit = rest.IndexOfAny(['h', 'm', 's']);
            if (
                unit <= 0
                || !double.TryParse(
                    rest[..unit],
                    NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture,
                    out var value
                )
            )
            {
                return null;
            }

            total +=
                value
                * rest[unit] switch
                {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
            rest = rest[(unit + 1)..];
        }

        return total > 0 && double.IsFinite(total) ? total : null;
    }
}
