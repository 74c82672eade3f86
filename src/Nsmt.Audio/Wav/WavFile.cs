using NAudio.Wave;
using Nsmt.Core;

namespace Nsmt.Audio;

/// <summary>Whole-file WAV reading and writing. Use <see cref="WavReader"/> to stream long files.</summary>
public static class WavFile
{
    public static AudioBuffer Read(string path)
    {
        using var reader = WavReader.Open(path);
        return reader.ReadToEnd();
    }

    public static WavInfo ReadInfo(string path)
    {
        using var reader = WavReader.Open(path);
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
        var channels = audio.ChannelCount;
        if (channels > ushort.MaxValue)
        {
            throw new ArgumentException($"{channels} channels exceed the WAV limit of 65535", nameof(audio));
        }

        var bytesPerSample = format.BytesPerSample();
        var blockAlign = channels * bytesPerSample;
        if (blockAlign > ushort.MaxValue)
        {
            throw new ArgumentException(
                $"a frame of {blockAlign} bytes exceeds the WAV block-align limit of 65535",
                nameof(audio)
            );
        }

        var dataBytes = (long)audio.Length * blockAlign;
        const int largestHeader = 12 + 8 + 40 + 12 + 8; // RIFF, extensible fmt, fact, data headers
        if (largestHeader + dataBytes + 1 > uint.MaxValue)
        {
            throw new ArgumentException($"{dataBytes} bytes of audio exceed the 4 GiB WAV limit", nameof(audio));
        }

        long clipped = 0;
        AtomicFile.Write(path, stream =>
        {
            // NAudio writes the container (fmt, fact for float and extensible formats, data, pad byte) and
            // does not own the stream: disposing it finalises the sizes before the file is renamed into place.
            using var writer = new WaveFileWriter(stream, WavFormats.ToNAudio(format, audio.SampleRate, channels));
            const int framesPerChunk = 4096;
            var buffer = new byte[framesPerChunk * blockAlign];
            for (var start = 0; start < audio.Length; start += framesPerChunk)
            {
                var n = Math.Min(framesPerChunk, audio.Length - start);
                var o = 0;
                for (var f = 0; f < n; f++)
                {
                    for (var c = 0; c < channels; c++)
                    {
                        if (SampleCodec.Encode(audio.Channels[c][start + f], buffer.AsSpan(o, bytesPerSample), format))
                        {
                            clipped++;
                        }

                        o += bytesPerSample;
                    }
                }

                writer.Write(buffer.AsSpan(0, o));
            }
        });

        return new WavWriteResult(clipped);
    }
}
