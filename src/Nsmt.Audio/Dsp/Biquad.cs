namespace Nsmt.Audio.Dsp;

public enum BiquadType
{
    LowPass,
    HighPass,

    /// <summary>Band-pass with 0 dB peak gain.</summary>
    BandPass,
    Notch,
    AllPass,
    Peaking,
    LowShelf,
    HighShelf,
}

/// <summary>Second-order section coefficients, normalised so a0 = 1.</summary>
public readonly record struct BiquadCoefficients(double B0, double B1, double B2, double A1, double A2)
{
    /// <summary>
    /// Designs a filter with the formulas of R. Bristow-Johnson's "Audio EQ Cookbook".
    /// <paramref name="gainDb"/> is used by peaking and shelf filters; for shelves <paramref name="q"/> is the cookbook's Q.
    /// </summary>
    public static BiquadCoefficients Design(
        BiquadType type,
        double sampleRate,
        double frequency,
        double q,
        double gainDb = 0
    )
    {
        if (!(frequency > 0 && frequency < sampleRate / 2))
        {
            throw new ArgumentOutOfRangeException(nameof(frequency), frequency, $"must be in (0, {sampleRate / 2}) Hz");
        }

        if (!(q > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "Q must be positive");
        }

        var a = Math.Pow(10, gainDb / 40);
        var w0 = 2 * Math.PI * frequency / sampleRate;
        var cos = Math.Cos(w0);
        var alpha = Math.Sin(w0) / (2 * q);
        var sqrtA2Alpha = 2 * Math.Sqrt(a) * alpha;
        (var b0, var b1, var b2, var a0, var a1, var a2) = type switch
        {
            BiquadType.LowPass => ((1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha),
            BiquadType.HighPass => ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha),
            BiquadType.BandPass => (alpha, 0, -alpha, 1 + alpha, -2 * cos, 1 - alpha),
            BiquadType.Notch => (1, -2 * cos, 1, 1 + alpha, -2 * cos, 1 - alpha),
            BiquadType.AllPass => (1 - alpha, -2 * cos, 1 + alpha, 1 + alpha, -2 * cos, 1 - alpha),
            BiquadType.Peaking => (
                1 + (alpha * a),
                -2 * cos,
                1 - (alpha * a),
                1 + (alpha / a),
                -2 * cos,
                1 - (alpha / a)
            ),
            BiquadType.LowShelf => (
                a * ((a + 1) - ((a - 1) * cos) + sqrtA2Alpha),
                2 * a * ((a - 1) - ((a + 1) * cos)),
                a * ((a + 1) - ((a - 1) * cos) - sqrtA2Alpha),
                (a + 1) + ((a - 1) * cos) + sqrtA2Alpha,
                -2 * ((a - 1) + ((a + 1) * cos)),
                (a + 1) + ((a - 1) * cos) - sqrtA2Alpha
            ),
            BiquadType.HighShelf => (
                a * ((a + 1) + ((a - 1) * cos) + sqrtA2Alpha),
                -2 * a * ((a - 1) + ((a + 1) * cos)),
                a * ((a + 1) + ((a - 1) * cos) - sqrtA2Alpha),
                (a + 1) - ((a - 1) * cos) + sqrtA2Alpha,
                2 * ((a - 1) - ((a + 1) * cos)),
                (a + 1) - ((a - 1) * cos) - sqrtA2Alpha
            ),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown biquad type"),
        };
        return new BiquadCoefficients(b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0);
    }
}

/// <summary>A biquad with state (transposed direct form II, double precision).</summary>
public sealed class BiquadFilter(BiquadCoefficients coefficients)
{
    private double _s1;
    private double _s2;

    public BiquadCoefficients Coefficients { get; } = coefficients;

    public void Reset() => (_s1, _s2) = (0, 0);

    public double Process(double x)
    {
        var c = Coefficients;
        var y = (c.B0 * x) + _s1;
        _s1 = (c.B1 * x) - (c.A1 * y) + _s2;
        _s2 = (c.B2 * x) - (c.A2 * y);
        return y;
    }

    public void Process(Span<float> samples)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)Process(samples[i]);
        }
    }
}
