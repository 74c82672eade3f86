using Nsmt.Audio;

namespace Nsmt.Amp.Ingest;

/// <summary>
/// An aligned input/output pair that training reads a window at a time: held in memory, or in a scratch file so that
/// a long recording costs disk, not memory (issue 23 item 13: a 2-hour pair held 8.5 GB). Reads return the very floats
/// that were stored, so training on either gives the same weights. <see cref="CapturePair.LoadStreamed"/> writes a
/// recording's pair straight to the file; <see cref="Spill"/> writes one held in memory.
/// </summary>
public abstract class AlignedSignals : IDisposable
{
    /// <summary>Samples in each signal.</summary>
    public abstract int Length { get; }

    /// <summary>Copies input samples [start, start + destination.Length) into <paramref name="destination"/>.</summary>
    public abstract void ReadInput(int start, Span<float> destination);

    /// <summary>Copies output samples [start, start + destination.Length) into <paramref name="destination"/>.</summary>
    public abstract void ReadOutput(int start, Span<float> destination);

    /// <summary>Input samples [start, start + length) as a new array.</summary>
    public float[] Input(int start, int length)
    {
        var samples = new float[length];
        ReadInput(start, samples);
        return samples;
    }

    /// <summary>Output samples [start, start + length) as a new array.</summary>
    public float[] Output(int start, int length)
    {
        var samples = new float[length];
        ReadOutput(start, samples);
        return samples;
    }

    /// <summary>The whole input: the array itself when held in memory, else a full copy (for small data and tests).</summary>
    public virtual float[] AllInput() => Input(0, Length);

    /// <summary>The whole output: the array itself when held in memory, else a full copy (for small data and tests).</summary>
    public virtual float[] AllOutput() => Output(0, Length);

    /// <summary>The pair as given, held in memory (the arrays are not copied).</summary>
    public static InMemorySignals InMemory(float[] input, float[] output) => new(input, output);

    /// <summary>
    /// The pair written to an anonymous scratch file in <paramref name="directory"/> (default: the temp directory,
    /// TMPDIR), which nothing else can open and which is gone when the process ends, however it ends.
    /// </summary>
    public static SpilledSignals Spill(float[] input, float[] output, string? directory = null) =>
        SpilledSignals.Write(input, output, directory ?? Path.GetTempPath());

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }

    protected void CheckRange(int start, int length)
    {
        if (start < 0 || length < 0 || start > Length - length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(start),
                start,
                $"samples [{start}, {start + (long)length}) must lie inside the {Length} samples"
            );
        }
    }

    protected static void CheckAligned(float[] input, float[] output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (input.Length != output.Length)
        {
            throw new ArgumentException(
                $"input ({input.Length} samples) and output ({output.Length} samples) must be aligned to the same length"
            );
        }
    }
}

/// <summary>The pair as two arrays.</summary>
public sealed class InMemorySignals : AlignedSignals
{
    internal InMemorySignals(float[] input, float[] output)
    {
        CheckAligned(input, output);
        InputSamples = input;
        OutputSamples = output;
    }

    public float[] InputSamples { get; }

    public float[] OutputSamples { get; }

    public override int Length => InputSamples.Length;

    public override float[] AllInput() => InputSamples;

    public override float[] AllOutput() => OutputSamples;

    public override void ReadInput(int start, Span<float> destination)
    {
        CheckRange(start, destination.Length);
        InputSamples.AsSpan(start, destination.Length).CopyTo(destination);
    }

    public override void ReadOutput(int start, Span<float> destination)
    {
        CheckRange(start, destination.Length);
        OutputSamples.AsSpan(start, destination.Length).CopyTo(destination);
    }
}

/// <summary>
/// The pair in a scratch file (two stretches of floats: the input and the output), read with positioned reads: the
/// process holds no more than the windows it asks for (the OS's page cache may keep the file, and gives it back under
/// pressure). It owns the file.
/// </summary>
public sealed class SpilledSignals : AlignedSignals
{
    private readonly ScratchFile _file;
    private readonly SampleSource _input;
    private readonly SampleSource _output;

    /// <param name="file">The scratch file, disposed with this pair.</param>
    /// <param name="inputOffset">Where the input starts in the file, in samples.</param>
    /// <param name="outputOffset">Where the output starts in the file, in samples.</param>
    /// <param name="length">Samples in each signal.</param>
    internal SpilledSignals(ScratchFile file, long inputOffset, long outputOffset, int length)
    {
        _file = file;
        _input = SampleSource.Of(file, inputOffset, length);
        _output = SampleSource.Of(file, outputOffset, length);
    }

    public override int Length => _input.Length;

    internal static SpilledSignals Write(float[] input, float[] output, string directory)
    {
        CheckAligned(input, output);
        var file = ScratchFile.Create(directory);
        try
        {
            file.Write(0, input);
            file.Write(input.Length, output);
            return new SpilledSignals(file, 0, input.Length, input.Length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override void ReadInput(int start, Span<float> destination)
    {
        CheckRange(start, destination.Length);
        _input.Read(start, destination);
    }

    public override void ReadOutput(int start, Span<float> destination)
    {
        CheckRange(start, destination.Length);
        _output.Read(start, destination);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }
    }
}
