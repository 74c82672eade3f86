namespace Nsmt.Audio;

/// <summary>Sample encodings supported for reading and writing WAV files.</summary>
public enum WavSampleFormat
{
    /// <summary>8-bit unsigned PCM (offset binary, 128 = silence).</summary>
    Pcm8,
    Pcm16,
    Pcm24,
    Pcm32,
    Float32,
    Float64,
}

public static class WavSampleFormatExtensions
{
    public static int BitsPerSample(this WavSampleFormat format) =>
        format switch
        {
            WavSampleFormat.Pcm8 => 8,
            WavSampleFormat.Pcm16 => 16,
            WavSampleFormat.Pcm24 => 24,
            WavSampleFormat.Pcm32 => 32,
            WavSampleFormat.Float32 => 32,
            WavSampleFormat.Float64 => 64,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown WAV sample format"),
        };

    public static int BytesPerSample(this WavSampleFormat format) => format.BitsPerSample() / 8;

    public static bool IsFloat(this WavSampleFormat format) =>
        format is WavSampleFormat.Float32 or WavSampleFormat.Float64;
}
