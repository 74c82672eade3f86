using System.Text.Json;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Knobs;
using Nsmt.Core;
using Nsmt.Neural.IO;
using Nsmt.Runs;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

public sealed class PrecisionTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"nsmt-amp-precision-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private AmpTrainingResult Train(AmpTrainConfig config, string name) =>
        new AmpTrainer(config, TrainingTests.SyntheticData(), RunDirectory.At(Path.Combine(_root, name))).Run();

    [Theory]
    [InlineData("plain_wavenet")]
    [InlineData("wavenet")] // NAM's A1 (nano): gated dilated convolutions, a head, the input mixin
    public void Bf16_mixed_lowers_the_validation_esr_and_keeps_weights_and_their_average_in_float32(string model)
    {
        string[] settings = ["model.preset=nano", "training.epochs=4", "training.ema_decay=0.9"];
        if (model == "plain_wavenet")
        {
            settings = settings[1..];
        }

        Train(TrainingTests.SmallConfig(model, [.. settings, "training.precision=bf16-mixed"]), "mixed");
        Train(TrainingTests.SmallConfig(model, settings), "full");
        var rows = MetricsCsvLogger.Read(Path.Combine(_root, "mixed", "metrics.csv"));
        Assert.All(rows, r => Assert.True(double.IsFinite(r["train/loss"]) && double.IsFinite(r["val/esr"])));
        Assert.True(
            rows[^1]["val/esr"] < rows[0]["val/esr"],
            $"validation ESR went from {rows[0]["val/esr"]} to {rows[^1]["val/esr"]}"
        );

        var (mixed, _) = SafeTensors.Load(Path.Combine(_root, "mixed", "checkpoints", "last.ckpt"));
        var (full, _) = SafeTensors.Load(Path.Combine(_root, "full", "checkpoints", "last.ckpt"));
        Assert.Equal(full.Keys.Order(), mixed.Keys.Order());
        foreach (var (name, tensor) in full)
        {
            Assert.Equal(tensor.dtype, mixed[name].dtype);
            Assert.NotEqual(ScalarType.BFloat16, mixed[name].dtype);
        }

        var live = full.Keys.First(k => k.StartsWith("live/", StringComparison.Ordinal));
        Assert.NotEqual(full[live].bytes.ToArray(), mixed[live].bytes.ToArray());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, "mixed", "summary.json")));
        Assert.Equal("bf16-mixed", summary.RootElement.GetProperty("precision").GetProperty("mode").GetString());
    }

    [Fact]
    public void A_bf16_mixed_knob_run_trains_its_gru_in_float32_and_its_head_in_bfloat16_to_finite_esr()
    {
        var config = KnobTrainConfig.Parse(
            KnobTrainingTests.Tiny.Replace(
                "threads: 1",
                "threads: 1\n  precision: bf16-mixed",
                StringComparison.Ordinal
            ),
            "tiny.yaml"
        );
        var folder = Path.Combine(_root, "knobs");
        var result = new KnobTrainer(config, KnobCaptureSet.Load(config), folder).Run();
        Assert.All(result.Esr, e => Assert.True(double.IsFinite(e.Esr) && e.Esr > 0));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        Assert.Equal("bf16-mixed", summary.RootElement.GetProperty("precision").GetProperty("mode").GetString());
    }

    [Fact]
    public void Bad_precision_values_and_bf16_over_float64_knob_weights_are_refused_naming_the_field()
    {
        var error = Assert.Throws<Nsmt.Config.ConfigException>(() =>
            TrainingTests.SmallConfig(overrides: "training.precision=fp16")
        );
        Assert.Contains("training.precision", error.Message, StringComparison.Ordinal);
        Assert.Contains("32-true, 32, bf16-mixed", error.Message, StringComparison.Ordinal);

        var knobs = KnobTrainingTests
            .Tiny.Replace("threads: 1", "threads: 1\n  precision: bf16-mixed", StringComparison.Ordinal)
            .Replace("cell: gru", "cell: gru\n  precision: float64", StringComparison.Ordinal);
        var conflict = Assert.Throws<Nsmt.Config.ConfigException>(() => KnobTrainConfig.Parse(knobs, "tiny.yaml"));
        Assert.Contains("training.precision", conflict.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NsmtInputException>(conflict);
    }
}
