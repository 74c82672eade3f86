namespace Nsmt.Audio;

/// <summary>
/// Multi-channel audio held as one float array per channel (planar), nominally in [-1, 1].
/// </summary>
public sealed class AudioBuffer
{
    public AudioBuffer(int sampleRate, float[][] channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (sampleRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive");
        }

        if (channels.Length == 0)
        {
            throw new ArgumentException("an audio buffer needs at least one channel", nameof(channels));
        }

        var length = channels[0]?.Length ?? throw new ArgumentException("channel 0 is null", nameof(channels));
        for (var c = 1; c < channels.Length; c++)
        {
            if (channels[c] is null)
            {
                throw new ArgumentException($"channel {c} is null", nameof(channels));
            }

            if (channels[c].Length != length)
            {
                throw new ArgumentException(
                    $"channel {c} has {channels[c].Length} frames but channel 0 has {length}; all channels must have equal length",
                    nameof(channels)
                );
            }
        }

        SampleRate = sampleRate;
        Channels = channels;
    }

    public int SampleRate { get; }

    /// <summary>Planar samples: Channels[channel][frame].</summary>
    public float[][] Channels { get; }

    public int ChannelCount => Channels.Length;

    /// <summary>Number of frames (samples per channel).</summary>
    public int Length => Channels[0].Length;

    public double DurationSeconds => (double)Length / SampleRate;

    /// <summary>The channels' average, sample by sample (in double, so the order of channels does not round differently); a copy of a mono buffer.</summary>
    public float[] Downmix()
    {
        var mono = new float[Length];
        Downmix(Channels, 0, mono);
        return mono;
    }

    /// <summary>
    /// The average of <paramref name="channels"/>' frames [<paramref name="start"/>, start + mono.Length) into
    /// <paramref name="mono"/>, as <see cref="Downmix()"/> computes it (a recording read a piece at a time gets the same floats).
    /// </summary>
    public static void Downmix(float[][] channels, int start, Span<float> mono)
    {
        ArgumentNullException.ThrowIfNull(channels);
        for (var i = 0; i < mono.Length; i++)
        {
            double sum = 0;
            foreach (var channel in channels)
            {
                sum += channel[start + i];
            }

            mono[i] = (float)(sum / channels.Length);
        }
    }

    public static AudioBuffer Mono(int sampleRate, float[] samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return new AudioBuffer(sampleRate, [samples]);
    }
}
