namespace Nsmt.Audio;

/// <summary>
/// Streams frames from a WAV file so long recordings need not be held in memory.
/// </summary>
public sealed class WavReader : IDisposable
{
    private const int ChunkFrames = 4096;

    private readonly FileStream _stream;
    private readonly WavLayout _layout;
    private readonly string _path;
    private byte[] _byteBuffer = [];
    private float[] _floatBuffer = [];
    private long _framesRead;

    private WavReader(FileStream stream, WavLayout layout, string path)
    {
        _stream = stream;
        _layout = layout;
        _path = path;
        _stream.Position = layout.DataOffset;
    }

    public WavInfo Info => _layout.Info;

    public long FramesRemaining => _layout.Info.FrameCount - _framesRead;

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

        try
        {
            WavLayout layout = WavHeaderParser.Parse(stream, path);
            return new WavReader(stream, layout, path);
        }
        catch
        {
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
        int channels = Info.ChannelCount;
        int wanted = (int)Math.Min(interleaved.Length / channels, FramesRemaining);
        int done = 0;
        while (done < wanted)
        {
            int n = Math.Min(wanted - done, ChunkFrames);
            ReadRaw(n, interleaved.Slice(done * channels, n * channels));
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
        int channels = Info.ChannelCount;
        if (destination.Length != channels)
        {
            throw new ArgumentException($"destination has {destination.Length} channels, file has {channels}", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(frameCount);
        foreach (float[] channel in destination)
        {
            if (channel.Length < offset + frameCount)
            {
                throw new ArgumentException("a destination channel is shorter than offset + frameCount", nameof(destination));
            }
        }

        int wanted = (int)Math.Min(frameCount, FramesRemaining);
        int done = 0;
        while (done < wanted)
        {
            int n = Math.Min(wanted - done, ChunkFrames);
            if (_floatBuffer.Length < n * channels)
            {
                _floatBuffer = new float[ChunkFrames * channels];
            }

            Span<float> interleaved = _floatBuffer.AsSpan(0, n * channels);
            ReadRaw(n, interleaved);
            for (int c = 0; c < channels; c++)
            {
                float[] target = destination[c];
                int at = offset + done;
                for (int f = 0; f < n; f++)
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
        long remaining = FramesRemaining;
        if (remaining > Array.MaxLength)
        {
            throw new WavFormatException(_path, $"{remaining} frames per channel exceed the largest array .NET can hold; use ReadFrames to stream");
        }

        var channels = new float[Info.ChannelCount][];
        for (int c = 0; c < channels.Length; c++)
        {
            channels[c] = new float[remaining];
        }

        ReadFrames(channels, 0, (int)remaining);
        return new AudioBuffer(Info.SampleRate, channels);
    }

    public void Dispose() => _stream.Dispose();

    private void ReadRaw(int frames, Span<float> interleaved)
    {
        int bytes = frames * _layout.BlockAlign;
        if (_byteBuffer.Length < bytes)
        {
            _byteBuffer = new byte[Math.Max(bytes, ChunkFrames * _layout.BlockAlign)];
        }

        try
        {
            _stream.ReadExactly(_byteBuffer, 0, bytes);
        }
        catch (EndOfStreamException e)
        {
            // The file shrank after the header was validated.
            throw new WavFormatException(_path, $"truncated: data ended early at frame {_framesRead}", e);
        }

        SampleCodec.Decode(_byteBuffer.AsSpan(0, bytes), interleaved, Info.Format);
        _framesRead += frames;
    }
}
