using System.Text.Json.Serialization;
using Nsmt.Amp.Keras;

namespace Nsmt.Amp.Format;

/// <summary>
/// The engine library's JSON, written from source-generated records (one context for the library): indented,
/// snake_case, strict numbers (a non-finite value is refused before it gets here, naming what it is). A float is
/// written as the shortest text that reads back to the same float32, as Utf8JsonWriter writes it.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(KerasModelJson))]
[JsonSerializable(typeof(float[]))] // the two kinds of KerasLayerJson.Weights' items
[JsonSerializable(typeof(float[][]))]
internal sealed partial class AmpFormatJsonContext : JsonSerializerContext;
