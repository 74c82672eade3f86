using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Nsmt.Core;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Nsmt.Neural.IO;

/// <summary>
/// The safetensors format (Hugging Face's): an 8-byte little-endian header length, a JSON header
/// {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then raw little-endian data.
/// Readable by PyTorch (safetensors.torch.load_file) and every tool of that ecosystem. Files we write carry the
/// SHA-256 of their data section in the metadata (<see cref="DataHashKey"/>), checked on load, so a flipped byte
/// in a checkpoint is an error rather than silently different weights; files without it (PyTorch's) load as they are.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Metadata key of the data section's SHA-256 (lower-case hex).</summary>
    public const string DataHashKey = "nsmt.data_sha256";

    private static readonly Dictionary<ScalarType, string> DtypeNames = new()
    {
        [ScalarType.Float64] = "F64",
        [ScalarType.Float32] = "F32",
        [ScalarType.Float16] = "F16",
        [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64",
        [ScalarType.Int32] = "I32",
        [ScalarType.Int16] = "I16",
        [ScalarType.Int8] = "I8",
        [ScalarType.Byte] = "U8",
        [ScalarType.Bool] = "BOOL",
    };

    /// <summary>Writes the tensors (copied to CPU) atomically: a temporary file is renamed over the target.</summary>
    public static void Save(
        string path,
        IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null
    )
    {
        var entries = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var blobs = new List<byte[]>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!DtypeNames.TryGetValue(tensor.dtype, out var dtypeName))
            {
                throw new ArgumentException(
                    $"tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store"
                );
            }

            var bytes = ToBytes(tensor);
            hash.AppendData(bytes);
            entries[name] = JsonSerializer.SerializeToElement(
                new SafeTensorsEntryJson(dtypeName, tensor.shape, [offset, offset + bytes.Length]),
                SafeTensorsJsonContext.Default.SafeTensorsEntryJson
            );
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var allMetadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [DataHashKey] = Convert.ToHexStringLower(hash.GetHashAndReset()),
        };
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
        {
            allMetadata[k] =
                k == DataHashKey ? throw new ArgumentException($"metadata key '{DataHashKey}' is reserved") : v;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(
            new SafeTensorsHeaderJson(allMetadata) { Tensors = entries },
            SafeTensorsJsonContext.Default.SafeTensorsHeaderJson
        );
        var padded = (json.Length + 7) / 8 * 8; // the format recommends 8-byte aligned data
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            foreach (var blob in blobs)
            {
                stream.Write(blob);
            }
        });
    }

    private static byte[] ToBytes(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.detach().cpu().contiguous().bytes.ToArray();
    }

    /// <summary>Reads every tensor (on CPU, outside any dispose scope) and the string metadata.</summary>
    public static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) Load(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"safetensors file '{path}' does not exist", path);
        }

        using var stream = file.OpenRead();
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
        {
            throw Invalid(path, "the file is shorter than the 8-byte header length");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8)
        {
            throw Invalid(path, $"header length {headerLength} exceeds the file ({file.Length} bytes)");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw Invalid(path, "the header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"the header is not valid JSON ({e.Message})");
        }
        var dataStart = 8 + (long)headerLength;
        var dataLength = file.Length - dataStart;
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (k, v) in node?.AsObject() ?? [])
                    {
                        metadata[k] = v?.GetValue<string>() ?? "";
                    }

                    continue;
                }
                tensors[name] = ReadTensor(path, stream, name, node, dataStart, dataLength);
            }
            if (metadata.TryGetValue(DataHashKey, out var expected))
            {
                VerifyDataHash(path, stream, dataStart, expected);
            }
        }
        catch
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }

            throw;
        }
        return (tensors, metadata);
    }

    private static void VerifyDataHash(string path, FileStream stream, long dataStart, string expected)
    {
        stream.Position = dataStart;
        var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(
                path,
                $"tensor data does not match its recorded hash: metadata '{DataHashKey}' expects {expected}, "
                    + $"the data hashes to {actual} (the file was changed or damaged after it was written)"
            );
        }
    }

    private static Tensor ReadTensor(
        string path,
        FileStream stream,
        string name,
        JsonNode? node,
        long dataStart,
        long dataLength
    )
    {
        var entry = node as JsonObject ?? throw Invalid(path, $"entry '{name}' is not an object");
        var dtypeName = entry["dtype"]?.GetValue<string>() ?? throw Invalid(path, $"entry '{name}' has no dtype");
        var dtype = DtypeNames.FirstOrDefault(kv => kv.Value == dtypeName).Key;
        if (!DtypeNames.TryGetValue(dtype, out var known) || known != dtypeName)
        {
            throw Invalid(path, $"entry '{name}' has unsupported dtype '{dtypeName}'");
        }

        var shape = (entry["shape"] as JsonArray ?? throw Invalid(path, $"entry '{name}' has no shape"))
            .Select(d => d!.GetValue<long>())
            .ToArray();
        var offsets = (entry["data_offsets"] as JsonArray ?? throw Invalid(path, $"entry '{name}' has no data_offsets"))
            .Select(d => d!.GetValue<long>())
            .ToArray();
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
        {
            throw Invalid(
                path,
                $"entry '{name}' has data_offsets [{string.Join(", ", offsets)}] outside the {dataLength} data bytes"
            );
        }

        if (shape.Any(d => d < 0))
        {
            throw Invalid(path, $"entry '{name}' has a negative dimension in shape [{string.Join(", ", shape)}]");
        }
        // Checked: a shape such as [2^32, 2^32] wraps to 0 elements, would match empty data_offsets and then ask
        // libtorch for 2^64 elements.
        long elements;
        var elementSize = ElementSize(dtype);
        try
        {
            elements = shape.Aggregate(1L, (a, b) => checked(a * b));
            _ = checked(elements * elementSize);
        }
        catch (OverflowException)
        {
            throw Invalid(
                path,
                $"entry '{name}' has shape [{string.Join(", ", shape)}], more elements than 64 bits count"
            );
        }
        var size = offsets[1] - offsets[0];
        if (elements * elementSize != size)
        {
            throw Invalid(
                path,
                $"entry '{name}': shape [{string.Join(", ", shape)}] of {dtypeName} needs {elements * elementSize} bytes, data_offsets give {size}"
            );
        }

        var bytes = new byte[size];
        stream.Position = dataStart + offsets[0];
        stream.ReadExactly(bytes);
        var tensor = empty(shape, dtype).DetachFromDisposeScope();
        bytes.CopyTo(tensor.bytes);
        return tensor;
    }

    private static long ElementSize(ScalarType dtype) =>
        dtype switch
        {
            ScalarType.Float64 or ScalarType.Int64 => 8,
            ScalarType.Float32 or ScalarType.Int32 => 4,
            ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
            _ => 1,
        };

    private static InvalidDataException Invalid(string path, string reason) =>
        new($"'{path}' is not a valid safetensors file: {reason}");

    /// <summary>Saves a module's state_dict (parameters and persistent buffers).</summary>
    public static void save_safetensors(
        this Module module,
        string path,
        IReadOnlyDictionary<string, string>? metadata = null
    ) => Save(path, module.state_dict(), metadata);

    /// <summary>Loads weights saved by <see cref="save_safetensors"/> (or by PyTorch); names, shapes and dtypes must match.</summary>
    public static Dictionary<string, string> load_safetensors(this Module module, string path, bool strict = true)
    {
        var (tensors, metadata) = Load(path);
        try
        {
            StateDicts.Load(module, tensors, strict, path);
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
        return metadata;
    }
}

/// <summary>
/// A safetensors header as we write it: the metadata first (sorted), then each tensor (sorted by name). A tensor's
/// name is a key beside <c>__metadata__</c>, hence extension data; settable, not init-only, because System.Text.Json
/// binds a record's init-only properties to its constructor, which it refuses for extension data.
/// </summary>
internal sealed record SafeTensorsHeaderJson(
    [property: JsonPropertyName("__metadata__")] IReadOnlyDictionary<string, string> Metadata
)
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Tensors { get; set; }
}

internal sealed record SafeTensorsEntryJson(string Dtype, long[] Shape, long[] DataOffsets);

/// <summary>The header's JSON: compact, snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SafeTensorsHeaderJson))]
[JsonSerializable(typeof(SafeTensorsEntryJson))]
internal sealed partial class SafeTensorsJsonContext : JsonSerializerContext;
