using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Nsmt.Torch.torch.nn;

namespace Nsmt.Torch.IO;

/// <summary>
/// The safetensors format (Hugging Face's): an 8-byte little-endian header length, a JSON header
/// {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then raw little-endian data.
/// Readable by PyTorch (safetensors.torch.load_file) and every tool of that ecosystem.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<ScalarType, string> DtypeNames = new()
    {
        [ScalarType.Float64] = "F64", [ScalarType.Float32] = "F32", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32", [ScalarType.Int16] = "I16", [ScalarType.Int8] = "I8",
        [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
    };

    /// <summary>Writes the tensors (copied to CPU) atomically: a temporary file is renamed over the target.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                meta[k] = v;
            header["__metadata__"] = meta;
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!DtypeNames.TryGetValue(tensor.dtype, out var dtypeName))
                throw new ArgumentException($"tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store");
            var bytes = ToBytes(tensor);
            header[name] = new JsonObject
            {
                ["dtype"] = dtypeName,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8; // the format recommends 8-byte aligned data
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
                stream.Write(length);
                stream.Write(json);
                for (var i = json.Length; i < padded; i++)
                    stream.WriteByte((byte)' ');
                foreach (var blob in blobs)
                    stream.Write(blob);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    private static byte[] ToBytes(Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        var bytes = new byte[cpu.numel() * cpu.dtype.ElementSize()];
        unsafe
        {
            fixed (byte* p = bytes)
                Native.Check.Status(Native.NativeMethods.nsmt_copy_to_host(cpu.Handle, p, bytes.Length));
        }
        return bytes;
    }

    /// <summary>Reads every tensor (on CPU, outside any dispose scope) and the string metadata.</summary>
    public static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) Load(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
            throw new FileNotFoundException($"safetensors file '{path}' does not exist", path);
        using var stream = file.OpenRead();
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw Invalid(path, "the file is shorter than the 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8)
            throw Invalid(path, $"header length {headerLength} exceeds the file ({file.Length} bytes)");
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
                        metadata[k] = v?.GetValue<string>() ?? "";
                    continue;
                }
                tensors[name] = ReadTensor(path, stream, name, node, dataStart, dataLength);
            }
        }
        catch
        {
            foreach (var t in tensors.Values)
                t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }

    private static Tensor ReadTensor(string path, FileStream stream, string name, JsonNode? node, long dataStart, long dataLength)
    {
        var entry = node as JsonObject ?? throw Invalid(path, $"entry '{name}' is not an object");
        var dtypeName = entry["dtype"]?.GetValue<string>() ?? throw Invalid(path, $"entry '{name}' has no dtype");
        var dtype = DtypeNames.FirstOrDefault(kv => kv.Value == dtypeName).Key;
        if (!DtypeNames.ContainsKey(dtype) || DtypeNames[dtype] != dtypeName)
            throw Invalid(path, $"entry '{name}' has unsupported dtype '{dtypeName}'");
        var shape = (entry["shape"] as JsonArray ?? throw Invalid(path, $"entry '{name}' has no shape")).Select(d => d!.GetValue<long>()).ToArray();
        var offsets = (entry["data_offsets"] as JsonArray ?? throw Invalid(path, $"entry '{name}' has no data_offsets")).Select(d => d!.GetValue<long>()).ToArray();
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
            throw Invalid(path, $"entry '{name}' has data_offsets [{string.Join(", ", offsets)}] outside the {dataLength} data bytes");
        if (shape.Any(d => d < 0))
            throw Invalid(path, $"entry '{name}' has a negative dimension in shape [{string.Join(", ", shape)}]");
        var elements = shape.Aggregate(1L, (a, b) => a * b);
        var size = offsets[1] - offsets[0];
        if (elements * dtype.ElementSize() != size)
            throw Invalid(path, $"entry '{name}': shape [{string.Join(", ", shape)}] of {dtypeName} needs {elements * dtype.ElementSize()} bytes, data_offsets give {size}");
        var bytes = new byte[size];
        stream.Position = dataStart + offsets[0];
        stream.ReadExactly(bytes);
        unsafe
        {
            fixed (byte* p = bytes)
            fixed (long* s = shape)
                return new Tensor(Native.NativeMethods.nsmt_from_data(p, bytes.Length, s, shape.Length, (int)dtype), inScope: false);
        }
    }

    private static InvalidDataException Invalid(string path, string reason) => new($"'{path}' is not a valid safetensors file: {reason}");

    /// <summary>Saves a module's state_dict (parameters and persistent buffers).</summary>
    public static void save_safetensors(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, module.state_dict(), metadata);

    /// <summary>Loads weights saved by <see cref="save_safetensors"/> (or by PyTorch); names, shapes and dtypes must match.</summary>
    public static Dictionary<string, string> load_safetensors(this Module module, string path, bool strict = true)
    {
        var (tensors, metadata) = Load(path);
        try
        {
            module.load_state_dict(tensors, strict);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{path}': {e.Message}", e);
        }
        finally
        {
            foreach (var t in tensors.Values)
                t.Dispose();
        }
        return metadata;
    }
}
