using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;
using Nsmt.Config;
using Nsmt.Neural;
using Nsmt.Neural.IO;
using Nsmt.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

/// <summary>The A2 WaveNet module against PyTorch (make_a2_fixtures.py) and against NAM Core's own A2.nam rendering.</summary>
public class A2Tests
{
    private static readonly Lazy<Dictionary<string, Tensor>> A2Golden = new(() =>
        SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "a2_golden.safetensors")).tensors
    );

    private static Tensor GoldenTensor(string name) => A2Golden.Value[name];

    /// <summary>The fixture's small A2: bottleneck below channels, three kernel sizes, both activations.</summary>
    private static readonly A2Config Small = new()
    {
        Channels = 3,
        Bottleneck = 2,
        KernelSizes = [6, 15, 3],
        Dilations = [1, 13, 2],
        LeakySlopes = [0.01, 0.2, null],
        HeadKernelSize = 16,
        HeadScale = 0.01f,
    };

    [Fact]
    public void A2_module_computes_and_differentiates_like_pytorch()
    {
        using var scope = NewDisposeScope();
        using var model = A2NamFile.FromWeights(Small, GoldenTensor("a2.weights").ToArray<float>());
        Assert.Equal(Small.WeightCount, GoldenTensor("a2.weights").numel());
        var input = GoldenTensor("a2.input").clone().requires_grad_(true);
        var output = model.call(input);
        var expected = GoldenTensor("a2.output");
        Assert.Equal(expected.shape, output.shape);
        // float32 against PyTorch's float64: the outputs are O(0.1).
        Golden.AssertClose(
            expected.to(float32).ToArray<float>(),
            output.detach().ToArray<float>(),
            2e-6,
            1e-4,
            "A2 output"
        );

        // Gradients in float64 (the reference's precision): the module's graph, independent of the CPU's float32 kernels.
        model.to(float64);
        input = GoldenTensor("a2.input").to(float64).requires_grad_(true);
        output = model.call(input);
        Golden.AssertClose(
            expected.to(float32).ToArray<float>(),
            output.detach().to(float32).ToArray<float>(),
            1e-7,
            1e-6,
            "A2 output (float64)"
        );
        (output * GoldenTensor("a2.cotangent").to(float64)).sum().backward();
        // Tensor by tensor, so a failure names the parameter. The last layer's layer1x1 feeds nothing: torch leaves its
        // gradient unset, PyTorch's reference has zeros.
        var expectedGradients = GoldenTensor("a2.grad_weights").to(float32).ToArray<float>();
        double gradientScale = expectedGradients.Max(Math.Abs);
        var offset = 0;
        var failures = new List<string>();
        foreach (var (tensor, name) in A2NamFile.Tensors(model))
        {
            var count = (int)tensor.numel();
            var actual = tensor.grad is { } g ? g.to(float32).contiguous().ToArray<float>() : new float[count];
            var expectedPart = expectedGradients.AsSpan(offset, count).ToArray();
            var worst = expectedPart.Zip(actual, (e, a) => Math.Abs(e - a) - (1e-4 * Math.Abs(e))).Max();
            if (worst > 1e-5 * gradientScale)
            {
                failures.Add($"{name} (off by {worst:G3})");
            }

            offset += count;
        }

        Assert.Equal(expectedGradients.Length, offset);
        Assert.True(failures.Count == 0, "gradients differ from PyTorch's: " + string.Join(", ", failures));
        var inputGradients = GoldenTensor("a2.grad_input").to(float32).ToArray<float>();
        Golden.AssertClose(
            inputGradients,
            input.grad!.to(float32).ToArray<float>(),
            1e-5 * inputGradients.Max(Math.Abs),
            1e-4,
            "A2 input gradients"
        );
    }

    [Fact]
    public void A2_presets_have_nam_weight_counts_and_receptive_field()
    {
        // Core's example_models/A2.nam: A2-Lite 1,871 weights, A2-Full 12,146; 1 + 6,331 (layers) + 15 (head) samples.
        Assert.Equal(1_871, A2Presets.Get("lite").WeightCount);
        Assert.Equal(12_146, A2Presets.Get("full").WeightCount);
        Assert.Equal(6_347, A2Presets.Get("full").ReceptiveField);
        using var full = new NamA2WaveNet(A2Presets.Get("full"));
        Assert.Equal(12_146 - 1, full.NumberOfParameters());
        Assert.Equal(12_146, A2NamFile.Weights(full).Length);
    }

    [NamFixtureTheory]
    [InlineData(1, "A2.core.wav")]
    [InlineData(0, "A2.size0.3.core.wav")]
    public void Core_A2_model_plays_through_our_module_like_core(int submodel, string rendering)
    {
        var models = A2NamFile.Load(NamFixtures.PathOf("core-examples/A2.nam"));
        Assert.Equal([0.5, 1.0], models.Select(m => m.MaxValue));
        using var module = models[submodel].Module;
        Assert.Equal(submodel == 0 ? 3 : 8, module.Config.Channels);
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono($"core-examples/{rendering}");
        var output = module.Process(input);
        Golden.AssertClose(expected, output, 1e-5, 0, $"A2 submodel {submodel} vs NAM Core");
        foreach (var m in models)
        {
            m.Module.Dispose();
        }
    }

    [Fact]
    public void Exported_container_reads_back_to_the_same_weights_and_outputs()
    {
        manual_seed(3);
        using var lite = new NamA2WaveNet(A2Presets.Get("lite"));
        using var full = new NamA2WaveNet(A2Presets.Get("full"));
        var path = Path.Combine(Path.GetTempPath(), $"a2_{Guid.NewGuid():N}.nam");
        try
        {
            A2NamFile.SaveContainer([new(lite, 0.5, null), new(full, 1.0, null)], path, 48_000, null);
            var back = A2NamFile.Load(path);
            Assert.Equal(A2NamFile.Weights(lite), A2NamFile.Weights(back[0].Module));
            Assert.Equal(A2NamFile.Weights(full), A2NamFile.Weights(back[1].Module));
            A2NamFile.SaveWaveNet(full, path, 48_000, null);
            Assert.Equal(A2NamFile.Weights(full), A2NamFile.Weights(A2NamFile.Load(path).Single().Module));
            Assert.Equal(full.Config.ToNamConfig(full.HeadScale), NamFile.Load(path).Config); // the 0.6 writer's round trip
        }
        finally
        {
            File.Delete(path);
        }
    }

    [NamFixtureFact]
    public void A2_config_refuses_features_outside_a2_by_field()
    {
        var e = Assert.Throws<NamFormatException>(() =>
            A2NamFile.Load(NamFixtures.PathOf("core-examples/wavenet_a2_max.nam"))
        );
        Assert.StartsWith("config.", e.Field);
        Assert.Contains("wavenet_a2_max.nam", e.Message);
        // LSTM and A1 submodels are no A2 either.
        Assert.Throws<NamFormatException>(() =>
            A2NamFile.Load(NamFixtures.PathOf("core-examples/slimmable_container.nam"))
        );
    }

    [Fact]
    public void A2_recipes_choose_width_and_export_version()
    {
        var packed = AmpTrainConfig.Load(ConfigTests.RepoFile("configs/amp/a2.yaml"));
        using (var module = packed.Model.CreateModule(48_000))
        {
            var widths = Assert.IsType<PackedA2>(module);
            Assert.Equal(["lite", "full"], widths.Names);
            Assert.Equal(1_871 + 12_146, module.WeightCount);
            Assert.Equal(2, module.OutputsPerInput);
        }

        Assert.Equal("0.7.0", packed.Model.ExportVersion);
        var nam = AmpTrainConfig.Load(ConfigTests.RepoFile("configs/amp/a2_nam.yaml"));
        Assert.Equal(3.17e-7, nam.Training.WeightDecay);
        Assert.Equal(0.994, nam.Training.LearningRateGamma);
        Assert.Equal(5e-4, nam.Loss.Mrstft);
        var single = TrainingTests.SmallConfig("a2", "model.preset=lite", "model.nam_version=0.6.0");
        using (var module = single.Model.CreateModule(48_000))
        {
            Assert.Equal(1_871, Assert.IsType<NamA2WaveNet>(module).WeightCount);
        }

        var noLegacy = Assert.Throws<ConfigException>(() => TrainingTests.SmallConfig("a2", "model.nam_version=0.5.4"));
        Assert.Contains("model.nam_version", noLegacy.Message);
        Assert.Throws<ConfigException>(() =>
            TrainingTests.SmallConfig("wavenet", "model.preset=nano", "model.nam_version=0.7.0")
        );
        Assert.Throws<ConfigException>(() => TrainingTests.SmallConfig("a2", "model.preset=standard"));
    }

    [Fact]
    public void Packed_training_exports_both_widths_as_a_container_equal_to_the_trained_modules()
    {
        var root = Path.Combine(Path.GetTempPath(), $"nsmt-a2-{Guid.NewGuid():N}");
        try
        {
            var config = TrainingTests.SmallConfig(
                "a2",
                "model.preset=packed",
                "training.epochs=1",
                "training.batch_size=16",
                "training.top_k=1"
            );
            var data = TrainingTests.SyntheticData();
            var result = new AmpTrainer(config, data, RunDirectory.At(root)).Run();
            var row = MetricsCsvLogger.Read(RunDirectory.At(root).MetricsCsv).Single();
            // Validation follows the widest width, the one a player serves by default; each width has its own ESR.
            Assert.Equal(row["val/esr.full"], row["val/esr"]);
            Assert.True(row["val/esr.lite"] > 0);

            var widths = A2NamFile.Load(result.ModelPath!);
            Assert.Equal([0.5, 1.0], widths.Select(w => w.MaxValue));
            Assert.Equal([3, 8], widths.Select(w => w.Module.Config.Channels));
            var json = File.ReadAllText(result.ModelPath!);
            Assert.Contains("\"version\":\"0.7.0\"", json);
            Assert.Contains("\"architecture\":\"SlimmableContainer\"", json);
            Assert.Contains("\"loudness\"", json);

            // The checkpoint's module (last epoch = best here) and the file compute the same samples.
            using var checkpoint = AmpCheckpoint.Load(
                Directory.GetFiles(RunDirectory.At(root).Checkpoints, "epoch=*.ckpt").Single()
            );
            using var trained = (PackedA2)config.Model.CreateModule(data.SampleRate);
            checkpoint.LoadExportedWeights(trained);
            var clip = data.Input.AsSpan(0, 8_000);
            // Our streaming engine plays the file (blocks of 64) as the torch modules compute it: size 1.0 is A2-Full,
            // 0.3 A2-Lite (Core serves a size from the first submodel whose max_value is above it).
            var nam = NamFile.Load(result.ModelPath!);
            for (var i = 0; i < 2; i++)
            {
                var torchOutput = trained.Submodels[i].Process(clip);
                Golden.AssertClose(torchOutput, widths[i].Module.Process(clip), 0, 0, $"width {i} read back");
                var engine = NamEngineFactory.Create(nam, TanhMode.Exact, i == 1 ? 1.0 : 0.3);
                var played = new float[clip.Length];
                for (var start = 0; start < clip.Length; start += 64)
                {
                    var count = Math.Min(64, clip.Length - start);
                    engine.Process(clip.Slice(start, count), played.AsSpan(start, count));
                }

                Golden.AssertClose(torchOutput, played, 1e-5, 0, $"width {i} through the engine");
            }
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
