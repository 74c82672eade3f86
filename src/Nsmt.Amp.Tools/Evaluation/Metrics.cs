using System.Numerics;
using Nsmt.Audio.Dsp;

namespace Nsmt.Amp.Evaluation;

/// <summary>One STFT resolution of the multi-resolution spectral distance (evaluation and the training loss): FFT size, hop and (Hann) window length.</summary>
public readonly record struct StftResolution(int FftSize, int HopSize, int WindowLength);

/// <summary>
/// Error measures between a model's prediction y and the target t (the reamp), all in double
/// precision. ESR comes in two conventions that must not be mixed up: NAM's (per item
/// sum((y-t)^2)/sum(t^2), averaged over items) and the predecessor project's pooled one
/// (mean((y-t)^2)/(mean(t^2)+1e-8) over everything at once).
/// </summary>
public static class Metrics
{
    /// <summary>The predecessor project's ESR denominator guard.</summary>
    public const double PooledEsrEpsilon = 1e-8;

    /// <summary>NAM's MR-STFT resolutions (FFT 1024/2048/512, hop 120/240/50, window 600/1200/240).</summary>
    public static IReadOnlyList<StftResolution> NamResolutions { get; } =
    [new(1024, 120, 600), new(2048, 240, 1200), new(512, 50, 240)];

    /// <summary>
    /// NAM's ESR of one item, the one definition every ESR in the project uses (training's validation, the tensor
    /// loss, evaluation, the capture's replicate check): sum((y-t)^2) / sum(t^2) (amp-modeling.md; NAM's
    /// <c>esr</c> has no epsilon and no pre-emphasis, those are separate losses). See <see cref="EsrOfSums"/> for a
    /// silent target.
    /// </summary>
    public static double Esr(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        CheckLengths(prediction, target);
        double error = 0,
            energy = 0;
        for (var i = 0; i < target.Length; i++)
        {
            var d = (double)prediction[i] - target[i];
            error += d * d;
            energy += (double)target[i] * target[i];
        }

        return EsrOfSums(error, energy);
    }

    /// <summary>
    /// ESR from its two sums, sum((y-t)^2) and sum(t^2). The formula is 0/0 or x/0 on a silent target; we define
    /// those so that no NaN reaches a metrics file or a checkpoint ranking: a silent target predicted exactly
    /// (silent) is 0, a perfect model; a silent target with any error is +infinity, the worst ESR there is.
    /// </summary>
    public static double EsrOfSums(double squaredError, double targetEnergy) =>
        targetEnergy > 0 ? squaredError / targetEnergy
        : squaredError > 0 ? double.PositiveInfinity
        : 0;

    /// <summary>NAM's batch convention: ESR of each consecutive item of <paramref name="itemLength"/> samples, then the mean (a shorter last item counts as one).</summary>
    public static double EsrPerItemMean(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int itemLength)
    {
        CheckLengths(prediction, target);
        ArgumentOutOfRangeException.ThrowIfLessThan(itemLength, 1);
        double sum = 0;
        var items = 0;
        for (var start = 0; start < target.Length; start += itemLength)
        {
            var count = Math.Min(itemLength, target.Length - start);
            sum += Esr(prediction.Slice(start, count), target.Slice(start, count));
            items++;
        }

        return items == 0 ? 0 : sum / items;
    }

    /// <summary>The predecessor project's pooled ESR: mean((y-t)^2) / (mean(t^2) + 1e-8).</summary>
    public static double EsrPooled(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        CheckLengths(prediction, target);
        if (target.Length == 0)
        {
            return 0;
        }

        return Mse(prediction, target) / (MeanSquare(target) + PooledEsrEpsilon);
    }

    public static double Mse(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        CheckLengths(prediction, target);
        double error = 0;
        for (var i = 0; i < target.Length; i++)
        {
            var d = (double)prediction[i] - target[i];
            error += d * d;
        }

        return target.Length == 0 ? 0 : error / target.Length;
    }

    public static double Rmse(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target) =>
        Math.Sqrt(Mse(prediction, target));

    /// <summary>10 log10(sum t^2 / sum (t-y)^2): -10 log10(ESR). Infinite for a perfect prediction.</summary>
    public static double SnrDb(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target) =>
        -10 * Math.Log10(Esr(prediction, target));

