using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;

namespace Nsmt.Runs;

/// <summary>
/// Writes TensorBoard event files (TFRecord-framed <c>tensorflow.Event</c> protos): scalars as
/// <c>simple_value</c> summaries and hyperparameters through the HParams plugin, so `tensorboard --logdir`
/// shows curves and the HPARAMS tab. The protos are encoded by hand with field numbers from
/// tensorflow/core/util/event.proto, summary.proto and tensorboard/plugins/hparams/*.proto.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _stream;

    public TensorBoardWriter(string directory, DateTimeOffset? start = null)
    {
        Directory.CreateDirectory(directory);
        var now = start ?? DateTimeOffset.UtcNow;
        var name = string.Create(
            CultureInfo.InvariantCulture,
            $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}.0"
        );
        FilePath = Path.Combine(directory, name);
        _stream = new FileStream(FilePath, FileMode.Create, FileAccess.Write, FileShare.Read);
        WriteEvent(Event(WallTime(now), 0, e => e.WriteString(3, "brain.Event:2")));
        Flush();
    }

    public string FilePath { get; }

    public void AddScalar(string tag, double value, long step, DateTimeOffset? time = null)
    {
        var summary = Message(s =>
            s.WriteMessage(
                1,
                Message(v =>
                {
                    v.WriteString(1, tag);
                    v.WriteFloat(2, (float)value);
                })
            )
        );
        WriteEvent(Event(WallTime(time ?? DateTimeOffset.UtcNow), step, e => e.WriteMessage(5, summary)));
    }

    /// <summary>
    /// Records a session's hyperparameters (strings, numbers, booleans) and the metric tags the HParams tab
    /// should show, as torch.utils.tensorboard's add_hparams does (experiment + session start + session end).
    /// </summary>
    public void AddHyperparameters(
        IReadOnlyDictionary<string, object> hparams,
        IEnumerable<string> metricTags,
        DateTimeOffset? time = null
    )
    {
        var now = WallTime(time ?? DateTimeOffset.UtcNow);
        var experiment = Message(x =>
        {
            foreach (var (name, value) in hparams)
            {
                x.WriteMessage(
                    4,
                    Message(info =>
                    {
                        info.WriteString(1, name);
                        info.WriteEnum(
                            4,
                            value switch
                            {
                                string => 1,
                                bool => 2,
                                _ => 3,
                            }
                        );
                    })
                );
            }
            foreach (var tag in metricTags)
            {
                x.WriteMessage(5, Message(info => info.WriteMessage(1, Message(n => n.WriteString(2, tag)))));
            }
        });
        var sessionStart = Message(s =>
        {
            foreach (var (name, value) in hparams)
            {
                s.WriteMessage(
                    1,
                    Message(entry =>
                    {
                        entry.WriteString(1, name);
                        entry.WriteMessage(2, ProtobufValue(value));
                    })
                );
            }
            s.WriteDouble(5, now);
        });
        var sessionEnd = Message(s =>
        {
            s.WriteEnum(1, 1); // STATUS_SUCCESS
            s.WriteDouble(2, now);
        });
        WritePluginSummary("_hparams_/experiment", 2, experiment, now);
        WritePluginSummary("_hparams_/session_start_info", 3, sessionStart, now);
        WritePluginSummary("_hparams_/session_end_info", 4, sessionEnd, now);
    }

    public void Flush() => _stream.Flush(flushToDisk: false);

    public void Dispose()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
    }

    private void WritePluginSummary(string tag, int dataField, byte[] data, double wallTime)
    {
        var content = Message(p =>
        {
            p.WriteInt32(1, 0); // version
            p.WriteMessage(dataField, data);
        });
        var value = Message(v =>
        {
            v.WriteString(1, tag);
            // A scalar float tensor of 0, like TensorBoard's own hparams summaries (metadata.NULL_TENSOR).
            v.WriteMessage(
                8,
                Message(t =>
                {
                    t.WriteEnum(1, 1); // DT_FLOAT
                    t.WriteMessage(2, []);
                    t.WriteFloat(5, 0f);
                })
            );
            v.WriteMessage(
                9,
                Message(m =>
                    m.WriteMessage(
                        1,
                        Message(pd =>
                        {
                            pd.WriteString(1, "hparams");
                            pd.WriteBytes(2, content);
                        })
                    )
                )
            );
        });
        WriteEvent(Event(wallTime, 0, e => e.WriteMessage(5, Message(s => s.WriteMessage(1, value)))));
    }

    private static byte[] ProtobufValue(object value) =>
        Message(v =>
        {
            switch (value)
            {
                case string s:
                    v.WriteString(3, s);
                    break;
                case bool b:
                    v.WriteBool(4, b);
                    break;
                default:
                    v.WriteDouble(2, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    break;
            }
        });

    private static byte[] Event(double wallTime, long step, Action<ProtoWriter> body) =>
        Message(e =>
        {
            e.WriteDouble(1, wallTime);
            e.WriteInt64(2, step);
            body(e);
        });

    private void WriteEvent(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
    }

    private static double WallTime(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    private static byte[] Message(Action<ProtoWriter> body)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        body(new ProtoWriter(output));
        output.Flush();
        return buffer.ToArray();
    }

    /// <summary>Field-level protobuf writing (tag + value) over Google.Protobuf's coded stream.</summary>
    private readonly struct ProtoWriter(CodedOutputStream output)
    {
        public void WriteDouble(int field, double value)
        {
            output.WriteTag(field, WireFormat.WireType.Fixed64);
            output.WriteDouble(value);
        }

        public void WriteFloat(int field, float value)
        {
            output.WriteTag(field, WireFormat.WireType.Fixed32);
            output.WriteFloat(value);
        }

        public void WriteInt64(int field, long value)
        {
            output.WriteTag(field, WireFormat.WireType.Varint);
            output.WriteInt64(value);
        }

        public void WriteInt32(int field, int value)
        {
            output.WriteTag(field, WireFormat.WireType.Varint);
            output.WriteInt32(value);
        }

        public void WriteEnum(int field, int value) => WriteInt32(field, value);

        public void WriteBool(int field, bool value)
        {
            output.WriteTag(field, WireFormat.WireType.Varint);
            output.WriteBool(value);
        }

        public void WriteString(int field, string value)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteString(value);
        }

        public void WriteBytes(int field, byte[] value)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(value));
        }

        public void WriteMessage(int field, byte[] message) => WriteBytes(field, message);
    }
}
