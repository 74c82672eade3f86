namespace Nsmt.Pipeline.Sweeps;

/// <summary>A finished trial and its score (higher is better; null when it has none yet).</summary>
public sealed record TrialScore(SweepTrial Trial, double? Score);

/// <summary>Proposes trials. Deterministic for a seed and a history, so a rerun proposes the same trials and finds them cached.</summary>
public interface ISweepSampler
{
    /// <summary>Up to <paramref name="count"/> new trials given what ran so far; empty when the sweep is complete.</summary>
    IReadOnlyList<SweepTrial> Next(int count, IReadOnlyList<TrialScore> history);
}

/// <summary>Every combination of the listed values, first key slowest (like nested loops in the order given).</summary>
public sealed class GridSampler(string baseExperiment, IReadOnlyList<SweepDimension> dimensions) : ISweepSampler
{
    /// <summary>How many trials the grid has, without listing them (saturates at long.MaxValue).</summary>
    public static long Count(IReadOnlyList<SweepDimension> dimensions)
    {
        long count = 1;
        foreach (var d in dimensions.Where(d => !d.IsRange))
        {
            count =
                d.Values!.Count == 0 ? 0
                : count > long.MaxValue / d.Values.Count ? long.MaxValue
                : count * d.Values.Count;
        }

        return count;
    }

    public IReadOnlyList<SweepTrial> All()
    {
        foreach (var d in dimensions.Where(d => d.IsRange))
        {
            throw new PipelineException(
                $"--sweep {d.Key}: a grid needs listed values (a,b,c), not a range; ranges are for --sweep-random N and --sweep-trials N"
            );
        }

        IEnumerable<List<KeyValuePair<string, string>>> combos =
        [
            [],
        ];
        foreach (var d in dimensions)
        {
            combos = combos.SelectMany(c =>
                d.Values!.Select(v => new List<KeyValuePair<string, string>>(c) { new(d.Key, v) })
            );
        }

        return combos.Select(c => new SweepTrial(baseExperiment, c)).ToList();
    }

    public IReadOnlyList<SweepTrial> Next(int count, IReadOnlyList<TrialScore> history) =>
        All().Where(t => !history.Any(h => h.Trial.Name == t.Name)).Take(count).ToList();
}

/// <summary>Independent uniform draws per key (log-uniform for log: ranges), N trials from one seed.</summary>
public sealed class RandomSampler(
    string baseExperiment,
    IReadOnlyList<SweepDimension> dimensions,
    int trials,
    ulong seed
) : ISweepSampler
{
    public IReadOnlyList<SweepTrial> All()
    {
        var random = new SweepRandom(seed);
        var result = new List<SweepTrial>();
        for (var attempt = 0; result.Count < trials && attempt < trials * 20; attempt++)
        {
            var trial = new SweepTrial(
                baseExperiment,
                dimensions.Select(d => new KeyValuePair<string, string>(d.Key, Draw(d, random))).ToList()
            );
            if (!result.Any(t => t.Name == trial.Name))
            {
                result.Add(trial); // a small space can repeat values; a repeat would only find the first one cached
            }
        }

        return result;
    }

    public IReadOnlyList<SweepTrial> Next(int count, IReadOnlyList<TrialScore> history) =>
        All().Where(t => !history.Any(h => h.Trial.Name == t.Name)).Take(count).ToList();

    internal static string Draw(SweepDimension d, SweepRandom random) =>
        d.IsRange ? d.ValueAt(random.NextDouble()) : d.Values![random.NextInt(d.Values.Count)];
}
