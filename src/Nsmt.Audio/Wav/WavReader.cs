using NAudio.Wave;

namespace Nsmt.Audio;

/// <summary>
/// Streams frames from a WAV file so long recordings need not be held in memory. The samples are read
/// and decoded by NAudio; our header parser runs first because NAudio is lenient where we must not be
/// (declared sizes past the end of the file, data that is not a whole number of frames, unsupported
/// encodings): every file NAudio sees has already been checked against its real length.
/// </summary>
public sealed class WavReader : IDisposable
{
    private const int ChunkFrames = 4096;

    private readonly FileStream _stream;
    private readonly WaveFileReader _wave;
    private readonly ISampleProvider _samples;
    private readonly string _path;
    private float[] _floatBuffer = [];
    private long _framesRead;

    private WavReader(FileStream stream, WaveFileReader wave, WavInfo info, string path)
    {
        _stream = stream;
        _wave = wave;
        _samples = Guard(path, "NAudio cannot decode it", wave.ToSampleProvider);
        Info = info;
        _path = path;
    }

    public WavInfo Info { get; }

    public long FramesRemaining => Info.FrameCount - _framesRead;

    /// <summary>Opens a WAV file and validates its header; throws <see cref="WavFormatException"/> if malformed.</summary>
    public static WavReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new WavFormatException(path, "file not found", e);
        }

        WaveFileReader? wave = null;
        try
        {
            var layout = WavHeaderParser.Parse(stream, path);
            stream.Position = 0;
            wave = Guard(path, "NAudio cannot read it", () => new WaveFileReader(stream));
            CheckAgreement(layout, wave, stream.Position, path);
            return new WavReader(stream, wave, layout.Info, path);
        }
        catch
        {
            wave?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads up to <c>interleaved.Length / ChannelCount</c> frames as interleaved floats.
    /// Returns the number of frames read (0 at the end of the data).
    /// </summary>
    public int ReadFrames(Span<float> interleaved)
    {
        var channels = Info.ChannelCount;
        var wanted = (int)Math.Min(interleaved.Length / channels, FramesRemaining);
        var done = 0;
        while (done < wanted)
        {
            var n = Math.Min(wanted - done, ChunkFrames);
            ReadInterleaved(n, interleaved.Slice(done * channels, n * channels));
            done += n;
        }

        return done;
    }

    /// <summary>
    /// Reads up to <paramref name="frameCount"/> frames into planar buffers starting at <paramref name="offset"/>.
    /// Returns the number of frames read (0 at the end of the data).
    /// </summary>
    public int ReadFrames(float[][] destination, int offset, int frameCount)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var channels = Info.ChannelCount;
        if (destination.Length != channels)
        {
            throw new ArgumentException(
                $"destination has {destination.Length} channels, file has {channels}",
                nameof(destination)
            );
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(frameCount);
        foreach (var channel in destination)
        {
            if (channel.Length < offset + frameCount)
            {
                throw new ArgumentException(
                    "a destination channel is shorter than offset + frameCount",
                    nameof(destination)
                );
            }
        }

        var wanted = (int)Math.Min(frameCount, FramesRemaining);
        var done = 0;
        while (done < wanted)
        {
            var n = Math.Min(wanted - done, ChunkFrames);
            if (_floatBuffer.Length < n * channels)
            {
                _floatBuffer = new float[ChunkFrames * channels];
            }

            var interleaved = _floatBuffer.AsSpan(0, n * channels);
            ReadInterleaved(n, interleaved);
            for (var c = 0; c < channels; c++)
            {
                var target = destination[c];
                var at = offset + done;
                for (var f = 0; f < n; f++)
                {
                    target[at + f] = interleaved[(f * channels) + c];
                }
            }

            done += n;
        }

        return done;
    }

    /// <summary>Reads every remaining frame.</summary>
    public AudioBuffer ReadToEnd()
    {
        // FrameCount is bounded by the file length (checked by the parser), so this allocation is safe.
        var remaining = FramesRemaining;
        if (remaining > Array.MaxLength)
        {
            throw new WavFormatException(
                _path,
                $"{remaining} frames per channel exceed the largest array .NET can hold; use ReadFrames to stream"
            );
        }

        var channels = new float[Info.ChannelCount][];
        for (var c = 0; c < channels.Length; c++)
        {
            channels[c] = new float[remaining];
        }

        ReadFrames(channels, 0, (int)remaining);
        return new AudioBuffer(Info.SampleRate, channels);
    }

    public void Dispose()
    {
        _wave.Dispose();
        _stream.Dispose();
    }

    /// <summary>
    /// Runs a call into NAudio; whatever it throws about the file (fuzzing found ArgumentException from its
    /// sample converters) becomes a <see cref="WavFormatException"/> naming the file.
    /// </summary>
    private static T Guard<T>(string path, string what, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e)
            when (e
                    is FormatException
                        or InvalidDataException
                        or EndOfStreamException
                        or ArgumentException
                        or NotSupportedException
                        or InvalidOperationException
            )
        {
            throw new WavFormatException(path, $"{what}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Where a file could be read two ways (two data chunks, say), NAudio and our parser must have chosen the
    /// same audio; otherwise the file is refused rather than read as something its author may not have meant.
    /// </summary>
    /// <remarks>NAudio leaves the stream at the start of the samples it will read: <paramref name="dataOffset"/>.</remarks>
    private static void CheckAgreement(WavLayout layout, WaveFileReader wave, long dataOffset, string path)
    {
        var format = wave.WaveFormat;
        var theirs = WavFormats.FromNAudio(format);
        if (
            theirs != layout.Info.Format
            || format.Channels != layout.Info.ChannelCount
            || format.BlockAlign != layout.BlockAlign
            || format.SampleRate != layout.Info.SampleRate
            || wave.Length != layout.DataBytes
            || dataOffset != layout.DataOffset
        )
        {
            // Two fmt or data chunks, say: one of them is not what the author meant, and we cannot tell which.
            throw new WavFormatException(
                path,
                $"ambiguous chunk layout: the first fmt and data chunks read as {layout.Info.Format}, {layout.Info.ChannelCount} channels, "
                    + $"{layout.Info.SampleRate} Hz, {layout.DataBytes} data bytes at byte {layout.DataOffset}, but the file also reads as "
                    + $"{format} (block align {format.BlockAlign}), {wave.Length} data bytes at byte {dataOffset}"
            );
        }
    }

    private void ReadInterleaved(int frames, Span<float> interleaved)
    {
        var done = 0;
        while (done < interleaved.Length)
        {
            int n;
            try
            {
                n = _samples.Read(interleaved[done..]);
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
            {
                throw new WavFormatException(_path, $"read failed at frame {_framesRead}: {e.Message}", e);
            }

            if (n == 0 || n % Info.ChannelCount != 0)
            {
                // The file shrank after the header was validated.
                throw new WavFormatException(
                    _path,
                    $"truncated: data ended early at frame {_framesRead + (done / Info.ChannelCount)}"
                );
            }

            done += n;
        }

        _framesRead += frames;
    }
}
