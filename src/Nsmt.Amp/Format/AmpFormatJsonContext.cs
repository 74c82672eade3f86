using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Amp.Keras;

namespace Nsmt.Amp.Format;

/// <summary>
/// The engine library's JSON, written from source-generated records (one context for the library): the <c>.nam</c>
/// family (NamJson.cs) and the RTNeural/AIDA-X Keras file. snake_case, a null property left out (an optional key; a key written as null says so on its property), the default (strict) escaping and numbers (a
/// non-finite value is refused before it gets here, naming what it is); a float is written as the shortest text that
/// reads back to the same float32. <see cref="JsonSerializerContext.Default"/> writes unindented (a 0.5.4 <c>.nam</c> is
/// indented by the writer it is serialized into); <see cref="Indented"/> is the Keras file's layout. The types a
/// property typed object may hold (an activation's forms, slimmable's, a Keras layer's weight items) are listed so the
/// serializer knows them.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull
)]
[JsonSerializable(typeof(NamFileJson))]
[JsonSerializable(typeof(NamTrainingData))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(ActivationJson))]
[JsonSerializable(typeof(List<ActivationJson>))]
[JsonSerializable(typeof(SlimmableJson))]
[JsonSerializable(typeof(JsonNullValue))]
[JsonSerializable(typeof(KerasModelJson))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(float[][]))]
internal sealed partial class AmpFormatJsonContext : JsonSerializerContext
{
    public static AmpFormatJsonContext Indented { get; } =
        new(
            new JsonSerializerOptions
            {
                WriteIndented = true,
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            }
        );
}
