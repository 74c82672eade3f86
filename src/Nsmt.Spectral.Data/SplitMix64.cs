namespace Nsmt.Spectral.Data;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a small, fully specified generator, so datasets do not
/// depend on System.Random's unspecified algorithm. <see cref="ForStream"/> derives an independent
/// generator per (seed, stream), which makes parallel generation independent of thread count.
/// </summary>
public struct SplitMix64
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A generator for one sample (or other stream), decorrelated from its neighbours.</summary>
    public static SplitMix64 ForStream(ulong seed, ulong stream)
    {
        // Hash the pair so that nearby seeds/streams start far apart in the sequence.
        var mixed = Mix(Mix(seed + Gamma) ^ (stream * 0xD1B54A32D192ED03UL));
        return new SplitMix64(mixed);
    }

    public ulong NextUInt64()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, bound) without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        var threshold = (0UL - (ulong)bound) % (ulong)bound;
        while (true)
        {
            var r = NextUInt64();
            var m = (UInt128)r * (ulong)bound;
            if ((ulong)m >= threshold)
            {
                return (int)(m >> 64);
            }
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
