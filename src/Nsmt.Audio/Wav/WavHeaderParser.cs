using System.Buffers.Binary;
using System.Text;

namespace Nsmt.Audio;

/// <summary>Where the samples of a WAV file are and how they are encoded.</summary>
internal sealed record WavLayout(WavInfo Info, long DataOffset, long DataBytes, int BlockAlign);

/// <summary>
/// Walks the RIFF chunk list. Every declared size is checked against the real file length before
/// anything is skipped or allocated, so a corrupt size can neither cause a huge allocation nor a hang.
/// </summary>
internal static class WavHeaderParser
{
    private const ushort FormatPcm = 1;
    private const ushort FormatIeeeFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;

    /// <summary>Bytes 2..15 of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT, as stored (little-endian fields).</summary>
    private static ReadOnlySpan<byte> KsDataFormatGuidTail =>
        [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    // fmt chunks are small; anything larger than this is corrupt rather than exotic.
    private const uint MaxFmtChunkBytes = 1024;

    public static WavLayout Parse(Stream stream, string path)
    {
        var fileLength = stream.Length;
        if (fileLength == 0)
        {
            throw new WavFormatException(path, "file is empty");
        }

        Span<byte> riff = stackalloc byte[12];
        if (!TryReadExactly(stream, riff))
        {
            throw new WavFormatException(
                path,
                $"file is {fileLength} bytes, too short for a RIFF/WAVE header (12 bytes)"
            );
        }

        if (!riff[..4].SequenceEqual("RIFF"u8))
        {
            throw new WavFormatException(
                path,
                $"not a RIFF file (starts with '{Printable(riff[..4])}', expected 'RIFF')"
            );
        }

        if (!riff[8..12].SequenceEqual("WAVE"u8))
        {
            throw new WavFormatException(path, $"RIFF form type is '{Printable(riff[8..12])}', expected 'WAVE'");
        }

        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(riff[4..8]);
        FmtChunk? fmt = null;
        long fmtOffset = -1;
        long dataOffset = -1;
        long dataBytes = -1;
        Span<byte> chunkHeader = stackalloc byte[8];
        long position = 12;
        while (position + 8 <= fileLength)
        {
            stream.Position = position;
            if (!TryReadExactly(stream, chunkHeader))
            {
                break;
            }

            var id = Printable(chunkHeader[..4]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            var body = position + 8;
            var remaining = fileLength - body;

            if (id == "fmt ")
            {
                if (size < 16)
                {
                    throw new WavFormatException(path, $"fmt chunk is {size} bytes, expected at least 16");
                }

                if (size > MaxFmtChunkBytes || size > remaining)
                {
                    throw new WavFormatException(
                        path,
                        $"fmt chunk declares {size} bytes but only {remaining} remain in the file"
                    );
                }

                var fmtBytes = new byte[size];
                stream.ReadExactly(fmtBytes);
                fmt = ParseFmt(fmtBytes, path);
                fmtOffset = body;
            }
            else if (id == "data")
            {
                if (size > remaining)
                {
                    throw new WavFormatException(
                        path,
                        $"truncated: data chunk at byte {position} declares {size} bytes but only {remaining} remain in the file"
                    );
                }

                dataOffset = body;
                dataBytes = size;
                if (fmt is not null)
                {
                    // Everything needed has been seen; trailing chunks (LIST, id3) are irrelevant.
                    break;
                }
            }
            else if (size > remaining)
            {
                throw new WavFormatException(
                    path,
                    $"truncated: chunk '{id}' at byte {position} declares {size} bytes but only {remaining} remain in the file"
                );
            }

            // RIFF pads chunks to even length; the pad byte is not counted in the size.
            position = body + size + (size & 1);
        }

        if (fmt is null)
        {
            throw new WavFormatException(path, "no fmt chunk found");
        }

        // NAudio reads chunks only inside the RIFF size, so a header that was never finalised (size 0, as a recorder
        // that stopped early leaves it) would hide the chunks found here and surface as its "No fmt chunk".
        var needed = Math.Max(fmtOffset, dataOffset);
        if (riffSize + 8L < needed)
        {
            throw new WavFormatException(
                path,
                $"RIFF header declares {riffSize} bytes, but its fmt and data chunks reach byte {needed}; expected {fileLength - 8} (the file's length less 8): was the recording finalised?"
            );
        }

        if (dataOffset < 0)
        {
            throw new WavFormatException(path, "no data chunk found");
        }

        if (dataBytes % fmt.BlockAlign != 0)
        {
            throw new WavFormatException(
                path,
                $"truncated: data chunk holds {dataBytes} bytes, not a whole number of {fmt.BlockAlign}-byte frames"
            );
        }

        var info = new WavInfo(fmt.SampleRate, fmt.Channels, dataBytes / fmt.BlockAlign, fmt.Format);
        return new WavLayout(info, dataOffset, dataBytes, fmt.BlockAlign);
    }

    private sealed record FmtChunk(WavSampleFormat Format, int Channels, int SampleRate, int BlockAlign);

    private static FmtChunk ParseFmt(ReadOnlySpan<byte> fmt, string path)
    {
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        var effectiveTag = tag;
        if (tag == FormatExtensible)
        {
            // cbSize(2) validBits(2) channelMask(4) subFormat GUID(16): the GUID's first two bytes are the real tag.
            if (fmt.Length < 40)
            {
                throw new WavFormatException(
                    path,
                    $"WAVE_FORMAT_EXTENSIBLE fmt chunk is {fmt.Length} bytes, expected 40"
                );
            }

            effectiveTag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
            // The rest of the SubFormat GUID is fixed for PCM and IEEE float ({0000xxxx-0000-0010-8000-00AA00389B71});
            // any other GUID is another encoding that merely shares the first two bytes.
            if (!fmt[26..40].SequenceEqual(KsDataFormatGuidTail))
            {
                throw new WavFormatException(
                    path,
                    $"WAVE_FORMAT_EXTENSIBLE SubFormat GUID is not a PCM or IEEE float one (expected {{0000{effectiveTag:X4}-0000-0010-8000-00AA00389B71}})"
                );
            }
        }

        if (channels == 0)
        {
            throw new WavFormatException(path, "fmt chunk declares 0 channels");
        }

        if (sampleRate == 0 || sampleRate > int.MaxValue)
        {
            throw new WavFormatException(
                path,
                $"fmt chunk declares sample rate {sampleRate}, expected a positive rate"
            );
        }

        var format = (effectiveTag, bits) switch
        {
            (FormatPcm, 8) => WavSampleFormat.Pcm8,
            (FormatPcm, 16) => WavSampleFormat.Pcm16,
            (FormatPcm, 24) => WavSampleFormat.Pcm24,
            (FormatPcm, 32) => WavSampleFormat.Pcm32,
            (FormatIeeeFloat, 32) => WavSampleFormat.Float32,
            (FormatIeeeFloat, 64) => WavSampleFormat.Float64,
            _ => throw new WavFormatException(
                path,
                $"unsupported encoding: format tag 0x{effectiveTag:X4} with {bits} bits per sample "
                    + "(supported: PCM 8/16/24/32, IEEE float 32/64)"
            ),
        };

        var expectedBlockAlign = channels * format.BytesPerSample();
        if (blockAlign != expectedBlockAlign)
        {
            throw new WavFormatException(
                path,
                $"fmt chunk block align is {blockAlign}, expected {expectedBlockAlign} ({channels} channels x {format.BytesPerSample()} bytes)"
            );
        }

        return new FmtChunk(format, channels, (int)sampleRate, blockAlign);
    }

    private static bool TryReadExactly(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                return false;
            }

            total += n;
        }

        return true;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return sb.ToString();
    }
}
