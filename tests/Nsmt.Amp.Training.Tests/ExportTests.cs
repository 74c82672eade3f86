using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

public class ExportTests
{
    private static float[] TestSignal(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable
            .Range(0, length)
            .Select(i => (0.4f * MathF.Sin(i * 0.031f)) + (0.1f * ((float)random.NextDouble() - 0.5f)))
            .ToArray();
    }

    [NamFixtureFact]
    public void Imported_a1_standard_fixture_reproduces_nam_core_output()
    {
        using var module = NamExport.Load(NamFixtures.PathOf("wavenet_a1_standard.nam"));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono("wavenet_a1_standard.expected.wav");
        Golden.AssertClose(expected, module.Process(input), 1e-5, 0, "torch A1 vs NAM Core");
    }

    [NamFixtureFact]
    public void Imported_lstm_fixture_reproduces_nam_core_output()
    {
        using var module = NamExport.Load(NamFixtures.PathOf("lstm.nam"));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono("lstm.expected.wav");
        Golden.AssertClose(expected, module.Process(input), 1e-5, 0, "torch LSTM vs NAM Core");
    }

    [NamFixtureFact]
    public void Fixture_weights_survive_import_and_export_unchanged()
    {
        foreach (var file in new[] { "wavenet_a1_standard.nam", "lstm.nam" })
        {
            var original = NamFile.Load(NamFixtures.PathOf(file));
            using var module = NamExport.FromNamModel(original);
            var exported = NamExport.ToNamModel(module, original.SampleRate ?? 48_000);
            if (original.Config is LstmConfig)
            {
                // The two PyTorch biases come back as one sum: compare everything else exactly.
                Assert.Equal(original.Weights.Length, exported.Weights.Length);
            }

            Golden.AssertClose(original.Weights, exported.Weights, original.Config is LstmConfig ? 1e-7 : 0, 0, file);
        }
    }

    [Theory]
    [InlineData(WaveNetPreset.Nano)]
    [InlineData(WaveNetPreset.Feather)]
    public void Trained_a1_exports_imports_identically_and_matches_the_streaming_engine(WaveNetPreset preset)
    {
        manual_seed(21);
        using var trained = new NamWaveNet(NamPresets.WaveNet(preset));
        TrainBriefly(trained);
        var input = TestSignal(6_000, 1);
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-export-{Guid.NewGuid():N}.nam");
        try
        {
            NamExport.Save(trained, path, 48_000);
            using var imported = NamExport.Load(path);
            var before = trained.Process(input);
            Golden.AssertClose(before, imported.Process(input), 0, 0, "trained vs re-imported");
            var engine = NamOfflineProcessor.Process(NamFile.Load(path), input);
            Golden.AssertClose(engine, before, 1e-5, 0, "torch vs streaming engine");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Trained_lstm_exports_imports_identically_and_matches_the_streaming_engine()
    {
        manual_seed(22);
        using var trained = new NamLstm(NamPresets.Lstm(LstmPreset.Nano), sampleRate: 8_000);
        TrainBriefly(trained);
        trained.SetInitialStateFromSilence();
        var input = TestSignal(3_000, 2);
        var model = NamExport.ToNamModel(trained, 8_000);
        using var imported = NamExport.FromNamModel(NamFile.Parse(NamFile.Serialize(model)));
        var before = trained.Process(input);
        Golden.AssertClose(before, imported.Process(input), 1e-7, 0, "trained vs re-imported");
        Golden.AssertClose(NamOfflineProcessor.Process(model, input), before, 1e-5, 0, "torch vs streaming engine");
    }

    [Fact]
    public void Unsupported_nam_keys_are_rejected_by_name()
    {
        var json = NamFile
            .Serialize(
                new NamModel(
                    NamPresets.WaveNet(WaveNetPreset.Nano),
                    NamWeightInitializer.CreateRandom(NamPresets.WaveNet(WaveNetPreset.Nano), 1),
                    48_000
                )
            )
            .Replace("\"gated\":", "\"gating_mode\":\"none\",\"gated\":", StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-bad-{Guid.NewGuid():N}.nam");
        File.WriteAllText(path, json);
        try
        {
            // A 0.6 key makes it a 0.6 WaveNet, which we train only as an A2 (one layer array): refused by that field.
            var error = Assert.Throws<NamFormatException>(() => NamExport.Load(path));
            Assert.Equal("config.layers", error.Field);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Non_finite_weights_are_refused_naming_the_parameter()
    {
        using var model = new NamWaveNet(NamPresets.WaveNet(WaveNetPreset.Nano));
        using (no_grad())
        {
            model.Arrays[1].Layers[2].Conv.bias!.fill_(float.NaN);
        }

        var error = Assert.Throws<InvalidOperationException>(() => NamExport.ToNamModel(model, 48_000));
        Assert.Contains("layer_arrays.1.layers.2.conv.bias", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_wavenet_is_not_exportable()
    {
        using var model = new PlainWaveNet(new PlainWaveNetOptions(Channels: 2, Layers: 2));
        Assert.False(model.IsNamExportable);
        Assert.Throws<NotSupportedException>(() => NamExport.ToNamModel(model, 48_000));
    }

    /// <summary>A few optimiser steps so the weights are no longer the initial ones.</summary>
    private static void TrainBriefly(AmpModule model)
    {
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        var input = TestSignal(model.Context + 512, 9);
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var x = tensor(input, [1, input.Length]);
            var y = model.call(x);
            var target = x.narrow(1, model.Context, y.size(1)).tanh();
            nn.functional.mse_loss(y, target).backward();
            optimizer.step();
        }
    }
}
