using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Nsmt.Neural.Training;

/// <summary>
/// The training core's JSON, written from source-generated records. NaN and infinities are legal values of a run's
/// metrics and state (a validation may give them): written as JSON's named literals. <see cref="JsonSerializerContext.Options"/>
/// of <c>Default</c> are summary.json's and timing.json's (indented, snake_case); <see cref="State"/> is a checkpoint's
/// <c>state</c> entry (compact, the properties' own names).
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals
)]
[JsonSerializable(typeof(TrainingSummaryJson))]
[JsonSerializable(typeof(TrainingTimingJson))]
[JsonSerializable(typeof(TrainingState))]
internal sealed partial class TrainingJsonContext : JsonSerializerContext
{
    /// <summary>A checkpoint's <c>state</c> entry.</summary>
    public static TrainingJsonContext State { get; } =
        new(new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });

    /// <summary>The state's options for the records of earlier checkpoint layouts, which only reflection reaches.</summary>
    public static JsonSerializerOptions Reflected { get; } =
        new(State.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
}
