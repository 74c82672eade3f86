using Nsmt.Amp.Capture;

namespace Nsmt.Amp.Tests;

/// <summary>A short capture signal and its reference-amp recordings, made once and shared by the tests.</summary>
internal static class AmpTestSignals
{
    public const int Rate = 48000;

    private static readonly Lazy<CaptureSignal> ShortCapture = new(() =>
        CaptureSignal.Generate(
            new CaptureSignalOptions
            {
                Seconds = 12,
                ValidationSeconds = 1,
                Seed = 5,
            }
        )
    );

    /// <summary>12 s: 1 s validation passages, 4.5 s of sweeps, noise and guitar.</summary>
    public static CaptureSignal Capture => ShortCapture.Value;

    /// <summary>The capture through the default reference amp with an interface latency.</summary>
    public static float[] Reamp(int latency = 0, double? noiseDbfs = null) =>
        new ReferenceAmp.ReferenceAmp(
            new ReferenceAmp.ReferenceAmpOptions { LatencySamples = latency, NoiseDbfs = noiseDbfs }
        ).Process(Capture.Samples);

    /// <summary>y = gain * x delayed by <paramref name="latency"/> samples (output longer by the latency).</summary>
    public static float[] PureDelay(float[] x, int latency, float gain = 0.5f)
    {
        var y = new float[x.Length + latency];
        for (var i = 0; i < x.Length; i++)
        {
            y[i + latency] = gain * x[i];
        }

        return y;
    }

    public static float[] Sine(int length, double frequency, double amplitude, int rate = Rate, double phase = 0)
    {
        var x = new float[length];
        for (var n = 0; n < length; n++)
        {
            x[n] = (float)(amplitude * Math.Sin((2 * Math.PI * frequency * n / rate) + phase));
        }

        return x;
    }

    /// <summary>|DFT| at one frequency (Goertzel-style direct sum), normalised so a unit sine reads 1.</summary>
    public static double Amplitude(ReadOnlySpan<float> x, double frequency, int rate = Rate)
    {
        double re = 0,
            im = 0;
        for (var n = 0; n < x.Length; n++)
        {
            var angle = 2 * Math.PI * frequency * n / rate;
            re += x[n] * Math.Cos(angle);
            im -= x[n] * Math.Sin(angle);
        }

        return 2 * Math.Sqrt((re * re) + (im * im)) / x.Length;
    }

    public static double RmsDb(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (var v in x)
        {
            sum += (double)v * v;
        }

        return 10 * Math.Log10(sum / x.Length);
    }
}
