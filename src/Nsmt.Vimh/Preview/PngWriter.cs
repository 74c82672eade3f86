using System.Buffers.Binary;
using System.IO.Compression;
using Nsmt.Audio;

namespace Nsmt.Vimh.Preview;

/// <summary>Minimal PNG encoder (8-bit RGB, filter 0, zlib), enough for preview images.</summary>
public static class PngWriter
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Writes <paramref name="rgb"/> (height rows of width*3 bytes) atomically.</summary>
    public static void WriteRgb(string path, int width, int height, ReadOnlySpan<byte> rgb)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (rgb.Length != width * height * 3)
        {
            throw new ArgumentException($"expected {width * height * 3} bytes of RGB, got {rgb.Length}");
        }

        byte[] raw = new byte[height * ((width * 3) + 1)];
        for (int y = 0; y < height; y++)
        {
            raw[y * ((width * 3) + 1)] = 0; // filter type None
            rgb.Slice(y * width * 3, width * 3).CopyTo(raw.AsSpan((y * ((width * 3) + 1)) + 1));
        }

        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(raw);
        }

        byte[] header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type RGB
        byte[] idat = compressed.ToArray();
        AtomicFile.Write(path, s =>
        {
            s.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
            WriteChunk(s, "IHDR"u8, header);
            WriteChunk(s, "IDAT"u8, idat);
            WriteChunk(s, "IEND"u8, []);
        });
    }

    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0xFFFFFFFF)
    {
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static void WriteChunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        s.Write(word);
        s.Write(type);
        s.Write(data);
        uint crc = Crc32(data, Crc32(type)) ^ 0xFFFFFFFF;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        s.Write(word);
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
