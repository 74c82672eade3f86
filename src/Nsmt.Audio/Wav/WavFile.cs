using System.Buffers.Binary;

namespace Nsmt.Audio;

/// <summary>Whole-file WAV reading and writing. Use <see cref="WavReader"/> to stream long files.</summary>
public static class WavFile
{
    private const ushort FormatPcm = 1;
    private const ushort FormatIeeeFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;

    public static AudioBuffer Read(string path)
    {
        using WavReader reader = WavReader.Open(path);
        return reader.ReadToEnd();
    }

    public static WavInfo ReadInfo(string path)
    {
        using WavReader reader = WavReader.Open(path);
        return reader.Info;
    }

    /// <summary>
    /// Writes <paramref name="audio"/> atomically. Integer formats saturate samples outside [-1, 1]
    /// and report how many were clipped. More than two channels are written as WAVE_FORMAT_EXTENSIBLE.
    /// </summary>
    public static WavWriteResult Write(string path, AudioBuffer audio, WavSampleFormat format = WavSampleFormat.Float32)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(audio);
        int channels = audio.ChannelCount;
        if (channels > ushort.MaxValue)
        {
            throw new ArgumentException($"{channels} channels exceed the WAV limit of 65535", nameof(audio));
        }

        int bytesPerSample = format.BytesPerSample();
        int blockAlign = channels * bytesPerSample;
        if (blockAlign > ushort.MaxValue)
        {
            throw new ArgumentException($"a frame of {blockAlign} bytes exceeds the WAV block-align limit of 65535", nameof(audio));
        }

        long dataBytes = (long)audio.Length * blockAlign;
        bool extensible = channels > 2;
        bool isFloat = format.IsFloat();
        int fmtSize = extensible ? 40 : isFloat ? 18 : 16;
        int factSize = isFloat ? 12 : 0; // float files carry a fact chunk (frame count) as the spec asks
        long riffSize = 4 + (8 + fmtSize) + factSize + 8 + dataBytes + (dataBytes & 1);
        if (riffSize > uint.MaxValue)
        {
            throw new ArgumentException($"{dataBytes} bytes of audio exceed the 4 GiB WAV limit", nameof(audio));
        }

        long clipped = 0;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> header = stackalloc byte[12 + 8 + 40 + 12 + 8];
            int p = 0;
            "RIFF"u8.CopyTo(header[p..]); p += 4;
            BinaryPrimitives.WriteUInt32LittleEndian(header[p..], (uint)riffSize); p += 4;
            "WAVE"u8.CopyTo(header[p..]); p += 4;
            "fmt "u8.CopyTo(header[p..]); p += 4;
            BinaryPrimitives.WriteUInt32LittleEndian(header[p..], (uint)fmtSize); p += 4;
            ushort tag = isFloat ? FormatIeeeFloat : FormatPcm;
            BinaryPrimitives.WriteUInt16LittleEndian(header[p..], extensible ? FormatExtensible : tag); p += 2;
            BinaryPrimitives.WriteUInt16LittleEndian(header[p..], (ushort)channels); p += 2;
            BinaryPrimitives.WriteUInt32LittleEndian(header[p..], (uint)audio.SampleRate); p += 4;
            BinaryPrimitives.WriteUInt32LittleEndian(header[p..], (uint)(audio.SampleRate * (long)blockAlign)); p += 4;
            BinaryPrimitives.WriteUInt16LittleEndian(header[p..], (ushort)blockAlign); p += 2;
            BinaryPrimitives.WriteUInt16LittleEndian(header[p..], (ushort)format.BitsPerSample()); p += 2;
            if (extensible)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(header[p..], 22); p += 2;
                BinaryPrimitives.WriteUInt16LittleEndian(header[p..], (ushort)format.BitsPerSample()); p += 2;
                BinaryPrimitives.WriteUInt32LittleEndian(header[p..], 0); p += 4; // no speaker positions claimed
                // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000xxxx-0000-0010-8000-00AA00389B71}
                BinaryPrimitives.WriteUInt16LittleEndian(header[p..], tag); p += 2;
                ReadOnlySpan<byte> guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
                guidTail.CopyTo(header[p..]); p += guidTail.Length;
            }
            else if (isFloat)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(header[p..], 0); p += 2;
            }

            if (isFloat)
            {
                "fact"u8.CopyTo(header[p..]); p += 4;
                BinaryPrimitives.WriteUInt32LittleEndian(header[p..], 4); p += 4;
                BinaryPrimitives.WriteUInt32LittleEndian(header[p..], (uint)audio.Length); p += 4;
            }

            "data"u8.CopyTo(header[p..]); p += 4;
            BinaryPrimitives.WriteUInt32LittleEndian(header[p..], (uint)dataBytes); p += 4;
            stream.Write(header[..p]);

            const int framesPerChunk = 4096;
            byte[] buffer = new byte[framesPerChunk * blockAlign];
            for (int start = 0; start < audio.Length; start += framesPerChunk)
            {
                int n = Math.Min(framesPerChunk, audio.Length - start);
                int o = 0;
                for (int f = 0; f < n; f++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        if (SampleCodec.Encode(audio.Channels[c][start + f], buffer.AsSpan(o, bytesPerSample), format))
                        {
                            clipped++;
                        }

                        o += bytesPerSample;
                    }
                }

                stream.Write(buffer, 0, o);
            }

            if ((dataBytes & 1) != 0)
            {
                stream.WriteByte(0);
            }
        });

        return new WavWriteResult(clipped);
    }
}
