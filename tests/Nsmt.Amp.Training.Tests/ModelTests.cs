using Nsmt.Amp.Architectures;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;
using Nsmt.Neural;
using Nsmt.Neural.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

public class ModelTests
{
    [Theory]
    [InlineData(16, 10, 7_889, 2_047)]
    [InlineData(18, 9, 8_965, 1_023)]
    public void Plain_wavenet_has_the_specified_parameter_count_and_receptive_field(
        int channels,
        int layers,
        int parameters,
        int receptiveField
    )
    {
        using var model = new PlainWaveNet(new PlainWaveNetOptions(Channels: channels, Layers: layers));
        Assert.Equal(parameters, model.NumberOfParameters());
        Assert.Equal(parameters, model.Options.ParameterCount);
        Assert.Equal(receptiveField, model.ReceptiveField);
        Assert.Equal(receptiveField - 1, model.Context);
        Assert.Equal(0, model.Lookahead);
    }

    [Fact]
    public void Plain_wavenet_offline_variant_centres_its_receptive_field()
    {
        using var model = new PlainWaveNet(new PlainWaveNetOptions(Causal: false));
        Assert.Equal(1_023, model.Context);
        Assert.Equal(1_023, model.Lookahead);
        Assert.Throws<ArgumentException>(() => new PlainWaveNetOptions(KernelSize: 4, Causal: false).Validate());
    }

    [Theory]
    [InlineData(WaveNetPreset.Standard, 13_802)]
    [InlineData(WaveNetPreset.Lite, 6_554)]
    [InlineData(WaveNetPreset.Feather, 3_026)]
    [InlineData(WaveNetPreset.Nano, 842)]
    public void A1_presets_have_nam_format_parameter_counts(WaveNetPreset preset, int count)
    {
        using var model = new NamWaveNet(NamPresets.WaveNet(preset));
        // Every trained weight plus head_scale, which NAM keeps constant and exports last.
        Assert.Equal(count - 1, model.NumberOfParameters());
        Assert.Equal(count, NamExport.ToNamModel(model, 48_000).Weights.Length);
        Assert.Equal(4_093, model.ReceptiveField);
    }

    [Theory]
    [InlineData(LstmPreset.Standard, 2_569)]
    [InlineData(LstmPreset.Lite, 905)]
    [InlineData(LstmPreset.Feather, 1_201)]
    [InlineData(LstmPreset.Nano, 709)]
    public void Lstm_presets_export_nam_format_parameter_counts(LstmPreset preset, int count)
    {
        using var model = new NamLstm(NamPresets.Lstm(preset));
        Assert.Equal(count, NamExport.ToNamModel(model, 48_000).Weights.Length);
    }

    [Fact]
    public void Plain_wavenet_initialises_and_computes_like_pytorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = new PlainWaveNet(new PlainWaveNetOptions(Channels: 4, Layers: 4));
        foreach (var (name, p) in model.named_parameters())
        {
            // Bit-identical draws: same generator, same order, same formulas as PyTorch's reset_parameters.
            Golden.AssertClose($"seed.param.{name}", p, 0, 0);
        }

