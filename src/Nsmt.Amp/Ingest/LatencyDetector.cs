using System.Numerics;
using Nsmt.Amp.Capture;
using Nsmt.Audio.Dsp;

namespace Nsmt.Amp.Ingest;

/// <summary>Finds the delay between a DI and its reamp: by the capture signal's clicks, or by cross-correlation.</summary>
public static class LatencyDetector
{
    /// <summary>NAM's trigger: the output must exceed the background peak by this much (absolute)...</summary>
    public const double AbsoluteThreshold = 0.0003;

    /// <summary>...and by this fraction.</summary>
    public const double RelativeThreshold = 0.001;

    /// <summary>Longest correlation transform (samples, about 5 s at 48 kHz): plenty for a delay, bounded time on long recordings.</summary>
    private const int MaxTransform = 1 << 18;

    /// <param name="Delays">Per click: samples from the click to the first output above the threshold (null where none did).</param>
    public sealed record ClickDetection(IReadOnlyList<int?> Delays, double Threshold, double BackgroundPeak)
    {
        public bool AllDetected => Delays.All(d => d is not null);
    }

    /// <param name="Latency">Delay of the output behind the input, samples.</param>
    /// <param name="Peak">Normalised correlation at that delay (negative: inverted polarity).</param>
    public sealed record CorrelationDetection(int Latency, double Peak);

    /// <summary>
    /// NAM's blip method: the background is the output's peak over a silent stretch before the
    /// clicks; the threshold is max(background + 0.0003, 1.001 * background); each click's delay
    /// is where |output| first exceeds it, searched from <paramref name="lookahead"/> samples before
    /// the click to <paramref name="lookback"/> after.
    /// </summary>
    public static ClickDetection DetectByClicks(ReadOnlySpan<float> output, CaptureLayout layout, int lookahead = 1000, int lookback = 10000)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var background = layout.ClickBackground.ShiftClamped(0, output.Length);
        double backgroundPeak = 0;
        foreach (float v in output.Slice(background.Start, background.Length))
        {
            backgroundPeak = Math.Max(backgroundPeak, Math.Abs(v));
        }

        double threshold = Math.Max(backgroundPeak + AbsoluteThreshold, (1 + RelativeThreshold) * backgroundPeak);
        var delays = new List<int?>();
        foreach (int click in layout.ClickPositions)
        {
            int from = Math.Max(0, click - lookahead);
            int to = Math.Min(output.Length, click + lookback);
            int? delay = null;
            for (int i = from; i < to; i++)
            {
                if (Math.Abs(output[i]) > threshold)
                {
                    delay = i - click;
                    break;
                }
            }

            delays.Add(delay);
        }

        return new ClickDetection(delays, threshold, backgroundPeak);
    }

    /// <summary>
    /// The delay in [-<paramref name="lookahead"/>, <paramref name="maxLatency"/>] maximising
    /// |sum x[n] y[n + delay]| over a window of the input (the loudest stretch, or
    /// <paramref name="window"/> when given), computed with one FFT correlation. Null when the
    /// window is silent or the signals are too short.
    /// </summary>
    public static CorrelationDetection? DetectByCorrelation(ReadOnlySpan<float> input, ReadOnlySpan<float> output, int lookahead = 1000, int maxLatency = 10000, SampleRange? window = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lookahead);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLatency);
        int lags = lookahead + maxLatency + 1;
        int length = Math.Min(input.Length, output.Length);
        int windowLength = Math.Min(MaxTransform - lags, length - lags);
        if (windowLength < 1024)
        {
            return null;
        }

        if (window is { } given)
        {
            windowLength = Math.Min(windowLength, Math.Max(1024, given.Length));
        }

        int lastStart = Math.Max(lookahead, length - maxLatency - windowLength);
        int start = window is { } w
            ? Math.Clamp(w.Start, lookahead, lastStart)
            : LoudestWindow(input, windowLength, lookahead, lastStart);

        // c[m] = sum_n a[n] b[n + m], a = input window, b = output from start - lookahead.
        int bLength = windowLength + lags - 1;
        int size = 1;
        while (size < bLength)
        {
            size <<= 1;
        }

        var a = new Complex[size];
        var b = new Complex[size];
        double inputEnergy = 0;
        for (int n = 0; n < windowLength; n++)
        {
            double v = input[start + n];
            a[n] = v;
            inputEnergy += v * v;
        }

        if (inputEnergy == 0)
        {
            return null;
        }

        int bStart = start - lookahead;
        for (int n = 0; n < bLength; n++)
        {
            int i = bStart + n;
            b[n] = i >= 0 && i < output.Length ? output[i] : 0;
        }

        var fft = Fft.Get(size);
        var spectrumA = new Complex[size];
        var spectrumB = new Complex[size];
        fft.Forward(a, spectrumA);
        fft.Forward(b, spectrumB);
        for (int k = 0; k < size; k++)
        {
            spectrumA[k] = Complex.Conjugate(spectrumA[k]) * spectrumB[k];
        }

        fft.Inverse(spectrumA, spectrumB);
        int best = 0;
        for (int m = 1; m < lags; m++)
        {
            if (Math.Abs(spectrumB[m].Real) > Math.Abs(spectrumB[best].Real))
            {
                best = m;
            }
        }

        double peak = spectrumB[best].Real / size;
        double outputEnergy = 0;
        for (int n = 0; n < windowLength; n++)
        {
            double v = b[best + n].Real;
            outputEnergy += v * v;
        }

        double normalised = outputEnergy > 0 ? peak / Math.Sqrt(inputEnergy * outputEnergy) : 0;
        return new CorrelationDetection(best - lookahead, normalised);
    }

    private static int LoudestWindow(ReadOnlySpan<float> input, int windowLength, int first, int last)
    {
        if (last <= first)
        {
            return first;
        }

        int step = Math.Max(1, windowLength / 4);
        int bestStart = first;
        double bestEnergy = -1;
        for (int s = first; s <= last; s += step)
        {
            double energy = 0;
            foreach (float v in input.Slice(s, windowLength))
            {
                energy += v * v;
            }

            if (energy > bestEnergy)
            {
                (bestEnergy, bestStart) = (energy, s);
            }
        }

        return bestStart;
    }
}
