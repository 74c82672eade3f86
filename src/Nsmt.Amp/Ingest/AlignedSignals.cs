using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nsmt.Amp.Training.Data;

/// <summary>
/// An aligned input/output pair that training reads a window at a time: held in memory, or spilled to a scratch
/// file so that a long recording costs disk, not memory (issue 23 item 13: a 2-hour pair held 8.5 GB). Reads
/// return the very floats that were stored, so training on either gives the same weights.
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
/// The pair in a scratch file (input floats, then output floats, in this machine's byte order), read with positioned
/// reads: the process holds no more than the windows it asks for (the OS's page cache may keep the file, and gives it
/// back under pressure).
/// </summary>
public sealed class SpilledSignals : AlignedSignals
{
    /// <summary>Samples written per call: keeps each write's byte count well inside an int.</summary>
    private const int WriteChunk = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly int _length;

    private SpilledSignals(SafeFileHandle file, int length)
    {
        this._file = file;
        this._length = length;
    }

    public override int Length => _length;

    internal static SpilledSignals Write(float[] input, float[] output, string directory)
    {
        CheckAligned(input, output);
        var path = Path.Combine(directory, $"nsmt-amp-windows-{Guid.NewGuid():N}.tmp");
        // DeleteOnClose removes it on Windows even when the process is killed; elsewhere it is unlinked at once
        // (the open handle keeps the data), so no exit, clean or not, leaves it behind.
        var file = File.OpenHandle(
            path,
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.Delete,
            FileOptions.DeleteOnClose
        );
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.Delete(path);
            }

            long offset = 0;
            foreach (var signal in new[] { input, output })
            {
                for (var i = 0; i < signal.Length; i += WriteChunk)
                {
                    var bytes = MemoryMarshal.AsBytes(signal.AsSpan(i, Math.Min(WriteChunk, signal.Length - i)));
                    RandomAccess.Write(file, bytes, offset);
                    offset += bytes.Length;
                }
            }

            return new SpilledSignals(file, input.Length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override void ReadInput(int start, Span<float> destination) => Read(0, start, destination);

    public override void ReadOutput(int start, Span<float> destination) => Read(_length, start, destination);

    /// <param name="signalStart">Where the signal starts in the file, in samples: 0 for the input, Length for the output.</param>
    private void Read(long signalStart, int start, Span<float> destination)
    {
        CheckRange(start, destination.Length);
        var bytes = MemoryMarshal.AsBytes(destination);
        var offset = (signalStart + start) * sizeof(float);
        while (!bytes.IsEmpty)
        {
            var read = RandomAccess.Read(_file, bytes, offset);
            if (read == 0)
            {
                throw new IOException($"the scratch file of the training pair ended early at byte {offset}");
            }

            bytes = bytes[read..];
            offset += read;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }
    }
}
