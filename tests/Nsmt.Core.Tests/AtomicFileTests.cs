using System.Text;
using Nsmt.Core;

namespace Nsmt.Core.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nsmt-core-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Text_is_written_as_utf8_without_a_byte_order_mark_and_creates_the_folder()
    {
        string path = Path.Combine(_dir, "a", "b", "file.txt");
        AtomicFile.WriteAllText(path, "é\n");
        Assert.Equal(new byte[] { 0xC3, 0xA9, 0x0A }, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_the_old_content_and_no_temporary_file()
    {
        string path = Path.Combine(_dir, "data.bin");
        File.WriteAllText(path, "old");
        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.ASCII.GetBytes("half of the new"));
            throw new InvalidOperationException("disk gone");
        }));
        Assert.Equal("disk gone", error.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(new[] { "data.bin" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Readers_never_see_a_partial_file_while_it_is_being_replaced()
    {
        string path = Path.Combine(_dir, "big.bin");
        byte[] first = Enumerable.Repeat((byte)1, 1 << 20).ToArray();
        byte[] second = Enumerable.Repeat((byte)2, 1 << 20).ToArray();
        AtomicFile.WriteAllBytes(path, first);
        using var stop = new CancellationTokenSource();
        int reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                byte[] seen = File.ReadAllBytes(path);
                Assert.Equal(1 << 20, seen.Length);
                Assert.True(seen.All(b => b == seen[0]), "a read mixed old and new content");
                Interlocked.Increment(ref reads);
            }
        });
        // Keep replacing until the reader has overlapped many writes (on a busy machine it may start late).
        for (int i = 0; i < 20 || (Volatile.Read(ref reads) < 20 && i < 10_000); i++)
            AtomicFile.WriteAllBytes(path, i % 2 == 0 ? second : first);
        await stop.CancelAsync();
        await reader;
        Assert.True(reads >= 20, $"only {reads} reads overlapped the writes");
    }
}
