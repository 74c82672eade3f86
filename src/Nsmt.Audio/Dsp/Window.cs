namespace Nsmt.Audio.Dsp;

public enum WindowType
{
    Rectangular,
    Hann,
    Hamming,
    Blackman,
}

/// <summary>
/// Window functions with torch's definitions. Periodic windows (torch's default, for spectral
/// analysis) use period N; symmetric ones (what NSMT uses) use N-1, so the last sample equals the first.
/// </summary>
public static class Window
{
    /// <summary>
    /// The zeroth-order modified Bessel function of the first kind, I0(x), by its power series (converges quickly for
    /// the Kaiser betas used here, below 15): a Kaiser window's value at r in [-1, 1] is I0(beta sqrt(1 - r^2)) / I0(beta).
    /// </summary>
    public static double BesselI0(double x)
    {
        double sum = 1,
            term = 1,
            q = x * x / 4;
        for (var k = 1; k < 200; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }

    public static double[] Create(WindowType type, int length, bool periodic)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 0);
        var w = new double[length];
        if (length == 0)
        {
            return w;
        }

        if (length == 1 || type == WindowType.Rectangular)
        {
            Array.Fill(w, 1.0);
            return w;
        }

        double period = periodic ? length : length - 1;
        for (var n = 0; n < length; n++)
        {
            var x = 2.0 * Math.PI * n / period;
            w[n] = type switch
            {
                WindowType.Hann => 0.5 - (0.5 * Math.Cos(x)),
                WindowType.Hamming => 0.54 - (0.46 * Math.Cos(x)),
                WindowType.Blackman => 0.42 - (0.5 * Math.Cos(x)) + (0.08 * Math.Cos(2 * x)),
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown window type"),
            };
        }

        return w;
    }

    /// <summary>Parses the names used in configs: rectangular, hann, hamming, blackman.</summary>
    public static WindowType Parse(string name) =>
        name.ToLowerInvariant() switch
        {
            "rectangular" or "rect" or "boxcar" or "ones" => WindowType.Rectangular,
            "hann" or "hanning" => WindowType.Hann,
            "hamming" => WindowType.Hamming,
            "blackman" => WindowType.Blackman,
            _ => throw new FormatException(
                $"unknown window type '{name}' (expected rectangular, hann, hamming or blackman)"
            ),
        };

    public static string Name(WindowType type) =>
        type switch
        {
            WindowType.Rectangular => "rectangular",
            WindowType.Hann => "hann",
            WindowType.Hamming => "hamming",
            WindowType.Blackman => "blackman",
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown window type"),
        };
}
