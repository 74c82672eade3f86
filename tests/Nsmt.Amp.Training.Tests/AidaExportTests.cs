using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

public sealed class AidaExportTests
{
    private static readonly KnobRange[] Knobs = [new("gain_db", 0, 18), new("mid_db", -4, 4)];

    private static float[] Signal(int length) =>
        Enumerable
            .Range(0, length)
            .Select(i => (0.5f * MathF.Sin(i * 0.043f)) + (0.2f * MathF.Sin(i * 0.31f)))
            .ToArray();

    /// <summary>Weights tripled so the gates saturate and a wrong gate order or bias would show.</summary>
    private static void Amplify(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var parameter in module.parameters())
        {
            parameter.mul_(3.0);
        }
    }

    [Theory]
    [InlineData(RnnCell.Lstm)]
    [InlineData(RnnCell.Gru)]
    public void Exported_conditioned_model_plays_in_our_engine_as_the_torch_module_at_three_settings(RnnCell cell)
    {
        manual_seed(5);
        using var module = new ConditionedRnn(cell, hiddenSize: 16, Knobs);
        Amplify(module);
        var json = KerasModelFile.Serialize(AidaExport.ToKerasModel(module, sampleRate: 48_000));
        var model = KerasModelFile.Parse(json, "exported.json");
        AidaLimits.Check(model);
        Assert.Equal(3, model.InputSize);
        Assert.Equal(Knobs, model.Knobs);

        // The reference runs in float64: this machine's float32 LSTM kernels are not trusted (issue 29).
        module.to(ScalarType.Float64);
        var input = Signal(1500);
        double[][] settings =
        [
            [0, -4],
            [9, 0],
            [18, 2.5],
        ];
        var outputs = new List<float[]>();
        foreach (var setting in settings)
        {
            var expected = module.Process(input, setting);
            var engine = new KerasEngine(model);
            engine.SetKnobsImmediately(module.Normalize(setting));
            var actual = new float[input.Length];
            engine.Process(input, actual);
            for (var i = 0; i < input.Length; i++)
            {
                Assert.True(
                    Math.Abs(actual[i] - expected[i]) <= 1e-5,
                    $"{cell} at {string.Join(",", setting)}, sample {i}: {actual[i]} vs torch {expected[i]}"
                );
            }

            outputs.Add(actual);
        }

        // The knobs matter: the settings give different sounds.
        Assert.True(outputs[0].Zip(outputs[2]).Max(p => Math.Abs(p.First - p.Second)) > 0.01);
    }

    [Fact]
    public void Plain_lstm_capture_exports_for_aida_x_and_plays_as_its_zero_state_forward()
    {
        manual_seed(6);
        using var module = new NamLstm(new LstmConfig { HiddenSize = 24, NumLayers = 1 });
        Amplify(module);
        var model = KerasModelFile.Parse(KerasModelFile.Serialize(AidaExport.ToKerasModel(module, 48_000)));
        AidaLimits.Check(model);
        Assert.Empty(model.Knobs);

        module.to(ScalarType.Float64);
        var input = Signal(1000);
        double[] expected;
        using (no_grad())
        {
            module.eval();
            using var x = tensor(input.Select(v => (double)v).ToArray(), [1, input.Length], float64);
            using var y = module.call(x);
            expected = y.data<double>().ToArray();
        }

        var actual = new float[input.Length];
        new KerasEngine(model).Process(input, actual);
        for (var i = 0; i < input.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5, $"sample {i}: {actual[i]} vs torch {expected[i]}");
        }
    }

    [Fact]
    public void Models_aida_x_cannot_play_are_refused_naming_the_field()
    {
        using var module = new ConditionedRnn(RnnCell.Gru, hiddenSize: 10, Knobs);
        var error = Assert.Throws<NamFormatException>(() =>
            KerasModelFile.SaveForAida(
                AidaExport.ToKerasModel(module, 48_000),
                Path.Combine(Path.GetTempPath(), "never-written.json")
            )
        );
        Assert.Equal("layers[0].shape", error.Field);
        Assert.Contains("8/12/16/20/24/32/40/64/80", error.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "never-written.json")));
    }
}
