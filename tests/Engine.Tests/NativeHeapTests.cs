using System.Runtime.InteropServices;
using Nsmt.Neural.Engine;

namespace Engine.Tests;

/// <summary>
/// <see cref="NativeHeap"/>: after a trainer prepares the engine, a block of a size training steps allocate comes from
/// glibc's heap (reused by the next step) rather than from a fresh mmap (faulted in page by page every time), as
/// glibc's defaults do for any block above 32 MB. Read from glibc's own count of mmapped bytes (mallinfo2).
/// </summary>
public partial class NativeHeapTests
{
    private const long BlockBytes = 48L << 20; // an im2col buffer of a 64-channel conv2d at batch 64 is 38 MB

    [Fact]
    public void After_training_prepares_large_blocks_come_from_the_reusable_heap_not_from_mmap()
    {
        if (!OperatingSystem.IsLinux() || !HasMallinfo2())
        {
            return; // another C library: NativeHeap does nothing there
        }

        var threads = get_num_threads();
        try
        {
            TrainingEngine.Prepare(
                new EngineSettings("trainer.", "cpu", Deterministic: false, OneDnnMode.Auto, threads)
            );
            Assert.True(NativeHeap.KeepFreedMemory(), "glibc refused the settings");
            var before = mallinfo2().MmappedBytes;
            using (var block = empty(BlockBytes / sizeof(float)))
            {
                var during = mallinfo2().MmappedBytes;
                Assert.True(
                    during - before < BlockBytes,
                    $"a {BlockBytes >> 20} MB tensor was mmapped ({before} -> {during} bytes in mmapped blocks)"
                );
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private static bool HasMallinfo2()
    {
        try
        {
            _ = mallinfo2();
            return true;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // glibc before 2.33
        }
    }

    [LibraryImport("libc")]
    private static partial MallocInfo mallinfo2();

    /// <summary>glibc's struct mallinfo2 (all size_t).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MallocInfo
    {
        public nuint Arena;
        public nuint OrdinaryBlocks;
        public nuint SmallBlocks;
        public nuint MmappedBlocks;
        public nuint MmappedBytesRaw;
        public nuint MaxAllocated;
        public nuint SmallFreeBytes;
        public nuint AllocatedBytes;
        public nuint FreeBytes;
        public nuint ReleasableBytes;

        public readonly long MmappedBytes => (long)MmappedBytesRaw;
    }
}
