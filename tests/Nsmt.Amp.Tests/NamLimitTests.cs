using System.Text.Json.Nodes;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
using Xunit.Abstractions;

namespace Nsmt.Amp.Tests;

/// <summary>
/// Sizes in a .nam config are bounded (NamLimits) and weight counts are computed in checked 64-bit arithmetic,
/// so a hostile config is refused by name before anything is allocated instead of wrapping around.
/// </summary>
public sealed class NamLimitTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-nam-limits-").FullName;
    private readonly ITestOutputHelper _output;

    public NamLimitTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Loads the file, asserting that it fails fast and small, naming the file, the field and the limit.</summary>
    private NamFormatException LoadFails(JsonObject json, string field, string limit)
    {
        var path = Path.Combine(_folder, "hostile.nam");
        File.WriteAllText(path, json.ToJsonString());
        var (error, cost) = Bounded.Throws<NamFormatException>(() => NamFile.Load(path));
        _output.WriteLine($"{field}: {cost}");

        Assert.Equal(path, error.FilePath);
        Assert.Equal(field, error.Field);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(limit, error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>An LSTM file with the given sizes and the 39 weights of a 1-layer, 2-unit model.</summary>
    private static JsonObject Lstm(long hiddenSize, long numLayers) =>
        new()
        {
            ["version"] = "0.5.4",
            ["architecture"] = "LSTM",
            ["config"] = new JsonObject
            {
                ["input_size"] = 1,
                ["hidden_size"] = hiddenSize,
                ["num_layers"] = numLayers,
            },
            ["weights"] = new JsonArray([.. Enumerable.Repeat(0.01, 39).Select(v => (JsonNode?)v)]),
            ["sample_rate"] = 48000,
        };

    private static JsonObject SmallWaveNet() =>
        JsonNode.Parse(NamFile.Serialize(TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano))))!.AsObject();

    [Fact]
    public void The_39_weight_lstm_fixture_is_valid_with_one_layer()
    {
        // Guards the hostile tests below: with sane sizes the same file loads.
        var path = Path.Combine(_folder, "ok.nam");
        File.WriteAllText(path, Lstm(2, 1).ToJsonString());
        Assert.Equal(39, NamFile.Load(path).Weights.Length);
    }

    [Fact]
    public void Lstm_layer_count_that_wraps_32_bit_arithmetic_to_39_weights_is_refused()
    {
        // 39 + 1073741824 * 44 weights is 0 mod 2^32 + 39: the old int count matched the 39 weights given.
        var error = LoadFails(
            Lstm(2, 1073741825),
            "config.num_layers",
            $"{NamLimits.MaxLstmLayers}] (NamLimits.MaxLstmLayers)"
        );
        Assert.Contains("1073741825", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Lstm_hidden_size_of_a_million_names_the_limit_not_a_wrapped_count()
    {
        var error = LoadFails(
            Lstm(1_000_000, 1),
            "config.hidden_size",
            $"{NamLimits.MaxLstmHiddenSize}] (NamLimits.MaxLstmHiddenSize)"
        );
        Assert.DoesNotContain("1396447425", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lstm_sizes_each_within_limits_but_too_many_weights_together_are_refused()
    {
        LoadFails(Lstm(NamLimits.MaxLstmHiddenSize, NamLimits.MaxLstmLayers), "config", "NamLimits.MaxWeights");
    }

    [Theory]
    [InlineData("channels", 100_000, "config.layers[0].channels", "NamLimits.MaxChannels")]
    [InlineData("kernel_size", 1_000_000, "config.layers[0].kernel_size", "NamLimits.MaxKernelSize")]
    [InlineData("input_size", 2_000_000_000, "config.layers[1].input_size", "NamLimits.MaxChannels")]
    public void Wavenet_sizes_above_the_limits_are_refused_by_field(string key, long value, string field, string limit)
    {
        var json = SmallWaveNet();
        var array = field.Contains("[1]", StringComparison.Ordinal) ? 1 : 0;
        json["config"]!["layers"]![array]![key] = value;
        LoadFails(json, field, limit);
    }

    [Theory]
    [InlineData("num_layers", "2147483648")]
    [InlineData("num_layers", "4294967296")]
    [InlineData("hidden_size", "9223372036854775807")]
    [InlineData("hidden_size", "18446744073709551616")]
    [InlineData("hidden_size", "1e30")]
    public void Lstm_sizes_of_2_to_the_31_or_more_are_refused_by_field(string key, string value)
    {
        // Written as raw JSON text: values beyond long (2^64, 1e30) must be refused too, not crash the parser.
        var json = Lstm(2, 1);
        json["config"]![key] = JsonNode.Parse(value);
        // Beyond 32 bits the reader refuses the number itself; the NamLimits bounds apply to what it accepts.
        var error = LoadFails(json, $"config.{key}", "must be an integer in [-2147483648, 2147483647]");
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("channels", "2147483648")]
    [InlineData("head_size", "4294967296")]
    [InlineData("kernel_size", "9223372036854775808")]
    public void Wavenet_sizes_of_2_to_the_31_or_more_are_refused_by_field(string key, string value)
    {
        var json = SmallWaveNet();
        json["config"]!["layers"]![0]![key] = JsonNode.Parse(value);
        // Beyond 32 bits the reader refuses the number itself; the NamLimits bounds apply to what it accepts.
        var error = LoadFails(json, $"config.layers[0].{key}", "must be an integer in [-2147483648, 2147483647]");
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wavenet_dilation_above_the_limit_is_refused_by_index()
    {
        var json = SmallWaveNet();
        json["config"]!["layers"]![0]!["dilations"]![2] = 1 << 30;
        LoadFails(json, "config.layers[0].dilations[2]", "NamLimits.MaxDilation");
    }

    [Fact]
    public void Wavenet_receptive_field_beyond_the_limit_is_refused()
    {
        var json = SmallWaveNet();
        var layer = json["config"]!["layers"]![0]!;
        layer["kernel_size"] = NamLimits.MaxKernelSize;
        layer["dilations"] = new JsonArray([
            .. Enumerable.Repeat(NamLimits.MaxDilation, 512).Select(d => (JsonNode?)d),
        ]);
        LoadFails(json, "config.layers", "NamLimits.MaxReceptiveField");
    }

    [Fact]
    public void Wavenet_with_too_many_weights_in_total_is_refused()
    {
        var json = SmallWaveNet();
        var layers = json["config"]!["layers"]!;
        layers[0]!["channels"] = NamLimits.MaxChannels;
        layers[0]!["kernel_size"] = 3;
        layers[1]!["input_size"] = NamLimits.MaxChannels;
        LoadFails(json, "config", "NamLimits.MaxWeights");
    }

    [Fact]
    public void In_memory_configs_with_absurd_sizes_fail_instead_of_wrapping()
    {
        var config = new LstmConfig { HiddenSize = 2, NumLayers = 1073741825 };
        Assert.Throws<OverflowException>(() => config.ParameterCount);
        Assert.Equal("config.num_layers", Assert.Throws<NamFormatException>(config.Validate).Field);
    }
}
