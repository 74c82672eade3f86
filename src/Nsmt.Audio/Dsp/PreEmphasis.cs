namespace Nsmt.Audio.Dsp;

/// <summary>First-order high-frequency boost y[n] = x[n] - c*x[n-1], with y[0] = x[0] (as NSMT).</summary>
public static class PreEmphasis
{
    public static void Apply(Span<double> samples, double coefficient)
    {
        if (coefficient <= 0 || samples.Length == 0)
        {
            return;
        }

        var previous = samples[0];
        for (var n = 1; n < samples.Length; n++)
        {
            var current = samples[n];
            samples[n] = current - (coefficient * previous);
            previous = current;
        }
    }

    public static void Apply(Span<float> samples, double coefficient)
    {
        if (coefficient <= 0 || samples.Length == 0)
        {
            return; // NSMT treats a coefficient <= 0 as "off"
        }

        var previous = samples[0];
        for (var n = 1; n < samples.Length; n++)
        {
            var current = samples[n];
            samples[n] = (float)(current - (coefficient * previous));
            previous = current;
        }
    }
}
