using Nsmt.Amp.Capture;
using Nsmt.Audio.Dsp;

namespace Nsmt.Amp.Tests;

/// <summary>
/// Rigs whose latency is known by construction, for the latency detectors: a guitar DI, delays
/// (whole and fractional samples) and phase-shifting tone filters, alone or after the reference amp.
/// </summary>
internal static class LatencyRigs
{
    public const int Rate = 48000;

    private static readonly Lazy<float[]> Guitar = new(() =>
        GuitarPhrases.Render(new Random(16), Rate, 14 * Rate).Select(v => (float)(0.5 * v)).ToArray()
    );

    /// <summary>14 s of synthetic guitar playing, no clicks: like a DI recorded by a user.</summary>
    public static float[] Di => (float[])Guitar.Value.Clone();

    /// <summary>Half-width of the fractional-delay kernel, samples.</summary>
    public const int DelayHalfWidth = 32;

    /// <summary>
    /// y[n] = x(n - delay), band-limited: a Kaiser-windowed sinc centred on the delay (beta 8, 64
    /// taps), normalised to unity gain at DC. Linear phase, so every frequency in the pass band is
    /// delayed by exactly <paramref name="delay"/> samples. The output is longer by ceil(delay) + half the kernel.
    /// </summary>
    public static float[] Delay(float[] x, double delay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delay);
        var whole = (int)Math.Floor(delay);
        var fraction = delay - whole;
        if (fraction == 0)
        {
            var shifted = new float[x.Length + whole];
            x.CopyTo(shifted, whole);
            return shifted;
        }

        // Taps k = 1 - W .. W around the whole part: h[k] = sinc(k - fraction) * window.
        var taps = new double[2 * DelayHalfWidth];
        double sum = 0;
        for (var i = 0; i < taps.Length; i++)
        {
            var k = i - DelayHalfWidth + 1;
            var t = k - fraction;
            var r = t / DelayHalfWidth;
            var window = r * r < 1 ? BesselI0(8 * Math.Sqrt(1 - (r * r))) / BesselI0(8) : 0;
            taps[i] = (Math.Abs(t) < 1e-12 ? 1 : Math.Sin(Math.PI * t) / (Math.PI * t)) * window;
            sum += taps[i];
        }

        var y = new float[x.Length + whole + DelayHalfWidth];
        for (var n = 0; n < y.Length; n++)
        {
            double acc = 0;
            for (var i = 0; i < taps.Length; i++)
            {
                var source = n - whole - (i - DelayHalfWidth + 1);
                if (source >= 0 && source < x.Length)
                {
                    acc += taps[i] / sum * x[source];
                }
            }

            y[n] = (float)acc;
        }

        return y;
    }

    /// <summary>
    /// A tone stack that shifts phase but has no delay of its own: two second-order all-pass
    /// sections (300 Hz and 1.2 kHz) and a 6 dB mid cut at 650 Hz. Every section is causal and
    /// answers at once (its first impulse-response tap is its largest), yet at the guitar's
    /// frequencies the phase shift amounts to tens of samples of group delay.
    /// </summary>
    public static float[] ToneStack(float[] x)
    {
        BiquadFilter[] stack =
        [
            new(BiquadCoefficients.Design(BiquadType.AllPass, Rate, 300, 0.7)),
            new(BiquadCoefficients.Design(BiquadType.AllPass, Rate, 1200, 0.9)),
            new(BiquadCoefficients.Design(BiquadType.Peaking, Rate, 650, 0.7, -6)),
        ];
        var y = new float[x.Length];
        for (var n = 0; n < x.Length; n++)
        {
            double v = x[n];
            foreach (var filter in stack)
            {
                v = filter.Process(v);
            }

            y[n] = (float)v;
        }

        return y;
    }

    /// <summary>The reference amp without its oversampling filters (whose linear-phase delay would add to the rig's) and with its cabinet low-pass near Nyquist.</summary>
    public static float[] Amp(float[] x) =>
        new ReferenceAmp.ReferenceAmp(
            new ReferenceAmp.ReferenceAmpOptions { Oversampling = 1, CabinetHighCutHz = 20000 }
        ).Process(x);

    private static double BesselI0(double x)
    {
        double sum = 1,
            term = 1;
        for (var k = 1; k < 50 && term > 1e-17 * sum; k++)
        {
            term *= x * x / (4.0 * k * k);
            sum += term;
        }

        return sum;
    }
}
