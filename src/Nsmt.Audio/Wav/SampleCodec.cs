using System.Buffers.Binary;

namespace Nsmt.Audio;

/// <summary>
/// Conversion between encoded sample bytes and floats. Integer PCM uses the 2^(bits-1) scale
/// (as sox does), so every integer code round-trips exactly; +1.0 saturates to the largest code.
/// </summary>
internal static class SampleCodec
{
    public static void Decode(ReadOnlySpan<byte> source, Span<float> destination, WavSampleFormat format)
    {
        int count = destination.Length;
        switch (format)
        {
            case WavSampleFormat.Pcm8:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = (source[i] - 128) * (1f / 128f);
                }

                break;
            case WavSampleFormat.Pcm16:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(2 * i)..]) * (1f / 32768f);
                }

                break;
            case WavSampleFormat.Pcm24:
                for (int i = 0; i < count; i++)
                {
                    int o = 3 * i;
                    int v = source[o] | (source[o + 1] << 8) | ((sbyte)source[o + 2] << 16);
                    destination[i] = v * (1f / 8388608f);
                }

                break;
            case WavSampleFormat.Pcm32:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = (float)(BinaryPrimitives.ReadInt32LittleEndian(source[(4 * i)..]) * (1.0 / 2147483648.0));
                }

                break;
            case WavSampleFormat.Float32:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                }

                break;
            case WavSampleFormat.Float64:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown WAV sample format");
        }
    }

    /// <summary>Encodes one sample; returns true if it had to be clipped.</summary>
    public static bool Encode(float x, Span<byte> destination, WavSampleFormat format)
    {
        switch (format)
        {
            case WavSampleFormat.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(destination, x);
                return false;
            case WavSampleFormat.Float64:
                BinaryPrimitives.WriteDoubleLittleEndian(destination, x);
                return false;
        }

        bool clipped = !(x >= -1f && x <= 1f); // also true for NaN
        double scale = format switch
        {
            WavSampleFormat.Pcm8 => 128.0,
            WavSampleFormat.Pcm16 => 32768.0,
            WavSampleFormat.Pcm24 => 8388608.0,
            _ => 2147483648.0,
        };
        double scaled = double.IsNaN(x) ? 0.0 : Math.Round(x * scale, MidpointRounding.ToEven);
        long code = (long)Math.Clamp(scaled, -scale, scale - 1);
        switch (format)
        {
            case WavSampleFormat.Pcm8:
                destination[0] = (byte)(code + 128);
                break;
            case WavSampleFormat.Pcm16:
                BinaryPrimitives.WriteInt16LittleEndian(destination, (short)code);
                break;
            case WavSampleFormat.Pcm24:
                destination[0] = (byte)code;
                destination[1] = (byte)(code >> 8);
                destination[2] = (byte)(code >> 16);
                break;
            default:
                BinaryPrimitives.WriteInt32LittleEndian(destination, (int)code);
                break;
        }

        return clipped;
    }
}
