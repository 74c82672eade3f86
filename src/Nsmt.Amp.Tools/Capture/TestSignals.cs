namespace Nsmt.Amp.Capture;

/// <summary>The capture signal's measurement parts: log sine sweeps and noise bursts.</summary>
internal static class TestSignals
{
    public const double SweepStartHz = 20;
    public const double SweepEndHz = 20000;

    /// <summary>Two exponential sweeps (Farina) where the layout puts them, at -20 and -6 dBFS.</summary>
    public static void WriteSweeps(Span<double> signal, CaptureLayout layout)
    {
        for (var k = 0; k < layout.Sweeps.Count; k++)
        {
            var range = layout.Sweeps[k];
            Sweep(signal.Slice(range.Start, range.Length), layout.SampleRate, CaptureLayout.SweepLevels[k]);
        }
    }

    /// <summary>x(t) = A sin(2 pi f1 T / ln(f2/f1) (exp(t ln(f2/f1) / T) - 1)), with 10 ms raised-cosine fades.</summary>
    public static void Sweep(Span<double> target, int sampleRate, double amplitude)
    {
        var f2 = Math.Min(SweepEndHz, 0.45 * sampleRate);
        var duration = (double)target.Length / sampleRate;
        var rate = Math.Log(f2 / SweepStartHz);
        for (var n = 0; n < target.Length; n++)
        {
            var t = (double)n / sampleRate;
            var phase = 2 * Math.PI * SweepStartHz * duration / rate * (Math.Exp(t * rate / duration) - 1);
            target[n] = amplitude * Fade(n, target.Length, sampleRate / 100) * Math.Sin(phase);
        }
    }

    /// <summary>Gaussian white-noise bursts at rising RMS levels, each with fades and a short gap after it.</summary>
    public static void WriteNoiseBursts(Span<double> target, int sampleRate, Random random)
    {
        double[] levelsDb = [-48, -36, -24, -18, -14];
        var gap = sampleRate / 20;
        var each = (target.Length / levelsDb.Length) - gap;
        for (var k = 0; k < levelsDb.Length; k++)
        {
            var rms = Math.Pow(10, levelsDb[k] / 20);
            var burst = target.Slice(k * (each + gap), each);
            for (var n = 0; n < burst.Length; n++)
            {
                burst[n] = Math.Clamp(rms * Gaussian(random), -0.85, 0.85) * Fade(n, burst.Length, sampleRate / 100);
            }
        }
    }

    private static double Fade(int n, int length, int fade)
    {
        var edge = Math.Min(n, length - 1 - n);
        return edge >= fade ? 1.0 : 0.5 * (1 - Math.Cos(Math.PI * edge / fade));
    }

    private static double Gaussian(Random random)
    {
        // Box-Muller; 1 - U avoids log(0).
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
