using System.Numerics;
using Nsmt.Audio.Dsp;

namespace Nsmt.Audio.Tests;

public class DspPropertyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(12)]
    [InlineData(80)]
    [InlineData(97)] // prime > 31: Bluestein
    [InlineData(128)]
    [InlineData(210)] // 2*3*5*7
    [InlineData(1000)]
    [InlineData(4099)] // prime: Bluestein with a large inner transform
    public void Fft_matches_the_DFT_definition(int n)
    {
        var rng = new Random(n);
        var x = new Complex[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        }

        var ours = new Complex[n];
        Fft.Get(n).Forward(x, ours);

        // Direct O(n^2) evaluation of X[k] = sum x[j] e^{-2 pi i jk/n}, checked on a few bins for large n.
        var bins = n <= 256 ? Enumerable.Range(0, n).ToArray() : [0, 1, 2, n / 3, n / 2, n - 1];
        foreach (var k in bins)
        {
            var expected = Complex.Zero;
            for (var j = 0; j < n; j++)
            {
                expected += x[j] * Complex.FromPolarCoordinates(1, -2 * Math.PI * ((long)j * k % n) / n);
            }

            Assert.True(
                (expected - ours[k]).Magnitude < 1e-9 * Math.Max(1, n),
                $"n={n} bin {k}: {expected} vs {ours[k]}"
            );
        }

        var back = new Complex[n];
        Fft.Get(n).Inverse(ours, back);
        for (var i = 0; i < n; i++)
        {
            Assert.True((back[i] / n - x[i]).Magnitude < 1e-10, $"n={n} inverse at {i}");
        }
    }

    [Theory]
    [InlineData(44100, 48000)]
    [InlineData(48000, 44100)]
    [InlineData(96000, 88200)]
    [InlineData(8000, 16000)]
    [InlineData(16000, 8000)]
    [InlineData(44100, 8000)]
    [InlineData(48000, 96000)]
    public void Resampler_preserves_a_passband_sine(int from, int to)
    {
        var f = 0.3 * Math.Min(from, to) / 2; // well inside the passband
        var input = Sine(f, from, from / 2, 0.5);

        var output = new Resampler(from, to).Process(input);

        Assert.Equal((long)Math.Ceiling(input.Length * (double)to / from), output.Length);
        // Away from the edges (where the filter sees zeros) the output is the same sine sampled at the new rate.
        var margin = output.Length / 5;
        double worst = 0;
        for (var j = margin; j < output.Length - margin; j++)
        {
            var expected = 0.5 * Math.Sin(2 * Math.PI * f * j / to);
            worst = Math.Max(worst, Math.Abs(output[j] - expected));
        }

        Assert.True(worst < 1e-5, $"{from}->{to}: worst error {worst}");
    }

    [Theory]
    [InlineData(44100, 8000, 5000)]
    [InlineData(48000, 44100, 23000)]
    [InlineData(96000, 44100, 30000)]
    [InlineData(16000, 8000, 4400)]
    public void Resampler_attenuates_the_stopband_by_the_stated_amount(int from, int to, double f)
    {
        var input = Sine(f, from, from / 2, 1.0);

        var output = new Resampler(from, to).Process(input);

        var margin = output.Length / 5;
        double sumSquares = 0;
        for (var j = margin; j < output.Length - margin; j++)
        {
            sumSquares += output[j] * (double)output[j];
        }

        var rms = Math.Sqrt(sumSquares / (output.Length - (2 * margin)));
        var attenuationDb = -20 * Math.Log10(rms / Math.Sqrt(0.5));
        // float32 output rounding limits what can be measured to ~ -140 dB; the design target is 100 dB.
        Assert.True(
            attenuationDb > Resampler.StopbandAttenuationDb - 3,
            $"{from}->{to} at {f} Hz: only {attenuationDb:F1} dB"
        );
    }

    [Fact]
    public void Pre_emphasis_keeps_first_sample_and_subtracts_scaled_previous()
    {
        float[] x = [1f, 2f, 4f, -1f];
        PreEmphasis.Apply(x, 0.5);
        Assert.Equal([1f, 1.5f, 3f, -3f], x);

        float[] off = [1f, 2f];
        PreEmphasis.Apply(off, 0);
        Assert.Equal([1f, 2f], off);
    }

    [Fact]
    public void Stft_of_pure_tone_peaks_at_its_bin_with_normalized_scale()
    {
        // A cosine at bin 5 of a 64-point rectangular frame has |X| = n/2; normalized divides by sqrt(n).
        var n = 64;
        var x = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = Math.Cos(2 * Math.PI * 5 * i / n);
        }

        var mag = Stft.Forward(x, new StftOptions(n) { Center = false, Normalized = true }).Magnitude();

        Assert.Equal(1, mag.Frames);
        Assert.Equal(n / 2.0 / Math.Sqrt(n), mag[5, 0], 9);
        Assert.True(mag[4, 0] < 1e-9 && mag[6, 0] < 1e-9);
        Assert.Equal(20 * Math.Log10(n / 2.0 / Math.Sqrt(n)), mag.ToDecibels()[5, 0], 9);
        Assert.Equal(-200.0, mag.ToDecibels()[4, 0], 6); // the 1e-10 floor
    }

    [Fact]
    public void Stft_reflect_padding_needs_a_long_enough_signal()
    {
        var e = Assert.Throws<ArgumentException>(() => Stft.Forward(new double[10], new StftOptions(64)));
        Assert.Contains("reflect", e.Message);
    }

    private static float[] Sine(double f, int rate, int length, double amplitude)
    {
        var x = new float[length];
        for (var i = 0; i < length; i++)
        {
            x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * f * i / rate));
        }

        return x;
    }
}
