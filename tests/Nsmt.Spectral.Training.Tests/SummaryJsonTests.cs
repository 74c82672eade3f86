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
            3,
            1,
            new MonitorJson("val/esr", "min", 0.75),
            "max_epochs (3) <reached> & 'done'",
            false,
            new DeviceJson("cpu", "auto", "no GPU: café"),
            "model.nam",
            new Dictionary<string, double>
            {
                ["train/loss"] = 0.125,
                ["val/esr"] = double.NaN,
                ["val/x"] = 1e-7,
            },
            new Dictionary<string, double> { ["val/esr_best"] = double.PositiveInfinity },
            [new TopKJson(2, 0.0123456789, "epoch=001-val_esr=0.0123.ckpt"), new TopKJson(1, 0.5, "epoch=000.ckpt")]
        );

        var actual = TrainingSummary.Serialize(core, new SpectralSummaryJson("vimh_16k", 123456).ToElement());

        Assert.Equal(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "main-json", "summary_spectral.json"))
                .ReplaceLineEndings("\n"),
            actual.ReplaceLineEndings("\n")
        );
    }
}
