using Nsmt.Amp.Format;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Knobs;
using Nsmt.Amp.Training.Modules;
using Nsmt.Core;
using Nsmt.Neural;
using Nsmt.Neural.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

/// <summary>The knob-conditioned WaveNet against PyTorch (make_knob_wavenet_fixtures.py), and its training and file.</summary>
public sealed class KnobWaveNetTests
{
    private static readonly Lazy<Dictionary<string, Tensor>> Fixture = new(() =>
        SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "knob_wavenet_golden.safetensors")).tensors
    );

    private static Tensor GoldenTensor(string name) => Fixture.Value[$"knob_wavenet.{name}"];

    /// <summary>The fixture's architecture: two arrays (3 then 2 channels, kernels 3 and 2), two knobs.</summary>
    private static KnobWaveNet SmallModule() =>
        KnobWaveNetFileCases.SmallModule([new KnobRange("gain_db", 0, 18), new KnobRange("mid_db", -4, 4)]);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Knob_wavenet_computes_and_differentiates_like_pytorch(bool fuseInputMixer)
    {
        using var scope = NewDisposeScope();
        using var model = SmallModule();
        model.FuseInputMixer = fuseInputMixer;
        KnobWaveNetFile.SetWeights(model, GoldenTensor("weights").ToArray<float>());
        Assert.Equal(12, model.ReceptiveField);
        var expected = GoldenTensor("output").to(float32).ToArray<float>();
        var output = model.call(GoldenTensor("input"), GoldenTensor("knobs"));
        Golden.AssertClose(expected, output.detach().ToArray<float>(), 2e-6, 1e-4, "knob WaveNet output");

        // Gradients in float64, the reference's precision: the module's graph, free of the CPU's float32 kernels.
        model.to(float64);
        var input = GoldenTensor("input").to(float64).requires_grad_(true);
        var knobs = GoldenTensor("knobs").to(float64).requires_grad_(true);
        output = model.call(input, knobs);
        Golden.AssertClose(
            expected,
            output.detach().to(float32).ToArray<float>(),
            1e-7,
            1e-6,
            "knob WaveNet output (float64)"
        );
        (output * GoldenTensor("cotangent")).sum().backward();
        var expectedGradients = GoldenTensor("grad_weights").ToArray<double>();
        var offset = 0;
        var failures = new List<string>();
        foreach (var (tensor, name) in model.WeightTensors())
        {
            var count = (int)tensor.numel();
            // The last layer's 1x1 feeds nothing: torch leaves its gradient unset, PyTorch's reference has zeros.
            var actual = tensor.grad is { } g ? g.contiguous().ToArray<double>() : new double[count];
            var worst = expectedGradients
                .AsSpan(offset, count)
                .ToArray()
                .Zip(actual, (e, a) => Math.Abs(e - a) / (1e-9 + Math.Abs(e)))
                .Max();
            if (worst > 1e-9)
            {
                failures.Add($"{name} (relative error {worst:G3})");
            }

            offset += count;
        }

        Assert.Equal(expectedGradients.Length, offset);
        Assert.True(failures.Count == 0, "gradients differ from PyTorch's: " + string.Join(", ", failures));
        Golden.AssertClose(
            GoldenTensor("grad_input").to(float32).ToArray<float>(),
            input.grad!.to(float32).ToArray<float>(),
            1e-9,
            1e-7,
            "input gradients"
        );
        Golden.AssertClose(
            GoldenTensor("grad_knobs").to(float32).ToArray<float>(),
            knobs.grad!.to(float32).ToArray<float>(),
            1e-9,
            1e-7,
            "knob gradients"
        );
    }

    [Fact]
    public void Knob_wavenet_starts_as_its_film_identity_and_processes_like_its_windows()
    {
        using var model = SmallModule();
        foreach (var layer in model.Arrays.SelectMany(a => a.Layers))
        {
            float[] identity = [.. Enumerable.Repeat(1f, layer.Channels), .. Enumerable.Repeat(0f, layer.Channels)];
            Assert.Equal(identity, layer.Film!.bias!.ToArray<float>());
            Assert.All(layer.Film.weight!.ToArray<float>(), w => Assert.Equal(0f, w));
        }

        // Process (silence before the start) equals one window with Context zeros in front.
        var signal = Enumerable.Range(0, 300).Select(i => (float)Math.Sin(i * 0.05)).ToArray();
        var processed = model.Process(signal, [9.0, 2.0]);
        var padded = new float[model.Context + signal.Length];
        signal.CopyTo(padded.AsSpan(model.Context));
        using var window = model.call(
            TorchSharp.torch.tensor(padded).reshape(1, -1),
            TorchSharp.torch.tensor(new[] { 0.5f, 0.75f }).reshape(1, -1)
        );
        Golden.AssertClose(
            window.ToArray<float>(),
            processed.Select(v => (float)v).ToArray(),
            0,
            0,
            "Process vs window"
        );
    }

    [Fact]
    public void A_tiny_knob_wavenet_training_writes_its_file_with_the_trained_weights()
    {
        const string tiny = """
            seed: 0
            data:
              source: reference
              sample_rate: 16000
              seconds: 7
              validation_seconds: 1
              latency: 32
              ny: 256
            model:
              type: wavenet
              preset: nano
            training:
              epochs: 1
              batch_size: 16
              lr: 0.004
              threads: 1
            knobs:
              grid:
                gain_db: [0, 9, 18]
              held_out: [gain_db=9]
            """;
        var config = KnobTrainConfig.Parse(tiny, "tiny.yaml");
        Assert.True(config.IsWaveNet);
        var folder = Path.Combine(Path.GetTempPath(), "nsmt-knobwn-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = new KnobTrainer(config, KnobCaptureSet.Load(config), folder).Run();
            Assert.Equal([false, true, false], result.Esr.Select(e => e.HeldOut));
            Assert.All(result.Esr, e => Assert.True(double.IsFinite(e.Esr) && e.Esr > 0));
            Assert.Equal(KnobWaveNetFile.DefaultFileName, Path.GetFileName(result.ModelPath));
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(result.ModelPath));
            var root = json.RootElement;
            Assert.Equal(KnobWaveNetReader.Format, root.GetProperty("format").GetString());
            Assert.Equal("gain_db", root.GetProperty("knobs")[0].GetProperty("name").GetString());
            Assert.Equal(18, root.GetProperty("knobs")[0].GetProperty("max").GetDouble());
            var layers = root.GetProperty("model").GetProperty("config").GetProperty("layers");
            Assert.Equal(2, layers[0].GetProperty("condition_size").GetInt32());
            Assert.True(layers[1].GetProperty("activation_pre_film").GetProperty("active").GetBoolean());
            // The weights are the model's: a fresh module holding them gives the ESR the trainer reported.
            var weights = root.GetProperty("model")
                .GetProperty("weights")
                .EnumerateArray()
                .Select(v => v.GetSingle())
                .ToArray();
            using var module = (KnobWaveNet)config.CreateModule();
            KnobWaveNetFile.SetWeights(module, weights);
            Assert.Equal(weights, KnobWaveNetFile.Weights(module));

            // The knob evaluation: heat map, sweep figure and table, and clips at two settings (a trained, a held-out one).
            Assert.Contains(
                "held out: gain_db=9",
                File.ReadAllText(Path.Combine(folder, "knob_esr.svg")),
                StringComparison.Ordinal
            );
            Assert.Contains(
                "gain_db: output level",
                File.ReadAllText(Path.Combine(folder, "knob_sweep.svg")),
                StringComparison.Ordinal
            );
            var sweepRows = File.ReadAllLines(Path.Combine(folder, "knob_sweep.csv"));
            Assert.Equal(1 + KnobEvaluation.SweepPoints + 3, sweepRows.Length); // the model's sweep, the amp's 3 captured settings
            Assert.Contains(sweepRows, r => r.StartsWith("gain_db,18,amp,", StringComparison.Ordinal));
            foreach (var setting in new[] { "gain_db_0", "gain_db_9" })
            {
                Assert.True(
                    File.Exists(Path.Combine(folder, "clips", setting, "clip_model.wav")),
                    $"clip for {setting}"
                );
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_exported_knob_wavenet_plays_in_our_engine_as_the_torch_module_at_three_settings()
    {
        using var model = SmallModule();
        KnobWaveNetFile.SetWeights(model, GoldenTensor("weights").ToArray<float>()); // FiLM away from its identity start
        var path = Path.Combine(Path.GetTempPath(), $"knob_wavenet_{Guid.NewGuid():N}.json");
        try
        {
            KnobWaveNetFile.Save(model, path, 48000, null);
            var read = KnobWaveNetReader.Load(path);
            Assert.Equal(model.Knobs, read.Knobs);
            Assert.Equal(KnobWaveNetFile.FileConfig(model), read.Model.Config); // the 0.6 writer's round trip
            model.to(float64); // the reference, free of the CPU's float32 kernels
            var signal = Enumerable
                .Range(0, 3000)
                .Select(i => (float)(0.6 * Math.Sin(i * 0.031) * Math.Sin(i * 0.0017)))
                .ToArray();
            foreach (var (gain, mid) in new[] { (0.0, -4.0), (9.0, 1.0), (18.0, 4.0) })
            {
                var setting = KnobSetting.Parse(
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"gain_db={gain},mid_db={mid}"),
                    "test"
                );
                var played = KerasProcessor.Process(read, signal, 48000, setting, automation: null, blockSize: 64);
                var expected = model.Process(signal, [gain, mid]).Select(v => (float)v).ToArray();
                Golden.AssertClose(expected, played, 1e-5, 0, $"engine vs torch at {setting}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_esr_heat_map_puts_each_setting_in_its_grid_cell()
    {
        using var model = SmallModule();
        KnobSetting At(double gain, double mid) => KnobSetting.Parse($"gain_db={gain},mid_db={mid}", "test");
        var map = KnobEvaluation.EsrHeatmap(
            model,
            [new(At(0, -4), false, 0.1), new(At(18, -4), false, 0.2), new(At(18, 4), true, 0.3)]
        );
        Assert.Equal((2, 2), (map.Rows, map.Columns));
        Assert.Equal(["0", "18"], map.ColumnLabels!);
        Assert.Equal(["-4", "4"], map.RowLabels!);
        Assert.Equal([0.1, 0.2, double.NaN, 0.3], map.Values); // the setting never captured stays empty
        Assert.Contains("held out: gain_db=18,mid_db=4", map.Title!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { -20.0, -15, -12 }, new[] { -21.0, -16, -11 }, true)]
    [InlineData(new[] { -20.0, -15, -12 }, new[] { -21.0, -10, -11 }, false)] // the model's level turns back
    [InlineData(new[] { -20.0, -15, -12 }, new[] { -11.0, -16, -21 }, false)] // monotone, but the wrong way
    public void A_sweep_follows_the_amp_when_its_level_moves_the_same_way_monotonically(
        double[] amp,
        double[] model,
        bool follows
    )
    {
        static List<SweepPoint> Points(double[] levels) => levels.Select((l, i) => new SweepPoint(i, l, 1000)).ToList();
        var sweep = new KnobSweep("gain_db", KnobSetting.Parse("gain_db=0", "test"), Points(model), Points(amp));
        Assert.True(sweep.AmpLevelMonotone);
        Assert.Equal(follows, sweep.LevelFollowsAmp);
    }

    [Fact]
    public void A_sweep_measures_level_and_centroid_of_a_sine()
    {
        // A full-scale 1 kHz sine: RMS 1/sqrt(2) is -3.01 dB, and its power sits at 1 kHz.
        var sine = Enumerable.Range(0, 48000).Select(i => (float)Math.Sin(2 * Math.PI * 1000 * i / 48000)).ToArray();
        var point = KnobEvaluation.Measure(0, sine, 48000);
        Assert.Equal(-3.0103, point.LevelDb, 3);
        Assert.InRange(point.CentroidHz, 990, 1010);
    }

    [Fact]
    public void A_knob_wavenet_config_refuses_a_recurrent_cell()
    {
        var error = Record.Exception(() =>
            KnobTrainConfig.Parse(
                """
                data: {source: reference, seconds: 7, validation_seconds: 1}
                model: {type: wavenet, preset: nano}
                knobs: {cell: gru, grid: {gain_db: [0, 18]}}
                """,
                "k.yaml"
            )
        );
        Assert.True(error is NsmtInputException, $"expected an input error, got {error}");
        Assert.Contains("knobs.cell", error!.Message, StringComparison.Ordinal);
    }
}
