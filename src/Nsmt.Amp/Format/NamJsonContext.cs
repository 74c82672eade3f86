using System.Text.Json.Serialization;

namespace Nsmt.Amp.Format;

/// <summary>
/// The <c>.nam</c> family's JSON (NamJson.cs), written from source-generated records: snake_case, the default
/// (strict) escaping, unindented; a 0.5.4 file is indented by the writer it is serialized into. The types a property
/// typed object may hold (an activation's forms, slimmable's) are listed so the serializer knows them.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(NamFileJson))]
[JsonSerializable(typeof(NamTrainingData))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(ActivationJson))]
[JsonSerializable(typeof(List<ActivationJson>))]
[JsonSerializable(typeof(SlimmableJson))]
[JsonSerializable(typeof(JsonNullValue))]
internal sealed partial class NamJsonContext : JsonSerializerContext;