        Golden.AssertClose("seed.output", model.call(Golden.Get("seed.input")));
    }

    [Fact]
    public void A1_initialises_in_nam_module_order()
    {
        manual_seed(11);
        using var model = new NamWaveNet(NamPresets.WaveNet(WaveNetPreset.Nano));
        var weights = NamExport.ToNamModel(model, 48_000).Weights;
        Golden.AssertClose(Golden.Floats("nano_init.weights"), weights, 0, 0, "A1 nano initial weights");
    }

    [Fact]
    public void Gated_two_array_a1_matches_the_nam_format_computation()
    {
        using var scope = NewDisposeScope();
        var config = new WaveNetConfig
        {
            LayerArrays =
            [
                new WaveNetLayerArrayConfig
                {
                    InputSize = 1,
                    Channels = 4,
                    HeadSize = 3,
                    KernelSize = 3,
                    Dilations = [1, 2, 4],
                    Gated = true,
                    HeadBias = false,
                },
                new WaveNetLayerArrayConfig
                {
                    InputSize = 4,
                    Channels = 3,
                    HeadSize = 1,
                    KernelSize = 2,
                    Dilations = [1, 3],
                    Gated = true,
                    HeadBias = true,
                },
            ],
            HeadScale = 0.3f,
        };
        var model = new NamModel(config, Golden.Floats("a1_gated.weights"), 48_000);
        using var module = NamExport.FromNamModel(model);
        Golden.AssertClose("a1_gated.output", module.call(Golden.Get("a1_gated.input")), 1e-6, 1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fused_input_mixer_gives_the_same_outputs_and_gradients(bool gated)
    {
        using var scope = NewDisposeScope();
        manual_seed(17);
        var config = new WaveNetConfig
        {
            LayerArrays =
            [
                new WaveNetLayerArrayConfig
                {
                    InputSize = 1,
                    Channels = 3,
                    HeadSize = 2,
                    KernelSize = 3,
                    Dilations = [1, 4],
                    Gated = gated,
                    HeadBias = false,
                },
                new WaveNetLayerArrayConfig
                {
                    InputSize = 3,
                    Channels = 2,
                    HeadSize = 1,
                    KernelSize = 3,
                    Dilations = [2, 1],
                    Gated = gated,
                    HeadBias = true,
                },
            ],
            HeadScale = 0.5f,
        };
        using var model = new NamWaveNet(config);
        var x = randn(2, 80);
        float[] Run(bool fused, out float[] gradient)
        {
            model.FuseInputMixer = fused;
            model.zero_grad();
            var y = model.call(x);
            (y * y).sum().backward();
            // The last layer's 1x1 feeds nothing (no residual after it), so it has no gradient.
            gradient = model.parameters().SelectMany(p => p.grad?.contiguous().ToArray<float>() ?? []).ToArray();
            return y.contiguous().ToArray<float>();
        }

        var separate = Run(false, out var separateGradient);
        var fused = Run(true, out var fusedGradient);
        Golden.AssertClose(separate, fused, 1e-6, 1e-5, "outputs");
        Golden.AssertClose(separateGradient, fusedGradient, 1e-6, 1e-5, "gradients");
    }

    /// <summary>
    /// Unset, the mixin formulation is the engine's faster one: fused only where oneDNN computes the convolutions
    /// (without oneDNN the fused 17-channel conv cost more CPU time, bench/amp-train/RESULTS.md); a setting overrides it.
    /// </summary>
    [Fact]
    public void Unset_input_mixer_formulation_follows_the_engine_and_a_setting_overrides_it()
    {
        var layer = new WaveNetLayerArrayConfig
        {
            InputSize = 1,
            Channels = 2,
            HeadSize = 1,
            KernelSize = 3,
            Dilations = [1],
            Gated = false,
            HeadBias = true,
        };
        using var model = new NamWaveNet(new WaveNetConfig { LayerArrays = [layer], HeadScale = 1f });
        Assert.Null(model.FuseInputMixer);
        Assert.Equal(EngineGuard.OneDnnActive, model.FusesInputMixer);
        model.FuseInputMixer = !EngineGuard.OneDnnActive;
        Assert.Equal(!EngineGuard.OneDnnActive, model.FusesInputMixer);
    }

    /// <summary>
    /// Issue 29 item 4: the dilated convs run on the SIMD kernel where oneDNN is off and the CPU has 256- or 512-bit
    /// vectors (libtorch's own conv is 3-6x slower there), bit-identically from run to run, and the same function as
    /// libtorch's conv.
    /// </summary>
    [Fact]
    public void Simd_convolution_follows_the_engine_is_deterministic_and_computes_what_libtorch_does()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(
            !EngineGuard.OneDnnActive && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated,
            LayerFormulation.Resolve(null, null).SimdConv
        );
        Assert.True(LayerFormulation.Resolve(null, true).SimdConv);
        manual_seed(5);
        using var model = new NamWaveNet(NamPresets.WaveNet(WaveNetPreset.Standard));
        var x = randn(2, model.ReceptiveField + 200) * 0.3;
        (float[] Output, float[] Gradients) Step(bool simd)
        {
            model.SimdConvolution = simd;
            model.zero_grad();
            var y = model.call(x);
            y.square().sum().backward();
            return (
                y.detach().contiguous().ToArray<float>(),
                [.. model.parameters().SelectMany(p => p.grad?.contiguous().ToArray<float>() ?? [])]
            );
        }

        var first = Step(true);
        var second = Step(true);
        Assert.Equal(first.Output, second.Output);
        Assert.Equal(first.Gradients, second.Gradients);
        var libtorch = Step(false);
        Golden.AssertClose(libtorch.Output, first.Output, 1e-6, 1e-5, "outputs");
        Golden.AssertClose(
            libtorch.Gradients,
            first.Gradients,
            1e-4 * libtorch.Gradients.Max(Math.Abs),
            1e-4,
            "gradients"
        );
    }

    /// <summary>
    /// Issue 29: at A1 standard's widths (16 and 8 channels; 17 in the fused mixer) libtorch 2.10's oneDNN computed
    /// wrong float32 convolutions on AVX-512 CPUs, the backward pass in both formulations; the narrow fixtures above
    /// could not notice. The golden values are PyTorch's, in float64, so they hold on every CPU.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A1_widths_match_pytorch_float64_in_outputs_and_gradients(bool fused, bool simd)
    {
        using var scope = NewDisposeScope();
        var config = new WaveNetConfig
        {
            LayerArrays =
            [
                new WaveNetLayerArrayConfig
                {
                    InputSize = 1,
                    Channels = 16,
                    HeadSize = 8,
                    KernelSize = 3,
                    Dilations = [1, 2, 64],
                    Gated = false,
                    HeadBias = false,
                },
                new WaveNetLayerArrayConfig
                {
                    InputSize = 16,
                    Channels = 8,
                    HeadSize = 1,
                    KernelSize = 3,
                    Dilations = [1, 8],
                    Gated = false,
                    HeadBias = true,
                },
            ],
            HeadScale = 0.02f,
        };
        using var module = (NamWaveNet)
            NamExport.FromNamModel(new NamModel(config, Golden.Floats("a1_wide.weights"), 48_000));
        module.FuseInputMixer = fused;
        module.SimdConvolution = simd;
        var x = Golden.Get("a1_wide.input").clone().requires_grad_(true);
        var y = module.call(x);
        Golden.AssertClose("a1_wide.output", y, 1e-6, 1e-4);
        (y * Golden.Get("a1_wide.output_grad")).sum().backward();
        AssertGradient(Golden.Floats("a1_wide.input_grad"), x.grad!.contiguous().ToArray<float>(), "input gradient");

        // The weights' gradients in .nam order: the export's own flattening, applied to the gradients. The last
        // layer's 1x1 feeds nothing, so it has no gradient (PyTorch's is 0 there).
        using (no_grad())
        {
            foreach (var p in module.parameters())
            {
                p.copy_(p.grad ?? zeros_like(p));
            }
        }

        var gradients = NamExport.ToNamModel(module, 48_000).Weights[..^1];
        AssertGradient(Golden.Floats("a1_wide.weights_grad"), gradients, "weight gradients");
    }

    /// <summary>NAM's 1x24 LSTM (the shape oneDNN got wrong), against PyTorch in float64: outputs and every gradient.</summary>
    [Fact]
    public void Lstm_1x24_matches_pytorch_float64_in_outputs_and_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(19);
        using var model = new NamLstm(new LstmConfig { HiddenSize = 24, NumLayers = 1 });
        var x = Golden.Get("lstm24.input").clone().requires_grad_(true);
        var y = model.call(x);
        Golden.AssertClose("lstm24.output", y, 1e-6, 1e-4);
        (y * Golden.Get("lstm24.output_grad")).sum().backward();
        AssertGradient(Golden.Floats("lstm24.input_grad"), x.grad!.contiguous().ToArray<float>(), "input gradient");
        var gradients = model.parameters().SelectMany(p => p.grad!.contiguous().ToArray<float>()).ToArray();
        AssertGradient(Golden.Floats("lstm24.params_grad"), gradients, "parameter gradients (core, then head)");
    }

    [Fact]
    public void An_lstm_converted_to_float64_still_processes_from_its_initial_state()
    {
        // Issue 29's side finding: after module.to(float64) the initial-state properties held the released tensors.
        using var scope = NewDisposeScope();
        manual_seed(13);
        using var model = new NamLstm(new LstmConfig { HiddenSize = 5, NumLayers = 2 }, sampleRate: 100);
        model.SetInitialStateFromSilence();
        var input = Golden.Floats("lstm.input")[..300];
        var single = model.Process(input);
        model.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, model.InitialHidden.dtype);
        var dbl = model.Process(input);
        Golden.AssertClose(dbl, single, 1e-5, 1e-4, "float64 against float32 processing");
    }

    // float32 sums over hundreds of terms: within 1e-4 of the largest gradient (the wrong kernels were 8-45 % off).
    private static void AssertGradient(float[] expected, float[] actual, string what) =>
        Golden.AssertClose(expected, actual, 1e-4 * expected.Max(Math.Abs), 1e-4, what);

    [Fact]
    public void Lstm_forward_matches_pytorch_after_the_same_seed()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        using var model = new NamLstm(new LstmConfig { HiddenSize = 5, NumLayers = 2 });
        Golden.AssertClose("lstm.output", model.call(Golden.Get("lstm.input")), 1e-6, 1e-5);
    }

    [Fact]
    public void Lstm_burn_in_drops_the_leading_outputs()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        using var model = new NamLstm(new LstmConfig { HiddenSize = 5, NumLayers = 2 }, burnIn: 100);
        var y = model.call(Golden.Get("lstm.input"));
        Assert.Equal([2L, 200L], y.shape);
        Golden.AssertClose(
            Golden.Floats("lstm.output").Chunk(300).SelectMany(row => row.Skip(100)).ToArray(),
            y.contiguous().ToArray<float>(),
            1e-6,
            1e-5,
            "burn-in outputs"
        );
    }

    [Fact]
    public void Chunked_processing_gives_the_samples_of_one_pass()
    {
        manual_seed(3);
        using var model = new PlainWaveNet(new PlainWaveNetOptions(Channels: 3, Layers: 5, Causal: false));
        var input = Enumerable.Range(0, 500).Select(i => MathF.Sin(i * 0.05f) * 0.5f).ToArray();
        var whole = model.Process(input, chunkSize: 500);
        var chunked = model.Process(input, chunkSize: 37);
        Golden.AssertClose(whole, chunked, 1e-6, 0, "chunked vs whole");
    }
}
