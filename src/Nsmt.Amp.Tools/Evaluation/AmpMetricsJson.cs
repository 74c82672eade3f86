using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nsmt.Amp.Evaluation;

// metrics.json of an amp evaluation, its shape declared once as records: the serializer writes their properties in
// declaration order, snake_case (AmpJsonContext.Metrics), so the file reads as these records do. Every double is
// written as null where it is not finite (JSON has no NaN or infinity; NonFiniteAsNull).

internal sealed record AmpMetricsJson
{
    public required ScoredRangeJson Range { get; init; }

    public required double EsrNam { get; init; }

    public string EsrNamConvention => "NAM: sum((y-t)^2)/sum(t^2) over the range as one item";

    public required double EsrPooled { get; init; }

    public string EsrPooledConvention => "seed: mean((y-t)^2)/(mean(t^2)+1e-8)";

    public required double Mse { get; init; }

    public required double Rmse { get; init; }

    public required double SnrDb { get; init; }

    public required double Pearson { get; init; }

    public required double NullTestResidualDbfs { get; init; }

    public required double NullTestResidualDbReTarget { get; init; }

    public required double DcError { get; init; }

    public required double Mrstft { get; init; }

    public string MrstftConvention =>
        "auraloss: mean over FFT 1024/2048/512 (hop 120/240/50, Hann 600/1200/240) of spectral convergence + mean |log mag diff|; no pre-emphasis";

    public required string QualityGrade { get; init; }

    public string QualityGradeRule =>
        "NAM, by esr_nam: <0.01 great, <0.035 not bad, <0.1 might sound ok, <0.3 probably won't sound great";

    public required string CorrelationGrade { get; init; }

    public string CorrelationGradeRule => "seed, by pearson: >0.95 excellent, >0.90 very good, >0.80 good, >0.70 fair";

    public required IReadOnlyList<SweepDifferenceJson> Sweeps { get; init; }

    /// <summary>The figures' file names (in the evaluation folder).</summary>
    public required IReadOnlyList<string> Figures { get; init; }

    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>What a scored capture pair adds (null, and left out, for a prediction scored on its own).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ScoredModelJson? Model { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WidthJson>? Widths { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CaptureIdentityJson? Capture { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IngestSummaryJson? Ingest { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AddedDelayJson? Timing { get; init; }
}

internal sealed record ScoredRangeJson(string Name, int Start, int Length, double Seconds, int SampleRate);

internal sealed record SweepDifferenceJson(
    string Level,
    [property: JsonPropertyName("mean_abs_difference_db_50hz_15khz")] double MeanAbsDifferenceDb
);

/// <param name="Parameters">A SlimmableContainer has no weights of its own: its count is the default (largest) submodel's.</param>
internal sealed record ScoredModelJson(
    string Architecture,
    int Parameters,
    string? Preset,
    int ReceptiveField,
    double? SampleRate,
    double RealTimeFactor
);

internal sealed record WidthJson(
    double SizeFrom,
    double? SizeBelow,
    string? Preset,
    int Parameters,
    double EsrNam,
    double RealTimeFactor,
    string RealTimeFactorConvention
);

internal sealed record CaptureIdentityJson(
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("sha256_of")] string Sha256Of
);

internal sealed record IngestSummaryJson(
    int LatencySamples,
    string LatencyMethod,
    int SafetyMarginSamples,
    double? DetectedCorrelationLatencySamples,
    int? DetectedClickLatencySamples,
    double? ReplicateEsr,
    bool ChecksPassed,
    bool StandardCaptureSignal
);

internal sealed record AddedDelayJson(
    double? AddedDelaySamples,
    double? AddedDelayConfidenceDb,
    int? ModelOnsetSamples,
    int? TargetOnsetSamples
);

/// <summary>JSON has no NaN or infinity: metrics.json writes those as null.</summary>
internal sealed class NonFiniteAsNull : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
