namespace Nsmt.Pipeline.Sweeps;

/// <summary>
/// Tree-structured Parzen Estimator, univariate, after Bergstra, Bardenet, Bengio and Kégl, "Algorithms for
/// Hyper-Parameter Optimization", NeurIPS 2011 (the method behind hyperopt and Optuna's default sampler).
/// After <see cref="StartupTrials"/> random trials, the trials so far are split at the γ quantile of their scores
/// into good and bad; per key, a Parzen density l(x) is fitted to the good values and g(x) to the bad ones (a
/// Gaussian per observation whose width is the larger gap to its neighbours, as hyperopt's adaptive Parzen
/// estimator, plus a broad prior), candidates are drawn from l, and the one maximising l(x)/g(x), which maximises
/// expected improvement under this model, is proposed. Listed values are modelled by smoothed frequencies.
/// Scores are the trainer's own metrics of finished trials (e.g. val/acc_best); every draw comes from one seed.
/// </summary>
public sealed class TpeSampler(string baseExperiment, IReadOnlyList<SweepDimension> dimensions, int trials, ulong seed)
    : ISweepSampler
{
    public const int StartupTrials = 4;
    public const double Gamma = 0.25;
    public const int Candidates = 24;

    public IReadOnlyList<SweepTrial> Next(int count, IReadOnlyList<TrialScore> history)
    {
        var left = trials - history.Count;
        var proposed = new List<SweepTrial>();
        // One generator per proposal position, seeded by the seed and the history size, so the proposals of a
        // resumed sweep repeat those of the interrupted one.
        var random = new SweepRandom(seed * 1_000_003UL + (ulong)history.Count);
        var scored = history.Where(h => h.Score is not null).ToList();
        for (var i = 0; i < Math.Min(count, left); i++)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var startup = scored.Count < StartupTrials || attempt >= 25;
                var trial = new SweepTrial(
                    baseExperiment,
                    dimensions
                        .Select(d => new KeyValuePair<string, string>(
                            d.Key,
                            startup ? RandomSampler.Draw(d, random) : Propose(d, scored, random)
                        ))
                        .ToList()
                );
                if (!history.Any(h => h.Trial.Name == trial.Name) && !proposed.Any(p => p.Name == trial.Name))
                {
                    proposed.Add(trial);
                    break;
                }
            }
        }

        return proposed;
    }

    private static string Propose(SweepDimension d, List<TrialScore> scored, SweepRandom random)
    {
        var ordered = scored.OrderByDescending(s => s.Score!.Value).ToList();
        var good = Math.Max(1, (int)Math.Ceiling(Gamma * ordered.Count));
        var goodValues = ordered.Take(good).Select(s => Value(s.Trial, d.Key)).ToList();
        var badValues = ordered.Skip(good).Select(s => Value(s.Trial, d.Key)).ToList();
        return d.IsRange
            ? ProposeNumeric(d, goodValues, badValues, random)
            : ProposeChoice(d, goodValues, badValues, random);
    }

    private static string Value(SweepTrial trial, string key) => trial.Assignments.First(a => a.Key == key).Value;

    private static string ProposeChoice(SweepDimension d, List<string> good, List<string> bad, SweepRandom random)
    {
        double[] Weights(List<string> seen) => d.Values!.Select(v => 1.0 + seen.Count(s => s == v)).ToArray(); // +1: the prior
        double[] l = Weights(good),
            g = Weights(bad);
        double lSum = l.Sum(),
            gSum = g.Sum();
        var best = d.Values![0];
        var bestRatio = double.NegativeInfinity;
        for (var c = 0; c < Candidates; c++)
        {
            var u = random.NextDouble() * lSum;
            var k = 0;
            while (k < l.Length - 1 && (u -= l[k]) > 0)
            {
                k++;
            }

            var ratio = Math.Log(l[k] / lSum) - Math.Log(g[k] / gSum);
            if (ratio > bestRatio)
            {
                (best, bestRatio) = (d.Values[k], ratio);
            }
        }

        return best;
    }

    private static string ProposeNumeric(SweepDimension d, List<string> good, List<string> bad, SweepRandom random)
    {
        var l = Parzen.Fit(d, good.Select(d.ToSpace).ToList());
        var g = Parzen.Fit(d, bad.Select(d.ToSpace).ToList());
        var best = l.Sample(random);
        var bestRatio = double.NegativeInfinity;
        for (var c = 0; c < Candidates; c++)
        {
            var x = l.Sample(random);
            var ratio = l.LogDensity(x) - g.LogDensity(x);
            if (ratio > bestRatio)
            {
                (best, bestRatio) = (x, ratio);
            }
        }

        return d.FromSpace(best);
    }

    /// <summary>An equally weighted mixture of Gaussians: one per observation and a prior spanning the range.</summary>
    private sealed record Parzen(double[] Means, double[] Sigmas, double Low, double High)
    {
        public static Parzen Fit(SweepDimension d, List<double> observations)
        {
            double low = d.SpaceLow,
                high = d.SpaceHigh,
                width = high - low;
            var means = observations.Append((low + high) / 2).ToList();
            var sigmas = new List<double>();
            var sorted = observations.Order().ToList();
            var minSigma = width / Math.Min(100.0, 1.0 + observations.Count);
            foreach (var x in observations)
            {
                var i = sorted.IndexOf(x);
                var leftGap = i > 0 ? x - sorted[i - 1] : x - low;
                var rightGap = i < sorted.Count - 1 ? sorted[i + 1] - x : high - x;
                sigmas.Add(Math.Clamp(Math.Max(leftGap, rightGap), minSigma, width));
            }

            sigmas.Add(width);
            return new Parzen([.. means], [.. sigmas], low, high);
        }

        public double Sample(SweepRandom random)
        {
            var k = random.NextInt(Means.Length);
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var x = Means[k] + Sigmas[k] * random.NextGaussian();
                if (x >= Low && x < High)
                {
                    return x; // truncated to the range by rejection
                }
            }

            return Math.Clamp(Means[k], Low, High);
        }

        public double LogDensity(double x)
        {
            double sum = 0;
            for (var k = 0; k < Means.Length; k++)
            {
                var z = (x - Means[k]) / Sigmas[k];
                sum += Math.Exp(-0.5 * z * z) / Sigmas[k];
            }

            return Math.Log(sum / Means.Length + 1e-300);
        }
    }
}
