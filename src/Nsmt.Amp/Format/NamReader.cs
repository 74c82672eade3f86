using System.Text.Json;
using Nsmt.Amp.Architectures;
using static Nsmt.Amp.Format.JsonFields;

namespace Nsmt.Amp.Format;

/// <summary>
/// Parses <c>.nam</c> JSON (versions 0.5.x-0.7.x) into a validated <see cref="NamModel"/>. A WaveNet
/// that uses only A1's keys with Tanh becomes a <see cref="WaveNetConfig"/> (the A1 engine); any other
/// WaveNet an <see cref="ExtendedWaveNetConfig"/>.
/// </summary>
internal static class NamReader
{
    private static readonly HashSet<string> TopLevelKeys =
    [
        "version",
        "architecture",
        "config",
        "weights",
        "sample_rate",
        "metadata",
        "notes",
    ];

    private static readonly HashSet<string> WaveNetConfigKeys = ["layers", "head", "head_scale"];

    private static readonly HashSet<string> LayerArrayKeys =
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
    ];

    private static readonly HashSet<string> LstmConfigKeys = ["input_size", "hidden_size", "num_layers"];

    private static readonly HashSet<string> ContainerConfigKeys = ["submodels"];

    private static readonly HashSet<string> SubmodelKeys = ["max_value", "model"];

    public static NamModel Parse(ReadOnlyMemory<byte> utf8Json, string? sourceName)
    {
        try
        {
            using var document = ParseDocument(utf8Json);
            return ParseRoot(document.RootElement, isConditionDsp: false);
        }
        catch (NamFormatException e)
        {
            throw e.WithFile(sourceName);
        }
    }

    private static JsonDocument ParseDocument(ReadOnlyMemory<byte> utf8Json)
    {
        // JsonDocument checks string bytes only when a string is read, and then throws InvalidOperationException
        // (found by fuzzing): the whole text is checked here, once, so every read after it is safe.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
        {
            throw new NamFormatException(
                null,
                "(json)",
                $"not valid UTF-8 text (at byte {InvalidUtf8Offset(utf8Json.Span)}); a .nam file is UTF-8 JSON"
            );
        }

        // A UTF-8 byte order mark (Windows editors write one) is not JSON, but NAM Core's reader skips it: so do we.
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        if (utf8Json.Span.StartsWith(bom))
        {
            utf8Json = utf8Json[bom.Length..];
        }

        try
        {
            return JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            // JSON has no NaN/Infinity tokens, so such a weight surfaces here as corrupt JSON.
            var where = e.LineNumber is { } line
                ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}"
                : string.Empty;
            var reason = e.Message.Split(" LineNumber:", 2)[0].TrimEnd();
            var namedFloat =
                reason.Contains("'N'", StringComparison.Ordinal) || reason.Contains("'I'", StringComparison.Ordinal);
            var hint = namedFloat
                ? " (JSON has no NaN or Infinity literals: every weight must be a finite number)"
                : string.Empty;
            throw new NamFormatException(null, "(json)", $"not valid JSON{where}: {reason}{hint}", e);
        }
    }

    /// <summary>The .nam-shaped model object inside a knob WaveNet file (<see cref="KnobWaveNetReader"/>), whose condition holds <paramref name="knobInputs"/> knobs.</summary>
    internal static NamModel ParseKnobWaveNet(JsonElement model, int knobInputs) =>
        ParseRoot(model, isConditionDsp: false, knobInputs);

    private static NamModel ParseRoot(JsonElement root, bool isConditionDsp, int knobInputs = 0)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new NamFormatException(null, "(root)", "must be a JSON object");
        }

        RejectUnknownKeys(root, string.Empty, TopLevelKeys, "not part of the .nam format");
        var version = RequireString(root, string.Empty, "version");
        if (!NamVersion.IsSupported(version))
        {
            throw new NamFormatException(
                null,
                "version",
                $"unsupported version '{version}' ({NamVersion.SupportedDescription})"
            );
        }

        var architecture = RequireString(root, string.Empty, "architecture");
        // Check the config before the weights so a count mismatch is reported against a sane config.
        var config = ParseConfig(architecture, RequireObject(root, string.Empty, "config"), isConditionDsp, knobInputs);
        // A container has no weights of its own: Core ignores its top-level array.
        var weights =
            config is SlimmableContainerConfig ? [] : ParseWeights(RequireArray(root, string.Empty, "weights"), config);
        var sampleRate = ParseSampleRate(root);
        var metadata = Optional(root, "metadata") is { } meta ? NamMetadataReader.Parse(meta) : null;
        return new NamModel(config, weights, sampleRate, metadata, version);
    }

    /// <summary>A .nam file's <c>config</c> object for its <c>architecture</c>, validated (also the form of NAM's presets).</summary>
    public static NamModelConfig ParseConfig(
        string architecture,
        JsonElement configElement,
        bool isConditionDsp = false,
        int knobInputs = 0
    )
    {
        if (knobInputs > 0 && architecture != "WaveNet")
        {
            throw new NamFormatException(
                null,
                "architecture",
                $"a knob model's architecture is \"WaveNet\", got '{architecture}'"
            );
        }

        NamModelConfig config = architecture switch
        {
            "WaveNet" when !isConditionDsp && knobInputs == 0 && IsA1(configElement) => ParseWaveNetConfig(
                configElement
            ),
            "WaveNet" => ExtendedWaveNetReader.Parse(configElement, isConditionDsp, ParseNested, knobInputs),
            "LSTM" => ParseLstmConfig(configElement),
            "SlimmableContainer" => ParseContainerConfig(configElement),
            "ConvNet" or "Linear" => throw new NamFormatException(
                null,
                "architecture",
                $"the legacy '{architecture}' architecture is not supported (supported: \"WaveNet\", \"LSTM\", \"SlimmableContainer\")"
            ),
            _ => throw new NamFormatException(
                null,
                "architecture",
                $"unsupported architecture '{architecture}' (supported: \"WaveNet\", \"LSTM\", \"SlimmableContainer\"; case-sensitive)"
            ),
        };
        config.Validate();
        return config;
    }

    /// <summary>Whether a WaveNet config is plain A1: only A1's keys, Tanh, no post head, condition DSP or input channels.</summary>
    private static bool IsA1(JsonElement config)
    {
        if (
            config.ValueKind != JsonValueKind.Object
            || config.EnumerateObject().Any(p => !WaveNetConfigKeys.Contains(p.Name))
            || Optional(config, "head") is not null
            || !config.TryGetProperty("layers", out var layers)
            || layers.ValueKind != JsonValueKind.Array
        )
        {
            return false;
        }

        return layers
            .EnumerateArray()
            .All(layer =>
                layer.ValueKind == JsonValueKind.Object
                && layer.EnumerateObject().All(p => LayerArrayKeys.Contains(p.Name))
                && layer.TryGetProperty("activation", out var activation)
                && activation.ValueKind == JsonValueKind.String
                && activation.GetString() == WaveNetLayerArrayConfig.TanhActivation
            );
    }

    /// <summary>A model nested in another's config; its errors name their full path.</summary>
    private static NamModel ParseNested(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new NamFormatException(null, field, "must be a .nam model object");
        }

        try
        {
            return ParseRoot(element, isConditionDsp: field.EndsWith("condition_dsp", StringComparison.Ordinal));
        }
        catch (NamFormatException e)
        {
            throw new NamFormatException(null, $"{field}.{e.Field}", e.Problem, e.InnerException);
        }
    }

    private static SlimmableContainerConfig ParseContainerConfig(JsonElement config)
    {
        const string path = "config";
        RejectUnknownKeys(config, path, ContainerConfigKeys, "not part of a SlimmableContainer config");
        var submodels = RequireObjects(config, path, "submodels", (entry, field) =>
        {
            RejectUnknownKeys(entry, field, SubmodelKeys, "not part of a SlimmableContainer submodel");
            var maxValue = AsDouble(RequireElement(entry, field, "max_value"), $"{field}.max_value");
            return new SlimmableSubmodel(maxValue, ParseNested(RequireObject(entry, field, "model"), $"{field}.model"));
        });
        return new SlimmableContainerConfig { Submodels = submodels };
    }

    private static double? ParseSampleRate(JsonElement root)
    {
        // Absent: Core treats the rate as unknown (-1). Present but null: Core fails to load.
        if (!root.TryGetProperty("sample_rate", out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            throw new NamFormatException(
                null,
                "sample_rate",
                "must not be null (Core fails to load such a file); give the rate in Hz"
            );
        }

        return AsDouble(value, "sample_rate");
    }

    private static float[] ParseWeights(JsonElement array, NamModelConfig config)
    {
        var count = array.GetArrayLength();
        if (count != config.ParameterCount)
        {
            throw new NamFormatException(
                null,
                "weights",
                $"expected exactly {config.ParameterCount} weights for this {config.Architecture.ToFileValue()} config, got {count}"
            );
        }

        var weights = new float[count];
        var i = 0;
        foreach (var value in array.EnumerateArray())
        {
            weights[i] = AsFiniteSingle(value, $"weights[{i}]");
            i++;
        }

        return weights;
    }

    private static WaveNetConfig ParseWaveNetConfig(JsonElement config)
    {
        const string path = "config";
        RejectUnknownKeys(config, path, WaveNetConfigKeys, "not part of NAM's A1 WaveNet");
        if (config.TryGetProperty("head", out var head) && head.ValueKind != JsonValueKind.Null)
        {
            throw new NamFormatException(null, "config.head", "must be null (a post-head is not part of A1)");
        }

        var arrays = RequireObjects(config, path, "layers", ParseLayerArray);

        return new WaveNetConfig
        {
            LayerArrays = arrays,
            HeadScale = AsFiniteSingle(RequireElement(config, path, "head_scale"), "config.head_scale"),
        };
    }

    private static WaveNetLayerArrayConfig ParseLayerArray(JsonElement layer, string field)
    {
        RejectUnknownKeys(layer, field, LayerArrayKeys, "a WaveNet feature newer than A1; not supported");
        var dilationsElement = RequireArray(layer, field, "dilations");
        var dilations = new List<int>();
        var i = 0;
        foreach (var d in dilationsElement.EnumerateArray())
        {
            dilations.Add(AsInt(d, $"{field}.dilations[{i}]"));
            i++;
        }

        return new WaveNetLayerArrayConfig
        {
            InputSize = RequireInt(layer, field, "input_size"),
            ConditionSize = RequireInt(layer, field, "condition_size"),
            HeadSize = RequireInt(layer, field, "head_size"),
            Channels = RequireInt(layer, field, "channels"),
            KernelSize = RequireInt(layer, field, "kernel_size"),
            Dilations = dilations,
            Activation = RequireString(layer, field, "activation"),
            Gated = RequireBool(layer, field, "gated"),
            HeadBias = RequireBool(layer, field, "head_bias"),
        };
    }

    private static LstmConfig ParseLstmConfig(JsonElement config)
    {
        const string path = "config";
        RejectUnknownKeys(config, path, LstmConfigKeys, "not part of NAM's LSTM config");
        return new LstmConfig
        {
            InputSize = RequireInt(config, path, "input_size"),
            HiddenSize = RequireInt(config, path, "hidden_size"),
            NumLayers = RequireInt(config, path, "num_layers"),
        };
    }

    private static JsonElement RequireElement(JsonElement obj, string path, string key)
    {
        if (!obj.TryGetProperty(key, out var value))
        {
            throw new NamFormatException(null, Join(path, key), "required key is missing");
        }

        return value;
    }

    /// <summary>The offset of the first byte that does not decode as UTF-8.</summary>
    private static int InvalidUtf8Offset(ReadOnlySpan<byte> text)
    {
        System.Text.Unicode.Utf8.ToUtf16(
            text,
            new char[text.Length],
            out var valid,
            out _,
            replaceInvalidSequences: false
        );
        return valid;
    }
}
