using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nsmt.Audio;

/// <summary>
/// An anonymous file of floats (this machine's byte order) read and written at sample offsets: audio that would not fit
/// in memory (a two-hour recording is 1.4 GB a signal) costs disk instead (issue 23 item 13). Nothing else can open it,
/// and it is gone when disposed or when the process ends, however it ends.
/// </summary>
public sealed class ScratchFile : IDisposable
{
    /// <summary>Samples per read or write call: keeps each call's byte count well inside an int.</summary>
    private const int CallSamples = 1 << 20;

    private readonly SafeFileHandle _file;

    private ScratchFile(SafeFileHandle file) => _file = file;

    /// <summary>A new, empty scratch file in <paramref name="directory"/> (default: the temp directory, TMPDIR).</summary>
    public static ScratchFile Create(string? directory = null)
    {
        var path = Path.Combine(directory ?? Path.GetTempPath(), $"nsmt-scratch-{Guid.NewGuid():N}.tmp");
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

            return new ScratchFile(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="samples"/> from sample <paramref name="offset"/> on (the file grows as needed).</summary>
    public void Write(long offset, ReadOnlySpan<float> samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        for (var i = 0; i < samples.Length; i += CallSamples)
        {
            var bytes = MemoryMarshal.AsBytes(samples.Slice(i, Math.Min(CallSamples, samples.Length - i)));
            RandomAccess.Write(_file, bytes, (offset + i) * sizeof(float));
        }
    }

    /// <summary>Reads the samples from <paramref name="offset"/> into <paramref name="destination"/>; they must all have been written.</summary>
    public void Read(long offset, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var bytes = MemoryMarshal.AsBytes(destination);
        var at = offset * sizeof(float);
        while (!bytes.IsEmpty)
        {
            var read = RandomAccess.Read(_file, bytes, at);
            if (read == 0)
            {
                throw new IOException($"the scratch file ended early at byte {at}");
            }

            bytes = bytes[read..];
            at += read;
        }
    }

    public void Dispose() => _file.Dispose();
}
