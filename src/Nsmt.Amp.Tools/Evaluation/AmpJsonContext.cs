using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Amp.Ingest;

namespace Nsmt.Amp.Evaluation;

/// <summary>
/// The tools library's JSON outputs (evaluation metrics and the ingest report), written from source-generated records. Each output keeps the conventions it was
/// published with, so there is one instance per convention; all are indented, snake_case and escape only what JSON
/// requires (the relaxed encoder: "&lt;0.01" stays readable; the attribute cannot name an encoder, hence the options).
/// </summary>
[JsonSerializable(typeof(AmpMetricsJson))]
[JsonSerializable(typeof(IngestReport))]
internal sealed partial class AmpJsonContext : JsonSerializerContext
{
    /// <summary>An evaluation's metrics.json: a non-finite double is written as null.</summary>
    public static AmpJsonContext Metrics { get; } = new(RelaxedOptions(new NonFiniteAsNull()));

    /// <summary>
    /// A capture pair's ingest report (<c>Amp check --json</c>): non-finite doubles as JSON's named literals, enums by name.
    /// </summary>
    public static AmpJsonContext Report { get; } =
        new(RelaxedOptions(new JsonStringEnumConverter(), JsonNumberHandling.AllowNamedFloatingPointLiterals));

    private static JsonSerializerOptions RelaxedOptions(
        JsonConverter converter,
        JsonNumberHandling numbers = default
    ) =>
        new()
        {
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = numbers,
            Converters = { converter },
        };
}
