using System.Buffers.Binary;
using Google.Protobuf;
using Nsmt.Runs;

namespace Nsmt.Spectral.Training.Tests;

public class LoggingTests
{
    [Fact]
    public void Crc32C_matches_the_RFC_3720_test_vectors()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x113FDB5Cu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));
    }

    [Fact]
    public void Event_file_is_valid_tfrecord_with_version_scalars_and_hparams()
    {
        using var dir = new TempDir();
        string path;
        using (var writer = new TensorBoardWriter(dir.Path, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)))
        {
            writer.AddScalar("val/acc", 0.75, 42);
            writer.AddHyperparameters(
                new Dictionary<string, object> { ["lr"] = 0.003, ["architecture"] = "simple_cnn" },
                ["val/acc"]
            );
            path = writer.FilePath;
        }
        Assert.StartsWith("events.out.tfevents.1700000000.", Path.GetFileName(path));
        var events = ReadRecords(File.ReadAllBytes(path));
        Assert.Equal(5, events.Count);

        var first = Fields(events[0]);
        Assert.Equal("brain.Event:2", first[3].Single().ToStringUtf8());

        var scalar = Fields(events[1]);
        Assert.Equal(42L, (long)scalar[2].Single().ToByteArray()[0]);
        var value = Fields(Fields(scalar[5].Single())[1].Single());
        Assert.Equal("val/acc", value[1].Single().ToStringUtf8());
        Assert.Equal(0.75f, BinaryPrimitives.ReadSingleLittleEndian(value[2].Single().Span));

        var hparamTags = events
            .Skip(2)
            .Select(e => Fields(Fields(Fields(e)[5].Single())[1].Single())[1].Single().ToStringUtf8());
        Assert.Equal(
            ["_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info"],
            hparamTags
        );
        var plugin = Fields(Fields(Fields(Fields(Fields(events[3])[5].Single())[1].Single())[9].Single())[1].Single());
        Assert.Equal("hparams", plugin[1].Single().ToStringUtf8());
    }

    [Fact]
    public void Metrics_csv_uses_lightnings_layout_sorted_columns_and_empty_cells()
    {
        using var dir = new TempDir();
        var csv = new MetricsCsvLogger(Path.Combine(dir.Path, "metrics.csv"));
        csv.Log(new Dictionary<string, double> { ["val/loss"] = 1.5, ["train/loss"] = 2.25 }, 0, 9);
        csv.Log(new Dictionary<string, double> { ["val/loss"] = 0.5, ["val/acc"] = 0.125 }, 1, 19);
        var lines = File.ReadAllLines(csv.FilePath);
        Assert.Equal(["epoch,step,train/loss,val/acc,val/loss", "0,9,2.25,,1.5", "1,19,,0.125,0.5"], lines);
        var rows = MetricsCsvLogger.Read(csv.FilePath);
        Assert.Equal(0.125, rows[1]["val/acc"]);
        Assert.False(rows[0].ContainsKey("val/acc"));
    }

    /// <summary>Splits TFRecord framing, checking both masked CRCs of every record.</summary>
    private static List<ByteString> ReadRecords(byte[] file)
    {
        var records = new List<ByteString>();
        var offset = 0;
        while (offset < file.Length)
        {
            var header = file.AsSpan(offset, 8);
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(header);
            Assert.Equal(Crc32C.Masked(header), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 8, 4)));
            var data = file.AsSpan(offset + 12, length);
            Assert.Equal(
                Crc32C.Masked(data),
                BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 12 + length, 4))
            );
            records.Add(ByteString.CopyFrom(data));
            offset += 16 + length;
        }
        return records;
    }

    /// <summary>Decodes one protobuf message into field number -> raw values (varints as their little-endian bytes).</summary>
    private static Dictionary<int, List<ByteString>> Fields(ByteString message)
    {
        var result = new Dictionary<int, List<ByteString>>();
        var input = new CodedInputStream(message.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = WireFormat.GetTagFieldNumber(tag);
            var value = WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Varint => ByteString.CopyFrom(BitConverter.GetBytes(input.ReadUInt64())),
                WireFormat.WireType.Fixed64 => ByteString.CopyFrom(BitConverter.GetBytes(input.ReadFixed64())),
                WireFormat.WireType.Fixed32 => ByteString.CopyFrom(BitConverter.GetBytes(input.ReadFixed32())),
                _ => input.ReadBytes(),
            };
            (result.TryGetValue(field, out var list) ? list : result[field] = []).Add(value);
        }
        return result;
    }
}
