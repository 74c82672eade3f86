using System.Text.Json;
using Nsmt.Config;
using Nsmt.Neural.IO;
using Nsmt.Runs;
using Nsmt.Spectral.Training.Config;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Tests;

public class PrecisionTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    private static TrainConfig Config(params string[] overrides) =>
        TrainConfig.Load(
            RepoPaths.Configs,
            "trivial_micro_small",
            ["logger.tensorboard=false", "trainer.threads=1", "trainer.accelerator=cpu", .. overrides]
        );

    private static Dictionary<string, Tensor> Tensors(string run) =>
        SafeTensors.Load(Path.Combine(run, "checkpoints", "last.ckpt")).Item1;

    private static JsonElement Precision(string run) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement.GetProperty("precision");

    [Fact]
    public void Float32_by_either_name_trains_bit_for_bit_like_the_default()
    {
        using var standard = new TempDir();
        using var named = new TempDir();
        new Trainer(Config("trainer.max_epochs=2")).Fit(data.Dataset, RunDirectory.At(standard.Path));
        new Trainer(Config("trainer.max_epochs=2", "trainer.precision=32")).Fit(
            data.Dataset,
            RunDirectory.At(named.Path)
        );
        var expected = Tensors(standard.Path);
        var actual = Tensors(named.Path);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
        {
            Assert.Equal(tensor.bytes.ToArray(), actual[name].bytes.ToArray());
        }

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(standard.Path, "metrics.csv")),
            File.ReadAllBytes(Path.Combine(named.Path, "metrics.csv"))
        );
        Assert.Equal("32-true", Precision(standard.Path).GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, Precision(standard.Path).GetProperty("tf32").ValueKind);
    }

    [Fact]
    public void Bf16_mixed_trains_with_a_falling_finite_loss_and_keeps_weights_and_their_average_in_float32()
    {
        using var mixed = new TempDir();
        using var full = new TempDir();
        string[] settings = ["trainer.min_epochs=3", "trainer.max_epochs=3", "+callbacks.weight_averaging.decay=0.9"];
        new Trainer(Config([.. settings, "trainer.precision=bf16-mixed"])).Fit(
            data.Dataset,
            RunDirectory.At(mixed.Path)
        );
        new Trainer(Config(settings)).Fit(data.Dataset, RunDirectory.At(full.Path));

        var rows = MetricsCsvLogger.Read(Path.Combine(mixed.Path, "metrics.csv"));
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.True(double.IsFinite(r["train/loss"]) && double.IsFinite(r["val/loss"])));
        Assert.True(
            rows[^1]["train/loss"] < rows[0]["train/loss"],
            $"train/loss went from {rows[0]["train/loss"]} to {rows[^1]["train/loss"]}"
        );
        // Averaged (model/) and live (live/) weights, and the optimiser state, all float32 as in a float32 run.
        var tensors = Tensors(mixed.Path);
        var reference = Tensors(full.Path);
        Assert.Equal(reference.Keys.Order(), tensors.Keys.Order());
        Assert.Contains(tensors.Keys, k => k.StartsWith("live/", StringComparison.Ordinal));
        foreach (var (name, tensor) in reference)
        {
            Assert.Equal(tensor.dtype, tensors[name].dtype);
            Assert.NotEqual(ScalarType.BFloat16, tensors[name].dtype);
        }
        // The steps ran in bfloat16: the weights part from the float32 run's (same seed, same batches).
        var weight = tensors.Keys.First(k => k.StartsWith("live/", StringComparison.Ordinal) && k.EndsWith("weight"));
        Assert.NotEqual(reference[weight].bytes.ToArray(), tensors[weight].bytes.ToArray());
        Assert.Equal("bf16-mixed", Precision(mixed.Path).GetProperty("mode").GetString());

        // A bf16-mixed checkpoint resumes in float32 (and the file is the same either way).
        var resumed = new Trainer(Config("trainer.min_epochs=4", "trainer.max_epochs=4", settings[2])).Fit(
            data.Dataset,
            RunDirectory.At(mixed.Path),
            Path.Combine(mixed.Path, "checkpoints", "last.ckpt")
        );
        Assert.Equal(4, resumed.EpochsCompleted);
        Assert.True(double.IsFinite(resumed.FinalMetrics["val/loss"]));
        Assert.Equal("32-true", Precision(mixed.Path).GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData("trainer.precision=16-mixed", "trainer.precision", "32-true, 32, bf16-mixed")]
    [InlineData("trainer.float32_matmul_precision=medium", "trainer.float32_matmul_precision", "high, highest")]
    public void A_value_outside_the_set_is_refused_naming_the_key_and_the_choices(
        string overrideText,
        string key,
        string choices
    )
    {
        var error = Assert.Throws<ConfigException>(() => Config(overrideText));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(choices, error.Message, StringComparison.Ordinal);
    }
}
