using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Amp.Ingest;

namespace Nsmt.Amp.Tests;

/// <summary>
/// <c>Amp check --json</c>'s report, written through the source-generated context, is the bytes main's reflection
/// serializer gave: the oracle is main's writer itself (reflection over the same report with main's options from
/// stages/Amp/AmpCommands.cs), which shares no code with the generated one.
/// </summary>
public sealed class IngestReportJsonTests
{
    private static readonly JsonSerializerOptions MainOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    [Fact]
    public void A_clean_captures_report_is_mains_bytes()
    {
        var report = CapturePair.Load(AmpTestSignals.Capture.Samples, AmpTestSignals.Reamp(latency: 300), 48000).Report;

        Assert.Equal(JsonSerializer.Serialize(report, MainOptions), report.ToJson());
    }

    [Fact]
    public void A_flagged_report_with_odd_names_and_values_is_mains_bytes()
    {
        var report = CapturePair
            .Load(AmpTestSignals.Capture.Samples, AmpTestSignals.Reamp(latency: 50, noiseDbfs: -33), 48000)
            .Report with
        {
            InputName = "DI <é> & \"+\".wav",
            InputGainDb = double.NaN,
            OutputPeakDbfs = double.NegativeInfinity,
        };
        Assert.NotEmpty(report.Warnings);

        Assert.Equal(JsonSerializer.Serialize(report, MainOptions), report.ToJson());
    }
}
