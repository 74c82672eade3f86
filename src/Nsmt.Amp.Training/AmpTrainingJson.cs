using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Export;

namespace Nsmt.Amp.Training;

// The amp trainers' JSON outputs, their shapes declared once as records: the serializer writes their properties in
// declaration order, snake_case (AmpTrainingJsonContext), so the files read as these records do.

/// <summary>An amp run's fields of summary.json, after the core's (<see cref="Neural.Training.TrainingSummary"/>).</summary>
/// <param name="ValidationEsr">The best validation ESR; infinity (written "Infinity") before the first.</param>
public sealed record AmpSummaryJson(
    double ValidationEsr,
    string Grade,
    double ElapsedSeconds,
    AlignmentSummaryJson Alignment,
    double? TargetRmsDbfs,
    double TargetGain,
    double? AddedDelaySamples,
    double? AddedDelayConfidenceDb,
    int? ModelOnsetSamples,
    int? TargetOnsetSamples
)
{
    /// <summary>The fields as <see cref="Neural.Training.ITrainingDomain.SummaryExtension"/> gives them.</summary>
    public JsonElement ToElement() =>
        JsonSerializer.SerializeToElement(this, AmpTrainingJsonContext.Default.AmpSummaryJson);
}

/// <summary>The alignment the run trained with: its latency, the safety margin and whether it was given by hand.</summary>
public sealed record AlignmentSummaryJson(int? LatencySamples, int? SafetyMarginSamples, bool Manual);

/// <summary>A knob run's fields of summary.json, after the core's.</summary>
/// <param name="WorstHeldOutEsr">Null where no setting is held out (or before a best checkpoint exists).</param>
public sealed record KnobSummaryJson(
    string KnobModel,
    IReadOnlyList<KnobRangeJson> Knobs,
    double ElapsedSeconds,
    double? WorstTrainedEsr,
    double? WorstHeldOutEsr,
    IReadOnlyList<SettingEsrSummaryJson> Trained,
    IReadOnlyList<SettingEsrSummaryJson> HeldOut
)
{
    /// <summary>The fields as <see cref="Neural.Training.ITrainingDomain.SummaryExtension"/> gives them.</summary>
    public JsonElement ToElement() =>
        JsonSerializer.SerializeToElement(this, AmpTrainingJsonContext.Default.KnobSummaryJson);
}

public sealed record SettingEsrSummaryJson(string Setting, double Esr);

/// <summary>One knob's sweep in knob_sweep.json: the other knobs' values, whether the levels move one way and together.</summary>
/// <param name="AmpLevelMonotone">Null where the amp was captured at fewer than 2 points of the sweep.</param>
public sealed record KnobSweepVerdictJson(
    string Knob,
    string Others,
    bool? AmpLevelMonotone,
    bool ModelLevelMonotone,
    bool? LevelFollowsAmp
);

/// <summary>A setting's ESR as a knob checkpoint carries it (the setting as config text that reads back exactly).</summary>
internal sealed record SettingEsrCheckpointJson(string Setting, bool HeldOut, double Esr);

/// <summary>
/// The library's JSON, written from source-generated records. <see cref="JsonSerializerContext.Options"/> of
/// <c>Default</c> are summary.json's and knob_sweep.json's (indented, snake_case; NaN and infinities, which a validation may give, as JSON's
/// named literals); <see cref="Checkpoint"/> is a checkpoint's metadata (compact, the properties' own names), and
/// <see cref="KnobWaveNet"/> a knob WaveNet file.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals
)]
[JsonSerializable(typeof(AmpSummaryJson))]
[JsonSerializable(typeof(KnobSummaryJson))]
[JsonSerializable(typeof(KnobSweepVerdictJson[]))]
[JsonSerializable(typeof(SettingEsrCheckpointJson[]))]
[JsonSerializable(typeof(KnobWaveNetFileJson))]
internal sealed partial class AmpTrainingJsonContext : JsonSerializerContext
{
    /// <summary>A checkpoint's metadata entries.</summary>
    public static AmpTrainingJsonContext Checkpoint { get; } = new(new JsonSerializerOptions());

    /// <summary>A knob WaveNet file (compact, snake_case).</summary>
    public static AmpTrainingJsonContext KnobWaveNet { get; } =
        new(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}
