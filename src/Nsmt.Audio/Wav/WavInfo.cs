using Nsmt.Core;

namespace Nsmt.Audio;

/// <summary>What a WAV header says about its audio, read without loading the samples.</summary>
public sealed record WavInfo(int SampleRate, int ChannelCount, long FrameCount, WavSampleFormat Format)
{
    public int BitsPerSample => Format.BitsPerSample();

    public double DurationSeconds => (double)FrameCount / SampleRate;
}

/// <summary>Outcome of writing a WAV file.</summary>
/// <param name="ClippedSamples">
/// Samples outside [-1, 1] (or NaN) that had to be saturated because the integer format cannot
/// represent them; always 0 for float formats.
/// </param>
public sealed record WavWriteResult(long ClippedSamples);

/// <summary>A WAV file that cannot be read; the message names the file and the reason.</summary>
public sealed class WavFormatException : NsmtInputException
{
    public WavFormatException(string path, string reason)
        : base($"{path}: {reason}", (path, null), null)
    {
        FilePath = path;
        Reason = reason;
    }

    public WavFormatException(string path, string reason, Exception inner)
        : base($"{path}: {reason}", (path, null), inner)
    {
        FilePath = path;
        Reason = reason;
    }

    public string FilePath { get; }

    public string Reason { get; }
}
