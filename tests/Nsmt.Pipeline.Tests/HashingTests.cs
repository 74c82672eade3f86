using System.Diagnostics;
using Nsmt.Pipeline.Hashing;

namespace Nsmt.Pipeline.Tests;

public sealed class HashingTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nsmt-hash-tests", Guid.NewGuid().ToString("N"));

    public HashingTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void File_hashes_match_the_FIPS_180_2_examples(string content, string expected)
    {
        var file = Path.Combine(_dir, "f");
        File.WriteAllText(file, content);
        Assert.Equal(expected, ContentHasher.HashFile(file));
    }

    [Fact]
    public void A_file_larger_than_the_read_block_hashes_like_sha256sum()
    {
        // One million 'a' is FIPS 180-2's long example; 3 MiB + 7 of it crosses several 1 MiB read blocks.
        var million = Path.Combine(_dir, "million");
        File.WriteAllBytes(million, Enumerable.Repeat((byte)'a', 1_000_000).ToArray());
        Assert.Equal(
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
            ContentHasher.HashFile(million)
        );

        var big = Path.Combine(_dir, "big");
        var bytes = new byte[(3 << 20) + 7];
        new Random(5).NextBytes(bytes);
        File.WriteAllBytes(big, bytes);
        Assert.Equal(Sh($"sha256sum '{big}' | cut -d' ' -f1"), ContentHasher.HashFile(big));
    }

    [Fact]
    public void A_directory_hash_is_the_hash_of_its_sorted_sha256sum_listing()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "d/sub"));
        File.WriteAllText(Path.Combine(_dir, "d/b.txt"), "b");
        File.WriteAllText(Path.Combine(_dir, "d/a.txt"), "a");
        File.WriteAllText(Path.Combine(_dir, "d/sub/c.txt"), "c");
        File.WriteAllText(Path.Combine(_dir, "d/.hidden"), "h");
        var expected = Sh(
            $"cd '{_dir}/d' && find . -type f | sed 's|^./||' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1"
        );
        var h = new WorkspaceHasher(_dir, StatCache.InMemory()).Hash("d");
        Assert.Equal(PathKind.Directory, h.Kind);
        Assert.Equal(4, h.FileCount);
        Assert.Equal(expected, h.Hash);
    }

    [Fact]
    public void The_stat_cache_skips_unchanged_files_and_notices_a_rewrite_that_keeps_size_and_mtime()
    {
        var file = Path.Combine(_dir, "data.bin");
        File.WriteAllText(file, "first");
        var mtime = File.GetLastWriteTimeUtc(file);
        var cache = StatCache.InMemory(racyMarginNs: 0);
        var hasher = new WorkspaceHasher(_dir, cache);
        var before = hasher.Hash("data.bin").Hash;
        Assert.Equal(before, hasher.Hash("data.bin").Hash);
        Assert.Equal(1, hasher.FilesRead);

        File.WriteAllText(file, "other"); // same size
        File.SetLastWriteTimeUtc(file, mtime); // same mtime: only ctime (and content) tell
        var after = hasher.Hash("data.bin").Hash;
        Assert.Equal(2, hasher.FilesRead);
        Assert.Equal(ContentHasher.HashText("other"), after);
    }

    [Fact]
    public void A_file_modified_just_before_hashing_is_not_remembered()
    {
        var file = Path.Combine(_dir, "fresh.bin");
        File.WriteAllText(file, "x");
        var cache = StatCache.InMemory(); // the default one-second margin
        var hasher = new WorkspaceHasher(_dir, cache);
        hasher.Hash("fresh.bin");
        hasher.Hash("fresh.bin");
        Assert.Equal(2, hasher.FilesRead);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void The_stat_cache_survives_a_save_and_load_and_drops_damaged_lines()
    {
        var file = Path.Combine(_dir, "x.txt");
        File.WriteAllText(file, "content");
        var cacheFile = Path.Combine(_dir, "cache/stat.tsv");
        var cache = StatCache.Load(cacheFile, racyMarginNs: 0);
        new WorkspaceHasher(_dir, cache).Hash("x.txt");
        cache.Save();
        File.AppendAllText(cacheFile, "garbage\tline\n");

        var reloaded = new WorkspaceHasher(_dir, StatCache.Load(cacheFile, racyMarginNs: 0));
        Assert.Equal(ContentHasher.HashText("content"), reloaded.Hash("x.txt").Hash);
        Assert.Equal(0, reloaded.FilesRead);
    }

    private static string Sh(string command)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output;
    }
}
