using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Tests;

/// <summary>Import/export rules of nam-format.md on models made here.</summary>
public sealed class NamFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-nam-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static NamModel SmallWaveNet() => TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano));

    private static NamModel SmallLstm() => TestModels.Random(NamPresets.Lstm(LstmPreset.Nano));

    private static JsonObject AsJson(NamModel model) => JsonNode.Parse(NamFile.Serialize(model))!.AsObject();

    private string WriteFile(string name, string json)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, json);
        return path;
    }

    private NamFormatException LoadFails(string json, string name = "broken.nam")
    {
        var path = WriteFile(name, json);
        var error = Assert.Throws<NamFormatException>(() => NamFile.Load(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Field, error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void Export_writes_version_054_and_exactly_the_legacy_keys()
    {
        var json = AsJson(SmallWaveNet());

        Assert.Equal("0.5.4", (string?)json["version"]);
        Assert.Equal("WaveNet", (string?)json["architecture"]);
        Assert.Equal(48000, (double)json["sample_rate"]!);
        var config = json["config"]!.AsObject();
        Assert.Equal(["layers", "head", "head_scale"], config.Select(p => p.Key));
        Assert.Null(config["head"]);
        foreach (var array in config["layers"]!.AsArray())
        {
            Assert.Equal(
                [
                    "input_size",
                    "condition_size",
                    "head_size",
                    "channels",
                    "kernel_size",
                    "dilations",
                    "activation",
                    "gated",
                    "head_bias",
                ],
                array!.AsObject().Select(p => p.Key)
            );
            Assert.Equal(JsonValueKind.False, array["gated"]!.GetValueKind());
            Assert.Equal("Tanh", (string?)array["activation"]);
        }
    }

    [Fact]
    public void Export_writes_head_scale_in_config_and_as_the_last_weight()
    {
        var model = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano, headScale: 0.037f));
        var json = AsJson(model);

        Assert.Equal(0.037f, (float)json["config"]!["head_scale"]!);
        Assert.Equal(0.037f, (float)json["weights"]!.AsArray()[^1]!);
    }

    [Fact]
    public void Export_writes_round_trippable_invariant_floats()
    {
        var config = NamPresets.Lstm(LstmPreset.Nano);
        var weights = NamWeightInitializer.CreateRandom(config, 4);
        float[] awkward =
        [
            float.Epsilon,
            float.MaxValue,
            -float.MaxValue,
            1.17549435E-38f,
            0.1f,
            1f / 3f,
            -0f,
            16777217f,
            3.4e-5f,
        ];
        awkward.CopyTo(weights, 0);
        var model = new NamModel(config, weights, 44100);

        var previous = CultureInfo.CurrentCulture;
        try
        {
            // A decimal comma in the current culture must not leak into the file.
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;
            var text = NamFile.Serialize(model);
            var reread = NamFile.Parse(text);
            Assert.Equal(BitsOf(weights), BitsOf(reread.Weights));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Random_models_of_every_preset_round_trip_exactly()
    {
        var configs = Enum.GetValues<WaveNetPreset>()
            .Select(p => (NamModelConfig)NamPresets.WaveNet(p))
            .Concat(Enum.GetValues<LstmPreset>().Select(p => NamPresets.Lstm(p)));
        foreach (var config in configs)
        {
            var model = TestModels.Random(config, seed: config.ParameterCount);
            var reread = NamFile.Parse(NamFile.Serialize(model));
            Assert.Equal(model.Config, reread.Config);
            Assert.Equal(BitsOf(model.Weights), BitsOf(reread.Weights));
            Assert.Equal(model.SampleRate, reread.SampleRate);
        }
    }

    [Fact]
    public void Metadata_round_trips()
    {
        var metadata = new NamMetadata
        {
            Date = new NamDate(2025, 1, 2, 3, 4, 5),
            Loudness = -18.25,
            Gain = 0.4,
            Name = "Ünïcode \"quoted\"",
            ModeledBy = "us",
            GearMake = "Make",
            GearModel = "Model",
            GearType = "amp_cab",
            ToneType = "hi_gain",
            InputLevelDbu = 12,
            OutputLevelDbu = 6.5,
            Training = new NamTrainingMetadata
            {
                Settings = new NamTrainingSettings { IgnoreChecks = true },
                Data = new NamTrainingData
                {
                    Latency = new NamLatencyMetadata
                    {
                        Manual = 3,
                        Calibration = new NamLatencyCalibration
                        {
                            AlgorithmVersion = 1,
                            Delays = [-2, -3],
                            SafetyFactor = 1,
                            Recommended = -4,
                            Warnings = new NamLatencyWarnings
                            {
                                MatchesLookahead = true,
                                DisagreementTooHigh = false,
                                NotDetected = false,
                            },
                        },
                    },
                    Checks = new NamDataChecks { Version = 3, Passed = false },
                },
                ValidationEsr = 0.0123,
            },
        };
        var model = SmallLstm().WithMetadata(metadata);

        Assert.Equal(metadata, NamFile.Parse(NamFile.Serialize(model)).Metadata);
    }

    [Fact]
    public void Save_replaces_the_file_atomically_and_leaves_no_temporary_files()
    {
        var path = Path.Combine(_folder, "model.nam");
        NamFile.Save(SmallLstm(), path);
        NamFile.Save(SmallWaveNet(), path);

        Assert.Equal(NamArchitecture.WaveNet, NamFile.Load(path).Architecture);
        Assert.Equal(["model.nam"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_validates_before_touching_the_target()
    {
        var path = Path.Combine(_folder, "model.nam");
        NamFile.Save(SmallLstm(), path);
        var before = File.ReadAllText(path);
        var config = NamPresets.WaveNet(WaveNetPreset.Nano, headScale: 0.02f);
        var weights = NamWeightInitializer.CreateRandom(config, 1);
        weights[^1] = 0.5f; // Core would use 0.5, the config says 0.02
        var inconsistent = new NamModel(config, weights, 48000);

        var error = Assert.Throws<NamFormatException>(() => NamFile.Save(inconsistent, path));

        Assert.Equal("config.head_scale", error.Field);
        Assert.Equal(path, error.FilePath);
        Assert.Equal(before, File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Export_refuses_a_model_without_sample_rate()
    {
        var model = TestModels.Random(NamPresets.Lstm(LstmPreset.Nano), sampleRate: null);
        Assert.Equal("sample_rate", Assert.Throws<NamFormatException>(() => NamFile.Serialize(model)).Field);
    }

    [Theory]
    [InlineData("gear_type", "guitar")]
    [InlineData("tone_type", "bright")]
    public void Export_refuses_metadata_values_outside_the_spec(string field, string value)
    {
        var metadata =
            field == "gear_type" ? new NamMetadata { GearType = value } : new NamMetadata { ToneType = value };
        var model = SmallLstm().WithMetadata(metadata);
        Assert.Equal($"metadata.{field}", Assert.Throws<NamFormatException>(() => NamFile.Serialize(model)).Field);
    }

    [Fact]
    public void Corrupt_json_names_the_file()
    {
        var json = NamFile.Serialize(SmallLstm());
        var error = LoadFails(json[..(json.Length / 2)]);
        Assert.Equal("(json)", error.Field);
    }

    [Fact]
    public void NaN_token_is_rejected_as_invalid_json()
    {
        var json = AsJson(SmallLstm());
        const string marker = "123456789.5";
        json["weights"]!.AsArray()[0] = JsonValue.Create(123456789.5);
        var withNaN = json.ToJsonString().Replace(marker, "NaN", StringComparison.Ordinal);

        var error = LoadFails(withNaN);
        Assert.Equal("(json)", error.Field);
        Assert.Contains("NaN", error.Problem, StringComparison.Ordinal);
        Assert.Contains("line 1", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e400")] // overflows double
    [InlineData("1e39")] // finite double, infinite float32
    [InlineData("-1e39")]
    public void Weights_that_overflow_to_infinity_are_rejected_naming_the_index(string literal)
    {
        // JsonNode cannot hold 1e400, so put a marker value in and replace it textually.
        var json = AsJson(SmallLstm());
        const string marker = "123456789.5";
        json["weights"]!.AsArray()[5] = JsonValue.Create(123456789.5);
        var text = json.ToJsonString().Replace(marker, literal, StringComparison.Ordinal);

        var error = LoadFails(text);
        Assert.Equal("weights[5]", error.Field);
        Assert.Contains("finite", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WaveNet")]
    [InlineData("LSTM")]
    public void Wrong_weight_count_is_rejected(string architecture)
    {
        var json = AsJson(architecture == "WaveNet" ? SmallWaveNet() : SmallLstm());
        json["weights"]!.AsArray().RemoveAt(0);

        var error = LoadFails(json.ToJsonString());
        Assert.Equal("weights", error.Field);
        Assert.Contains("expected exactly", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gating_mode", "\"maybe\"")]
    [InlineData("film", "{}")]
    [InlineData("bottleneck", "0")]
    [InlineData("kernel_sizes", "[3]")]
    [InlineData("head1x1", "{}")]
    [InlineData("layer1x1", "{}")]
    [InlineData("secondary_activation", "\"Sigmoid\"")]
    [InlineData("slimmable", "{\"method\": \"prune\"}")]
    public void Bad_or_unknown_wavenet_keys_are_rejected_by_name(string key, string value)
    {
        var json = AsJson(SmallWaveNet());
        json["config"]!["layers"]![1]![key] = JsonNode.Parse(value);
        if (key == "secondary_activation")
        {
            // A secondary activation of an ungated layer is ignored (as in Core) unless it is not an activation.
            json["config"]!["layers"]![1]!["gating_mode"] = "gated";
            json["config"]!["layers"]![1]![key] = "Swish";
        }

        var error = LoadFails(json.ToJsonString());
        Assert.StartsWith($"config.layers[1].{key}", error.Field, StringComparison.Ordinal);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_config_and_top_level_keys_are_rejected_by_name()
    {
        var json = AsJson(SmallWaveNet());
        json["config"]!["conditioning"] = JsonNode.Parse("{}");
        Assert.Equal("config.conditioning", LoadFails(json.ToJsonString()).Field);

        // A nested model's errors name their full path.
        json = AsJson(SmallWaveNet());
        json["config"]!["condition_dsp"] = JsonNode.Parse("{}");
        Assert.Equal("config.condition_dsp.version", LoadFails(json.ToJsonString()).Field);

        var lstm = AsJson(SmallLstm());
        lstm["config"]!["bidirectional"] = true;
        Assert.Equal("config.bidirectional", LoadFails(lstm.ToJsonString()).Field);

        var top = AsJson(SmallLstm());
        top["submodels"] = JsonNode.Parse("[]");
        Assert.Equal("submodels", LoadFails(top.ToJsonString()).Field);
    }

    [Fact]
    public void Unknown_metadata_keys_are_ignored_like_core()
    {
        var json = AsJson(SmallLstm());
        json["metadata"] = JsonNode.Parse("{\"name\": \"x\", \"nam_version\": \"0.10.0\"}");
        Assert.Equal("x", NamFile.Parse(json.ToJsonString()).Metadata!.Name);
    }

    [Theory]
    [InlineData("ConvNet")]
    [InlineData("wavenet")]
    [InlineData("Lstm")]
    public void Unsupported_or_miscased_architecture_is_rejected(string architecture)
    {
        var json = AsJson(SmallLstm());
        json["architecture"] = architecture;
        var error = LoadFails(json.ToJsonString());
        Assert.Equal("architecture", error.Field);
        Assert.Contains(architecture, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_sample_rate_is_rejected_but_a_missing_one_is_unknown()
    {
        var json = AsJson(SmallLstm());
        json["sample_rate"] = null;
        Assert.Equal("sample_rate", LoadFails(json.ToJsonString()).Field);

        json.Remove("sample_rate");
        Assert.Null(NamFile.Parse(json.ToJsonString()).SampleRate);
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("v0.5.4")]
    [InlineData("0.8.0")]
    [InlineData("0.4.0")]
    [InlineData("0.5.4.1")]
    [InlineData("0.5.x")]
    [InlineData("1.5.4")]
    [InlineData("")]
    public void Unsupported_versions_are_rejected(string version)
    {
        var json = AsJson(SmallLstm());
        json["version"] = version;
        Assert.Equal("version", LoadFails(json.ToJsonString()).Field);
    }

    [Theory]
    [InlineData("0.5.0")]
    [InlineData("0.5.4")]
    [InlineData("0.5.12")]
    [InlineData("0.6.0")]
    [InlineData("0.7.0")]
    [InlineData("0.7.3")]
    public void Versions_core_reads_are_accepted(string version)
    {
        var json = AsJson(SmallLstm());
        json["version"] = version;
        Assert.Equal(version, NamFile.Parse(json.ToJsonString()).Version);
    }

    public static TheoryData<string, string, string> LayerRuleViolations =>
        new()
        {
            { "layers[0].input_size", "2", "config.layers[0].input_size" },
            { "layers[1].input_size", "3", "config.layers[1].input_size" },
            { "layers[1].channels", "3", "config.layers[1].channels" },
            { "layers[1].head_size", "2", "config.layers[1].head_size" },
            { "layers[0].condition_size", "2", "config.layers[0].condition_size" },
            { "layers[0].activation", "\"Swish\"", "config.layers[0].activation" },
            { "layers[0].activation", "\"tanh\"", "config.layers[0].activation" },
            { "layers[0].gated", "0", "config.layers[0].gated" },
            { "layers[0].kernel_size", "3.5", "config.layers[0].kernel_size" },
            { "layers[0].dilations", "[]", "config.layers[0].dilations" },
            { "layers[0].dilations", "[1, 0]", "config.layers[0].dilations[1]" },
            { "head", "{}", "config.head.channels" },
            {
                "head",
                "{\"in_channels\": 1, \"channels\": 2, \"out_channels\": 2, \"kernel_sizes\": [1], \"activation\": \"ReLU\"}",
                "config.head.out_channels"
            },
        };

    [Theory]
    [MemberData(nameof(LayerRuleViolations))]
    public void Layer_array_rules_are_enforced(string where, string value, string expectedField)
    {
        var json = AsJson(SmallWaveNet());
        var config = json["config"]!.AsObject();
        if (where == "head")
        {
            config["head"] = JsonNode.Parse(value);
        }
        else
        {
            var index = where[7] - '0';
            var key = where[(where.IndexOf('.', StringComparison.Ordinal) + 1)..];
            config["layers"]![index]![key] = JsonNode.Parse(value);
        }

        Assert.Equal(expectedField, LoadFails(json.ToJsonString()).Field);
    }

    [Fact]
    public void Missing_head_scale_is_rejected()
    {
        var json = AsJson(SmallWaveNet());
        json["config"]!.AsObject().Remove("head_scale");
        Assert.Equal("config.head_scale", LoadFails(json.ToJsonString()).Field);
    }

    [Fact]
    public void Head_scale_differing_from_the_last_weight_loads_and_the_engine_uses_the_weight()
    {
        var json = AsJson(SmallWaveNet());
        json["config"]!["head_scale"] = 0.5;
        var model = NamFile.Parse(json.ToJsonString());

        Assert.Equal(0.5f, ((WaveNetConfig)model.Config).HeadScale);
        Assert.Equal(model.Weights[^1], model.EffectiveHeadScale);
    }

    [Fact]
    public void Lstm_input_size_other_than_one_is_rejected()
    {
        var json = AsJson(SmallLstm());
        json["config"]!["input_size"] = 2;
        Assert.Equal("config.input_size", LoadFails(json.ToJsonString()).Field);
    }

    [Fact]
    public void Metadata_with_a_wrong_type_is_rejected_naming_the_field()
    {
        var json = AsJson(SmallLstm());
        json["metadata"] = JsonNode.Parse(
            "{\"training\": {\"data\": {\"latency\": {\"calibration\": {\"delays\": [\"a\"]}}}}}"
        );
        Assert.Equal("metadata.training.data.latency.calibration.delays[0]", LoadFails(json.ToJsonString()).Field);
    }

    [Fact]
    public void Constructing_an_invalid_model_fails_with_the_same_rules()
    {
        var config = NamPresets.Lstm(LstmPreset.Nano);
        var weights = new float[config.ParameterCount];
        weights[3] = float.NaN;
        Assert.Equal("weights[3]", Assert.Throws<NamFormatException>(() => new NamModel(config, weights, 48000)).Field);
        Assert.Equal(
            "weights",
            Assert.Throws<NamFormatException>(() => new NamModel(config, new float[5], 48000)).Field
        );
        Assert.Equal(
            "sample_rate",
            Assert.Throws<NamFormatException>(() => new NamModel(config, new float[709], 0)).Field
        );
    }

    private static int[] BitsOf(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
