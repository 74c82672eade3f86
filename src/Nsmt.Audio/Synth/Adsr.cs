namespace Nsmt.Audio.Synth;

/// <summary>ADSR envelope timing (seconds) and sustain level, laid out over a note of fixed length as NSMT does.</summary>
public readonly record struct AdsrSettings(double Attack, double Decay, double Sustain, double Release)
{
    public static AdsrSettings Default => new(0.01, 0.1, 0.3, 0.2);
}

/// <summary>
/// An ADSR envelope over n samples: attack linspace(0,1,A), decay linspace(1,S,D), sustain, then
/// release linspace(start,0,R) over the last R samples. If A+D+R exceed n they are scaled down by
/// n/(A+D+R) with truncation. Values are float32, as NSMT returns them.
/// </summary>
public sealed class Adsr
{
    private readonly int _attack;
    private readonly int _decay;
    private readonly int _sustainSamples;
    private readonly int _release;
    private readonly double _sustain;
    private readonly double _releaseStart;

    public Adsr(int sampleRate, int totalSamples, AdsrSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(totalSamples);
        if (settings.Attack < 0 || settings.Decay < 0 || settings.Release < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings, "ADSR times must be non-negative");
        }

        TotalSamples = totalSamples;
        _sustain = settings.Sustain;
        var a = (int)(settings.Attack * sampleRate);
        var d = (int)(settings.Decay * sampleRate);
        var r = (int)(settings.Release * sampleRate);
        var transient = (long)a + d + r;
        if (transient > totalSamples)
        {
            var scale = (double)totalSamples / transient;
            a = (int)(a * scale);
            d = (int)(d * scale);
            r = (int)(r * scale);
        }

        _attack = a;
        _decay = d;
        _release = r;
        _sustainSamples = Math.Max(0, totalSamples - a - d - r);
        var lastDecay = d > 0 ? Linspace(1.0, _sustain, d, d - 1) : 1.0;
        _releaseStart =
            _sustainSamples > 0 ? _sustain
            : d == 0 ? 1.0
            : lastDecay;
    }

    public int TotalSamples { get; }

    public float this[int index] => (float)ValueAt(index);

    public void Render(Span<float> destination)
    {
        if (destination.Length > TotalSamples)
        {
            throw new ArgumentException(
                $"destination of {destination.Length} samples is longer than the envelope ({TotalSamples})"
            );
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)ValueAt(i);
        }
    }

    private double ValueAt(int i)
    {
        if (i < _attack)
        {
            return Linspace(0.0, 1.0, _attack, i);
        }

        i -= _attack;
        if (i < _decay)
        {
            return Linspace(1.0, _sustain, _decay, i);
        }

        i -= _decay;
        if (i < _sustainSamples)
        {
            return _sustain;
        }

        i -= _sustainSamples;
        return i < _release ? Linspace(_releaseStart, 0.0, _release, i) : 0.0;
    }

    // numpy.linspace(start, stop, num)[i], including its exact endpoint.
    private static double Linspace(double start, double stop, int num, int i)
    {
        if (num == 1)
        {
            return start;
        }

        return i == num - 1 ? stop : start + (i * ((stop - start) / (num - 1)));
    }
}
