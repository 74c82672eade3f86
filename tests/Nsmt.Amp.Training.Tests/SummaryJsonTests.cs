using Nsmt.Amp.Keras;
using Nsmt.Neural.Training;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// summary.json and timing.json, written from records, are the bytes main's dictionary writers gave for the same values
/// (Fixtures/main-json, made by tests/fixtures-gen/json/main_writers.cs with main's dictionaries and options). The values
/// cover what the options decide: named literals (NaN, infinity), escaped characters, nulls, whole and tiny doubles.
/// </summary>
public sealed class SummaryJsonTests
{
    internal static TrainingSummaryJson Core(string domain, int? bestEpoch, double? best) =>
        new(
            domain,
            3,
            bestEpoch,
            new MonitorJson("val/esr", "min", best),
            "max_epochs (3) <reached> & 'done'",
            false,
            new DeviceJson("cpu", "auto", "no GPU: café"),
            new PrecisionJson("32-true", null),
            bestEpoch is null ? null : "model.nam",
            new Dictionary<string, double>
            {
                ["train/loss"] = 0.125,
                ["val/esr"] = double.NaN,
                ["val/x"] = 1e-7,
            },
            new Dictionary<string, double> { ["val/esr_best"] = double.PositiveInfinity },
            [new TopKJson(2, 0.0123456789, "epoch=001-val_esr=0.0123.ckpt"), new TopKJson(1, 0.5, "epoch=000.ckpt")]
        );

    [Fact]
    public void Amp_summary_is_mains_bytes()
    {
        var amp = new AmpSummaryJson(
            double.PositiveInfinity,
            "great",
            12.5,
            new AlignmentSummaryJson(17, null, true),
            -18.0,
            1.5,
            0.25,
            31.0,
            null,
            40
        );

        AssertMains("summary_amp.json", TrainingSummary.Serialize(Core("amp", 2, 0.0123456789), amp.ToElement()));
    }

    [Fact]
    public void Knob_summary_is_mains_bytes()
    {
        var knob = new KnobSummaryJson(
            "wavenet",
            [new KnobRangeJson("gain", 0.0, 10.0), new KnobRangeJson("tone", -1.5, 1.5)],
            3.25,
            0.02,
            null,
            [new SettingEsrSummaryJson("gain=2, tone=0.5", 0.01), new SettingEsrSummaryJson("gain=8 tone=+1", 0.02)],
            []
        );

        AssertMains("summary_knob.json", TrainingSummary.Serialize(Core("knob", null, null), knob.ToElement()));
    }

    [Fact]
    public void Timing_is_mains_bytes() =>
        AssertMains(
            "timing.json",
            TrainingSummary.Serialize(
                new TrainingTimingJson(Math.Round(1234.5678, 1), Math.Round(2.34567, 3), null, 512.25, 2)
            )
        );

    [Fact]
    public void A_domain_field_may_not_repeat_a_core_field()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"epochs": 4}""");

        var e = Assert.Throws<InvalidOperationException>(() =>
            TrainingSummary.Serialize(Core("amp", 2, 0.5), document.RootElement)
        );

        Assert.Contains("'epochs' is a core field", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Line endings aside: main's writer and ours both end lines with the platform's newline.</summary>
    internal static void AssertMains(string golden, string actual) =>
        Assert.Equal(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "main-json", golden))
                .ReplaceLineEndings("\n"),
            actual.ReplaceLineEndings("\n")
        );
}
