using System.Text.Json;
using Nsmt.Amp.Architectures;
using static Nsmt.Amp.Format.JsonFields;

namespace Nsmt.Amp.Format;

/// <summary>
/// Parses the <c>config</c> of a 0.6/0.7 WaveNet into <see cref="ExtendedWaveNetConfig"/>, with NAM
/// Core 0.5.5's defaults and rules (wavenet/model.cpp, parse_config_json). Unknown keys are errors
/// naming the field: a key we do not understand could change the sound.
/// </summary>
internal static class ExtendedWaveNetReader
{
    internal const string SlimmableMethod = "slice_channels_uniform";

    private static readonly HashSet<string> ConfigKeys =
    [
        "layers",
        "head",
        "head_scale",
        "condition_dsp",
        "in_channels",
    ];

    private static readonly HashSet<string> PostHeadKeys =
    [
        "in_channels",
        "channels",
        "out_channels",
        "kernel_sizes",
        "activation",
    ];

    private static readonly HashSet<string> LayerArrayKeys =
    [
        "input_size",
        "condition_size",
        "head",
        "head_size",
        "head_bias",
        "channels",
        "bottleneck",
        "kernel_size",
        "kernel_sizes",
        "dilations",
        "activation",
        "gating_mode",
        "gated",
        "secondary_activation",
        "groups_input",
        "groups_input_mixin",
        "head1x1",
        "layer1x1",
        "slimmable",
        "conv_pre_film",
        "conv_post_film",
        "input_mixin_pre_film",
        "input_mixin_post_film",
        "activation_pre_film",
        "activation_post_film",
        "layer1x1_post_film",
        "head1x1_post_film",
    ];

    private static readonly HashSet<string> HeadKeys = ["out_channels", "kernel_size", "bias", "head_dilation"];

    private static readonly HashSet<string> FilmKeys = ["active", "shift", "groups"];

    private static readonly HashSet<string> ActivationKeys =
    [
        "type",
        "negative_slope",
        "negative_slopes",
        "min_val",
        "max_val",
        "min_slope",
        "max_slope",
    ];

    /// <param name="parseNested">Parses a nested model object (the condition DSP) at the given field path.</param>
    /// <param name="knobInputs">Knobs beside the audio in the condition (a knob WaveNet file; 0 for a .nam).</param>
    public static ExtendedWaveNetConfig Parse(
        JsonElement config,
        bool isConditionDsp,
        Func<JsonElement, string, NamModel> parseNested,
        int knobInputs = 0
    )
    {
        const string path = "config";
        RejectUnknownKeys(config, path, ConfigKeys, "not part of NAM Core's WaveNet config");
        if (Optional(config, "in_channels") is { } inChannels && AsInt(inChannels, "config.in_channels") != 1)
        {
            throw new NamFormatException(
                null,
                "config.in_channels",
                $"only mono input is supported: must be 1, got {inChannels.GetRawText()}"
            );
        }

        var conditionDsp = Optional(config, "condition_dsp") is { } dsp
            ? parseNested(dsp, "config.condition_dsp")
            : null;
        if (conditionDsp is not null && conditionDsp.Config is not ExtendedWaveNetConfig)
        {
            throw new NamFormatException(
                null,
                "config.condition_dsp.architecture",
                $"only a WaveNet condition DSP is supported, got {conditionDsp.Architecture.ToFileValue()}"
            );
        }

        var arrays = RequireObjects(config, path, "layers", ParseLayerArray);

        var result = new ExtendedWaveNetConfig
        {
            LayerArrays = arrays,
            HeadScale = AsFiniteSingle(RequireElementOf(config, path, "head_scale"), "config.head_scale"),
            PostHead = Optional(config, "head") is { } head ? ParsePostHead(head, arrays) : null,
            ConditionDsp = conditionDsp,
            IsConditionDsp = isConditionDsp,
            KnobInputs = knobInputs,
        };
        result.Validate();
        return result;
    }

    /// <summary>An activation: a name (<c>"ReLU"</c>) or an object with <c>type</c> and parameters.</summary>
    public static NamActivation ParseActivation(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return new NamActivation { Kind = KindOf(value.GetString()!, field) };
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new NamFormatException(null, field, "must be an activation name or an object with \"type\"");
        }

        RejectUnknownKeys(value, field, ActivationKeys, "not a parameter of NAM Core's activations");
        var kind = KindOf(RequireString(value, field, "type"), $"{field}.type");
        float Number(string key, float fallback) =>
            Optional(value, key) is { } v ? AsFiniteSingle(v, $"{field}.{key}") : fallback;

