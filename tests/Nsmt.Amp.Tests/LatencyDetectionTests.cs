using Nsmt.Amp.Ingest;

namespace Nsmt.Amp.Tests;

/// <summary>
/// Latency detection on rigs of known latency (issue 16): whole and fractional delays, a
/// phase-shifting tone stack, the reference amp, and combinations. The true latency is the delay
/// put in; every other part of each rig answers at once (its first impulse-response tap is large).
/// </summary>
public sealed class LatencyDetectionTests
{
    public static TheoryData<string, double> Rigs =>
        new()
        {
            { "delay", 7 },
            { "delay", 12.4 },
            { "tone", 7 },
            { "tone", 12.4 },
            { "amp", 7 },
            { "amp", 12.4 },
            { "amp+tone", 7 },
            { "amp+tone", 12.4 },
        };

    private static float[] Rig(string kind, float[] di, double delay) =>
        kind switch
        {
            "delay" => LatencyRigs.Delay(di, delay),
            "tone" => LatencyRigs.Delay(LatencyRigs.ToneStack(di), delay),
            "amp" => LatencyRigs.Delay(LatencyRigs.Amp(di), delay),
            "amp+tone" => LatencyRigs.Delay(LatencyRigs.ToneStack(LatencyRigs.Amp(di)), delay),
            _ => throw new ArgumentException(kind),
        };

    [Theory]
    [MemberData(nameof(Rigs))]
    public void Correlation_finds_the_rig_latency_within_one_sample_and_aligns_causally(string kind, double latency)
    {
        var di = LatencyRigs.Di;
        var reamp = Rig(kind, di, latency);

        var pair = CapturePair.Load(di, reamp, LatencyRigs.Rate, new IngestOptions { ValidationSeconds = 3 });
        var report = pair.Report.Latency;

        Assert.Equal(LatencyMethod.CrossCorrelation, report.Method);
        Assert.InRange(report.CorrelationOnset!.Value, latency - 1, latency + 1);
        Assert.True(report.CorrelationConfidenceDb > 30, $"confidence {report.CorrelationConfidenceDb} dB");
        // The alignment never asks for an answer before the rig gave it, and adds at most 2 samples.
        Assert.Equal(report.CorrelationOnset - 1, report.Alignment.Latency);
        Assert.InRange(report.Alignment.Latency, latency - 2, latency);
        Assert.DoesNotContain(pair.Report.Warnings, w => w.Contains("uncertain", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(7.0)]
    [InlineData(12.4)]
    [InlineData(300.75)]
    public void A_pure_delay_is_located_to_a_small_fraction_of_a_sample(double latency)
    {
        var di = LatencyRigs.Di;

        var detection = LatencyDetector.DetectByCorrelation(di, LatencyRigs.Delay(di, latency))!;

        Assert.Equal(latency, detection.Latency, 0.05);
        Assert.Equal((int)Math.Round(latency, MidpointRounding.ToZero), detection.Onset);
        Assert.True(detection.Peak > 0.95, $"correlation {detection.Peak}");
    }

    [Fact]
    public void The_tone_stack_defeats_a_plain_correlation_peak_but_not_the_impulse_response()
    {
        // Without this, the tone-stack rigs would not test robustness to phase shift at all.
        var di = LatencyRigs.Di;
        var reamp = Rig("tone", di, 7);

        var plain = PlainCorrelationPeak(di, reamp, maxLag: 200);
        var detection = LatencyDetector.DetectByCorrelation(di, reamp)!;

        Assert.True(Math.Abs(plain - 7) > 5, $"plain correlation peak {plain}");
        Assert.Equal(7, detection.Onset);
        Assert.InRange(detection.Latency, 6, 8);
    }

    [Fact]
    public void The_fractional_delay_rig_delays_a_sine_by_the_analytic_phase()
    {
        // x = sin(w n), delayed by d: y[n] = sin(w (n - d)). Checks the rig the other tests trust.
        const double d = 12.4;
        foreach (var frequency in new[] { 100.0, 1000.0, 8000.0 })
        {
            var x = AmpTestSignals.Sine(4800, frequency, 0.5);
            var y = LatencyRigs.Delay(x, d);
            var w = 2 * Math.PI * frequency / LatencyRigs.Rate;
            for (var n = 200; n < 4500; n += 37)
            {
                Assert.Equal(0.5 * Math.Sin(w * (n - d)), y[n], 1e-4);
            }
        }
    }

    [Fact]
    public void The_tone_stack_answers_at_once_with_its_largest_tap()
    {
        var impulse = new float[4096];
        impulse[0] = 1;

        var h = LatencyRigs.ToneStack(impulse);

        var largest = Enumerable.Range(0, h.Length).MaxBy(i => Math.Abs(h[i]));
        Assert.Equal(0, largest);
    }

    [Fact]
    public void Clicks_and_correlation_more_than_one_sample_apart_give_a_warning()
    {
        // The clicks answer after 100 samples, the rest of the capture after 104.
        var di = AmpTestSignals.Capture.Samples;
        var y = AmpTestSignals.PureDelay(di, 100);
        var late = AmpTestSignals.PureDelay(di, 104);
        var clicksEnd = AmpTestSignals.Capture.Layout.ClickPositions.Max() + 2000;
        Array.Copy(late, clicksEnd, y, clicksEnd, y.Length - clicksEnd);

        var agreeing = CapturePair.Load(di, AmpTestSignals.PureDelay(di, 100), 48000).Report;
        var report = CapturePair.Load(di, y, 48000).Report;

        Assert.Equal(100, report.Latency.ClickLatency);
        Assert.Equal(104, report.Latency.CorrelationOnset);
        Assert.Contains(report.Warnings, w => w.Contains("differ by 4 samples", StringComparison.Ordinal));
        Assert.DoesNotContain(agreeing.Warnings, w => w.Contains("differ by", StringComparison.Ordinal));
    }

    [Fact]
    public void Uncorrelated_output_is_reported_with_low_confidence()
    {
        var di = LatencyRigs.Di;
        var random = new Random(4);
        var noise = di.Select(_ => (float)(0.1 * (random.NextDouble() - 0.5))).ToArray();

        var detection = LatencyDetector.DetectByCorrelation(di, noise)!;
        var report = CapturePair.Load(di, noise, LatencyRigs.Rate, new IngestOptions { ValidationSeconds = 3 }).Report;

        Assert.False(detection.Confident, $"{detection.PeakToNoiseDb} dB");
        Assert.Contains(report.Warnings, w => w.Contains("uncertain", StringComparison.Ordinal));
    }

    /// <summary>argmax over lags 0..maxLag of sum x[n] y[n + lag]: the detector before issue 16.</summary>
    private static int PlainCorrelationPeak(float[] x, float[] y, int maxLag)
    {
        var best = 0;
        var bestValue = double.NegativeInfinity;
        var length = Math.Min(x.Length, y.Length - maxLag);
        for (var lag = 0; lag <= maxLag; lag++)
        {
            double sum = 0;
            for (var n = 0; n < length; n += 2)
            {
                sum += (double)x[n] * y[n + lag];
            }

            if (Math.Abs(sum) > bestValue)
            {
                (bestValue, best) = (Math.Abs(sum), lag);
            }
        }

        return best;
    }
}
