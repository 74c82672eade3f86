using System.Buffers.Binary;
using System.Text;
using Nsmt.Neural.IO;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// A safetensors file's header, written from source-generated records, is the bytes main's JsonObject writer gave for
/// the same tensors and metadata (Fixtures/main-json/safetensors_header.json, written by main's SafeTensors.Save): the
/// metadata first and sorted, the tensors sorted by name, escaping, the padding.
/// </summary>
public sealed class SafeTensorsHeaderJsonTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-safetensors-json-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_header_is_mains_bytes()
    {
        var path = Path.Combine(_folder, "x.safetensors");
        using var b = tensor(new float[] { 1, 2 });
        using var a = tensor(new long[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3, 1);
        using var empty = zeros(0, 4);
        SafeTensors.Save(
            path,
            new Dictionary<string, Tensor>
            {
                ["b"] = b,
                ["a.weight"] = a,
                ["empty"] = empty,
            },
            new Dictionary<string, string> { ["z"] = "x <y> + 'q' \"r\" é", ["config"] = "a: 1\nb: [2]" }
        );

        Assert.Equal(
            File.ReadAllText(
                Path.Combine(AppContext.BaseDirectory, "Fixtures", "main-json", "safetensors_header.json")
            ),
            Header(path)
        );
    }

    private static string Header(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return Encoding.UTF8.GetString(bytes, 8, length);
    }
}
