using System.Diagnostics;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using Nsmt.Pipeline.Hashing;

// Throughput of the pipeline's content hashing on a 1 GiB file (page cache warm, best of 3) and on a directory of
// 256 x 4 MiB files (the parallel path), plus the cost of re-checking that directory through the stat cache.
// Usage: PipelineHash.Bench DIR   (DIR: where to write the test data; removed afterwards by run.sh)

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: PipelineHash.Bench DIR");
    return 2;
}

var dir = Path.GetFullPath(args[0]);
Directory.CreateDirectory(dir);
var big = Path.Combine(dir, "big.bin");
const long Size = 1L << 30;
WriteRandom(big, Size, seed: 1);
var tree = Path.Combine(dir, "tree");
for (var i = 0; i < 256; i++)
{
    WriteRandom(Path.Combine(tree, $"part{i / 16:D2}", $"f{i:D3}.bin"), 4 << 20, seed: (ulong)i + 2);
}

ContentHasher.HashFile(big); // warm the page cache and the JIT

Report("ContentHasher.HashFile (1 MiB positional reads)", Size, () => ContentHasher.HashFile(big));
Report("SHA256.HashData(FileStream)", Size, () =>
{
    using var fs = new FileStream(big, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
    return Convert.ToHexStringLower(SHA256.HashData(fs));
});
Report("memory-mapped + IncrementalHash", Size, () => HashMapped(big));
var hasher = new WorkspaceHasher(dir, StatCache.InMemory(racyMarginNs: 0));
Report("WorkspaceHasher directory, 256 files (parallel)", 256L * (4 << 20), () =>
    new WorkspaceHasher(dir, StatCache.InMemory()).Hash("tree").Hash
);
hasher.Hash("tree");
var clock = Stopwatch.StartNew();
var cached = hasher.Hash("tree").Hash;
Console.WriteLine(
    string.Create(
        CultureInfo.InvariantCulture,
        $"{"stat cache re-check of the 256-file directory", -52} {clock.Elapsed.TotalMilliseconds, 8:F2} ms  ({hasher.FilesRead - 256} files re-read) {cached[..12]}"
    )
);
return 0;

// Wall-clock throughput (best of 3) and throughput per CPU-second of this process: on a shared machine the wall
// figure depends on what else runs, the CPU figure is what one otherwise idle core delivers.
static void Report(string name, long bytes, Func<string> hash)
{
    double best = double.MaxValue,
        bestCpu = double.MaxValue;
    var digest = string.Empty;
    var process = Process.GetCurrentProcess();
    for (var i = 0; i < 3; i++)
    {
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        digest = hash();
        best = Math.Min(best, clock.Elapsed.TotalSeconds);
        process.Refresh();
        bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    Console.WriteLine(
        string.Create(
            CultureInfo.InvariantCulture,
            $"{name, -52} {bytes / best / 1e9, 8:F2} GB/s  ({bytes / bestCpu / 1e9:F2} GB per CPU-second)  {digest[..12]}"
        )
    );
}

static unsafe string HashMapped(string path)
{
    var length = new FileInfo(path).Length;
    using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
    using var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
    byte* p = null;
    view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
    try
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long offset = 0; offset < length; offset += 1 << 30)
        {
            h.AppendData(new ReadOnlySpan<byte>(p + offset, (int)Math.Min(1 << 30, length - offset)));
        }

        return Convert.ToHexStringLower(h.GetHashAndReset());
    }
    finally
    {
        view.SafeMemoryMappedViewHandle.ReleasePointer();
    }
}

static void WriteRandom(string path, long size, ulong seed)
{
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    var buffer = new byte[1 << 20];
    using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0);
    var state = seed * 0x9E3779B97F4A7C15UL + 1;
    for (long written = 0; written < size; written += buffer.Length)
    {
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(buffer.AsSpan());
        for (var i = 0; i < words.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            words[i] = state;
        }

        fs.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
    }
}
