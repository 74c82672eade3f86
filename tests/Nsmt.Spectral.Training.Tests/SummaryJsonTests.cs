using Nsmt.Neural.Training;

namespace Nsmt.Spectral.Training.Tests;

/// <summary>
/// A spectral run's summary.json, written from records, is the bytes main's dictionary writer gave for the same values
/// (Fixtures/main-json, made by tests/fixtures-gen/json/main_writers.cs with main's dictionaries and options).
/// </summary>
public sealed class SummaryJsonTests
{
    [Fact]
    public void Spectral_summary_is_mains_bytes()
    {
        var core = new TrainingSummaryJson(
            "spectral",
            5,
            4,
            new MonitorJson("val/acc", "max", 0.875),
            "early_stopping: val/acc did not improve in 1 epoch",
            true,
            new DeviceJson("cuda:0", "cuda", "asked"),
            new PrecisionJson("bf16-mixed", true),
            null,
            new Dictionary<string, double> { ["val/acc"] = 0.875 },
            new Dictionary<string, double> { ["val/acc_best"] = 0.875 },
            []
        );

        var actual = TrainingSummary.Serialize(core, new SpectralSummaryJson("vimh_16k", 123456).ToElement());

        Assert.Equal(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "main-json", "summary_spectral.json"))
                .ReplaceLineEndings("\n"),
            actual.ReplaceLineEndings("\n")
        );
    }
}
