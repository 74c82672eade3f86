using System.Text.Json.Nodes;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Tests;

/// <summary>The 0.6/0.7 reader's rules and the extended engine's properties (Core's outputs are in CoreExamplesConformanceTests).</summary>
public sealed class ExtendedWaveNetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-extended-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [NamFixtureTheory]
    [InlineData("A2.nam", 1.0)]
    [InlineData("A2.nam", 0.3)]
    [InlineData("wavenet_a2_max.nam", 1.0)]
    [InlineData("wavenet_condition_dsp.nam", 1.0)]
    [InlineData("slimmable_wavenet.nam", 0.5)]
    [InlineData("slimmable_container.nam", 1.0)]
    public void Process_allocates_nothing_after_construction(string modelFile, double size)
    {
        var engine = NamEngineFactory.Create(
            NamFile.Load(CoreExamplesConformanceTests.CoreExample(modelFile)),
            TanhMode.Exact,
            size
        );
        Assert.Equal(0, TestModels.AllocatedBytesWhileProcessing(engine, [1, 7, 64, 300, 4096]));
    }

    [Fact]
    public void An_a1_model_read_through_the_extended_format_plays_like_the_a1_engine()
    {
        // The A1 engine matches Core (ConformanceTests); the same weights spelled with 0.6 keys must play alike.
        var a1 = TestModels.Random(TestModels.OddGatedConfig());
        var json = JsonNode.Parse(NamFile.Serialize(a1))!.AsObject();
        json["version"] = "0.6.0";
        foreach (var array in json["config"]!["layers"]!.AsArray())
        {
            var gated = array!["gated"]!.GetValue<bool>();
            array.AsObject().Remove("gated");
            array["gating_mode"] = gated ? "gated" : "none";
            array["activation"] = JsonNode.Parse("{\"type\": \"Tanh\"}");
            array["head"] = JsonNode.Parse(
                $"{{\"out_channels\": {array["head_size"]}, \"kernel_size\": 1, \"bias\": {array["head_bias"]!.ToJsonString()}}}"
            );
            array.AsObject().Remove("head_size");
            array.AsObject().Remove("head_bias");
        }

        var extended = NamFile.Parse(json.ToJsonString());
        Assert.IsType<ExtendedWaveNetConfig>(extended.Config);
        var input = TestModels.Signal(3000);
        var expected = TestModels.Stream(NamEngineFactory.Create(a1), input, 64);
        var actual = TestModels.Stream(NamEngineFactory.Create(extended), input, 64);
        ConformanceTests.AssertClose(expected, actual, 1e-5f);
    }

    /// <summary>Edits of Core's A2.nam (path inside A2-Full's layer array) and the field the error must name.</summary>
    public static TheoryData<string, string, string> BadFields =>
        new()
        {
            { "activation", "{\"type\": \"Swish\"}", "activation.type" },
            { "activation", "[\"ReLU\"]", "activation" },
            { "gating_mode", "\"maybe\"", "gating_mode" },
            { "kernel_sizes", "[6, 6]", "kernel_sizes" },
            { "bottleneck", "0", "bottleneck" },
            { "layer1x1", "{\"active\": true}", "layer1x1.groups" },
            { "layer1x1", "{\"active\": true, \"groups\": 3}", "layer1x1.groups" },
            { "conv_pre_film", "{\"active\": true, \"shift\": true, \"groups\": 3}", "conv_pre_film.groups" },
            { "conv_pre_film", "{\"active\": true, \"scale\": 2}", "conv_pre_film.scale" },
            { "head1x1_post_film", "{\"active\": true}", "head1x1_post_film" },
            { "head", "{\"out_channels\": 1, \"kernel_size\": 16, \"bias\": true, \"stride\": 2}", "head.stride" },
            { "slimmable", "{\"method\": \"prune\"}", "slimmable.method" },
            { "secondary_activation", "[\"Sigmoid\"]", "secondary_activation" },
            { "film", "{}", "film" },
        };

    [NamFixtureTheory]
    [MemberData(nameof(BadFields))]
    public void A_bad_or_unknown_field_is_an_error_naming_it(string key, string value, string expectedField)
    {
        var json = A2Json();
        var array = json["config"]!["submodels"]![1]!["model"]!["config"]!["layers"]![0]!.AsObject();
        array[key] = JsonNode.Parse(value);
        if (key == "secondary_activation")
        {
            array["gating_mode"] = "gated";
        }

        var error = LoadFails(json);
        const string prefix = "config.submodels[1].model.config.layers[0].";
        Assert.StartsWith(prefix + expectedField, error.Field, StringComparison.Ordinal);
        Assert.Contains(error.Field, error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder, "bad.nam"), error.Message, StringComparison.Ordinal);
    }

    [NamFixtureTheory]
    [InlineData("architecture", "\"ConvNet\"", "config.submodels[1].model.architecture")]
    [InlineData("version", "\"0.8.0\"", "config.submodels[1].model.version")]
    [InlineData("max_value", "0.4", "config.submodels[1].max_value")]
    [InlineData("weights", "[1, 2]", "config.submodels[1].model.weights")]
    [InlineData("in_channels", "2", "config.submodels[1].model.config.in_channels")]
    [InlineData(
        "condition_dsp",
        "{\"version\": \"0.5.4\", \"architecture\": \"LSTM\", \"config\": {\"input_size\": 1, \"hidden_size\": 1, \"num_layers\": 1}, \"weights\": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0], \"sample_rate\": 48000}",
        "config.submodels[1].model.config.condition_dsp.architecture"
    )]
    public void Submodel_and_config_errors_name_their_full_path(string key, string value, string expectedField)
    {
        var json = A2Json();
        var submodel = json["config"]!["submodels"]![1]!.AsObject();
        switch (key)
        {
            case "max_value":
                submodel[key] = JsonNode.Parse(value);
                break;
            case "in_channels" or "condition_dsp":
                submodel["model"]!["config"]![key] = JsonNode.Parse(value);
                break;
            default:
                submodel["model"]![key] = JsonNode.Parse(value);
                break;
        }

        Assert.Equal(expectedField, LoadFails(json).Field);
    }

    [NamFixtureFact]
    public void Slicing_a_slimmable_wavenet_gives_a_valid_smaller_model()
    {
        var model = NamFile.Load(CoreExamplesConformanceTests.CoreExample("slimmable_wavenet.nam"));
        var full = (ExtendedWaveNetConfig)model.Config;
        for (var size = 0; size <= 10; size++)
        {
            var played = model.AtSize(size / 10.0);
            var config = (ExtendedWaveNetConfig)played.Config;
            Assert.Equal(full.ChannelsForSize(size / 10.0)[0], config.LayerArrays[0].Channels);
            Assert.Equal(config.ParameterCount, played.Weights.Length);
            Assert.Equal(model.Weights[^1], played.Weights[^1]);
        }

        Assert.Equal(model.Weights, model.AtSize(1.0).Weights);
        var lstm = TestModels.Random(NamPresets.Lstm(LstmPreset.Nano));
        Assert.Same(lstm, lstm.AtSize(0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.AtSize(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.AtSize(double.NaN));
    }

    [NamFixtureFact]
    public void Info_describes_a2_with_both_submodels_and_who_reads_it()
    {
        var info = NamModelInfo.Describe(NamFile.Load(CoreExamplesConformanceTests.CoreExample("A2.nam")));
        Assert.Contains("version: 0.7.0", info, StringComparison.Ordinal);
        Assert.Contains("NOT older plugins that read only 0.5.x", info, StringComparison.Ordinal);
        Assert.Contains("SlimmableContainer, 2 submodels", info, StringComparison.Ordinal);
        Assert.Contains("plays sizes [0, 0.5)", info, StringComparison.Ordinal);
        Assert.Contains("weights: 1,871", info, StringComparison.Ordinal);
        Assert.Contains("weights: 12,146", info, StringComparison.Ordinal);
        Assert.Contains("3 channels", info, StringComparison.Ordinal);
        Assert.Contains("8 channels", info, StringComparison.Ordinal);
        Assert.Contains("kernels {6, 15}", info, StringComparison.Ordinal);
        Assert.Contains("head 1 (kernel 16)", info, StringComparison.Ordinal);
        Assert.Contains("loudness -24.04 dB", info, StringComparison.Ordinal);

        var a1 = NamModelInfo.Describe(NamFile.Load(NamFixtures.PathOf("wavenet_a1_standard.nam")));
        Assert.Contains("every NAM player", a1, StringComparison.Ordinal);
        Assert.Contains("receptive field: 4,093 samples", a1, StringComparison.Ordinal);
    }

    private static JsonObject A2Json() =>
        JsonNode.Parse(File.ReadAllText(CoreExamplesConformanceTests.CoreExample("A2.nam")))!.AsObject();

    private NamFormatException LoadFails(JsonObject json)
    {
        var path = Path.Combine(_folder, "bad.nam");
        File.WriteAllText(path, json.ToJsonString());
        return Assert.Throws<NamFormatException>(() => NamFile.Load(path));
    }
}
