using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nsmt.Amp.Format;

// The .nam files we write, their keys declared once as records (AmpFormatJsonContext): the serializer writes a record's
// properties in declaration order, which is the published key order, snake_case. An optional key is a nullable
// property, left out when null (the context's default); a key always present but null in the file is a property
// marked JsonIgnore Never (head) or JsonNullValue (slimmable, which the compact key set leaves out). A float32 is
// written as its shortest round-trip text (the serializer's float formatting is float.ToString("R")'s).

/// <summary>A model object: a whole <c>.nam</c> file, a container's submodel or a condition DSP.</summary>
internal sealed record NamFileJson(
    string Version,
    NamMetadata? Metadata,
    string Architecture,
    NamConfigJson Config,
    [property: JsonConverter(typeof(WeightsOnOneLine))] float[] Weights,
    double? SampleRate
);

/// <summary><c>config</c>, by architecture (written as the derived record, with no type key).</summary>
[JsonDerivedType(typeof(WaveNetConfigJson))]
[JsonDerivedType(typeof(LstmConfigJson))]
[JsonDerivedType(typeof(ExtendedWaveNetConfigJson))]
[JsonDerivedType(typeof(SlimmableContainerConfigJson))]
internal abstract record NamConfigJson;

/// <summary>A 0.5 (A1) WaveNet's config: <c>head</c> is always null (no post-stack head), <c>head_scale</c> a float32.</summary>
internal sealed record WaveNetConfigJson : NamConfigJson
{
    public required IReadOnlyList<WaveNetLayerArrayJson> Layers { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public object? Head => null;

    public required float HeadScale { get; init; }
}

internal sealed record WaveNetLayerArrayJson(
    int InputSize,
    int ConditionSize,
    int HeadSize,
    int Channels,
    int KernelSize,
    IReadOnlyList<int> Dilations,
    string Activation,
    bool Gated,
    bool HeadBias
);

internal sealed record LstmConfigJson(int InputSize, int HiddenSize, int NumLayers) : NamConfigJson;

/// <summary>A 0.6/0.7 WaveNet's config; a condition DSP is one more model object.</summary>
internal sealed record ExtendedWaveNetConfigJson : NamConfigJson
{
    public required IReadOnlyList<ExtendedLayerArrayJson> Layers { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public object? Head => null;

    public required float HeadScale { get; init; }

    public NamFileJson? ConditionDsp { get; init; }
}

/// <summary>
/// A 0.6 layer array in the key order of NAM's trainer. Per-layer values are lists (<c>kernel_sizes</c>, a list of
/// activation objects) or, in the compact key set, one value (<c>kernel_size</c>, an activation's name or object);
/// the keys the compact set leaves out at the reader's defaults are null.
/// </summary>
internal sealed record ExtendedLayerArrayJson
{
    public required int InputSize { get; init; }

    public required int ConditionSize { get; init; }

    public required LayerArrayHeadJson Head { get; init; }

    public required int Channels { get; init; }

    public int? KernelSize { get; init; }

    public IReadOnlyList<int>? KernelSizes { get; init; }

    public required IReadOnlyList<int> Dilations { get; init; }

    /// <summary>An activation's name (string), its object (<see cref="ActivationJson"/>) or a list of objects.</summary>
    public required object Activation { get; init; }

    public int? Bottleneck { get; init; }

    public Head1x1Json? Head1x1 { get; init; }

    public required Layer1x1Json Layer1x1 { get; init; }

    public int? GroupsInput { get; init; }

    public int? GroupsInputMixin { get; init; }

    public FilmJson? ConvPreFilm { get; init; }

    public FilmJson? ConvPostFilm { get; init; }

    public FilmJson? InputMixinPreFilm { get; init; }

    public FilmJson? InputMixinPostFilm { get; init; }

    public FilmJson? ActivationPreFilm { get; init; }

    public FilmJson? ActivationPostFilm { get; init; }

    public FilmJson? Layer1x1PostFilm { get; init; }

    public FilmJson? Head1x1PostFilm { get; init; }

    /// <summary>Per layer "none", "gated" or "blended".</summary>
    public IReadOnlyList<string>? GatingMode { get; init; }

    /// <summary>Per layer, null where the layer has none.</summary>
    public IReadOnlyList<ActivationJson?>? SecondaryActivation { get; init; }

    /// <summary><see cref="SlimmableJson"/>, or <see cref="JsonNullValue"/> where the array is not slimmable.</summary>
    public object? Slimmable { get; init; }
}

internal sealed record LayerArrayHeadJson(int OutChannels, int KernelSize, bool Bias, int? HeadDilation);

internal sealed record Head1x1Json(bool Active, int OutChannels, int Groups);

internal sealed record Layer1x1Json(bool Active, int Groups);

internal sealed record FilmJson(bool Active, bool Shift, int Groups);

/// <summary>
/// An activation object: its type, then the parameters written (the float32 widened to double, which the reader
/// takes back exactly); PReLU's per-channel slopes replace negative_slope.
/// </summary>
internal sealed record ActivationJson
{
    public required string Type { get; init; }

    public double? NegativeSlope { get; init; }

    public double? MinVal { get; init; }

    public double? MaxVal { get; init; }

    public double? MinSlope { get; init; }

    public double? MaxSlope { get; init; }

    public IReadOnlyList<double>? NegativeSlopes { get; init; }
}

internal sealed record SlimmableJson(string Method, SlimmableKwargsJson Kwargs);

internal sealed record SlimmableKwargsJson(IReadOnlyList<int> AllowedChannels);

/// <summary>A 0.7 SlimmableContainer's config: its submodels, smallest first.</summary>
internal sealed record SlimmableContainerConfigJson(IReadOnlyList<SlimmableSubmodelJson> Submodels) : NamConfigJson;

internal sealed record SlimmableSubmodelJson(double MaxValue, NamFileJson Model);

/// <summary>
/// Weights as the <c>.nam</c> files we publish have them: on one line, also in an indented (0.5.4) file, where the
/// serializer would put each of thousands of numbers on a line of its own. A raw value is not indented; its text is
/// the float's shortest round-trip form ("R"), what the serializer writes for a float32.
/// </summary>
internal sealed class WeightsOnOneLine : JsonConverter<float[]>
{
    public override float[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("written only");

    public override void Write(Utf8JsonWriter writer, float[] value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var weight in value)
        {
            writer.WriteRawValue(weight.ToString("R", CultureInfo.InvariantCulture), skipInputValidation: true);
        }

        writer.WriteEndArray();
    }
}

/// <summary>A key written as JSON null (a C# null leaves an optional key out).</summary>
[JsonConverter(typeof(Converter))]
internal sealed class JsonNullValue
{
    public static JsonNullValue Instance { get; } = new();

    private JsonNullValue() { }

    internal sealed class Converter : JsonConverter<JsonNullValue>
    {
        public override JsonNullValue Read(
            ref Utf8JsonReader reader,
            Type typeToConvert,
            JsonSerializerOptions options
        ) => throw new NotSupportedException("written only");

        public override void Write(Utf8JsonWriter writer, JsonNullValue value, JsonSerializerOptions options) =>
            writer.WriteNullValue();
    }
}
