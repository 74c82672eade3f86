using System.Buffers.Binary;
using Xunit.Abstractions;

namespace Nsmt.Audio.Tests;

/// <summary>
/// A 52-byte WAV file (60 with a JUNK chunk) whose chunks declare 2^31 bytes or more is refused by WavHeaderParser, which checks each
/// declared size against the real file length, before anything that size is allocated or skipped.
/// </summary>
public sealed class WavDeclaredSizeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Good() => WavFileTests.WavBytes(1, 1, 8000, 16, 2, new byte[8]);

    public static TheoryData<string, uint, string> HugeDeclarations() =>
        new()
        {
            { "data", 0x8000_0000, "data chunk at byte 36 declares 2147483648 bytes but only 8 remain" },
            { "data", 0xFFFF_FFFF, "data chunk at byte 36 declares 4294967295 bytes but only 8 remain" },
            { "fmt ", 0x8000_0000, "fmt chunk declares 2147483648 bytes but only 32 remain" },
            { "fmt ", 0xFFFF_FFFF, "fmt chunk declares 4294967295 bytes but only 32 remain" },
            { "JUNK", 0x8000_0000, "chunk 'JUNK' at byte 12 declares 2147483648 bytes but only 40 remain" },
        };

    [Theory]
    [MemberData(nameof(HugeDeclarations))]
    public void Chunk_sizes_of_2_to_the_31_or_more_are_refused_fast_and_small(string chunk, uint size, string expected)
    {
        var bytes = Good();
        if (chunk == "JUNK")
        {
            bytes = [.. bytes[..12], .. "JUNK"u8, .. new byte[4], .. bytes[12..]];
        }

        var sizeOffset = chunk switch
        {
            "data" => 40,
            "fmt " => 16,
            _ => 16,
        };
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(sizeOffset), size);
        var path = _dir.File("hostile.wav");
        File.WriteAllBytes(path, bytes);

        foreach (
            var read in new Action[]
            {
                () => WavFile.Read(path),
                () => WavFile.ReadInfo(path),
                () => WavReader.Open(path).Dispose(),
            }
        )
        {
            var (error, cost) = Bounded.Throws<WavFormatException>(read);
            output.WriteLine($"{cost}: {error.Message}");
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_hostile_fixture_reads_with_its_real_sizes()
    {
        // Guards the theory above: the same bytes with honest sizes are a valid 4-frame file.
        var path = _dir.File("good.wav");
        File.WriteAllBytes(path, Good());
        Assert.Equal(4, WavFile.Read(path).Channels[0].Length);
    }

    [Fact]
    public void A_riff_size_of_0_is_named_as_an_unfinalised_header_not_a_missing_fmt_chunk()
    {
        var bytes = Good(); // 52 bytes: fmt at 12, data at 36
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 0);
        var path = _dir.File("unfinalised.wav");
        File.WriteAllBytes(path, bytes);

        foreach (
            var read in new Action[]
            {
                () => WavFile.Read(path),
                () => WavFile.ReadInfo(path),
                () => WavReader.Open(path).Dispose(),
            }
        )
        {
            var error = Assert.Throws<WavFormatException>(read);
            Assert.Equal(
                $"{path}: RIFF header declares 0 bytes, but its fmt and data chunks reach byte 44; expected 44 (the file's length less 8): "
                    + "was the recording finalised?",
                error.Message
            );
        }
    }
}
