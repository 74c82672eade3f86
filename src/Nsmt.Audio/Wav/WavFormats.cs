using System.Buffers.Binary;
using NAudio.Wave;

namespace Nsmt.Audio;

/// <summary>Maps our sample formats onto NAudio's <see cref="WaveFormat"/> descriptions and back.</summary>
internal static class WavFormats
{
    /// <summary>
    /// The format NAudio writes for <paramref name="format"/>. More than two channels are written as
    /// WAVE_FORMAT_EXTENSIBLE (the spec asks for it above stereo) with no speaker positions claimed.
    /// </summary>
    public static WaveFormat ToNAudio(WavSampleFormat format, int sampleRate, int channels)
    {
        var bits = format.BitsPerSample();
        if (channels > 2)
        {
            return new WaveFormatExtensible(sampleRate, bits, channels, format.IsFloat(), bits, 0);
        }

        return format.IsFloat()
            ? WaveFormat.CreateCustomFormat(
                WaveFormatEncoding.IeeeFloat,
                sampleRate,
                channels,
                sampleRate * channels * format.BytesPerSample(),
                channels * format.BytesPerSample(),
                bits
            )
            : new WaveFormat(sampleRate, bits, channels);
    }

    /// <summary>Our format for what NAudio read, or null if it is not one we support.</summary>
    public static WavSampleFormat? FromNAudio(WaveFormat waveFormat)
    {
        var encoding = waveFormat.Encoding;
        if (encoding == WaveFormatEncoding.Extensible)
        {
            // NAudio's reader hands extensible formats over as WaveFormatExtraData; the extra bytes are
            // valid bits (2), channel mask (4) and the SubFormat GUID, whose first two bytes are the real tag.
            if (waveFormat is not WaveFormatExtraData { ExtraData.Length: >= 22 } extra)
            {
                return null;
            }

            encoding = (WaveFormatEncoding)BinaryPrimitives.ReadUInt16LittleEndian(extra.ExtraData.AsSpan(6));
        }

        return (encoding, waveFormat.BitsPerSample) switch
        {
            (WaveFormatEncoding.Pcm, 8) => WavSampleFormat.Pcm8,
            (WaveFormatEncoding.Pcm, 16) => WavSampleFormat.Pcm16,
            (WaveFormatEncoding.Pcm, 24) => WavSampleFormat.Pcm24,
            (WaveFormatEncoding.Pcm, 32) => WavSampleFormat.Pcm32,
            (WaveFormatEncoding.IeeeFloat, 32) => WavSampleFormat.Float32,
            (WaveFormatEncoding.IeeeFloat, 64) => WavSampleFormat.Float64,
            _ => null,
        };
    }
}
