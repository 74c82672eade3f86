using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Spectral.Training.Evaluation;

namespace Nsmt.Spectral.Training;

/// <summary>A spectral run's fields of summary.json, after the core's (<see cref="Neural.Training.TrainingSummary"/>).</summary>
public sealed record SpectralSummaryJson(string TaskName, long Parameters)
{
    /// <summary>The fields as <see cref="Neural.Training.ITrainingDomain.SummaryExtension"/> gives them.</summary>
    public JsonElement ToElement() =>
        JsonSerializer.SerializeToElement(this, SpectralTrainingJsonContext.Default.SpectralSummaryJson);
}

/// <summary>The library's JSON outputs (summary.json's spectral fields, an evaluation's metrics.json), written from records.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SpectralSummaryJson))]
[JsonSerializable(typeof(EvaluationMetricsJson))]
internal sealed partial class SpectralTrainingJsonContext : JsonSerializerContext;
