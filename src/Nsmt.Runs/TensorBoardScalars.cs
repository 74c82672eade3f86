using System.Buffers.Binary;
using Google.Protobuf;

namespace Nsmt.Runs;

/// <summary>
/// Reads scalar series back from TensorBoard event files (TFRecord-framed <c>tensorflow.Event</c> protos, as
/// <see cref="TensorBoardWriter"/> beside it writes them): the report's source of the per-step loss, which
/// metrics.csv (one row per epoch) does not hold. A truncated last record (a run still writing) ends the read.
/// </summary>
public static class TensorBoardScalars
{
    /// <summary>(step, value) of <paramref name="tag"/> over every event file in <paramref name="directory"/>, by step.</summary>
    public static IReadOnlyList<(long Step, double Value)> Read(string directory, string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var points = new List<(long, double)>();
        if (!Directory.Exists(directory))
        {
            return points;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "events.out.tfevents.*").Order(StringComparer.Ordinal))
        {
            ReadFile(file, tag, points);
        }

        return [.. points.OrderBy(p => p.Item1)];
    }

    private static void ReadFile(string file, string tag, List<(long, double)> points)
    {
        var bytes = File.ReadAllBytes(file);
        var offset = 0;
        while (offset + 12 <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
            if (length > (ulong)(bytes.Length - offset - 16))
            {
                break;
            }

            var record = bytes.AsSpan(offset + 12, (int)length);
            offset += 16 + (int)length;
            try
            {
                ReadEvent(record, tag, points);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new InvalidDataException(
                    $"{file}: a record at byte {offset - 16 - (int)length} is not a TensorBoard event ({e.Message})",
                    e
                );
            }
        }
    }

    // Event: 1 wall_time (double), 2 step (int64), 5 summary; Summary: 1 value (repeated);
    // Summary.Value: 1 tag (string), 2 simple_value (float).
    private static void ReadEvent(ReadOnlySpan<byte> record, string tag, List<(long, double)> points)
    {
        var input = new CodedInputStream(record.ToArray());
        long step = 0;
        ByteString? summary = null;
        for (uint t; (t = input.ReadTag()) != 0; )
        {
            switch (t)
            {
                case (2 << 3) | 0:
                    step = input.ReadInt64();
                    break;
                case (5 << 3) | 2:
                    summary = input.ReadBytes();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (summary is null)
        {
            return;
        }

        var values = new CodedInputStream(summary.ToByteArray());
        for (uint t; (t = values.ReadTag()) != 0; )
        {
            if (t != ((1 << 3) | 2))
            {
                values.SkipLastField();
                continue;
            }

            var value = new CodedInputStream(values.ReadBytes().ToByteArray());
            string? name = null;
            float? simple = null;
            for (uint f; (f = value.ReadTag()) != 0; )
            {
                switch (f)
                {
                    case (1 << 3) | 2:
                        name = value.ReadString();
                        break;
                    case (2 << 3) | 5:
                        simple = value.ReadFloat();
                        break;
                    default:
                        value.SkipLastField();
                        break;
                }
            }

            if (name == tag && simple is { } v)
            {
                points.Add((step, v));
            }
        }
    }
}