        var activation = new NamActivation
        {
            Kind = kind,
            NegativeSlope = Number("negative_slope", 0.01f),
            MinValue = Number("min_val", -1f),
            MaxValue = Number("max_val", 1f),
            MinSlope = Number("min_slope", 0.01f),
            MaxSlope = Number("max_slope", 0.01f),
        };

        // Core reads negative_slopes only for PReLU, and only when negative_slope is absent.
        if (
            kind == NamActivationKind.PReLU
            && Optional(value, "negative_slope") is null
            && Optional(value, "negative_slopes") is { } slopes
        )
        {
            if (slopes.ValueKind != JsonValueKind.Array || slopes.GetArrayLength() == 0)
            {
                throw new NamFormatException(null, $"{field}.negative_slopes", "must be a non-empty array of numbers");
            }

            activation = activation with
            {
                NegativeSlopes = slopes
                    .EnumerateArray()
                    .Select((s, i) => AsFiniteSingle(s, $"{field}.negative_slopes[{i}]"))
                    .ToArray(),
            };
        }

        return activation;
    }

    private static NamActivationKind KindOf(string name, string field) =>
        NamActivation.ParseKind(name)
        ?? throw new NamFormatException(
            null,
            field,
            $"unsupported activation '{name}' (NAM Core's: {string.Join(", ", Enum.GetValues<NamActivationKind>().Select(NamActivation.FileNameOf))}; case-sensitive)"
        );

    private static PostStackHeadConfig ParsePostHead(JsonElement head, List<ExtendedLayerArrayConfig> arrays)
    {
        const string path = "config.head";
        if (head.ValueKind != JsonValueKind.Object)
        {
            throw new NamFormatException(null, path, "must be null or an object");
        }

        RejectUnknownKeys(head, path, PostHeadKeys, "not part of NAM Core's post-stack head");
        var implied = arrays.Count > 0 ? arrays[^1].HeadSize : 0;
        if (Optional(head, "in_channels") is { } legacy && AsInt(legacy, $"{path}.in_channels") != implied)
        {
            throw new NamFormatException(
                null,
                $"{path}.in_channels",
                $"must equal the last layer array's head size ({implied}), got {legacy.GetRawText()}"
            );
        }

        return new PostStackHeadConfig(
            RequireInt(head, path, "channels"),
            RequireInt(head, path, "out_channels"),
            IntList(RequireArray(head, path, "kernel_sizes"), $"{path}.kernel_sizes"),
            ParseActivation(RequireElementOf(head, path, "activation"), $"{path}.activation")
        );
    }

    private static ExtendedLayerArrayConfig ParseLayerArray(JsonElement layer, string field)
    {
        RejectUnknownKeys(layer, field, LayerArrayKeys, "not a WaveNet layer array key NAM Core reads");
        var dilations = IntList(RequireArray(layer, field, "dilations"), $"{field}.dilations");
        var layers = dilations.Count;
        var channels = RequireInt(layer, field, "channels");

        var (headSize, headKernel, headDilation, headBias) = ParseHead(layer, field);
        var (gatingModes, secondaries) = ParseGating(layer, field, layers);
        var (head1x1Active, head1x1Out, head1x1Groups) = Optional(layer, "head1x1") is { } h
            ? (
                RequireBool(h, $"{field}.head1x1", "active"),
                RequireInt(h, $"{field}.head1x1", "out_channels"),
                RequireInt(h, $"{field}.head1x1", "groups")
            )
            : (false, channels, 1);
        var (layer1x1Active, layer1x1Groups) = Optional(layer, "layer1x1") is { } l1
            ? (RequireBool(l1, $"{field}.layer1x1", "active"), RequireInt(l1, $"{field}.layer1x1", "groups"))
            : (true, 1);

        return new ExtendedLayerArrayConfig
        {
            InputSize = RequireInt(layer, field, "input_size"),
            ConditionSize = RequireInt(layer, field, "condition_size"),
            Channels = channels,
            Bottleneck = Optional(layer, "bottleneck") is { } b ? AsInt(b, $"{field}.bottleneck") : channels,
            KernelSizes = ParseKernelSizes(layer, field, layers),
            Dilations = dilations,
            Activations = PerLayer(
                RequireElementOf(layer, field, "activation"),
                $"{field}.activation",
                layers,
                ParseActivation
            ),
            GatingModes = gatingModes,
            SecondaryActivations = secondaries,
            HeadSize = headSize,
            HeadKernelSize = headKernel,
            HeadDilation = headDilation,
            HeadBias = headBias,
            GroupsInput = Optional(layer, "groups_input") is { } gi ? AsInt(gi, $"{field}.groups_input") : 1,
            GroupsInputMixin = Optional(layer, "groups_input_mixin") is { } gm
                ? AsInt(gm, $"{field}.groups_input_mixin")
                : 1,
            Layer1x1Active = layer1x1Active,
            Layer1x1Groups = layer1x1Groups,
            Head1x1Active = head1x1Active,
            Head1x1OutChannels = head1x1Out,
            Head1x1Groups = head1x1Groups,
            Films = Enum.GetValues<FilmPosition>()
                .ToDictionary(p => p, p => ParseFilm(layer, field, ExtendedLayerArrayConfig.FilmKey(p))),
            SlimmableChannels = ParseSlimmable(layer, field, channels),
        };
    }

    /// <summary>The nested <c>head</c> object (trainer export) or legacy <c>head_size</c> + <c>head_bias</c> (kernel 1).</summary>
    private static (int Size, int Kernel, int Dilation, bool Bias) ParseHead(JsonElement layer, string field)
    {
        if (Optional(layer, "head") is { } head)
        {
            var path = $"{field}.head";
            if (head.ValueKind != JsonValueKind.Object)
            {
                throw new NamFormatException(null, path, "must be an object with out_channels, kernel_size and bias");
            }

            RejectUnknownKeys(head, path, HeadKeys, "not part of a layer array's head");
            var dilation = Optional(head, "head_dilation") is { } d ? AsInt(d, $"{path}.head_dilation") : 1;
            return (
                RequireInt(head, path, "out_channels"),
                RequireInt(head, path, "kernel_size"),
                dilation,
                RequireBool(head, path, "bias")
            );
        }

        if (Optional(layer, "head_size") is { } size)
        {
            return (AsInt(size, $"{field}.head_size"), 1, 1, RequireBool(layer, field, "head_bias"));
        }

        throw new NamFormatException(
            null,
            $"{field}.head",
            "required: a 'head' object (out_channels, kernel_size, bias) or legacy 'head_size' and 'head_bias'"
        );
    }

    private static IReadOnlyList<int> ParseKernelSizes(JsonElement layer, string field, int layers)
    {
        var single = layer.TryGetProperty("kernel_size", out var kernel);
        var list = layer.TryGetProperty("kernel_sizes", out var kernels);
        if (single && list)
        {
            throw new NamFormatException(
                null,
                $"{field}.kernel_sizes",
                "only one of kernel_size (int) or kernel_sizes (array) may be given"
            );
        }

        if (list)
        {
            if (kernels.ValueKind != JsonValueKind.Array)
            {
                throw new NamFormatException(null, $"{field}.kernel_sizes", "must be an array of integers");
            }

            return IntList(kernels, $"{field}.kernel_sizes");
        }

        if (!single)
        {
            throw new NamFormatException(
                null,
                $"{field}.kernel_size",
                "required: kernel_size (int) or kernel_sizes (array)"
            );
        }

        return Enumerable.Repeat(AsInt(kernel, $"{field}.kernel_size"), layers).ToArray();
    }

    /// <summary>gating_mode (one string or one per layer) with secondary_activation (default Sigmoid), or legacy <c>gated</c>.</summary>
    private static (IReadOnlyList<GatingMode> Modes, IReadOnlyList<NamActivation?> Secondaries) ParseGating(
        JsonElement layer,
        string field,
        int layers
    )
    {
        var modes = new List<GatingMode>();
        var secondaries = new List<NamActivation?>();
        if (layer.TryGetProperty("gating_mode", out var gating))
        {
            var perLayer = gating.ValueKind == JsonValueKind.Array;
            var strings = perLayer ? gating.EnumerateArray().ToArray() : Enumerable.Repeat(gating, layers).ToArray();
            var hasSecondary = layer.TryGetProperty("secondary_activation", out var secondary);
            var secondaryPerLayer = hasSecondary && secondary.ValueKind == JsonValueKind.Array;
            if (perLayer && secondaryPerLayer && secondary.GetArrayLength() != layers)
            {
                throw new NamFormatException(
                    null,
                    $"{field}.secondary_activation",
                    $"must have one entry per layer ({layers}), got {secondary.GetArrayLength()}"
                );
            }

            for (var l = 0; l < strings.Length; l++)
            {
                var modeField = perLayer ? $"{field}.gating_mode[{l}]" : $"{field}.gating_mode";
                var mode = ParseGatingMode(strings[l], modeField);
                modes.Add(mode);
                if (mode == GatingMode.None)
                {
                    secondaries.Add(null);
                }
                else if (!hasSecondary)
                {
                    secondaries.Add(NamActivation.Sigmoid);
                }
                else if (secondaryPerLayer)
                {
                    secondaries.Add(
                        ParseActivation(perLayer ? secondary[l] : secondary, $"{field}.secondary_activation[{l}]")
                    );
                }
                else
                {
                    secondaries.Add(ParseActivation(secondary, $"{field}.secondary_activation"));
                }
            }
        }
        else if (Optional(layer, "gated") is { } gated && AsBool(gated, $"{field}.gated"))
        {
            modes.AddRange(Enumerable.Repeat(GatingMode.Gated, layers));
            secondaries.AddRange(Enumerable.Repeat<NamActivation?>(NamActivation.Sigmoid, layers));
        }
        else
        {
            modes.AddRange(Enumerable.Repeat(GatingMode.None, layers));
            secondaries.AddRange(Enumerable.Repeat<NamActivation?>(null, layers));
        }

        return (modes, secondaries);
    }

    private static GatingMode ParseGatingMode(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString() switch
            {
                "none" => GatingMode.None,
                "gated" => GatingMode.Gated,
                "blended" => GatingMode.Blended,
                var other => throw new NamFormatException(
                    null,
                    field,
                    $"unsupported gating mode '{other}' (expected \"none\", \"gated\" or \"blended\")"
                ),
            }
            : throw new NamFormatException(null, field, "must be a string: \"none\", \"gated\" or \"blended\"");

    /// <summary>Absent or <c>false</c>: inactive; an object: active (default true), shift (default true), groups (default 1).</summary>
    private static FilmConfig ParseFilm(JsonElement layer, string field, string key)
    {
        if (!layer.TryGetProperty(key, out var film) || film.ValueKind is JsonValueKind.False or JsonValueKind.Null)
        {
            return FilmConfig.Inactive;
        }

        var path = $"{field}.{key}";
        if (film.ValueKind != JsonValueKind.Object)
        {
            throw new NamFormatException(null, path, "must be false or an object with active, shift and groups");
        }

        RejectUnknownKeys(film, path, FilmKeys, "not part of a FiLM block");
        bool Flag(string name) => Optional(film, name) is not { } v || AsBool(v, $"{path}.{name}");
        var groups = Optional(film, "groups") is { } g ? AsInt(g, $"{path}.groups") : 1;
        return Flag("active") ? new FilmConfig(true, Flag("shift"), groups) : FilmConfig.Inactive;
    }

    private static IReadOnlyList<int>? ParseSlimmable(JsonElement layer, string field, int channels)
    {
        if (Optional(layer, "slimmable") is not { } slimmable)
        {
            return null;
        }

        var path = $"{field}.slimmable";
        if (slimmable.ValueKind != JsonValueKind.Object)
        {
            throw new NamFormatException(null, path, "must be null or an object with method and kwargs");
        }

        RejectUnknownKeys(
            slimmable,
            path,
            new HashSet<string> { "method", "kwargs" },
            "not part of a slimmable setting"
        );
        var method = RequireString(slimmable, path, "method");
        if (method != SlimmableMethod)
        {
            throw new NamFormatException(
                null,
                $"{path}.method",
                $"unsupported slimmable method '{method}' (only \"{SlimmableMethod}\")"
            );
        }

        if (Optional(slimmable, "kwargs") is { } kwargs && Optional(kwargs, "allowed_channels") is { } allowed)
        {
            RejectUnknownKeys(
                kwargs,
                $"{path}.kwargs",
                new HashSet<string> { "allowed_channels" },
                "not a parameter of slice_channels_uniform"
            );
            return IntList(allowed, $"{path}.kwargs.allowed_channels");
        }

        // Core's default for slice_channels_uniform: every count from 1 to channels.
        return Enumerable.Range(1, Math.Max(channels, 0)).ToArray();
    }

    private static IReadOnlyList<T> PerLayer<T>(
        JsonElement value,
        string field,
        int layers,
        Func<JsonElement, string, T> parse
    )
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            var one = parse(value, field);
            return Enumerable.Repeat(one, layers).ToArray();
        }

        if (value.GetArrayLength() != layers)
        {
            throw new NamFormatException(
                null,
                field,
                $"must have one entry per layer ({layers}, the length of dilations), got {value.GetArrayLength()}"
            );
        }

        return value.EnumerateArray().Select((v, i) => parse(v, $"{field}[{i}]")).ToArray();
    }

    private static IReadOnlyList<int> IntList(JsonElement array, string field)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new NamFormatException(null, field, "must be an array of integers");
        }

        return array.EnumerateArray().Select((v, i) => AsInt(v, $"{field}[{i}]")).ToArray();
    }

    private static JsonElement RequireElementOf(JsonElement obj, string path, string key) =>
        obj.TryGetProperty(key, out var value)
            ? value
            : throw new NamFormatException(null, Join(path, key), "required key is missing");
}
