using System.Buffers.Binary;

namespace Nsmt.Spectral.Data;

/// <summary>Encodes one VIMH binary record (little-endian; see the spec's record table).</summary>
public static class VimhRecord
{
    public static void Write(
        Span<byte> destination,
        int height,
        int width,
        int channels,
        float specMin,
        float specMax,
        ReadOnlySpan<byte> quantizedLabels,
        ReadOnlySpan<byte> image
    )
    {
        var n = quantizedLabels.Length;
        var size = VimhFormat.RecordSize(height, width, channels, n);
        if (destination.Length < size)
        {
            throw new ArgumentException($"record needs {size} bytes, destination has {destination.Length}");
        }

        if (image.Length != height * width * channels)
        {
            throw new ArgumentException($"image has {image.Length} bytes, expected {height}x{width}x{channels}");
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination, checked((ushort)height));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], checked((ushort)width));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], checked((ushort)channels));
        BinaryPrimitives.WriteSingleLittleEndian(destination[6..], specMin);
        BinaryPrimitives.WriteSingleLittleEndian(destination[10..], specMax);
        destination[14] = checked((byte)n);
        for (var i = 0; i < n; i++)
        {
            destination[15 + (2 * i)] = (byte)i; // id = index into parameter_names
            destination[16 + (2 * i)] = quantizedLabels[i];
        }

        image.CopyTo(destination[(VimhFormat.FixedHeaderBytes + (2 * n))..]);
    }
}
