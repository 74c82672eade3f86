using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Nsmt.Plots.Tests;

/// <summary>The PNG encoder against the PNG specification's constants and an independent zlib decoder.</summary>
public sealed class PngEncoderTests
{
    [Fact]
    public void Crc32_matches_the_standard_check_values()
    {
        // CRC-32 (ISO 3309) of "123456789" is 0xCBF43926; every PNG's IEND chunk ends in AE 42 60 82.
        Assert.Equal(0xCBF43926u, PngEncoder.Crc32("123456789"u8) ^ 0xFFFFFFFF);
        Assert.Equal(0xAE426082u, PngEncoder.Crc32("IEND"u8) ^ 0xFFFFFFFF);
    }

    [Fact]
    public void Encoded_image_has_valid_chunks_and_decodes_to_the_pixels()
    {
        const int width = 5,
            height = 3;
        var rgb = new byte[width * height * 3];
        for (var i = 0; i < rgb.Length; i++)
        {
            rgb[i] = (byte)((i * 37) + 11);
        }

        var png = PngEncoder.EncodeRgb(width, height, rgb);

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = ReadChunks(png);
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Select(c => c.Type));
        var header = chunks[0].Data;
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(header));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)));
        Assert.Equal(8, header[8]);
        Assert.Equal(2, header[9]);

        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        Assert.Equal(height * ((width * 3) + 1), raw.Length);
        for (var y = 0; y < height; y++)
        {
            Assert.Equal(0, raw[y * ((width * 3) + 1)]);
            Assert.Equal(
                rgb.AsSpan(y * width * 3, width * 3).ToArray(),
                raw.AsSpan((y * ((width * 3) + 1)) + 1, width * 3).ToArray()
            );
        }
    }

    [Fact]
    public void Wrong_pixel_count_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => PngEncoder.EncodeRgb(4, 4, new byte[10]));
        Assert.Contains("48 bytes", error.Message, StringComparison.Ordinal);
    }

    private static List<(string Type, byte[] Data)> ReadChunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        var p = 8;
        while (p < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(p));
            var type = Encoding.ASCII.GetString(png, p + 4, 4);
            var data = png.AsSpan(p + 8, length).ToArray();
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(p + 8 + length));
            Assert.Equal(PngEncoder.Crc32(data, PngEncoder.Crc32(png.AsSpan(p + 4, 4))) ^ 0xFFFFFFFF, crc);
            chunks.Add((type, data));
            p += 12 + length;
        }

        return chunks;
    }
}
