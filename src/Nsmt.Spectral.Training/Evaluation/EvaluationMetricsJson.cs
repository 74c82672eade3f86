using System.Text.Json.Serialization;

namespace Nsmt.Spectral.Training.Evaluation;

// metrics.json of an evaluation, its shape declared once as records: the serializer writes their properties in
// declaration order, snake_case (SpectralTrainingJsonContext), so the file reads as these records do.

internal sealed record EvaluationMetricsJson(
    string Checkpoint,
    string Dataset,
    int Samples,
    [property: JsonPropertyName("test/loss")] double TestLoss,
    [property: JsonPropertyName("test/acc")] double TestAcc,
    IReadOnlyDictionary<string, HeadMetricsJson> Heads,
    ReconstructionJson Reconstruction
);

internal sealed record HeadMetricsJson(int NumClasses, double Accuracy, double Mae, double MajorityBaseline);

/// <param name="MeanSnrDb">Null without samples, or where every SNR is infinite (JSON has no infinity).</param>
internal sealed record ReconstructionJson(
    IReadOnlyList<ReconstructionSampleJson> Samples,
    double? MeanSnrDb,
    double? MeanCorrelation,
    double? GoodFraction,
    string Thresholds
);

internal sealed record ReconstructionSampleJson(
    int Index,
    IReadOnlyDictionary<string, ParameterJson> Parameters,
    double Mse,
    double Rmse,
    double? SnrDb,
    double Correlation,
    double MaxXcorr,
    bool Good
);

internal sealed record ParameterJson(double True, double Predicted, double AbsError);
