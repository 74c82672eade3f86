using System.Text;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Evaluation;

namespace Nsmt.Amp.Tests;

/// <summary>
/// An amp evaluation's metrics.json, written from records, is the bytes main's hand-written Utf8JsonWriter gave for the
/// same values (Fixtures/main-json/amp_metrics_*.json, written by main's AmpEvaluation.MetricsJson through
/// tests/fixtures-gen/json/amp_metrics_on_main.cs.txt). The values cover what the writer decided: non-finite doubles as
/// null (top level, in sweeps, in widths, in the ingest record), whole doubles, relaxed escaping, nulls, the pair's
/// fields present or left out.
/// </summary>
public sealed class AmpMetricsJsonTests
{
    private static readonly EvaluationMetrics Metrics = new()
    {
        Samples = 48000,
        SampleRate = 48000,
        EsrNam = 0.0123,
        EsrPooled = 0.0125,
        Mse = 1e-5,
        Rmse = 0.0031622776601683794,
        SnrDb = 19.1,
        Pearson = 0.99,
        ResidualRmsDbfs = -40.5,
        ResidualRelativeDb = double.NegativeInfinity,
        DcError = 1e-9,
        MultiResolutionStft = double.NaN,
        QualityGrade = "great",
        CorrelationGrade = "excellent",
    };

    [Fact]
    public void A_pairs_metrics_are_mains_bytes()
    {
        const string Convention = "seconds of audio per second, block 64";
        var pair = new AmpEvaluation.PairFields(
            new ScoredModelJson("WaveNet", 13802, null, 8184, 48000.0, 123.456),
            [
                new WidthJson(0.5, 1.0, "nano", 1000, double.NaN, 400.5, Convention),
                new WidthJson(1.0, null, null, 13802, 0.0123, 123.456, Convention),
            ],
            new CaptureIdentityJson("ab01", "the aligned DI and amp samples"),
            new IngestSummaryJson(17, "Click", 4, 17.25, null, double.PositiveInfinity, true, false),
            new AddedDelayJson(0.25, 31.0, null, 40)
        );

        AssertMains("amp_metrics_pair.json", Write(pair));
    }

    [Fact]
    public void A_given_predictions_metrics_are_mains_bytes() => AssertMains("amp_metrics_given.json", Write(null));

    private static byte[] Write(AmpEvaluation.PairFields? pair) =>
        AmpEvaluation.MetricsJson(
            Metrics,
            new SampleRange(100, 48000),
            "validation",
            48000,
            [("-20 dBFS", 0.5), ("-3 dBFS", double.NaN)],
            ["/tmp/run/waveform.svg", "sweep.svg"],
            ["a note with <é> & + 'quotes' \"double\""],
            pair
        );

    /// <summary>Line endings aside: main's writer and ours both end lines with the platform's newline.</summary>
    private static void AssertMains(string golden, byte[] actual) =>
        Assert.Equal(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "main-json", golden))
                .ReplaceLineEndings("\n"),
            Encoding.UTF8.GetString(actual).ReplaceLineEndings("\n")
        );
}
