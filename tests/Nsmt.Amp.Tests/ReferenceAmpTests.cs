using SyntheticAmp = Nsmt.Amp.ReferenceAmp.ReferenceAmp;
using SyntheticAmpOptions = Nsmt.Amp.ReferenceAmp.ReferenceAmpOptions;

namespace Nsmt.Amp.Tests;

/// <summary>The synthetic reference amp: deterministic, causal, short memory, clearly nonlinear, latency as asked.</summary>
public sealed class ReferenceAmpTests
{
    [Fact]
    public void Same_input_gives_the_same_output_every_time()
    {
        var x = AmpTestSignals.Capture.Samples.AsSpan(0, 48000).ToArray();

        var a = new SyntheticAmp().Process(x);
        var b = new SyntheticAmp().Process(x);
        var c = new SyntheticAmp(new SyntheticAmpOptions { GainDb = 20 }).Process(x);

        Assert.True(a.AsSpan().SequenceEqual(b));
        Assert.False(a.AsSpan().SequenceEqual(c));
    }

    [Fact]
    public void It_is_not_linear_it_distorts_with_even_and_odd_harmonics()
    {
        var amp = new SyntheticAmp();
        var loud = AmpTestSignals.Sine(48000, 500, 0.5);
        var quiet = AmpTestSignals.Sine(48000, 500, 0.05);
        var yLoud = amp.Process(loud).AsSpan(24000, 24000);
        var yQuiet = amp.Process(quiet).AsSpan(24000, 24000);

        // A linear system would give exactly 10x more output for 10x more input.
        var gainRatio = AmpTestSignals.Amplitude(yLoud, 500) / AmpTestSignals.Amplitude(yQuiet, 500);
        Assert.InRange(gainRatio, 1, 7);

        var fundamental = AmpTestSignals.Amplitude(yLoud, 500);
        var second = AmpTestSignals.Amplitude(yLoud, 1000); // from the asymmetric stage
        var third = AmpTestSignals.Amplitude(yLoud, 1500);
        Assert.True(second / fundamental > 0.01, $"2nd harmonic {second / fundamental:G3} of the fundamental");
        Assert.True(third / fundamental > 0.05, $"3rd harmonic {third / fundamental:G3} of the fundamental");
    }

    [Fact]
    public void Latency_prepends_silence_and_delays_the_same_response()
    {
        var x = AmpTestSignals.Capture.Samples.AsSpan(0, 20000).ToArray();

        var y0 = new SyntheticAmp().Process(x);
        var y = new SyntheticAmp(new SyntheticAmpOptions { LatencySamples = 321 }).Process(x);

        Assert.Equal(x.Length + 321, y.Length);
        Assert.All(y.AsSpan(0, 321).ToArray(), v => Assert.Equal(0f, v));
        Assert.True(y.AsSpan(321).SequenceEqual(y0));
    }

    [Fact]
    public void It_is_causal_and_its_memory_is_far_shorter_than_a_wavenet_receptive_field()
    {
        var x = new float[12000];
        x[1000] = 0.05f;

        var y = new SyntheticAmp().Process(x);

        Assert.All(y.AsSpan(0, 1000).ToArray(), v => Assert.Equal(0f, v));
        var total = Energy(y);
        // What is left 4000 samples after the click (a receptive field of 4093 covers the rest).
        var tail = Energy(y.AsSpan(5000));
        Assert.True(tail < 1e-10 * total, $"tail energy {tail / total:G3} of the total");
    }

    [Fact]
    public void Oversampling_keeps_aliases_down()
    {
        // A loud 7 kHz tone: harmonic 7 (49 kHz) folds to 1 kHz at 48 kHz without oversampling;
        // at 4x the first harmonic to land on 1 kHz is the 55th.
        var x = AmpTestSignals.Sine(48000, 7000, 0.7);
        double Alias(int factor)
        {
            var y = new SyntheticAmp(new SyntheticAmpOptions { Oversampling = factor, CabinetHighCutHz = 20000 })
                .Process(x)
                .AsSpan(24000, 24000);
            return AmpTestSignals.Amplitude(y, 1000) / AmpTestSignals.Amplitude(y, 7000);
        }

        var plain = Alias(1);
        var oversampled = Alias(4);
        Assert.True(
            oversampled < plain / 100,
            $"alias at 1 kHz: {20 * Math.Log10(plain):0.0} dB without oversampling, {20 * Math.Log10(oversampled):0.0} dB with 4x"
        );
    }

    [Fact]
    public void Bad_options_are_refused_by_name()
    {
        Assert.Contains(
            "Oversampling",
            Assert
                .Throws<ArgumentException>(() => new SyntheticAmp(new SyntheticAmpOptions { Oversampling = 3 }))
                .Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "LatencySamples",
            Assert
                .Throws<ArgumentException>(() => new SyntheticAmp(new SyntheticAmpOptions { LatencySamples = -1 }))
                .Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "CabinetHighCutHz",
            Assert
                .Throws<ArgumentException>(() => new SyntheticAmp(new SyntheticAmpOptions { CabinetHighCutHz = 30000 }))
                .Message,
            StringComparison.Ordinal
        );
    }

    private static double Energy(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (var v in x)
        {
            sum += (double)v * v;
        }

        return sum;
    }
}
