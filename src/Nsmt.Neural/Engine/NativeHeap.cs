using System.Runtime.InteropServices;

namespace Nsmt.Neural.Engine;

/// <summary>
/// glibc's malloc, which libtorch's CPU tensors come from, set for training loops: freed memory stays with the process
/// for the next step instead of going back to the system at the end of every step.
/// </summary>
/// <remarks>
/// By default glibc hands large blocks (above a threshold that starts at 128 KB and follows the largest block freed,
/// up to 32 MB) to mmap, and returns the top of its heap to the system once more than twice that threshold is free
/// there. A training step frees everything it allocated at its end, so much of the step's memory (activations kept for
/// backward, the im2col columns of convolutions without oneDNN, gradients) went back every step and came back as fresh
/// pages, page fault by page fault, in the next: measured on AMD EPYC (Zen 5), cnn_tiny at 1 thread with oneDNN off
/// spent about a third of its step there (bench/train-parity/RESULTS.md). Here blocks up to
/// <see cref="MmapThresholdBytes"/> come from the heap and up to <see cref="TrimThresholdBytes"/> of free memory stays at
/// its top, so the process keeps what its steps need, no more than its peak: resident memory stays flat across steps.
/// Where blocks are placed changes no result. This serves the loop on the process's main thread (the stages' loops):
/// another thread's arena unmaps its 64 MB heaps when they fall empty, whatever the threshold. Other C libraries
/// (macOS, Windows, musl) keep their own caches; there this does nothing.
/// </remarks>
public static partial class NativeHeap
{
    /// <summary>Blocks up to this size come from the heap (and are reused); larger ones from mmap.</summary>
    public const int MmapThresholdBytes = 256 << 20;

    /// <summary>Free memory at the top of the heap kept for reuse, up to this much.</summary>
    public const int TrimThresholdBytes = 1 << 30;

    // mallopt's parameter numbers (malloc.h).
    private const int TrimThresholdParameter = -1;
    private const int MmapThresholdParameter = -3;

    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>Keeps freed native memory for reuse (once per process); true where glibc took the settings.</summary>
    public static bool KeepFreedMemory() => Applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // The mmap threshold first: setting either value fixes both (no more following the blocks freed), and a
            // trim threshold alone would leave every block above 128 KB to mmap, a fresh mapping per allocation.
            return mallopt(MmapThresholdParameter, MmapThresholdBytes) == 1
                && mallopt(TrimThresholdParameter, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc")]
    private static partial int mallopt(int parameter, int value);
}
