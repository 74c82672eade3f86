using Nsmt.Neural;
using Nsmt.Neural.IO;
using F = TorchSharp.torch.nn.functional;

namespace Engine.Tests;

public class TrainingTests
{
    // Two interleaved spirals: not linearly separable, so the MLP has to learn a real boundary.
    private static (Tensor x, Tensor y) Spirals(int perClass, long seed)
    {
        var random = new Random((int)seed);
        var points = new float[perClass * 2 * 2];
        var labels = new long[perClass * 2];
        for (var c = 0; c < 2; c++)
        {
            for (var i = 0; i < perClass; i++)
            {
                var r = (double)i / perClass * 5 + 0.5;
                var angle = 1.75 * i / perClass * 2 * Math.PI + c * Math.PI;
                var k = c * perClass + i;
                points[2 * k] = (float)(r * Math.Cos(angle) + random.NextDouble() * 0.1);
                points[2 * k + 1] = (float)(r * Math.Sin(angle) + random.NextDouble() * 0.1);
                labels[k] = c;
            }
        }
        return (tensor(points, [perClass * 2, 2]).DetachFromDisposeScope(), tensor(labels).DetachFromDisposeScope());
    }

    private static (Sequential model, double accuracy) Train(long seed)
    {
        manual_seed(seed);
        var (x, y) = Spirals(200, 1);
        var model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2));
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        for (var epoch = 0; epoch < 600; epoch++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            F.cross_entropy(model.forward(x), y).backward();
            optimizer.step();
        }
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var accuracy = model.forward(x).argmax(1).eq(y).to(float32).mean().item<float>();
            x.Dispose();
            y.Dispose();
            return (model, accuracy);
        }
    }

    [Fact]
    public void An_mlp_learns_two_spirals_and_the_same_seed_gives_bit_identical_weights()
    {
        var (first, accuracy) = Train(7);
        var (second, _) = Train(7);
        using (first)
        using (second)
        {
            Assert.True(accuracy >= 0.99, $"accuracy {accuracy:P1} < 99%");
            foreach (var (name, p) in first.named_parameters())
            {
                Assert.Equal(p.ToArray<float>(), second.state_dict()[name].ToArray<float>());
            }
        }
    }

    [Fact]
    public void Safetensors_round_trip_keeps_names_shapes_dtypes_and_metadata()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var model = nn.Sequential(nn.Conv1d(2, 3, 3), nn.BatchNorm1d(3));
            model.save_safetensors(path, new Dictionary<string, string> { ["epoch"] = "3" });
            using var copy = nn.Sequential(nn.Conv1d(2, 3, 3), nn.BatchNorm1d(3));
            var metadata = copy.load_safetensors(path);
            Assert.Equal("3", metadata["epoch"]);
            foreach (var (name, t) in model.state_dict())
            {
                Golden.AssertEqual(t, copy.state_dict()[name], name);
            }

            Assert.Equal(ScalarType.Int64, copy.state_dict()["1.num_batches_tracked"].dtype);

            using var other = nn.Sequential(nn.Conv1d(2, 4, 3));
            var error = Assert.Throws<ArgumentException>(() => other.load_safetensors(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("'0.weight': shape [3, 2, 3] in the source, [4, 2, 3] in the model", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_flipped_byte_in_tensor_data_is_refused_naming_the_file_and_the_hash()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var model = nn.Sequential(nn.Linear(8, 8));
            model.save_safetensors(path);
            var bytes = File.ReadAllBytes(path);
            var headerLength = (long)BitConverter.ToUInt64(bytes, 0);
            var checksum = System.Security.Cryptography.SHA256.HashData(bytes.AsSpan((int)(8 + headerLength)));
            Assert.Contains(
                Convert.ToHexStringLower(checksum),
                System.Text.Encoding.UTF8.GetString(bytes, 8, (int)headerLength)
            );
            bytes[^5] ^= 0x10; // one bit of the last weight
            File.WriteAllBytes(path, bytes);
            var before = File.ReadAllBytes(path);
            var error = Assert.Throws<InvalidDataException>(() => Nsmt.Neural.IO.SafeTensors.Load(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("nsmt.data_sha256", error.Message);
            Assert.Contains(Convert.ToHexStringLower(checksum), error.Message);
            Assert.Equal(before, File.ReadAllBytes(path)); // loading never changes the file
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Corrupt_safetensors_files_give_a_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllBytes(path, [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, (byte)'{']);
            Assert.Contains("header length", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message);
            var header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}"u8.ToArray();
            File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[8]]);
            Assert.Contains(
                "needs 16 bytes",
                Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message
            );
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    // [2^32, 2^32] wraps to 0 elements in unchecked 64-bit arithmetic, matching the empty data_offsets.
    [InlineData("[4294967296,4294967296]", "[0,0]", "more elements than 64 bits count")]
    [InlineData("[2147483648]", "[0,8589934592]", "outside the 8 data bytes")]
    [InlineData("[2147483648]", "[0,8]", "needs 8589934592 bytes")]
    public void Safetensors_shapes_of_2_to_the_31_or_more_are_refused_before_allocating(
        string shape,
        string offsets,
        string expected
    )
    {
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-{Guid.NewGuid():N}.safetensors");
        try
        {
            var header = System.Text.Encoding.UTF8.GetBytes(
                $"{{\"w\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}"
            );
            File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[8]]);
            var (error, _) = Bounded.Throws<InvalidDataException>(() => SafeTensors.Load(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("entry 'w'", error.Message);
            Assert.Contains(expected, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Reads_the_safetensors_file_written_by_the_python_fixture_script()
    {
        // The fixture was written by the format's own rules in Python; every entry must load with its dtype.
        Assert.Equal(ScalarType.Int64, Golden.Get("loss.target").dtype);
        Assert.Equal(ScalarType.Float64, Golden.Get("stft.signal").dtype);
        Assert.Equal(new long[] { 4, 5 }, Golden.Get("ew.x").shape);
    }
}
