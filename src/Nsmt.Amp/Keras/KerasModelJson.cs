using System.Text.Json.Serialization;

namespace Nsmt.Amp.Keras;

// The Keras JSON file's shape, declared once as records: the serializer writes their properties in declaration order,
// snake_case (AmpFormatJsonContext), so a file reads as these records do.

/// <summary>
/// An RTNeural "keras" model file with AIDA-X's fields (<c>in_skip</c> 0/1, <c>in_gain</c>/<c>out_gain</c> in dB) and
/// ours, which AIDA-X ignores: the sample rate and the knob ranges, left out where the model has none.
/// </summary>
/// <param name="InShape">Keras' input shape, <c>[null, null, inputs]</c>.</param>
internal sealed record KerasModelJson(
    IReadOnlyList<int?> InShape,
    int InSkip,
    double InGain,
    double OutGain,
    [property: JsonPropertyName(KerasJsonReader.SampleRateKey)] double? SampleRate,
    [property: JsonPropertyName(KerasJsonReader.KnobsKey)] IReadOnlyList<KnobRangeJson>? Knobs,
    IReadOnlyList<KerasLayerJson> Layers
);

/// <summary>One layer: its RTNeural type, activation ("" for none), output shape and weights in Keras' layout.</summary>
/// <param name="Weights">
/// Keras' weight list, matrices (<c>float[][]</c>, rows of the row-major kernel) and vectors (<c>float[]</c>) in the
/// order the layer type gives: one JSON list holds both, so its items are typed by what they are.
/// </param>
internal sealed record KerasLayerJson(
    string Type,
    string Activation,
    IReadOnlyList<int?> Shape,
    IReadOnlyList<object> Weights
);

/// <summary>A knob input's range in its own units, as the Keras and knob WaveNet files and a knob run's summary write it.</summary>
public sealed record KnobRangeJson(string Name, double Min, double Max)
{
    public static KnobRangeJson Of(KnobRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return new(range.Name, range.Minimum, range.Maximum);
    }
}