    /// <summary>Pearson's r (NaN when either signal is constant): <see cref="Correlation.Pearson"/>.</summary>
    public static double Pearson(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        CheckLengths(prediction, target);
        return Correlation.Pearson(prediction, target);
    }

    /// <summary>Null test: RMS level of t - y in dBFS (what is left when the model's output is subtracted from the amp's).</summary>
    public static double ResidualRmsDbfs(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target) =>
        10 * Math.Log10(Mse(prediction, target));

    /// <summary>DC loss of the spec: (mean(t) - mean(y))^2 / mean(t^2).</summary>
    public static double DcError(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        CheckLengths(prediction, target);
        if (target.Length == 0)
        {
            return 0;
        }

        double meanY = 0,
            meanT = 0;
        for (var i = 0; i < target.Length; i++)
        {
            meanY += prediction[i];
            meanT += target[i];
        }

        meanY /= target.Length;
        meanT /= target.Length;
        var energy = MeanSquare(target);
        var d = (meanT - meanY) * (meanT - meanY);
        return energy > 0 ? d / energy
            : d > 0 ? double.PositiveInfinity
            : 0;
    }

    /// <summary>
    /// Multi-resolution STFT distance as auraloss computes it (and NAM's trainer uses, there on
    /// pre-emphasised signals): per resolution, spectral convergence ||T| - |Y||_F / ||T||_F plus the
    /// mean of |log|Y| - log|T||, with |.| = sqrt(max(re^2 + im^2, 1e-8)), Hann window
    /// zero-padded to the FFT size, torch.stft framing (centred, reflect padding); then the mean
    /// over resolutions (default: <see cref="NamResolutions"/>).
    /// </summary>
    public static double MultiResolutionStft(
        ReadOnlySpan<float> prediction,
        ReadOnlySpan<float> target,
        IReadOnlyList<StftResolution>? resolutions = null
    )
    {
        CheckLengths(prediction, target);
        resolutions ??= NamResolutions;
        if (resolutions.Count == 0)
        {
            throw new ArgumentException("at least one STFT resolution is needed", nameof(resolutions));
        }

        double total = 0;
        foreach (var r in resolutions)
        {
            if (target.Length <= r.FftSize / 2)
            {
                throw new ArgumentException(
                    $"signals of {target.Length} samples are too short for an STFT of size {r.FftSize} (need more than {r.FftSize / 2})"
                );
            }

            var options = new StftOptions(r.FftSize)
            {
                HopLength = r.HopSize,
                WinLength = r.WindowLength,
                Window = WindowType.Hann,
            };
            var y = Stft.Forward(prediction, options);
            var t = Stft.Forward(target, options);
            double difference = 0,
                targetNorm = 0,
                logSum = 0;
            for (var i = 0; i < t.Values.Length; i++)
            {
                var magnitudeY = Magnitude(y.Values[i]);
                var magnitudeT = Magnitude(t.Values[i]);
                difference += (magnitudeT - magnitudeY) * (magnitudeT - magnitudeY);
                targetNorm += magnitudeT * magnitudeT;
                logSum += Math.Abs(Math.Log(magnitudeY) - Math.Log(magnitudeT));
            }

            total += Math.Sqrt(difference) / Math.Sqrt(targetNorm) + (logSum / t.Values.Length);
        }

        return total / resolutions.Count;
    }

    /// <summary>The predecessor project's verdict on Pearson's r.</summary>
    public static string CorrelationGrade(double r) =>
        r switch
        {
            > 0.95 => "excellent",
            > 0.90 => "very good",
            > 0.80 => "good",
            > 0.70 => "fair",
            _ => "poor",
        };

    private static double Magnitude(Complex z) =>
        Math.Sqrt(Math.Max((z.Real * z.Real) + (z.Imaginary * z.Imaginary), 1e-8));

    private static double MeanSquare(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (var v in x)
        {
            sum += (double)v * v;
        }

        return x.Length == 0 ? 0 : sum / x.Length;
    }

    private static void CheckLengths(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        if (prediction.Length != target.Length)
        {
            throw new ArgumentException(
                $"prediction has {prediction.Length} samples but target has {target.Length}; compare over a common length"
            );
        }
    }
}
