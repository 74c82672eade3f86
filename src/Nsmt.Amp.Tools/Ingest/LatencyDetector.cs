using System.Numerics;
using Nsmt.Amp.Capture;
using Nsmt.Audio;
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

    /// <param name="Latency">Delay of the output behind the input, samples, with sub-sample precision (the impulse-response peak).</param>
    /// <param name="Onset">
    /// First sample of the response: the earliest lag of the run of samples, ending at the peak,
    /// whose magnitude stays at or above <see cref="OnsetFraction"/> of the peak. Filters take a
    /// few samples to rise (a cabinet's low-pass, an amp's tone stack), so the peak can come after
    /// the rig's first answer; the alignment is taken from here so the target stays causal.
    /// </param>
    /// <param name="Peak">Normalised correlation of input and output at the rounded delay (negative: inverted polarity).</param>
    /// <param name="PeakToNoiseDb">Height of the impulse-response peak over the RMS of the estimate away from it: the detection's confidence.</param>
    public sealed record CorrelationDetection(double Latency, int Onset, double Peak, double PeakToNoiseDb)
    {
        /// <summary>
        /// A response sample this large relative to the peak is part of the rig's answer. A
        /// band-limited fractional delay's sidelobe next to its peak reaches 0.22 (sinc(1.4)): that
        /// is pre-ringing of the estimate, not an earlier answer, so the fraction sits above it.
        /// </summary>
        public const double OnsetFraction = 0.3;

        /// <summary>Below this the peak hardly stands out of the estimate's noise: the delay may be wrong.</summary>
        public const double ConfidentDb = 20;

        public bool Confident => PeakToNoiseDb >= ConfidentDb;
    }

    /// <summary>
    /// NAM's blip method: the background is the output's peak over a silent stretch before the
    /// clicks; the threshold is max(background + 0.0003, 1.001 * background); each click's delay
    /// is where |output| first exceeds it, searched from <paramref name="lookahead"/> samples before
    /// the click to <paramref name="lookback"/> after.
    /// </summary>
    public static ClickDetection DetectByClicks(
        ReadOnlySpan<float> output,
        CaptureLayout layout,
        int lookahead = 1000,
        int lookback = 10000
    )
    {
        ArgumentNullException.ThrowIfNull(layout);
        var background = layout.ClickBackground.ShiftClamped(0, output.Length);
        double backgroundPeak = 0;
        foreach (var v in output.Slice(background.Start, background.Length))
        {
            backgroundPeak = Math.Max(backgroundPeak, Math.Abs(v));
        }

        var threshold = Math.Max(backgroundPeak + AbsoluteThreshold, (1 + RelativeThreshold) * backgroundPeak);
        var delays = new List<int?>();
        foreach (var click in layout.ClickPositions)
        {
            var from = Math.Max(0, click - lookahead);
            var to = Math.Min(output.Length, click + lookback);
            int? delay = null;
            for (var i = from; i < to; i++)
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
    /// <see cref="DetectByClicks(ReadOnlySpan{float}, CaptureLayout, int, int)"/> on a recording of any length: it reads
    /// only the prefix that holds the background and the clicks' search windows (the capture signal puts them in its
    /// first seconds).
    /// </summary>
    public static ClickDetection DetectByClicks(
        SampleSource output,
        CaptureLayout layout,
        int lookahead = 1000,
        int lookback = 10000
    )
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(layout);
        var end = Math.Clamp(layout.ClickPositions.Max() + (long)lookback, 0, output.Length);
        return DetectByClicks(output.Read(0, (int)end), layout, lookahead, lookback);
    }

    /// <summary>
    /// The delay in [-<paramref name="lookahead"/>, <paramref name="maxLatency"/>] at the peak of the
    /// rig's estimated impulse response, over a window of the input (the loudest stretch, or
    /// <paramref name="window"/> when given). Null when the window is silent or the signals are too short.
    /// </summary>
    /// <remarks>
    /// A plain cross-correlation peak is the impulse response smeared by the input's
    /// autocorrelation: guitar is tonal and low-pass, so a tone filter's phase shift at the
    /// dominant frequencies moves that peak by tens of samples. Dividing the cross-spectrum by the
    /// input's (smoothed, regularised) power spectrum removes the autocorrelation (a Wiener
    /// deconvolution), leaving the impulse response itself, whose peak sits at the rig's delay
    /// plus at most the few samples its filters take to rise. The peak is then located between
    /// samples by band-limited (windowed-sinc) interpolation of the estimate.
    /// </remarks>
    public static CorrelationDetection? DetectByCorrelation(
        ReadOnlySpan<float> input,
        ReadOnlySpan<float> output,
        int lookahead = 1000,
        int maxLatency = 10000,
        SampleRange? window = null
    )
    {
        if (Place(input.Length, output.Length, lookahead, maxLatency, window) is not { } place)
        {
            return null;
        }

        var start = place.Start ?? LoudestWindow(input, place.WindowLength, lookahead, place.LastStart);
        var excerpt = OutputExcerpt.Around(start, place.WindowLength, lookahead, maxLatency, output.Length);
        output[excerpt.Recorded].CopyTo(excerpt.RecordedPart);
        return Estimate(input.Slice(start, place.WindowLength), excerpt.Samples, lookahead, maxLatency);
    }

    /// <summary>
    /// <see cref="DetectByCorrelation(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, SampleRange?)"/> on a recording
    /// of any length, with the same result: it holds the transform's window, never the whole recording.
    /// </summary>
    public static CorrelationDetection? DetectByCorrelation(
        SampleSource input,
        SampleSource output,
        int lookahead = 1000,
        int maxLatency = 10000,
        SampleRange? window = null
    )
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (Place(input.Length, output.Length, lookahead, maxLatency, window) is not { } place)
        {
            return null;
        }

        var start = place.Start ?? LoudestWindow(input, place.WindowLength, lookahead, place.LastStart);
        var excerpt = OutputExcerpt.Around(start, place.WindowLength, lookahead, maxLatency, output.Length);
        output.Read(excerpt.Recorded.Start.Value, excerpt.RecordedPart);
        return Estimate(input.Read(start, place.WindowLength), excerpt.Samples, lookahead, maxLatency);
    }

    /// <summary>Where the correlation window lies: its length, and its start when given (null: the loudest stretch).</summary>
    private readonly record struct WindowPlace(int WindowLength, int LastStart, int? Start);

    private static WindowPlace? Place(
        int inputLength,
        int outputLength,
        int lookahead,
        int maxLatency,
        SampleRange? window
    )
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lookahead);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLatency);
        var lags = lookahead + maxLatency + 1;
        var length = Math.Min(inputLength, outputLength);
        var windowLength = Math.Min(MaxTransform - lags, length - lags);
        if (windowLength < 1024)
        {
            return null;
        }

        if (window is { } given)
        {
            windowLength = Math.Min(windowLength, Math.Max(1024, given.Length));
        }

        var lastStart = Math.Max(lookahead, length - maxLatency - windowLength);
        return new WindowPlace(
            windowLength,
            lastStart,
            window is { } w ? Math.Clamp(w.Start, lookahead, lastStart) : null
        );
    }

    /// <summary>
    /// Output samples kept beyond the lags either side: the interpolated peak may round one sample past the searched
    /// lags, and the normalised correlation reads the output there.
    /// </summary>
    private const int ExcerptMargin = 2;

    /// <summary>
    /// The output samples the estimate reads, from the window's start - lookahead - margin to its end + maxLatency +
    /// margin: zeros where the recording has none, the recording's samples [<see cref="Recorded"/>) to be copied into
    /// <see cref="RecordedPart"/>.
    /// </summary>
    private readonly record struct OutputExcerpt(float[] Samples, Range Recorded, int From)
    {
        public Span<float> RecordedPart =>
            Recorded.End.Value > Recorded.Start.Value
                ? Samples.AsSpan(Recorded.Start.Value - From, Recorded.End.Value - Recorded.Start.Value)
                : [];

        public static OutputExcerpt Around(int start, int windowLength, int lookahead, int maxLatency, int outputLength)
        {
            var samples = new float[windowLength + lookahead + maxLatency + (2 * ExcerptMargin)];
            var from = start - lookahead - ExcerptMargin;
            var lo = Math.Clamp(from, 0, outputLength);
            var hi = Math.Clamp(from + samples.Length, lo, outputLength);
            return new OutputExcerpt(samples, lo..hi, from);
        }
    }

    /// <param name="input">The input window.</param>
    /// <param name="output">
    /// The output from <see cref="ExcerptMargin"/> + <paramref name="lookahead"/> samples before the window's start
    /// (<see cref="OutputExcerpt"/>; zeros where the recording has none).
    /// </param>
    private static CorrelationDetection? Estimate(
        ReadOnlySpan<float> input,
        float[] output,
        int lookahead,
        int maxLatency
    )
    {
        var lags = lookahead + maxLatency + 1;
        var windowLength = input.Length;

        // c[m] = sum_n a[n] b[n + m], a = input window, b = output from start - lookahead.
        var bLength = windowLength + lags - 1;
        var size = 1;
        while (size < bLength)
        {
            size <<= 1;
        }

        var a = new Complex[size];
        var b = new Complex[size];
        double inputEnergy = 0;
        for (var n = 0; n < windowLength; n++)
        {
            double v = input[n];
            a[n] = v;
            inputEnergy += v * v;
        }

        if (inputEnergy == 0)
        {
            return null;
        }

        for (var n = 0; n < bLength; n++)
        {
            b[n] = output[ExcerptMargin + n];
        }

        var fft = Fft.Get(size);
        var spectrumA = new Complex[size];
        var spectrumB = new Complex[size];
        fft.Forward(a, spectrumA);
        fft.Forward(b, spectrumB);
        var power = SmoothedPower(spectrumA);
        var floor = RegularisationFloor * power.Average();
        for (var k = 0; k < size; k++)
        {
            spectrumA[k] = Complex.Conjugate(spectrumA[k]) * spectrumB[k] / (power[k] + floor);
        }

        fft.Inverse(spectrumA, spectrumB);
        var response = new double[lags];
        var best = 0;
        for (var m = 0; m < lags; m++)
        {
            response[m] = spectrumB[m].Real;
            if (Math.Abs(response[m]) > Math.Abs(response[best]))
            {
                best = m;
            }
        }

        var latency = InterpolatePeak(response, best) - lookahead;
        var onset = Onset(response, best) - lookahead;
        return new CorrelationDetection(
            latency,
            onset,
            NormalisedCorrelation(input, output, lookahead + ExcerptMargin, (int)Math.Round(latency)),
            PeakToNoiseDb(response, best)
        );
    }

    private static int Onset(double[] h, int best)
    {
        var level = CorrelationDetection.OnsetFraction * Math.Abs(h[best]);
        var onset = best;
        while (onset > 0 && best - onset < MaxRiseSamples && Math.Abs(h[onset - 1]) >= level)
        {
            onset--;
        }

        return onset;
    }

    /// <summary>The longest rise from onset to peak considered: a tone stack or cabinet rises within a few samples; beyond this it is another event.</summary>
    private const int MaxRiseSamples = 16;

    /// <summary>Relative to the mean input power: bins this far below it are damped rather than amplified (their output is mostly noise).</summary>
    private const double RegularisationFloor = 1e-2;

    /// <summary>Half-width of the sinc interpolation kernel and of the region around the peak left out of the noise estimate.</summary>
    private const int KernelHalfWidth = 16;

    /// <summary>|X[k]|^2 averaged over neighbouring bins: a single periodogram has near-zero bins whose division would blow up noise.</summary>
    private static double[] SmoothedPower(Complex[] spectrum)
    {
        const int radius = 8;
        var n = spectrum.Length;
        var power = new double[n];
        for (var k = 0; k < n; k++)
        {
            var m = spectrum[k].Magnitude;
            power[k] = m * m;
        }

        var smoothed = new double[n];
        double sum = 0;
        for (var k = -radius; k <= radius; k++)
        {
            sum += power[((k % n) + n) % n];
        }

        for (var k = 0; k < n; k++)
        {
            smoothed[k] = sum / ((2 * radius) + 1);
            sum += power[(k + radius + 1) % n] - power[((k - radius) % n + n) % n];
        }

        return smoothed;
    }

    /// <summary>
    /// Where the band-limited signal through the samples <paramref name="h"/> peaks, within half a
    /// sample either side of <paramref name="best"/>: Kaiser-windowed sinc interpolation on a 1/64
    /// grid, refined by a parabola through the three best grid points.
    /// </summary>
    private static double InterpolatePeak(double[] h, int best)
    {
        double sign = Math.Sign(h[best]);
        double Value(double t)
        {
            double sum = 0;
            var centre = (int)Math.Floor(t);
            for (var k = centre - KernelHalfWidth + 1; k <= centre + KernelHalfWidth; k++)
            {
                if (k < 0 || k >= h.Length)
                {
                    continue;
                }

                var x = t - k;
                var r = x / KernelHalfWidth;
                var taper = r * r < 1 ? BesselI0(6 * Math.Sqrt(1 - (r * r))) : 0;
                sum += h[k] * Sinc(x) * taper;
            }

            return sign * sum;
        }

        const int steps = 64;
        double bestT = best,
            bestValue = double.NegativeInfinity;
        for (var s = -steps / 2; s <= steps / 2; s++)
        {
            var t = best + ((double)s / steps);
            var v = Value(t);
            if (v > bestValue)
            {
                (bestValue, bestT) = (v, t);
            }
        }

        var step = 1.0 / steps;
        double left = Value(bestT - step),
            right = Value(bestT + step);
        var curvature = left - (2 * bestValue) + right;
        return curvature < 0 ? bestT + (0.5 * step * (left - right) / curvature) : bestT;
    }

    private static double Sinc(double x) => Math.Abs(x) < 1e-12 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    private static double BesselI0(double x)
    {
        double sum = 1,
            term = 1;
        for (var k = 1; k < 50; k++)
        {
            term *= x / (2 * k);
            term *= x / (2 * k);
            sum += term;
            if (term < 1e-17 * sum)
            {
                break;
            }
        }

        return sum;
    }

    /// <summary>20 log10 of |peak| over the RMS of the estimate outside the peak's neighbourhood.</summary>
    private static double PeakToNoiseDb(double[] h, int best)
    {
        double sum = 0;
        var count = 0;
        for (var m = 0; m < h.Length; m++)
        {
            if (Math.Abs(m - best) > 4 * KernelHalfWidth)
            {
                sum += h[m] * h[m];
                count++;
            }
        }

        var noise = count > 0 ? Math.Sqrt(sum / count) : 0;
        return noise > 0 ? 20 * Math.Log10(Math.Abs(h[best]) / noise) : double.PositiveInfinity;
    }

    /// <summary>sum x[n] y[n + lag] / sqrt(sum x^2 sum y^2) over the window: how alike the two are at that delay, sign included.</summary>
    /// <param name="outputOffset">The index in <paramref name="output"/> of the output sample beside input[0].</param>
    private static double NormalisedCorrelation(ReadOnlySpan<float> input, float[] output, int outputOffset, int lag)
    {
        double cross = 0,
            inputEnergy = 0,
            outputEnergy = 0;
        for (var n = 0; n < input.Length; n++)
        {
            double x = input[n];
            var j = outputOffset + n + lag;
            double y = j >= 0 && j < output.Length ? output[j] : 0;
            cross += x * y;
            inputEnergy += x * x;
            outputEnergy += y * y;
        }

        return inputEnergy > 0 && outputEnergy > 0 ? cross / Math.Sqrt(inputEnergy * outputEnergy) : 0;
    }

    private static int LoudestWindow(ReadOnlySpan<float> input, int windowLength, int first, int last)
    {
        if (last <= first)
        {
            return first;
        }

        var step = Math.Max(1, windowLength / 4);
        var bestStart = first;
        double bestEnergy = -1;
        for (var s = first; s <= last; s += step)
        {
            var energy = AddEnergy(0, input.Slice(s, windowLength));
            if (energy > bestEnergy)
            {
                (bestEnergy, bestStart) = (energy, s);
            }
        }

        return bestStart;
    }

    /// <summary>The span version's choice, reading each candidate window a piece at a time (summed in the same order).</summary>
    private static int LoudestWindow(SampleSource input, int windowLength, int first, int last)
    {
        if (last <= first)
        {
            return first;
        }

        var step = Math.Max(1, windowLength / 4);
        var bestStart = first;
        double bestEnergy = -1;
        var buffer = new float[Math.Min(SampleSource.ChunkSamples, windowLength)];
        for (var s = first; s <= last; s += step)
        {
            double energy = 0;
            for (var at = s; at < s + windowLength; at += buffer.Length)
            {
                var piece = buffer.AsSpan(0, Math.Min(buffer.Length, s + windowLength - at));
                input.Read(at, piece);
                energy = AddEnergy(energy, piece);
            }

            if (energy > bestEnergy)
            {
                (bestEnergy, bestStart) = (energy, s);
            }
        }

        return bestStart;
    }

    private static double AddEnergy(double energy, ReadOnlySpan<float> samples)
    {
        foreach (var v in samples)
        {
            energy += v * v;
        }

        return energy;
    }
}
