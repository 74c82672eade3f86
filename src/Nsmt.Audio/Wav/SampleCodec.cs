using System.Buffers.Binary;

namespace Nsmt.Audio;

/// <summary>
/// Encodes floats as sample bytes. Integer PCM uses the 2^(bits-1) scale with rounding (as sox does and
/// as NAudio's readers decode), so every integer code round-trips exactly; +1.0 saturates to the largest
/// code. NAudio 3.3's <c>WaveFileWriter.WriteSamples</c> truncates towards zero (and scales 16-bit by 32767),
/// so its codes neither round-trip nor match sox (measured: 0.5 -> 16383, 2e-5 -> 0 at 16 bits); the
/// writer therefore hands NAudio bytes encoded here and lets it write the container.
/// </summary>
internal static class SampleCodec
{
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

        var clipped = !(x >= -1f && x <= 1f); // also true for NaN
        var scale = format switch
        {
            WavSampleFormat.Pcm8 => 128.0,
            WavSampleFormat.Pcm16 => 32768.0,
            WavSampleFormat.Pcm24 => 8388608.0,
            _ => 2147483648.0,
        };
        var scaled = double.IsNaN(x) ? 0.0 : Math.Round(x * scale, MidpointRounding.ToEven);
        var code = (long)Math.Clamp(scaled, -scale, scale - 1);
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
