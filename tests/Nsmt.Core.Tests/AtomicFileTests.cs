using System.Text;

namespace Nsmt.Core.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nsmt-core-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Text_is_written_as_utf8_without_a_byte_order_mark_and_creates_the_folder()
    {
        var path = Path.Combine(_dir, "a", "b", "file.txt");
        AtomicFile.WriteAllText(path, "é\n");
        Assert.Equal(new byte[] { 0xC3, 0xA9, 0x0A }, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_the_old_content_and_no_temporary_file()
    {
        var path = Path.Combine(_dir, "data.bin");
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
        var path = Path.Combine(_dir, "big.bin");
        var first = Enumerable.Repeat((byte)1, 1 << 20).ToArray();
        var second = Enumerable.Repeat((byte)2, 1 << 20).ToArray();
        AtomicFile.WriteAllBytes(path, first);
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var seen = File.ReadAllBytes(path);
                Assert.Equal(1 << 20, seen.Length);
                Assert.True(seen.All(b => b == seen[0]), "a read mixed old and new content");
                Interlocked.Increment(ref reads);
            }
        });
        // Keep replacing until the reader has overlapped many writes (on a busy machine it may start late).
        for (var i = 0; i < 20 || (Volatile.Read(ref reads) < 20 && i < 10_000); i++)
        {
            AtomicFile.WriteAllBytes(path, i % 2 == 0 ? second : first);
        }

        await stop.CancelAsync();
        await reader;
        Assert.True(reads >= 20, $"only {reads} reads overlapped the writes");
    }

    [RootFact]
    public void A_device_node_is_written_into_and_stays_a_device()
    {
        var node = SpecialFiles.NullDevice(_dir);
        AtomicFile.WriteAllText(node, "discarded\n");
        Assert.Equal("character special file", SpecialFiles.TypeOf(node));
        Assert.Equal(FileKind.Special, FileKinds.Of(node));
        Assert.Equal(new[] { "null" }, Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [RootFact]
    public void A_symbolic_link_to_a_device_node_leaves_both_in_place()
    {
        var node = SpecialFiles.NullDevice(_dir);
        var link = Path.Combine(_dir, "out.bin");
        File.CreateSymbolicLink(link, node);
        AtomicFile.WriteAllText(link, "discarded\n");
        Assert.Equal("symbolic link", SpecialFiles.TypeOf(link));
        Assert.Equal("character special file", SpecialFiles.TypeOf(node));
    }

    [Fact]
    public async Task A_fifo_receives_the_bytes_and_stays_a_fifo()
    {
        var fifo = SpecialFiles.Fifo(_dir);
        var reader = Task.Run(() => File.ReadAllText(fifo));
        AtomicFile.WriteAllText(fifo, "through the pipe");
        Assert.Equal("through the pipe", await reader.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("fifo", SpecialFiles.TypeOf(fifo));
        Assert.Equal(new[] { "fifo" }, Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_directory_as_the_output_is_bad_input_and_stays()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "kept");
        var error = Assert.Throws<NsmtInputException>(() => AtomicFile.WriteAllText(folder, "x"));
        Assert.Contains(folder, error.Message, StringComparison.Ordinal);
        Assert.Contains("is a directory", error.Message, StringComparison.Ordinal);
        Assert.Equal("kept", File.ReadAllText(Path.Combine(folder, "keep.txt")));
    }

    [Fact]
    public void Kinds_are_told_apart()
    {
        var file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "x");
        Assert.Equal(FileKind.RegularFile, FileKinds.Of(file));
        Assert.Equal(FileKind.Directory, FileKinds.Of(_dir));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(_dir, "none")));
        Assert.Equal(FileKind.Special, FileKinds.Of(SpecialFiles.Fifo(_dir)));
    }

    [Fact]
    public void Temporaries_of_writers_that_are_gone_are_swept_and_nothing_else()
    {
        var guid = Guid.NewGuid().ToString("N");
        var dead = $".train.999999999.{guid}.tmp";
        var live = $".test.{Environment.ProcessId}.{guid}.tmp";
        string[] others = ["train", ".hidden.tmp", $".x.12.{guid[..8]}.tmp", "notes.tmp"];
        foreach (var name in others.Append(dead).Append(live))
        {
            File.WriteAllText(Path.Combine(_dir, name), "x");
        }

        Assert.Equal(1, AtomicFile.SweepStaleTemporaries(_dir));
        Assert.Equal(
            others.Append(live).Order(StringComparer.Ordinal),
            Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)
        );
        Assert.True(AtomicFile.IsTemporaryName(dead));
        Assert.False(AtomicFile.IsTemporaryName("metrics.json"));
    }
}
